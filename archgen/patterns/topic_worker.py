"""topic-worker: SNS -> Lambda (asynchronous invoke), retries and a failure target at the Lambda level."""

from __future__ import annotations

from typing import Iterator, Literal

from ..modeling import Field

from ..blocks import function, iam, queue, topic
from ..blocks.function import Function
from ..blocks.queue import SQS
from ..blocks.topic import SNS, Topic
from ..model import ComponentBase, Duration, Int, Strict
from ..names import AwsName
from ..rules import Context, Violation, default, limit, rule
from ..units import human_duration
from . import BuildContext, Edge, Module, Node, Pattern

ASYNC = "https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html"
RETRIES = limit("async_retries", 0, 2, "", ASYNC)
EVENT_AGE = limit("async_event_age", 60, 21600, "seconds", ASYNC)
DEFAULT_RETRIES = default("async_retries", 2)
DEFAULT_EVENT_AGE = default("async_event_age", 21600)


class OnFailure(Strict):
    """Where events go after the last retry: a new queue, a new topic, or nowhere."""

    kind: Literal["queue", "topic", "discard"] = "queue"
    via: Literal["destination", "dead_letter_config"] | None = Field(None, description="default: destination")
    retention: Duration = Field(queue.DEFAULT_DLQ_RETENTION, description="how long the failure queue keeps events (60s..14d)")
    emails: list[str] = Field(default_factory=list, description="kind topic: e-mail addresses subscribed to the failure topic")


class TopicWorker(ComponentBase):
    pattern: Literal["topic-worker"]
    topic: Topic = Field(default_factory=Topic)
    function: Function
    retries: Int = Field(DEFAULT_RETRIES, description="retries after a failed asynchronous invocation (0..2)")
    max_event_age: Duration = Field(DEFAULT_EVENT_AGE, description="drop events older than this (60s..6h)")
    on_failure: OnFailure = Field(default_factory=OnFailure)


@rule("AG201", "asynchronous retries are 0..2", ASYNC, part=TopicWorker)
def retries_in_range(c: TopicWorker, ctx: Context) -> Iterator[Violation]:
    yield from RETRIES.check(c.retries, ("retries",))


@rule("AG202", "maximum event age is 60 s..6 h", ASYNC, part=TopicWorker)
def event_age_in_range(c: TopicWorker, ctx: Context) -> Iterator[Violation]:
    yield from EVENT_AGE.check(c.max_event_age, ("max_event_age",))


@rule("AG203", "a discarded failure has nothing to attach", "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html", part=TopicWorker, severity="warning")
def discard_has_no_via(c: TopicWorker, ctx: Context) -> Iterator[Violation]:
    if c.on_failure.kind == "discard" and c.on_failure.via is not None:
        yield Violation(("on_failure", "via"), "events that fail are discarded: there is nothing to attach; remove `via` or choose a queue or topic")


@rule("AG204", "an SNS FIFO topic cannot invoke Lambda", "https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html", part=TopicWorker)
def fifo_topic_cannot_invoke(c: TopicWorker, ctx: Context) -> Iterator[Violation]:
    if c.topic.fifo:
        yield Violation(("topic", "fifo"), "an SNS FIFO topic delivers only to SQS queues; use fan-out with a FIFO subscriber queue and a worker")


@rule("AG205", "failed events sent to a topic reach someone", "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html", part=TopicWorker, severity="warning")
def failure_topic_has_subscribers(c: TopicWorker, ctx: Context) -> Iterator[Violation]:
    """A topic keeps nothing: with no subscriber, every failed event published to it is lost."""
    if c.on_failure.kind == "topic" and not c.on_failure.emails:
        yield Violation(("on_failure",), "failed events go to a topic nobody subscribes to, so nothing keeps them: add on_failure.emails, subscribe to the failure_target_arn output, or use kind: queue")


@rule("AG206", "the failure queue keeps events 60 s..14 d", queue.RETENTION.url, part=TopicWorker)
def failure_retention_in_range(c: TopicWorker, ctx: Context) -> Iterator[Violation]:
    if c.on_failure.kind == "queue":
        yield from queue.RETENTION.check(c.on_failure.retention, ("on_failure", "retention"))


@rule("AG207", "failure e-mail addresses are e-mail addresses", "https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html", part=OnFailure)
def emails_valid(on_failure: OnFailure, ctx: Context) -> Iterator[Violation]:
    from ..head import EMAIL

    for i, email in enumerate(on_failure.emails):
        if not EMAIL.match(email):
            yield Violation(("emails", i), f"not an e-mail address: {email!r}")
    if on_failure.emails and on_failure.kind != "topic":
        yield Violation(("emails",), "e-mail addresses subscribe to a failure topic: set kind: topic")


def build(c: TopicWorker, ctx: BuildContext) -> Module:
    base = ctx.name(c.name)
    via = c.on_failure.via or "destination"
    kind = c.on_failure.kind
    failure_name = f"{base}-failures"
    on_failure: dict = {"kind": kind}
    if kind != "discard":
        on_failure["name"] = failure_name
        if via != "destination":
            on_failure["via"] = via
    if kind == "queue" and c.on_failure.retention != queue.DEFAULT_DLQ_RETENTION:
        on_failure["message_retention_seconds"] = c.on_failure.retention
    if kind == "topic" and c.on_failure.emails:
        on_failure["emails"] = list(c.on_failure.emails)
    async_invoke = {}
    if c.retries != DEFAULT_RETRIES:
        async_invoke["maximum_retry_attempts"] = c.retries
    if c.max_event_age != DEFAULT_EVENT_AGE:
        async_invoke["maximum_event_age_in_seconds"] = c.max_event_age
    package = function.package_dir("worker")
    inputs = {
        "topic": topic.inputs(base, c.topic, iam.statements(c.topic.policy_statements)),
        "subscription_dead_letter_name": topic.subscription_dlq_name(base, False),
        "function": function.inputs(c.function, base, ctx.region, package, f"Handles events from the {c.name} topic"),
        "async_invoke": async_invoke,
        "on_failure": on_failure,
        **ctx.common_inputs(),
    }
    names = topic.names(base, False, ("name",)) + topic.subscription_names(base, False, ("name",)) + function.names(base, ctx.region, ("name",))
    topic_node = Node(f"SNS {base}", "topic")
    function_node = Node(f"Lambda {base}", "function")
    diagram = [Edge(topic_node, function_node), Edge(topic_node, Node(f"SQS {topic.subscription_dlq_name(base, False)}", "queue"), "undeliverable", dotted=True)]
    outputs = [("topic_arn", "ARN of the topic publishers send to"), ("function_name", "name of the worker function"), ("function_role_arn", "ARN of the worker's IAM role, to grant it more access")]
    inventory = [
        f"SNS topic `{base}` (KMS key {c.topic.kms_key}, TLS-only policy); undeliverable events go to the dead-letter queue `{topic.subscription_dlq_name(base, False)}`, with an alarm",
        f"Lambda function `{base}` invoked asynchronously: {c.retries} retries, events dropped after {human_duration(c.max_event_age)}",
    ]
    if kind in ("queue", "topic"):
        names.append(AwsName(SQS if kind == "queue" else SNS, failure_name, ("on_failure",)))
        what = "SQS queue" if kind == "queue" else "SNS topic"
        outputs.append(("failure_target_arn", f"ARN of the {what} receiving failed events"))
        attach = "on-failure destination" if via == "destination" else "dead-letter config"
        alarm = ", with an alarm" if kind == "queue" else ""
        inventory.append(f"failed events go to the {what} `{failure_name}` through the function's {attach}{alarm}")
        diagram.append(Edge(function_node, Node(f"{'SQS' if kind == 'queue' else 'SNS'} {failure_name}", "queue" if kind == "queue" else "topic"), "on failure", dotted=True))
    else:
        inventory.append("events that fail every retry are discarded")
    return Module(
        inputs={k: v for k, v in inputs.items() if v not in (None, {})},
        names=names,
        outputs=outputs,
        inventory=inventory,
        diagram=diagram,
        providers={"aws", "archive"} if c.function.source else {"aws"},
        files=function.package_files(c.function, ctx.blueprint_dir, package),
        context={"zip": c.function.source is not None},
    )


PATTERN = Pattern(
    name="topic-worker",
    summary="SNS -> Lambda (asynchronous invoke) with retries and a failure target",
    model=TopicWorker,
    build=build,
)
