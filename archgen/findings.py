"""Findings are data; formatters turn them into text, JSON or SARIF."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from . import __version__

if TYPE_CHECKING:
    from .rules import Rule

YamlPath = tuple  # a path in the blueprint: str keys and int indexes, ("components", 0, "fifo")

SEVERITIES = ("error", "warning", "info")


def format_path(path: YamlPath) -> str:
    """`("components", 0, "fifo")` -> `components[0].fifo`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def shown(value: object, limit: int = 60) -> str:
    """A value as messages echo it: its repr, cut to `limit` characters."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 3]}... ({len(text)} characters)"


@dataclass(frozen=True)
class Issue:
    """What a rule says, before it is placed in a file: a YAML path and a message."""

    rule: str
    path: YamlPath
    message: str
    severity: str = "error"
    # point at the key rather than the value (unknown or duplicate fields)
    at_key: bool = False
    # where the loader saw it, for what has no path of its own (a duplicate key)
    mark: tuple[int, int] | None = None


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    column: int
    severity: str
    rule: str
    path: str
    message: str
    _order: int = field(default=0, compare=False, repr=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("_order")
        return data

    def text(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {self.severity} {self.rule} {where}{self.message}"


def has_errors(findings: Iterable[Finding], strict: bool = False) -> bool:
    return any(f.severity == "error" or (strict and f.severity == "warning") for f in findings)


def format_text(findings: list[Finding], rules: dict[str, Rule] | None = None) -> str:
    return "".join(f.text() + "\n" for f in findings)


def format_json(findings: list[Finding], rules: dict[str, Rule] | None = None) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def sarif_uri(file: str) -> str:
    """A SARIF artifact URI: relative paths percent-encoded, absolute ones as file:// URIs."""
    if os.path.isabs(file):
        return Path(file).as_uri()
    from urllib.parse import quote

    return quote(Path(file).as_posix(), safe="/")


def format_sarif(findings: list[Finding], rules: dict[str, Rule] | None = None) -> str:
    """SARIF 2.1.0, one run, one result per finding; each rule with its description and help URI."""
    rules = rules or {}
    used = sorted({f.rule for f in findings})
    descriptors = []
    for rule_id in used:
        descriptor: dict = {"id": rule_id}
        rule = rules.get(rule_id)
        if rule is not None:
            descriptor["shortDescription"] = {"text": rule.summary}
            descriptor["fullDescription"] = {"text": rule.description or rule.summary}
            if rule.url:
                descriptor["helpUri"] = rule.url
                descriptor["help"] = {"text": f"{rule.summary}. See {rule.url}"}
            descriptor["defaultConfiguration"] = {"level": _SARIF_LEVEL.get(rule.severity, "warning")}
        descriptors.append(descriptor)
    driver = {
        "name": "archgen",
        "version": __version__,
        "informationUri": "https://pypi.org/project/archgen/",
        "rules": descriptors,
    }
    results = []
    for f in findings:
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": used.index(f.rule),
                "level": _SARIF_LEVEL.get(f.severity, "warning"),
                "message": {"text": f"{f.path}: {f.message}" if f.path else f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": sarif_uri(f.file)},
                            "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                        },
                        "logicalLocations": [{"fullyQualifiedName": f.path}] if f.path else [],
                    }
                ],
            }
        )
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(doc, indent=2) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "sarif": format_sarif}
