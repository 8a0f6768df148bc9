"""Durations and sizes as blueprint users write them."""

from __future__ import annotations

import re

from .findings import shown

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)?\s*\Z")
_DURATION_FACTORS = {None: 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_SIZE = re.compile(r"^\s*(\d+)\s*(B|KiB|MiB|GiB|TiB)?\s*\Z")
_SIZE_FACTORS = {None: 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def parse_duration(value: object) -> int:
    """Seconds from `30`, `"90s"`, `"5m"`, `"2h"`, `"14d"`."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 30, 90s, 5m, 2h or 14d, got {shown(value)}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a duration cannot be negative, got {value}")
        return value
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return int(match.group(1)) * _DURATION_FACTORS[match.group(2)]
    raise ValueError(f"expected a duration such as 30, 90s, 5m, 2h or 14d, got {shown(value)}")


def parse_size(value: object, unit: int = 1) -> int:
    """A size in the field's own unit (`unit` bytes) from an integer or `64MiB`, `1GiB`."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size such as 512, 64MiB or 1GiB, got {shown(value)}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a size cannot be negative, got {value}")
        return value
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match:
            if match.group(2) is None:
                return int(match.group(1))
            total = int(match.group(1)) * _SIZE_FACTORS[match.group(2)]
            if total % unit:
                raise ValueError(f"{shown(value)} is not a whole number of the field's unit ({unit} bytes)")
            return total // unit
    raise ValueError(f"expected a size such as 512, 64MiB or 1GiB, got {shown(value)}")


def human_duration(seconds: int) -> str:
    """The shortest exact spelling of a duration, for messages."""
    for suffix, factor in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % factor == 0:
            return f"{seconds // factor}{suffix}"
    return f"{seconds}s"
