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
  #checkov:skip=CKV2_AWS_5:ParallelCluster attaches it to the head node and the compute nodes (the cluster config names it)
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
  head_subnet_id     = var.network.create ? local.network_public_subnet_id : var.network.subnet_ids[0]
  compute_subnet_ids = var.network.create ? [local.network_private_subnet_id] : (length(var.network.subnet_ids) > 1 ? slice(var.network.subnet_ids, 1, length(var.network.subnet_ids)) : var.network.subnet_ids)
  security_group_ids = var.network.create ? [local.network_security_group_id] : var.network.security_group_ids

  # The ParallelCluster config: archgen's template with the ids Terraform knows after apply.
  cluster_config = templatefile(var.cluster_config_template, {
    head_subnet_id    = local.head_subnet_id
    compute_subnet_id = local.compute_subnet_ids[0]
    security_group_id = local.security_group_ids[0]
    data_bucket       = aws_s3_bucket.data.bucket
  })
}

# The data bucket: FSx for Lustre imports from it and exports to it; the nodes read and write it.
resource "aws_s3_bucket" "data" {
  #checkov:skip=CKV_AWS_144:cross-Region replication needs a second bucket in another Region, a recovery decision the blueprint does not make; versioning keeps every overwritten object
  #checkov:skip=CKV2_AWS_62:nothing consumes event notifications of this bucket
  bucket_prefix = var.bucket.prefix
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    bucket_key_enabled = var.bucket.kms_key_arn != null

    apply_server_side_encryption_by_default {
      sse_algorithm     = var.bucket.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.bucket.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.bucket.noncurrent_version_expiration_days
    }

    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.data]
}

resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.data_logs.id
  target_prefix = "access/"

  depends_on = [aws_s3_bucket_policy.data_logs]
}

data "aws_iam_policy_document" "data" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = data.aws_iam_policy_document.data.json

  depends_on = [aws_s3_bucket_public_access_block.data]
}

# The access logs of data: written by the S3 logging service only.
resource "aws_s3_bucket" "data_logs" {
  #checkov:skip=CKV_AWS_144:access logs are kept in the Region they describe
  #checkov:skip=CKV2_AWS_62:nothing consumes event notifications of the access logs
  #checkov:skip=CKV_AWS_145:S3 delivers server access logs only to buckets whose default encryption is SSE-S3
  bucket_prefix = var.bucket.log_prefix
}

resource "aws_s3_bucket_ownership_controls" "data_logs" {
  bucket = aws_s3_bucket.data_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "data_logs" {
  bucket                  = aws_s3_bucket.data_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data_logs" {
  bucket = aws_s3_bucket.data_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "data_logs" {
  bucket = aws_s3_bucket.data_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "data_logs" {
  bucket = aws_s3_bucket.data_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = 365
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.data_logs]
}

data "aws_iam_policy_document" "data_logs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.data_logs.arn, "${aws_s3_bucket.data_logs.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data_logs.arn}/access/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.data.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.data.account_id]
    }
  }
}

data "aws_caller_identity" "data" {}

resource "aws_s3_bucket_policy" "data_logs" {
  bucket = aws_s3_bucket.data_logs.id
  policy = data.aws_iam_policy_document.data_logs.json

  depends_on = [aws_s3_bucket_public_access_block.data_logs]
}

# Spot capacity needs this role once per account.
resource "aws_iam_service_linked_role" "spot" {
  count = var.create_spot_service_linked_role ? 1 : 0

  aws_service_name = "spot.amazonaws.com"
  description      = "Lets EC2 launch and manage Spot Instances for ParallelCluster"
}
