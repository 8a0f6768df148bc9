data "aws_region" "network" {}

data "aws_caller_identity" "network" {}

# The zones that offer each instance type of this module: the new VPC goes where all of them are.
data "aws_ec2_instance_type_offerings" "network" {
  for_each = var.network.create && var.network.availability_zone == null ? toset(var.network.instance_types) : toset([])

  location_type = "availability-zone"

  filter {
    name   = "instance-type"
    values = [each.value]
  }
}

locals {
  network_zone = !var.network.create ? null : var.network.availability_zone != null ? var.network.availability_zone : try(
    sort(setintersection([for o in data.aws_ec2_instance_type_offerings.network : toset(o.locations)]...))[0], null
  )
  network_public_subnet_id  = one(aws_subnet.public[*].id)
  network_private_subnet_id = one(aws_subnet.private[*].id)
  network_security_group_id = one(aws_security_group.cluster[*].id)
}

resource "aws_vpc" "this" {
  count = var.network.create ? 1 : 0

  cidr_block           = var.network.cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.network.name }
}

# No rule at all: nothing may use the default security group.
resource "aws_default_security_group" "this" {
  count = var.network.create ? 1 : 0

  vpc_id = aws_vpc.this[0].id
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest with its own keys; flow logs hold addresses and ports, no payload
  count = var.network.create ? 1 : 0

  name              = var.network.flow_log_group_name
  retention_in_days = var.network.flow_log_retention_in_days
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.network.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  count = var.network.create ? 1 : 0

  name                 = var.network.flow_log_role_name
  description          = "Delivers the flow logs of VPC ${var.network.name}"
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.flow_logs_assume.json
}

data "aws_iam_policy_document" "flow_logs" {
  count = var.network.create ? 1 : 0

  statement {
    sid       = "WriteFlowLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [aws_cloudwatch_log_group.flow_logs[0].arn, "${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  count = var.network.create ? 1 : 0

  name   = "flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs[0].json
}

resource "aws_flow_log" "this" {
  count = var.network.create ? 1 : 0

  vpc_id          = aws_vpc.this[0].id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn    = aws_iam_role.flow_logs[0].arn
}

resource "aws_internet_gateway" "this" {
  count = var.network.create ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = { Name = var.network.name }
}

# The public quarter of the block: the NAT gateway (and, for a cluster, its head node).
resource "aws_subnet" "public" {
  count = var.network.create ? 1 : 0

  vpc_id            = aws_vpc.this[0].id
  cidr_block        = cidrsubnet(var.network.cidr, 2, 2)
  availability_zone = local.network_zone
  tags              = { Name = "${var.network.name}-public" }

  lifecycle {
    precondition {
      condition     = local.network_zone != null
      error_message = "No Availability Zone of the Region offers every instance type of this module: set network.availability_zone, or choose other instance types."
    }
  }
}

# The private half of the block: compute nodes, without public addresses.
resource "aws_subnet" "private" {
  count = var.network.create ? 1 : 0

  vpc_id            = aws_vpc.this[0].id
  cidr_block        = cidrsubnet(var.network.cidr, 1, 0)
  availability_zone = local.network_zone
  tags              = { Name = "${var.network.name}-private" }
}

resource "aws_eip" "nat" {
  count = var.network.create ? 1 : 0

  domain     = "vpc"
  tags       = { Name = "${var.network.name}-nat" }
  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = var.network.create ? 1 : 0

  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id
  tags          = { Name = var.network.name }
  depends_on    = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  count = var.network.create ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = { Name = "${var.network.name}-public" }

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this[0].id
  }
}

resource "aws_route_table" "private" {
  count = var.network.create ? 1 : 0

  vpc_id = aws_vpc.this[0].id
  tags   = { Name = "${var.network.name}-private" }

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this[0].id
  }
}

resource "aws_route_table_association" "public" {
  count = var.network.create ? 1 : 0

  subnet_id      = aws_subnet.public[0].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_route_table_association" "private" {
  count = var.network.create ? 1 : 0

  subnet_id      = aws_subnet.private[0].id
  route_table_id = aws_route_table.private[0].id
}

# S3 traffic stays on the AWS network and off the NAT gateway's bill.
resource "aws_vpc_endpoint" "s3" {
  count = var.network.create ? 1 : 0

  vpc_id            = aws_vpc.this[0].id
  service_name      = "com.amazonaws.${data.aws_region.network.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private[0].id, aws_route_table.public[0].id]
  tags              = { Name = "${var.network.name}-s3" }
}

resource "aws_security_group" "cluster" {
  #checkov:skip=CKV2_AWS_5:the compute environment and the EFA launch template use it whenever it exists (with a new VPC)
  count = var.network.create ? 1 : 0

  name        = var.network.security_group_name
  description = "Cluster nodes: all traffic within this group (EFA needs it) and all outbound traffic"
  vpc_id      = aws_vpc.this[0].id
  tags        = { Name = var.network.security_group_name }
}

resource "aws_vpc_security_group_ingress_rule" "cluster_self" {
  count = var.network.create ? 1 : 0

  security_group_id            = aws_security_group.cluster[0].id
  referenced_security_group_id = aws_security_group.cluster[0].id
  ip_protocol                  = "-1"
  description                  = "All traffic from the cluster's own nodes"
}

resource "aws_vpc_security_group_egress_rule" "cluster_self" {
  count = var.network.create ? 1 : 0

  security_group_id            = aws_security_group.cluster[0].id
  referenced_security_group_id = aws_security_group.cluster[0].id
  ip_protocol                  = "-1"
  description                  = "All traffic to the cluster's own nodes"
}

resource "aws_vpc_security_group_egress_rule" "cluster_out" {
  count = var.network.create ? 1 : 0

  security_group_id = aws_security_group.cluster[0].id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "Outbound: AWS service endpoints, package repositories, container registries"
}

# Compute nodes lose their outbound connections without a sign but this metric.
resource "aws_cloudwatch_metric_alarm" "nat_port_allocation" {
  count = var.network.create ? 1 : 0

  alarm_name          = var.network.nat_alarm_name
  alarm_description   = "NAT gateway ${var.network.name} could not allocate source ports: connections from the private subnet fail."
  namespace           = "AWS/NATGateway"
  metric_name         = "ErrorPortAllocation"
  dimensions          = { NatGatewayId = aws_nat_gateway.this[0].id }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

locals {
  # Multi-node containers get no public address: the compute environment uses private subnets only.
  subnet_ids         = var.network.create ? [local.network_private_subnet_id] : var.network.subnet_ids
  security_group_ids = var.network.create ? [local.network_security_group_id] : var.network.security_group_ids
}

# Every node of a job close together: one Availability Zone, high network flow between instances.
resource "aws_placement_group" "this" {
  name     = var.names.placement_group
  strategy = "cluster"
}

resource "aws_launch_template" "this" {
  name                   = var.names.launch_template
  description            = "Batch multi-node instances: IMDSv2, encrypted root volume, EFA when enabled"
  update_default_version = true
  # Batch takes launch template user data as MIME multi-part; with EFA it installs the EFA kernel module
  user_data = var.compute.efa ? filebase64("${path.module}/efa-user-data.mime") : null

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.compute.root_volume_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  # An EFA is requested as the primary network interface; its security groups are the environment's.
  dynamic "network_interfaces" {
    for_each = var.compute.efa ? [1] : []

    content {
      device_index          = 0
      interface_type        = "efa"
      security_groups       = local.security_group_ids
      delete_on_termination = true
    }
  }
}

data "aws_iam_policy_document" "instance_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# The ECS container instance role: the ECS agent registers, pulls images and writes the containers' logs.
resource "aws_iam_role" "instance" {
  name                 = var.names.instance_role
  description          = "ECS container instances of Batch compute environment ${var.names.compute_environment}"
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.instance_assume.json
}

resource "aws_iam_role_policy_attachment" "instance" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:${data.aws_partition.this.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_instance_profile" "instance" {
  name = var.names.instance_profile
  path = var.iam.path
  role = aws_iam_role.instance.name
}

data "aws_partition" "this" {}

data "aws_iam_policy_document" "service_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["batch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.network.account_id]
    }
  }
}

# The role Batch uses to manage the environment's instances.
resource "aws_iam_role" "service" {
  name                 = var.names.service_role
  description          = "AWS Batch manages compute environment ${var.names.compute_environment}"
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.service_assume.json
}

resource "aws_iam_role_policy_attachment" "service" {
  role       = aws_iam_role.service.name
  policy_arn = "arn:${data.aws_partition.this.partition}:iam::aws:policy/service-role/AWSBatchServiceRole"
}

# On-Demand only: multi-node parallel jobs cannot run on Spot, Fargate or unmanaged environments.
resource "aws_batch_compute_environment" "this" {
  name         = var.names.compute_environment
  type         = "MANAGED"
  state        = "ENABLED"
  service_role = aws_iam_role.service.arn

  compute_resources {
    type                = "EC2"
    allocation_strategy = "BEST_FIT_PROGRESSIVE"
    min_vcpus           = 0
    max_vcpus           = var.compute.max_vcpus
    instance_type       = var.compute.instance_types
    subnets             = local.subnet_ids
    security_group_ids  = local.security_group_ids
    instance_role       = aws_iam_instance_profile.instance.arn
    placement_group     = aws_placement_group.this.name

    ec2_configuration {
      image_type = "ECS_AL2023"
    }

    launch_template {
      launch_template_id = aws_launch_template.this.id
      version            = aws_launch_template.this.latest_version
    }
  }

  depends_on = [aws_iam_role_policy_attachment.service]
}

resource "aws_batch_job_queue" "this" {
  name     = var.names.job_queue
  state    = "ENABLED"
  priority = 1

  compute_environment_order {
    order               = 1
    compute_environment = aws_batch_compute_environment.this.arn
  }

  # A job that can never start is cancelled (and so fails, and alarms) instead of waiting unseen.
  dynamic "job_state_time_limit_action" {
    for_each = ["CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"]

    content {
      action           = "CANCEL"
      state            = "RUNNABLE"
      reason           = job_state_time_limit_action.value
      max_time_seconds = var.job.runnable_timeout_seconds
    }
  }
}

resource "aws_cloudwatch_log_group" "job" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest with its own keys
  name              = var.names.log_group
  retention_in_days = var.job.log_retention_in_days
}

resource "aws_batch_job_definition" "this" {
  name                  = var.names.job_definition
  type                  = "multinode"
  platform_capabilities = ["EC2"]
  propagate_tags        = true

  node_properties = jsonencode({
    mainNode = var.job.main_node
    numNodes = var.job.nodes
    nodeRangeProperties = [for g in var.job.node_groups : {
      targetNodes = g.target_nodes
      container = merge({
        image        = g.image
        command      = g.command
        instanceType = var.job.instance_type
        resourceRequirements = [
          { type = "VCPU", value = tostring(g.vcpus) },
          { type = "MEMORY", value = tostring(g.memory) },
        ]
        logConfiguration = {
          logDriver = "awslogs"
          options = {
            "awslogs-group"         = aws_cloudwatch_log_group.job.name
            "awslogs-region"        = data.aws_region.network.region
            "awslogs-stream-prefix" = var.names.job_definition
          }
        }
        }, var.compute.efa ? {
        # the EFA device, passed through to the container
        linuxParameters = {
          devices = [{ hostPath = "/dev/infiniband/uverbs0", containerPath = "/dev/infiniband/uverbs0", permissions = ["READ", "WRITE", "MKNOD"] }]
        }
      } : {})
    }]
  })

  retry_strategy {
    attempts = var.job.attempts
  }

  dynamic "timeout" {
    for_each = var.job.timeout_seconds == null ? [] : [var.job.timeout_seconds]

    content {
      attempt_duration_seconds = timeout.value
    }
  }
}

# Failed jobs of this queue: the rule's TriggeredRules metric drives the alarm.
resource "aws_cloudwatch_event_rule" "failed" {
  name        = var.names.failed_rule
  description = "Jobs of Batch job queue ${var.names.job_queue} that failed"

  event_pattern = jsonencode({
    source      = ["aws.batch"]
    detail-type = ["Batch Job State Change"]
    detail = {
      status   = ["FAILED"]
      jobQueue = [aws_batch_job_queue.this.arn]
    }
  })
}

resource "aws_cloudwatch_metric_alarm" "failed" {
  alarm_name          = var.names.failed_rule
  alarm_description   = "A job of Batch job queue ${var.names.job_queue} failed (or was cancelled waiting for capacity): see its status reason with aws batch describe-jobs."
  namespace           = "AWS/Events"
  metric_name         = "TriggeredRules"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.failed.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}
