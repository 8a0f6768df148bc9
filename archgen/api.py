"""The one API the CLI calls: load -> model -> rules -> render -> check -> write."""

from __future__ import annotations

import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path as FsPath

import pydantic

from . import rules
from .findings import Finding, Issue, Path, format_path, has_errors
from .loader import Document, LoadError, loads
from .model import BlueprintHead
from .patterns import PATTERNS
from .render import Rendered, render_blueprint

# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html (80)
# https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html (256)
# https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (64)
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (64)
NAME_LIMITS = {"sqs": 80, "sns": 256, "lambda": 64, "iam-role": 64}


class UsageError(Exception):
    """archgen could not run (exit 2)."""


@dataclass
class Blueprint:
    """One blueprint file, read and checked."""

    path: FsPath
    display: str
    doc: Document | None = None
    head: BlueprintHead | None = None
    components: list = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    fatal: Finding | None = None  # could not be read: exit 2

    def findings(self) -> list[Finding]:
        if self.fatal is not None:
            return [self.fatal]
        out = []
        for order, issue in enumerate(self.issues):
            if issue.mark is not None:
                line, col = issue.mark
            else:
                line, col = self.doc.locate(issue.path, issue.at_key) if self.doc else (1, 1)
            out.append(Finding(self.display, line, col, issue.severity, issue.rule, format_path(issue.path), issue.message, order))
        return sorted(out, key=lambda f: (f.line, f.column, f.rule, f._order))

    @property
    def ok(self) -> bool:
        return self.fatal is None and not any(i.severity == "error" for i in self.issues)


# --- model: pydantic errors become findings ----------------------------------


def _models_in(annotation) -> list[type]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict):
        found = []
        for arg in typing.get_args(annotation):
            found += _models_in(arg)
        return found
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    return []


def _fields_at(model: type, loc: tuple) -> list[str]:
    current = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        nxt = []
        for m in current:
            info = m.model_fields.get(part)
            if info is not None:
                nxt += _models_in(info.annotation)
        current = nxt
    names: list[str] = []
    for m in current:
        names += list(m.model_fields)
    return names


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def validation_issues(exc: pydantic.ValidationError, model: type, prefix: Path = ()) -> list[Issue]:
    issues = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            allowed = [f for f in _fields_at(model, loc[:-1]) if f != "pattern"]
            hint = _did_you_mean(str(loc[-1]), allowed)
            issues.append(Issue(rules.UNKNOWN_FIELD, prefix + loc, f"unknown field {loc[-1]!r}{hint}", at_key=True))
        elif kind == "missing":
            issues.append(Issue(rules.MISSING_FIELD, prefix + loc[:-1], f"missing required field {loc[-1]!r}"))
        else:
            message = err["msg"]
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            else:
                message = message[0].lower() + message[1:]
                if kind == "string_pattern_mismatch":
                    message = f"must match {err['ctx']['pattern']}"
                if "input" in err and not isinstance(err["input"], (dict, list)):
                    message += f", got {err['input']!r}"
            issues.append(Issue(rules.INVALID_VALUE, prefix + loc, message))
    return issues


def read_blueprint(path: FsPath, display: str | None = None) -> Blueprint:
    bp = Blueprint(path=path, display=display or str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        bp.fatal = Finding(bp.display, 1, 1, "error", rules.YAML_SYNTAX, "", "no such file")
        return bp
    except (OSError, UnicodeDecodeError) as exc:
        bp.fatal = Finding(bp.display, 1, 1, "error", rules.YAML_SYNTAX, "", f"cannot read the file: {exc}")
        return bp
    try:
        bp.doc = loads(text)
    except LoadError as exc:
        bp.fatal = Finding(bp.display, exc.line, exc.column, "error", rules.YAML_SYNTAX, "", exc.message)
        return bp
    bp.issues += bp.doc.issues
    data = bp.doc.data
    if not isinstance(data, dict):
        bp.issues.append(Issue(rules.INVALID_VALUE, (), "a blueprint is a mapping with archgen, name, region and components"))
        return bp
    if "archgen" in data and data["archgen"] != 1:
        bp.issues.append(Issue(rules.VERSION, ("archgen",), f"this archgen reads blueprint format 1, got {data['archgen']!r}"))
    try:
        bp.head = BlueprintHead.model_validate(data)
    except pydantic.ValidationError as exc:
        bp.issues += [i for i in validation_issues(exc, BlueprintHead) if not (i.path[:1] == ("archgen",) and "archgen" in data)]
    items = data.get("components")
    if isinstance(items, list):
        _read_components(bp, items)
    return bp


def _read_components(bp: Blueprint, items: list) -> None:
    seen: dict[str, int] = {}
    blueprint_name = bp.head.name if bp.head else str(bp.doc.data.get("name", "x"))
    ctx = rules.Context(blueprint_name, bp.path.parent)
    for index, item in enumerate(items):
        base = ("components", index)
        if not isinstance(item, dict):
            continue  # reported by the head model
        name = item.get("name")
        if isinstance(name, str):
            if name in seen:
                bp.issues.append(Issue(rules.DUPLICATE_NAME, base + ("name",), f"component {name!r} is already defined at components[{seen[name]}]"))
            seen.setdefault(name, index)
        pattern_name = item.get("pattern")
        if pattern_name is None:
            bp.issues.append(Issue(rules.MISSING_FIELD, base, f"missing required field 'pattern' (one of: {', '.join(PATTERNS)})"))
            continue
        pattern = PATTERNS.get(pattern_name) if isinstance(pattern_name, str) else None
        if pattern is None:
            hint = _did_you_mean(str(pattern_name), list(PATTERNS))
            bp.issues.append(Issue(rules.UNKNOWN_PATTERN, base + ("pattern",), f"unknown pattern {pattern_name!r}{hint} (archgen list shows them)"))
            continue
        try:
            comp = pattern.model.model_validate(item)
        except pydantic.ValidationError as exc:
            bp.issues += validation_issues(exc, pattern.model, base)
            continue
        issues = list(pattern.check(comp, ctx))
        too_long: set = set()
        for service, generated, path in pattern.names(comp, blueprint_name):
            limit = NAME_LIMITS[service]
            if len(generated) > limit and path not in too_long:
                too_long.add(path)  # one finding per name written, the first limit it breaks
                issues.append(Issue(rules.NAME_LENGTH, path, f"the {service} name {generated!r} is {len(generated)} characters; the limit is {limit}: shorten the blueprint or component name"))
        bp.issues += [Issue(i.rule, base + tuple(i.path), i.message, i.severity, i.at_key, i.mark) for i in issues]
        bp.components.append(comp)


# --- the commands -----------------------------------------------------------


@dataclass
class Report:
    findings: list[Finding]
    exit_code: int
    messages: list[str] = field(default_factory=list)  # progress lines for stderr


def _exit_code(findings: list[Finding], fatal: bool, strict: bool) -> int:
    if fatal:
        return 2
    return 1 if has_errors(findings, strict) else 0


def default_out(bp: Blueprint) -> FsPath:
    return FsPath("out") / bp.head.name


def render_files(bp: Blueprint, out_dir: FsPath) -> Rendered:
    return render_blueprint(bp.head, bp.components, bp.path.parent, out_dir)


def default_gates() -> list[str]:
    """terraform validate/plan runs by default where it can: terraform on PATH and the extra installed."""
    from .terraform_gate import gate_available

    return ["terraform"] if gate_available() else []


def _checked(paths: list[FsPath], out_dir_for, gates: typing.Sequence[str] = ()):
    """Read, check and render each blueprint: (findings, messages, fatal, [(out_dir, rendered)])."""
    from .checks import check_rendered

    findings: list[Finding] = []
    messages: list[str] = []
    fatal = False
    plans = []
    for path in paths:
        bp = read_blueprint(path)
        fatal |= bp.fatal is not None
        findings += bp.findings()
        if not bp.ok:
            continue
        out_dir = out_dir_for(bp)
        rendered = render_files(bp, out_dir)
        result = check_rendered(rendered, out_dir, gates, rerender=lambda work, bp=bp: render_files(bp, work))
        findings += result.findings
        messages += result.messages
        plans.append((out_dir, rendered))
    return findings, messages, fatal, plans


def validate(paths: list[FsPath], strict: bool = False, gates: typing.Sequence[str] = ()) -> Report:
    findings, messages, fatal, _ = _checked(paths, default_out, gates)
    return Report(findings, _exit_code(findings, fatal, strict), messages)


def render(paths: list[FsPath], out: FsPath | None = None, check: bool = False) -> Report:
    from .writer import compare, write_atomic

    def out_dir_for(bp: Blueprint) -> FsPath:
        if out is None:
            return default_out(bp)
        return out / bp.head.name if len(paths) > 1 else out

    findings, messages, fatal, plans = _checked(paths, out_dir_for)
    code = _exit_code(findings, fatal, False)
    if code:
        return Report(findings, code, messages)
    for out_dir, rendered in plans:
        if check:
            drift = compare(out_dir, rendered.files)
            for line in drift:
                messages.append(f"{out_dir}: {line}")
            if drift:
                code = 1
        else:
            try:
                write_atomic(out_dir, rendered.files)
            except OSError as exc:
                messages.append(f"archgen: cannot write {out_dir}: {exc}")
                return Report(findings, 2, messages)
            messages.append(f"wrote {out_dir}{os.sep} ({len(rendered.files)} files)")
    return Report(findings, code, messages)
