output "queue_url" {
  description = "URL of the queue producers send to."
  value       = aws_sqs_queue.worker.id
}

output "queue_arn" {
  description = "ARN of the queue."
  value       = aws_sqs_queue.worker.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue, to inspect and redrive failed messages."
  value       = aws_sqs_queue.worker_dlq.id
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue, for alarms."
  value       = aws_sqs_queue.worker_dlq.arn
}

output "function_name" {
  description = "Name of the worker function."
  value       = aws_lambda_function.worker.function_name
}

output "function_role_arn" {
  description = "ARN of the worker's IAM role, to grant it more access."
  value       = aws_iam_role.worker.arn
}
