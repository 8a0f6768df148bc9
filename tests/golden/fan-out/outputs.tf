output "orders_topic_arn" {
  description = "orders: ARN of the topic publishers send to."
  value       = module.orders.topic_arn
}

output "orders_queue_urls" {
  description = "orders: URL of each subscriber's queue, by subscriber."
  value       = module.orders.queue_urls
}

output "orders_dead_letter_queue_urls" {
  description = "orders: URL of each subscriber's dead-letter queue, by subscriber."
  value       = module.orders.dead_letter_queue_urls
}
