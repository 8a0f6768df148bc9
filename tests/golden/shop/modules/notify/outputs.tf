output "topic_arn" {
  description = "ARN of the topic publishers send to."
  value       = aws_sns_topic.this.arn
}

output "topic_name" {
  description = "Name of the topic."
  value       = aws_sns_topic.this.name
}

output "subscription_dead_letter_queue_url" {
  description = "URL of the queue keeping events SNS could not deliver to the function."
  value       = aws_sqs_queue.subscription_dlq.url
}

output "subscription_dead_letter_queue_arn" {
  description = "ARN of the queue keeping events SNS could not deliver to the function."
  value       = aws_sqs_queue.subscription_dlq.arn
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

output "failure_target_arn" {
  description = "ARN of the queue or topic receiving events that failed every retry (null when they are discarded)."
  value       = local.failure_target
}

output "failure_queue_url" {
  description = "URL of the failure queue (null unless on_failure.kind is queue)."
  value       = one(aws_sqs_queue.failures[*].url)
}
