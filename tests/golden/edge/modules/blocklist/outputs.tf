output "blocked_cidrs" {
  description = "The blocked CIDR blocks, by address family."
  value       = var.blocked_cidrs
}

output "cloudfront_web_acl_arn" {
  description = "ARN of the CLOUDFRONT web ACL (us-east-1): the value of a distribution's web_acl_id."
  value       = aws_wafv2_web_acl.cloudfront[0].arn
}

output "cloudfront_web_acl_id" {
  description = "Id of the CLOUDFRONT web ACL."
  value       = aws_wafv2_web_acl.cloudfront[0].id
}

output "cloudfront_web_acl_name" {
  description = "Name of the CLOUDFRONT web ACL."
  value       = aws_wafv2_web_acl.cloudfront[0].name
}

output "cloudfront_ip_set_arns" {
  description = "ARNs of the CLOUDFRONT IP sets (us-east-1), by address family."
  value       = { for family, set in aws_wafv2_ip_set.cloudfront : family => set.arn }
}

output "cloudfront_log_group_name" {
  description = "Name of the log group (us-east-1) with the CLOUDFRONT web ACL's logs."
  value       = aws_cloudwatch_log_group.cloudfront[0].name
}
