# queue-worker: SQS (standard or FIFO) -> Lambda, with a dead-letter queue
module "orders" {
  source = "./modules/orders"

  queue = {
    name                       = "shop-orders.fifo"
    fifo                       = true
    visibility_timeout_seconds = 180
  }
  dead_letter = {
    name = "shop-orders-dlq.fifo"
  }
  function = {
    name        = "shop-orders"
    role_name   = "shop-orders-eu-west-1"
    description = "Processes messages from the orders queue"
    runtime     = "python3.13"
    handler     = "app.handler"
    source_dir  = "functions/worker"
    memory_size = 512
  }
  iam = {
    path                 = "/shop/"
    permissions_boundary = "arn:aws:iam::123456789012:policy/payments-boundary"
  }
  alarm_actions = [aws_sns_topic.alarms.arn]
}

# topic-worker: SNS -> Lambda (asynchronous invoke) with retries and a failure target
module "notify" {
  source = "./modules/notify"

  topic = {
    name = "shop-notify"
  }
  subscription_dead_letter_name = "shop-notify-sns-dlq"
  function = {
    name        = "shop-notify"
    role_name   = "shop-notify-eu-west-1"
    description = "Handles events from the notify topic"
    runtime     = "python3.13"
    handler     = "app.handler"
    source_dir  = "functions/worker"
  }
  on_failure = {
    kind   = "topic"
    name   = "shop-notify-failures"
    via    = "dead_letter_config"
    emails = ["payments-oncall@example.com"]
  }
  iam = {
    path                 = "/shop/"
    permissions_boundary = "arn:aws:iam::123456789012:policy/payments-boundary"
  }
  alarm_actions = [aws_sns_topic.alarms.arn]
}

# fan-out: one SNS topic -> many SQS queues, each with its own DLQ and optional worker
module "events" {
  source = "./modules/events"

  topic = {
    name                        = "shop-events.fifo"
    fifo                        = true
    content_based_deduplication = true
  }
  subscribers = {
    ledger = {
      queue = {
        name                       = "shop-events-ledger.fifo"
        fifo                       = true
        visibility_timeout_seconds = 180
      }
      dead_letter = {
        name = "shop-events-ledger-dlq.fifo"
      }
      subscription_dead_letter_name = "shop-events-ledger-sns-dlq.fifo"
      worker = {
        function = {
          name        = "shop-events-ledger"
          role_name   = "shop-events-ledger-eu-west-1"
          description = "Processes messages of the ledger subscriber of the events topic"
          runtime     = "python3.13"
          handler     = "app.handler"
          source_dir  = "functions/ledger"
        }
      }
    }
    search = {
      queue = {
        name                       = "shop-events-search"
        visibility_timeout_seconds = 30
      }
      dead_letter = {
        name = "shop-events-search-dlq"
      }
      subscription_dead_letter_name = "shop-events-search-sns-dlq.fifo"
      raw_message_delivery          = true
    }
  }
  iam = {
    path                 = "/shop/"
    permissions_boundary = "arn:aws:iam::123456789012:policy/payments-boundary"
  }
  alarm_actions = [aws_sns_topic.alarms.arn]
}
