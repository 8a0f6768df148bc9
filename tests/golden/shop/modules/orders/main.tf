resource "aws_sqs_queue" "this_dlq" {
  count = var.dead_letter == null ? 0 : 1

  name                      = var.dead_letter.name
  fifo_queue                = var.queue.fifo
  message_retention_seconds = var.dead_letter.message_retention_seconds
  sqs_managed_sse_enabled   = var.queue.kms_key_id == null ? true : null
  kms_master_key_id         = var.queue.kms_key_id
}

# Only the source queue may move messages into its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "this_dlq" {
  count = var.dead_letter == null ? 0 : 1

  queue_url = aws_sqs_queue.this_dlq[0].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

data "aws_iam_policy_document" "this_dlq" {
  count = var.dead_letter == null ? 0 : 1

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.this_dlq[0].arn]

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

resource "aws_sqs_queue_policy" "this_dlq" {
  count = var.dead_letter == null ? 0 : 1

  queue_url = aws_sqs_queue.this_dlq[0].id
  policy    = data.aws_iam_policy_document.this_dlq[0].json
}

resource "aws_cloudwatch_metric_alarm" "this_dlq" {
  count = var.dead_letter == null ? 0 : 1

  alarm_name          = aws_sqs_queue.this_dlq[0].name
  alarm_description   = "Messages that failed processing ${var.dead_letter.max_receive_count} times wait in ${aws_sqs_queue.this_dlq[0].name}: inspect them, then redrive or delete them."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.this_dlq[0].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_sqs_queue" "this" {
  name                        = var.queue.name
  fifo_queue                  = var.queue.fifo
  content_based_deduplication = var.queue.fifo ? var.queue.content_based_deduplication : null
  deduplication_scope         = var.queue.fifo && var.queue.high_throughput ? "messageGroup" : null
  fifo_throughput_limit       = var.queue.fifo && var.queue.high_throughput ? "perMessageGroupId" : null
  message_retention_seconds   = var.queue.message_retention_seconds
  visibility_timeout_seconds  = var.queue.visibility_timeout_seconds
  sqs_managed_sse_enabled     = var.queue.kms_key_id == null ? true : null
  kms_master_key_id           = var.queue.kms_key_id

  redrive_policy = var.dead_letter == null ? null : jsonencode({
    deadLetterTargetArn = aws_sqs_queue.this_dlq[0].arn
    maxReceiveCount     = var.dead_letter.max_receive_count
  })
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.this.arn]

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

  dynamic "statement" {
    for_each = var.queue.policy_statements

    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = coalesce(statement.value.resources, [aws_sqs_queue.this.arn])

      dynamic "principals" {
        for_each = statement.value.principals

        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = data.aws_iam_policy_document.this.json
}

data "aws_kms_key" "this" {
  count = var.queue.kms_key_id == null ? 0 : 1

  key_id = var.queue.kms_key_id
}

locals {
  # A hash of the function's source: a new one gives a new archive path, so the
  # package is rebuilt at apply time (plan and apply may run in different jobs).
  worker_source_hash = sha1(join("\n", [
    for file in sort(fileset("${path.module}/${var.function.source_dir}", "**")) : "${file}=${filesha1("${path.module}/${var.function.source_dir}/${file}")}"
  ]))
}

resource "archive_file" "worker" {
  type             = "zip"
  source_dir       = "${path.module}/${var.function.source_dir}"
  output_path      = "${path.module}/.build/${var.function.name}-${local.worker_source_hash}.zip"
  output_file_mode = "0644"
}

resource "aws_cloudwatch_log_group" "worker" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest; kms_key_id is set when the blueprint gives function.kms_key
  name              = "/aws/lambda/${var.function.name}"
  retention_in_days = var.function.log_retention_in_days
  kms_key_id        = var.function.kms_key_arn
}

data "aws_iam_policy_document" "worker_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name                 = var.function.role_name
  description          = var.function.description
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.worker_assume.json
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.worker.arn}:*"]
  }

  # X-Ray has no resource-level permissions for these two actions.
  statement {
    sid       = "WriteTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid       = "ConsumeQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.this.arn]
  }

  dynamic "statement" {
    for_each = var.queue.kms_key_id == null ? [] : [var.queue.kms_key_id]

    content {
      sid       = "DecryptMessages"
      actions   = ["kms:Decrypt"]
      resources = [data.aws_kms_key.this[0].arn]
    }
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = "access"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_lambda_function" "worker" {
  #checkov:skip=CKV_AWS_117:the function calls only AWS service endpoints and needs no VPC resources
  #checkov:skip=CKV_AWS_272:the package is zipped by Terraform at apply time, or is a container image: neither carries a Signer signature
  #checkov:skip=CKV_AWS_116:an SQS event source mapping invokes it synchronously: failed messages return to the queue and move to its dead-letter queue
  #checkov:skip=CKV_AWS_173:environment variables are encrypted at rest with the AWS managed key, or with kms_key_arn when the blueprint gives function.kms_key
  function_name                  = var.function.name
  description                    = var.function.description
  role                           = aws_iam_role.worker.arn
  runtime                        = var.function.runtime
  handler                        = var.function.handler
  filename                       = archive_file.worker.output_path
  source_code_hash               = archive_file.worker.output_base64sha256
  architectures                  = [var.function.architecture]
  timeout                        = var.function.timeout
  memory_size                    = var.function.memory_size
  reserved_concurrent_executions = var.function.reserved_concurrent_executions
  # without environment variables a key would show as a change on every plan
  kms_key_arn = length(var.function.environment) > 0 ? var.function.kms_key_arn : null

  dynamic "environment" {
    for_each = length(var.function.environment) > 0 ? [var.function.environment] : []

    content {
      variables = environment.value
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.worker.name
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_iam_role_policy.worker, aws_cloudwatch_log_group.worker]
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = aws_sqs_queue.this.arn
  function_name                      = aws_lambda_function.worker.arn
  batch_size                         = var.trigger.batch_size
  maximum_batching_window_in_seconds = var.queue.fifo ? null : var.trigger.maximum_batching_window_in_seconds
  function_response_types            = var.trigger.report_batch_item_failures ? ["ReportBatchItemFailures"] : []

  dynamic "scaling_config" {
    for_each = var.trigger.maximum_concurrency == null ? [] : [var.trigger.maximum_concurrency]

    content {
      maximum_concurrency = scaling_config.value
    }
  }
}
