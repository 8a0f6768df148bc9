output "web_distribution_id" {
  description = "web: id of the CloudFront distribution."
  value       = module.web.distribution_id
}

output "web_distribution_domain_name" {
  description = "web: domain name of the distribution (point the aliases' DNS records at it)."
  value       = module.web.distribution_domain_name
}

output "web_distribution_hosted_zone_id" {
  description = "web: Route 53 hosted zone id for alias records to the distribution."
  value       = module.web.distribution_hosted_zone_id
}

output "blocklist_cloudfront_web_acl_arn" {
  description = "blocklist: ARN of the CLOUDFRONT web ACL (us-east-1), the value of a distribution's web_acl_id."
  value       = module.blocklist.cloudfront_web_acl_arn
}

output "blocklist_cloudfront_log_group_name" {
  description = "blocklist: log group (us-east-1) of the CLOUDFRONT web ACL's logs."
  value       = module.blocklist.cloudfront_log_group_name
}
