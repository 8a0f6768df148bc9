output "public_ip" {
  description = "The Elastic IP address clients use."
  value       = one(concat(aws_eip.this[*].public_ip, data.aws_eip.existing[*].public_ip))
}

output "allocation_id" {
  description = "Allocation id of the Elastic IP."
  value       = local.allocation_id
}

output "component_tag" {
  description = "The tag (key and value) on the component's Elastic IP and instances."
  value       = { (local.component_tag) = var.component }
}

output "security_group_id" {
  description = "Id of the component's security group."
  value       = aws_security_group.this.id
}

output "instance_role_name" {
  description = "Name of the instances' IAM role, to grant them more access."
  value       = aws_iam_role.instance.name
}

output "instance_role_arn" {
  description = "ARN of the instances' IAM role."
  value       = aws_iam_role.instance.arn
}

output "instance_profile_name" {
  description = "Name of the instances' IAM instance profile."
  value       = aws_iam_instance_profile.instance.name
}

output "ami_id" {
  description = "The AMI the instances launch from."
  value       = local.ami_id
}

output "autoscaling_group_name" {
  description = "Name of the Auto Scaling group of one instance."
  value       = aws_autoscaling_group.this.name
}

output "autoscaling_group_arn" {
  description = "ARN of the Auto Scaling group."
  value       = aws_autoscaling_group.this.arn
}

output "launch_template_id" {
  description = "Id of the launch template."
  value       = aws_launch_template.this.id
}

output "launch_template_latest_version" {
  description = "Latest version of the launch template (the group's)."
  value       = aws_launch_template.this.latest_version
}

output "alarm_arns" {
  description = "ARNs of the component's alarms, by role."
  value = merge(
    { in_service = aws_cloudwatch_metric_alarm.in_service.arn },
  )
}
