"""The handlers archgen ships (examples and `archgen init` starters) do what their queues need:
read the SNS envelope when raw delivery is off, report failures one by one, and on FIFO queues
report the rest of the batch after a failure so that a group's order holds."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import ROOT

SQS_HANDLERS = [
    ROOT / "blueprints" / "src" / "orders" / "app.py",
    ROOT / "blueprints" / "src" / "billing" / "app.py",
    ROOT / "templates" / "queue-worker" / "starter" / "src" / "orders" / "app.py",
    ROOT / "templates" / "fan-out" / "starter" / "src" / "billing" / "app.py",
]


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"handler_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(message_id: str, body: dict | str, fifo: bool = False) -> dict:
    attributes = {"ApproximateReceiveCount": "1"}
    if fifo:
        attributes.update(MessageGroupId="g1", MessageDeduplicationId=message_id)
    return {"messageId": message_id, "body": body if isinstance(body, str) else json.dumps(body), "attributes": attributes}


def good(path: Path, i: int) -> dict:
    return {"id": f"o{i}", "amount": 10} if "billing" in str(path) else {"id": f"o{i}"}


@pytest.mark.parametrize("path", SQS_HANDLERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_standard_queue_reports_only_the_failed_message(path):
    handler = load(path).handler
    event = {"Records": [record("m1", good(path, 1)), record("m2", "not json"), record("m3", good(path, 3))]}
    assert handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "m2"}]}


@pytest.mark.parametrize("path", SQS_HANDLERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_fifo_queue_reports_the_rest_of_the_batch_after_a_failure(path):
    handler = load(path).handler
    event = {"Records": [record("m1", good(path, 1), True), record("m2", "not json", True), record("m3", good(path, 3), True)]}
    assert handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}


@pytest.mark.parametrize("path", [p for p in SQS_HANDLERS if "billing" in str(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_fan_out_handler_reads_the_sns_envelope_and_raw_messages(path, capsys):
    handler = load(path).handler
    invoice = {"id": "inv-1", "amount": 42}
    envelope = {"Type": "Notification", "MessageId": "x", "TopicArn": "arn:aws:sns:eu-west-1:123456789012:t", "Message": json.dumps(invoice)}
    event = {"Records": [record("m1", envelope), record("m2", invoice)]}
    assert handler(event, None) == {"batchItemFailures": []}
    assert capsys.readouterr().out.count('"invoice": "inv-1"') == 2


@pytest.mark.parametrize("path", [ROOT / "blueprints" / "src" / "notify" / "app.py", ROOT / "templates" / "topic-worker" / "starter" / "src" / "notify" / "app.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_topic_handler_raises_so_lambda_retries(path):
    handler = load(path).handler
    ok = {"Records": [{"Sns": {"Message": json.dumps({"user": "u1", "template": "welcome"})}}]}
    handler(ok, None)
    with pytest.raises(ValueError):
        handler({"Records": [{"Sns": {"Message": "not json"}}]}, None)
