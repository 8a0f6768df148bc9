"""fan-out: one SNS topic -> many SQS queues, each with its own DLQ and optional worker."""

from __future__ import annotations

import json
import math
from typing import Annotated, Iterator, Literal

from pydantic import Field

from .. import hcl
from ..findings import Issue
from ..model import COMPONENT_RE, ComponentBase, DeadLetter, Function, Queue, Strict, Trigger
from ..rules import Context, check_function, check_queue, check_trigger, define
from . import Module, Pattern, RenderContext
from ._common import dead_letter_inputs, function_inputs, function_names, queue_inputs, sqs_names, trigger_inputs
from .topic_worker import Topic

STANDARD_TOPIC_FIFO_QUEUE = define("AG301", "a standard topic cannot deliver to a FIFO queue")
FIFO_TOPIC_STANDARD_QUEUE = define("AG302", "a FIFO topic's standard subscriber loses ordering and deduplication")
DUPLICATE_SUBSCRIBER = define("AG303", "subscriber names are unique")
FILTER_POLICY = define("AG304", "a filter policy fits SNS's limits: 5 keys, 150 combinations, 256 KB")


class Worker(Strict):
    function: Function
    trigger: Trigger = Field(default_factory=Trigger)


class Subscriber(Strict):
    name: Annotated[str, Field(pattern=COMPONENT_RE)]
    fifo: bool | None = Field(None, description="default: the topic's type")
    raw_message_delivery: bool = False
    filter_policy: dict | None = None
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] = "MessageAttributes"
    queue: Queue = Field(default_factory=Queue)
    dead_letter: DeadLetter = Field(default_factory=DeadLetter)
    worker: Worker | None = None


class FanOutTopic(Topic):
    content_based_deduplication: bool = False


class FanOut(ComponentBase):
    pattern: Literal["fan-out"]
    topic: FanOutTopic = Field(default_factory=FanOutTopic)
    subscribers: Annotated[list[Subscriber], Field(min_length=1)]


def _fifo(c: FanOut, s: Subscriber) -> bool:
    return c.topic.fifo if s.fifo is None else s.fifo


def _policy_shape(policy: dict, path: tuple) -> Iterator[Issue]:
    """Keys and combinations as SNS counts them: leaves are arrays of conditions."""
    # https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
    leaves: list[int] = []

    def walk(node: dict, where: tuple) -> Iterator[Issue]:
        for key, value in node.items():
            if isinstance(value, dict):
                yield from walk(value, where + (key,))
            elif isinstance(value, list):
                if not value:
                    yield Issue(FILTER_POLICY, where + (key,), "a filter policy key needs at least one value")
                leaves.append(max(len(value), 1))
            else:
                yield Issue(FILTER_POLICY, where + (key,), f"filter policy values are arrays, e.g. [{json.dumps(value)}]")

    yield from walk(policy, path)
    if len(leaves) > 5:
        yield Issue(FILTER_POLICY, path, f"a filter policy can have at most 5 keys, this one has {len(leaves)}")
    combinations = math.prod(leaves) if leaves else 0
    if combinations > 150:
        yield Issue(FILTER_POLICY, path, f"the values combine {combinations} ways; SNS allows 150")
    size = len(json.dumps(policy, separators=(",", ":")).encode())
    if size > 256 * 1024:
        yield Issue(FILTER_POLICY, path, f"the filter policy is {size} bytes; SNS allows 256 KB")


def check(c: FanOut, ctx: Context) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for i, s in enumerate(c.subscribers):
        base = ("subscribers", i)
        if s.name in seen:
            yield Issue(DUPLICATE_SUBSCRIBER, base + ("name",), f"subscriber {s.name!r} is already defined at subscribers[{seen[s.name]}]")
        seen.setdefault(s.name, i)
        fifo = _fifo(c, s)
        if fifo and not c.topic.fifo:
            yield Issue(STANDARD_TOPIC_FIFO_QUEUE, base + ("fifo",), "a standard SNS topic cannot deliver to a FIFO queue; make the topic FIFO or this queue standard")
        if c.topic.fifo and not fifo:
            yield Issue(FIFO_TOPIC_STANDARD_QUEUE, base + ("fifo",), "a standard queue behind a FIFO topic: ordering and deduplication end here", severity="warning")
        fn = s.worker.function if s.worker else None
        yield from check_queue(s.queue, s.dead_letter, fifo, fn, base + ("queue",), base + ("dead_letter",))
        if s.worker:
            yield from check_function(s.worker.function, base + ("worker", "function"), ctx)
            yield from check_trigger(s.worker.trigger, fifo, base + ("worker", "trigger"))
        if s.filter_policy is not None:
            yield from _policy_shape(s.filter_policy, base + ("filter_policy",))


def names(c: FanOut, blueprint: str) -> list:
    full = f"{blueprint}-{c.name}"
    out = [("sns", full + (".fifo" if c.topic.fifo else ""), ("name",))]
    for i, s in enumerate(c.subscribers):
        sub = f"{full}-{s.name}"
        fifo = _fifo(c, s)
        out += sqs_names(sub, fifo, s.dead_letter, fifo, ("subscribers", i, "name"))
        if s.worker:
            out += function_names(sub, ("subscribers", i, "name"))
    return out


def label(s: Subscriber) -> str:
    return s.name.replace("-", "_")


def module(c: FanOut, rctx: RenderContext) -> Module:
    full = rctx.full_name(c.name)
    subscribers: dict = {}
    subs = []
    providers: set[str] = set()
    topic_name = full + (".fifo" if c.topic.fifo else "")
    inventory = [f"SNS {'FIFO ' if c.topic.fifo else ''}topic `{topic_name}` (KMS-encrypted, TLS-only policy)"]
    diagram = []
    for s in c.subscribers:
        fifo = _fifo(c, s)
        fn = s.worker.function if s.worker else None
        entry: dict = {"queue": queue_inputs(s.queue, fn)}
        if s.dead_letter.enabled:
            entry["dead_letter"] = dead_letter_inputs(s.dead_letter)
        if s.worker:
            entry["function"] = function_inputs(s.worker.function, rctx)
            entry["trigger"] = trigger_inputs(s.worker.trigger, fifo)
            if s.worker.function.source:
                providers.add("archive")
        lbl = label(s)
        subscribers[lbl] = entry
        cfg = f"var.subscribers.{lbl}"
        subs.append({
            "s": s,
            "fifo": fifo,
            "label": hcl.ident(lbl),
            "name_tmpl": hcl.HCL("${var.name}-" + hcl.escape_string(s.name)),
            "queue_cfg": hcl.ident_path(cfg + ".queue"),
            "dlq_cfg": hcl.ident_path(cfg + ".dead_letter"),
            "function_cfg": hcl.ident_path(cfg + ".function"),
            "trigger_cfg": hcl.ident_path(cfg + ".trigger"),
            "worker_label": hcl.ident(lbl + "_worker"),
            "description": hcl.string(f"Processes messages of the {s.name} subscriber of the {c.name} topic"),
            "filter_policy": hcl.value(s.filter_policy, 1) if s.filter_policy is not None else None,
        })
        qname = f"{full}-{s.name}" + (".fifo" if fifo else "")
        line = f"SQS {'FIFO ' if fifo else ''}queue `{qname}`"
        if s.filter_policy is not None:
            line += " with a filter policy"
        if s.dead_letter.enabled:
            line += f", dead-letter queue after {s.dead_letter.max_receive_count} receives"
        if s.worker:
            line += f", worker function `{full}-{s.name}`"
        inventory.append(line)
        diagram.append(f"  {c.name}_t{{{{SNS {topic_name}}}}} --> {c.name}_{lbl}[[SQS {qname}]]")
        if s.worker:
            diagram.append(f"  {c.name}_{lbl} --> {c.name}_{lbl}_fn({full}-{s.name} Lambda)")
    return Module(
        inputs={"name": full, "subscribers": subscribers},
        context={"subs": subs, "name_tmpl": hcl.HCL("${var.name}")},
        outputs=[("topic_arn", "ARN of the topic publishers send to"), ("queue_urls", "URL of each subscriber's queue, by subscriber")],
        providers=providers,
        inventory=inventory,
        diagram=diagram,
    )


PATTERN = Pattern(
    name="fan-out",
    summary="one SNS topic -> many SQS queues, each with its own DLQ and optional worker",
    model=FanOut,
    check=check,
    names=names,
    module=module,
)
