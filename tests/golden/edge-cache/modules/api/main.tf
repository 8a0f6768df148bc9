# CloudFront is global; what belongs to it outside the distribution (access logs, the alarm
# on its metrics, the check of the viewer certificate) lives in us-east-1: aws.us_east_1.
data "aws_partition" "current" {}

locals {
  s3_origin = var.origin.kind == "s3"
  origin_id = "origin"
}

resource "aws_cloudfront_cache_policy" "this" {
  name        = var.names.policies
  comment     = "Cache key and TTLs of ${var.distribution.comment}"
  min_ttl     = 0
  default_ttl = var.cache_policy.default_ttl
  max_ttl     = var.cache_policy.max_ttl

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = var.cache_policy.max_ttl > 0
    enable_accept_encoding_brotli = var.cache_policy.max_ttl > 0

    headers_config {
      header_behavior = length(var.cache_policy.headers) > 0 ? "whitelist" : "none"

      dynamic "headers" {
        for_each = length(var.cache_policy.headers) > 0 ? [var.cache_policy.headers] : []

        content {
          items = headers.value
        }
      }
    }

    query_strings_config {
      query_string_behavior = var.cache_policy.query_string_behavior

      dynamic "query_strings" {
        for_each = var.cache_policy.query_string_behavior == "whitelist" ? [var.cache_policy.query_strings] : []

        content {
          items = query_strings.value
        }
      }
    }

    cookies_config {
      cookie_behavior = var.cache_policy.cookie_behavior

      dynamic "cookies" {
        for_each = var.cache_policy.cookie_behavior == "whitelist" ? [var.cache_policy.cookies] : []

        content {
          items = cookies.value
        }
      }
    }
  }
}

# What reaches the origin beyond the cache key: an application gets the viewer's headers (its
# own Host, unless the ALB answers for the aliases), cookies and query strings; S3 the CORS headers.
resource "aws_cloudfront_origin_request_policy" "this" {
  name    = var.names.policies
  comment = "Origin requests of ${var.distribution.comment}"

  headers_config {
    header_behavior = local.s3_origin ? "whitelist" : var.origin.forward_host_header ? "allViewer" : "allExcept"

    dynamic "headers" {
      for_each = local.s3_origin ? [["Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method"]] : var.origin.forward_host_header ? [] : [["Host"]]

      content {
        items = headers.value
      }
    }
  }

  cookies_config {
    cookie_behavior = local.s3_origin ? "none" : "all"
  }

  query_strings_config {
    query_string_behavior = local.s3_origin ? "none" : "all"
  }
}

resource "aws_cloudfront_response_headers_policy" "this" {
  name    = var.names.policies
  comment = "Security headers of ${var.distribution.comment}"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }

    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
  }
}

# The viewer certificate is an ISSUED ACM certificate in us-east-1, looked up there.
data "aws_acm_certificate" "viewer" {
  count    = var.distribution.certificate_arn == null ? 0 : 1
  provider = aws.us_east_1

  domain      = var.distribution.certificate_domain
  statuses    = ["ISSUED"]
  most_recent = true

  lifecycle {
    postcondition {
      condition     = split(":", self.arn)[3] == "us-east-1"
      error_message = "CloudFront takes ACM certificates from us-east-1 only."
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_174:viewers are held to TLSv1.2_2021 with the certificate of cdn.certificate_arn; the default CloudFront certificate, used without one, cannot enforce a minimum (archgen warns, AG525)
  #checkov:skip=CKV2_AWS_42:the certificate is cdn.certificate_arn when the blueprint gives aliases; without them the distribution answers on its cloudfront.net name with the default certificate (archgen warns, AG525)
  #checkov:skip=CKV_AWS_68:the web ACL is var.web_acl_arn: an ip-blocklist component of the blueprint attaches its CLOUDFRONT web ACL here
  #checkov:skip=CKV2_AWS_47:the web ACL, with the Log4j and anonymous-IP rule groups by default, comes from an ip-blocklist component through var.web_acl_arn
  #checkov:skip=CKV_AWS_310:the distribution has the one origin of the blueprint; failover would need a second origin
  #checkov:skip=CKV_AWS_374:no country is restricted: who may reach the application is the owner's decision, not a security default
  #checkov:skip=CKV_AWS_86:access logs go to CloudWatch Logs through standard logging v2 (aws_cloudwatch_log_delivery below), not the legacy S3 logging_config
  #checkov:skip=CKV_AWS_305:a default root object (index.html) is set for S3 origins; an application origin answers / itself
  enabled             = true
  comment             = var.distribution.comment
  aliases             = var.distribution.aliases
  price_class         = var.distribution.price_class
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  default_root_object = var.distribution.default_root_object
  web_acl_id          = var.web_acl_arn

  origin {
    origin_id                = local.origin_id
    domain_name              = var.origin.domain_name
    origin_path              = var.origin.origin_path
    origin_access_control_id = null

    dynamic "custom_origin_config" {
      for_each = local.s3_origin ? [] : [var.origin.domain_name]

      content {
        http_port              = 80
        https_port             = 443
        origin_protocol_policy = "https-only"
        origin_ssl_protocols   = ["TLSv1.2"]
      }
    }
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = local.s3_origin ? ["GET", "HEAD", "OPTIONS"] : ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.this.id
    origin_request_policy_id   = aws_cloudfront_origin_request_policy.this.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.distribution.certificate_arn == null
    acm_certificate_arn            = var.distribution.certificate_arn
    ssl_support_method             = var.distribution.certificate_arn == null ? null : "sni-only"
    minimum_protocol_version       = var.distribution.certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"
  }

  depends_on = [data.aws_acm_certificate.viewer]
}

# Access logs (standard logging v2) to CloudWatch Logs, in us-east-1 with the distribution's metrics.
resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest; access logs hold request metadata, no bodies
  provider = aws.us_east_1

  name              = var.names.access_log_group
  retention_in_days = var.access_log_retention_in_days
}

resource "aws_cloudwatch_log_delivery_source" "access" {
  provider = aws.us_east_1

  name         = var.names.log_delivery
  log_type     = "ACCESS_LOGS"
  resource_arn = aws_cloudfront_distribution.this.arn
}

resource "aws_cloudwatch_log_delivery_destination" "access" {
  provider = aws.us_east_1

  name          = var.names.log_delivery
  output_format = "json"

  delivery_destination_configuration {
    destination_resource_arn = aws_cloudwatch_log_group.access.arn
  }
}

resource "aws_cloudwatch_log_delivery" "access" {
  provider = aws.us_east_1

  delivery_source_name     = aws_cloudwatch_log_delivery_source.access.name
  delivery_destination_arn = aws_cloudwatch_log_delivery_destination.access.arn
}

# The origin failing shows only as errors served to viewers: alarm on the 5xx error rate.
resource "aws_cloudwatch_metric_alarm" "distribution_5xx" {
  provider = aws.us_east_1

  alarm_name          = var.names.alarm
  alarm_description   = "More than 5% of the responses of ${var.distribution.comment} are 5xx errors: check the origin."
  namespace           = "AWS/CloudFront"
  metric_name         = "5xxErrorRate"
  dimensions          = { DistributionId = aws_cloudfront_distribution.this.id, Region = "Global" }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 5
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.distribution_alarm_actions
  ok_actions          = var.distribution_alarm_actions
}

# The stage's default method settings ("*/*"): caching on, encrypted, and a client may invalidate
# an entry (Cache-Control: max-age=0) only with execute-api:InvalidateCache (others get 403).
resource "aws_api_gateway_method_settings" "cache" {
  count = var.api_cache == null ? 0 : 1

  rest_api_id = var.api_cache.rest_api_id
  stage_name  = var.api_cache.stage_name
  method_path = "*/*"

  settings {
    caching_enabled                            = true
    cache_ttl_in_seconds                       = var.api_cache.ttl_in_seconds
    cache_data_encrypted                       = true
    require_authorization_for_cache_control    = true
    unauthorized_cache_control_header_strategy = "FAIL_WITH_403"
    data_trace_enabled                         = false
  }
}

resource "aws_elasticache_subnet_group" "this" {
  count = var.data_cache == null ? 0 : 1

  name        = var.data_cache.replication_group_id
  description = "Subnets of ${var.data_cache.description}"
  subnet_ids  = var.data_cache.subnet_ids
}

resource "aws_security_group" "cache" {
  count = var.data_cache == null ? 0 : 1

  name        = var.data_cache.security_group_name
  description = "Reaches ${var.data_cache.description} from its clients"
  vpc_id      = var.data_cache.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = var.data_cache == null ? toset([]) : toset(var.data_cache.client_security_group_ids)

  security_group_id            = aws_security_group.cache[0].id
  description                  = "Clients of the cache, over TLS"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = var.data_cache.port
  to_port                      = var.data_cache.port
}

# Authentication is IAM: a client signs a short-lived token with its own credentials. The
# default user every user group needs is switched off.
resource "aws_elasticache_user" "default" {
  count = var.data_cache == null ? 0 : 1

  user_id       = var.data_cache.default_user_id
  user_name     = "default"
  engine        = var.data_cache.engine
  access_string = "off -@all"

  authentication_mode {
    type = "no-password-required"
  }
}

resource "aws_elasticache_user" "app" {
  count = var.data_cache == null ? 0 : 1

  user_id       = var.data_cache.user_name
  user_name     = var.data_cache.user_name
  engine        = var.data_cache.engine
  access_string = var.data_cache.access_string

  authentication_mode {
    type = "iam"
  }
}

resource "aws_elasticache_user_group" "this" {
  count = var.data_cache == null ? 0 : 1

  user_group_id = var.data_cache.replication_group_id
  engine        = var.data_cache.engine
  user_ids      = [aws_elasticache_user.default[0].user_id, aws_elasticache_user.app[0].user_id]
}

resource "aws_cloudwatch_log_group" "cache" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest; the slow log holds command names and timings
  count = var.data_cache == null ? 0 : 1

  name              = var.data_cache.log_group_name
  retention_in_days = var.data_cache.log_retention_in_days
}

resource "aws_elasticache_replication_group" "this" {
  #checkov:skip=CKV_AWS_31:clients authenticate with IAM through the user group (user_group_ids): there is no shared auth token to set
  #checkov:skip=CKV_AWS_191:at rest encryption uses the AWS owned key unless the blueprint gives data_cache.kms_key, then kms_key_id
  count = var.data_cache == null ? 0 : 1

  replication_group_id       = var.data_cache.replication_group_id
  description                = var.data_cache.description
  engine                     = var.data_cache.engine
  engine_version             = var.data_cache.engine_version
  node_type                  = var.data_cache.node_type
  port                       = var.data_cache.port
  num_cache_clusters         = 1 + var.data_cache.replicas
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.this[0].name
  security_group_ids         = [aws_security_group.cache[0].id]
  at_rest_encryption_enabled = true
  kms_key_id                 = var.data_cache.kms_key_arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  user_group_ids             = [aws_elasticache_user_group.this[0].user_group_id]
  snapshot_retention_limit   = var.data_cache.snapshot_retention_limit
  auto_minor_version_upgrade = true

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.cache[0].name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}

# A full cache evicts keys without a word: alarm on memory and CPU of every node.
locals {
  cache_nodes = var.data_cache == null ? toset([]) : toset([for i in range(1 + var.data_cache.replicas) : format("%s-%03d", var.data_cache.replication_group_id, i + 1)])
}

resource "aws_cloudwatch_metric_alarm" "cache_memory" {
  for_each = local.cache_nodes

  alarm_name          = "${each.value}-memory"
  alarm_description   = "The cache node ${each.value} uses more than 90% of its memory: it evicts keys. Scale the node type."
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  dimensions          = { CacheClusterId = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = 90
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  depends_on = [aws_elasticache_replication_group.this]
}

resource "aws_cloudwatch_metric_alarm" "cache_cpu" {
  for_each = local.cache_nodes

  alarm_name          = "${each.value}-engine-cpu"
  alarm_description   = "The engine thread of the cache node ${each.value} is busier than 90%: commands queue up."
  namespace           = "AWS/ElastiCache"
  metric_name         = "EngineCPUUtilization"
  dimensions          = { CacheClusterId = each.value }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 90
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  depends_on = [aws_elasticache_replication_group.this]
}

# What a client role needs to connect as the application user.
data "aws_iam_policy_document" "connect" {
  count = var.data_cache == null ? 0 : 1

  statement {
    sid       = "ConnectAsApplicationUser"
    actions   = ["elasticache:Connect"]
    resources = [aws_elasticache_replication_group.this[0].arn, aws_elasticache_user.app[0].arn]
  }
}
