"""Building block: an SQS queue with its dead-letter queue, policies and alarm,
and the Lambda event source mapping that consumes it.

Fields, rules (AG10x-AG11x), names and limits live here; the Terraform lives in
templates/_blocks/queue.tf.j2. A part that owns a consumed queue (a queue-worker,
a fan-out subscriber) inherits `ConsumedQueue` and says where its pieces are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..modeling import Field

from ..findings import YamlPath
from ..model import Duration, Int, Strict
from ..names import AwsName, namespace
from ..rules import Context, Violation, default, limit, rule
from ..units import human_duration
from .function import Function
from .iam import Statement, kms_key_problem

SQS = namespace("sqs", "SQS queue", 80, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html")

ATTRIBUTES = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html"
ESM_SQS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html"
RETENTION = limit("queue_retention", 60, 1209600, "seconds", ATTRIBUTES)
VISIBILITY = limit("queue_visibility", 0, 43200, "seconds", ATTRIBUTES)
MAX_RECEIVE = limit("queue_max_receive", 1, 1000, "", "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html")
BATCH_STANDARD = limit("trigger_batch_standard", 1, 10000, "", ESM_SQS)
BATCH_FIFO = limit("trigger_batch_fifo", 1, 10, "", ESM_SQS)
BATCHING_WINDOW = limit("trigger_batching_window", 0, 300, "seconds", ESM_SQS)
MAX_CONCURRENCY = limit("trigger_max_concurrency", 2, 1000, "", "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html")

DEFAULT_RETENTION = default("queue_retention", 4 * 86400)
DEFAULT_DLQ_RETENTION = default("dead_letter_retention", 14 * 86400)
DEFAULT_MAX_RECEIVE = default("dead_letter_max_receive", 5)
RECOMMENDED_MAX_RECEIVE = 5
DEFAULT_BATCH_SIZE = default("trigger_batch_size", 10)
VISIBILITY_FACTOR = 6  # AWS: at least six times the function timeout


class Queue(Strict):
    """A queue archgen builds (encrypted, TLS-only)."""

    retention: Duration = Field(DEFAULT_RETENTION, description="message retention (60s..14d, default 4d)")
    visibility_timeout: Duration | None = Field(None, description="default: 6 x the function timeout (30s without a function)")
    content_based_deduplication: bool = Field(False, description="FIFO: deduplicate on a hash of the body, so producers need no MessageDeduplicationId")
    high_throughput: bool = Field(False, description="FIFO: deduplicate per message group and raise the throughput quota per group")
    kms_key: str | None = Field(None, description="KMS key (ARN, alias or id) for the queue and its dead-letter queue (default: SSE-SQS)")
    policy_statements: list[Statement] = Field(default_factory=list, description="extra statements for the queue policy")


class DeadLetter(Strict):
    """Where messages go after `max_receive_count` failed receives."""

    enabled: bool = True
    max_receive_count: Int = Field(DEFAULT_MAX_RECEIVE, description="receives before a message moves to the dead-letter queue (1..1000)")
    retention: Duration = Field(DEFAULT_DLQ_RETENTION, description="how long the dead-letter queue keeps messages (default 14d)")
    fifo: bool | None = Field(None, description="default: the source queue's type (it must match)")


class Trigger(Strict):
    """The SQS event source mapping that invokes the function."""

    batch_size: Int = Field(DEFAULT_BATCH_SIZE, description="messages per invocation (FIFO 1..10, standard 1..10000)")
    batching_window: Duration | None = Field(None, description="standard queues: wait up to this long to fill a batch (0..300s)")
    report_batch_item_failures: bool = Field(True, description="the function reports failed messages one by one (batchItemFailures)")
    max_concurrency: Int | None = Field(None, description="at most this many concurrent invocations (2..1000)")


@dataclass(frozen=True)
class Consumption:
    """Where a part keeps the pieces of a consumed queue, relative to itself."""

    fifo: bool
    queue: Queue
    dead_letter: DeadLetter
    function: Function | None = None
    trigger: Trigger | None = None
    queue_path: YamlPath = ("queue",)
    dead_letter_path: YamlPath = ("dead_letter",)
    function_path: YamlPath = ("function",)
    trigger_path: YamlPath = ("trigger",)
    fifo_path: YamlPath = ("fifo",)


class ConsumedQueue:
    """Mixin for a part that owns a queue, its dead-letter queue and maybe a Lambda consumer."""

    def consumption(self) -> Consumption:
        raise NotImplementedError


def visibility_timeout(c: Consumption) -> int:
    """The visibility timeout to render: the user's, or 6 x the function timeout (AWS's advice)."""
    if c.queue.visibility_timeout is not None:
        return c.queue.visibility_timeout
    if c.function is None:
        return 30
    return min(VISIBILITY_FACTOR * c.function.timeout, VISIBILITY.high)


# --- rules ---------------------------------------------------------------------


@rule("AG101", "queue retention is 60 s..14 d", RETENTION.url, part=ConsumedQueue)
def retention_in_range(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    c = part.consumption()
    yield from RETENTION.check(c.queue.retention, c.queue_path + ("retention",))
    if c.dead_letter.enabled:
        yield from RETENTION.check(c.dead_letter.retention, c.dead_letter_path + ("retention",))


@rule("AG102", "a FIFO queue's dead-letter queue is FIFO, a standard queue's is standard", "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html", part=ConsumedQueue)
def dead_letter_type_matches(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    c = part.consumption()
    if c.dead_letter.enabled and c.dead_letter.fifo is not None and c.dead_letter.fifo != c.fifo:
        kind = "FIFO" if c.fifo else "standard"
        yield Violation(c.dead_letter_path + ("fifo",), f"the dead-letter queue of a {kind} queue must be {kind} too")


@rule("AG103", "visibility timeout is at least the function timeout, at most 12 h", "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html", part=ConsumedQueue)
def visibility_covers_timeout(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    c = part.consumption()
    vis = c.queue.visibility_timeout
    if vis is None:
        return
    where = c.queue_path + ("visibility_timeout",)
    if not VISIBILITY.contains(vis):
        yield VISIBILITY.violation(vis, where)
    elif c.function is not None and vis < c.function.timeout:
        yield Violation(
            where,
            f"{human_duration(vis)} is shorter than the function timeout ({human_duration(c.function.timeout)}): "
            "messages would be received again while still being processed; AWS recommends 6 x the timeout",
        )


@rule("AG104", "max_receive_count is 1..1000", MAX_RECEIVE.url, part=ConsumedQueue)
def max_receive_in_range(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    c = part.consumption()
    if c.dead_letter.enabled:
        yield from MAX_RECEIVE.check(c.dead_letter.max_receive_count, c.dead_letter_path + ("max_receive_count",))


@rule("AG105", "a standard queue's dead-letter queue keeps messages longer than its source", "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html", part=ConsumedQueue, severity="warning")
def dead_letter_outlives_source(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    """For standard queues a message's age counts from its first enqueue, so a dead-letter queue
    that keeps messages no longer than its source can expire them on arrival. FIFO queues reset
    the timestamp when a message moves to the dead-letter queue, so equal retention is fine there."""
    c = part.consumption()
    if not c.dead_letter.enabled or c.fifo or not RETENTION.contains(c.dead_letter.retention):
        return
    if c.dead_letter.retention <= c.queue.retention:
        yield Violation(
            c.dead_letter_path + ("retention",),
            f"the dead-letter queue keeps messages {human_duration(c.dead_letter.retention)}, not longer than its source "
            f"({human_duration(c.queue.retention)}): a message's age counts from its first enqueue, so it can expire on arrival",
        )


@rule("AG106", "batch size fits the queue type", ESM_SQS, part=ConsumedQueue)
def batch_size_fits(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    c = part.consumption()
    if c.trigger is None:
        return
    limit = BATCH_FIFO if c.fifo else BATCH_STANDARD
    found = limit.violation(c.trigger.batch_size, c.trigger_path + ("batch_size",))
    if found:
        yield Violation(found.path, f"{found.message} for a {'FIFO' if c.fifo else 'standard'} queue")


@rule("AG107", "batching window is 0..300 s, not on FIFO, and needed above 10 messages", ESM_SQS, part=ConsumedQueue)
def batching_window_valid(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    c = part.consumption()
    if c.trigger is None:
        return
    window = c.trigger.batching_window
    if window is not None:
        if c.fifo:
            yield Violation(c.trigger_path + ("batching_window",), "a batching window is not supported for FIFO queues")
        else:
            yield from BATCHING_WINDOW.check(window, c.trigger_path + ("batching_window",))
    if not c.fifo and c.trigger.batch_size > 10 and not window:
        yield Violation(c.trigger_path + ("batch_size",), "a batch size above 10 needs a batching window of at least 1s (set trigger.batching_window)")


@rule("AG108", "trigger max_concurrency is 2..1000", MAX_CONCURRENCY.url, part=ConsumedQueue)
def max_concurrency_in_range(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    c = part.consumption()
    if c.trigger is not None and c.trigger.max_concurrency is not None:
        yield from MAX_CONCURRENCY.check(c.trigger.max_concurrency, c.trigger_path + ("max_concurrency",))


@rule("AG109", "deduplication settings apply to FIFO queues only", "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html", part=ConsumedQueue)
def fifo_only_settings(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    c = part.consumption()
    if c.fifo:
        return
    for name in ("content_based_deduplication", "high_throughput"):
        if getattr(c.queue, name):
            yield Violation(c.queue_path + (name,), f"{name} applies to FIFO queues only")


@rule("AG110", "max_receive_count is at least 5 for a Lambda consumer", "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html", part=ConsumedQueue, severity="warning")
def max_receive_recommended(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    """AWS recommends a maxReceiveCount of at least 5 when Lambda consumes a queue: throttled
    and timed-out receives count too, and a lower value moves healthy messages to the DLQ."""
    c = part.consumption()
    if c.function is not None and c.dead_letter.enabled and MAX_RECEIVE.contains(c.dead_letter.max_receive_count):
        if c.dead_letter.max_receive_count < RECOMMENDED_MAX_RECEIVE:
            yield Violation(
                c.dead_letter_path + ("max_receive_count",),
                f"{c.dead_letter.max_receive_count} receives: throttled receives count too, so healthy messages can reach "
                f"the dead-letter queue; AWS recommends at least {RECOMMENDED_MAX_RECEIVE} for Lambda",
            )


@rule("AG111", "reserved concurrency does not starve the queue's event source mapping", "https://repost.aws/knowledge-center/lambda-sqs-scaling", part=ConsumedQueue, severity="warning")
def concurrency_consistent(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    """The event source mapping scales pollers without regard to the function's reserved
    concurrency; receives it cannot invoke are throttled and count toward maxReceiveCount."""
    c = part.consumption()
    if c.function is None or c.trigger is None or c.function.reserved_concurrency is None:
        return
    reserved = c.function.reserved_concurrency
    if c.trigger.max_concurrency is None or c.trigger.max_concurrency > reserved:
        have = "no max_concurrency" if c.trigger.max_concurrency is None else f"max_concurrency {c.trigger.max_concurrency}"
        yield Violation(
            c.trigger_path + ("max_concurrency",),
            f"the function reserves {reserved} concurrent executions but the trigger has {have}: throttled receives count "
            f"toward max_receive_count and end in the dead-letter queue; set trigger.max_concurrency to {max(reserved, 2)} or less",
        )


@rule("AG112", "a queue's kms_key is a KMS key id, ARN or alias", "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html", part=ConsumedQueue)
def queue_kms_key_valid(part: ConsumedQueue, ctx: Context) -> Iterator[Violation]:
    c = part.consumption()
    if c.queue.kms_key is not None:
        problem = kms_key_problem(c.queue.kms_key)
        if problem:
            yield Violation(c.queue_path + ("kms_key",), problem)


# --- names and inputs ------------------------------------------------------------


def queue_name(base: str, fifo: bool) -> str:
    return base + (".fifo" if fifo else "")


def dead_letter_name(base: str, fifo: bool) -> str:
    return queue_name(f"{base}-dlq", fifo)


def names(base: str, c: Consumption, path: YamlPath) -> list[AwsName]:
    found = [AwsName(SQS, queue_name(base, c.fifo), path)]
    if c.dead_letter.enabled:
        found.append(AwsName(SQS, dead_letter_name(base, c.fifo), path))
    return found


def queue_inputs(base: str, c: Consumption, statements: list[dict]) -> dict:
    """The modules' `queue` object (defaults left to the module's optional())."""
    data: dict = {"name": queue_name(base, c.fifo)}
    if c.fifo:
        data["fifo"] = True
        if c.queue.content_based_deduplication:
            data["content_based_deduplication"] = True
        if c.queue.high_throughput:
            data["high_throughput"] = True
    if c.queue.retention != DEFAULT_RETENTION:
        data["message_retention_seconds"] = c.queue.retention
    data["visibility_timeout_seconds"] = visibility_timeout(c)
    if c.queue.kms_key:
        data["kms_key_id"] = c.queue.kms_key
    if statements:
        data["policy_statements"] = statements
    return data


def dead_letter_inputs(base: str, c: Consumption) -> dict | None:
    """The modules' `dead_letter` object, or None without one."""
    if not c.dead_letter.enabled:
        return None
    data: dict = {"name": dead_letter_name(base, c.fifo)}
    if c.dead_letter.max_receive_count != DEFAULT_MAX_RECEIVE:
        data["max_receive_count"] = c.dead_letter.max_receive_count
    if c.dead_letter.retention != DEFAULT_DLQ_RETENTION:
        data["message_retention_seconds"] = c.dead_letter.retention
    return data


def trigger_inputs(c: Consumption) -> dict:
    """The modules' `trigger` object."""
    t = c.trigger or Trigger()
    data: dict = {}
    if t.batch_size != DEFAULT_BATCH_SIZE:
        data["batch_size"] = t.batch_size
    if t.batching_window and not c.fifo:
        data["maximum_batching_window_in_seconds"] = t.batching_window
    if not t.report_batch_item_failures:
        data["report_batch_item_failures"] = False
    if t.max_concurrency is not None:
        data["maximum_concurrency"] = t.max_concurrency
    return data


def describe(base: str, c: Consumption) -> str:
    """One README inventory line for the queue and its dead-letter queue."""
    kind = "FIFO queue" if c.fifo else "queue"
    encryption = f"KMS key {c.queue.kms_key}" if c.queue.kms_key else "SSE-SQS"
    line = f"SQS {kind} `{queue_name(base, c.fifo)}` ({encryption}, TLS-only policy)"
    if c.dead_letter.enabled:
        line += f", dead-letter queue `{dead_letter_name(base, c.fifo)}` after {c.dead_letter.max_receive_count} receives, with an alarm"
    return line
