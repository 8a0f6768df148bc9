#!/usr/bin/env python3
"""Regenerate archgen/data/{aws,archive}.schema.json.gz from the cdktn provider wheels.

Source
------
The PyPI wheels ``cdktn-provider-aws==25.8.1`` (generated from hashicorp/aws 6.69.1)
and ``cdktn-provider-archive==14.0.1`` (hashicorp/archive 2.8.1) carry a jsii
tarball whose ``lib/<resource>/index.js`` (plus ``index-structs/*.js`` for large
resources) is generated from ``terraform providers schema -json``.  From it we read:

* per argument, the comment ``// <name> - computed: X, optional: Y, required: Z``
  followed by the property (its getter tells the type of computed-only values);
* the ``synthesizeHclAttributes`` / ``<struct>ToHclTerraform`` entries, which say
  ``isBlock``, the collection kind (``simple``/``list``/``set``/``map``/``struct``)
  and the element type (``storageClassType``);
* a block property initialised with ``new <S>OutputReference(...)`` is a block with
  max_items 1; ``new <S>List(this, "x", wrapsSet)`` is a list/set block.

Output format
-------------
The same shape as one provider's entry in ``terraform providers schema -json``::

    {"source": ..., "version": ..., "provider": {"version": 0, "block": BLOCK},
     "resource_schemas": {type: {"version": 0, "block": BLOCK}},
     "data_source_schemas": {type: {"version": 0, "block": BLOCK}}}

Block encoding (chosen to match what terraform-plugin-sdk v2 reports):

* a MaxItems:1 block is ``nesting_mode: "list"`` with ``max_items: 1`` (and
  ``min_items: 1`` when required) -- never ``"single"`` with min/max, which
  Terraform rejects;
* ``timeouts`` (cdktn ``struct``) is ``nesting_mode: "single"`` without min/max;
* other blocks are ``"list"``/``"set"``, ``min_items: 1`` when required; ``"map"``
  blocks carry no min/max (Terraform's configschema rule).

Descriptions are not kept.  Schema versions are 0 (the source does not carry them).
Every resource and data source gets an ``id`` attribute (optional+computed string)
when the source lacks one, as the SDK adds it.

Usage: python tools/gen_provider_schema.py [--wheel-dir DIR]   (needs network for pip)
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PROVIDERS = {
    "aws": {
        "package": "cdktn-provider-aws==25.8.1",
        "wheel_glob": "cdktn_provider_aws-25.8.1-*.whl",
        "source": "registry.terraform.io/hashicorp/aws",
        "version": "6.69.1",
        "prefix": "aws_",
    },
    "archive": {
        "package": "cdktn-provider-archive==14.0.1",
        "wheel_glob": "cdktn_provider_archive-14.0.1-*.whl",
        "source": "registry.terraform.io/hashicorp/archive",
        "version": "2.8.1",
        "prefix": "archive_",
    },
}

OUT_DIR = Path(__file__).resolve().parent.parent / "archgen" / "data"

STR_T = "string"
# A struct that contains itself (wafv2 and/or/not statements) is expanded at most
# this many times along one path; the SDK's wafv2 schema nests statements 3 deep.
MAX_RECURSION = 3

# ---------------------------------------------------------------------------
# Override table: what the cdktn source gets wrong.
# ---------------------------------------------------------------------------
# SDKv2 attributes declared with ConfigMode: SchemaConfigModeAttr (lists/sets of
# objects that Terraform reports as *attributes*, while cdktn renders blocks).
ATTR_MODE = {
    ("aws_security_group", "ingress"),
    ("aws_security_group", "egress"),
    ("aws_default_security_group", "ingress"),
    ("aws_default_security_group", "egress"),
    ("aws_network_acl", "ingress"),
    ("aws_network_acl", "egress"),
    ("aws_route_table", "route"),
    ("aws_default_route_table", "route"),
}
# WAFv2 rule statements are recursive; cdktn gives up and types them "any".
# The framework resource aws_wafv2_web_acl_rule has the statement tree fully
# generated, so its ``statement`` block is grafted in (as a required max-1 block).
WAFV2_STATEMENT_DONOR = "aws_wafv2_web_acl_rule"
WAFV2_STATEMENT_TARGETS = {
    # resource type -> path of blocks to the block holding "statement"
    "aws_wafv2_web_acl": ("rule",),
    "aws_wafv2_rule_group": ("rule",),
}
# Provider configuration: the cdktn provider class loses MaxItems.
PROVIDER_BLOCK_MAX = {
    "aws": {"default_tags": 1, "ignore_tags": 1, "assume_role_with_web_identity": 1},
}
PROVIDER_META = {"alias"}  # meta-arguments, not part of the provider schema


# ---------------------------------------------------------------------------
# Fetch
# ---------------------------------------------------------------------------
def fetch_wheels(dest: str, wheel_dir: str | None) -> dict[str, str]:
    found = {}
    for name, p in PROVIDERS.items():
        hits = glob.glob(os.path.join(wheel_dir, p["wheel_glob"])) if wheel_dir else []
        if not hits:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "-q",
                    "-d",
                    dest,
                    p["package"],
                ],
                check=True,
            )
            hits = glob.glob(os.path.join(dest, p["wheel_glob"]))
        found[name] = hits[0]
    return found


def extract_lib(wheel: str, dest: str) -> Path:
    with zipfile.ZipFile(wheel) as z:
        tgz = next(n for n in z.namelist() if n.endswith(".jsii.tgz"))
        z.extract(tgz, dest)
    with tarfile.open(os.path.join(dest, tgz)) as t:
        members = [
            m
            for m in t.getmembers()
            if m.name.startswith("package/lib/") and m.name.endswith(".js")
        ]
        t.extractall(dest, members=members)
    return Path(dest) / "package" / "lib"


# ---------------------------------------------------------------------------
# Parse one generated module
# ---------------------------------------------------------------------------
CLASS_RE = re.compile(
    r"^class (\w+) extends ([\w.]+) \{\n(.*?)^\}\nexports\.\1 = \1;",
    re.DOTALL | re.MULTILINE,
)
FUNC_RE = re.compile(
    r"^function (\w+)ToHclTerraform\(struct\) \{\n(.*?)^\}\n", re.DOTALL | re.MULTILINE
)
SYNTH_RE = re.compile(
    r"^    synthesizeHclAttributes\(\) \{\n(.*?)^    \}\n", re.DOTALL | re.MULTILINE
)
HCL_ENTRY_RE = re.compile(
    r"^\s+\"?([\w-]+)\"?: \{\n\s+value: [^\n]*\n\s+isBlock: (true|false),\n"
    r"\s+type: \"(\w+)\",\n\s+storageClassType: \"(\w+)\",",
    re.MULTILINE,
)
COMMENT_RE = re.compile(
    r"^    // (\S+) - computed: (true|false), optional: (true|false), required: (true|false)\n",
    re.MULTILINE,
)
NEW_RE = re.compile(
    r"^    _\w+ = new ([\w.]+)\(this, \"[^\"]*\"(?:, (true|false))?\);", re.MULTILINE
)

SCALAR = {"string": "string", "number": "number", "boolean": "bool", "any": "dynamic"}


class Module:
    def __init__(self, text: str):
        self.classes = {
            m.group(1): (m.group(2), m.group(3)) for m in CLASS_RE.finditer(text)
        }
        self.funcs = {m.group(1): m.group(2) for m in FUNC_RE.finditer(text)}

    def hcl_entries(self, body: str) -> dict:
        return {
            m.group(1): (m.group(2) == "true", m.group(3), m.group(4))
            for m in HCL_ENTRY_RE.finditer(body)
        }

    def struct_hcl(self, struct: str) -> dict:
        fn = struct[0].lower() + struct[1:]
        body = self.funcs.get(fn)
        return self.hcl_entries(body) if body is not None else {}

    def props(self, class_body: str):
        """Yield (name, computed, optional, required, segment) per commented property."""
        ms = list(COMMENT_RE.finditer(class_body))
        for i, m in enumerate(ms):
            end = ms[i + 1].start() if i + 1 < len(ms) else len(class_body)
            seg = class_body[m.end() : end]
            yield (
                m.group(1),
                m.group(2) == "true",
                m.group(3) == "true",
                m.group(4) == "true",
                seg,
            )

    # -- types --------------------------------------------------------------
    def hcl_type(self, kind: str, sct: str):
        if kind == "simple":
            return SCALAR[sct]
        inner = {
            "stringList": STR_T,
            "numberList": "number",
            "booleanList": "bool",
            "stringMap": STR_T,
            "numberMap": "number",
            "booleanMap": "bool",
            "stringListList": ["list", STR_T],
            "stringMapList": ["map", STR_T],
            "stringListMap": ["list", STR_T],
            "stringMapMap": ["map", STR_T],
        }.get(sct)
        if inner is None:
            return None
        if sct.endswith("Map"):
            return ["map", inner]
        return [kind if kind in ("list", "set") else "list", inner]

    def object_type(self, struct: str, depth: int = 0):
        cls = self.classes.get(struct + "OutputReference")
        if cls is None or depth > 12:
            return "dynamic"
        attrs = {}
        for name, _c, _o, _r, seg in self.props(cls[1]):
            t = self.getter_type(seg, depth)
            if t is None:
                hcl = self.struct_hcl(struct).get(name)
                t = self.entry_type(hcl, seg, depth) if hcl else "dynamic"
            attrs[name] = t
        return ["object", attrs]

    def entry_type(self, hcl, seg, depth):
        is_block, kind, sct = hcl
        if not is_block:
            t = self.hcl_type(kind, sct)
            if t is not None:
                return t
        return self.getter_type(seg, depth) or "dynamic"

    def getter_type(self, seg: str, depth: int = 0):
        m = NEW_RE.search(seg)
        if m:
            cls, wraps = re.sub(r"^(?!cdktn\.)\w+\.", "", m.group(1)), m.group(2)
            simple = {
                "cdktn.StringMap": ["map", STR_T],
                "cdktn.NumberMap": ["map", "number"],
                "cdktn.BooleanMap": ["map", "bool"],
                "cdktn.AnyMap": ["map", "dynamic"],
            }
            if cls in simple:
                return simple[cls]
            if cls.endswith("OutputReference"):
                return self.object_type(cls[: -len("OutputReference")], depth + 1)
            if cls.endswith("List"):
                return [
                    "set" if wraps == "true" else "list",
                    self.object_type(cls[:-4], depth + 1),
                ]
            if cls.endswith("Map"):
                return ["map", self.object_type(cls[:-3], depth + 1)]
            return None
        g = re.search(r"return (cdktn\.Fn\.tolist\()?this\.(\w+)\(", seg)
        if not g:
            return None
        tolist, fn = g.group(1), g.group(2)
        coll = "set" if tolist else "list"
        return {
            "getStringAttribute": STR_T,
            "getNumberAttribute": "number",
            "getBooleanAttribute": "bool",
            "getListAttribute": [coll, STR_T],
            "getNumberListAttribute": [coll, "number"],
            "getBooleanListAttribute": [coll, "bool"],
            "getStringMapAttribute": ["map", STR_T],
            "getNumberMapAttribute": ["map", "number"],
            "getBooleanMapAttribute": ["map", "bool"],
            "getAnyMapAttribute": ["map", "dynamic"],
            "interpolationForAttribute": "dynamic",
        }.get(fn)

    # -- blocks -------------------------------------------------------------
    def block_from_hcl(self, struct: str, depth: int) -> dict:
        attributes, block_types = {}, {}
        for name, (is_block, kind, sct) in self.struct_hcl(struct).items():
            if is_block:
                sub = re.sub(r"(List|Map)$", "", sct)
                block_types[name] = {
                    "nesting_mode": "single" if kind == "struct" else kind,
                    "block": self.block_from_hcl(sub, depth + 1),
                }
            else:
                attributes[name] = {
                    "type": self.hcl_type(kind, sct) or "dynamic",
                    "optional": True,
                }
        out = {}
        if attributes:
            out["attributes"] = attributes
        if block_types:
            out["block_types"] = block_types
        return out

    def block(
        self, class_body: str, hcl: dict, depth: int = 0, stack: tuple = ()
    ) -> dict:
        attributes, block_types = {}, {}
        for name, computed, optional, required, seg in self.props(class_body):
            entry = hcl.get(name)
            if entry is not None and entry[0]:
                _, kind, sct = entry
                m = NEW_RE.search(seg)
                struct = re.sub(r"(List|Map|OutputReference)$", "", sct)
                max1 = bool(m and m.group(1).endswith("OutputReference"))
                if stack.count(struct) >= MAX_RECURSION:
                    continue  # recursive struct (wafv2 statements): cut as the SDK does
                ref = self.classes.get(struct + "OutputReference")
                if ref:
                    inner = self.block(
                        ref[1], self.struct_hcl(struct), depth + 1, stack + (struct,)
                    )
                else:  # provider structs have no OutputReference class: HCL entries only
                    inner = self.block_from_hcl(struct, depth + 1)
                if kind == "struct":
                    bt = {"nesting_mode": "single", "block": inner}
                else:
                    bt = {
                        "nesting_mode": kind
                        if kind in ("list", "set", "map")
                        else "list",
                        "block": inner,
                    }
                    if (
                        required and kind != "map"
                    ):  # Terraform allows no min/max on map blocks
                        bt["min_items"] = 1
                    if max1 and kind != "map":
                        bt["max_items"] = 1
                block_types[name] = bt
                continue
            if entry is not None:
                t = self.entry_type(entry, seg, depth)
            else:
                t = self.getter_type(seg, depth) or "dynamic"
            a = {"type": t}
            if required:
                a["required"] = True
            if optional:
                a["optional"] = True
            if computed:
                a["computed"] = True
            if not (required or optional or computed):
                a["optional"] = True
            attributes[name] = a
        out = {}
        if attributes:
            out["attributes"] = attributes
        if block_types:
            out["block_types"] = block_types
        return out


def parse_resource_dir(d: Path):
    files = (
        [d / "index.js"] + sorted((d / "index-structs").glob("*.js"))
        if (d / "index-structs").is_dir()
        else [d / "index.js"]
    )
    text = "\n".join(f.read_text() for f in files if f.exists())
    mod = Module(text)
    for base, body in mod.classes.values():
        if base not in (
            "cdktn.TerraformResource",
            "cdktn.TerraformDataSource",
            "cdktn.TerraformProvider",
        ):
            continue
        tf = re.search(r'static tfResourceType = "([\w-]+)";', body)
        if not tf:
            continue
        synth = SYNTH_RE.search(body)
        hcl = mod.hcl_entries(synth.group(1)) if synth else {}
        kind = {
            "cdktn.TerraformResource": "resource",
            "cdktn.TerraformDataSource": "data",
            "cdktn.TerraformProvider": "provider",
        }[base]
        return kind, tf.group(1), mod.block(body, hcl)
    return None


# ---------------------------------------------------------------------------
# Overrides
# ---------------------------------------------------------------------------
def block_to_object_type(block: dict):
    attrs = {n: a["type"] for n, a in block.get("attributes", {}).items()}
    for n, bt in block.get("block_types", {}).items():
        ot = block_to_object_type(bt["block"])
        mode = bt["nesting_mode"]
        attrs[n] = ot if mode == "single" else [mode, ot]
    return ["object", attrs]


def apply_overrides(name: str, schema: dict) -> list[str]:
    notes = []
    res = schema["resource_schemas"]
    for rtype, arg in sorted(ATTR_MODE):
        blk = res.get(rtype, {}).get("block")
        if not blk or arg not in blk.get("block_types", {}):
            continue
        bt = blk["block_types"].pop(arg)
        if not blk["block_types"]:
            del blk["block_types"]
        blk.setdefault("attributes", {})[arg] = {
            "type": [bt["nesting_mode"], block_to_object_type(bt["block"])],
            "optional": True,
            "computed": True,
        }
        notes.append(
            f"{rtype}.{arg}: block -> {bt['nesting_mode']}-of-object attribute (ConfigModeAttr)"
        )
    donor = (
        res.get(WAFV2_STATEMENT_DONOR, {})
        .get("block", {})
        .get("block_types", {})
        .get("statement")
    )
    for rtype, path in WAFV2_STATEMENT_TARGETS.items():
        blk = res.get(rtype, {}).get("block")
        if not blk or not donor:
            continue
        for p in path:
            blk = blk["block_types"][p]["block"]
        blk.get("attributes", {}).pop("statement", None)
        blk.setdefault("block_types", {})["statement"] = {
            "nesting_mode": "list",
            "block": donor["block"],
            "min_items": 1,
            "max_items": 1,
        }
        notes.append(
            f"{rtype}.{'.'.join(path)}.statement: 'any' -> statement block tree of {WAFV2_STATEMENT_DONOR}"
        )
    prov = schema["provider"]["block"]
    for arg in PROVIDER_META:
        prov.get("attributes", {}).pop(arg, None)
    if "attributes" in prov and not prov["attributes"]:
        del prov["attributes"]
    for arg, mx in PROVIDER_BLOCK_MAX.get(name, {}).items():
        prov["block_types"][arg]["max_items"] = mx
        notes.append(f"provider.{arg}: max_items {mx}")
    return notes


def ensure_id(block: dict) -> None:
    attrs = block.setdefault("attributes", {})
    if "id" not in attrs:
        attrs["id"] = {"type": "string", "optional": True, "computed": True}


def build(name: str, lib: Path) -> dict:
    p = PROVIDERS[name]
    schema = {
        "source": p["source"],
        "version": p["version"],
        "provider": None,
        "resource_schemas": {},
        "data_source_schemas": {},
    }
    for d in sorted(lib.iterdir()):
        if not (d / "index.js").exists():
            continue
        parsed = parse_resource_dir(d)
        if not parsed:
            continue
        kind, tftype, block = parsed
        if kind == "provider":
            schema["provider"] = {"version": 0, "block": block}
        elif kind == "resource":
            ensure_id(block)
            schema["resource_schemas"][tftype] = {"version": 0, "block": block}
        else:
            ensure_id(block)
            schema["data_source_schemas"][tftype] = {"version": 0, "block": block}
    for note in apply_overrides(name, schema):
        print(f"  override {note}")
    return schema


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel-dir", help="use wheels already downloaded here")
    ap.add_argument("--out-dir", default=str(OUT_DIR))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheels = fetch_wheels(tmp, args.wheel_dir)
        for name, wheel in wheels.items():
            lib = extract_lib(wheel, os.path.join(tmp, name))
            print(f"{name}: parsing {lib}")
            schema = build(name, lib)
            data = json.dumps(schema, separators=(",", ":"), sort_keys=True).encode()
            out = Path(args.out_dir) / f"{name}.schema.json.gz"
            out.write_bytes(gzip.compress(data, 9, mtime=0))
            print(
                f"{name}: {len(schema['resource_schemas'])} resources, "
                f"{len(schema['data_source_schemas'])} data sources, "
                f"{len(data)} bytes json, {out.stat().st_size} bytes gz -> {out}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
