output "api_distribution_id" {
  description = "api: id of the CloudFront distribution."
  value       = module.api.distribution_id
}

output "api_distribution_domain_name" {
  description = "api: domain name of the distribution (point the aliases' DNS records at it)."
  value       = module.api.distribution_domain_name
}

output "api_distribution_hosted_zone_id" {
  description = "api: Route 53 hosted zone id for alias records to the distribution."
  value       = module.api.distribution_hosted_zone_id
}

output "api_api_cache_settings" {
  description = "api: the stage cache settings archgen manages and the cache cluster size to enable."
  value       = module.api.api_cache_settings
}

output "api_data_cache_primary_endpoint" {
  description = "api: primary endpoint of the ElastiCache replication group (TLS)."
  value       = module.api.data_cache_primary_endpoint
}

output "api_data_cache_reader_endpoint" {
  description = "api: reader endpoint of the replication group (TLS)."
  value       = module.api.data_cache_reader_endpoint
}

output "api_data_cache_user_name" {
  description = "api: the IAM-authenticated user clients connect as."
  value       = module.api.data_cache_user_name
}

output "api_data_cache_connect_policy_json" {
  description = "api: IAM policy a client role needs to connect (elasticache:Connect)."
  value       = module.api.data_cache_connect_policy_json
}

output "api_data_cache_security_group_id" {
  description = "api: security group of the cache."
  value       = module.api.data_cache_security_group_id
}

output "assets_distribution_id" {
  description = "assets: id of the CloudFront distribution."
  value       = module.assets.distribution_id
}

output "assets_distribution_domain_name" {
  description = "assets: domain name of the distribution (point the aliases' DNS records at it)."
  value       = module.assets.distribution_domain_name
}

output "assets_distribution_hosted_zone_id" {
  description = "assets: Route 53 hosted zone id for alias records to the distribution."
  value       = module.assets.distribution_hosted_zone_id
}

output "assets_origin_bucket_policy_json" {
  description = "assets: bucket policy statement that lets the distribution read the origin bucket."
  value       = module.assets.origin_bucket_policy_json
}

output "alarm_topic_arn" {
  description = "ARN of the topic every alarm notifies; its e-mail subscriptions wait for confirmation."
  value       = aws_sns_topic.alarms.arn
}
