"""Every rule has a blueprint that passes it and one that fails it (checkov style)."""

from __future__ import annotations

import copy

import pytest
import yaml

from archgen import api
from archgen.rules import RULES

FUNCTION = {"runtime": "python3.13", "handler": "app.handler", "source": "src/app", "timeout": 30}

BASES = {
    "queue-worker": {"name": "orders", "pattern": "queue-worker", "function": dict(FUNCTION)},
    "topic-worker": {"name": "notify", "pattern": "topic-worker", "function": dict(FUNCTION)},
    "fan-out": {
        "name": "events",
        "pattern": "fan-out",
        "subscribers": [
            {"name": "audit"},
            {"name": "billing", "filter_policy": {"type": ["invoice"]}, "worker": {"function": dict(FUNCTION)}},
        ],
    },
}


def blueprint(component: dict, **head) -> dict:
    return {"archgen": 1, "name": "shop", "region": "eu-west-1", "components": [component], **head}


def setpath(data, path, value):
    node = data
    for part in path[:-1]:
        if isinstance(node, dict) and part not in node:
            node[part] = {}
        node = node[part]
    node[path[-1]] = value
    return data


# (rule, pattern, changes {path: value}, expected finding path, severity)
CASES = [
    ("AG003", "queue-worker", {("fifoo",): True}, "components[0].fifoo", "error"),
    ("AG005", "queue-worker", {("fifo",): "yes"}, "components[0].fifo", "error"),
    ("AG005", "queue-worker", {("queue", "retention"): "4 weeks"}, "components[0].queue.retention", "error"),
    ("AG009", "queue-worker", {("name",): "a" * 40, ("function", "timeout"): 30}, "components[0].name", "error"),
    ("AG050", "queue-worker", {("function", "timeout"): 901}, "components[0].function.timeout", "error"),
    ("AG051", "queue-worker", {("function", "memory"): 64}, "components[0].function.memory", "error"),
    ("AG052", "queue-worker", {("function", "runtime"): "python2.7"}, "components[0].function.runtime", "error"),
    ("AG053", "queue-worker", {("function", "image_uri"): "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"}, "components[0].function", "error"),
    ("AG054", "queue-worker", {("function", "handler"): None}, "components[0].function", "error"),
    ("AG055", "queue-worker", {("function", "source"): "src/missing"}, "components[0].function.source", "error"),
    ("AG056", "queue-worker", {("function", "environment"): {"AWS_REGION": "x"}}, "components[0].function.environment.AWS_REGION", "error"),
    ("AG057", "queue-worker", {("function", "reserved_concurrency"): -2}, "components[0].function.reserved_concurrency", "error"),
    ("AG058", "queue-worker", {("function", "log_retention"): "2d"}, "components[0].function.log_retention", "error"),
    ("AG059", "queue-worker", {("function", "kms_key"): "alias/aws/lambda"}, "components[0].function.kms_key", "error"),
    ("AG101", "queue-worker", {("queue", "retention"): "15d"}, "components[0].queue.retention", "error"),
    ("AG102", "queue-worker", {("fifo",): True, ("dead_letter", "fifo"): False}, "components[0].dead_letter.fifo", "error"),
    ("AG103", "queue-worker", {("queue", "visibility_timeout"): 10}, "components[0].queue.visibility_timeout", "error"),
    ("AG104", "queue-worker", {("dead_letter", "max_receive_count"): 0}, "components[0].dead_letter.max_receive_count", "error"),
    ("AG105", "queue-worker", {("queue", "retention"): "14d"}, "components[0].dead_letter.retention", "warning"),
    ("AG106", "queue-worker", {("fifo",): True, ("trigger", "batch_size"): 11}, "components[0].trigger.batch_size", "error"),
    ("AG106", "queue-worker", {("trigger", "batch_size"): 10001, ("trigger", "batching_window"): 5}, "components[0].trigger.batch_size", "error"),
    ("AG107", "queue-worker", {("trigger", "batch_size"): 100}, "components[0].trigger.batch_size", "error"),
    ("AG107", "queue-worker", {("fifo",): True, ("trigger", "batching_window"): 5}, "components[0].trigger.batching_window", "error"),
    ("AG108", "queue-worker", {("trigger", "max_concurrency"): 1}, "components[0].trigger.max_concurrency", "error"),
    ("AG201", "topic-worker", {("retries",): 3}, "components[0].retries", "error"),
    ("AG202", "topic-worker", {("max_event_age",): "7h"}, "components[0].max_event_age", "error"),
    ("AG203", "topic-worker", {("on_failure",): {"kind": "discard", "via": "destination"}}, "components[0].on_failure.via", "warning"),
    ("AG204", "topic-worker", {("topic", "fifo"): True}, "components[0].topic.fifo", "error"),
    ("AG301", "fan-out", {("subscribers", 0, "fifo"): True}, "components[0].subscribers[0].fifo", "error"),
    ("AG302", "fan-out", {("topic", "fifo"): True, ("subscribers", 0, "fifo"): False}, "components[0].subscribers[0].fifo", "warning"),
    ("AG303", "fan-out", {("subscribers", 1, "name"): "audit"}, "components[0].subscribers[1].name", "error"),
    ("AG304", "fan-out", {("subscribers", 1, "filter_policy"): {k: ["x"] for k in "abcdef"}}, "components[0].subscribers[1].filter_policy", "error"),
    ("AG304", "fan-out", {("subscribers", 1, "filter_policy"): {"a": [str(i) for i in range(13)], "b": [str(i) for i in range(12)]}}, "components[0].subscribers[1].filter_policy", "error"),
    ("AG304", "fan-out", {("subscribers", 1, "filter_policy"): {"type": "invoice"}}, "components[0].subscribers[1].filter_policy.type", "error"),
]

# Rules whose failing blueprint is not a component mutation: tested in test_cli.py / test_loader.py.
ELSEWHERE = {"AG001", "AG002", "AG004", "AG006", "AG007", "AG008"}


def check(tmp_path, data):
    (tmp_path / "src" / "app").mkdir(parents=True, exist_ok=True)
    path = tmp_path / "bp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return api.read_blueprint(path).findings()


@pytest.mark.parametrize("pattern", sorted(BASES))
def test_base_blueprints_pass_every_rule(tmp_path, pattern):
    assert check(tmp_path, blueprint(copy.deepcopy(BASES[pattern]))) == []


@pytest.mark.parametrize("rule,pattern,changes,path,severity", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fails(tmp_path, rule, pattern, changes, path, severity):
    component = copy.deepcopy(BASES[pattern])
    for where, value in changes.items():
        if value is None:
            node = component
            for part in where[:-1]:
                node = node[part]
            del node[where[-1]]
        else:
            setpath(component, where, value)
    head = {"name": "b" * 31} if rule == "AG009" else {}  # 31 + 1 + 40 characters: over Lambda's 64
    findings = check(tmp_path, blueprint(component, **head))
    assert [(f.rule, f.path, f.severity) for f in findings if f.rule == rule] == [(rule, path, severity)], findings


def test_every_rule_has_a_failing_case():
    covered = {c[0] for c in CASES} | ELSEWHERE
    missing = {r for r in RULES if not r.startswith("AG9")} - covered
    assert not missing, f"rules without a failing blueprint: {sorted(missing)}"


def test_visibility_timeout_defaults_to_six_times_the_function_timeout(tmp_path):
    from archgen.patterns.queue_worker import module
    from archgen.patterns import RenderContext

    path = tmp_path / "bp.yaml"
    (tmp_path / "src" / "app").mkdir(parents=True)
    component = copy.deepcopy(BASES["queue-worker"])
    component["function"]["timeout"] = 45
    path.write_text(yaml.safe_dump(blueprint(component)))
    bp = api.read_blueprint(path)
    mod = module(bp.components[0], RenderContext("shop", tmp_path, tmp_path / "out", "eu-west-1"))
    assert mod.inputs["queue"]["visibility_timeout_seconds"] == 270
    assert mod.inputs["dead_letter"]["message_retention_seconds"] == 14 * 86400
    assert mod.inputs["dead_letter"]["max_receive_count"] == 5
