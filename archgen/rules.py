"""Rules are objects: an id, a severity, a summary, the AWS documentation URL of the
limit they enforce, and a check that yields violations on YAML paths (cfn-lint style).

A rule lives beside the building block or pattern it guards and registers itself
when its module is imported; the registry refuses a duplicate id. A rule with a
`part` is run by the engine on every instance of that blueprint part (a model
class, or a class it inherits from) wherever it appears in a component. Rules
without a part are reported by the loader, the engine or a gate.

Ids: `AG` and three digits, given out by family, ten at a time (a family may
take adjacent tens). docs/rules.md lists every rule; tools/gen_docs.py writes it.

    AG00x-AG03x  the file and the blueprint head (YAML, fields, names, tags, state, IAM, alarms)
    AG04x-AG05x  Lambda functions        AG06x  SNS topics         AG07x  S3 buckets
    AG09x        IAM policy statements   AG10x-AG11x  SQS queues and their Lambda trigger
    AG20x topic-worker   AG30x fan-out   AG50x-AG51x ip-blocklist and WAF   AG52x-AG53x edge-cache
    AG60x hpc-cluster    AG61x batch-multinode   AG70x-AG71x ha-instance
    AG85x-AG89x  network building blocks
    AG9xx        the rendered output (parse, references, schema, terraform, checkov, ParallelCluster)
Free tens (AG08x, AG12x-AG19x, AG21x-AG29x, AG31x-AG49x, AG54x-AG59x, AG62x-AG69x, AG72x-AG84x)
leave room for the patterns to come.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .findings import Issue, YamlPath
from .modeling import Model
from .units import human_duration


@dataclass(frozen=True)
class Violation:
    """What a check found, relative to the part it checked."""

    path: YamlPath
    message: str
    at_key: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    url: str
    severity: str = "error"
    part: type | None = None
    check: Callable[[Any, "Context"], Iterable[Violation]] | None = field(default=None, compare=False, repr=False)
    description: str = ""

    def issue(self, path: YamlPath, message: str, at_key: bool = False) -> Issue:
        return Issue(self.id, tuple(path), message, self.severity, at_key)


RULES: dict[str, Rule] = {}
_BY_PART: dict[type, list[Rule]] = {}
_FOR_CLASS: dict[type, tuple[Rule, ...]] = {}


def register(rule: Rule) -> Rule:
    if rule.id in RULES:
        raise ValueError(f"rule {rule.id} is defined twice: {RULES[rule.id].summary!r} and {rule.summary!r}")
    if rule.severity not in ("error", "warning", "info"):
        raise ValueError(f"rule {rule.id}: unknown severity {rule.severity!r}")
    RULES[rule.id] = rule
    if rule.part is not None:
        _BY_PART.setdefault(rule.part, []).append(rule)
        _FOR_CLASS.clear()
    return rule


def define(rule_id: str, summary: str, url: str = "", severity: str = "error") -> Rule:
    """A rule reported by the loader, the engine or a gate rather than by a check of its own."""
    return register(Rule(rule_id, summary, url, severity))


def rule(rule_id: str, summary: str, url: str, *, part: type, severity: str = "error") -> Callable[[Callable], Rule]:
    """Register the decorated check `(part, ctx) -> Iterable[Violation]` as a rule on `part`."""

    def decorate(check: Callable) -> Rule:
        return register(Rule(rule_id, summary, url, severity, part, check, inspect.getdoc(check) or ""))

    return decorate


def rules_for(cls: type) -> tuple[Rule, ...]:
    found = _FOR_CLASS.get(cls)
    if found is None:
        found = tuple(r for base in cls.__mro__ for r in _BY_PART.get(base, ()))
        _FOR_CLASS[cls] = found
    return found


@dataclass(frozen=True)
class Context:
    """What a check may know beyond the part it checks."""

    blueprint_name: str
    region: str
    blueprint_dir: Path
    out_dir: Path | None = None
    components: tuple = ()  # every component of the blueprint that validated
    component: Any = None  # the component being checked
    parents: tuple = ()  # the parts enclosing the checked one, outermost first


def _children(node: Any, path: YamlPath) -> Iterator[tuple[YamlPath, Any]]:
    for name in type(node).model_fields:
        value = getattr(node, name)
        key = path + (name,)
        if isinstance(value, Model):
            yield key, value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Model):
                    yield key + (i,), item
        elif isinstance(value, dict):
            for k, item in value.items():
                if isinstance(item, Model):
                    yield key + (k,), item


def check_parts(root: Any, base: YamlPath, ctx: Context) -> Iterator[Issue]:
    """Run every rule registered on a part, for every part in `root`'s tree."""
    stack: list[tuple[YamlPath, Any, tuple]] = [((), root, ())]
    while stack:
        path, node, parents = stack.pop()
        rules = rules_for(type(node))
        if rules:
            here = Context(ctx.blueprint_name, ctx.region, ctx.blueprint_dir, ctx.out_dir, ctx.components, root, parents)
            for r in rules:
                for v in r.check(node, here):
                    yield Issue(r.id, base + path + tuple(v.path), v.message, r.severity, v.at_key)
        inner = parents + (node,)
        stack.extend((p, child, inner) for p, child in reversed(list(_children(node, path))))


# --- limits: written once, used by the Python rule and the HCL validation block ---


@dataclass(frozen=True)
class Limit:
    """An inclusive range AWS accepts for a value, with the page that says so."""

    low: int | None
    high: int | None
    unit: str  # "seconds" (shown as 90s, 5m, 14d), "MiB", "GiB", "" ...
    url: str

    def show(self, value: int) -> str:
        if self.unit == "seconds":
            return human_duration(value)
        return f"{value} {self.unit}".rstrip()

    def contains(self, value: int) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        if self.low is not None and self.high is not None:
            return f"between {self.show(self.low)} and {self.show(self.high)}"
        if self.low is not None:
            return f"at least {self.show(self.low)}"
        return f"at most {self.show(self.high)}"

    def violation(self, value: int, path: YamlPath) -> Violation | None:
        if self.contains(value):
            return None
        return Violation(path, f"must be {self.describe()}, got {self.show(value)}")

    def check(self, value: int, path: YamlPath) -> Iterator[Violation]:
        found = self.violation(value, path)
        if found is not None:
            yield found

    def hcl_condition(self, expr: str, guard: str | None = None):
        """The HCL condition `expr` meets, e.g. `var.queue.x >= 60 && var.queue.x <= 1209600`;
        true when the expression `guard` is null (HCL's `||` does not short-circuit)."""
        from .hcl import ident_path

        parts = []
        if self.low is not None:
            parts.append(f"{expr} >= {self.low}")
        if self.high is not None:
            parts.append(f"{expr} <= {self.high}")
        condition = " && ".join(parts)
        if guard is not None:
            condition = f"{ident_path(guard)} == null ? true : ({condition})"
        ident_path(expr)
        return condition

    def hcl_message(self, what: str) -> str:
        if self.unit == "seconds":
            span = f"between {self.low} and {self.high} seconds" if self.low is not None and self.high is not None else self.describe()
        else:
            span = self.describe()
        return f"{what} must be {span}."


LIMITS: dict[str, Limit] = {}  # by name, for templates: the HCL validation blocks
DEFAULTS: dict[str, object] = {}  # by name, for templates: the modules' optional() defaults


def limit(name: str, low: int | None, high: int | None, unit: str, url: str) -> Limit:
    """A named limit, available to templates as `limits.<name>`."""
    if name in LIMITS:
        raise ValueError(f"limit {name!r} is defined twice")
    LIMITS[name] = Limit(low, high, unit, url)
    return LIMITS[name]


def default(name: str, value: object) -> object:
    """A named default, available to templates as `defaults.<name>`."""
    if name in DEFAULTS and DEFAULTS[name] != value:
        raise ValueError(f"default {name!r} is defined twice")
    DEFAULTS[name] = value
    return value
