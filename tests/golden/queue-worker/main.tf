# queue-worker: SQS (standard or FIFO) -> Lambda, with a dead-letter queue
module "intake" {
  source = "./modules/intake"

  queue = {
    name                        = "orders-intake.fifo"
    fifo                        = true
    content_based_deduplication = true
    visibility_timeout_seconds  = 180
  }
  dead_letter = {
    name = "orders-intake-dlq.fifo"
  }
  function = {
    name        = "orders-intake"
    role_name   = "orders-intake-eu-west-1"
    description = "Processes messages from the intake queue"
    runtime     = "python3.13"
    handler     = "app.handler"
    source_dir  = "functions/worker"
    memory_size = 512
    environment = {
      LOG_LEVEL = "INFO"
    }
  }
  trigger = {
    maximum_concurrency = 20
  }
}
