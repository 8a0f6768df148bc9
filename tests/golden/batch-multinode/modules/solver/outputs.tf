output "job_queue" {
  description = "ARN of the job queue to submit to."
  value       = aws_batch_job_queue.this.arn
}

output "job_definition" {
  description = "ARN of the multi-node job definition (with its revision)."
  value       = aws_batch_job_definition.this.arn
}

output "compute_environment_arn" {
  description = "ARN of the compute environment."
  value       = aws_batch_compute_environment.this.arn
}

output "launch_template_id" {
  description = "ID of the instances' launch template."
  value       = aws_launch_template.this.id
}

output "placement_group_name" {
  description = "Name of the cluster placement group."
  value       = aws_placement_group.this.name
}

output "instance_role_arn" {
  description = "ARN of the container instances' IAM role, to grant the jobs more access."
  value       = aws_iam_role.instance.arn
}

output "log_group_name" {
  description = "Name of the log group of the job's containers."
  value       = aws_cloudwatch_log_group.job.name
}

output "vpc_id" {
  description = "ID of the new VPC (null with an existing network)."
  value       = one(aws_vpc.this[*].id)
}

output "subnet_ids" {
  description = "IDs of the compute environment's subnets."
  value       = local.subnet_ids
}

output "security_group_ids" {
  description = "IDs of the compute environment's security groups."
  value       = local.security_group_ids
}
