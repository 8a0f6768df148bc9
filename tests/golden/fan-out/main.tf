# fan-out: one SNS topic -> many SQS queues, each with its own DLQ and optional worker
module "orders" {
  source = "./modules/orders"

  topic = {
    name = "events-orders"
  }
  subscribers = {
    audit = {
      queue = {
        name                       = "events-orders-audit"
        message_retention_seconds  = 604800
        visibility_timeout_seconds = 30
      }
      dead_letter = {
        name = "events-orders-audit-dlq"
      }
      subscription_dead_letter_name = "events-orders-audit-sns-dlq"
      raw_message_delivery          = true
    }
    billing = {
      queue = {
        name                       = "events-orders-billing"
        visibility_timeout_seconds = 120
      }
      dead_letter = {
        name = "events-orders-billing-dlq"
      }
      subscription_dead_letter_name = "events-orders-billing-sns-dlq"
      filter_policy = jsonencode({
        "type" = ["invoice", "refund"]
        "amount" = [
          {
            "numeric" = [">", 0]
          },
        ]
      })
      worker = {
        function = {
          name        = "events-orders-billing"
          role_name   = "events-orders-billing-us-east-2"
          description = "Processes messages of the billing subscriber of the orders topic"
          runtime     = "python3.13"
          handler     = "app.handler"
          source_dir  = "functions/billing"
          timeout     = 20
        }
        trigger = {
          batch_size                         = 50
          maximum_batching_window_in_seconds = 10
        }
      }
    }
  }
}
