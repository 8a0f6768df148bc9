# edge-cache: caching layers in front of an application: CloudFront (ALB, API Gateway or S3 origin), API Gateway stage cache, ElastiCache
module "web" {
  source = "./modules/web"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  names = {
    policies         = "storefront-web-eu-central-1"
    access_log_group = "/aws/vendedlogs/cloudfront/storefront-web-eu-central-1"
    log_delivery     = "storefront-web-eu-central-1"
    alarm            = "storefront-web-eu-central-1-cloudfront-5xx"
  }
  origin = {
    kind                = "alb"
    domain_name         = "shop-web-1234567890.eu-central-1.elb.amazonaws.com"
    forward_host_header = true
  }
  distribution = {
    comment            = "storefront web"
    aliases            = ["shop.example.com", "www.shop.example.com"]
    certificate_arn    = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-4697-8a8b-9c0d1e2f3a4b"
    certificate_domain = "shop.example.com"
  }
  cache_policy = {
    default_ttl           = 0
    max_ttl               = 31536000
    query_string_behavior = "all"
    cookie_behavior       = "whitelist"
    cookies               = ["locale"]
  }
  distribution_alarm_actions = ["arn:aws:sns:us-east-1:123456789012:web-oncall"]
  web_acl_arn                = module.blocklist.cloudfront_web_acl_arn
}

# ip-blocklist: deny listed addresses where they can be seen: network ACL entries, WAF on ALBs, WAF on CloudFront (us-east-1)
module "blocklist" {
  source = "./modules/blocklist"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  blocked_cidrs = {
    ipv4 = ["198.51.100.0/24", "203.0.113.7/32"]
    ipv6 = ["2001:db8:bad::/48"]
  }
  cloudfront_web_acl = {
    name        = "storefront-blocklist-cloudfront-eu-central-1"
    description = "Blocks the addresses of the blueprint storefront, component blocklist, at CloudFront"
    ip_set_names = {
      ipv4 = "storefront-blocklist-cloudfront-eu-central-1-ipv4"
      ipv6 = "storefront-blocklist-cloudfront-eu-central-1-ipv6"
    }
    log_group_name = "aws-waf-logs-storefront-blocklist-cloudfront-eu-central-1"
  }
  rate_limit = {
    limit                 = 2000
    evaluation_window_sec = 300
  }
}
