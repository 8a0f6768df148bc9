output "distribution_id" {
  description = "Id of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "Domain name of the distribution: point the aliases' DNS records at it."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_hosted_zone_id" {
  description = "Route 53 hosted zone id for alias records pointing at the distribution."
  value       = aws_cloudfront_distribution.this.hosted_zone_id
}

output "cache_policy_id" {
  description = "Id of the distribution's cache policy."
  value       = aws_cloudfront_cache_policy.this.id
}

output "origin_request_policy_id" {
  description = "Id of the distribution's origin request policy."
  value       = aws_cloudfront_origin_request_policy.this.id
}

output "response_headers_policy_id" {
  description = "Id of the distribution's response headers policy (security headers)."
  value       = aws_cloudfront_response_headers_policy.this.id
}

output "access_log_group_name" {
  description = "Name of the log group (us-east-1) with the distribution's access logs."
  value       = aws_cloudwatch_log_group.access.name
}

output "alarm_name" {
  description = "Name of the distribution's 5xx error-rate alarm (us-east-1)."
  value       = aws_cloudwatch_metric_alarm.distribution_5xx.alarm_name
}

output "api_cache_settings" {
  description = "The API Gateway stage cache: the stage, its TTL, and the cache cluster size to enable on the stage."
  value       = var.api_cache
}

output "data_cache_replication_group_id" {
  description = "Id of the ElastiCache replication group."
  value       = one(aws_elasticache_replication_group.this[*].id)
}

output "data_cache_arn" {
  description = "ARN of the ElastiCache replication group."
  value       = one(aws_elasticache_replication_group.this[*].arn)
}

output "data_cache_primary_endpoint" {
  description = "Primary endpoint of the replication group (TLS required)."
  value       = one(aws_elasticache_replication_group.this[*].primary_endpoint_address)
}

output "data_cache_reader_endpoint" {
  description = "Reader endpoint of the replication group (TLS required)."
  value       = one(aws_elasticache_replication_group.this[*].reader_endpoint_address)
}

output "data_cache_port" {
  description = "Port of the replication group."
  value       = var.data_cache == null ? null : var.data_cache.port
}

output "data_cache_user_name" {
  description = "The user clients connect as, with an IAM authentication token as password."
  value       = one(aws_elasticache_user.app[*].user_name)
}

output "data_cache_connect_policy_json" {
  description = "IAM policy (JSON) a client role needs to connect as that user (elasticache:Connect)."
  value       = one(data.aws_iam_policy_document.connect[*].json)
}

output "data_cache_security_group_id" {
  description = "Id of the cache's security group."
  value       = one(aws_security_group.cache[*].id)
}

output "data_cache_log_group_name" {
  description = "Name of the log group with the cache's slow log."
  value       = one(aws_cloudwatch_log_group.cache[*].name)
}
