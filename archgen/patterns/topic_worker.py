"""topic-worker: SNS -> Lambda (asynchronous invoke), retries and a failure target at the Lambda level."""

from __future__ import annotations

from typing import Iterator, Literal

from pydantic import Field

from .. import hcl
from ..findings import Issue
from ..model import ComponentBase, Duration, Function, Strict
from ..rules import QUEUE_RETENTION, Context, check_function, define
from ..units import human_duration
from . import Module, Pattern, RenderContext
from ._common import function_inputs, function_names

RETRIES = define("AG201", "asynchronous retries are 0..2")
EVENT_AGE = define("AG202", "maximum event age is 60 s..6 h")
FAILURE_TARGET = define("AG203", "the failure target suits how it is attached")
FIFO_TOPIC_LAMBDA = define("AG204", "an SNS FIFO topic cannot invoke Lambda")


class Topic(Strict):
    fifo: bool = False
    kms_key: str = Field("alias/aws/sns", description="KMS key (ARN or alias) encrypting the topic")


class OnFailure(Strict):
    kind: Literal["queue", "topic", "discard"] = "queue"
    via: Literal["destination", "dead_letter_config"] | None = Field(None, description="default: destination")
    retention: Duration = Field(14 * 86400, description="how long the failure queue keeps events")


class TopicWorker(ComponentBase):
    pattern: Literal["topic-worker"]
    topic: Topic = Field(default_factory=Topic)
    function: Function
    retries: int = 2
    max_event_age: Duration = 6 * 3600
    on_failure: OnFailure = Field(default_factory=OnFailure)


def check(c: TopicWorker, ctx: Context) -> Iterator[Issue]:
    yield from check_function(c.function, ("function",), ctx)
    if c.topic.fifo:
        # https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html
        yield Issue(FIFO_TOPIC_LAMBDA, ("topic", "fifo"), "an SNS FIFO topic delivers only to SQS queues; use fan-out with a FIFO subscriber queue and a worker")
    # https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
    if not 0 <= c.retries <= 2:
        yield Issue(RETRIES, ("retries",), f"must be between 0 and 2, got {c.retries}")
    if not 60 <= c.max_event_age <= 21600:
        yield Issue(EVENT_AGE, ("max_event_age",), f"must be between 60s and 6h, got {human_duration(c.max_event_age)}")
    if c.on_failure.kind == "discard" and c.on_failure.via is not None:
        yield Issue(FAILURE_TARGET, ("on_failure", "via"), "events that fail are discarded: there is nothing to attach; remove `via` or choose a queue or topic", severity="warning")
    if c.on_failure.kind == "queue" and not 60 <= c.on_failure.retention <= 1209600:
        yield Issue(QUEUE_RETENTION, ("on_failure", "retention"), f"must be between 60s and 14d, got {human_duration(c.on_failure.retention)}")


def names(c: TopicWorker, blueprint: str) -> list:
    full = f"{blueprint}-{c.name}"
    out = [("sns", full + (".fifo" if c.topic.fifo else ""), ("name",))] + function_names(full, ("name",))
    if c.on_failure.kind == "queue":
        out.append(("sqs", full + "-failures", ("name",)))
    elif c.on_failure.kind == "topic":
        out.append(("sns", full + "-failures", ("name",)))
    return out


def module(c: TopicWorker, rctx: RenderContext) -> Module:
    full = rctx.full_name(c.name)
    via = c.on_failure.via or "destination"
    inputs: dict = {
        "name": full,
        "function": function_inputs(c.function, rctx),
        "async_invoke": {"maximum_retry_attempts": c.retries, "maximum_event_age_in_seconds": c.max_event_age},
    }
    if c.on_failure.kind == "queue":
        inputs["failure_queue_retention_seconds"] = c.on_failure.retention
    target = None
    if c.on_failure.kind == "queue":
        target = hcl.HCL("aws_sqs_queue.failures.arn")
    elif c.on_failure.kind == "topic":
        target = hcl.HCL("aws_sns_topic.failures.arn")
    outputs = [("topic_arn", "ARN of the topic publishers send to"), ("function_name", "name of the worker function")]
    inventory = [f"SNS topic `{full}` (KMS-encrypted, TLS-only policy)", f"Lambda function `{full}` invoked asynchronously: {c.retries} retries, events dropped after {human_duration(c.max_event_age)}"]
    diagram = [f"  {c.name}_t{{{{SNS {full}}}}} --> {c.name}_fn({full} Lambda)"]
    if target is not None:
        kind = "SQS queue" if c.on_failure.kind == "queue" else "SNS topic"
        outputs.append(("failure_target_arn", f"ARN of the {kind} receiving failed events"))
        inventory.append(f"failed events go to {kind} `{full}-failures` through the function's {'on-failure destination' if via == 'destination' else 'dead-letter config'}")
        diagram.append(f"  {c.name}_fn -. on failure .-> {c.name}_failed[[{kind} {full}-failures]]")
    return Module(
        inputs=inputs,
        context={"label": hcl.ident("worker"), "name_tmpl": hcl.HCL("${var.name}"), "target": target, "via": via},
        outputs=outputs,
        providers={"archive"} if c.function.source else set(),
        inventory=inventory,
        diagram=diagram,
    )


PATTERN = Pattern(
    name="topic-worker",
    summary="SNS -> Lambda (asynchronous invoke) with retries and a failure target",
    model=TopicWorker,
    check=check,
    names=names,
    module=module,
)
