"""Rules: semantic checks with ids, yielding path-based issues (cfn-lint style)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Callable, Iterable, Iterator

from .findings import Issue, Path
from .model import RUNTIMES, DeadLetter, Function, Queue, Trigger
from .units import human_duration

# Every rule id with a one-line summary (SARIF rule descriptions, docs).
RULES: dict[str, str] = {}


def define(rule_id: str, summary: str) -> str:
    if rule_id in RULES and RULES[rule_id] != summary:
        raise ValueError(f"rule {rule_id} defined twice")
    RULES[rule_id] = summary
    return rule_id


# loading and structure
YAML_SYNTAX = define("AG001", "the file is YAML")
DUPLICATE_KEY = define("AG002", "no key is written twice")
UNKNOWN_FIELD = define("AG003", "every field is part of the blueprint language")
MISSING_FIELD = define("AG004", "required fields are present")
INVALID_VALUE = define("AG005", "values have the right type and form")
VERSION = define("AG006", "the format version is 1")
DUPLICATE_NAME = define("AG007", "component names are unique")
UNKNOWN_PATTERN = define("AG008", "the pattern exists")
NAME_LENGTH = define("AG009", "generated AWS names fit each service's length limit")

# Lambda functions (shared)
FN_TIMEOUT = define("AG050", "function timeout is 1..900 seconds")
FN_MEMORY = define("AG051", "function memory is 128..10240 MiB")
FN_RUNTIME = define("AG052", "function runtime is one Lambda accepts")
FN_PACKAGE = define("AG053", "a function has exactly one of source and image_uri")
FN_HANDLER = define("AG054", "zip functions name a runtime and a handler; image functions name neither")
FN_SOURCE = define("AG055", "a function source folder exists")
FN_ENVIRONMENT = define("AG056", "environment variables have valid, unreserved names and fit 4 KB")
FN_CONCURRENCY = define("AG057", "reserved concurrency is not negative")
LOG_RETENTION = define("AG058", "log retention is a value CloudWatch Logs accepts")
FN_KMS_KEY = define("AG059", "a function's kms_key is a KMS key ARN")

# SQS queues and their Lambda trigger (shared by queue-worker and fan-out)
QUEUE_RETENTION = define("AG101", "queue retention is 60 s..14 d")
DLQ_FIFO = define("AG102", "a FIFO queue's dead-letter queue is FIFO, a standard queue's is standard")
VISIBILITY = define("AG103", "visibility timeout is at least the function timeout, at most 12 h")
MAX_RECEIVE = define("AG104", "max_receive_count is 1..1000")
DLQ_RETENTION = define("AG105", "a dead-letter queue keeps messages longer than its source")
BATCH_SIZE = define("AG106", "batch size fits the queue type")
BATCH_WINDOW = define("AG107", "batching window is 0..300 s, not on FIFO, and needed above 10 messages")
MAX_CONCURRENCY = define("AG108", "trigger max_concurrency is 2..1000")


@dataclass(frozen=True)
class Context:
    """What rules may know beyond the component."""

    blueprint_name: str
    blueprint_dir: FsPath


RuleFn = Callable[[object, Context], Iterable[Issue]]


# --- shared checks, called by patterns with the path of the piece ------------

ENV_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
RESERVED_ENV = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


def check_function(fn: Function, path: Path, ctx: Context) -> Iterator[Issue]:
    # https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
    if not 1 <= fn.timeout <= 900:
        yield Issue(FN_TIMEOUT, path + ("timeout",), f"must be between 1 and 900 seconds, got {fn.timeout}")
    # https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
    if not 128 <= fn.memory <= 10240:
        yield Issue(FN_MEMORY, path + ("memory",), f"must be between 128 and 10240 MiB, got {fn.memory}")
    if (fn.source is None) == (fn.image_uri is None):
        yield Issue(FN_PACKAGE, path, "give exactly one of `source` (a folder) and `image_uri`")
    elif fn.source is not None:
        for field in ("runtime", "handler"):
            if getattr(fn, field) is None:
                yield Issue(FN_HANDLER, path, f"a function built from `source` needs `{field}`")
        if fn.runtime is not None and fn.runtime not in RUNTIMES:
            yield Issue(FN_RUNTIME, path + ("runtime",), f"unknown or deprecated Lambda runtime {fn.runtime!r}; one of: {', '.join(RUNTIMES)}")
        folder = (ctx.blueprint_dir / fn.source)
        if not folder.is_dir():
            yield Issue(FN_SOURCE, path + ("source",), f"no folder {fn.source!r} next to the blueprint")
    else:
        for field in ("runtime", "handler"):
            if getattr(fn, field) is not None:
                yield Issue(FN_HANDLER, path + (field,), f"`{field}` comes from the image; remove it or use `source`")
    size = 0
    for key, val in fn.environment.items():
        size += len(key.encode()) + len(val.encode())
        if not ENV_NAME.match(key):
            yield Issue(FN_ENVIRONMENT, path + ("environment", key), "names start with a letter and hold only letters, digits and _", at_key=True)
        elif key in RESERVED_ENV:
            yield Issue(FN_ENVIRONMENT, path + ("environment", key), f"{key} is reserved by the Lambda runtime", at_key=True)
    if size > 4096:
        yield Issue(FN_ENVIRONMENT, path + ("environment",), f"environment variables total {size} bytes; Lambda allows 4 KB")
    if fn.reserved_concurrency is not None and fn.reserved_concurrency < 0:
        yield Issue(FN_CONCURRENCY, path + ("reserved_concurrency",), f"must be 0 or more, got {fn.reserved_concurrency}")
    yield from check_log_retention(fn.log_retention, path + ("log_retention",))
    # both Lambda (kms_key_arn) and CloudWatch Logs (kms_key_id) take a key ARN, not an alias
    if fn.kms_key is not None and not KMS_KEY_ARN.match(fn.kms_key):
        yield Issue(FN_KMS_KEY, path + ("kms_key",), f"must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got {fn.kms_key!r}")


def check_log_retention(seconds: int, path: Path) -> Iterator[Issue]:
    if seconds % 86400 or seconds // 86400 not in RETENTION_DAYS:
        yield Issue(LOG_RETENTION, path, f"CloudWatch Logs keeps logs for one of {', '.join(map(str, RETENTION_DAYS))} days, got {human_duration(seconds)}")


def retention_days(seconds: int) -> int:
    return seconds // 86400


def check_queue(queue: Queue, dead_letter: DeadLetter, fifo: bool, fn: Function | None, path: Path, dlq_path: Path) -> Iterator[Issue]:
    """A source queue and its dead-letter queue."""
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
    if not 60 <= queue.retention <= 1209600:
        yield Issue(QUEUE_RETENTION, path + ("retention",), f"must be between 60s and 14d, got {human_duration(queue.retention)}")
    vis = queue.visibility_timeout
    if vis is not None:
        if vis > 43200:
            yield Issue(VISIBILITY, path + ("visibility_timeout",), f"must be at most 12h, got {human_duration(vis)}")
        elif fn is not None and vis < fn.timeout:
            yield Issue(VISIBILITY, path + ("visibility_timeout",), f"{human_duration(vis)} is shorter than the function timeout ({human_duration(fn.timeout)}): messages would be received again while still being processed; AWS recommends 6 x the timeout")
    if not dead_letter.enabled:
        return
    if not 1 <= dead_letter.max_receive_count <= 1000:
        yield Issue(MAX_RECEIVE, dlq_path + ("max_receive_count",), f"must be between 1 and 1000, got {dead_letter.max_receive_count}")
    if not 60 <= dead_letter.retention <= 1209600:
        yield Issue(QUEUE_RETENTION, dlq_path + ("retention",), f"must be between 60s and 14d, got {human_duration(dead_letter.retention)}")
    elif dead_letter.retention <= queue.retention:
        yield Issue(DLQ_RETENTION, dlq_path + ("retention",), f"the dead-letter queue keeps messages {human_duration(dead_letter.retention)}, not longer than its source ({human_duration(queue.retention)}): a message's age counts from its first enqueue, so it can expire on arrival", severity="warning")
    if dead_letter.fifo is not None and dead_letter.fifo != fifo:
        kind = "FIFO" if fifo else "standard"
        yield Issue(DLQ_FIFO, dlq_path + ("fifo",), f"the dead-letter queue of a {kind} queue must be {kind} too")


def check_trigger(trigger: Trigger, fifo: bool, path: Path) -> Iterator[Issue]:
    # https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
    limit = 10 if fifo else 10000
    if not 1 <= trigger.batch_size <= limit:
        kind = "FIFO" if fifo else "standard"
        yield Issue(BATCH_SIZE, path + ("batch_size",), f"must be between 1 and {limit} for a {kind} queue, got {trigger.batch_size}")
    window = trigger.batching_window
    if window is not None:
        if fifo:
            yield Issue(BATCH_WINDOW, path + ("batching_window",), "a batching window is not supported for FIFO queues")
        elif window > 300:
            yield Issue(BATCH_WINDOW, path + ("batching_window",), f"must be at most 300s, got {human_duration(window)}")
    if not fifo and trigger.batch_size > 10 and not window:
        yield Issue(BATCH_WINDOW, path + ("batch_size",), f"a batch size above 10 needs a batching window of at least 1s (set trigger.batching_window)")
    if trigger.max_concurrency is not None and not 2 <= trigger.max_concurrency <= 1000:
        yield Issue(MAX_CONCURRENCY, path + ("max_concurrency",), f"must be between 2 and 1000, got {trigger.max_concurrency}")


def visibility_timeout(queue: Queue, fn: Function | None) -> int:
    """The visibility timeout to render: the user's, or 6 x the function timeout (AWS's advice)."""
    if queue.visibility_timeout is not None:
        return queue.visibility_timeout
    return min(6 * fn.timeout, 43200) if fn is not None else 30
