"""Findings are data; formatters turn them into text, JSON or SARIF."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable

from . import __version__

Path = tuple  # a YAML path: a tuple of str keys and int indexes


def format_path(path: Path) -> str:
    """`("components", 0, "fifo")` -> `components[0].fifo`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Issue:
    """What a rule says, before it is placed in a file: a YAML path and a message."""

    rule: str
    path: Path
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


def format_text(findings: list[Finding]) -> str:
    return "".join(f.text() + "\n" for f in findings)


def format_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def format_sarif(findings: list[Finding], rules: dict[str, str] | None = None) -> str:
    """SARIF 2.1.0, one run, one result per finding."""
    rules = rules or {}
    used = sorted({f.rule for f in findings})
    driver = {
        "name": "archgen",
        "version": __version__,
        "informationUri": "https://pypi.org/project/archgen/",
        "rules": [
            {"id": rule, "shortDescription": {"text": rules.get(rule, rule)}} for rule in used
        ],
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
                            "artifactLocation": {"uri": f.file},
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
