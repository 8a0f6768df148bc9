output "orders_queue_url" {
  description = "orders: URL of the queue producers send to."
  value       = module.orders.queue_url
}

output "orders_queue_arn" {
  description = "orders: ARN of the queue."
  value       = module.orders.queue_arn
}

output "orders_dead_letter_queue_url" {
  description = "orders: URL of the dead-letter queue, to inspect and redrive."
  value       = module.orders.dead_letter_queue_url
}

output "orders_function_name" {
  description = "orders: name of the worker function."
  value       = module.orders.function_name
}
