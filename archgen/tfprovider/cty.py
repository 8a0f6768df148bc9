"""cty types and values as Terraform sends them over the plugin protocol.

Types use their JSON form (``"string"``, ``["list", "string"]``,
``["object", {...}]``, ``["object", {...}, ["optional", ...]]``, ...), parsed
into plain tuples:

* ``"string"``, ``"number"``, ``"bool"``, ``"dynamic"``
* ``("list", T)``, ``("set", T)``, ``("map", T)``
* ``("object", {name: T})`` and ``("tuple", (T, ...))``

Values are plain Python data: ``None`` (null), :data:`UNKNOWN`, ``str``,
``int``/``float``, ``bool``, ``list`` (list, set and tuple), ``dict`` (map and
object) and :class:`Dynamic` (a value of a dynamically typed attribute, which
carries its own type on the wire).

The msgpack form follows cty's ``msgpack`` package: an unknown value is the
extension type 0 (refined unknowns, extension type 12, are read as unknown),
objects are maps holding every attribute, a value of type ``dynamic`` is the
array ``[type JSON bytes, value]``, and numbers are integers, floats or
decimal strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import msgpack

__all__ = [
    "UNKNOWN",
    "Dynamic",
    "decode",
    "encode",
    "from_json",
    "implied_type",
    "parse_type",
    "type_json",
]


class _Unknown:
    """The unknown value (known only after apply)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        # falsy like null, so "value or default" never crashes the plugin
        return False


UNKNOWN = _Unknown()

_UNKNOWN_EXT = msgpack.ExtType(0, b"\x00")  # cty writes fixext1: d4 00 00
_UNKNOWN_EXT_CODES = (0, 12)

PRIMITIVES = ("string", "number", "bool", "dynamic")


@dataclass(frozen=True)
class Dynamic:
    """A value whose type travels with it (attribute of type ``dynamic``)."""

    type: Any
    value: Any


def parse_type(raw: Any) -> Any:
    """Parse a cty type from its JSON form (already decoded or as bytes/str)."""
    if isinstance(raw, (bytes, bytearray)):
        raw = json.loads(raw)
    elif isinstance(raw, str) and raw.startswith(("[", '"')):
        raw = json.loads(raw)
    if isinstance(raw, str):
        if raw not in PRIMITIVES:
            raise ValueError(f"unknown cty type {raw!r}")
        return raw
    if isinstance(raw, (list, tuple)) and raw:
        kind = raw[0]
        if kind in ("list", "set", "map") and len(raw) == 2:
            return (kind, parse_type(raw[1]))
        if kind == "object" and len(raw) in (2, 3):
            return ("object", {k: parse_type(v) for k, v in raw[1].items()})
        if kind == "tuple" and len(raw) == 2:
            return ("tuple", tuple(parse_type(t) for t in raw[1]))
    raise ValueError(f"unknown cty type {raw!r}")


def type_json(ty: Any) -> Any:
    """The JSON-ready form of a parsed type."""
    if isinstance(ty, str):
        return ty
    kind = ty[0]
    if kind in ("list", "set", "map"):
        return [kind, type_json(ty[1])]
    if kind == "object":
        return ["object", {k: type_json(v) for k, v in ty[1].items()}]
    if kind == "tuple":
        return ["tuple", [type_json(t) for t in ty[1]]]
    raise ValueError(f"unknown cty type {ty!r}")


def implied_type(value: Any) -> Any:
    """A type for a plain Python value put into a dynamic attribute."""
    if isinstance(value, Dynamic):
        return value.type
    if value is None or value is UNKNOWN:
        return "dynamic"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return ("object", {k: implied_type(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return ("tuple", tuple(implied_type(v) for v in value))
    raise TypeError(f"no cty type for {type(value).__name__}")


# --------------------------------------------------------------------------
# msgpack


def _ext_hook(code: int, data: bytes) -> Any:
    if code in _UNKNOWN_EXT_CODES:
        return UNKNOWN
    return msgpack.ExtType(code, data)


def decode(data: bytes, ty: Any) -> Any:
    """Decode a msgpack DynamicValue of type ``ty``."""
    if not data:
        return None
    raw = msgpack.unpackb(data, raw=False, ext_hook=_ext_hook, strict_map_key=False)
    return _from_raw(raw, ty)


def _number(raw: Any) -> Any:
    if isinstance(raw, bool):
        raise ValueError("bool given where a number is expected")
    if isinstance(raw, (int, float)):
        return raw
    if isinstance(raw, (str, bytes)):
        text = raw.decode() if isinstance(raw, bytes) else raw
        try:
            return int(text)
        except ValueError:
            return float(text)
    raise ValueError(f"bad number {raw!r}")


def _from_raw(raw: Any, ty: Any) -> Any:
    if raw is UNKNOWN or raw is None:
        return raw
    if ty == "dynamic":
        type_bytes, inner = raw
        inner_ty = parse_type(type_bytes)
        return Dynamic(inner_ty, _from_raw(inner, inner_ty))
    if ty == "string":
        return raw.decode() if isinstance(raw, bytes) else raw
    if ty == "number":
        return _number(raw)
    if ty == "bool":
        return bool(raw)
    kind = ty[0]
    if kind in ("list", "set"):
        return [_from_raw(v, ty[1]) for v in raw]
    if kind == "map":
        return {k: _from_raw(v, ty[1]) for k, v in raw.items()}
    if kind == "object":
        attrs = ty[1]
        return {k: _from_raw(raw.get(k), t) for k, t in attrs.items()}
    if kind == "tuple":
        return [_from_raw(v, t) for v, t in zip(raw, ty[1])]
    raise ValueError(f"unknown cty type {ty!r}")


def encode(value: Any, ty: Any) -> bytes:
    """Encode ``value`` of type ``ty`` as a msgpack DynamicValue."""
    return msgpack.packb(_to_raw(value, ty), use_bin_type=True)


def _to_raw(value: Any, ty: Any) -> Any:
    if value is UNKNOWN:
        return _UNKNOWN_EXT
    if value is None:
        return None
    if ty == "dynamic":
        if not isinstance(value, Dynamic):
            value = Dynamic(implied_type(value), value)
        if value.value is UNKNOWN:
            return _UNKNOWN_EXT
        if value.value is None:
            return None
        inner_ty = value.type
        return [json.dumps(type_json(inner_ty), separators=(",", ":")).encode(), _to_raw(value.value, inner_ty)]
    if isinstance(value, Dynamic):
        value = value.value
    if ty == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    if ty == "number":
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            return int(value)
        return value
    if ty == "bool":
        return bool(value)
    kind = ty[0]
    if kind in ("list", "set"):
        return [_to_raw(v, ty[1]) for v in value]
    if kind == "map":
        return {k: _to_raw(v, ty[1]) for k, v in value.items()}
    if kind == "object":
        return {k: _to_raw(value.get(k), t) for k, t in ty[1].items()}
    if kind == "tuple":
        return [_to_raw(v, t) for v, t in zip(value, ty[1])]
    raise ValueError(f"unknown cty type {ty!r}")


def from_json(raw: Any, ty: Any) -> Any:
    """Convert JSON state (as stored in a state file) into a value of ``ty``."""
    if raw is None:
        return None
    if ty == "dynamic":
        return Dynamic(implied_type(raw), raw)
    if ty == "string":
        return raw if isinstance(raw, str) else json.dumps(raw)
    if ty == "number":
        return _number(raw)
    if ty == "bool":
        return bool(raw)
    kind = ty[0]
    if kind in ("list", "set"):
        return [from_json(v, ty[1]) for v in raw]
    if kind == "map":
        return {k: from_json(v, ty[1]) for k, v in raw.items()}
    if kind == "object":
        return {k: from_json(raw.get(k), t) for k, t in ty[1].items()}
    if kind == "tuple":
        return [from_json(v, t) for v, t in zip(raw, ty[1])]
    raise ValueError(f"unknown cty type {ty!r}")
