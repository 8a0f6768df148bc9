"""Patterns are discovered, not listed.

A pattern named `foo-bar` is the module `archgen/patterns/foo_bar.py` exposing
`PATTERN`, with its templates in `templates/foo-bar/` (`main.tf.j2`,
`variables.tf.j2`, `outputs.tf.j2`, and `starter/` for `archgen init`), its
example in `blueprints/foo-bar.yaml` and its rule cases in
`tests/cases/foo-bar.yaml`. Nothing else names it. A pattern is imported only
when a blueprint uses it (or when every pattern is asked for: list, schema, docs).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..names import AwsName, join


@dataclass(frozen=True)
class Node:
    """A box in the README's Mermaid diagram."""

    text: str
    shape: str = "box"  # box, queue, topic, function, store


@dataclass(frozen=True)
class Edge:
    src: Node
    dst: Node
    label: str = ""
    dotted: bool = False


@dataclass(frozen=True)
class BuildContext:
    """What a pattern may know when it turns a component into a module."""

    blueprint_name: str
    region: str
    blueprint_dir: Path
    iam: dict  # the modules' `iam` object (boundary, path); empty for the defaults
    alarm_actions: object | None  # HCL expression of the alarm topic's ARN list, or None
    components: tuple = ()

    def name(self, *parts: str) -> str:
        """`shop` + `orders` + `audit` -> `shop-orders-audit`: the base of every AWS name."""
        return join(self.blueprint_name, *parts)

    def common_inputs(self) -> dict:
        """The inputs every module with roles and alarms takes."""
        data: dict = {}
        if self.iam:
            data["iam"] = self.iam
        if self.alarm_actions is not None:
            data["alarm_actions"] = self.alarm_actions
        return data


@dataclass
class Module:
    """What a pattern gives the renderer for one component: decided values only."""

    inputs: dict  # module arguments (plain data, or hcl.HCL expressions)
    names: list[AwsName]  # every AWS name the module creates, for the length and collision rules
    outputs: list[tuple[str, str]]  # module outputs the root re-exports: (name, description)
    inventory: list[str]  # README lines: what was built
    diagram: list[Edge] = field(default_factory=list)
    providers: set[str] = field(default_factory=lambda: {"aws"})
    files: dict[str, str | bytes] = field(default_factory=dict)  # more files in modules/<component>/
    executable: set[str] = field(default_factory=set)  # of those, the ones to mark executable
    root_files: dict[str, str] = field(default_factory=dict)  # files outside the module (pcluster/<c>.yaml)
    context: dict = field(default_factory=dict)  # what the module's templates decide on (hashable values)
    provider_aliases: dict[str, str] = field(default_factory=dict)  # aws provider alias -> its Region
    # inputs this component gives other components of the blueprint: component name -> {variable: value}
    # (e.g. a web ACL ARN for a distribution); the target's module must declare the variable
    attach: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # README: what to do next for this component


@dataclass(frozen=True)
class Pattern:
    name: str  # as written in blueprints: queue-worker
    summary: str
    model: type
    build: Callable[[object, BuildContext], Module]

    @property
    def module_name(self) -> str:
        return self.name.replace("-", "_")


def _module_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def names() -> list[str]:
    """Every pattern's name, without importing any."""
    return [m.replace("_", "-") for m in _module_names()]


@functools.cache
def get(name: str) -> Pattern | None:
    """The pattern called `name`, imported on first use; None if there is no such pattern."""
    if not isinstance(name, str) or name not in names():
        return None
    module = importlib.import_module(f"{__name__}.{name.replace('-', '_')}")
    pattern = getattr(module, "PATTERN", None)
    if not isinstance(pattern, Pattern) or pattern.name != name:
        raise TypeError(f"archgen/patterns/{name.replace('-', '_')}.py must define PATTERN = Pattern(name={name!r}, ...)")
    return pattern


def every() -> dict[str, Pattern]:
    """All patterns, by name (imports them all)."""
    return {name: get(name) for name in names()}
