variable "name" {
  description = "Name of the topic, and prefix of every resource name in this module."
  type        = string
}

variable "subscribers" {
  description = "Settings of each subscriber's queue, dead-letter queue and worker, by subscriber."
  type = object({
    ledger = object({
      queue = object({
        message_retention_seconds  = number
        visibility_timeout_seconds = number
      })
      dead_letter = object({
        max_receive_count         = number
        message_retention_seconds = number
      })
      function = object({
        runtime                        = string
        handler                        = string
        source_dir                     = string
        architecture                   = string
        timeout                        = number
        memory_size                    = number
        reserved_concurrent_executions = number
        log_retention_in_days          = number
      })
      trigger = object({
        batch_size = number
      })
    })
    search = object({
      queue = object({
        message_retention_seconds  = number
        visibility_timeout_seconds = number
      })
      dead_letter = object({
        max_receive_count         = number
        message_retention_seconds = number
      })
    })
  })
}
