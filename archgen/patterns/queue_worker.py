"""queue-worker: SQS (standard or FIFO) -> Lambda, with a dead-letter queue."""

from __future__ import annotations

from typing import Literal

from ..modeling import Field

from ..blocks import function, iam, queue
from ..blocks.function import Function
from ..blocks.queue import ConsumedQueue, Consumption, DeadLetter, Queue, Trigger
from ..model import ComponentBase
from . import BuildContext, Edge, Module, Node, Pattern


class QueueWorker(ComponentBase, ConsumedQueue):
    pattern: Literal["queue-worker"]
    fifo: bool = False
    queue: Queue = Field(default_factory=Queue)
    dead_letter: DeadLetter = Field(default_factory=DeadLetter)
    function: Function
    trigger: Trigger = Field(default_factory=Trigger)

    def consumption(self) -> Consumption:
        return Consumption(self.fifo, self.queue, self.dead_letter, self.function, self.trigger)


def build(c: QueueWorker, ctx: BuildContext) -> Module:
    base = ctx.name(c.name)
    use = c.consumption()
    package = function.package_dir("worker")
    inputs = {
        "queue": queue.queue_inputs(base, use, iam.statements(c.queue.policy_statements)),
        "dead_letter": queue.dead_letter_inputs(base, use),
        "function": function.inputs(c.function, base, ctx.region, package, f"Processes messages from the {c.name} queue"),
        "trigger": queue.trigger_inputs(use),
        **ctx.common_inputs(),
    }
    queue_node = Node(f"SQS {queue.queue_name(base, c.fifo)}", "queue")
    function_node = Node(f"Lambda {base}", "function")
    diagram = [Edge(queue_node, function_node)]
    outputs = [("queue_url", "URL of the queue producers send to"), ("queue_arn", "ARN of the queue")]
    if c.dead_letter.enabled:
        diagram.append(Edge(queue_node, Node(f"SQS {queue.dead_letter_name(base, c.fifo)}", "queue"), f"after {c.dead_letter.max_receive_count} receives", dotted=True))
        outputs.append(("dead_letter_queue_url", "URL of the dead-letter queue, to inspect and redrive failed messages"))
    outputs += [("function_name", "name of the worker function"), ("function_role_arn", "ARN of the worker's IAM role, to grant it more access")]
    return Module(
        inputs={k: v for k, v in inputs.items() if v not in (None, {})},
        names=queue.names(base, use, ("name",)) + function.names(base, ctx.region, ("name",)),
        outputs=outputs,
        inventory=[
            queue.describe(base, use),
            f"Lambda function `{base}` ({c.function.runtime or 'container image'}) with its role, log group and X-Ray tracing, "
            f"invoked in batches of up to {c.trigger.batch_size}",
        ],
        diagram=diagram,
        providers={"aws", "archive"} if c.function.source else {"aws"},
        files=function.package_files(c.function, ctx.blueprint_dir, package),
        context={"zip": c.function.source is not None},
    )


PATTERN = Pattern(
    name="queue-worker",
    summary="SQS (standard or FIFO) -> Lambda, with a dead-letter queue",
    model=QueueWorker,
    build=build,
)
