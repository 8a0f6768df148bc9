variable "queue" {
  description = "The source queue: its name (with .fifo for a FIFO queue), retention, visibility timeout, encryption and extra policy statements."
  type = object({
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

  validation {
    condition     = var.queue.message_retention_seconds >= 60 && var.queue.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600 seconds."
  }

  validation {
    condition     = var.queue.visibility_timeout_seconds >= 0 && var.queue.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 0 and 43200 seconds."
  }
}

variable "dead_letter" {
  description = "The dead-letter queue: its name, the receives before a message moves there, and how long it is kept; null for none."
  type = object({
    name                      = string
    max_receive_count         = optional(number, 5)
    message_retention_seconds = optional(number, 1209600)
  })
  default = null

  validation {
    condition     = var.dead_letter == null ? true : (var.dead_letter.max_receive_count >= 1 && var.dead_letter.max_receive_count <= 1000)
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "function" {
  description = "The worker function: names, package (source_dir relative to this module, or image_uri) and settings. reserved_concurrent_executions = -1 leaves it unreserved."
  type = object({
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

  validation {
    condition     = var.function.timeout >= 1 && var.function.timeout <= 900
    error_message = "Lambda timeout must be between 1 and 900 seconds."
  }

  validation {
    condition     = var.function.memory_size >= 128 && var.function.memory_size <= 10240
    error_message = "Lambda memory_size must be between 128 MiB and 10240 MiB."
  }
}

variable "trigger" {
  description = "The SQS event source mapping: batch size and window, per-message failure reports, and a concurrency cap."
  type = object({
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    report_batch_item_failures         = optional(bool, true)
    maximum_concurrency                = optional(number)
  })
  default = {}
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
