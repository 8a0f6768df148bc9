variable "name" {
  description = "Name of the queue and its worker function, and prefix of every resource name in this module."
  type        = string
}

variable "queue" {
  description = "The source queue: how long it keeps messages and how long a received message stays invisible."
  type = object({
    message_retention_seconds  = number
    visibility_timeout_seconds = number
  })

  validation {
    condition     = var.queue.message_retention_seconds >= 60 && var.queue.message_retention_seconds <= 1209600
    error_message = "SQS keeps messages between 60 seconds and 14 days."
  }

  validation {
    condition     = var.queue.visibility_timeout_seconds >= var.function.timeout && var.queue.visibility_timeout_seconds <= 43200
    error_message = "The visibility timeout must be at least the function timeout and at most 12 hours."
  }
}

variable "dead_letter" {
  description = "The dead-letter queue: receives before a message moves there, and how long it is kept."
  type = object({
    max_receive_count         = number
    message_retention_seconds = number
  })

  validation {
    condition     = var.dead_letter.max_receive_count >= 1 && var.dead_letter.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "function" {
  description = "Lambda settings. source_dir is relative to the root module and zipped at plan time. reserved_concurrent_executions = -1 means unreserved."
  type = object({
    runtime                        = string
    handler                        = string
    source_dir                     = string
    architecture                   = string
    timeout                        = number
    memory_size                    = number
    reserved_concurrent_executions = number
    environment                    = map(string)
    log_retention_in_days          = number
  })

  validation {
    condition     = var.function.timeout >= 1 && var.function.timeout <= 900
    error_message = "Lambda timeout must be between 1 and 900 seconds."
  }

  validation {
    condition     = var.function.memory_size >= 128 && var.function.memory_size <= 10240
    error_message = "Lambda memory_size must be between 128 and 10240 MiB."
  }
}

variable "trigger" {
  description = "The SQS event source mapping."
  type = object({
    batch_size          = number
    maximum_concurrency = number
  })
}
