output "topic_arn" {
  description = "ARN of the topic publishers send to."
  value       = aws_sns_topic.topic.arn
}

output "queue_urls" {
  description = "URL of each subscriber's queue, by subscriber."
  value = {
    "audit"   = aws_sqs_queue.audit.id
    "billing" = aws_sqs_queue.billing.id
  }
}

output "queue_arns" {
  description = "ARN of each subscriber's queue, by subscriber."
  value = {
    "audit"   = aws_sqs_queue.audit.arn
    "billing" = aws_sqs_queue.billing.arn
  }
}
