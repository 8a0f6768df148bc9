"""The pattern registry: one explicit list, one module and one template folder each."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Callable, Iterable

from ..findings import Issue, Path
from ..rules import Context


@dataclass(frozen=True)
class RenderContext:
    blueprint_name: str
    blueprint_dir: FsPath
    out_dir: FsPath
    region: str

    def full_name(self, component: str) -> str:
        return f"{self.blueprint_name}-{component}"

    def source_path(self, source: str) -> str:
        """A blueprint-relative folder as a POSIX path relative to the output folder."""
        target = (self.blueprint_dir / source).resolve()
        return FsPath(os.path.relpath(target, self.out_dir.resolve())).as_posix()


@dataclass
class Module:
    """What a pattern gives the renderer for one component."""

    inputs: dict[str, object]  # module arguments, plain data written with the `hcl` filter
    context: dict[str, object]  # extra template variables
    outputs: list[tuple[str, str]]  # module outputs the root re-exports: (name, description)
    providers: set[str] = field(default_factory=set)  # beyond aws: "archive"
    inventory: list[str] = field(default_factory=list)  # README lines: what was built
    diagram: list[str] = field(default_factory=list)  # Mermaid flowchart lines


@dataclass(frozen=True)
class Pattern:
    name: str  # as written in blueprints: queue-worker
    summary: str
    model: type
    check: Callable[[object, Context], Iterable[Issue]]
    names: Callable[[object, str], list[tuple[str, str, Path]]]  # (service, generated name, path)
    module: Callable[[object, RenderContext], Module]

    @property
    def template_dir(self) -> str:
        return self.name.replace("-", "_")


def _registry() -> dict[str, Pattern]:
    from . import fan_out, queue_worker, topic_worker

    patterns = [queue_worker.PATTERN, topic_worker.PATTERN, fan_out.PATTERN]
    return {p.name: p for p in patterns}


PATTERNS: dict[str, Pattern] = _registry()
