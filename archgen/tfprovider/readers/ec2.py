"""EC2 data sources the network block reads: which zones offer an instance type."""

from __future__ import annotations

from typing import Any

ZONES = "abc"


def _instance_type_offerings(cfg: dict[str, Any], ctx) -> dict[str, Any]:
    """Every zone a to c offers every instance type the filters name (a region for location_type region)."""
    location_type = cfg.get("location_type") or "region"
    types: list[str] = []
    for f in cfg.get("filter") or []:
        if f.get("name") == "instance-type":
            types += list(f.get("values") or [])
    locations = [ctx.region] if location_type == "region" else [f"{ctx.region}{z}" for z in ZONES]
    if location_type == "availability-zone-id":
        locations = [f"{ctx.region[:2]}{ctx.region.split('-')[1][:1]}{ctx.region[-1]}-az{i}" for i in range(1, len(ZONES) + 1)]
    pairs = [(t, loc) for t in types or ["t3.micro"] for loc in locations]
    return {
        "id": ctx.region,
        "instance_types": [t for t, _ in pairs],
        "locations": [loc for _, loc in pairs],
        "location_types": [location_type for _ in pairs],
    }


READERS = {"aws_ec2_instance_type_offerings": _instance_type_offerings}
