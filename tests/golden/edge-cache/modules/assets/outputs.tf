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

output "origin_access_control_id" {
  description = "Id of the origin access control that signs requests to the S3 origin."
  value       = one(aws_cloudfront_origin_access_control.this[*].id)
}

output "origin_bucket_policy_json" {
  description = "Bucket policy (JSON) that lets this distribution, and nothing else, read the origin bucket."
  value       = one(data.aws_iam_policy_document.origin_bucket[*].json)
}
