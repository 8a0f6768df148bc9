"""Pieces several patterns build from: function settings, queue settings, names."""

from __future__ import annotations

from ..findings import Path
from ..model import DeadLetter, Function, Queue, Trigger
from ..rules import retention_days, visibility_timeout
from . import RenderContext


def function_inputs(fn: Function, rctx: RenderContext) -> dict:
    """The `function` module variable: what an operator tunes, named as the provider names it."""
    data: dict = {}
    if fn.source is not None:
        data["runtime"] = fn.runtime
        data["handler"] = fn.handler
        data["source_dir"] = rctx.source_path(fn.source)
    else:
        data["image_uri"] = fn.image_uri
    data["architecture"] = fn.architecture
    data["timeout"] = fn.timeout
    data["memory_size"] = fn.memory
    data["reserved_concurrent_executions"] = -1 if fn.reserved_concurrency is None else fn.reserved_concurrency
    if fn.environment:
        data["environment"] = dict(sorted(fn.environment.items()))
    data["log_retention_in_days"] = retention_days(fn.log_retention)
    if fn.kms_key is not None:
        data["kms_key_arn"] = fn.kms_key
    return data


def queue_inputs(queue: Queue, fn: Function | None) -> dict:
    return {
        "message_retention_seconds": queue.retention,
        "visibility_timeout_seconds": visibility_timeout(queue, fn),
    }


def dead_letter_inputs(dead_letter: DeadLetter) -> dict:
    return {"max_receive_count": dead_letter.max_receive_count, "message_retention_seconds": dead_letter.retention}


def trigger_inputs(trigger: Trigger, fifo: bool) -> dict:
    data: dict = {"batch_size": trigger.batch_size}
    if not fifo:
        data["maximum_batching_window_in_seconds"] = trigger.batching_window or 0
    if trigger.max_concurrency is not None:
        data["maximum_concurrency"] = trigger.max_concurrency
    return data


def function_names(full: str, path: Path) -> list[tuple[str, str, Path]]:
    return [("lambda", full, path), ("iam-role", full, path)]


def sqs_names(full: str, fifo: bool, dead_letter: DeadLetter, dlq_fifo: bool, path: Path) -> list[tuple[str, str, Path]]:
    names = [("sqs", full + (".fifo" if fifo else ""), path)]
    if dead_letter.enabled:
        names.append(("sqs", full + "-dlq" + (".fifo" if dlq_fifo else ""), path))
    return names
