output "sftp_public_ip" {
  description = "sftp: the Elastic IP address clients use."
  value       = module.sftp.public_ip
}

output "sftp_allocation_id" {
  description = "sftp: allocation id of the Elastic IP."
  value       = module.sftp.allocation_id
}

output "sftp_primary_instance_id" {
  description = "sftp: id of the primary instance."
  value       = module.sftp.primary_instance_id
}

output "sftp_standby_instance_id" {
  description = "sftp: id of the standby instance."
  value       = module.sftp.standby_instance_id
}

output "sftp_status_alarm_arn" {
  description = "sftp: ARN of the alarm on the primary's status checks (its ALARM state fails over)."
  value       = module.sftp.status_alarm_arn
}

output "sftp_failover_function_name" {
  description = "sftp: name of the failover function."
  value       = module.sftp.failover_function_name
}

output "sftp_security_group_id" {
  description = "sftp: id of the component's security group."
  value       = module.sftp.security_group_id
}

output "sftp_instance_role_name" {
  description = "sftp: name of the instances' IAM role, to grant them more access."
  value       = module.sftp.instance_role_name
}
