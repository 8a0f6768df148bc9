# edge-cache: caching layers in front of an application: CloudFront (ALB, API Gateway or S3 origin), API Gateway stage cache, ElastiCache
module "api" {
  source = "./modules/api"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  names = {
    policies         = "catalog-api-eu-west-1"
    access_log_group = "/aws/vendedlogs/cloudfront/catalog-api-eu-west-1"
    log_delivery     = "catalog-api-eu-west-1"
    alarm            = "catalog-api-eu-west-1-cloudfront-5xx"
  }
  origin = {
    kind        = "api"
    domain_name = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
    origin_path = "/prod"
  }
  distribution = {
    comment            = "catalog api"
    aliases            = ["api.example.com"]
    certificate_arn    = "arn:aws:acm:us-east-1:123456789012:certificate/2f0e6a8c-5b7d-4e21-9c3a-0d1e2f3a4b5c"
    certificate_domain = "api.example.com"
  }
  cache_policy = {
    default_ttl           = 0
    max_ttl               = 3600
    headers               = ["Accept-Language"]
    query_string_behavior = "whitelist"
    query_strings         = ["page", "q"]
  }
  distribution_alarm_actions = ["arn:aws:sns:us-east-1:123456789012:edge-oncall"]
  api_cache = {
    rest_api_id        = "a1b2c3d4e5"
    stage_name         = "prod"
    cache_cluster_size = "0.5"
  }
  data_cache = {
    replication_group_id      = "catalog-api"
    description               = "Data cache of catalog api"
    engine                    = "valkey"
    engine_version            = "8.0"
    vpc_id                    = "vpc-0a1b2c3d4e5f60718"
    subnet_ids                = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
    client_security_group_ids = ["sg-0a1b2c3d4e5f60718"]
    user_name                 = "catalog-api-app"
    default_user_id           = "catalog-api-default"
    security_group_name       = "catalog-api-cache"
    log_group_name            = "/aws/elasticache/catalog-api/slow-log"
  }
  alarm_actions = [aws_sns_topic.alarms.arn]
}

# edge-cache: caching layers in front of an application: CloudFront (ALB, API Gateway or S3 origin), API Gateway stage cache, ElastiCache
module "assets" {
  source = "./modules/assets"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  names = {
    policies              = "catalog-assets-eu-west-1"
    access_log_group      = "/aws/vendedlogs/cloudfront/catalog-assets-eu-west-1"
    log_delivery          = "catalog-assets-eu-west-1"
    alarm                 = "catalog-assets-eu-west-1-cloudfront-5xx"
    origin_access_control = "catalog-assets-eu-west-1"
  }
  origin = {
    kind        = "s3"
    domain_name = "catalog-assets.s3.eu-west-1.amazonaws.com"
    bucket      = "catalog-assets"
  }
  distribution = {
    comment             = "catalog assets"
    aliases             = ["static.example.com"]
    certificate_arn     = "arn:aws:acm:us-east-1:123456789012:certificate/7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
    certificate_domain  = "static.example.com"
    price_class         = "PriceClass_100"
    default_root_object = "index.html"
  }
  cache_policy = {
    default_ttl = 86400
    max_ttl     = 2592000
  }
  distribution_alarm_actions = ["arn:aws:sns:us-east-1:123456789012:edge-oncall"]
}
