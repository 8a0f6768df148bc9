output "orders_topic_arn" {
  description = "orders: ARN of the topic publishers send to."
  value       = module.orders.topic_arn
}

output "orders_queue_urls" {
  description = "orders: URL of each subscriber's queue, by subscriber."
  value       = module.orders.queue_urls
}
