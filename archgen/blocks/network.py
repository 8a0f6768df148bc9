"""Building block: the network a cluster stands on.

A new VPC (the default) in one Availability Zone: a public subnet (internet
gateway, NAT gateway) and a private subnet that reaches the internet through the
NAT gateway, an S3 gateway endpoint on both route tables, flow logs, the default
security group closed, an alarm on the NAT gateway's port allocation errors, and
one security group that allows all traffic within itself (EFA requires it) and
all outbound traffic. Or an existing network: subnet and security group ids as
given, used as they are.

Fields, rules (AG85x), names and limits live here; the Terraform lives in
templates/_blocks/network.tf.j2.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Iterator

from ..modeling import Field

from ..findings import shown
from ..model import Strict
from ..names import SECURITY_GROUP, AwsName
from ..rules import Context, Violation, default, limit, rule
from .function import IAM_ROLE, LOG_GROUP


VPC_CIDR_URL = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"
# A VPC's block is /16 to /28; archgen cuts it in a private half and a public quarter, and a
# subnet is at least a /28 too: the VPC's block is therefore /16 to /26.
VPC_PREFIX = limit("network_vpc_prefix", 16, 26, "", VPC_CIDR_URL)
DEFAULT_CIDR = default("network_cidr", "10.0.0.0/16")
DEFAULT_FLOW_LOG_RETENTION_DAYS = default("network_flow_log_retention_days", 365)

SUBNET_ID = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})\Z")
SECURITY_GROUP_ID = re.compile(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})\Z")
ZONE_NAME = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d[a-z]\Z")
IDS_URL = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html"


class Network(Strict):
    """`{create: true, cidr: 10.0.0.0/16}` (a new VPC, the default) or `{subnet_ids: [...], security_group_ids: [...]}`."""

    create: bool | None = Field(None, description="build a new VPC (the default without subnet_ids)")
    cidr: str | None = Field(None, description="IPv4 block of the new VPC, /16 to /26 (default 10.0.0.0/16)")
    availability_zone: str | None = Field(
        None, description="zone of the new VPC's subnets, e.g. eu-west-1a (default: the first zone that offers every instance type)"
    )
    subnet_ids: list[str] = Field(default_factory=list, description="existing subnets (instead of a new VPC)")
    security_group_ids: list[str] = Field(default_factory=list, description="existing security groups (with subnet_ids)")

    @property
    def new(self) -> bool:
        return self.create is not False and not self.subnet_ids

    @property
    def vpc_cidr(self) -> str:
        return self.cidr or DEFAULT_CIDR


# --- rules ---------------------------------------------------------------------


@rule("AG850", "a network is either new (create, cidr, availability_zone) or existing (subnet_ids with security_group_ids)", "https://docs.aws.amazon.com/vpc/latest/userguide/configure-your-vpc.html", part=Network)
def one_kind(n: Network, ctx: Context) -> Iterator[Violation]:
    existing = bool(n.subnet_ids or n.security_group_ids)
    if n.create and existing:
        yield Violation(("create",), "create: true builds a new VPC: remove it, or remove subnet_ids and security_group_ids")
    elif existing:
        for name in ("cidr", "availability_zone"):
            if getattr(n, name) is not None:
                yield Violation((name,), f"`{name}` applies to a new VPC; an existing network is given by subnet_ids and security_group_ids")
        if not n.subnet_ids:
            yield Violation(("subnet_ids",), "an existing network needs its subnet_ids")
        if not n.security_group_ids:
            yield Violation(("security_group_ids",), "an existing network needs security_group_ids (one must allow all traffic within itself)")
    elif n.create is False:
        yield Violation(("create",), "create: false needs subnet_ids and security_group_ids of an existing network")


@rule("AG851", "a new VPC's block is an IPv4 network of /16 to /26", VPC_CIDR_URL, part=Network)
def cidr_valid(n: Network, ctx: Context) -> Iterator[Violation]:
    if n.cidr is None:
        return
    try:
        net = ipaddress.IPv4Network(n.cidr, strict=True)
    except ValueError:
        yield Violation(("cidr",), f"an IPv4 network such as 10.0.0.0/16 (host bits zero), got {shown(n.cidr)}")
        return
    if "/" not in n.cidr:
        yield Violation(("cidr",), f"give the prefix length too, e.g. {n.cidr}/16")
    elif not VPC_PREFIX.contains(net.prefixlen):
        yield Violation(
            ("cidr",),
            f"a /{net.prefixlen} block: a VPC is /16 to /28, and archgen's two subnets (a /{VPC_PREFIX.high + 1} and a /{VPC_PREFIX.high + 2} at the least) need /{VPC_PREFIX.low} to /{VPC_PREFIX.high}",
        )


@rule("AG852", "subnet, security group and zone ids are well formed and not repeated", IDS_URL, part=Network)
def ids_valid(n: Network, ctx: Context) -> Iterator[Violation]:
    for field, pattern, example in (("subnet_ids", SUBNET_ID, "subnet-0123456789abcdef0"), ("security_group_ids", SECURITY_GROUP_ID, "sg-0123456789abcdef0")):
        seen: set[str] = set()
        for i, value in enumerate(getattr(n, field)):
            if not pattern.match(value):
                yield Violation((field, i), f"an id such as {example}, got {shown(value)}")
            elif value in seen:
                yield Violation((field, i), f"{value} is listed twice")
            seen.add(value)
    if n.availability_zone is not None:
        if not ZONE_NAME.match(n.availability_zone):
            yield Violation(("availability_zone",), f"a zone name such as {ctx.region}a, got {shown(n.availability_zone)}")
        elif not n.availability_zone.startswith(ctx.region):
            yield Violation(("availability_zone",), f"{n.availability_zone} is not a zone of the blueprint's Region {ctx.region}")


# --- names and inputs ------------------------------------------------------------


def flow_log_role_name(base: str, region: str) -> str:
    return f"{base}-flow-logs-{region}"


def security_group_name(base: str) -> str:
    return f"{base}-cluster"


def names(base: str, n: Network, region: str, path: tuple) -> list[AwsName]:
    if not n.new:
        return []
    return [
        AwsName(SECURITY_GROUP, security_group_name(base), path),
        AwsName(IAM_ROLE, flow_log_role_name(base, region), path),
        AwsName(LOG_GROUP, flow_log_group_name(base), path),
    ]


def flow_log_group_name(base: str) -> str:
    return f"/aws/vpc/{base}/flow-logs"


def inputs(base: str, n: Network, region: str, instance_types: list[str]) -> dict:
    """The modules' `network` object."""
    if not n.new:
        return {"create": False, "subnet_ids": list(n.subnet_ids), "security_group_ids": list(n.security_group_ids)}
    data: dict = {
        "create": True,
        "name": base,
        "security_group_name": security_group_name(base),
        "flow_log_role_name": flow_log_role_name(base, region),
        "flow_log_group_name": flow_log_group_name(base),
        "nat_alarm_name": f"{base}-nat-port-allocation",
        "instance_types": sorted(set(instance_types)),
    }
    if n.vpc_cidr != DEFAULT_CIDR:
        data["cidr"] = n.vpc_cidr
    if n.availability_zone is not None:
        data["availability_zone"] = n.availability_zone
    return data


def describe(base: str, n: Network) -> str:
    if not n.new:
        return f"the existing subnets {', '.join(n.subnet_ids)} with the security groups {', '.join(n.security_group_ids)}"
    zone = n.availability_zone or "the first zone that offers every instance type"
    return (
        f"VPC `{base}` ({n.vpc_cidr}) in {zone}: a public subnet with a NAT gateway, a private subnet, an S3 gateway endpoint, "
        f"flow logs, the default security group closed, and security group `{security_group_name(base)}` that allows all traffic "
        "within itself (EFA needs it); an alarm on NAT gateway port allocation errors"
    )
