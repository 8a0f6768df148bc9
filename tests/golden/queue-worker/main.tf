# queue-worker: SQS (standard or FIFO) -> Lambda, with a dead-letter queue
module "orders" {
  source = "./modules/orders"

  name = "shop-orders"
  queue = {
    message_retention_seconds  = 345600
    visibility_timeout_seconds = 180
  }
  dead_letter = {
    max_receive_count         = 5
    message_retention_seconds = 1209600
  }
  function = {
    runtime                        = "python3.13"
    handler                        = "app.handler"
    source_dir                     = "../../../blueprints/src/orders"
    architecture                   = "arm64"
    timeout                        = 30
    memory_size                    = 512
    reserved_concurrent_executions = -1
    environment = {
      LOG_LEVEL = "INFO"
    }
    log_retention_in_days = 365
  }
  trigger = {
    batch_size          = 10
    maximum_concurrency = 20
  }
}
