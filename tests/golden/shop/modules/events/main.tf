locals {
  dead_letters = { for name, s in var.subscribers : name => s if s.dead_letter != null }
  workers      = { for name, s in var.subscribers : name => s if s.worker != null }
  functions    = { for name, s in local.workers : name => s.worker.function }
}

resource "aws_sns_topic" "this" {
  name                        = var.topic.name
  fifo_topic                  = var.topic.fifo
  content_based_deduplication = var.topic.fifo ? var.topic.content_based_deduplication : null
  kms_master_key_id           = var.topic.kms_key_id
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

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
    for_each = var.topic.policy_statements

    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = coalesce(statement.value.resources, [aws_sns_topic.this.arn])

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

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_sqs_queue" "subscriber_dlq" {
  for_each = local.dead_letters

  name                      = each.value.dead_letter.name
  fifo_queue                = each.value.queue.fifo
  message_retention_seconds = each.value.dead_letter.message_retention_seconds
  sqs_managed_sse_enabled   = each.value.queue.kms_key_id == null ? true : null
  kms_master_key_id         = each.value.queue.kms_key_id
}

# Only the source queue may move messages into its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "subscriber_dlq" {
  for_each = local.dead_letters

  queue_url = aws_sqs_queue.subscriber_dlq[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.subscriber[each.key].arn]
  })
}

data "aws_iam_policy_document" "subscriber_dlq" {
  for_each = local.dead_letters

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.subscriber_dlq[each.key].arn]

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

resource "aws_sqs_queue_policy" "subscriber_dlq" {
  for_each = local.dead_letters

  queue_url = aws_sqs_queue.subscriber_dlq[each.key].id
  policy    = data.aws_iam_policy_document.subscriber_dlq[each.key].json
}

resource "aws_cloudwatch_metric_alarm" "subscriber_dlq" {
  for_each = local.dead_letters

  alarm_name          = aws_sqs_queue.subscriber_dlq[each.key].name
  alarm_description   = "Messages that failed processing ${each.value.dead_letter.max_receive_count} times wait in ${aws_sqs_queue.subscriber_dlq[each.key].name}: inspect them, then redrive or delete them."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.subscriber_dlq[each.key].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_sqs_queue" "subscriber" {
  for_each = var.subscribers

  name                        = each.value.queue.name
  fifo_queue                  = each.value.queue.fifo
  content_based_deduplication = each.value.queue.fifo ? each.value.queue.content_based_deduplication : null
  deduplication_scope         = each.value.queue.fifo && each.value.queue.high_throughput ? "messageGroup" : null
  fifo_throughput_limit       = each.value.queue.fifo && each.value.queue.high_throughput ? "perMessageGroupId" : null
  message_retention_seconds   = each.value.queue.message_retention_seconds
  visibility_timeout_seconds  = each.value.queue.visibility_timeout_seconds
  sqs_managed_sse_enabled     = each.value.queue.kms_key_id == null ? true : null
  kms_master_key_id           = each.value.queue.kms_key_id

  redrive_policy = each.value.dead_letter == null ? null : jsonencode({
    deadLetterTargetArn = aws_sqs_queue.subscriber_dlq[each.key].arn
    maxReceiveCount     = each.value.dead_letter.max_receive_count
  })
}

data "aws_iam_policy_document" "subscriber" {
  for_each = var.subscribers

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.subscriber[each.key].arn]

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
    sid       = "AllowTopicToSend"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.subscriber[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.this.arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.queue.policy_statements

    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = coalesce(statement.value.resources, [aws_sqs_queue.subscriber[each.key].arn])

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

resource "aws_sqs_queue_policy" "subscriber" {
  for_each = var.subscribers

  queue_url = aws_sqs_queue.subscriber[each.key].id
  policy    = data.aws_iam_policy_document.subscriber[each.key].json
}

resource "aws_sqs_queue" "subscription_dlq" {
  for_each = var.subscribers

  name                      = each.value.subscription_dead_letter_name
  fifo_queue                = var.topic.fifo
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

data "aws_iam_policy_document" "subscription_dlq" {
  for_each = var.subscribers

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.subscription_dlq[each.key].arn]

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
    sid       = "AllowTopicToMoveUndeliverableMessages"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.subscription_dlq[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.this.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "subscription_dlq" {
  for_each = var.subscribers

  queue_url = aws_sqs_queue.subscription_dlq[each.key].id
  policy    = data.aws_iam_policy_document.subscription_dlq[each.key].json
}

resource "aws_cloudwatch_metric_alarm" "subscription_dlq" {
  for_each = var.subscribers

  alarm_name          = aws_sqs_queue.subscription_dlq[each.key].name
  alarm_description   = "Messages SNS could not deliver wait in ${aws_sqs_queue.subscription_dlq[each.key].name}: inspect them, then redrive or delete them."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.subscription_dlq[each.key].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_sns_topic_subscription" "subscriber" {
  for_each = var.subscribers

  topic_arn            = aws_sns_topic.this.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.subscriber[each.key].arn
  raw_message_delivery = each.value.raw_message_delivery
  filter_policy        = each.value.filter_policy
  filter_policy_scope  = each.value.filter_policy == null ? null : each.value.filter_policy_scope
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.subscription_dlq[each.key].arn
  })

  depends_on = [aws_sqs_queue_policy.subscriber, aws_sqs_queue_policy.subscription_dlq]
}

data "aws_kms_key" "subscriber" {
  for_each = { for name, s in local.workers : name => s if s.queue.kms_key_id != null }

  key_id = each.value.queue.kms_key_id
}

locals {
  # A hash of each function's source: a new one gives a new archive path, so the
  # package is rebuilt at apply time (plan and apply may run in different jobs).
  worker_source_hashes = {
    for name, f in local.functions : name => sha1(join("\n", [
      for file in sort(fileset("${path.module}/${f.source_dir}", "**")) : "${file}=${filesha1("${path.module}/${f.source_dir}/${file}")}"
    ])) if f.source_dir != null
  }
}

resource "archive_file" "worker" {
  for_each = local.worker_source_hashes

  type             = "zip"
  source_dir       = "${path.module}/${local.functions[each.key].source_dir}"
  output_path      = "${path.module}/.build/${local.functions[each.key].name}-${each.value}.zip"
  output_file_mode = "0644"
}

resource "aws_cloudwatch_log_group" "worker" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest; kms_key_id is set when the blueprint gives function.kms_key
  for_each = local.functions

  name              = "/aws/lambda/${each.value.name}"
  retention_in_days = each.value.log_retention_in_days
  kms_key_id        = each.value.kms_key_arn
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
  for_each = local.functions

  name                 = each.value.role_name
  description          = each.value.description
  path                 = var.iam.path
  permissions_boundary = var.iam.permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.worker_assume.json
}

data "aws_iam_policy_document" "worker" {
  for_each = local.functions

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.worker[each.key].arn}:*"]
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
    resources = [aws_sqs_queue.subscriber[each.key].arn]
  }

  dynamic "statement" {
    for_each = var.subscribers[each.key].queue.kms_key_id == null ? [] : [var.subscribers[each.key].queue.kms_key_id]

    content {
      sid       = "DecryptMessages"
      actions   = ["kms:Decrypt"]
      resources = [data.aws_kms_key.subscriber[each.key].arn]
    }
  }
}

resource "aws_iam_role_policy" "worker" {
  for_each = local.functions

  name   = "access"
  role   = aws_iam_role.worker[each.key].id
  policy = data.aws_iam_policy_document.worker[each.key].json
}

resource "aws_lambda_function" "worker" {
  #checkov:skip=CKV_AWS_117:the function calls only AWS service endpoints and needs no VPC resources
  #checkov:skip=CKV_AWS_272:the package is zipped by Terraform at apply time, or is a container image: neither carries a Signer signature
  #checkov:skip=CKV_AWS_116:an SQS event source mapping invokes it synchronously: failed messages return to the queue and move to its dead-letter queue
  #checkov:skip=CKV_AWS_173:environment variables are encrypted at rest with the AWS managed key, or with kms_key_arn when the blueprint gives function.kms_key
  for_each = local.functions

  function_name                  = each.value.name
  description                    = each.value.description
  role                           = aws_iam_role.worker[each.key].arn
  runtime                        = each.value.runtime
  handler                        = each.value.handler
  filename                       = archive_file.worker[each.key].output_path
  source_code_hash               = archive_file.worker[each.key].output_base64sha256
  architectures                  = [each.value.architecture]
  timeout                        = each.value.timeout
  memory_size                    = each.value.memory_size
  reserved_concurrent_executions = each.value.reserved_concurrent_executions
  # without environment variables a key would show as a change on every plan
  kms_key_arn = length(each.value.environment) > 0 ? each.value.kms_key_arn : null

  dynamic "environment" {
    for_each = length(each.value.environment) > 0 ? [each.value.environment] : []

    content {
      variables = environment.value
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.worker[each.key].name
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_iam_role_policy.worker, aws_cloudwatch_log_group.worker]
}

resource "aws_lambda_event_source_mapping" "worker" {
  for_each = local.workers

  event_source_arn                   = aws_sqs_queue.subscriber[each.key].arn
  function_name                      = aws_lambda_function.worker[each.key].arn
  batch_size                         = each.value.worker.trigger.batch_size
  maximum_batching_window_in_seconds = each.value.queue.fifo ? null : each.value.worker.trigger.maximum_batching_window_in_seconds
  function_response_types            = each.value.worker.trigger.report_batch_item_failures ? ["ReportBatchItemFailures"] : []

  dynamic "scaling_config" {
    for_each = each.value.worker.trigger.maximum_concurrency == null ? [] : [each.value.worker.trigger.maximum_concurrency]

    content {
      maximum_concurrency = scaling_config.value
    }
  }
}
