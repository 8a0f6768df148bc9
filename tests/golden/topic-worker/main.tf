# topic-worker: SNS -> Lambda (asynchronous invoke) with retries and a failure target
module "emails" {
  source = "./modules/emails"

  name = "notify-emails"
  function = {
    runtime                        = "python3.13"
    handler                        = "app.handler"
    source_dir                     = "../../../blueprints/src/notify"
    architecture                   = "arm64"
    timeout                        = 60
    memory_size                    = 256
    reserved_concurrent_executions = -1
    log_retention_in_days          = 365
  }
  async_invoke = {
    maximum_retry_attempts       = 2
    maximum_event_age_in_seconds = 3600
  }
  failure_queue_retention_seconds = 1209600
}
