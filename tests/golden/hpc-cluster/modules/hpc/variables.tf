variable "network" {
  description = "A new VPC (create = true: its block, zone, names and the instance types the zone must offer) or an existing network (subnet_ids and security_group_ids)."
  type = object({
    create                     = bool
    name                       = optional(string)
    cidr                       = optional(string, "10.0.0.0/16")
    availability_zone          = optional(string)
    instance_types             = optional(list(string), [])
    security_group_name        = optional(string)
    flow_log_role_name         = optional(string)
    flow_log_group_name        = optional(string)
    flow_log_retention_in_days = optional(number, 365)
    nat_alarm_name             = optional(string)
    subnet_ids                 = optional(list(string), [])
    security_group_ids         = optional(list(string), [])
  })

  validation {
    condition     = var.network.create ? try(tonumber(split("/", var.network.cidr)[1]) >= 16 && tonumber(split("/", var.network.cidr)[1]) <= 26 && cidrhost(var.network.cidr, 0) == split("/", var.network.cidr)[0], false) : true
    error_message = "network.cidr must be an IPv4 network of /16 to /26."
  }

  validation {
    condition     = var.network.create ? var.network.name != null && var.network.security_group_name != null && var.network.flow_log_role_name != null && var.network.flow_log_group_name != null && var.network.nat_alarm_name != null : length(var.network.subnet_ids) > 0 && length(var.network.security_group_ids) > 0
    error_message = "A new network needs its names; an existing one needs subnet_ids and security_group_ids."
  }
}

variable "bucket" {
  description = "The S3 data bucket: name prefixes of the bucket and of its access-log bucket, an optional KMS key, and how long noncurrent versions are kept."
  type = object({
    prefix                             = string
    log_prefix                         = string
    kms_key_arn                        = optional(string)
    noncurrent_version_expiration_days = optional(number, 90)
  })

  validation {
    condition     = var.bucket.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days (days) must be at least 1."
  }
}

variable "cluster_config_template" {
  description = "Path of the ParallelCluster config template (archgen's pcluster/<component>.yaml); its placeholders head_subnet_id, compute_subnet_id, security_group_id and data_bucket are filled in."
  type        = string
}

variable "create_spot_service_linked_role" {
  description = "Create the EC2 Spot service-linked role (AWSServiceRoleForEC2Spot); false when the account has it already."
  type        = bool
  default     = false
}

variable "iam" {
  description = "Applied to every IAM role this module creates: a permissions boundary (policy ARN) and a path."
  type = object({
    path                 = optional(string, "/")
    permissions_boundary = optional(string)
  })
  default = {}
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm of this module changes state (e.g. an SNS topic); empty: the alarms only show in CloudWatch."
  type        = list(string)
  default     = []
}
