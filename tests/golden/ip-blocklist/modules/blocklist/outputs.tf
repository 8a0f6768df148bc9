output "blocked_cidrs" {
  description = "The blocked CIDR blocks, by address family."
  value       = var.blocked_cidrs
}

output "network_acl_rule_numbers" {
  description = "Rule numbers of the deny entries, by network ACL key, direction and CIDR block."
  value = {
    for key, acl in var.network_acls : key => {
      for direction in(acl.egress ? ["ingress", "egress"] : ["ingress"]) : direction => {
        for entry in values(aws_network_acl_rule.deny) : entry.cidr_block != null ? entry.cidr_block : entry.ipv6_cidr_block => entry.rule_number
        if entry.network_acl_id == acl.network_acl_id && entry.egress == (direction == "egress")
      }
    }
  }
}

output "regional_web_acl_arn" {
  description = "ARN of the REGIONAL web ACL on the load balancers."
  value       = aws_wafv2_web_acl.regional[0].arn
}

output "regional_web_acl_id" {
  description = "Id of the REGIONAL web ACL."
  value       = aws_wafv2_web_acl.regional[0].id
}

output "regional_web_acl_name" {
  description = "Name of the REGIONAL web ACL."
  value       = aws_wafv2_web_acl.regional[0].name
}

output "regional_ip_set_arns" {
  description = "ARNs of the REGIONAL IP sets, by address family."
  value       = { for family, set in aws_wafv2_ip_set.regional : family => set.arn }
}

output "regional_log_group_name" {
  description = "Name of the log group with the REGIONAL web ACL's logs."
  value       = aws_cloudwatch_log_group.regional[0].name
}
