"""fan-out: one SNS topic -> many SQS queues, each with its own DLQ and optional worker."""

from __future__ import annotations

import json
import math
from typing import Iterator, Literal

from ..modeling import Field, model_validator

from .. import hcl
from ..blocks import function, iam, queue, topic
from ..blocks.function import Function
from ..blocks.queue import ConsumedQueue, Consumption, DeadLetter, Queue, Trigger
from ..blocks.topic import Topic
from ..findings import shown
from ..model import ComponentBase, ComponentName, JsonObject, Strict
from ..rules import Context, Violation, rule
from . import BuildContext, Edge, Module, Node, Pattern

FILTER_LIMITS = "https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html"


class Worker(Strict):
    """A Lambda function consuming the subscriber's queue."""

    function: Function
    trigger: Trigger = Field(default_factory=Trigger)


class Subscriber(Strict, ConsumedQueue):
    name: ComponentName
    fifo: bool | None = Field(None, description="default: the topic's type")
    raw_message_delivery: bool = Field(False, description="deliver the message body as published, without the SNS envelope")
    filter_policy: JsonObject | None = Field(None, description="SNS filter policy: only matching messages reach this queue")
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] = "MessageAttributes"
    queue: Queue = Field(default_factory=Queue)
    dead_letter: DeadLetter = Field(default_factory=DeadLetter)
    worker: Worker | None = None

    def consumption(self) -> Consumption:
        fn = self.worker.function if self.worker else None
        trigger = self.worker.trigger if self.worker else None
        return Consumption(bool(self.fifo), self.queue, self.dead_letter, fn, trigger, function_path=("worker", "function"), trigger_path=("worker", "trigger"))


class FanOutTopic(Topic):
    content_based_deduplication: bool = Field(False, description="FIFO: deduplicate on a hash of the message body")


class FanOut(ComponentBase):
    pattern: Literal["fan-out"]
    topic: FanOutTopic = Field(default_factory=FanOutTopic)
    subscribers: list[Subscriber] = Field(min_length=1)

    @model_validator(mode="after")
    def _subscriber_types(self) -> "FanOut":
        """A subscriber's queue is FIFO when its topic is, unless it says otherwise."""
        for s in self.subscribers:
            if s.fifo is None:
                s.fifo = self.topic.fifo
        return self


@rule("AG301", "a standard topic cannot deliver to a FIFO queue", "https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html", part=FanOut)
def standard_topic_fifo_queue(c: FanOut, ctx: Context) -> Iterator[Violation]:
    for i, s in enumerate(c.subscribers):
        if s.fifo and not c.topic.fifo:
            yield Violation(("subscribers", i, "fifo"), "a standard SNS topic cannot deliver to a FIFO queue; make the topic FIFO or this queue standard")


@rule("AG302", "a FIFO topic's standard subscriber loses ordering and deduplication", "https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html", part=FanOut, severity="warning")
def fifo_topic_standard_queue(c: FanOut, ctx: Context) -> Iterator[Violation]:
    for i, s in enumerate(c.subscribers):
        if c.topic.fifo and not s.fifo:
            yield Violation(("subscribers", i, "fifo"), "a standard queue behind a FIFO topic: ordering and deduplication end here")


@rule("AG303", "subscriber names are unique", FILTER_LIMITS, part=FanOut)
def subscribers_unique(c: FanOut, ctx: Context) -> Iterator[Violation]:
    seen: dict[str, int] = {}
    for i, s in enumerate(c.subscribers):
        if s.name in seen:
            yield Violation(("subscribers", i, "name"), f"subscriber {shown(s.name)} is already defined at subscribers[{seen[s.name]}]")
        seen.setdefault(s.name, i)


@rule("AG304", "a filter policy fits SNS's limits: 5 keys, 150 combinations, 256 KB", FILTER_LIMITS, part=Subscriber)
def filter_policy_fits(s: Subscriber, ctx: Context) -> Iterator[Violation]:
    """Keys and combinations as SNS counts them: leaves are arrays of conditions."""
    if s.filter_policy is None:
        return
    path = ("filter_policy",)
    leaves: list[int] = []
    problems: list[Violation] = []

    def walk(node: dict, where: tuple) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, where + (key,))
            elif isinstance(value, list):
                if not value:
                    problems.append(Violation(where + (key,), "a filter policy key needs at least one value"))
                leaves.append(max(len(value), 1))
            else:
                problems.append(Violation(where + (key,), f"filter policy values are arrays, e.g. [{json.dumps(value)[:40]}]"))

    walk(s.filter_policy, path)
    yield from problems
    if len(leaves) > 5:
        yield Violation(path, f"a filter policy can have at most 5 keys, this one has {len(leaves)}")
    combinations = math.prod(leaves) if leaves else 0
    if combinations > 150:
        yield Violation(path, f"the values combine {combinations} ways; SNS allows 150")
    size = len(json.dumps(s.filter_policy, separators=(",", ":")).encode())
    if size > 256 * 1024:
        yield Violation(path, f"the filter policy is {size} bytes; SNS allows 256 KB")


@rule("AG305", "SNS delivers to a queue encrypted with a customer managed key or SSE-SQS, not aws/sqs", "https://docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html", part=Subscriber)
def queue_key_usable_by_sns(s: Subscriber, ctx: Context) -> Iterator[Violation]:
    key = s.queue.kms_key
    if key is not None and (key == "alias/aws/sqs" or key.endswith(":alias/aws/sqs")):
        yield Violation(("queue", "kms_key"), "SNS cannot send to a queue encrypted with the AWS managed key alias/aws/sqs (its key policy cannot allow SNS): use a customer managed key or leave kms_key out for SSE-SQS")


def build(c: FanOut, ctx: BuildContext) -> Module:
    base = ctx.name(c.name)
    topic_name = topic.topic_name(base, c.topic.fifo)
    topic_node = Node(f"SNS {topic_name}", "topic")
    names = topic.names(base, c.topic.fifo, ("name",))
    subscribers: dict = {}
    files: dict = {}
    inventory = [f"SNS {'FIFO ' if c.topic.fifo else ''}topic `{topic_name}` (KMS key {c.topic.kms_key}, TLS-only policy)"]
    diagram: list[Edge] = []
    for i, s in enumerate(c.subscribers):
        sub = f"{base}-{s.name}"
        use = s.consumption()
        entry: dict = {"queue": queue.queue_inputs(sub, use, iam.statements(s.queue.policy_statements))}
        dlq = queue.dead_letter_inputs(sub, use)
        if dlq is not None:
            entry["dead_letter"] = dlq
        entry["subscription_dead_letter_name"] = topic.subscription_dlq_name(sub, c.topic.fifo)
        if s.raw_message_delivery:
            entry["raw_message_delivery"] = True
        if s.filter_policy is not None:
            entry["filter_policy"] = hcl.Call("jsonencode", s.filter_policy)
            if s.filter_policy_scope != "MessageAttributes":
                entry["filter_policy_scope"] = s.filter_policy_scope
        path = ("subscribers", i, "name")
        names += queue.names(sub, use, path) + topic.subscription_names(sub, c.topic.fifo, path)
        line = queue.describe(sub, use)
        if s.filter_policy is not None:
            line += f"; a filter policy on the message {'body' if s.filter_policy_scope == 'MessageBody' else 'attributes'}"
        queue_node = Node(f"SQS {queue.queue_name(sub, use.fifo)}", "queue")
        diagram.append(Edge(topic_node, queue_node, "filtered" if s.filter_policy is not None else ""))
        if s.worker:
            package = function.package_dir(s.name)
            fn = function.inputs(s.worker.function, sub, ctx.region, package, f"Processes messages of the {s.name} subscriber of the {c.name} topic")
            entry["worker"] = {"function": fn, **({"trigger": t} if (t := queue.trigger_inputs(use)) else {})}
            files.update(function.package_files(s.worker.function, ctx.blueprint_dir, package))
            names += function.names(sub, ctx.region, path)
            line += f"; worker function `{sub}`"
            diagram.append(Edge(queue_node, Node(f"Lambda {sub}", "function")))
        inventory.append(line)
        subscribers[s.name] = entry
    inventory.append("every subscription has its own dead-letter queue (`-sns-dlq`) for messages SNS cannot deliver, with an alarm")
    workers = [s.worker.function for s in c.subscribers if s.worker]
    zip_ = any(f.source is not None for f in workers)
    return Module(
        inputs={
            "topic": topic.inputs(base, c.topic, iam.statements(c.topic.policy_statements), c.topic.content_based_deduplication),
            "subscribers": subscribers,
            **ctx.common_inputs(),
        },
        names=names,
        outputs=[
            ("topic_arn", "ARN of the topic publishers send to"),
            ("queue_urls", "URL of each subscriber's queue, by subscriber"),
            ("dead_letter_queue_urls", "URL of each subscriber's dead-letter queue, by subscriber"),
        ],
        inventory=inventory,
        diagram=diagram,
        providers={"aws", "archive"} if zip_ else {"aws"},
        files=files,
        context={"workers": bool(workers), "zip": zip_, "image": any(f.image_uri is not None for f in workers)},
    )


PATTERN = Pattern(
    name="fan-out",
    summary="one SNS topic -> many SQS queues, each with its own DLQ and optional worker",
    model=FanOut,
    build=build,
)
