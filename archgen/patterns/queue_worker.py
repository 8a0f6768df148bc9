"""queue-worker: SQS (standard or FIFO) -> Lambda, with a dead-letter queue."""

from __future__ import annotations

from typing import Iterator, Literal

from pydantic import Field

from .. import hcl
from ..findings import Issue
from ..model import ComponentBase, DeadLetter, Function, Queue, Trigger
from ..rules import Context, check_function, check_queue, check_trigger
from . import Module, Pattern, RenderContext
from ._common import dead_letter_inputs, function_inputs, function_names, queue_inputs, sqs_names, trigger_inputs


class QueueWorker(ComponentBase):
    pattern: Literal["queue-worker"]
    fifo: bool = False
    queue: Queue = Field(default_factory=Queue)
    dead_letter: DeadLetter = Field(default_factory=DeadLetter)
    function: Function
    trigger: Trigger = Field(default_factory=Trigger)


def check(c: QueueWorker, ctx: Context) -> Iterator[Issue]:
    yield from check_function(c.function, ("function",), ctx)
    yield from check_queue(c.queue, c.dead_letter, c.fifo, c.function, ("queue",), ("dead_letter",))
    yield from check_trigger(c.trigger, c.fifo, ("trigger",))


def names(c: QueueWorker, blueprint: str) -> list:
    full = f"{blueprint}-{c.name}"
    return sqs_names(full, c.fifo, c.dead_letter, c.fifo, ("name",)) + function_names(full, ("name",))


def module(c: QueueWorker, rctx: RenderContext) -> Module:
    full = rctx.full_name(c.name)
    queue_name = full + (".fifo" if c.fifo else "")
    inputs: dict = {
        "name": full,
        "queue": queue_inputs(c.queue, c.function),
    }
    if c.dead_letter.enabled:
        inputs["dead_letter"] = dead_letter_inputs(c.dead_letter)
    inputs["function"] = function_inputs(c.function, rctx)
    inputs["trigger"] = trigger_inputs(c.trigger, c.fifo)
    kind = "FIFO queue" if c.fifo else "queue"
    inventory = [f"SQS {kind} `{queue_name}` (SSE-SQS, TLS-only policy)"]
    diagram = [f"  {c.name}_q[[SQS {queue_name}]] --> {c.name}_fn({full} Lambda)"]
    if c.dead_letter.enabled:
        dlq = full + "-dlq" + (".fifo" if c.fifo else "")
        inventory.append(f"dead-letter queue `{dlq}` after {c.dead_letter.max_receive_count} receives")
        diagram.append(f"  {c.name}_q -. after {c.dead_letter.max_receive_count} receives .-> {c.name}_dlq[[SQS {dlq}]]")
    inventory.append(f"Lambda function `{full}` with its role, log group and X-Ray tracing")
    return Module(
        inputs=inputs,
        context={"label": hcl.ident("worker"), "name_tmpl": hcl.HCL("${var.name}")},
        outputs=[
            ("queue_url", "URL of the queue producers send to"),
            ("queue_arn", "ARN of the queue"),
            *([("dead_letter_queue_url", "URL of the dead-letter queue, to inspect and redrive")] if c.dead_letter.enabled else []),
            ("function_name", "name of the worker function"),
        ],
        providers={"archive"} if c.function.source else set(),
        inventory=inventory,
        diagram=diagram,
    )


PATTERN = Pattern(
    name="queue-worker",
    summary="SQS (standard or FIFO) -> Lambda, with a dead-letter queue",
    model=QueueWorker,
    check=check,
    names=names,
    module=module,
)
