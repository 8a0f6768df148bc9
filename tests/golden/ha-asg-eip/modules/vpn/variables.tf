variable "component" {
  description = "The component's name: the value of its archgen:component tag, on its Elastic IP and instances."
  type        = string
}

variable "names" {
  description = "The names of what this module creates (alarms by role)."
  type = object({
    security_group    = string
    instance_role     = string
    instance_profile  = string
    launch_template   = string
    autoscaling_group = string
    alarms            = map(string)
  })
}

variable "instance" {
  description = "The instance: type, AMI (ami_id, or the SSM parameter holding it), key pair, root volume GiB (default: the AMI's), an auto-assigned public IP besides the Elastic IP, managed policies for its role, and a user data script (relative to this module) run as root at first boot (before the instance takes the Elastic IP)."
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
