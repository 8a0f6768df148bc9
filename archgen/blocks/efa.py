"""Which instance types support an Elastic Fabric Adapter: a list kept as data
(archgen/data/efa-instance-types.txt), with the AWS page it comes from in its header.
EC2 has the authoritative answer per Region (DescribeInstanceTypes, network-info.efa-supported);
archgen checks offline, so a type AWS added after the list was taken must be added there."""

from __future__ import annotations

import functools
import re
from pathlib import Path

URL = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa.html#efa-instance-types"
DATA = Path(__file__).resolve().parent.parent / "data" / "efa-instance-types.txt"
INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+\Z")


@functools.cache
def capable() -> frozenset[str]:
    lines = DATA.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def supports_efa(instance_type: str) -> bool:
    return instance_type in capable()


def problem(instance_type: str) -> str | None:
    """Why `instance_type` cannot have an EFA, or None."""
    if supports_efa(instance_type):
        return None
    return (
        f"{instance_type} does not support EFA (AWS EC2 User Guide, Supported instance types; archgen/data/efa-instance-types.txt): "
        "choose an EFA-capable type such as c5n.18xlarge or hpc6a.48xlarge, or set efa: false"
    )
