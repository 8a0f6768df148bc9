variable "topic" {
  description = "The topic publishers send to: its name (with .fifo for a FIFO topic), encryption key and extra policy statements."
  type = object({
    name                        = string
    fifo                        = optional(bool, false)
    content_based_deduplication = optional(bool, false)
    kms_key_id                  = optional(string, "alias/aws/sns")
    policy_statements = optional(list(object({
      sid        = optional(string)
      effect     = optional(string, "Allow")
      actions    = list(string)
      resources  = optional(list(string))
      principals = list(object({ type = string, identifiers = list(string) }))
      conditions = optional(list(object({ test = string, variable = string, values = list(string) })), [])
    })), [])
  })
}

variable "subscribers" {
  description = "The subscribers, by name: each a queue (with its dead-letter queue, or null for none), the dead-letter queue of its subscription, delivery settings and an optional worker function."
  type = map(object({
    queue = object({
      name                        = string
      fifo                        = optional(bool, false)
      content_based_deduplication = optional(bool, false)
      high_throughput             = optional(bool, false)
      message_retention_seconds   = optional(number, 345600)
      visibility_timeout_seconds  = optional(number, 30)
      kms_key_id                  = optional(string)
      policy_statements = optional(list(object({
        sid        = optional(string)
        effect     = optional(string, "Allow")
        actions    = list(string)
        resources  = optional(list(string))
        principals = list(object({ type = string, identifiers = list(string) }))
        conditions = optional(list(object({ test = string, variable = string, values = list(string) })), [])
      })), [])
    })
    dead_letter = optional(object({
      name                      = string
      max_receive_count         = optional(number, 5)
      message_retention_seconds = optional(number, 1209600)
    }))
    subscription_dead_letter_name = string
    raw_message_delivery          = optional(bool, false)
    filter_policy                 = optional(string)
    filter_policy_scope           = optional(string, "MessageAttributes")
    worker = optional(object({
      function = object({
        name                           = string
        role_name                      = string
        description                    = optional(string)
        runtime                        = optional(string)
        handler                        = optional(string)
        source_dir                     = optional(string)
        image_uri                      = optional(string)
        architecture                   = optional(string, "arm64")
        timeout                        = optional(number, 30)
        memory_size                    = optional(number, 256)
        reserved_concurrent_executions = optional(number, -1)
        environment                    = optional(map(string), {})
        log_retention_in_days          = optional(number, 365)
        kms_key_arn                    = optional(string)
      })
      trigger = optional(object({
        batch_size                         = optional(number, 10)
        maximum_batching_window_in_seconds = optional(number, 0)
        report_batch_item_failures         = optional(bool, true)
        maximum_concurrency                = optional(number)
      }), {})
    }))
  }))

  validation {
    condition     = alltrue([for x in values(var.subscribers)[*].queue : x.message_retention_seconds >= 60 && x.message_retention_seconds <= 1209600])
    error_message = "Every queue's message_retention_seconds must be between 60 and 1209600 seconds."
  }

  validation {
    condition     = alltrue([for x in values(var.subscribers)[*].queue : x.visibility_timeout_seconds >= 0 && x.visibility_timeout_seconds <= 43200])
    error_message = "Every queue's visibility_timeout_seconds must be between 0 and 43200 seconds."
  }

  validation {
    condition     = alltrue([for x in [for s in values(var.subscribers) : s.dead_letter if s.dead_letter != null] : x.max_receive_count >= 1 && x.max_receive_count <= 1000])
    error_message = "Every max_receive_count must be between 1 and 1000."
  }

  validation {
    condition     = alltrue([for x in [for s in values(var.subscribers) : s.worker.function if s.worker != null] : x.timeout >= 1 && x.timeout <= 900])
    error_message = "Every worker's timeout must be between 1 and 900 seconds."
  }

  validation {
    condition     = alltrue([for x in [for s in values(var.subscribers) : s.worker.function if s.worker != null] : x.memory_size >= 128 && x.memory_size <= 10240])
    error_message = "Every worker's memory_size must be between 128 MiB and 10240 MiB."
  }
}

variable "iam" {
  description = "Applied to every IAM role this module creates: a permissions boundary (policy ARN) and a path."
  type = object({
    path                 = optional(string, "/")
    permissions_boundary = optional(string)
  })
  default = {}
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm of this module changes state (e.g. an SNS topic); empty: the alarms only show in CloudWatch."
  type        = list(string)
  default     = []
}
