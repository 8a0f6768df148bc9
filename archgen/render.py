"""Render a checked blueprint into files, in memory: module files from Jinja2 templates
(StrictUndefined), the root module's files from archgen.root.

Templates receive decided values only: each component's `Module` (built by its
pattern from the model) and the blueprint head. Every value written into HCL
passes the `hcl` filter (a quoted, escaped literal or an HCL value built from
literals), `ident` (a checked identifier) or `ref` (a checked reference); `tf`
marks an HCL fragment a template wrote itself. The environment refuses any
other string, so no blueprint value can become HCL syntax.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from . import hcl, root
from .patterns import Edge, Module, Node, Pattern
from .resources import templates_dir
from .rules import DEFAULTS, LIMITS


class UnsafeTemplateValue(TypeError):
    """A template tried to write a value that did not pass through `hcl`, `ident`, `ref` or `tf`."""


def _finalize(value: object) -> object:
    # Markup: HCL values and the output of macros (themselves templates)
    if isinstance(value, Markup):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None or value == "":
        return ""
    raise UnsafeTemplateValue(f"template wrote {value!r} without the hcl, ident, ref or tf filter")


def cache_dir(kind: str) -> str | None:
    """A folder of the user's cache for this archgen version (compiled templates, rendered module
    files), or None when it cannot be written or ARCHGEN_NO_CACHE is set."""
    import os

    from . import __version__

    if os.environ.get("ARCHGEN_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "archgen", f"{__version__}-{kind}")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def _bytecode_cache():
    """Compiled templates, kept between runs: the compile costs more than the render."""
    import jinja2

    folder = cache_dir("templates")
    return jinja2.FileSystemBytecodeCache(folder) if folder else None


@functools.cache
def environment(hcl_mode: bool):
    import jinja2

    env = jinja2.Environment(
        bytecode_cache=_bytecode_cache(),
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=hcl_mode,
        finalize=_finalize if hcl_mode else None,
    )
    env.filters.update(
        hcl=hcl.value,
        ident=hcl.ident,
        ref=hcl.ident_path,
        tf=hcl.fragment,
        attributes=hcl.attributes,
        prefix=lambda value, text: hcl.fragment(text + value),
        ljust_tf=lambda value, width: hcl.fragment(str(value).ljust(width)),
        comment=hcl.comment,
    )
    env.globals.update(limits=LIMITS, defaults=DEFAULTS)
    return env


@dataclass
class Component:
    """One checked component: its model, pattern and built module."""

    model: object
    pattern: Pattern
    module: Module

    @property
    def name(self) -> str:
        return self.model.name


@dataclass
class Rendered:
    files: dict[str, str | bytes]  # relative path -> content
    sources: dict[str, str]  # relative path -> component it came from ("" for root files)
    executable: set[str] = field(default_factory=set)
    # module calls of the root main.tf: name -> source, argument names, HCL expressions among the values
    calls: dict[str, dict] = field(default_factory=dict)


def _expressions(value: object) -> list[str]:
    if isinstance(value, hcl.HCL):
        return [str(value)]
    if isinstance(value, hcl.Call):
        return _expressions(value.argument)
    if isinstance(value, dict):
        return [e for v in value.values() for e in _expressions(v)]
    if isinstance(value, (list, tuple)):
        return [e for v in value for e in _expressions(v)]
    return []


def _tf(template: str, context: dict, formatted: bool = False) -> str:
    """A rendered .tf file, formatted as terraform fmt would; `formatted` templates write their
    values with hcl.value/attributes, which are already formatted: only tidy them (the root
    main.tf holds every subscriber of a large fan-out)."""
    text = environment(True).get_template(template).render(context)
    return hcl.tidy(text) if formatted else hcl.format_hcl(text)


@functools.cache
def _sources_digest() -> str:
    """What a module file's text depends on besides its flags: every template, and the code that
    writes and formats HCL."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(templates_dir().rglob("*.j2")):
        digest.update(path.relative_to(templates_dir()).as_posix().encode() + b"\0" + path.read_bytes())
    for code in (Path(hcl.__file__), Path(__file__)):
        digest.update(code.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=256)
def _module_file(template: str, context_key: tuple) -> str:
    """A module file depends only on its pattern's template and decided flags: render it once per
    process, and keep it in the user's cache between runs."""
    import hashlib
    import os

    folder = cache_dir("modules")
    key = hashlib.sha256(repr((_sources_digest(), template, context_key)).encode()).hexdigest()
    if folder:
        try:
            with open(os.path.join(folder, key), encoding="utf-8") as fh:
                return fh.read()
        except OSError:
            pass
    text = _tf(template, {"m": dict(context_key)})
    if folder:
        import tempfile

        try:
            fd, tmp = tempfile.mkstemp(dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, os.path.join(folder, key))
        except OSError:
            pass
    return text


def _freeze(context: dict) -> tuple:
    return tuple(sorted(context.items()))


def mermaid(components: list[Component]) -> list[str]:
    """Mermaid flowchart lines: node ids are generated, labels quoted, so no name can break the diagram."""
    ids: dict[Node, str] = {}
    lines: list[str] = []
    shapes = {"box": ('["', '"]'), "queue": ('[["', '"]]'), "topic": ('{{"', '"}}'), "function": ('("', '")'), "store": ('[("', '")]')}

    def node(n: Node) -> str:
        if n in ids:
            return ids[n]
        ids[n] = f"n{len(ids) + 1}"
        left, right = shapes.get(n.shape, shapes["box"])
        text = n.text.replace('"', "#quot;").replace("\n", " ")
        return f"{ids[n]}{left}{text}{right}"

    for comp in components:
        for edge in comp.module.diagram:
            src, dst = node(edge.src), node(edge.dst)
            arrow = "-.->" if edge.dotted else "-->"
            if edge.label:
                label = edge.label.replace('"', "#quot;").replace("|", "#124;")
                arrow = f'{arrow}|"{label}"|'
            lines.append(f"  {src} {arrow} {dst}")
    return lines


GITIGNORE = """\
# archgen: build output and local Terraform files, never committed
.terraform/
modules/*/.build/
*.tfstate
*.tfstate.*
*.tfplan
tfplan
crash.log
"""


def render_blueprint(head, components: list[Component], alarms: dict | None = None) -> Rendered:
    """Every file of the output folder for a checked blueprint."""
    files: dict[str, str | bytes] = {}
    sources: dict[str, str] = {}
    executable: set[str] = set()
    providers: set[str] = {"aws"}
    aliases: dict[str, str] = {}
    for comp in components:
        mod = comp.module
        providers |= mod.providers
        aliases.update(mod.provider_aliases)
        key = _freeze(mod.context)
        folder = f"modules/{comp.name}"
        for part in ("main", "variables", "outputs"):
            files[f"{folder}/{part}.tf"] = _module_file(f"{comp.pattern.name}/{part}.tf.j2", key)
        files[f"{folder}/versions.tf"] = root.versions_tf(mod.providers, mod.provider_aliases)
        for rel, content in mod.files.items():
            files[f"{folder}/{rel}"] = content
        executable |= {f"{folder}/{rel}" for rel in mod.executable}
        for rel in [f"{folder}/{p}" for p in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", *mod.files)]:
            sources[rel] = comp.name
        for rel, content in mod.root_files.items():
            files[rel] = content
            sources[rel] = comp.name
    module_calls = [
        {
            "name": c.name,
            "pattern": c.pattern.name,
            "summary": c.pattern.summary,
            "aliases": c.module.provider_aliases,
            "inputs": c.module.inputs,
            "outputs": c.module.outputs,
            "inventory": c.module.inventory,
            "notes": c.module.notes,
        }
        for c in components
    ]
    emails = bool(alarms and alarms.get("emails"))
    own = {
        "versions.tf": root.versions_tf(providers),
        "providers.tf": root.providers_tf(head.region, {"archgen:blueprint": head.name, **head.tags}, aliases),
        "main.tf": root.main_tf(module_calls),
        "outputs.tf": root.outputs_tf(module_calls, emails),
        ".gitignore": GITIGNORE,
    }
    if head.state is not None:
        own["backend.tf"] = root.backend_tf(head.state.bucket, head.state.key, head.state.region or head.region)
    if emails:
        own["alarms.tf"] = _tf("_root/alarms.tf.j2", {"name": head.name, "alarms": alarms})
    own["README.md"] = root.readme({
        "name": head.name,
        "region": head.region,
        "calls": module_calls,
        "diagram": mermaid(components),
        "packages": any(rel.startswith("functions/") for c in components for rel in c.module.files),
        "alarms": alarms,
        "iam_path": head.iam.path,
        "permissions_boundary": head.iam.permissions_boundary,
    })
    files.update(own)
    sources.update(dict.fromkeys(own, ""))
    calls = {c.name: {"source": f"modules/{c.name}", "args": list(c.module.inputs), "expressions": _expressions(c.module.inputs)} for c in components}
    return Rendered(dict(sorted(files.items())), sources, executable, calls)


def is_hcl(path: str) -> bool:
    return PurePosixPath(path).suffix == ".tf"


__all__ = ["Component", "Edge", "Node", "Rendered", "UnsafeTemplateValue", "environment", "render_blueprint"]
