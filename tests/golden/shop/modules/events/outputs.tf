output "topic_arn" {
  description = "ARN of the topic publishers send to."
  value       = aws_sns_topic.topic.arn
}

output "queue_urls" {
  description = "URL of each subscriber's queue, by subscriber."
  value = {
    "ledger" = aws_sqs_queue.ledger.id
    "search" = aws_sqs_queue.search.id
  }
}

output "queue_arns" {
  description = "ARN of each subscriber's queue, by subscriber."
  value = {
    "ledger" = aws_sqs_queue.ledger.arn
    "search" = aws_sqs_queue.search.arn
  }
}
