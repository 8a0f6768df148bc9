output "emails_topic_arn" {
  description = "emails: ARN of the topic publishers send to."
  value       = module.emails.topic_arn
}

output "emails_function_name" {
  description = "emails: name of the worker function."
  value       = module.emails.function_name
}

output "emails_function_role_arn" {
  description = "emails: ARN of the worker's IAM role, to grant it more access."
  value       = module.emails.function_role_arn
}

output "emails_failure_target_arn" {
  description = "emails: ARN of the SQS queue receiving failed events."
  value       = module.emails.failure_target_arn
}
