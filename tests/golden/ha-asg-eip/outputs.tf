output "vpn_public_ip" {
  description = "vpn: the Elastic IP address clients use."
  value       = module.vpn.public_ip
}

output "vpn_allocation_id" {
  description = "vpn: allocation id of the Elastic IP."
  value       = module.vpn.allocation_id
}

output "vpn_autoscaling_group_name" {
  description = "vpn: name of the Auto Scaling group of one instance."
  value       = module.vpn.autoscaling_group_name
}

output "vpn_launch_template_id" {
  description = "vpn: id of the launch template."
  value       = module.vpn.launch_template_id
}

output "vpn_security_group_id" {
  description = "vpn: id of the component's security group."
  value       = module.vpn.security_group_id
}

output "vpn_instance_role_name" {
  description = "vpn: name of the instances' IAM role, to grant them more access."
  value       = module.vpn.instance_role_name
}
