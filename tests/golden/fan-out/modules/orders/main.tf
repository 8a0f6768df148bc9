resource "aws_sns_topic" "topic" {
  name              = var.name
  kms_master_key_id = "alias/aws/sns"
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.topic.arn]

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

resource "aws_sns_topic_policy" "topic" {
  arn    = aws_sns_topic.topic.arn
  policy = data.aws_iam_policy_document.topic.json
}

# Subscriber audit
resource "aws_sqs_queue" "audit_dlq" {
  name                      = "${var.name}-audit-dlq"
  message_retention_seconds = var.subscribers.audit.dead_letter.message_retention_seconds
  sqs_managed_sse_enabled   = true
}

# Only the source queue may move messages into its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "audit_dlq" {
  queue_url = aws_sqs_queue.audit_dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.audit.arn]
  })
}

resource "aws_sqs_queue" "audit" {
  name                       = "${var.name}-audit"
  message_retention_seconds  = var.subscribers.audit.queue.message_retention_seconds
  visibility_timeout_seconds = var.subscribers.audit.queue.visibility_timeout_seconds
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.audit_dlq.arn
    maxReceiveCount     = var.subscribers.audit.dead_letter.max_receive_count
  })
}

data "aws_iam_policy_document" "audit" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.audit.arn]

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
    resources = [aws_sqs_queue.audit.arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.topic.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "audit" {
  queue_url = aws_sqs_queue.audit.id
  policy    = data.aws_iam_policy_document.audit.json
}

data "aws_iam_policy_document" "audit_dlq" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.audit_dlq.arn]

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

resource "aws_sqs_queue_policy" "audit_dlq" {
  queue_url = aws_sqs_queue.audit_dlq.id
  policy    = data.aws_iam_policy_document.audit_dlq.json
}

resource "aws_sns_topic_subscription" "audit" {
  topic_arn            = aws_sns_topic.topic.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.audit.arn
  raw_message_delivery = true

  depends_on = [aws_sqs_queue_policy.audit]
}

# Subscriber billing
resource "aws_sqs_queue" "billing_dlq" {
  name                      = "${var.name}-billing-dlq"
  message_retention_seconds = var.subscribers.billing.dead_letter.message_retention_seconds
  sqs_managed_sse_enabled   = true
}

# Only the source queue may move messages into its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "billing_dlq" {
  queue_url = aws_sqs_queue.billing_dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.billing.arn]
  })
}

resource "aws_sqs_queue" "billing" {
  name                       = "${var.name}-billing"
  message_retention_seconds  = var.subscribers.billing.queue.message_retention_seconds
  visibility_timeout_seconds = var.subscribers.billing.queue.visibility_timeout_seconds
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.billing_dlq.arn
    maxReceiveCount     = var.subscribers.billing.dead_letter.max_receive_count
  })
}

data "aws_iam_policy_document" "billing" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.billing.arn]

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
    resources = [aws_sqs_queue.billing.arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.topic.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "billing" {
  queue_url = aws_sqs_queue.billing.id
  policy    = data.aws_iam_policy_document.billing.json
}

data "aws_iam_policy_document" "billing_dlq" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.billing_dlq.arn]

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

resource "aws_sqs_queue_policy" "billing_dlq" {
  queue_url = aws_sqs_queue.billing_dlq.id
  policy    = data.aws_iam_policy_document.billing_dlq.json
}

resource "aws_sns_topic_subscription" "billing" {
  topic_arn            = aws_sns_topic.topic.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.billing.arn
  raw_message_delivery = false
  filter_policy_scope  = "MessageAttributes"
  filter_policy = jsonencode({
    "type" = ["invoice", "refund"]
    "amount" = [
      {
        "numeric" = [">", 0]
      },
    ]
  })

  depends_on = [aws_sqs_queue_policy.billing]
}

data "archive_file" "billing_worker" {
  type        = "zip"
  source_dir  = "${path.root}/${var.subscribers.billing.function.source_dir}"
  output_path = "${path.root}/.archgen/${var.name}-billing.zip"
}

resource "aws_cloudwatch_log_group" "billing_worker" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest by default; set function.kms_key for a customer-managed key
  name              = "/aws/lambda/${var.name}-billing"
  retention_in_days = var.subscribers.billing.function.log_retention_in_days
}

data "aws_iam_policy_document" "billing_worker_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "billing_worker" {
  name               = "${var.name}-billing"
  description        = "Processes messages of the billing subscriber of the orders topic"
  assume_role_policy = data.aws_iam_policy_document.billing_worker_assume.json
}

data "aws_iam_policy_document" "billing_worker" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.billing_worker.arn}:*"]
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
    resources = [aws_sqs_queue.billing.arn]
  }
}

resource "aws_iam_role_policy" "billing_worker" {
  name   = "${var.name}-billing"
  role   = aws_iam_role.billing_worker.id
  policy = data.aws_iam_policy_document.billing_worker.json
}

resource "aws_lambda_function" "billing_worker" {
  #checkov:skip=CKV_AWS_117:the function calls only AWS service endpoints and needs no VPC resources
  #checkov:skip=CKV_AWS_272:the package is zipped from source by Terraform at plan time and cannot carry a Signer signature
  #checkov:skip=CKV_AWS_116:an SQS event source mapping invokes it synchronously: failed messages go to the queue's dead-letter queue
  function_name                  = "${var.name}-billing"
  description                    = "Processes messages of the billing subscriber of the orders topic"
  role                           = aws_iam_role.billing_worker.arn
  runtime                        = var.subscribers.billing.function.runtime
  handler                        = var.subscribers.billing.function.handler
  filename                       = data.archive_file.billing_worker.output_path
  source_code_hash               = data.archive_file.billing_worker.output_base64sha256
  architectures                  = [var.subscribers.billing.function.architecture]
  timeout                        = var.subscribers.billing.function.timeout
  memory_size                    = var.subscribers.billing.function.memory_size
  reserved_concurrent_executions = var.subscribers.billing.function.reserved_concurrent_executions

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.billing_worker.name
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_iam_role_policy.billing_worker, aws_cloudwatch_log_group.billing_worker]
}

resource "aws_lambda_event_source_mapping" "billing_worker" {
  event_source_arn                   = aws_sqs_queue.billing.arn
  function_name                      = aws_lambda_function.billing_worker.arn
  batch_size                         = var.subscribers.billing.trigger.batch_size
  maximum_batching_window_in_seconds = var.subscribers.billing.trigger.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]
}
