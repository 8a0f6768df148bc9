resource "aws_sns_topic" "topic" {
  name                        = "${var.name}.fifo"
  fifo_topic                  = true
  content_based_deduplication = true
  kms_master_key_id           = "alias/aws/sns"
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

# Subscriber ledger
resource "aws_sqs_queue" "ledger_dlq" {
  name                      = "${var.name}-ledger-dlq.fifo"
  fifo_queue                = true
  message_retention_seconds = var.subscribers.ledger.dead_letter.message_retention_seconds
  sqs_managed_sse_enabled   = true
}

# Only the source queue may move messages into its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "ledger_dlq" {
  queue_url = aws_sqs_queue.ledger_dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.ledger.arn]
  })
}

resource "aws_sqs_queue" "ledger" {
  name                       = "${var.name}-ledger.fifo"
  fifo_queue                 = true
  message_retention_seconds  = var.subscribers.ledger.queue.message_retention_seconds
  visibility_timeout_seconds = var.subscribers.ledger.queue.visibility_timeout_seconds
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.ledger_dlq.arn
    maxReceiveCount     = var.subscribers.ledger.dead_letter.max_receive_count
  })
}

data "aws_iam_policy_document" "ledger" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.ledger.arn]

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
    resources = [aws_sqs_queue.ledger.arn]

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

resource "aws_sqs_queue_policy" "ledger" {
  queue_url = aws_sqs_queue.ledger.id
  policy    = data.aws_iam_policy_document.ledger.json
}

data "aws_iam_policy_document" "ledger_dlq" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.ledger_dlq.arn]

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

resource "aws_sqs_queue_policy" "ledger_dlq" {
  queue_url = aws_sqs_queue.ledger_dlq.id
  policy    = data.aws_iam_policy_document.ledger_dlq.json
}

resource "aws_sns_topic_subscription" "ledger" {
  topic_arn            = aws_sns_topic.topic.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.ledger.arn
  raw_message_delivery = false

  depends_on = [aws_sqs_queue_policy.ledger]
}

data "archive_file" "ledger_worker" {
  type        = "zip"
  source_dir  = "${path.root}/${var.subscribers.ledger.function.source_dir}"
  output_path = "${path.root}/.archgen/${var.name}-ledger.zip"
}

resource "aws_cloudwatch_log_group" "ledger_worker" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest by default; set function.kms_key for a customer-managed key
  name              = "/aws/lambda/${var.name}-ledger"
  retention_in_days = var.subscribers.ledger.function.log_retention_in_days
}

data "aws_iam_policy_document" "ledger_worker_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ledger_worker" {
  name               = "${var.name}-ledger"
  description        = "Processes messages of the ledger subscriber of the events topic"
  assume_role_policy = data.aws_iam_policy_document.ledger_worker_assume.json
}

data "aws_iam_policy_document" "ledger_worker" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.ledger_worker.arn}:*"]
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
    resources = [aws_sqs_queue.ledger.arn]
  }
}

resource "aws_iam_role_policy" "ledger_worker" {
  name   = "${var.name}-ledger"
  role   = aws_iam_role.ledger_worker.id
  policy = data.aws_iam_policy_document.ledger_worker.json
}

resource "aws_lambda_function" "ledger_worker" {
  #checkov:skip=CKV_AWS_117:the function calls only AWS service endpoints and needs no VPC resources
  #checkov:skip=CKV_AWS_272:the package is zipped from source by Terraform at plan time and cannot carry a Signer signature
  #checkov:skip=CKV_AWS_116:an SQS event source mapping invokes it synchronously: failed messages go to the queue's dead-letter queue
  function_name                  = "${var.name}-ledger"
  description                    = "Processes messages of the ledger subscriber of the events topic"
  role                           = aws_iam_role.ledger_worker.arn
  runtime                        = var.subscribers.ledger.function.runtime
  handler                        = var.subscribers.ledger.function.handler
  filename                       = data.archive_file.ledger_worker.output_path
  source_code_hash               = data.archive_file.ledger_worker.output_base64sha256
  architectures                  = [var.subscribers.ledger.function.architecture]
  timeout                        = var.subscribers.ledger.function.timeout
  memory_size                    = var.subscribers.ledger.function.memory_size
  reserved_concurrent_executions = var.subscribers.ledger.function.reserved_concurrent_executions

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.ledger_worker.name
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_iam_role_policy.ledger_worker, aws_cloudwatch_log_group.ledger_worker]
}

resource "aws_lambda_event_source_mapping" "ledger_worker" {
  event_source_arn        = aws_sqs_queue.ledger.arn
  function_name           = aws_lambda_function.ledger_worker.arn
  batch_size              = var.subscribers.ledger.trigger.batch_size
  function_response_types = ["ReportBatchItemFailures"]
}

# Subscriber search
resource "aws_sqs_queue" "search_dlq" {
  name                      = "${var.name}-search-dlq"
  message_retention_seconds = var.subscribers.search.dead_letter.message_retention_seconds
  sqs_managed_sse_enabled   = true
}

# Only the source queue may move messages into its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "search_dlq" {
  queue_url = aws_sqs_queue.search_dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.search.arn]
  })
}

resource "aws_sqs_queue" "search" {
  name                       = "${var.name}-search"
  message_retention_seconds  = var.subscribers.search.queue.message_retention_seconds
  visibility_timeout_seconds = var.subscribers.search.queue.visibility_timeout_seconds
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.search_dlq.arn
    maxReceiveCount     = var.subscribers.search.dead_letter.max_receive_count
  })
}

data "aws_iam_policy_document" "search" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.search.arn]

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
    resources = [aws_sqs_queue.search.arn]

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

resource "aws_sqs_queue_policy" "search" {
  queue_url = aws_sqs_queue.search.id
  policy    = data.aws_iam_policy_document.search.json
}

data "aws_iam_policy_document" "search_dlq" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.search_dlq.arn]

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

resource "aws_sqs_queue_policy" "search_dlq" {
  queue_url = aws_sqs_queue.search_dlq.id
  policy    = data.aws_iam_policy_document.search_dlq.json
}

resource "aws_sns_topic_subscription" "search" {
  topic_arn            = aws_sns_topic.topic.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.search.arn
  raw_message_delivery = true

  depends_on = [aws_sqs_queue_policy.search]
}
