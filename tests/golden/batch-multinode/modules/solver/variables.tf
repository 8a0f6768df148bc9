variable "names" {
  description = "Names of what this module creates: compute environment, job queue and definition, launch template, placement group, roles, instance profile, log group and the failed-jobs rule and alarm."
  type = object({
    compute_environment = string
    job_queue           = string
    job_definition      = string
    launch_template     = string
    placement_group     = string
    instance_role       = string
    instance_profile    = string
    service_role        = string
    log_group           = string
    failed_rule         = string
  })
}

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

variable "compute" {
  description = "The On-Demand EC2 compute environment: instance types (or families), vCPUs at most, root volume GiB, and whether instances get an EFA."
  type = object({
    instance_types   = list(string)
    max_vcpus        = optional(number, 256)
    root_volume_size = optional(number, 30)
    efa              = optional(bool, false)
  })

  validation {
    condition     = var.compute.max_vcpus >= 1 && length(var.compute.instance_types) > 0
    error_message = "compute needs at least one instance type and max_vcpus of at least 1."
  }
}

variable "job" {
  description = "The multi-node job definition: nodes, main node, the instance type of every node, node ranges (target_nodes start:end) with their container settings, attempts, timeouts and log retention."
  type = object({
    nodes         = number
    main_node     = optional(number, 0)
    instance_type = string
    node_groups = list(object({
      target_nodes = string
      image        = string
      command      = optional(list(string), [])
      vcpus        = number
      memory       = number
    }))
    attempts                 = optional(number, 1)
    timeout_seconds          = optional(number)
    runnable_timeout_seconds = optional(number, 14400)
    log_retention_in_days    = optional(number, 365)
  })

  validation {
    condition     = var.job.nodes >= 1 && var.job.nodes <= 1000
    error_message = "job.nodes must be between 1 nodes and 1000 nodes."
  }

  validation {
    condition     = var.job.attempts >= 1 && var.job.attempts <= 10
    error_message = "job.attempts must be between 1 attempts and 10 attempts."
  }

  validation {
    condition     = var.job.runnable_timeout_seconds >= 600 && var.job.runnable_timeout_seconds <= 86400
    error_message = "job.runnable_timeout_seconds must be between 600 and 86400 seconds."
  }

  validation {
    condition     = var.job.timeout_seconds == null ? true : (var.job.timeout_seconds >= 60)
    error_message = "job.timeout_seconds must be at least 1m."
  }

  validation {
    condition     = length(var.job.node_groups) >= 1 && length(var.job.node_groups) <= 5 && var.job.main_node >= 0 && var.job.main_node < var.job.nodes
    error_message = "job.node_groups holds 1 to 5 node ranges, and job.main_node is one of the job's nodes."
  }
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
