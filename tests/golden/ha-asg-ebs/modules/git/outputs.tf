output "public_ip" {
  description = "The Elastic IP address clients use."
  value       = one(concat(aws_eip.this[*].public_ip, data.aws_eip.existing[*].public_ip))
}

output "allocation_id" {
  description = "Allocation id of the Elastic IP."
  value       = local.allocation_id
}

output "component_tag" {
  description = "The tag (key and value) on the component's Elastic IP and instances, data volume and snapshots."
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

output "lifecycle_function_name" {
  description = "Name of the function that snapshots, restores and attaches the data volume."
  value       = aws_lambda_function.lifecycle.function_name
}

output "lifecycle_function_arn" {
  description = "ARN of the lifecycle function."
  value       = aws_lambda_function.lifecycle.arn
}

output "lifecycle_function_role_arn" {
  description = "ARN of the lifecycle function's IAM role."
  value       = aws_iam_role.lifecycle.arn
}

output "lifecycle_log_group_name" {
  description = "Name of the lifecycle function's log group."
  value       = aws_cloudwatch_log_group.lifecycle.name
}

output "lifecycle_hook_names" {
  description = "Names of the group's lifecycle hooks, by transition."
  value       = { for k, h in aws_autoscaling_lifecycle_hook.this : k => h.name }
}

output "lifecycle_rule_arns" {
  description = "ARNs of the EventBridge rules on the lifecycle actions, by transition."
  value       = { for k, r in aws_cloudwatch_event_rule.lifecycle : k => r.arn }
}

output "data_volume" {
  description = "The data volume's device, mount point and the tag that finds it and its snapshots."
  value = {
    device_name = var.data_volume.device_name
    mount_point = var.data_volume.mount_point
    tag         = { (local.component_tag) = var.component }
  }
}

output "alarm_arns" {
  description = "ARNs of the component's alarms, by role."
  value = merge(
    { in_service = aws_cloudwatch_metric_alarm.in_service.arn },
    {
      lifecycle_errors   = aws_cloudwatch_metric_alarm.lifecycle_errors.arn
      lifecycle_failures = aws_cloudwatch_metric_alarm.lifecycle_failures.arn
    },
    { for k, a in aws_cloudwatch_metric_alarm.lifecycle_delivery : "${k}_delivery" => a.arn },
  )
}
