variable "blocked_cidrs" {
  description = "The addresses to block, by address family: CIDR blocks with their host bits zero (a single address is /32 or /128)."
  type = object({
    ipv4 = optional(list(string), [])
    ipv6 = optional(list(string), [])
  })

  validation {
    condition     = alltrue([for cidr in var.blocked_cidrs.ipv4 : can(cidrhost(cidr, 0)) && !strcontains(cidr, ":") && !endswith(cidr, "/0")])
    error_message = "Every ipv4 entry must be an IPv4 CIDR block other than /0."
  }

  validation {
    condition     = alltrue([for cidr in var.blocked_cidrs.ipv6 : can(cidrhost(cidr, 0)) && strcontains(cidr, ":") && !endswith(cidr, "/0")])
    error_message = "Every ipv6 entry must be an IPv6 CIDR block other than /0."
  }

  validation {
    condition     = alltrue([for cidr in concat(var.blocked_cidrs.ipv4, var.blocked_cidrs.ipv6) : try(cidrsubnet(cidr, 0, 0) == cidr, false)])
    error_message = "Every CIDR block must have its host bits zero, written in canonical form."
  }

  validation {
    condition     = length(var.blocked_cidrs.ipv4) <= 10000 && length(var.blocked_cidrs.ipv6) <= 10000
    error_message = "An AWS WAF IP set holds at most 10000 addresses per address family."
  }
}

variable "network_acls" {
  description = "Network ACLs that get a deny entry per blocked range, by key: the ACL, whether outbound traffic is denied too, and the rule numbers (first, then one step apart), which must stay below the ACL's allow rules."
  type = map(object({
    network_acl_id    = string
    egress            = optional(bool, false)
    first_rule_number = optional(number, 10)
    rule_number_step  = optional(number, 10)
  }))
  default = {}

  validation {
    condition = alltrue([
      for acl in values(var.network_acls) : acl.first_rule_number >= 1 && acl.rule_number_step >= 1 &&
      acl.first_rule_number + acl.rule_number_step * (length(var.blocked_cidrs.ipv4) + length(var.blocked_cidrs.ipv6) - 1) <= 32766
    ])
    error_message = "Network ACL rule numbers must be between 1 and 32766."
  }
}

variable "regional_web_acl" {
  description = "The REGIONAL web ACL for Application Load Balancers: its name and description, the names of its IP sets (by address family) and log group, and whether the client address is also read from X-Forwarded-For (the ALB is behind CloudFront)."
  type = object({
    name           = string
    description    = string
    ip_set_names   = map(string)
    log_group_name = string
    forwarded_ip   = optional(bool, false)
  })
}

variable "load_balancer_arns" {
  description = "ARNs of the Application Load Balancers the REGIONAL web ACL protects."
  type        = list(string)
  default     = []
}

variable "rate_limit" {
  description = "A rate-based rule in each web ACL: block an address that sends more than `limit` requests in `evaluation_window_sec` seconds; null for none. Left out of a web ACL that reads X-Forwarded-For."
  type = object({
    limit                 = number
    evaluation_window_sec = optional(number, 300)
  })
  default = null

  validation {
    condition     = var.rate_limit == null ? true : (var.rate_limit.limit >= 10 && var.rate_limit.limit <= 2000000000)
    error_message = "The rate limit must be between 10 requests and 2000000000 requests."
  }

  validation {
    condition     = var.rate_limit == null ? true : contains([60, 120, 300, 600], var.rate_limit.evaluation_window_sec)
    error_message = "The evaluation window must be 60, 120, 300 or 600 seconds."
  }
}

variable "managed_rule_groups" {
  description = "AWS managed rule groups (vendor AWS) evaluated after the blocklist, in order."
  type        = list(string)
  default = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
  ]

  validation {
    condition     = alltrue([for group in var.managed_rule_groups : can(regex("^AWSManagedRules[A-Za-z0-9]+$", group))]) && length(distinct(var.managed_rule_groups)) == length(var.managed_rule_groups)
    error_message = "Managed rule groups are AWS ones (AWSManagedRules...), each listed once."
  }
}

variable "log_retention_in_days" {
  description = "How long CloudWatch Logs keeps the web ACLs' logs, in days."
  type        = number
  default     = 365
}
