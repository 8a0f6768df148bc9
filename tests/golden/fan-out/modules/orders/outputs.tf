output "topic_arn" {
  description = "ARN of the topic publishers send to."
  value       = aws_sns_topic.this.arn
}

output "topic_name" {
  description = "Name of the topic."
  value       = aws_sns_topic.this.name
}

output "queue_urls" {
  description = "URL of each subscriber's queue, by subscriber."
  value       = { for name, q in aws_sqs_queue.subscriber : name => q.url }
}

output "queue_arns" {
  description = "ARN of each subscriber's queue, by subscriber."
  value       = { for name, q in aws_sqs_queue.subscriber : name => q.arn }
}

output "queue_names" {
  description = "Name of each subscriber's queue, by subscriber."
  value       = { for name, q in aws_sqs_queue.subscriber : name => q.name }
}

output "dead_letter_queue_urls" {
  description = "URL of each subscriber's dead-letter queue, by subscriber (those that have one)."
  value       = { for name, q in aws_sqs_queue.subscriber_dlq : name => q.url }
}

output "dead_letter_queue_arns" {
  description = "ARN of each subscriber's dead-letter queue, by subscriber (those that have one)."
  value       = { for name, q in aws_sqs_queue.subscriber_dlq : name => q.arn }
}

output "subscription_dead_letter_queue_urls" {
  description = "URL of the queue keeping what SNS could not deliver to each subscriber, by subscriber."
  value       = { for name, q in aws_sqs_queue.subscription_dlq : name => q.url }
}

output "function_names" {
  description = "Name of each worker function, by subscriber."
  value       = { for name, f in aws_lambda_function.worker : name => f.function_name }
}

output "function_arns" {
  description = "ARN of each worker function, by subscriber."
  value       = { for name, f in aws_lambda_function.worker : name => f.arn }
}

output "function_role_arns" {
  description = "ARN of each worker's IAM role, by subscriber."
  value       = { for name, r in aws_iam_role.worker : name => r.arn }
}
