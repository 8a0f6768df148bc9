output "queue_url" {
  description = "URL of the queue producers send to."
  value       = aws_sqs_queue.this.url
}

output "queue_arn" {
  description = "ARN of the queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_name" {
  description = "Name of the queue."
  value       = aws_sqs_queue.this.name
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue, to inspect and redrive failed messages (null without one)."
  value       = one(aws_sqs_queue.this_dlq[*].url)
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue (null without one)."
  value       = one(aws_sqs_queue.this_dlq[*].arn)
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue (null without one)."
  value       = one(aws_sqs_queue.this_dlq[*].name)
}

output "function_name" {
  description = "Name of the worker function."
  value       = aws_lambda_function.worker.function_name
}

output "function_arn" {
  description = "ARN of the worker function."
  value       = aws_lambda_function.worker.arn
}

output "function_role_name" {
  description = "Name of the worker's IAM role."
  value       = aws_iam_role.worker.name
}

output "function_role_arn" {
  description = "ARN of the worker's IAM role, to grant it more access."
  value       = aws_iam_role.worker.arn
}

output "log_group_name" {
  description = "Name of the worker's log group."
  value       = aws_cloudwatch_log_group.worker.name
}
