"""Provider schemas: from the bundled JSON shape to tfplugin6 and back.

The JSON shape is one provider's entry of ``terraform providers schema -json``
(what :func:`archgen.provider_schema.load_schema` returns).  The stand-in turns
it into a ``GetProviderSchema.Response`` once; the serialized response can be
cached in a file (the gate writes one next to the mirrored provider) so each
provider process only parses protobuf bytes instead of a large JSON document.
Per-type schemas used for planning are read back from that message on demand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tf.gen import tfplugin_pb2 as pb

from archgen.tfprovider import cty

_NESTING = {
    "single": pb.Schema.NestedBlock.SINGLE,
    "list": pb.Schema.NestedBlock.LIST,
    "set": pb.Schema.NestedBlock.SET,
    "map": pb.Schema.NestedBlock.MAP,
    "group": pb.Schema.NestedBlock.GROUP,
}
_OBJECT_NESTING = {
    "single": pb.Schema.Object.SINGLE,
    "list": pb.Schema.Object.LIST,
    "set": pb.Schema.Object.SET,
    "map": pb.Schema.Object.MAP,
}
_NESTING_NAME = {v: k for k, v in _NESTING.items()}
_OBJECT_NESTING_NAME = {v: k for k, v in _OBJECT_NESTING.items()}


def load_provider_schema(provider: str) -> dict[str, Any]:
    """The bundled schema of ``provider`` ("aws" or "archive")."""
    from archgen.provider_schema import load_schema

    return load_schema(provider)


# --------------------------------------------------------------------------
# JSON shape -> protobuf


def _attribute_pb(name: str, spec: dict[str, Any]) -> pb.Schema.Attribute:
    attr = pb.Schema.Attribute(name=name)
    if "nested_type" in spec:
        nested = spec["nested_type"]
        attr.nested_type.nesting = _OBJECT_NESTING[nested.get("nesting_mode", "single")]
        for sub_name, sub in sorted(nested.get("attributes", {}).items()):
            attr.nested_type.attributes.append(_attribute_pb(sub_name, sub))
    else:
        attr.type = json.dumps(spec["type"], separators=(",", ":")).encode()
    required = bool(spec.get("required"))
    optional = bool(spec.get("optional"))
    computed = bool(spec.get("computed"))
    if required:
        # Terraform rejects required combined with optional or computed.
        optional = computed = False
    elif not (optional or computed):
        optional = True
    attr.required = required
    attr.optional = optional
    attr.computed = computed
    attr.sensitive = bool(spec.get("sensitive"))
    attr.deprecated = bool(spec.get("deprecated"))
    return attr


def _block_pb(spec: dict[str, Any], out: pb.Schema.Block) -> None:
    out.SetInParent()  # an empty block must still be present on the wire
    for name, attr in sorted(spec.get("attributes", {}).items()):
        out.attributes.append(_attribute_pb(name, attr))
    for name, bt in sorted(spec.get("block_types", {}).items()):
        nested = pb.Schema.NestedBlock(type_name=name)
        mode = bt.get("nesting_mode", "list")
        nested.nesting = _NESTING[mode]
        min_items = int(bt.get("min_items", 0) or 0)
        max_items = int(bt.get("max_items", 0) or 0)
        # Terraform rejects the whole provider schema over one block that
        # breaks its rules (configschema's InternalValidate), so keep to them.
        if mode == "single":
            # both 0 (optional) or both 1 (required)
            min_items = max_items = 1 if min_items >= 1 else 0
        elif mode in ("group", "map"):
            min_items = max_items = 0
        elif max_items and min_items > max_items:
            min_items = max_items
        if mode == "set" and _has_dynamic(bt.get("block", {})):
            # sets may not hold dynamically typed attributes
            mode = "list"
            nested.nesting = _NESTING[mode]
        nested.min_items = min_items
        nested.max_items = max_items
        _block_pb(bt.get("block", {}), nested.block)
        out.block_types.append(nested)


def _has_dynamic(spec: dict[str, Any]) -> bool:
    for attr in spec.get("attributes", {}).values():
        if "dynamic" in json.dumps(attr.get("type", "")):
            return True
        if "nested_type" in attr and _has_dynamic(attr["nested_type"]):
            return True
    return any(_has_dynamic(bt.get("block", {})) for bt in spec.get("block_types", {}).values())


def _schema_pb(spec: dict[str, Any] | None) -> pb.Schema:
    schema = pb.Schema()
    spec = spec or {}
    schema.version = int(spec.get("version", 0) or 0)
    _block_pb(spec.get("block", {}), schema.block)
    return schema


def build_response(schema: dict[str, Any]) -> pb.GetProviderSchema.Response:
    """A ``GetProviderSchema.Response`` for one provider's JSON schema."""
    resp = pb.GetProviderSchema.Response()
    resp.provider.CopyFrom(_schema_pb(schema.get("provider")))
    for name, spec in schema.get("resource_schemas", {}).items():
        resp.resource_schemas[name].CopyFrom(_schema_pb(spec))
    for name, spec in schema.get("data_source_schemas", {}).items():
        resp.data_source_schemas[name].CopyFrom(_schema_pb(spec))
    resp.server_capabilities.plan_destroy = True
    # Lets terraform fetch the (large) schema once per command and provider
    # instead of once per provider process.
    resp.server_capabilities.get_provider_schema_optional = True
    return resp


def write_response_cache(schema: dict[str, Any], path: Path) -> None:
    path.write_bytes(build_response(schema).SerializeToString())


# --------------------------------------------------------------------------
# protobuf -> the little model planning needs


@dataclass
class Attribute:
    type: Any
    required: bool = False
    optional: bool = False
    computed: bool = False


@dataclass
class NestedBlock:
    nesting: str
    block: Block
    min_items: int = 0
    max_items: int = 0


@dataclass
class Block:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    block_types: dict[str, NestedBlock] = field(default_factory=dict)

    def implied_type(self) -> Any:
        attrs: dict[str, Any] = {name: a.type for name, a in self.attributes.items()}
        for name, nb in self.block_types.items():
            inner = nb.block.implied_type()
            if nb.nesting in ("single", "group"):
                attrs[name] = inner
            elif nb.nesting == "map":
                attrs[name] = ("map", inner)
            else:
                attrs[name] = (nb.nesting, inner)
        return ("object", attrs)


def _attr_type(attr: pb.Schema.Attribute) -> Any:
    if attr.HasField("nested_type"):
        obj = ("object", {a.name: _attr_type(a) for a in attr.nested_type.attributes})
        mode = _OBJECT_NESTING_NAME.get(attr.nested_type.nesting, "single")
        return obj if mode == "single" else (mode, obj)
    return cty.parse_type(attr.type)


def block_from_pb(block: pb.Schema.Block) -> Block:
    out = Block()
    for attr in block.attributes:
        out.attributes[attr.name] = Attribute(
            type=_attr_type(attr),
            required=attr.required,
            optional=attr.optional,
            computed=attr.computed,
        )
    for nb in block.block_types:
        out.block_types[nb.type_name] = NestedBlock(
            nesting=_NESTING_NAME.get(nb.nesting, "list"),
            block=block_from_pb(nb.block),
            min_items=nb.min_items,
            max_items=nb.max_items,
        )
    return out


class SchemaIndex:
    """Per-type :class:`Block` models, built lazily from the response."""

    def __init__(self, response: pb.GetProviderSchema.Response) -> None:
        self.response = response
        self._cache: dict[tuple[str, str], Block] = {}

    def _get(self, kind: str, name: str) -> Block | None:
        key = (kind, name)
        if key not in self._cache:
            if kind == "provider":
                self._cache[key] = block_from_pb(self.response.provider.block)
            else:
                table = self.response.resource_schemas if kind == "resource" else self.response.data_source_schemas
                if name not in table:
                    return None
                self._cache[key] = block_from_pb(table[name].block)
        return self._cache[key]

    def provider(self) -> Block:
        block = self._get("provider", "")
        assert block is not None
        return block

    def resource(self, name: str) -> Block | None:
        return self._get("resource", name)

    def data_source(self, name: str) -> Block | None:
        return self._get("data", name)
