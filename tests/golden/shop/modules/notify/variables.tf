variable "name" {
  description = "Name of the topic and its worker function, and prefix of every resource name in this module."
  type        = string
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

variable "async_invoke" {
  description = "Lambda's handling of asynchronous events: retries after a failed attempt, and how long an event may wait."
  type = object({
    maximum_retry_attempts       = number
    maximum_event_age_in_seconds = number
  })

  validation {
    condition     = var.async_invoke.maximum_retry_attempts >= 0 && var.async_invoke.maximum_retry_attempts <= 2
    error_message = "maximum_retry_attempts must be between 0 and 2."
  }

  validation {
    condition     = var.async_invoke.maximum_event_age_in_seconds >= 60 && var.async_invoke.maximum_event_age_in_seconds <= 21600
    error_message = "maximum_event_age_in_seconds must be between 60 and 21600."
  }
}
