variable "component" {
  description = "The component's name: the value of its archgen:component tag, on its Elastic IP, instances, data volume and snapshots."
  type        = string
}

variable "names" {
  description = "The names of what this module creates (alarms and rules by role)."
  type = object({
    security_group    = string
    instance_role     = string
    instance_profile  = string
    launch_template   = string
    autoscaling_group = string
    alarms            = map(string)
    rules             = map(string)
  })
}

variable "instance" {
  description = "The instance: type, AMI (ami_id, or the SSM parameter holding it), key pair, root volume GiB (default: the AMI's), an auto-assigned public IP besides the Elastic IP, managed policies for its role, and a user data script (relative to this module) run as root at first boot (after the data volume is mounted, before the instance takes the Elastic IP)."
  type = object({
    type              = string
    ami_id            = optional(string)
    ami_ssm_parameter = optional(string)
    key_name          = optional(string)
    root_volume_size  = optional(number)
    public_ip         = optional(bool, false)
    policy_arns       = optional(list(string), [])
    user_data_file    = optional(string)
  })

  validation {
    condition     = (var.instance.ami_id == null) != (var.instance.ami_ssm_parameter == null)
    error_message = "Give exactly one of instance.ami_id and instance.ami_ssm_parameter."
  }

  validation {
    condition     = var.instance.root_volume_size == null ? true : (var.instance.root_volume_size >= 1 && var.instance.root_volume_size <= 65536)
    error_message = "instance.root_volume_size must be between 1 GiB and 65536 GiB."
  }
}

variable "subnets" {
  description = "The group's subnets, in two Availability Zones or more, with the zone each is in (checked when the subnets are read)."
  type = list(object({
    id = string
    az = string
  }))

  validation {
    condition     = length(distinct(var.subnets[*].az)) >= 2
    error_message = "An Auto Scaling group of one needs subnets in two Availability Zones or more."
  }
}

variable "eip" {
  description = "The Elastic IP: a new one (allocation_id null), or an existing one by its allocation id (it gets the component's tag)."
  type = object({
    allocation_id = optional(string)
  })
  default = {}
}

variable "security_group_ids" {
  description = "Existing security groups to attach besides the component's own."
  type        = list(string)
  default     = []
}

variable "ingress" {
  description = "Rules of the component's security group for traffic in, by key: ip_protocol (tcp, udp, icmp, icmpv6 or -1), ports, and one peer (cidr_ipv4, cidr_ipv6, referenced_security_group_id or prefix_list_id)."
  type = map(object({
    ip_protocol                  = string
    from_port                    = optional(number)
    to_port                      = optional(number)
    cidr_ipv4                    = optional(string)
    cidr_ipv6                    = optional(string)
    referenced_security_group_id = optional(string)
    prefix_list_id               = optional(string)
    description                  = string
  }))
  default = {}

  validation {
    condition     = alltrue([for r in values(var.ingress) : length(compact([r.cidr_ipv4, r.cidr_ipv6, r.referenced_security_group_id, r.prefix_list_id])) == 1])
    error_message = "Each ingress rule names exactly one peer."
  }
}

variable "egress" {
  description = "Rules of the component's security group for traffic out, as ingress (default: HTTPS anywhere, which the instance needs to reach the EC2 API)."
  type = map(object({
    ip_protocol                  = string
    from_port                    = optional(number)
    to_port                      = optional(number)
    cidr_ipv4                    = optional(string)
    cidr_ipv6                    = optional(string)
    referenced_security_group_id = optional(string)
    prefix_list_id               = optional(string)
    description                  = string
  }))
  default = {
    "tcp-443-0.0.0.0/0" = { ip_protocol = "tcp", from_port = 443, to_port = 443, cidr_ipv4 = "0.0.0.0/0", description = "HTTPS to AWS APIs and package repositories" }
    "tcp-443-::/0"      = { ip_protocol = "tcp", from_port = 443, to_port = 443, cidr_ipv6 = "::/0", description = "HTTPS to AWS APIs and package repositories" }
  }

  validation {
    condition     = alltrue([for r in values(var.egress) : length(compact([r.cidr_ipv4, r.cidr_ipv6, r.referenced_security_group_id, r.prefix_list_id])) == 1])
    error_message = "Each egress rule names exactly one peer."
  }
}

variable "data_volume" {
  description = "The data volume that outlives the instances: size (GiB), mount point, device name (/dev/sdf../dev/sdp), type, IOPS and throughput, the filesystem of a new volume, and the completed snapshots kept."
  type = object({
    size              = number
    mount_point       = optional(string, "/data")
    device_name       = optional(string, "/dev/sdf")
    type              = optional(string, "gp3")
    iops              = optional(number)
    throughput        = optional(number)
    fs_type           = optional(string, "xfs")
    snapshots_to_keep = optional(number, 3)
  })

  validation {
    condition     = can(regex("^/dev/sd[f-p]$", var.data_volume.device_name))
    error_message = "data_volume.device_name is /dev/sdf to /dev/sdp."
  }

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$", var.data_volume.mount_point))
    error_message = "data_volume.mount_point is an absolute path of letters, digits and . _ - / (not /)."
  }

  validation {
    condition     = contains(["xfs", "ext4"], var.data_volume.fs_type)
    error_message = "data_volume.fs_type is xfs or ext4."
  }

  validation {
    condition     = try(var.data_volume.size >= local.volume_sizes[var.data_volume.type][0] && var.data_volume.size <= local.volume_sizes[var.data_volume.type][1], false)
    error_message = "data_volume.type is one of ${join(", ", keys(local.volume_sizes))}, and data_volume.size fits it."
  }

  validation {
    condition     = var.data_volume.snapshots_to_keep >= 1
    error_message = "data_volume.snapshots_to_keep must be at least 1."
  }
}

variable "lifecycle_hooks" {
  description = "The lifecycle hooks on launch and terminate: how long an instance waits for its data volume step (seconds), and the result when the step fails or times out (ABANDON or CONTINUE)."
  type = object({
    heartbeat_timeout = optional(number, 900)
    default_result    = optional(string, "ABANDON")
  })
  default = {}

  validation {
    condition     = var.lifecycle_hooks.heartbeat_timeout >= 30 && var.lifecycle_hooks.heartbeat_timeout <= 7200
    error_message = "lifecycle_hooks.heartbeat_timeout must be between 30 and 7200 seconds."
  }

  validation {
    condition     = contains(["ABANDON", "CONTINUE"], var.lifecycle_hooks.default_result)
    error_message = "lifecycle_hooks.default_result is ABANDON or CONTINUE."
  }
}

variable "lifecycle_function" {
  description = "The lifecycle function (files/lifecycle.py, copied into source_dir): names and settings, its timeout below the hooks' heartbeat; its environment is set by this module."
  type = object({
    name                           = string
    role_name                      = string
    description                    = optional(string)
    runtime                        = optional(string)
    handler                        = optional(string)
    source_dir                     = optional(string)
    image_uri                      = optional(string)
    architecture                   = optional(string, "arm64")
    timeout                        = optional(number, 30)
    memory_size                    = optional(number, 256)
    reserved_concurrent_executions = optional(number, -1)
    environment                    = optional(map(string), {})
    log_retention_in_days          = optional(number, 365)
    kms_key_arn                    = optional(string)
  })

  validation {
    condition     = var.lifecycle_function.timeout >= 1 && var.lifecycle_function.timeout <= 900
    error_message = "Lambda timeout must be between 1 and 900 seconds."
  }

  validation {
    condition     = var.lifecycle_function.memory_size >= 128 && var.lifecycle_function.memory_size <= 10240
    error_message = "Lambda memory_size must be between 128 MiB and 10240 MiB."
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
