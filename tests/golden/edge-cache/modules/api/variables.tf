variable "names" {
  description = "Names of what this module creates, decided by archgen: the three CloudFront policies (one name), the origin access control (S3 origins), the access log group and log delivery, and the distribution's alarm. CloudFront names are global: they carry the blueprint's Region."
  type = object({
    policies              = string
    origin_access_control = optional(string)
    access_log_group      = string
    log_delivery          = string
    alarm                 = string
  })
}

variable "origin" {
  description = "The origin: its kind (alb, api or s3), DNS name and path, whether the viewer's Host header is forwarded (an ALB answering for the aliases), and the bucket of an S3 origin."
  type = object({
    kind                = string
    domain_name         = string
    origin_path         = optional(string, "")
    forward_host_header = optional(bool, false)
    bucket              = optional(string)
  })

  validation {
    condition     = contains(["alb", "api", "s3"], var.origin.kind)
    error_message = "The origin kind must be alb, api or s3."
  }

  validation {
    condition     = var.origin.kind != "s3" || var.origin.bucket != null
    error_message = "An s3 origin needs its bucket name."
  }
}

variable "distribution" {
  description = "The distribution: a comment naming it, alternate domain names with the ACM certificate (us-east-1) covering them and that certificate's domain name, the price class and a default root object."
  type = object({
    comment             = string
    aliases             = optional(list(string), [])
    certificate_arn     = optional(string)
    certificate_domain  = optional(string)
    price_class         = optional(string, "PriceClass_All")
    default_root_object = optional(string)
  })

  validation {
    condition     = (length(var.distribution.aliases) > 0) == (var.distribution.certificate_arn != null)
    error_message = "Aliases need a certificate, and a certificate needs aliases."
  }

  validation {
    condition     = var.distribution.certificate_arn == null || can(regex("^arn:[a-z-]+:acm:us-east-1:", var.distribution.certificate_arn))
    error_message = "The certificate must be an ACM certificate in us-east-1."
  }

  validation {
    condition     = length(var.distribution.aliases) <= 100
    error_message = "A distribution takes at most 100 aliases."
  }
}

variable "cache_policy" {
  description = "The cache policy: TTLs in seconds (the minimum is 0, so that an origin's no-store is honoured) and the cache key: headers, and the behavior (none, whitelist, all) with names for query strings and cookies."
  type = object({
    default_ttl           = number
    max_ttl               = optional(number, 31536000)
    headers               = optional(list(string), [])
    query_string_behavior = optional(string, "none")
    query_strings         = optional(list(string), [])
    cookie_behavior       = optional(string, "none")
    cookies               = optional(list(string), [])
  })

  validation {
    condition     = var.cache_policy.default_ttl >= 0 && var.cache_policy.default_ttl <= var.cache_policy.max_ttl
    error_message = "The TTLs must satisfy 0 <= default_ttl <= max_ttl."
  }

  validation {
    condition     = length(var.cache_policy.headers) <= 10 && length(var.cache_policy.query_strings) <= 10 && length(var.cache_policy.cookies) <= 10
    error_message = "A cache policy takes at most 10 headers, 10 query strings and 10 cookies."
  }

  validation {
    condition     = contains(["none", "whitelist", "all"], var.cache_policy.query_string_behavior) && contains(["none", "whitelist", "all"], var.cache_policy.cookie_behavior)
    error_message = "Query string and cookie behaviors are none, whitelist or all."
  }
}

variable "web_acl_arn" {
  description = "ARN of a CLOUDFRONT-scope WAF web ACL (us-east-1) for the distribution, e.g. an ip-blocklist component's cloudfront_web_acl_arn; null for none."
  type        = string
  default     = null
}

variable "access_log_retention_in_days" {
  description = "How long CloudWatch Logs keeps the distribution's access logs, in days."
  type        = number
  default     = 365
}

variable "distribution_alarm_actions" {
  description = "ARNs in us-east-1 notified when the distribution's 5xx alarm changes state (CloudFront publishes its metrics in us-east-1 only, and an alarm notifies topics of its own Region); empty: the alarm only shows in CloudWatch."
  type        = list(string)
  default     = []
}

variable "api_cache" {
  description = "The API Gateway stage cache of an api origin: the REST API and stage, the TTL in seconds, and the cache cluster size (GB) to enable on the stage; null for none."
  type = object({
    rest_api_id        = string
    stage_name         = string
    ttl_in_seconds     = optional(number, 300)
    cache_cluster_size = optional(string, "0.5")
  })
  default = null

  validation {
    condition     = var.api_cache == null ? true : (var.api_cache.ttl_in_seconds >= 0 && var.api_cache.ttl_in_seconds <= 3600)
    error_message = "The API cache TTL must be between 0 and 3600 seconds."
  }

  validation {
    condition     = var.api_cache == null ? true : contains(["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"], var.api_cache.cache_cluster_size)
    error_message = "The cache cluster size must be one API Gateway offers: 0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118 or 237 (GB)."
  }
}

variable "data_cache" {
  description = "The ElastiCache replication group: its id and description, engine and version, node type, replicas (automatic failover needs one), port, network (VPC, subnets, client security groups), encryption key, snapshots, and the names of its users (IAM authentication), security group and slow-log group; null for none."
  type = object({
    replication_group_id      = string
    description               = string
    engine                    = optional(string, "valkey")
    engine_version            = string
    node_type                 = optional(string, "cache.t4g.small")
    replicas                  = optional(number, 1)
    port                      = optional(number, 6379)
    vpc_id                    = string
    subnet_ids                = list(string)
    client_security_group_ids = list(string)
    kms_key_arn               = optional(string)
    snapshot_retention_limit  = optional(number, 7)
    user_name                 = string
    access_string             = optional(string, "on ~* &* +@all -@dangerous")
    default_user_id           = string
    security_group_name       = string
    log_group_name            = string
    log_retention_in_days     = optional(number, 365)
  })
  default = null

  validation {
    condition     = var.data_cache == null ? true : (var.data_cache.replicas >= 1 && var.data_cache.replicas <= 5)
    error_message = "The number of replicas must be between 1 replicas and 5 replicas."
  }

  validation {
    condition     = var.data_cache == null ? true : (var.data_cache.snapshot_retention_limit >= 0 && var.data_cache.snapshot_retention_limit <= 35)
    error_message = "snapshot_retention_limit must be between 0 days and 35 days."
  }

  validation {
    condition     = var.data_cache == null ? true : contains(["valkey", "redis"], var.data_cache.engine) && tonumber(split(".", var.data_cache.engine_version)[0]) >= 7
    error_message = "The engine must be valkey or redis, version 7.0 or later (IAM authentication)."
  }
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm of this module changes state (e.g. an SNS topic); empty: the alarms only show in CloudWatch."
  type        = list(string)
  default     = []
}
