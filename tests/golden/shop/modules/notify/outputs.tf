output "topic_arn" {
  description = "ARN of the topic publishers send to."
  value       = aws_sns_topic.topic.arn
}

output "function_name" {
  description = "Name of the worker function."
  value       = aws_lambda_function.worker.function_name
}

output "function_role_arn" {
  description = "ARN of the worker's IAM role, to grant it more access."
  value       = aws_iam_role.worker.arn
}

output "failure_target_arn" {
  description = "ARN of where failed events go."
  value       = aws_sns_topic.failures.arn
}
