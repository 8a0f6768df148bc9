"""The one API the CLI calls: load -> model -> rules -> build -> render -> check -> write."""

from __future__ import annotations

import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from . import head as head_rules
from . import patterns
from .errors import UsageError
from .findings import Finding, Issue, YamlPath, format_path, has_errors, shown
from .loader import Document, LoadError, decode, loads
from .model import BlueprintHead
from .modeling import Model, ValidationError
from .names import AwsName
from .render import Component, Rendered
from .rules import Context, check_parts

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class Blueprint:
    """One blueprint file, read and checked."""

    path: Path
    display: str
    doc: Document | None = None
    head: BlueprintHead | None = None
    components: list[Component] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    fatal: Finding | None = None  # could not be read: exit 2

    def finding(self, issue: Issue, order: int = 0) -> Finding:
        if issue.mark is not None:
            line, col = issue.mark
        else:
            line, col = self.doc.locate(issue.path, issue.at_key) if self.doc else (1, 1)
        return Finding(self.display, line, col, issue.severity, issue.rule, format_path(issue.path), issue.message, order)

    def findings(self) -> list[Finding]:
        if self.fatal is not None:
            return [self.fatal]
        out = [self.finding(issue, order) for order, issue in enumerate(self.issues)]
        return sorted(out, key=lambda f: (f.line, f.column, f.rule, f._order))

    @property
    def ok(self) -> bool:
        return self.fatal is None and not any(i.severity == "error" for i in self.issues)

    @property
    def alarms(self) -> dict:
        """The alarm destination, decided once for render and the modules."""
        alarms = self.head.alarms
        return {
            "emails": list(alarms.emails),
            "topic_name": f"{self.head.name}-alarms" if alarms.emails else None,
            "topic_arn": alarms.topic_arn,
        }


# --- model: validation errors (pydantic's) become findings ----------------------------------


def _models_in(annotation) -> list[type]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, dict):
        found = []
        for arg in typing.get_args(annotation):
            found += _models_in(arg)
        return found
    if isinstance(annotation, type) and issubclass(annotation, Model):
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
        current = nxt or current
    names: list[str] = []
    for m in current:
        names += list(m.model_fields)
    return names


def _did_you_mean(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


_UNION_TAG = re.compile(r"^(str|int|bool|float|none|(literal|list|dict|union|tagged-union|lax-or-strict|function-\w+)\[.*\])\Z")


def _clean_loc(loc: tuple) -> tuple:
    """pydantic's location without the names it gives union branches ('str', 'list[str]', ...)."""
    return tuple(p for p in loc if isinstance(p, int) or not _UNION_TAG.match(p))


def validation_issues(exc: ValidationError, model: type, prefix: YamlPath = ()) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[tuple] = set()
    for err in exc.errors(include_url=False):
        loc = _clean_loc(tuple(err["loc"]))
        kind = err["type"]
        if kind == "extra_forbidden" and loc:
            allowed = [f for f in _fields_at(model, loc[:-1]) if f != "pattern"]
            hint = _did_you_mean(str(loc[-1]), allowed)
            issue = Issue(head_rules.UNKNOWN_FIELD.id, prefix + loc, f"unknown field {shown(loc[-1])}{hint}", at_key=True)
        elif kind == "missing":
            issue = Issue(head_rules.MISSING_FIELD.id, prefix + loc[:-1], f"missing required field {shown(loc[-1])}")
        else:
            message = err["msg"]
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            else:
                message = message[0].lower() + message[1:]
                if "input" in err and not isinstance(err["input"], (dict, list)):
                    message += f", got {shown(err['input'])}"
            issue = Issue(head_rules.INVALID_VALUE.id, prefix + loc, message)
        if (issue.path, issue.rule) not in seen:  # a union reports each branch: say it once
            seen.add((issue.path, issue.rule))
            issues.append(issue)
    return issues


# --- reading one blueprint ---------------------------------------------------------


def read_bytes(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of `path`; ValueError if the file is larger (or endless, like /dev/zero)."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"the file is larger than {limit:,} bytes (--max-bytes raises the limit)")
    return data


def read_blueprint(path: Path, display: str | None = None, *, out_dir: Path | typing.Callable[[str], Path] | None = None, max_bytes: int = MAX_FILE_BYTES) -> Blueprint:
    """Read, model and check one blueprint, and build its components' modules if it is clean.
    `out_dir`: where it will be rendered (or a function of its name), for rules about the output."""
    bp = Blueprint(path=Path(path), display=display or str(path))

    def fatal(message: str, line: int = 1, column: int = 1, rule: str = head_rules.YAML_SYNTAX.id) -> Blueprint:
        bp.fatal = Finding(bp.display, line, column, "error", rule, "", message)
        return bp

    try:
        raw = read_bytes(bp.path, max_bytes)
    except FileNotFoundError:
        return fatal("no such file")
    except IsADirectoryError:
        return fatal("is a folder, not a blueprint file")
    except ValueError as exc:
        return fatal(str(exc), rule=head_rules.READ_LIMIT.id)
    except OSError as exc:
        return fatal(f"cannot read the file: {exc.strerror or exc}")
    try:
        bp.doc = loads(decode(raw))
    except LoadError as exc:
        return fatal(exc.message, exc.line, exc.column, exc.rule)
    bp.issues += bp.doc.issues
    data = bp.doc.data
    if not isinstance(data, dict):
        bp.issues.append(head_rules.INVALID_VALUE.issue((), "a blueprint is a mapping with archgen, name, region and components"))
        return bp
    version = data.get("archgen")
    if "archgen" in data and not (type(version) is int and version == 1):
        bp.issues.append(head_rules.VERSION.issue(("archgen",), f"this archgen reads blueprint format 1 (the integer 1), got {shown(version)}"))
    try:
        bp.head = BlueprintHead.model_validate(data)
    except ValidationError as exc:
        bp.issues += [
            i for i in validation_issues(exc, BlueprintHead)
            if not (i.path[:1] == ("archgen",) and "archgen" in data) and not bp.doc.reported(i.path)
        ]
    name = bp.head.name if bp.head else data.get("name") if isinstance(data.get("name"), str) else "x"
    region = bp.head.region if bp.head else "us-east-1"
    if callable(out_dir):
        out_dir = out_dir(name) if bp.head is not None else None
    ctx = Context(name, region, bp.path.parent, out_dir)
    if bp.head is not None:
        bp.issues += list(check_parts(bp.head, (), ctx))
    items = data.get("components")
    if isinstance(items, list):
        _read_components(bp, items, ctx)
    return bp


def _read_components(bp: Blueprint, items: list, ctx: Context) -> None:
    seen: dict[str, int] = {}
    duplicates: set[int] = set()  # reported once (AG007), not again as colliding AWS names
    models: list[tuple[int, object, patterns.Pattern]] = []
    for index, item in enumerate(items):
        base = ("components", index)
        if not isinstance(item, dict):
            continue  # reported by the head model
        name = item.get("name")
        if isinstance(name, str):
            if name in seen:
                bp.issues.append(head_rules.DUPLICATE_NAME.issue(base + ("name",), f"component {shown(name)} is already defined at components[{seen[name]}]"))
                duplicates.add(index)
            seen.setdefault(name, index)
        pattern_name = item.get("pattern")
        if pattern_name is None:
            bp.issues.append(head_rules.MISSING_FIELD.issue(base, f"missing required field 'pattern' (one of: {', '.join(patterns.names())})"))
            continue
        pattern = patterns.get(pattern_name) if isinstance(pattern_name, str) else None
        if pattern is None:
            hint = _did_you_mean(str(pattern_name), patterns.names())
            bp.issues.append(head_rules.UNKNOWN_PATTERN.issue(base + ("pattern",), f"unknown pattern {shown(pattern_name)}{hint} (archgen list shows them)"))
            continue
        try:
            models.append((index, pattern.model.model_validate(item), pattern))
        except ValidationError as exc:
            bp.issues += [i for i in validation_issues(exc, pattern.model, base) if not bp.doc.reported(i.path)]
    ctx = Context(ctx.blueprint_name, ctx.region, ctx.blueprint_dir, ctx.out_dir, tuple(m for _, m, _ in models))
    built: list[tuple[int, Component]] = []
    for index, model, pattern in models:
        issues = list(check_parts(model, ("components", index), ctx))
        bp.issues += issues
        if bp.head is None or index in duplicates or any(i.severity == "error" for i in issues):
            continue
        module = pattern.build(model, _build_context(bp, ctx))
        built.append((index, Component(model, pattern, module)))
    _check_names(bp, built)
    if bp.ok:
        bp.components = [c for _, c in built]
        by_name = {c.name: c for c in bp.components}
        for comp in bp.components:
            for target, inputs in comp.module.attach.items():
                if target in by_name:  # a rule of the pattern reports a missing target
                    by_name[target].module.inputs.update(inputs)


def _build_context(bp: Blueprint, ctx: Context) -> patterns.BuildContext:
    from . import hcl
    from .blocks.iam import role_settings

    alarms = bp.alarms
    actions = None
    if alarms["emails"]:
        actions = hcl.HCL("[aws_sns_topic.alarms.arn]")
    elif alarms["topic_arn"]:
        actions = [alarms["topic_arn"]]
    iam = role_settings(bp.head.iam.permissions_boundary, bp.head.iam.path)
    return patterns.BuildContext(bp.head.name, bp.head.region, bp.path.parent, iam, actions, ctx.components)


def _check_names(bp: Blueprint, built: list[tuple[int, Component]]) -> None:
    """Every AWS name fits its service's limit (AG009) and is made once in the blueprint (AG010)."""
    from .blocks.topic import SNS

    found: list[tuple[YamlPath, AwsName]] = []
    if bp.head is not None and bp.head.alarms.emails:
        found.append((("alarms", "emails"), AwsName(SNS, f"{bp.head.name}-alarms", ())))
    for index, comp in built:
        found += [(("components", index) + n.path, n) for n in comp.module.names]
    too_long: set[YamlPath] = set()
    collided: set[YamlPath] = set()
    first: dict[tuple[str, str], YamlPath] = {}
    for path, name in found:
        limit = name.namespace.limit
        if len(name.name) > limit and path not in too_long:
            too_long.add(path)  # one finding per element, the first limit it breaks
            bp.issues.append(head_rules.NAME_LENGTH.issue(path, f"the {name.namespace.what} name {shown(name.name, 90)} is {len(name.name)} characters; the limit is {limit}: shorten the blueprint or component name"))
        key = (name.namespace.what, name.name)
        if key in first and first[key] != path and path not in collided:
            collided.add(path)  # one finding per element: renaming it ends every collision
            bp.issues.append(head_rules.NAME_COLLISION.issue(path, f"the {name.namespace.what} {shown(name.name, 90)} is also created by {format_path(first[key])}: rename one of them"))
        first.setdefault(key, path)


# --- the commands -----------------------------------------------------------


@dataclass
class Report:
    findings: list[Finding]
    exit_code: int
    messages: list[str] = field(default_factory=list)  # lines for stderr


def _exit_code(findings: list[Finding], fatal: bool, strict: bool) -> int:
    if fatal:
        return 2
    return 1 if has_errors(findings, strict) else 0


def default_out(name: str) -> Path:
    return Path("out") / name


def render_files(bp: Blueprint) -> Rendered:
    from .render import render_blueprint

    return render_blueprint(bp.head, bp.components, bp.alarms)


def rendered_for(path: Path, out_dir: Path | None = None) -> Rendered:
    """Read and render one blueprint that must be clean (tests, bench, tools)."""
    bp = read_blueprint(Path(path), out_dir=out_dir)
    if not bp.ok:
        raise ValueError("\n".join(f.text() for f in bp.findings()))
    return render_files(bp)


# --- the gates ---------------------------------------------------------------------


def gate_status() -> dict[str, str | None]:
    """For each optional gate: None when it can run, else why not."""
    from .checkov_gate import checkov_available
    from .pcluster_gate import pcluster_available
    from .terraform_gate import extra_available, terraform_available

    terraform = None
    if not terraform_available():
        terraform = "no terraform on PATH"
    elif not extra_available():
        terraform = "the archgen[terraform] extra is not installed (pip install 'archgen[terraform]')"
    return {
        "terraform": terraform,
        "checkov": None if checkov_available() else "no checkov on PATH or in $ARCHGEN_CHECKOV (install it in an environment of its own)",
        "pcluster": None if pcluster_available() else "no aws-parallelcluster environment in $ARCHGEN_PCLUSTER",
    }


def choose_gates(asked: dict[str, bool | None]) -> tuple[list[str], dict[str, str]]:
    """The gates to run from the user's flags (True asked, False refused, None default: terraform
    and pcluster run when they can, checkov when asked), and why each default gate cannot run.
    UsageError when an asked gate cannot run."""
    status = gate_status()
    gates: list[str] = []
    missing: dict[str, str] = {}
    for gate, flag in asked.items():
        why = status[gate]
        if flag and why:
            raise UsageError(f"--{gate} asked, but the {gate} gate cannot run: {why}")
        if flag or (flag is None and gate != "checkov" and not why):
            gates.append(gate)
        elif flag is None and why and gate != "checkov":
            missing[gate] = why
    return gates, missing


class Interrupted(Exception):
    """Ctrl-C during a command: which outputs were complete by then."""

    def __init__(self, complete: list[str]):
        super().__init__("interrupted")
        self.complete = complete


def check_rendered(*args, **kwargs):
    from .checks import check_rendered

    return check_rendered(*args, **kwargs)


def _checked(paths: list[Path], out_dir_for, gates: typing.Sequence[str] | None, max_bytes: int):
    """Read, check and render each blueprint: (findings, fatal, [(blueprint, out_dir, rendered)]).
    With gates None the rendered output is not checked (render: the templates are archgen's own,
    proven by its tests on every pattern; `validate` checks the output of each blueprint)."""
    findings: list[Finding] = []
    fatal = False
    plans = []
    names: dict[str, Blueprint] = {}
    for path in paths:
        bp = read_blueprint(Path(path), out_dir=lambda name, path=path: out_dir_for(path, name), max_bytes=max_bytes)
        fatal |= bp.fatal is not None
        if bp.head is not None and out_dir_for.separate:
            first = names.setdefault(bp.head.name, bp)
            if first is not bp:
                bp.issues.append(head_rules.DUPLICATE_BLUEPRINT.issue(("name",), f"{first.display} has the name {shown(bp.head.name)} too: both would write {out_dir_for(path, bp.head.name)}"))
        findings += bp.findings()
        if not bp.ok:
            continue
        out_dir = out_dir_for(path, bp.head.name)
        rendered = render_files(bp)
        if gates is not None:
            findings += check_rendered(rendered, out_dir, gates).findings
        plans.append((bp, out_dir, rendered))
    return findings, fatal, plans


class _OutDirs:
    """Where each blueprint's output goes: ./out/<name>, -o DIR, or DIR/<name> with several blueprints."""

    def __init__(self, out: Path | None, count: int):
        self.out = out
        self.separate = out is None or count > 1
        self.count = count

    def __call__(self, path: Path, name: str | None) -> Path | None:
        if self.out is not None and self.count == 1:
            return self.out
        if name is None:
            return None
        return (self.out or Path("out")) / name


def _summary(count: int, findings: list[Finding], gates: list[str]) -> str:
    noun = "blueprint" if count == 1 else "blueprints"
    found = f"{len(findings)} finding" + ("" if len(findings) == 1 else "s")
    return f"{count} {noun}, {found} (gates: {', '.join(['schema', *gates])})"


def _has_pcluster(rendered: Rendered) -> bool:
    return any(rel.startswith("pcluster/") for rel in rendered.files)


def validate(paths: list[Path], *, strict: bool = False, gates: typing.Sequence[str] = (), missing: dict[str, str] | None = None, max_bytes: int = MAX_FILE_BYTES) -> Report:
    """Check each blueprint and what it renders to. `missing`: default gates that could not run, and why."""
    findings, fatal, plans = _checked(paths, _OutDirs(None, len(paths)), gates, max_bytes)
    code = _exit_code(findings, fatal, strict)
    pcluster = any(_has_pcluster(rendered) for _, _, rendered in plans)
    messages = [f"archgen: {gate} did not run ({why})" for gate, why in (missing or {}).items() if gate != "pcluster" or pcluster]
    ran = [g for g in gates if g != "pcluster" or pcluster]
    messages.append(_summary(len(paths), findings, ran))  # which gates ran, clean or not
    return Report(findings, code, messages)


def render(paths: list[Path], out: Path | None = None, *, check: bool = False, force: bool = False, max_bytes: int = MAX_FILE_BYTES, announce=None) -> Report:
    """Write (or with `check`, compare) each blueprint's output folder. `announce` is called with
    lines the user must see before a write goes ahead (files --force will overwrite)."""
    from . import writer

    findings, fatal, plans = _checked(paths, _OutDirs(out, len(paths)), None, max_bytes)
    code = _exit_code(findings, fatal, False)
    messages: list[str] = []
    if code:
        return Report(findings, code, messages)
    complete: list[str] = []
    try:
        for bp, out_dir, rendered in plans:
            if check:
                drift = writer.compare(out_dir, rendered.files)
                messages += [f"{out_dir}: {line}" for line in drift]
                if drift:
                    code = 1
                continue
            try:
                result = writer.write_output(
                    out_dir, rendered.files, force=force, executable=rendered.executable,
                    on_overwrite=lambda files, out_dir=out_dir: announce and [announce(f"{out_dir}: overwriting {rel} (not written by archgen; --force)") for rel in files],
                )
            except writer.OutputFolderError as exc:
                messages.append(f"archgen: {exc}")
                return Report(findings, 2, messages)
            except OSError as exc:
                messages.append(f"archgen: cannot write {out_dir}: {exc.strerror or exc}")
                return Report(findings, 2, messages)
            messages += [f"{out_dir}: {line}" for line in result.messages()]
            messages.append(f"wrote {out_dir}{os.sep} ({len(rendered.files)} files, {len(result.written)} changed)")
            complete.append(str(out_dir))
    except KeyboardInterrupt:
        raise Interrupted(complete) from None
    return Report(findings, code, messages)
