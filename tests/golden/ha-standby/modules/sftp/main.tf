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
  allocation_id      = aws_eip.this.allocation_id
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

# --- standby: two instances, the address on the primary -----------------------------------

locals {
  instances = {
    primary = var.subnets[0]
    standby = var.subnets[length(var.subnets) - 1]
  }
  # A cold standby powers itself off once its user data has run (so a stop never cuts it
  # short); user data runs at an instance's first boot only.
  after_setup = { for k, _ in local.instances : k => k == "standby" && var.failover.standby_state == "stopped" ? "poweroff" : "stay" }
  user_data = {
    for k, after in local.after_setup : k => length(local.user_steps) == 0 && after == "stay" ? null : templatefile("${path.module}/user-data/user-data.sh.tftpl", {
      parts      = local.user_steps
      on_failure = "stay"
      on_success = after
    })
  }
  standby_arn = "${local.arn_prefix}:instance/${aws_instance.this["standby"].id}"
  failover_function = merge(var.failover_function, {
    environment = merge(var.failover_function.environment, {
      PRIMARY_INSTANCE_ID = aws_instance.this["primary"].id
      STANDBY_INSTANCE_ID = aws_instance.this["standby"].id
      ALLOCATION_ID       = local.allocation_id
      # two waits (stopping -> stopped, then pending -> running) fit the timeout
      WAIT_SECONDS = tostring(floor((var.failover_function.timeout - 60) / 2))
    })
  })
}

resource "aws_instance" "this" {
  #checkov:skip=CKV_AWS_135:EBS optimization is on by default for every current instance type, and setting it fails on the few types without it
  for_each = local.instances

  ami                         = local.ami_id
  instance_type               = var.instance.type
  subnet_id                   = each.value.id
  vpc_security_group_ids      = local.security_group_ids
  associate_public_ip_address = var.instance.public_ip
  iam_instance_profile        = aws_iam_instance_profile.instance.name
  key_name                    = var.instance.key_name
  monitoring                  = true
  user_data                   = local.user_data[each.key]

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    encrypted             = true
    volume_type           = "gp3"
    volume_size           = var.instance.root_volume_size
    delete_on_termination = true
  }

  tags = merge(local.tags, { Name = "${var.component}-${each.key}", "archgen:role" = each.key })

  lifecycle {
    # A new AMI behind the parameter must not replace a running pair, and user data runs at
    # the first boot only: replace the instances on purpose (terraform apply -replace=...).
    ignore_changes = [ami, user_data]
  }
}

resource "aws_eip" "this" {
  domain   = "vpc"
  instance = aws_instance.this["primary"].id
  tags     = merge(local.tags, { Name = var.component })

  lifecycle {
    # failover moves the address to the standby: Terraform must not move it back
    ignore_changes = [instance, network_interface, associate_with_private_ip]
  }
}

resource "aws_cloudwatch_metric_alarm" "primary_status" {
  alarm_name          = var.names.alarms.primary_status
  alarm_description   = "The primary instance of ${var.component} fails its status checks: the rule ${var.names.rules.failover} moves the Elastic IP to the standby."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  dimensions          = { InstanceId = aws_instance.this["primary"].id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = var.failover.evaluation_periods
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  # a primary stopped on purpose reports nothing, and does not fail over
  treat_missing_data = "missing"
  alarm_actions      = var.alarm_actions
  ok_actions         = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "standby_status" {
  alarm_name          = var.names.alarms.standby_status
  alarm_description   = "The standby instance of ${var.component} fails its status checks: a failover could not use it."
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  dimensions          = { InstanceId = aws_instance.this["standby"].id }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  # a stopped standby reports nothing
  treat_missing_data = "notBreaching"
  alarm_actions      = var.alarm_actions
  ok_actions         = var.alarm_actions
}

resource "aws_cloudwatch_event_rule" "failover" {
  name        = var.names.rules.failover
  description = "The primary of ${var.component} fails its status checks: fail over to the standby."
  event_pattern = jsonencode({
    source        = ["aws.cloudwatch"]
    "detail-type" = ["CloudWatch Alarm State Change"]
    resources     = [aws_cloudwatch_metric_alarm.primary_status.arn]
    detail        = { state = { value = ["ALARM"] } }
  })
}

locals {
  # A hash of the function's source: a new one gives a new archive path, so the
  # package is rebuilt at apply time (plan and apply may run in different jobs).
  failover_source_hash = sha1(join("\n", [
    for file in sort(fileset("${path.module}/${local.failover_function.source_dir}", "**")) : "${file}=${filesha1("${path.module}/${local.failover_function.source_dir}/${file}")}"
  ]))
}

resource "archive_file" "failover" {
  type             = "zip"
  source_dir       = "${path.module}/${local.failover_function.source_dir}"
  output_path      = "${path.module}/.build/${local.failover_function.name}-${local.failover_source_hash}.zip"
  output_file_mode = "0644"
}

resource "aws_cloudwatch_log_group" "failover" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest; kms_key_id is set when the blueprint gives function.kms_key
  name              = "/aws/lambda/${local.failover_function.name}"
  retention_in_days = local.failover_function.log_retention_in_days
  kms_key_id        = local.failover_function.kms_key_arn
}

data "aws_iam_policy_document" "failover_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "failover" {
  name                 = local.failover_function.role_name
  description          = local.failover_function.description
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.failover_assume.json
}

data "aws_iam_policy_document" "failover" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.failover.arn}:*"]
  }

  # X-Ray has no resource-level permissions for these two actions.
  statement {
    sid       = "WriteTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  # DescribeInstances and DescribeAddresses have no resource-level permissions.
  statement {
    sid       = "Read"
    actions   = ["ec2:DescribeInstances", "ec2:DescribeAddresses"]
    resources = ["*"]
  }

  statement {
    sid       = "StartTheStandby"
    actions   = ["ec2:StartInstances"]
    resources = [local.standby_arn]
  }

  # The address, the instance it goes to and the one it leaves, and their network
  # interfaces (should EC2 authorize those too).
  statement {
    sid       = "MoveTheAddress"
    actions   = ["ec2:AssociateAddress"]
    resources = concat([local.eip_arn], flatten([for i in aws_instance.this : ["${local.arn_prefix}:instance/${i.id}", "${local.arn_prefix}:network-interface/${i.primary_network_interface_id}"]]))
  }
}

resource "aws_iam_role_policy" "failover" {
  name   = "access"
  role   = aws_iam_role.failover.id
  policy = data.aws_iam_policy_document.failover.json
}

resource "aws_lambda_function" "failover" {
  #checkov:skip=CKV_AWS_117:the function calls only AWS service endpoints and needs no VPC resources
  #checkov:skip=CKV_AWS_272:the package is zipped by Terraform at apply time, or is a container image: neither carries a Signer signature
  #checkov:skip=CKV_AWS_116:a failed failover fails loudly: Lambda retries it (it is idempotent), then its Errors alarm notifies alarm_actions
  #checkov:skip=CKV_AWS_173:environment variables are encrypted at rest with the AWS managed key, or with kms_key_arn when the blueprint gives function.kms_key
  function_name                  = local.failover_function.name
  description                    = local.failover_function.description
  role                           = aws_iam_role.failover.arn
  runtime                        = local.failover_function.runtime
  handler                        = local.failover_function.handler
  filename                       = archive_file.failover.output_path
  source_code_hash               = archive_file.failover.output_base64sha256
  architectures                  = [local.failover_function.architecture]
  timeout                        = local.failover_function.timeout
  memory_size                    = local.failover_function.memory_size
  reserved_concurrent_executions = local.failover_function.reserved_concurrent_executions
  # without environment variables a key would show as a change on every plan
  kms_key_arn = length(local.failover_function.environment) > 0 ? local.failover_function.kms_key_arn : null

  dynamic "environment" {
    for_each = length(local.failover_function.environment) > 0 ? [local.failover_function.environment] : []

    content {
      variables = environment.value
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.failover.name
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_iam_role_policy.failover, aws_cloudwatch_log_group.failover]
}

resource "aws_lambda_permission" "failover" {
  statement_id   = "AllowInvokeFromEventBridge"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.failover.function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.failover.arn
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_cloudwatch_event_target" "failover" {
  rule      = aws_cloudwatch_event_rule.failover.name
  target_id = "failover"
  arn       = aws_lambda_function.failover.arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 20
  }

  depends_on = [aws_lambda_permission.failover]
}

resource "aws_cloudwatch_metric_alarm" "failover_errors" {
  alarm_name          = var.names.alarms.failover_errors
  alarm_description   = "The failover function of ${var.component} failed: see its log group ${aws_cloudwatch_log_group.failover.name}; the Elastic IP may still be on the failed primary."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.failover.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "failover_delivery" {
  alarm_name          = var.names.alarms.failover_delivery
  alarm_description   = "EventBridge could not invoke the failover function of ${var.component}: the Elastic IP may still be on the failed primary."
  namespace           = "AWS/Events"
  metric_name         = "FailedInvocations"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.failover.name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}
