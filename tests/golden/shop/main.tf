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
    log_retention_in_days          = 365
  }
  trigger = {
    batch_size = 10
  }
}

# topic-worker: SNS -> Lambda (asynchronous invoke) with retries and a failure target
module "notify" {
  source = "./modules/notify"

  name = "shop-notify"
  function = {
    runtime                        = "python3.13"
    handler                        = "app.handler"
    source_dir                     = "../../../blueprints/src/notify"
    architecture                   = "arm64"
    timeout                        = 30
    memory_size                    = 256
    reserved_concurrent_executions = -1
    log_retention_in_days          = 365
  }
  async_invoke = {
    maximum_retry_attempts       = 2
    maximum_event_age_in_seconds = 21600
  }
}

# fan-out: one SNS topic -> many SQS queues, each with its own DLQ and optional worker
module "events" {
  source = "./modules/events"

  name = "shop-events"
  subscribers = {
    ledger = {
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
        source_dir                     = "../../../blueprints/src/billing"
        architecture                   = "arm64"
        timeout                        = 30
        memory_size                    = 256
        reserved_concurrent_executions = -1
        log_retention_in_days          = 365
      }
      trigger = {
        batch_size = 10
      }
    }
    search = {
      queue = {
        message_retention_seconds  = 345600
        visibility_timeout_seconds = 30
      }
      dead_letter = {
        max_receive_count         = 5
        message_retention_seconds = 1209600
      }
    }
  }
}
