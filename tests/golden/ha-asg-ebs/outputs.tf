output "git_public_ip" {
  description = "git: the Elastic IP address clients use."
  value       = module.git.public_ip
}

output "git_allocation_id" {
  description = "git: allocation id of the Elastic IP."
  value       = module.git.allocation_id
}

output "git_autoscaling_group_name" {
  description = "git: name of the Auto Scaling group of one instance."
  value       = module.git.autoscaling_group_name
}

output "git_launch_template_id" {
  description = "git: id of the launch template."
  value       = module.git.launch_template_id
}

output "git_lifecycle_function_name" {
  description = "git: name of the function that snapshots, restores and attaches the data volume."
  value       = module.git.lifecycle_function_name
}

output "git_security_group_id" {
  description = "git: id of the component's security group."
  value       = module.git.security_group_id
}

output "git_instance_role_name" {
  description = "git: name of the instances' IAM role, to grant them more access."
  value       = module.git.instance_role_name
}

output "alarm_topic_arn" {
  description = "ARN of the topic every alarm notifies; its e-mail subscriptions wait for confirmation."
  value       = aws_sns_topic.alarms.arn
}
