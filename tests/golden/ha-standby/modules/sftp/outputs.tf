output "public_ip" {
  description = "The Elastic IP address clients use."
  value       = aws_eip.this.public_ip
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

output "primary_instance_id" {
  description = "Id of the primary instance."
  value       = aws_instance.this["primary"].id
}

output "standby_instance_id" {
  description = "Id of the standby instance."
  value       = aws_instance.this["standby"].id
}

output "primary_private_ip" {
  description = "Private IPv4 address of the primary instance."
  value       = aws_instance.this["primary"].private_ip
}

output "standby_private_ip" {
  description = "Private IPv4 address of the standby instance."
  value       = aws_instance.this["standby"].private_ip
}

output "status_alarm_arn" {
  description = "ARN of the alarm on the primary's status checks: its ALARM state fails over."
  value       = aws_cloudwatch_metric_alarm.primary_status.arn
}

output "failover_rule_arn" {
  description = "ARN of the EventBridge rule that invokes the failover function."
  value       = aws_cloudwatch_event_rule.failover.arn
}

output "failover_function_name" {
  description = "Name of the failover function."
  value       = aws_lambda_function.failover.function_name
}

output "failover_function_arn" {
  description = "ARN of the failover function."
  value       = aws_lambda_function.failover.arn
}

output "failover_function_role_arn" {
  description = "ARN of the failover function's IAM role."
  value       = aws_iam_role.failover.arn
}

output "failover_log_group_name" {
  description = "Name of the failover function's log group."
  value       = aws_cloudwatch_log_group.failover.name
}

output "alarm_arns" {
  description = "ARNs of the component's alarms, by role."
  value = {
    primary_status    = aws_cloudwatch_metric_alarm.primary_status.arn
    standby_status    = aws_cloudwatch_metric_alarm.standby_status.arn
    failover_errors   = aws_cloudwatch_metric_alarm.failover_errors.arn
    failover_delivery = aws_cloudwatch_metric_alarm.failover_delivery.arn
  }
}
