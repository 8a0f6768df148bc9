"""Render a blueprint's models into files, in memory (Jinja2, StrictUndefined)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path as FsPath

import jinja2
from markupsafe import Markup

from . import hcl
from .patterns import PATTERNS, Module, RenderContext
from .resources import templates_dir

AWS_PROVIDER = ">= 6.0, < 7.0"
ARCHIVE_PROVIDER = ">= 2.7, < 3.0"
TERRAFORM = ">= 1.10"


class UnsafeTemplateValue(TypeError):
    """A template tried to write a value that did not pass through `hcl` or `ident`."""


def _finalize(value: object) -> object:
    # Markup: HCL values and the output of macros (themselves templates)
    if isinstance(value, Markup):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None or value == "":
        return ""
    raise UnsafeTemplateValue(f"template wrote {value!r} without the hcl or ident filter")


def _as_expr(template: hcl.HCL) -> hcl.HCL:
    """`${var.name}` -> `var.name`; any other string template stays quoted."""
    match = re.fullmatch(r"\$\{([A-Za-z0-9_.\[\]\"-]+)\}", template)
    if match:
        return hcl.HCL(match.group(1))
    return hcl.HCL(f'"{template}"')


def _markdown(value: object) -> str:
    text = str(value)
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text).replace("\n", " ")


def _environment(hcl_mode: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=hcl_mode,
        finalize=_finalize if hcl_mode else None,
    )
    env.filters["hcl"] = hcl.value
    env.filters["ident"] = hcl.ident
    env.filters["ident_path"] = hcl.ident_path
    env.filters["comment"] = hcl.comment
    env.filters["as_expr"] = _as_expr
    env.filters["md"] = _markdown
    return env


_HCL_ENV = _environment(True)
_TEXT_ENV = _environment(False)


@dataclass
class Rendered:
    files: dict[str, str]  # relative path -> text
    sources: dict[str, str]  # relative path -> component name it came from ("" for root)


def render_blueprint(head, components: list, blueprint_dir: FsPath, out_dir: FsPath) -> Rendered:
    """Files for a whole blueprint. `components` are validated pattern models."""
    rctx = RenderContext(head.name, blueprint_dir, out_dir, head.region)
    files: dict[str, str] = {}
    sources: dict[str, str] = {}
    modules: list[tuple[object, object, Module]] = []
    providers: set[str] = set()
    for comp in components:
        pattern = PATTERNS[comp.pattern]
        mod = pattern.module(comp, rctx)
        providers |= mod.providers
        modules.append((comp, pattern, mod))
        context = {
            "c": comp,
            "name": hcl.string(rctx.full_name(comp.name)),
            "inputs": mod.inputs,
            **mod.context,
        }
        for part in ("main", "variables", "outputs"):
            path = f"modules/{comp.name}/{part}.tf"
            template = _HCL_ENV.get_template(f"{pattern.template_dir}/{part}.tf.j2")
            files[path] = hcl.format_hcl(template.render(context))
            sources[path] = comp.name
    tags = {"archgen:blueprint": head.name, **head.tags}
    root = {
        "head": head,
        "modules": modules,
        "providers": sorted(providers),
        "tags": tags,
        "versions": {"terraform": TERRAFORM, "aws": AWS_PROVIDER, "archive": ARCHIVE_PROVIDER},
    }
    for part in ("versions", "providers", "backend", "main", "outputs"):
        if part == "backend" and head.state is None:
            continue
        template = _HCL_ENV.get_template(f"_root/{part}.tf.j2")
        files[f"{part}.tf"] = hcl.format_hcl(template.render(root))
        sources[f"{part}.tf"] = ""
    files["README.md"] = _TEXT_ENV.get_template("_root/README.md.j2").render(root).rstrip("\n") + "\n"
    sources["README.md"] = ""
    files[".gitignore"] = "# archgen: Lambda packages built by `terraform plan`\n.archgen/\n.terraform/\n"
    sources[".gitignore"] = ""
    return Rendered(dict(sorted(files.items())), sources)
