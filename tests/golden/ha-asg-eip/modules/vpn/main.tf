data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  # The tag that marks this component's Elastic IP and instances.
  component_tag      = "archgen:component"
  tags               = { (local.component_tag) = var.component }
  ami_id             = coalesce(var.instance.ami_id, one(data.aws_ssm_parameter.ami[*].insecure_value))
  vpc_ids            = distinct([for s in data.aws_subnet.this : s.vpc_id])
  arn_prefix         = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
  allocation_id      = coalesce(var.eip.allocation_id, one(aws_eip.this[*].allocation_id))
  eip_arn            = "${local.arn_prefix}:elastic-ip/${local.allocation_id}"
  security_group_ids = concat([aws_security_group.this.id], var.security_group_ids)
  # The blueprint's own script, if any (a step of the user data).
  user_steps = [for f in compact([var.instance.user_data_file]) : { name = basename(f), content = file("${path.module}/${f}") }]
}

# Each subnet must be in the zone the blueprint declares: a wrong zone finds no subnet.
data "aws_subnet" "this" {
  for_each = { for s in var.subnets : s.id => s }

  id                = each.value.id
  availability_zone = each.value.az
}

data "aws_ssm_parameter" "ami" {
  count = var.instance.ami_ssm_parameter == null ? 0 : 1

  name = var.instance.ami_ssm_parameter

  lifecycle {
    postcondition {
      condition     = can(regex("^ami-[0-9a-f]+$", self.insecure_value))
      error_message = "The parameter ${var.instance.ami_ssm_parameter} does not hold an AMI id."
    }
  }
}

# --- network ----------------------------------------------------------------------

resource "aws_security_group" "this" {
  name        = var.names.security_group
  description = "archgen ha-instance ${var.component}: traffic of the instance"
  vpc_id      = local.vpc_ids[0]
  tags        = merge(local.tags, { Name = var.component })

  lifecycle {
    precondition {
      condition     = length(local.vpc_ids) == 1
      error_message = "The subnets are in different VPCs (${join(", ", local.vpc_ids)}): give subnets of one VPC."
    }
  }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = var.ingress

  security_group_id            = aws_security_group.this.id
  description                  = each.value.description
  ip_protocol                  = each.value.ip_protocol
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  cidr_ipv6                    = each.value.cidr_ipv6
  referenced_security_group_id = each.value.referenced_security_group_id
  prefix_list_id               = each.value.prefix_list_id
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = var.egress

  security_group_id            = aws_security_group.this.id
  description                  = each.value.description
  ip_protocol                  = each.value.ip_protocol
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  cidr_ipv6                    = each.value.cidr_ipv6
  referenced_security_group_id = each.value.referenced_security_group_id
  prefix_list_id               = each.value.prefix_list_id
}

# --- the instances' role --------------------------------------------------------------

data "aws_iam_policy_document" "instance_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  name                 = var.names.instance_role
  description          = "Instances of the archgen ha-instance component ${var.component}"
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.instance_assume.json
}

resource "aws_iam_role_policy_attachment" "instance" {
  for_each = toset(var.instance.policy_arns)

  role       = aws_iam_role.instance.name
  policy_arn = each.value
}

resource "aws_iam_instance_profile" "instance" {
  name = var.names.instance_profile
  path = var.iam.path
  role = aws_iam_role.instance.name
}

# What attach-eip.sh call, and nothing else.
data "aws_iam_policy_document" "instance" {
  statement {
    sid       = "AssociateTheAddress"
    actions   = ["ec2:AssociateAddress"]
    resources = [local.eip_arn]
  }

  # The address may go to instances of this component only (and their network interfaces,
  # should EC2 authorize those too); the launch template tags both.
  statement {
    sid       = "WithComponentInstances"
    actions   = ["ec2:AssociateAddress"]
    resources = ["${local.arn_prefix}:instance/*", "${local.arn_prefix}:network-interface/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.component_tag}"
      values   = [var.component]
    }
  }

  # DescribeAddresses has no resource-level permissions.
  statement {
    sid       = "Find"
    actions   = ["ec2:DescribeAddresses"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "instance" {
  name   = "attach-eip"
  role   = aws_iam_role.instance.id
  policy = data.aws_iam_policy_document.instance.json
}

# --- an Auto Scaling group of one; the instance takes the address at boot -----------------

resource "aws_eip" "this" {
  #checkov:skip=CKV2_AWS_19:the instance of the Auto Scaling group associates the address itself at boot (user data attach-eip.sh)
  count = var.eip.allocation_id == null ? 1 : 0

  domain = "vpc"
  tags   = merge(local.tags, { Name = var.component })
}

# An existing address gets the tag attach-eip.sh looks for.
resource "aws_ec2_tag" "eip" {
  count = var.eip.allocation_id == null ? 0 : 1

  resource_id = var.eip.allocation_id
  key         = local.component_tag
  value       = var.component
}

data "aws_eip" "existing" {
  count = var.eip.allocation_id == null ? 0 : 1

  id = var.eip.allocation_id
}

# The AMI's root device, to map (and encrypt) the root volume.
data "aws_ami" "this" {
  include_deprecated = true

  filter {
    name   = "image-id"
    values = [local.ami_id]
  }
}

locals {
  # The AMI's own block device mappings, named as /dev/sdX.
  ami_devices    = [for d in concat([data.aws_ami.this.root_device_name], [for b in data.aws_ami.this.block_device_mappings : b.device_name]) : replace(d, "/^(/dev/)?(xvd|sd)/", "/dev/sd")]
  user_steps_all = concat(local.user_steps, [local.attach_eip_step])
  attach_eip_step = {
    name = "attach-eip.sh"
    content = templatefile("${path.module}/user-data/attach-eip.sh", {
      eip_tag_key   = local.component_tag
      eip_tag_value = var.component
      max_attempts  = 10
    })
  }
  user_data      = templatefile("${path.module}/user-data/user-data.sh.tftpl", { parts = local.user_steps_all, on_failure = "poweroff", on_success = "stay" })
  outage_periods = 3
}

resource "aws_launch_template" "this" {
  name                   = var.names.launch_template
  description            = "archgen ha-instance ${var.component}"
  image_id               = local.ami_id
  instance_type          = var.instance.type
  key_name               = var.instance.key_name
  update_default_version = true
  user_data              = base64encode(local.user_data)

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  monitoring {
    enabled = true
  }

  network_interfaces {
    device_index                = 0
    associate_public_ip_address = var.instance.public_ip
    delete_on_termination       = true
    security_groups             = local.security_group_ids
  }

  # Only the root volume: encrypted, gp3.
  block_device_mappings {
    device_name = data.aws_ami.this.root_device_name

    ebs {
      encrypted             = true
      volume_type           = "gp3"
      volume_size           = var.instance.root_volume_size
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.tags, { Name = var.component })
  }

  tag_specifications {
    resource_type = "network-interface"
    tags          = merge(local.tags, { Name = var.component })
  }

  # Root volumes never carry the component tag.
  tag_specifications {
    resource_type = "volume"
    tags          = { Name = "${var.component}-root" }
  }
}

resource "aws_autoscaling_group" "this" {
  name                      = var.names.autoscaling_group
  min_size                  = 1
  max_size                  = 1
  desired_capacity          = 1
  vpc_zone_identifier       = [for s in var.subnets : s.id]
  health_check_type         = "EC2"
  health_check_grace_period = 300
  metrics_granularity       = "1Minute"
  enabled_metrics           = ["GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"]

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  # One instance at a time: the old one is gone (and its data volume detached) before the
  # new one launches.
  instance_maintenance_policy {
    min_healthy_percentage = 0
    max_healthy_percentage = 100
  }

  tag {
    key                 = "Name"
    value               = var.component
    propagate_at_launch = true
  }

  tag {
    key                 = local.component_tag
    value               = var.component
    propagate_at_launch = true
  }

  # the address and the instances' permissions exist before the first instance boots
  depends_on = [aws_iam_role_policy.instance, aws_eip.this, aws_ec2_tag.eip]
}

resource "aws_cloudwatch_metric_alarm" "in_service" {
  alarm_name          = var.names.alarms.in_service
  alarm_description   = "No instance of ${var.component} has been in service for a while: see the group's activity history."
  namespace           = "AWS/AutoScaling"
  metric_name         = "GroupInServiceInstances"
  dimensions          = { AutoScalingGroupName = aws_autoscaling_group.this.name }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = local.outage_periods
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}
