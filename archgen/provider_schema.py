"""The bundled provider schemas and an offline checker for rendered Terraform.

``archgen/data/<provider>.schema.json.gz`` holds one provider's entry of
``terraform providers schema -json`` (see tools/gen_provider_schema.py).

``check_files`` parses every ``.tf`` file of a rendered output tree with
python-hcl2 and checks each ``resource``, ``data`` and ``provider`` block against
it, the way ``terraform validate`` would, without terraform:

* the resource / data source type exists;
* every argument and block is known (meta-arguments are skipped; ``dynamic "x"``
  is checked as block ``x`` with its ``content``);
* no computed-only argument is set;
* required arguments and blocks (``min_items >= 1``) are present (a ``dynamic``
  block counts as present);
* single / ``max_items = 1`` blocks are not repeated;
* literal values whose type cannot convert to the schema type (``"yes"`` for a
  bool, a list for a string, a missing or unknown key in an object literal,
  ...) are reported.  Expressions (references, function calls, templates with
  interpolation) are not type-checked.  Conversion follows Terraform: ``"true"``
  is a valid bool and ``"5"`` a valid number, as in ``terraform validate``.

Like Terraform, an attribute whose type is a list or set of objects may also be
written with block syntax (``ingress { ... }`` on ``aws_security_group``).
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import hcl2

from .hcl import for_python_hcl2
from hcl2.rules.base import AttributeRule, BlockRule
from lark.exceptions import LarkError

from .providers import PROVIDERS

RESOURCE_META_ARGS = {"count", "for_each", "provider", "depends_on"}
RESOURCE_META_BLOCKS = {"lifecycle", "provisioner", "connection"}
DATA_META_ARGS = {"count", "for_each", "provider", "depends_on"}
DATA_META_BLOCKS = {"lifecycle"}
PROVIDER_META_ARGS = {"alias", "version"}
BUILTIN_RESOURCE_TYPES = {"terraform_data"}


@dataclass(frozen=True)
class SchemaProblem:
    file: str
    line: int
    address: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.address}: {self.message}"


@functools.cache
def load_schema(provider: str) -> dict:
    """The bundled schema of ``provider`` ("aws" or "archive"), as one provider's
    entry of ``terraform providers schema -json``."""
    if provider not in PROVIDERS:
        raise KeyError(f"no bundled schema for provider {provider!r}")
    name = PROVIDERS[provider].schema_file
    try:
        ref = resources.files("archgen.data").joinpath(name)
    except ModuleNotFoundError:  # archgen/data without __init__.py on older layouts
        ref = resources.files("archgen").joinpath("data", name)
    with ref.open("rb") as fh:
        return json.loads(gzip.decompress(fh.read()))


def provider_of(type_name: str) -> str | None:
    prefix = type_name.split("_", 1)[0]
    return prefix if prefix in PROVIDERS else None


# ---------------------------------------------------------------------------
# Values: what python-hcl2 8.x serializes, classified
# ---------------------------------------------------------------------------
_UNKNOWN = object()  # an expression: not type-checked


def _literal(value: Any) -> Any:
    """Turn a python-hcl2 serialized value into a Python literal, or _UNKNOWN.

    python-hcl2 8.x serializes a string literal with its quotes ('"abc"'), a
    template string the same way with ``${...}`` inside, a heredoc as
    '"<<EOF\\n...EOF"', and any other expression as '${...}'.  Objects come back
    as dicts (keys bare, quoted, or '${(expr)}'), tuples as lists.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            inner = value[1:-1]
            if "${" in inner.replace("$${", "") or "%{" in inner.replace("%%{", ""):
                return _UNKNOWN  # template: may yield any type when it is one interpolation
            if inner.startswith("<<"):
                return _UNKNOWN
            return _unescape(inner)
        return _UNKNOWN
    if isinstance(value, list):
        return [_literal(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k.startswith("__") and k.endswith("__"):
                continue
            key = (
                _literal(k)
                if k.startswith('"')
                else (k if not k.startswith("${") else _UNKNOWN)
            )
            if key is _UNKNOWN:
                return _UNKNOWN  # computed key: cannot check the object's shape
            out[key] = _literal(v)
        return out
    return _UNKNOWN


def _unescape(s: str) -> str:
    return (
        re.sub(
            r"\\(.)",
            lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)),
            s,
        )
        .replace("$${", "${")
        .replace("%%{", "%{")
    )


def _type_name(ty: Any) -> str:
    if isinstance(ty, str):
        return ty
    kind = ty[0]
    if kind == "object":
        return "object"
    return f"{kind} of {_type_name(ty[1])}"


def _conversion_error(value: Any, ty: Any) -> str | None:
    """Why ``value`` (a _literal) cannot convert to cty type ``ty``, or None."""
    if value is None or value is _UNKNOWN or ty == "dynamic":
        return None
    if ty == "string":
        if isinstance(value, (list, dict)):
            return "string required"
        return None
    if ty == "number":
        if isinstance(value, (bool, list, dict)):
            return "a number is required"
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                return "a number is required"
        return None
    if ty == "bool":
        if isinstance(value, bool):
            return None
        if isinstance(value, str) and value in ("true", "false"):
            return None
        return "a bool is required"
    kind = ty[0]
    if kind in ("list", "set"):
        if not isinstance(value, list):
            return f"{_type_name(ty)} required"
        for i, v in enumerate(value):
            err = _conversion_error(v, ty[1])
            if err:
                return f"element {i}: {err}"
        return None
    if kind == "map":
        if not isinstance(value, dict):
            return f"{_type_name(ty)} required"
        for k, v in value.items():
            err = _conversion_error(v, ty[1])
            if err:
                return f"element {json.dumps(k)}: {err}"
        return None
    if kind == "object":
        if not isinstance(value, dict):
            return "object required"
        attrs = ty[1]
        for k in value:
            if k not in attrs:
                return f"unsupported attribute {json.dumps(k)}"
        missing = [k for k in sorted(attrs) if k not in value]
        if missing:
            if len(missing) == 1:
                return f"attribute {json.dumps(missing[0])} is required"
            names = [json.dumps(m) for m in missing]
            return (
                "attributes "
                + ", ".join(names[:-1])
                + ", and "
                + names[-1]
                + " are required"
            )
        for k, v in value.items():
            err = _conversion_error(v, attrs[k])
            if err:
                return f"attribute {json.dumps(k)}: {err}"
        return None
    return None


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Terraform's suggestion rule: the closest name at edit distance < 3."""
    best = min(((_distance(name, c), c) for c in choices), default=None)
    return f' Did you mean "{best[1]}"?' if best and best[0] < 3 else ""


def _is_object_collection(ty: Any) -> bool:
    return (
        isinstance(ty, list)
        and ty[0] in ("list", "set")
        and isinstance(ty[1], list)
        and ty[1][0] == "object"
    )


def _object_type_as_block(ty: Any) -> dict:
    """The block an attribute of type list/set(object) accepts in block syntax."""
    attrs = {}
    for name, t in ty[1][1].items():
        attrs[name] = {"type": t, "optional": True}
    return {"attributes": attrs}


# ---------------------------------------------------------------------------
# Checker
# ---------------------------------------------------------------------------
def _label(node: Any) -> str:
    s = node.serialize()
    if isinstance(s, str) and len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        return s[1:-1]
    return str(s)


def _line(node: Any) -> int:
    meta = getattr(node, "_meta", None)
    return getattr(meta, "line", 0) if meta is not None and not meta.empty else 0


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[SchemaProblem] = []

    def report(self, line: int, address: str, message: str) -> None:
        self.problems.append(SchemaProblem(self.file, line, address, message))

    def check_body(
        self,
        body: Any,
        schema: dict,
        address: str,
        block_line: int,
        meta_args: Iterable[str] = (),
        meta_blocks: Iterable[str] = (),
    ) -> None:
        attrs_schema = schema.get("attributes", {})
        blocks_schema = schema.get("block_types", {})
        seen_attrs: dict[str, int] = {}
        block_counts: dict[str, list[int]] = {}
        dynamic_blocks: set[str] = set()

        for child in body.children:
            if isinstance(child, AttributeRule):
                name = child.identifier.serialize()
                line = _line(child)
                if name in seen_attrs:
                    self.report(
                        line,
                        address,
                        f'Attribute redefined: The argument "{name}" was already set '
                        f"at {self.file}:{seen_attrs[name]}. Each argument may be set only once.",
                    )
                    continue
                seen_attrs[name] = line
                if name in meta_args:
                    continue
                if name not in attrs_schema:
                    if name in blocks_schema:
                        self.report(
                            line,
                            address,
                            f'Unsupported argument: An argument named "{name}" is not '
                            f'expected here. Did you mean to define a block of type "{name}"?',
                        )
                    else:
                        self.report(
                            line,
                            address,
                            f'Unsupported argument: An argument named "{name}" is not '
                            f"expected here.{_did_you_mean(name, attrs_schema)}",
                        )
                    continue
                a = attrs_schema[name]
                if (
                    a.get("computed")
                    and not a.get("optional")
                    and not a.get("required")
                ):
                    self.report(
                        line,
                        address,
                        f"Value for unconfigurable attribute: Can't configure a value for "
                        f'"{name}": its value will be decided automatically based on the '
                        f"result of applying this configuration.",
                    )
                    continue
                err = _conversion_error(
                    _literal(child.expression.serialize()), a["type"]
                )
                if err:
                    self.report(
                        line,
                        address,
                        f"Incorrect attribute value type: Inappropriate value for attribute "
                        f'"{name}": {err}.',
                    )
            elif isinstance(child, BlockRule):
                labels = [_label(x) for x in child.labels]
                line = _line(child)
                btype = labels[0]
                if btype in meta_blocks:
                    continue
                if btype == "dynamic":
                    if len(labels) != 2:
                        self.report(
                            line,
                            address,
                            "Invalid dynamic block: A dynamic block needs exactly one label, the block type.",
                        )
                        continue
                    target = labels[1]
                    content = [
                        c
                        for c in child.body.children
                        if isinstance(c, BlockRule) and _label(c.labels[0]) == "content"
                    ]
                    inner = self._block_schema(
                        target, attrs_schema, blocks_schema, line, address, seen_attrs
                    )
                    if inner is None:
                        continue
                    dynamic_blocks.add(target)
                    block_counts.setdefault(target, [])
                    if not content:
                        self.report(
                            line,
                            address,
                            f'Missing required block: A dynamic "{target}" block needs a "content" block.',
                        )
                    for c in content:
                        self.check_body(c.body, inner, f"{address}.{target}", _line(c))
                    continue
                inner = self._block_schema(
                    btype, attrs_schema, blocks_schema, line, address, seen_attrs
                )
                if inner is None:
                    continue
                want = (
                    1
                    if blocks_schema.get(btype, {}).get("nesting_mode") == "map"
                    else 0
                )
                if len(labels) - 1 > want:
                    self.report(
                        line,
                        address,
                        f"Extraneous label for {btype}: No more than {want} label(s) "
                        f"are expected for {btype} blocks.",
                    )
                elif len(labels) - 1 < want:
                    self.report(
                        line,
                        address,
                        f"Missing name for {btype}: All {btype} blocks must have 1 label (key).",
                    )
                block_counts.setdefault(btype, []).append(line)
                self.check_body(child.body, inner, f"{address}.{btype}", line)

        # presence and counts
        for name, a in attrs_schema.items():
            if a.get("required") and name not in seen_attrs:
                self.report(
                    block_line,
                    address,
                    f'Missing required argument: The argument "{name}" is required, '
                    f"but no definition was found.",
                )
        for name, bt in blocks_schema.items():
            lines = block_counts.get(name, [])
            if name in dynamic_blocks:
                continue  # count only known at plan time
            mode = bt.get("nesting_mode")
            min_items = bt.get("min_items", 0) or 0
            max_items = bt.get("max_items", 0) or 0
            if mode == "single" and len(lines) > 1:
                self.report(
                    lines[1],
                    address,
                    f'Duplicate {name} block: Only one block of type "{name}" is '
                    f"allowed. Previous definition was at {self.file}:{lines[0]}.",
                )
            elif max_items and len(lines) > max_items:
                self.report(
                    lines[max_items],
                    address,
                    f"Too many {name} blocks: No more than {max_items} "
                    f'"{name}" blocks are allowed',
                )
            if min_items and len(lines) < min_items:
                self.report(
                    block_line,
                    address,
                    f"Insufficient {name} blocks: At least {min_items} "
                    f'"{name}" blocks are required.',
                )

    def _block_schema(
        self,
        name: str,
        attrs_schema: dict,
        blocks_schema: dict,
        line: int,
        address: str,
        seen_attrs: dict,
    ) -> dict | None:
        if name in blocks_schema:
            return blocks_schema[name]["block"]
        a = attrs_schema.get(name)
        if a is not None and _is_object_collection(a["type"]):
            seen_attrs.setdefault(
                name, line
            )  # block syntax for a list/set of objects attribute
            return _object_type_as_block(a["type"])
        if a is not None:
            self.report(
                line,
                address,
                f'Unsupported block type: Blocks of type "{name}" are not expected here. '
                f'Did you mean to define argument "{name}"? If so, use the equals sign to '
                f"assign it a value.",
            )
        else:
            self.report(
                line,
                address,
                f'Unsupported block type: Blocks of type "{name}" are not expected '
                f"here.{_did_you_mean(name, blocks_schema)}",
            )
        return None

    def check_top(self, block: Any) -> None:
        labels = [_label(x) for x in block.labels]
        kind = labels[0]
        line = _line(block)
        if kind in ("resource", "data"):
            if len(labels) != 3:
                return
            tname, rname = labels[1], labels[2]
            address = (
                f"{tname}.{rname}" if kind == "resource" else f"data.{tname}.{rname}"
            )
            if kind == "resource" and tname in BUILTIN_RESOURCE_TYPES:
                return
            prov = provider_of(tname)
            what = "resource type" if kind == "resource" else "data source"
            if prov is None:
                self.report(
                    line,
                    address,
                    f'Invalid {what}: No bundled schema covers {what} "{tname}"; only '
                    f"hashicorp/aws and hashicorp/archive can be checked offline.",
                )
                return
            schema = load_schema(prov)
            table = (
                schema["resource_schemas"]
                if kind == "resource"
                else schema["data_source_schemas"]
            )
            if tname not in table:
                if kind == "resource":
                    msg = f'Invalid resource type: The provider {PROVIDERS[prov].source} does not support resource type "{tname}".'
                else:
                    msg = f'Invalid data source: The provider {PROVIDERS[prov].source} does not support data source "{tname}".'
                self.report(line, address, msg)
                return
            meta_a, meta_b = (
                (RESOURCE_META_ARGS, RESOURCE_META_BLOCKS)
                if kind == "resource"
                else (DATA_META_ARGS, DATA_META_BLOCKS)
            )
            self.check_body(
                block.body, table[tname]["block"], address, line, meta_a, meta_b
            )
        elif kind == "provider" and len(labels) == 2 and labels[1] in PROVIDERS:
            self.check_body(
                block.body,
                load_schema(labels[1])["provider"]["block"],
                f"provider.{labels[1]}",
                line,
                PROVIDER_META_ARGS,
            )


def check_tree(path: str, tree: Any) -> list[SchemaProblem]:
    """Check one parsed HCL file (a python-hcl2 rule tree)."""
    checker = _Checker(path)
    for child in tree.body.children:
        if isinstance(child, BlockRule):
            checker.check_top(child)
    return checker.problems


def check_text(path: str, text: str) -> list[SchemaProblem]:
    """Check one HCL file's text."""
    try:
        tree = hcl2.parses(for_python_hcl2(text))
    except (LarkError, ValueError) as exc:  # lark errors carry .line
        line = getattr(exc, "line", 0) or 0
        first = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        return [
            SchemaProblem(
                path,
                line if isinstance(line, int) and line > 0 else 0,
                "",
                f"Invalid HCL: {first}",
            )
        ]
    return check_tree(path, tree)


def check_files(files: dict[str, str]) -> list[SchemaProblem]:
    """Check every ``.tf`` file of a rendered output tree (relative path -> text)."""
    problems: list[SchemaProblem] = []
    for path in sorted(files):
        if path.endswith(".tf"):
            problems.extend(check_text(path, files[path]))
    return problems
