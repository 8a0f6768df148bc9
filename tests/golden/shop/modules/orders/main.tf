resource "aws_sqs_queue" "worker_dlq" {
  name                      = "${var.name}-dlq.fifo"
  fifo_queue                = true
  message_retention_seconds = var.dead_letter.message_retention_seconds
  sqs_managed_sse_enabled   = true
}

# Only the source queue may move messages into its dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "worker_dlq" {
  queue_url = aws_sqs_queue.worker_dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.worker.arn]
  })
}

resource "aws_sqs_queue" "worker" {
  name                       = "${var.name}.fifo"
  fifo_queue                 = true
  message_retention_seconds  = var.queue.message_retention_seconds
  visibility_timeout_seconds = var.queue.visibility_timeout_seconds
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.worker_dlq.arn
    maxReceiveCount     = var.dead_letter.max_receive_count
  })
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.worker.arn]

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

resource "aws_sqs_queue_policy" "queue" {
  queue_url = aws_sqs_queue.worker.id
  policy    = data.aws_iam_policy_document.queue.json
}

data "aws_iam_policy_document" "dead_letter" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.worker_dlq.arn]

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

resource "aws_sqs_queue_policy" "dead_letter" {
  queue_url = aws_sqs_queue.worker_dlq.id
  policy    = data.aws_iam_policy_document.dead_letter.json
}

data "archive_file" "worker" {
  type        = "zip"
  source_dir  = "${path.root}/${var.function.source_dir}"
  output_path = "${path.root}/.archgen/${var.name}.zip"
}

resource "aws_cloudwatch_log_group" "worker" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest by default; set function.kms_key for a customer-managed key
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.function.log_retention_in_days
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
  name               = var.name
  description        = "Processes messages from the orders queue"
  assume_role_policy = data.aws_iam_policy_document.worker_assume.json
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
    resources = [aws_sqs_queue.worker.arn]
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = var.name
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_lambda_function" "worker" {
  #checkov:skip=CKV_AWS_117:the function calls only AWS service endpoints and needs no VPC resources
  #checkov:skip=CKV_AWS_272:the package is zipped from source by Terraform at plan time and cannot carry a Signer signature
  #checkov:skip=CKV_AWS_116:an SQS event source mapping invokes it synchronously: failed messages go to the queue's dead-letter queue
  function_name                  = var.name
  description                    = "Processes messages from the orders queue"
  role                           = aws_iam_role.worker.arn
  runtime                        = var.function.runtime
  handler                        = var.function.handler
  filename                       = data.archive_file.worker.output_path
  source_code_hash               = data.archive_file.worker.output_base64sha256
  architectures                  = [var.function.architecture]
  timeout                        = var.function.timeout
  memory_size                    = var.function.memory_size
  reserved_concurrent_executions = var.function.reserved_concurrent_executions

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.worker.name
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_iam_role_policy.worker, aws_cloudwatch_log_group.worker]
}

resource "aws_lambda_event_source_mapping" "worker" {
  event_source_arn        = aws_sqs_queue.worker.arn
  function_name           = aws_lambda_function.worker.arn
  batch_size              = var.trigger.batch_size
  function_response_types = ["ReportBatchItemFailures"]
}
