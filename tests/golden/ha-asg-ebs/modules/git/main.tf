data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  # The tag that marks this component's Elastic IP and instances, and its data volume and snapshots.
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

# What attach-eip.sh and data-volume.sh call, and nothing else.
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

  # DescribeAddresses and DescribeVolumes have no resource-level permissions.
  statement {
    sid       = "Find"
    actions   = ["ec2:DescribeAddresses", "ec2:DescribeVolumes"]
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
  ami_devices = [for d in concat([data.aws_ami.this.root_device_name], [for b in data.aws_ami.this.block_device_mappings : b.device_name]) : replace(d, "/^(/dev/)?(xvd|sd)/", "/dev/sd")]
  lifecycle_hooks = {
    launch = {
      name        = "data-volume-launch"
      transition  = "autoscaling:EC2_INSTANCE_LAUNCHING"
      detail_type = "EC2 Instance-launch Lifecycle Action"
    }
    terminate = {
      name        = "data-volume-terminate"
      transition  = "autoscaling:EC2_INSTANCE_TERMINATING"
      detail_type = "EC2 Instance-terminate Lifecycle Action"
    }
  }
  # The order matters: the data is mounted before the instance takes the address.
  user_steps_all = concat(
    [{
      name = "data-volume.sh"
      content = templatefile("${path.module}/user-data/data-volume.sh", {
        component_tag_key   = local.component_tag
        component_tag_value = var.component
        device_name         = var.data_volume.device_name
        mount_point         = var.data_volume.mount_point
        fs_type             = var.data_volume.fs_type
        # as long as the launch hook may wait: the lifecycle function attaches the volume meanwhile
        wait_seconds = var.lifecycle_hooks.heartbeat_timeout
      })
    }],
    local.user_steps,
    [local.attach_eip_step],
  )
  attach_eip_step = {
    name = "attach-eip.sh"
    content = templatefile("${path.module}/user-data/attach-eip.sh", {
      eip_tag_key   = local.component_tag
      eip_tag_value = var.component
      max_attempts  = 10
    })
  }
  user_data = templatefile("${path.module}/user-data/user-data.sh.tftpl", { parts = local.user_steps_all, on_failure = "poweroff", on_success = "stay" })
  asg_arn   = "arn:${data.aws_partition.current.partition}:autoscaling:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:autoScalingGroup:*:autoScalingGroupName/${var.names.autoscaling_group}"
  lifecycle_function = merge(var.lifecycle_function, {
    environment = merge(var.lifecycle_function.environment, {
      COMPONENT_TAG_KEY   = local.component_tag
      COMPONENT_TAG_VALUE = var.component
      DEVICE_NAME         = var.data_volume.device_name
      VOLUME_SIZE_GIB     = tostring(var.data_volume.size)
      VOLUME_TYPE         = var.data_volume.type
      VOLUME_IOPS         = var.data_volume.iops == null ? "" : tostring(var.data_volume.iops)
      VOLUME_THROUGHPUT   = var.data_volume.throughput == null ? "" : tostring(var.data_volume.throughput)
      # the hooks' own default result: a failed step ends as a timed-out hook would
      DEFAULT_RESULT    = var.lifecycle_hooks.default_result
      SNAPSHOTS_TO_KEEP = tostring(var.data_volume.snapshots_to_keep)
      # below the function's timeout, which is below the hooks' heartbeat
      WAIT_SECONDS = tostring(max(1, var.lifecycle_function.timeout - 30))
    })
  })
  # GiB each data volume type takes: [least, most] (the data_volume variable's validation)
  volume_sizes = {
    "gp3" = [1, 65536]
    "gp2" = [1, 16384]
    "io1" = [4, 16384]
    "io2" = [4, 65536]
    "st1" = [125, 16384]
    "sc1" = [125, 16384]
  }
  # an instance replaced normally is out of service for a launch hook's heartbeat at most
  outage_periods = max(3, ceil(var.lifecycle_hooks.heartbeat_timeout / 300) + 2)
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

  # Only the root volume: the data volume is the lifecycle function's, never the template's.
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

  # Root volumes never carry the component tag: the data volume is found by it.
  tag_specifications {
    resource_type = "volume"
    tags          = { Name = "${var.component}-root" }
  }

  lifecycle {
    precondition {
      condition     = !contains(local.ami_devices, var.data_volume.device_name)
      error_message = "The AMI maps ${var.data_volume.device_name} itself: give the data volume another device."
    }
  }
}

resource "aws_cloudwatch_event_rule" "lifecycle" {
  for_each = local.lifecycle_hooks

  name        = var.names.rules[each.key]
  description = "The ${each.key} lifecycle action of ${var.component}: the lifecycle function handles the data volume."
  event_pattern = jsonencode({
    source        = ["aws.autoscaling"]
    "detail-type" = [each.value.detail_type]
    detail = {
      AutoScalingGroupName = [var.names.autoscaling_group]
      LifecycleHookName    = [each.value.name]
    }
  })
}

locals {
  # A hash of the function's source: a new one gives a new archive path, so the
  # package is rebuilt at apply time (plan and apply may run in different jobs).
  lifecycle_source_hash = sha1(join("\n", [
    for file in sort(fileset("${path.module}/${local.lifecycle_function.source_dir}", "**")) : "${file}=${filesha1("${path.module}/${local.lifecycle_function.source_dir}/${file}")}"
  ]))
}

resource "archive_file" "lifecycle" {
  type             = "zip"
  source_dir       = "${path.module}/${local.lifecycle_function.source_dir}"
  output_path      = "${path.module}/.build/${local.lifecycle_function.name}-${local.lifecycle_source_hash}.zip"
  output_file_mode = "0644"
}

resource "aws_cloudwatch_log_group" "lifecycle" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest; kms_key_id is set when the blueprint gives function.kms_key
  name              = "/aws/lambda/${local.lifecycle_function.name}"
  retention_in_days = local.lifecycle_function.log_retention_in_days
  kms_key_id        = local.lifecycle_function.kms_key_arn
}

data "aws_iam_policy_document" "lifecycle_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lifecycle" {
  name                 = local.lifecycle_function.role_name
  description          = local.lifecycle_function.description
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.lifecycle_assume.json
}

data "aws_iam_policy_document" "lifecycle" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lifecycle.arn}:*"]
  }

  # X-Ray has no resource-level permissions for these two actions.
  statement {
    sid       = "WriteTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  # DescribeInstances, DescribeVolumes and DescribeSnapshots have no resource-level permissions.
  statement {
    sid       = "Read"
    actions   = ["ec2:DescribeInstances", "ec2:DescribeSnapshots", "ec2:DescribeVolumes"]
    resources = ["*"]
  }

  statement {
    sid       = "SnapshotComponentVolumes"
    actions   = ["ec2:CreateSnapshot"]
    resources = ["${local.arn_prefix}:volume/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.component_tag}"
      values   = [var.component]
    }
  }

  statement {
    sid       = "CreateComponentSnapshots"
    actions   = ["ec2:CreateSnapshot"]
    resources = ["arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.region}::snapshot/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.component_tag}"
      values   = [var.component]
    }
  }

  statement {
    sid       = "RestoreComponentSnapshots"
    actions   = ["ec2:CreateVolume"]
    resources = ["arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.region}::snapshot/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.component_tag}"
      values   = [var.component]
    }
  }

  statement {
    sid       = "CreateComponentVolumes"
    actions   = ["ec2:CreateVolume"]
    resources = ["${local.arn_prefix}:volume/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/${local.component_tag}"
      values   = [var.component]
    }
  }

  statement {
    sid       = "TagOnCreate"
    actions   = ["ec2:CreateTags"]
    resources = ["${local.arn_prefix}:volume/*", "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.region}::snapshot/*"]

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = ["CreateSnapshot", "CreateVolume"]
    }
  }

  statement {
    sid       = "RecordAttachments"
    actions   = ["ec2:CreateTags"]
    resources = ["${local.arn_prefix}:volume/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.component_tag}"
      values   = [var.component]
    }

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:TagKeys"
      values   = ["archgen:attached-at", "archgen:last-instance"]
    }
  }

  # instances and volumes of this component only (the launch template tags the instances)
  statement {
    sid       = "AttachComponentVolumes"
    actions   = ["ec2:AttachVolume"]
    resources = ["${local.arn_prefix}:instance/*", "${local.arn_prefix}:volume/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.component_tag}"
      values   = [var.component]
    }
  }

  statement {
    sid       = "PruneComponentSnapshotsAndVolumes"
    actions   = ["ec2:DeleteSnapshot", "ec2:DeleteVolume"]
    resources = ["${local.arn_prefix}:volume/*", "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.region}::snapshot/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.component_tag}"
      values   = [var.component]
    }
  }

  statement {
    sid       = "CompleteLifecycleActions"
    actions   = ["autoscaling:CompleteLifecycleAction"]
    resources = [local.asg_arn]
  }
}

resource "aws_iam_role_policy" "lifecycle" {
  name   = "access"
  role   = aws_iam_role.lifecycle.id
  policy = data.aws_iam_policy_document.lifecycle.json
}

resource "aws_lambda_function" "lifecycle" {
  #checkov:skip=CKV_AWS_117:the function calls only AWS service endpoints and needs no VPC resources
  #checkov:skip=CKV_AWS_272:the package is zipped by Terraform at apply time, or is a container image: neither carries a Signer signature
  #checkov:skip=CKV_AWS_116:a failed step completes the lifecycle action with its default result, is logged and raises the failures alarm; an event that never ran lets the hook time out with the same result
  #checkov:skip=CKV_AWS_173:environment variables are encrypted at rest with the AWS managed key, or with kms_key_arn when the blueprint gives function.kms_key
  function_name                  = local.lifecycle_function.name
  description                    = local.lifecycle_function.description
  role                           = aws_iam_role.lifecycle.arn
  runtime                        = local.lifecycle_function.runtime
  handler                        = local.lifecycle_function.handler
  filename                       = archive_file.lifecycle.output_path
  source_code_hash               = archive_file.lifecycle.output_base64sha256
  architectures                  = [local.lifecycle_function.architecture]
  timeout                        = local.lifecycle_function.timeout
  memory_size                    = local.lifecycle_function.memory_size
  reserved_concurrent_executions = local.lifecycle_function.reserved_concurrent_executions
  # without environment variables a key would show as a change on every plan
  kms_key_arn = length(local.lifecycle_function.environment) > 0 ? local.lifecycle_function.kms_key_arn : null

  dynamic "environment" {
    for_each = length(local.lifecycle_function.environment) > 0 ? [local.lifecycle_function.environment] : []

    content {
      variables = environment.value
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.lifecycle.name
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_iam_role_policy.lifecycle, aws_cloudwatch_log_group.lifecycle]
}

resource "aws_lambda_function_event_invoke_config" "lifecycle" {
  function_name = aws_lambda_function.lifecycle.function_name
  # a lifecycle action is worth retrying while its hook waits
  maximum_event_age_in_seconds = max(60, var.lifecycle_hooks.heartbeat_timeout)
  maximum_retry_attempts       = 2
}

resource "aws_lambda_permission" "lifecycle" {
  for_each = local.lifecycle_hooks

  statement_id   = "AllowInvokeFrom-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.lifecycle.function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.lifecycle[each.key].arn
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_cloudwatch_event_target" "lifecycle" {
  for_each = local.lifecycle_hooks

  rule      = aws_cloudwatch_event_rule.lifecycle[each.key].name
  target_id = "lifecycle"
  arn       = aws_lambda_function.lifecycle.arn

  retry_policy {
    maximum_event_age_in_seconds = max(60, var.lifecycle_hooks.heartbeat_timeout)
    maximum_retry_attempts       = 20
  }

  depends_on = [aws_lambda_permission.lifecycle]
}

# Hooks are created with the group (so that its first instance gets its volume), and kept
# up to date by aws_autoscaling_lifecycle_hook (a change of the group's own hooks would
# replace the group).
resource "aws_autoscaling_lifecycle_hook" "this" {
  for_each = local.lifecycle_hooks

  name                   = each.value.name
  autoscaling_group_name = aws_autoscaling_group.this.name
  lifecycle_transition   = each.value.transition
  heartbeat_timeout      = var.lifecycle_hooks.heartbeat_timeout
  default_result         = var.lifecycle_hooks.default_result

  lifecycle {
    precondition {
      condition     = var.lifecycle_hooks.heartbeat_timeout > var.lifecycle_function.timeout
      error_message = "The lifecycle function's timeout (${var.lifecycle_function.timeout} s) must be below the hooks' heartbeat (${var.lifecycle_hooks.heartbeat_timeout} s)."
    }
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
  wait_for_capacity_timeout = "${var.lifecycle_hooks.heartbeat_timeout + 600}s"

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

  dynamic "initial_lifecycle_hook" {
    for_each = local.lifecycle_hooks

    content {
      name                 = initial_lifecycle_hook.value.name
      lifecycle_transition = initial_lifecycle_hook.value.transition
      heartbeat_timeout    = var.lifecycle_hooks.heartbeat_timeout
      default_result       = var.lifecycle_hooks.default_result
    }
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

  lifecycle {
    ignore_changes = [initial_lifecycle_hook]
  }

  # the address and the instances' permissions exist before the first instance boots, and so does what handles its launch hook
  depends_on = [aws_iam_role_policy.instance, aws_eip.this, aws_ec2_tag.eip, aws_cloudwatch_event_target.lifecycle]
}

resource "aws_cloudwatch_metric_alarm" "in_service" {
  alarm_name          = var.names.alarms.in_service
  alarm_description   = "No instance of ${var.component} has been in service for a while: see the group's activity history and the lifecycle function's log."
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

resource "aws_cloudwatch_metric_alarm" "lifecycle_errors" {
  alarm_name          = var.names.alarms.lifecycle_errors
  alarm_description   = "The lifecycle function of ${var.component} crashed or timed out: see its log group ${aws_cloudwatch_log_group.lifecycle.name}."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.lifecycle.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

# The function completes a failed step with the default result and returns normally, so
# Lambda's Errors metric does not see it: its error log lines do.
resource "aws_cloudwatch_log_metric_filter" "lifecycle_failures" {
  name           = var.names.alarms.lifecycle_failures
  log_group_name = aws_cloudwatch_log_group.lifecycle.name
  pattern        = "{ $.level = \"error\" }"

  metric_transformation {
    name      = var.names.alarms.lifecycle_failures
    namespace = "archgen/ha-instance"
    value     = "1"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "lifecycle_failures" {
  alarm_name          = var.names.alarms.lifecycle_failures
  alarm_description   = "A data volume step of ${var.component} failed and ended with ${var.lifecycle_hooks.default_result}: see the log group ${aws_cloudwatch_log_group.lifecycle.name}."
  namespace           = "archgen/ha-instance"
  metric_name         = aws_cloudwatch_log_metric_filter.lifecycle_failures.metric_transformation[0].name
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "lifecycle_delivery" {
  for_each = local.lifecycle_hooks

  alarm_name          = var.names.alarms["${each.key}_delivery"]
  alarm_description   = "EventBridge could not invoke the lifecycle function of ${var.component} for a ${each.key} action: the hook times out with ${var.lifecycle_hooks.default_result}."
  namespace           = "AWS/Events"
  metric_name         = "FailedInvocations"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.lifecycle[each.key].name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}
