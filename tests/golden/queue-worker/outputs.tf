output "intake_queue_url" {
  description = "intake: URL of the queue producers send to."
  value       = module.intake.queue_url
}

output "intake_queue_arn" {
  description = "intake: ARN of the queue."
  value       = module.intake.queue_arn
}

output "intake_dead_letter_queue_url" {
  description = "intake: URL of the dead-letter queue, to inspect and redrive failed messages."
  value       = module.intake.dead_letter_queue_url
}

output "intake_function_name" {
  description = "intake: name of the worker function."
  value       = module.intake.function_name
}

output "intake_function_role_arn" {
  description = "intake: ARN of the worker's IAM role, to grant it more access."
  value       = module.intake.function_role_arn
}
