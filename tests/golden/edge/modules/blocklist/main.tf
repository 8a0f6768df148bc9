# CLOUDFRONT scope: AWS WAF takes these in us-east-1 only, whatever the blueprint's Region.
# A distribution attaches the web ACL through its web_acl_id (output cloudfront_web_acl_arn).
resource "aws_wafv2_ip_set" "cloudfront" {
  for_each = var.cloudfront_web_acl == null ? {} : { for family, cidrs in var.blocked_cidrs : family => cidrs if length(cidrs) > 0 }
  provider = aws.us_east_1

  name               = var.cloudfront_web_acl.ip_set_names[each.key]
  description        = "Addresses this blueprint blocks, ${upper(each.key)}"
  scope              = "CLOUDFRONT"
  ip_address_version = upper(each.key)
  addresses          = each.value
}

# AWS WAF logs only to log groups named aws-waf-logs-..., in the web ACL's own Region.
resource "aws_cloudwatch_log_group" "cloudfront" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest; the logs hold request metadata with the authorization and cookie headers redacted
  count    = var.cloudfront_web_acl == null ? 0 : 1
  provider = aws.us_east_1

  name              = var.cloudfront_web_acl.log_group_name
  retention_in_days = var.log_retention_in_days
}

resource "aws_wafv2_web_acl" "cloudfront" {
  count    = var.cloudfront_web_acl == null ? 0 : 1
  provider = aws.us_east_1

  name        = var.cloudfront_web_acl.name
  description = var.cloudfront_web_acl.description
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  # First: the blocklist, one rule per address family.
  dynamic "rule" {
    for_each = aws_wafv2_ip_set.cloudfront

    content {
      name     = "blocklist-${rule.key}"
      priority = rule.key == "ipv4" ? 0 : 1

      action {
        block {}
      }

      statement {
        dynamic "ip_set_reference_statement" {
          for_each = var.cloudfront_web_acl.forwarded_ip ? [] : [rule.value.arn]

          content {
            arn = ip_set_reference_statement.value
          }
        }

        # Behind CloudFront the source address is CloudFront's: match the address CloudFront
        # appended last to X-Forwarded-For as well (the viewer's; a client can only prepend).
        dynamic "or_statement" {
          for_each = var.cloudfront_web_acl.forwarded_ip ? [rule.value.arn] : []

          content {
            statement {
              ip_set_reference_statement {
                arn = or_statement.value
              }
            }

            statement {
              ip_set_reference_statement {
                arn = or_statement.value

                ip_set_forwarded_ip_config {
                  header_name       = "X-Forwarded-For"
                  position          = "LAST"
                  fallback_behavior = "NO_MATCH"
                }
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.cloudfront_web_acl.name}-blocklist-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  dynamic "rule" {
    for_each = var.rate_limit == null || var.cloudfront_web_acl.forwarded_ip ? [] : [var.rate_limit]

    content {
      name     = "rate-limit"
      priority = 2

      action {
        block {}
      }

      statement {
        rate_based_statement {
          limit                 = rule.value.limit
          evaluation_window_sec = rule.value.evaluation_window_sec
          aggregate_key_type    = "IP"
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.cloudfront_web_acl.name}-rate-limit"
        sampled_requests_enabled   = true
      }
    }
  }

  dynamic "rule" {
    for_each = { for i, group in var.managed_rule_groups : group => 10 + i }

    content {
      name     = rule.key
      priority = rule.value

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.key
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.cloudfront_web_acl.name}-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.cloudfront_web_acl.name
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_logging_configuration" "cloudfront" {
  count    = var.cloudfront_web_acl == null ? 0 : 1
  provider = aws.us_east_1

  resource_arn            = aws_wafv2_web_acl.cloudfront[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.cloudfront[0].arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  redacted_fields {
    single_header {
      name = "cookie"
    }
  }
}
