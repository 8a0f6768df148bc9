variable "topic" {
  description = "The topic publishers send to: its name, encryption key and extra policy statements."
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

variable "subscription_dead_letter_name" {
  description = "Name of the queue that keeps events SNS could not deliver to the function."
  type        = string
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

variable "async_invoke" {
  description = "Lambda's handling of asynchronous events: retries after a failed attempt, and how long an event may wait."
  type = object({
    maximum_retry_attempts       = optional(number, 2)
    maximum_event_age_in_seconds = optional(number, 21600)
  })
  default = {}

  validation {
    condition     = var.async_invoke.maximum_retry_attempts >= 0 && var.async_invoke.maximum_retry_attempts <= 2
    error_message = "maximum_retry_attempts must be between 0 and 2."
  }

  validation {
    condition     = var.async_invoke.maximum_event_age_in_seconds >= 60 && var.async_invoke.maximum_event_age_in_seconds <= 21600
    error_message = "maximum_event_age_in_seconds must be between 60 and 21600 seconds."
  }
}

variable "on_failure" {
  description = "Where events go after the last retry: kind queue or topic (a new one, named name), or discard; via destination (on-failure destination) or dead_letter_config."
  type = object({
    kind                      = string
    name                      = optional(string)
    via                       = optional(string, "destination")
    message_retention_seconds = optional(number, 1209600)
    emails                    = optional(list(string), [])
  })

  validation {
    condition     = contains(["queue", "topic", "discard"], var.on_failure.kind) && contains(["destination", "dead_letter_config"], var.on_failure.via)
    error_message = "on_failure.kind is queue, topic or discard; on_failure.via is destination or dead_letter_config."
  }

  validation {
    condition     = var.on_failure.kind == "discard" || var.on_failure.name != null
    error_message = "A failure queue or topic needs a name."
  }

  validation {
    condition     = var.on_failure.message_retention_seconds >= 60 && var.on_failure.message_retention_seconds <= 1209600
    error_message = "on_failure.message_retention_seconds must be between 60 and 1209600 seconds."
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
