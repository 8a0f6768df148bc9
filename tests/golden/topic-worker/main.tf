# topic-worker: SNS -> Lambda (asynchronous invoke) with retries and a failure target
module "emails" {
  source = "./modules/emails"

  topic = {
    name = "notify-emails"
  }
  subscription_dead_letter_name = "notify-emails-sns-dlq"
  function = {
    name        = "notify-emails"
    role_name   = "notify-emails-eu-west-1"
    description = "Handles events from the emails topic"
    runtime     = "python3.13"
    handler     = "app.handler"
    source_dir  = "functions/worker"
    timeout     = 60
  }
  async_invoke = {
    maximum_event_age_in_seconds = 3600
  }
  on_failure = {
    kind = "queue"
    name = "notify-emails-failures"
  }
}
