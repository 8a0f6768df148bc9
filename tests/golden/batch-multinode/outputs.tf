output "solver_job_queue" {
  description = "solver: ARN of the job queue to submit to."
  value       = module.solver.job_queue
}

output "solver_job_definition" {
  description = "solver: ARN of the multi-node job definition."
  value       = module.solver.job_definition
}

output "solver_compute_environment_arn" {
  description = "solver: ARN of the compute environment."
  value       = module.solver.compute_environment_arn
}

output "solver_log_group_name" {
  description = "solver: log group of the job's containers."
  value       = module.solver.log_group_name
}
