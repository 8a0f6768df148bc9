output "orders_queue_url" {
  description = "orders: URL of the queue producers send to."
  value       = module.orders.queue_url
}

output "orders_queue_arn" {
  description = "orders: ARN of the queue."
  value       = module.orders.queue_arn
}

output "orders_dead_letter_queue_url" {
  description = "orders: URL of the dead-letter queue, to inspect and redrive failed messages."
  value       = module.orders.dead_letter_queue_url
}

output "orders_function_name" {
  description = "orders: name of the worker function."
  value       = module.orders.function_name
}

output "orders_function_role_arn" {
  description = "orders: ARN of the worker's IAM role, to grant it more access."
  value       = module.orders.function_role_arn
}

output "notify_topic_arn" {
  description = "notify: ARN of the topic publishers send to."
  value       = module.notify.topic_arn
}

output "notify_function_name" {
  description = "notify: name of the worker function."
  value       = module.notify.function_name
}

output "notify_function_role_arn" {
  description = "notify: ARN of the worker's IAM role, to grant it more access."
  value       = module.notify.function_role_arn
}

output "notify_failure_target_arn" {
  description = "notify: ARN of the SNS topic receiving failed events."
  value       = module.notify.failure_target_arn
}

output "events_topic_arn" {
  description = "events: ARN of the topic publishers send to."
  value       = module.events.topic_arn
}

output "events_queue_urls" {
  description = "events: URL of each subscriber's queue, by subscriber."
  value       = module.events.queue_urls
}

output "events_dead_letter_queue_urls" {
  description = "events: URL of each subscriber's dead-letter queue, by subscriber."
  value       = module.events.dead_letter_queue_urls
}

output "alarm_topic_arn" {
  description = "ARN of the topic every alarm notifies; its e-mail subscriptions wait for confirmation."
  value       = aws_sns_topic.alarms.arn
}
