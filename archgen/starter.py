"""`archgen init`: a starter blueprint that validates as written."""

from __future__ import annotations

import re
from pathlib import Path

from .api import UsageError
from .patterns import PATTERNS

SCHEMA_LINE = "# yaml-language-server: $schema=https://archgen.dev/schema/blueprint-1.json\n"

_COMPONENTS = {
    "queue-worker": """  - name: orders
    pattern: queue-worker
    fifo: false
    dead_letter: {max_receive_count: 5, retention: 14d}
    function:
      runtime: python3.13
      handler: app.handler
      source: src/orders
      timeout: 30
    trigger: {batch_size: 10}
""",
    "topic-worker": """  - name: notify
    pattern: topic-worker
    function:
      runtime: python3.13
      handler: app.handler
      source: src/notify
    retries: 2
    max_event_age: 1h
    on_failure: {kind: queue, via: destination}
""",
    "fan-out": """  - name: events
    pattern: fan-out
    subscribers:
      - name: audit
        raw_message_delivery: true
      - name: billing
        filter_policy: {type: [invoice]}
        worker:
          function: {runtime: python3.13, handler: app.handler, source: src/billing}
""",
}

_HANDLER = '''import json


def handler(event, context):
    """Starter handler written by archgen init: replace with your code."""
    failures = []
    for record in event.get("Records", []):
        try:
            print(json.dumps({"received": record.get("messageId") or record.get("Sns", {}).get("MessageId")}))
        except Exception:  # report the one message as failed, not the batch
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}
'''


def write_starter(directory: Path, patterns: list[str], name: str | None, force: bool) -> Path:
    for pattern in patterns:
        if pattern not in PATTERNS:
            raise UsageError(f"unknown pattern {pattern!r}; archgen list shows them")
        if pattern not in _COMPONENTS:
            raise UsageError(f"no starter for {pattern!r} yet")
    name = name or re.sub(r"[^a-z0-9-]", "-", directory.resolve().name.lower()).strip("-") or "app"
    if not re.match(r"^[a-z][a-z0-9-]{1,30}$", name):
        raise UsageError(f"{name!r} is not a blueprint name (^[a-z][a-z0-9-]{{1,30}}$); pass --name")
    path = directory / "blueprint.yaml"
    if path.exists() and not force:
        raise UsageError(f"{path} exists; --force overwrites it")
    text = SCHEMA_LINE + f"archgen: 1\nname: {name}\nregion: eu-west-1\ntags: {{team: platform}}\ncomponents:\n"
    text += "".join(_COMPONENTS[p] for p in dict.fromkeys(patterns))
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    for source in re.findall(r"source: (src/[a-z0-9-]+)", text):
        handler = directory / source / "app.py"
        if not handler.exists():
            handler.parent.mkdir(parents=True, exist_ok=True)
            handler.write_text(_HANDLER, encoding="utf-8")
    return path
