data "aws_caller_identity" "current" {}

locals {
  # Publishing to a topic encrypted with a customer managed key needs the key too.
  topic_key_is_customer_managed = !can(regex("(^|:)alias/aws/", var.topic.kms_key_id))
  # Where events go after the last retry: the failure queue or topic, or nowhere.
  failure_target = one(concat(aws_sqs_queue.failures[*].arn, aws_sns_topic.failures[*].arn))
  # The function's dead_letter_config, when on_failure.via asks for it.
  dead_letter_target = var.on_failure.via == "dead_letter_config" ? local.failure_target : null
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

resource "aws_sqs_queue" "subscription_dlq" {
  name                      = var.subscription_dead_letter_name
  fifo_queue                = false
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

data "aws_iam_policy_document" "subscription_dlq" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.subscription_dlq.arn]

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
    resources = [aws_sqs_queue.subscription_dlq.arn]

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
  queue_url = aws_sqs_queue.subscription_dlq.id
  policy    = data.aws_iam_policy_document.subscription_dlq.json
}

resource "aws_cloudwatch_metric_alarm" "subscription_dlq" {
  alarm_name          = aws_sqs_queue.subscription_dlq.name
  alarm_description   = "Messages SNS could not deliver wait in ${aws_sqs_queue.subscription_dlq.name}: inspect them, then redrive or delete them."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.subscription_dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_lambda_permission" "worker" {
  statement_id   = "AllowInvokeFromTopic"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.worker.function_name
  principal      = "sns.amazonaws.com"
  source_arn     = aws_sns_topic.this.arn
  source_account = data.aws_caller_identity.current.account_id
}

resource "aws_sns_topic_subscription" "worker" {
  topic_arn = aws_sns_topic.this.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.worker.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.subscription_dlq.arn
  })

  depends_on = [aws_lambda_permission.worker, aws_sqs_queue_policy.subscription_dlq]
}

resource "aws_sqs_queue" "failures" {
  count = var.on_failure.kind == "queue" ? 1 : 0

  name                      = var.on_failure.name
  message_retention_seconds = var.on_failure.message_retention_seconds
  sqs_managed_sse_enabled   = true
}

data "aws_iam_policy_document" "failures" {
  count = var.on_failure.kind == "queue" ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.failures[0].arn]

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

resource "aws_sqs_queue_policy" "failures" {
  count = var.on_failure.kind == "queue" ? 1 : 0

  queue_url = aws_sqs_queue.failures[0].id
  policy    = data.aws_iam_policy_document.failures[0].json
}

resource "aws_cloudwatch_metric_alarm" "failures" {
  count = var.on_failure.kind == "queue" ? 1 : 0

  alarm_name          = aws_sqs_queue.failures[0].name
  alarm_description   = "Events that failed every retry wait in ${aws_sqs_queue.failures[0].name}: inspect them, then redrive or delete them."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.failures[0].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_sns_topic" "failures" {
  count = var.on_failure.kind == "topic" ? 1 : 0

  name              = var.on_failure.name
  kms_master_key_id = var.topic.kms_key_id
}

data "aws_iam_policy_document" "failures_topic" {
  count = var.on_failure.kind == "topic" ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.failures[0].arn]

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

resource "aws_sns_topic_policy" "failures" {
  count = var.on_failure.kind == "topic" ? 1 : 0

  arn    = aws_sns_topic.failures[0].arn
  policy = data.aws_iam_policy_document.failures_topic[0].json
}

resource "aws_sns_topic_subscription" "failures" {
  for_each = toset(var.on_failure.kind == "topic" ? var.on_failure.emails : [])

  topic_arn = aws_sns_topic.failures[0].arn
  protocol  = "email"
  endpoint  = each.value
}

data "aws_kms_key" "topic" {
  count = var.on_failure.kind == "topic" && local.topic_key_is_customer_managed ? 1 : 0

  key_id = var.topic.kms_key_id
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

  dynamic "statement" {
    for_each = aws_sqs_queue.failures

    content {
      sid       = "SendFailedEvents"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value.arn]
    }
  }

  dynamic "statement" {
    for_each = aws_sns_topic.failures

    content {
      sid       = "PublishFailedEvents"
      actions   = ["sns:Publish"]
      resources = [statement.value.arn]
    }
  }

  dynamic "statement" {
    for_each = data.aws_kms_key.topic

    content {
      sid       = "EncryptFailedEvents"
      actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
      resources = [statement.value.arn]
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
  #checkov:skip=CKV_AWS_116:failed events go to the on-failure destination or the dead-letter config chosen by on_failure, or are discarded when the blueprint says on_failure.kind: discard
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

  dynamic "dead_letter_config" {
    for_each = local.dead_letter_target == null ? [] : [local.dead_letter_target]

    content {
      target_arn = dead_letter_config.value
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

resource "aws_lambda_function_event_invoke_config" "worker" {
  function_name                = aws_lambda_function.worker.function_name
  maximum_retry_attempts       = var.async_invoke.maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_invoke.maximum_event_age_in_seconds

  dynamic "destination_config" {
    for_each = var.on_failure.via == "destination" && local.failure_target != null ? [local.failure_target] : []

    content {
      on_failure {
        destination = destination_config.value
      }
    }
  }
}
