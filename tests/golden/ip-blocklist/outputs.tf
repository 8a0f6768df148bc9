output "blocklist_network_acl_rule_numbers" {
  description = "blocklist: rule numbers of the deny entries, by network ACL, direction and CIDR block."
  value       = module.blocklist.network_acl_rule_numbers
}

output "blocklist_regional_web_acl_arn" {
  description = "blocklist: ARN of the REGIONAL web ACL on the load balancers."
  value       = module.blocklist.regional_web_acl_arn
}

output "blocklist_regional_log_group_name" {
  description = "blocklist: log group of the REGIONAL web ACL's logs."
  value       = module.blocklist.regional_log_group_name
}
