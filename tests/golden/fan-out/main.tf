# fan-out: one SNS topic -> many SQS queues, each with its own DLQ and optional worker
module "orders" {
  source = "./modules/orders"

  name = "events-orders"
  subscribers = {
    audit = {
      queue = {
        message_retention_seconds  = 604800
        visibility_timeout_seconds = 30
      }
      dead_letter = {
        max_receive_count         = 5
        message_retention_seconds = 1209600
      }
    }
    billing = {
      queue = {
        message_retention_seconds  = 345600
        visibility_timeout_seconds = 120
      }
      dead_letter = {
        max_receive_count         = 5
        message_retention_seconds = 1209600
      }
      function = {
        runtime                        = "python3.13"
        handler                        = "app.handler"
        source_dir                     = "../../../blueprints/src/billing"
        architecture                   = "arm64"
        timeout                        = 20
        memory_size                    = 256
        reserved_concurrent_executions = -1
        log_retention_in_days          = 365
      }
      trigger = {
        batch_size                         = 50
        maximum_batching_window_in_seconds = 10
      }
    }
  }
}
