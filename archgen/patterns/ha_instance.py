"""ha-instance: one EC2 instance reachable at one Elastic IP through an instance failure.

Three strategies, one module template each (the template branches on `m.strategy`):

* `standby`: a primary and a standby instance (in two subnets, ideally two Availability
  Zones), the Elastic IP on the primary, a CloudWatch alarm on the primary's status checks,
  an EventBridge rule on that alarm's state change and a Lambda function (files/failover.py)
  that starts the standby and moves the Elastic IP to it.
* `asg-eip`: an Auto Scaling group of exactly one instance across subnets in two
  Availability Zones or more; the instance associates the Elastic IP (found by its tag) at
  boot (files/attach-eip.sh, user data).
* `asg-ebs`: `asg-eip` plus a data volume that outlives the instances: lifecycle hooks on
  launch and terminate, EventBridge rules and a Lambda function (files/lifecycle.py) that
  snapshots the volume on terminate and attaches it (or a copy in the new instance's zone) on
  launch; the instance mounts it (files/data-volume.sh) before it takes the Elastic IP.

Subnets are given as `{id, az}` pairs so that the two-zone rule is checked offline; the
module reads each subnet with `data "aws_subnet"` filtered by both the id and the declared
zone, so a wrong `az` fails the plan instead of silently weakening the design.

The handler files and scripts are copied unchanged into the module folder
(`functions/<key>/` and `user-data/`); the function settings of the handlers are archgen's.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Iterator, Literal

from ..modeling import Field

from ..blocks import function
from ..blocks.function import Function
from ..blocks.iam import BOUNDARY
from ..findings import shown
from ..model import ComponentBase, Duration, Int, SizeGiB, Strict
from ..names import ALARM, AUTOSCALING_GROUP, EVENT_RULE, INSTANCE_PROFILE, LAUNCH_TEMPLATE, SECURITY_GROUP, AwsName
from ..resources import templates_dir
from ..rules import Context, Violation, default, limit, rule
from ..units import human_duration
from . import BuildContext, Edge, Module, Node, Pattern

# --- names -----------------------------------------------------------------------------
# Keys carry the pattern's name so that they never clash with a building block that defines
# the same AWS namespace later; collisions (AG010) are found by `what`, across patterns.


# The tag that marks what belongs to one component: its Elastic IP (attach-eip.sh finds it by
# this tag), its instances (IAM conditions), and, for asg-ebs, its data volume and snapshots
# (lifecycle.py and data-volume.sh find them by it). Root volumes never carry it.
COMPONENT_TAG = "archgen:component"
FILES = "ha-instance/files"
PYTHON = "python3.13"

# --- limits and defaults (AWS documentation) ---------------------------------------------

HOOK_URL = "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html"
HEARTBEAT = limit("ha_lifecycle_heartbeat", 30, 7200, "seconds", HOOK_URL)
ALARM_URL = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
# a 60 s period: evaluation periods x period <= 1 day for periods under an hour
FAILOVER_PERIODS = limit("ha_failover_periods", 1, 1440, "", ALARM_URL)
SNAPSHOTS_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-snapshots.html"
SNAPSHOTS_TO_KEEP = limit("ha_snapshots_to_keep", 1, None, "", SNAPSHOTS_URL)
VOLUME_URL = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html"
ROOT_SIZE = limit("ha_root_volume_size", 1, 65536, "GiB", VOLUME_URL)  # the root volume is gp3
USER_DATA_URL = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html"
USER_DATA_BYTES = 16 * 1024
DEVICE_URL = "https://docs.aws.amazon.com/ebs/latest/userguide/device_naming.html"
TYPES_URL = "https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html"
SSM_AMI_URL = "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters-ami.html"
SUBNET_URL = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-availability-zone-balanced.html"
SG_RULE_URL = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html"
EIP_URL = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateAddress.html"
EIP_GUIDE_URL = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html"

DEFAULT_HEARTBEAT = default("ha_lifecycle_heartbeat", 900)
DEFAULT_RESULT = default("ha_lifecycle_default_result", "ABANDON")
DEFAULT_SNAPSHOTS = default("ha_snapshots_to_keep", 3)
DEFAULT_FAILOVER_AFTER = 120  # two minutes of failed status checks
DEFAULT_DEVICE = "/dev/sdf"
DEFAULT_MOUNT = "/data"

# EBS volume types a data volume may have: size (GiB), IOPS and throughput (MiB/s) ranges,
# the IOPS each GiB may carry, the throughput each IOPS may carry (CreateVolume).
VOLUME_TYPES: dict[str, dict] = {
    "gp3": {"size": (1, 65536), "iops": (3000, 80000), "iops_per_gib": 500, "throughput": (125, 2000), "mib_per_iops": 0.25},
    "gp2": {"size": (1, 16384)},
    "io1": {"size": (4, 16384), "iops": (100, 64000), "iops_per_gib": 50, "iops_required": True},
    "io2": {"size": (4, 65536), "iops": (100, 256000), "iops_per_gib": 1000, "iops_required": True},
    "st1": {"size": (125, 16384)},
    "sc1": {"size": (125, 16384)},
}
# The same table for the module's validation blocks: {type = [min, max]}.
default("ha_volume_sizes", {k: list(v["size"]) for k, v in VOLUME_TYPES.items()})

# Lambda settings archgen fixes for the handlers it ships.
FAILOVER_TIMEOUT = 600  # two waits of (timeout - 60) / 2 each (the module derives WAIT_SECONDS)
SAFETY_SECONDS = 30  # lifecycle.py keeps 15 s for CompleteLifecycleAction; the module's WAIT_SECONDS = timeout - 30


def lifecycle_timeout(heartbeat: int) -> int:
    """The lifecycle function's timeout: below the hook's heartbeat (so that the function
    completes the action itself, or fails and lets the hook's default result apply), leaving
    a tenth of it (5 s at least) for EventBridge's delivery and the cold start."""
    return min(function.TIMEOUT.high, heartbeat - max(5, heartbeat // 10))


# --- the model ---------------------------------------------------------------------------

INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+\Z")
AMI_ID = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})\Z")
SSM_NAME = re.compile(r"^/?[a-zA-Z0-9_.\-/]{1,2048}\Z")
SUBNET_ID = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})\Z")
SG_ID = re.compile(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})\Z")
PREFIX_LIST_ID = re.compile(r"^pl-([0-9a-f]{8}|[0-9a-f]{17})\Z")
ALLOCATION_ID = re.compile(r"^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})\Z")
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html (Description)
SG_DESCRIPTION = re.compile(r"^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]{0,255}\Z")
DEVICE = re.compile(r"^/dev/sd[f-p]\Z")
MOUNT = re.compile(r"^/[A-Za-z0-9._/-]*[A-Za-z0-9._-]\Z")
# Mounting over these would hide what the system needs (exactly these folders), or lives
# inside a tree the system owns (these and anything below them).
SYSTEM_DIRS = ("/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr", "/var")
SYSTEM_TREES = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/run", "/sbin", "/sys", "/usr")
# arm64 families: Graviton (a1, and families with `g` right after the generation digit: t4g,
# m7g, c7gn, r8gd, x2gd, im4gn, hpc7g, g5g ...) and Apple silicon Macs (mac2, mac2-m2pro ...).
ARM_TYPE = re.compile(r"^(a1|mac2(-[a-z0-9]+)?|mac-m\d+[a-z]*|[a-z]+\d+g[a-z]*(-[a-z]+)?)\.")


class Instance(Strict):
    """The instance: its type, AMI and what runs on it."""

    type: str = Field(description="EC2 instance type, e.g. t3.small")
    ami: str | None = Field(None, description="AMI id, e.g. ami-0123456789abcdef0 (or ami_ssm_parameter)")
    ami_ssm_parameter: str | None = Field(
        None, description="SSM parameter holding the AMI id, e.g. /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    )
    key_name: str | None = Field(None, description="name of an existing EC2 key pair (default: none; use Session Manager)")
    root_volume_size: SizeGiB | None = Field(None, description="GiB of the encrypted gp3 root volume (default: the AMI's)")
    public_ip: bool = Field(False, description="give the instance an auto-assigned public IPv4 address besides the Elastic IP")
    policy_arns: list[str] = Field(default_factory=list, description="managed policies for the instance role, e.g. AmazonSSMManagedInstanceCore")
    user_data: str | None = Field(
        None, description="a script next to the blueprint, run as root at first boot (asg: after the data volume is mounted, before the Elastic IP is taken)"
    )


class Subnet(Strict):
    """A subnet and its Availability Zone (checked against AWS at plan time)."""

    id: str = Field(description="subnet id, e.g. subnet-0123456789abcdef0")
    az: str = Field(description="its Availability Zone, e.g. eu-west-1a")


class Eip(Strict):
    """`{create: true}` (the default: a new address) or `{existing: ALLOCATION_ID}`."""

    create: bool | None = Field(None, description="allocate a new Elastic IP (the default)")
    existing: str | None = Field(None, description="allocation id of an Elastic IP you own, e.g. eipalloc-0123456789abcdef0 (asg strategies)")


class TrafficRule(Strict):
    protocol: Literal["tcp", "udp", "icmp", "icmpv6", "all"] = "tcp"
    port: Int | None = Field(None, description="port (tcp, udp), or the first of a range")
    to_port: Int | None = Field(None, description="last port of a range (default: port)")
    description: str | None = Field(None, description="shown on the security group rule")


class Ingress(TrafficRule):
    """Traffic the instance accepts."""

    sources: list[str] = Field(min_length=1, description="IPv4 or IPv6 CIDRs, security group ids (sg-...) or prefix list ids (pl-...)")


class Egress(TrafficRule):
    """Traffic the instance may send."""

    destinations: list[str] = Field(min_length=1, description="IPv4 or IPv6 CIDRs, security group ids (sg-...) or prefix list ids (pl-...)")


def _default_egress() -> list[Egress]:
    return [Egress(protocol="tcp", port=443, destinations=["0.0.0.0/0", "::/0"], description="HTTPS to AWS APIs and package repositories")]


class DataVolume(Strict):
    """asg-ebs: the EBS volume that outlives the instances."""

    size: SizeGiB = Field(description="GiB of a new volume (a volume restored from a larger snapshot keeps the snapshot's size)")
    mount: str = Field(DEFAULT_MOUNT, description="mount point, an absolute path (default /data)")
    device: str = Field(DEFAULT_DEVICE, description="device name the volume is attached at, /dev/sdf to /dev/sdp")
    type: Literal["gp3", "gp2", "io1", "io2", "st1", "sc1"] = "gp3"
    iops: Int | None = Field(None, description="provisioned IOPS (gp3, io1, io2)")
    throughput: Int | None = Field(None, description="provisioned MiB/s (gp3)")
    fs_type: Literal["xfs", "ext4"] = Field("xfs", description="filesystem made on a new, blank volume")
    snapshots_to_keep: Int = Field(DEFAULT_SNAPSHOTS, description="completed snapshots kept (at least 1)")


class Lifecycle(Strict):
    """asg-ebs: the lifecycle hooks on launch and terminate."""

    heartbeat: Duration = Field(DEFAULT_HEARTBEAT, description="longest time an instance waits for its data volume step (30s..2h)")
    default_result: Literal["ABANDON", "CONTINUE"] = Field(
        DEFAULT_RESULT, description="when a step fails or times out: ABANDON (a launching instance is replaced) or CONTINUE"
    )


class Failover(Strict):
    """standby: when and to what the Elastic IP moves."""

    after: Duration = Field(DEFAULT_FAILOVER_AFTER, description="how long the primary's status checks fail before failover (whole minutes, 1m..1d)")
    standby: Literal["stopped", "running"] = Field("stopped", description="the standby waits stopped (cheaper) or running (faster)")


class HaInstance(ComponentBase):
    pattern: Literal["ha-instance"]
    strategy: Literal["standby", "asg-eip", "asg-ebs"] = Field(
        description="standby: a stopped (or running) standby takes the Elastic IP when the primary fails its status checks; "
        "asg-eip: an Auto Scaling group of one whose instance takes the Elastic IP at boot; asg-ebs: asg-eip with a data volume that outlives the instances"
    )
    instance: Instance = Field(description="the instance: type, AMI, and what runs on it")
    subnets: list[Subnet] = Field(min_length=1, description="standby: the primary's subnet, then the standby's; asg: two Availability Zones or more")
    eip: Eip = Field(default_factory=Eip, description="the Elastic IP: {create: true} (the default) or {existing: ALLOCATION_ID} (asg strategies)")
    security_group_ids: list[str] = Field(default_factory=list, description="existing security groups to attach besides the component's own")
    ingress: list[Ingress] = Field(default_factory=list, description="traffic the component's security group lets in (default: none)")
    egress: list[Egress] = Field(default_factory=_default_egress, description="traffic it lets out (default: HTTPS anywhere)")
    data_volume: DataVolume | None = Field(None, description="asg-ebs: the data volume")
    lifecycle: Lifecycle | None = Field(None, description="asg-ebs: lifecycle hook settings")
    failover: Failover | None = Field(None, description="standby: failover settings")

    @property
    def asg(self) -> bool:
        return self.strategy != "standby"


# --- rules ---------------------------------------------------------------------------------


@rule("AG700", "an instance type is family.size, e.g. t3.small", TYPES_URL, part=Instance)
def instance_type_valid(i: Instance, ctx: Context) -> Iterator[Violation]:
    if not INSTANCE_TYPE.fullmatch(i.type):
        yield Violation(("type",), f"an instance type such as t3.small or m7g.large, got {shown(i.type)}")


@rule("AG701", "the instance has exactly one AMI source: ami or ami_ssm_parameter", SSM_AMI_URL, part=Instance)
def one_ami(i: Instance, ctx: Context) -> Iterator[Violation]:
    if (i.ami is None) == (i.ami_ssm_parameter is None):
        yield Violation((), "give exactly one of `ami` (an AMI id) and `ami_ssm_parameter` (e.g. /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64)")


@rule("AG702", "AMI ids and SSM parameter names are well formed", "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html", part=Instance)
def ami_valid(i: Instance, ctx: Context) -> Iterator[Violation]:
    if i.ami is not None and not AMI_ID.fullmatch(i.ami):
        yield Violation(("ami",), f"an AMI id such as ami-0123456789abcdef0, got {shown(i.ami)}")
    name = i.ami_ssm_parameter
    if name is not None:
        if name.startswith("resolve:ssm:"):
            yield Violation(("ami_ssm_parameter",), f"give the parameter name without resolve:ssm:, e.g. {name[len('resolve:ssm:'):]}")
        elif not SSM_NAME.fullmatch(name) or "//" in name or name.endswith("/"):
            yield Violation(("ami_ssm_parameter",), f"a parameter name of letters, digits, . _ - and / (at most 2048 characters), got {shown(name)}")


@rule("AG703", "an AMI parameter named for an architecture matches the instance type's", TYPES_URL, part=Instance)
def architecture_matches(i: Instance, ctx: Context) -> Iterator[Violation]:
    """AWS's public AMI parameters name their architecture (arm64, x86_64); Graviton
    instance types (a1, t4g, m7g, c7gn ...) run arm64 only, the others x86_64."""
    name = (i.ami_ssm_parameter or "").lower()
    if not name or not INSTANCE_TYPE.fullmatch(i.type):
        return
    wants = "arm64" if ARM_TYPE.match(i.type) else "x86_64"
    for arch in ("arm64", "x86_64"):
        if arch in name and arch != wants:
            yield Violation(("ami_ssm_parameter",), f"the parameter names an {arch} AMI, but {i.type} runs {wants} AMIs")


@rule("AG704", "subnets are {id, az} pairs: well formed, listed once, zones of the blueprint's Region", "https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html", part=HaInstance)
def subnets_valid(c: HaInstance, ctx: Context) -> Iterator[Violation]:
    zone = re.compile(rf"^{re.escape(ctx.region)}[a-z]\Z")
    seen: set[str] = set()
    for n, s in enumerate(c.subnets):
        if not SUBNET_ID.fullmatch(s.id):
            yield Violation(("subnets", n, "id"), f"a subnet id such as subnet-0123456789abcdef0, got {shown(s.id)}")
        elif s.id in seen:
            yield Violation(("subnets", n, "id"), f"{s.id} is listed twice")
        seen.add(s.id)
        if not zone.fullmatch(s.az):
            yield Violation(("subnets", n, "az"), f"an Availability Zone of {ctx.region} such as {ctx.region}a, got {shown(s.az)}")


@rule("AG705", "the asg strategies need subnets in two Availability Zones or more", SUBNET_URL, part=HaInstance)
def asg_two_zones(c: HaInstance, ctx: Context) -> Iterator[Violation]:
    """With one zone, the group has nowhere to launch a replacement when that zone fails."""
    if c.asg and len({s.az for s in c.subnets}) < 2:
        zones = sorted({s.az for s in c.subnets})
        yield Violation(("subnets",), f"the {c.strategy} strategy needs subnets in two Availability Zones or more; these are all in {', '.join(zones)}")


@rule("AG706", "the standby strategy takes one or two subnets: the primary's, then the standby's", EIP_GUIDE_URL, part=HaInstance)
def standby_subnets(c: HaInstance, ctx: Context) -> Iterator[Violation]:
    if c.strategy == "standby" and len(c.subnets) > 2:
        yield Violation(("subnets",), f"the standby strategy places two instances: give the primary's subnet and the standby's, not {len(c.subnets)}")


@rule("AG707", "the standby is in another Availability Zone than the primary", "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html", part=HaInstance, severity="warning")
def standby_other_zone(c: HaInstance, ctx: Context) -> Iterator[Violation]:
    if c.strategy == "standby" and len(c.subnets) <= 2 and len({s.az for s in c.subnets}) < 2:
        yield Violation(("subnets",), "the primary and the standby share an Availability Zone: a zone failure stops both; give the standby a subnet in another zone")


@rule("AG708", "a lifecycle hook's heartbeat is 30 s..2 h", HOOK_URL, part=Lifecycle)
def heartbeat_in_range(lc: Lifecycle, ctx: Context) -> Iterator[Violation]:
    yield from HEARTBEAT.check(lc.heartbeat, ("heartbeat",))


@rule("AG709", "settings fit the strategy: data_volume and lifecycle with asg-ebs, failover with standby", "https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html", part=HaInstance)
def fields_fit_strategy(c: HaInstance, ctx: Context) -> Iterator[Violation]:
    if c.strategy == "asg-ebs" and c.data_volume is None:
        yield Violation((), "the asg-ebs strategy keeps a data volume: give data_volume: {size: ..., mount: /data}")
    for name, strategy in (("data_volume", "asg-ebs"), ("lifecycle", "asg-ebs"), ("failover", "standby")):
        if getattr(c, name) is not None and c.strategy != strategy:
            yield Violation((name,), f"`{name}` applies to the {strategy} strategy, not {c.strategy}", at_key=True)


@rule("AG710", "the data volume's device is /dev/sdf../dev/sdp and its mount point an absolute path outside the system's folders", DEVICE_URL, part=DataVolume)
def device_and_mount_valid(v: DataVolume, ctx: Context) -> Iterator[Violation]:
    if not DEVICE.fullmatch(v.device):
        yield Violation(("device",), f"EBS data volumes take /dev/sdf to /dev/sdp, got {shown(v.device)}")
    mount = v.mount
    if not MOUNT.fullmatch(mount) or "//" in mount or "/./" in mount or "/../" in mount or mount.endswith(("/.", "/..")):
        yield Violation(("mount",), f"an absolute path of letters, digits and . _ - / (not /), such as /data, got {shown(mount)}")
    elif mount in SYSTEM_DIRS or any(mount.startswith(d + "/") for d in SYSTEM_TREES):
        yield Violation(("mount",), f"{mount} is inside a folder the operating system owns; use a path such as /data or /srv/app")


@rule("AG711", "the data volume's size fits its volume type", VOLUME_URL, part=DataVolume)
def volume_size_fits(v: DataVolume, ctx: Context) -> Iterator[Violation]:
    low, high = VOLUME_TYPES[v.type]["size"]
    if not low <= v.size <= high:
        yield Violation(("size",), f"a {v.type} volume is {low} to {high} GiB, got {v.size} GiB")


@rule("AG712", "the data volume's IOPS and throughput fit its type and size", VOLUME_URL, part=DataVolume)
def volume_performance_fits(v: DataVolume, ctx: Context) -> Iterator[Violation]:
    spec = VOLUME_TYPES[v.type]
    if v.iops is None:
        if spec.get("iops_required"):
            yield Violation((), f"a {v.type} volume needs provisioned iops")
    elif "iops" not in spec:
        yield Violation(("iops",), f"a {v.type} volume takes no provisioned IOPS (gp3, io1 and io2 do)")
    else:
        low, high = spec["iops"]
        if not low <= v.iops <= high:
            yield Violation(("iops",), f"a {v.type} volume takes {low} to {high} IOPS, got {v.iops}")
        elif v.iops > spec["iops_per_gib"] * v.size and v.iops > low:
            yield Violation(("iops",), f"a {v.type} volume takes at most {spec['iops_per_gib']} IOPS per GiB: {v.size} GiB take {spec['iops_per_gib'] * v.size} at most")
    if v.throughput is not None:
        if "throughput" not in spec:
            yield Violation(("throughput",), f"a {v.type} volume takes no provisioned throughput (gp3 does)")
        else:
            low, high = spec["throughput"]
            iops = v.iops if v.iops is not None else spec["iops"][0]
            if not low <= v.throughput <= high:
                yield Violation(("throughput",), f"a {v.type} volume takes {low} to {high} MiB/s, got {v.throughput}")
            elif v.throughput > spec["mib_per_iops"] * iops:
                yield Violation(("throughput",), f"a gp3 volume takes at most {spec['mib_per_iops']} MiB/s per IOPS: {iops} IOPS take {int(spec['mib_per_iops'] * iops)} MiB/s at most")


@rule("AG713", "at least one snapshot of the data volume is kept", SNAPSHOTS_URL, part=DataVolume)
def snapshots_kept(v: DataVolume, ctx: Context) -> Iterator[Violation]:
    yield from SNAPSHOTS_TO_KEEP.check(v.snapshots_to_keep, ("snapshots_to_keep",))


@rule("AG714", "the Elastic IP is new or an existing allocation id; the standby strategy needs a new one", EIP_URL, part=HaInstance)
def eip_valid(c: HaInstance, ctx: Context) -> Iterator[Violation]:
    e = c.eip
    if e.existing is not None:
        if e.create:
            yield Violation(("eip",), "give either create: true (a new address) or existing: ALLOCATION_ID, not both")
        elif not ALLOCATION_ID.fullmatch(e.existing):
            yield Violation(("eip", "existing"), f"an allocation id such as eipalloc-0123456789abcdef0, got {shown(e.existing)}")
        elif c.strategy == "standby":
            yield Violation(
                ("eip", "existing"),
                "the standby strategy associates the address through Terraform, which would move it back to the failed primary on the "
                "next apply after a failover: use eip: {create: true}, or an asg strategy with an existing address",
            )
    elif e.create is False:
        yield Violation(("eip", "create"), "an Elastic IP is the point of this pattern: create: true, or existing: ALLOCATION_ID")


@rule("AG715", "security group rules: ports 0..65535 for tcp and udp only, CIDRs or sg-/pl- ids, descriptions EC2 accepts, no repeats", SG_RULE_URL, part=HaInstance)
def traffic_valid(c: HaInstance, ctx: Context) -> Iterator[Violation]:
    for n, sg in enumerate(c.security_group_ids):
        if not SG_ID.fullmatch(sg):
            yield Violation(("security_group_ids", n), f"a security group id such as sg-0123456789abcdef0, got {shown(sg)}")
        elif sg in c.security_group_ids[:n]:
            yield Violation(("security_group_ids", n), f"{sg} is listed twice")
    seen: dict[str, tuple] = {}
    for field, rules in (("ingress", c.ingress), ("egress", c.egress)):
        for n, r in enumerate(rules):
            where = (field, n)
            if r.protocol in ("tcp", "udp"):
                if r.port is None:
                    yield Violation(where, f"a {r.protocol} rule needs a port")
                else:
                    last = r.port if r.to_port is None else r.to_port
                    for name, value in (("port", r.port), ("to_port", r.to_port)):
                        if value is not None and not 0 <= value <= 65535:
                            yield Violation(where + (name,), f"ports are 0 to 65535, got {value}")
                    if last < r.port:
                        yield Violation(where + ("to_port",), f"to_port {last} is below port {r.port}")
            elif r.port is not None or r.to_port is not None:
                yield Violation(where, f"a {r.protocol} rule covers every port (or ICMP type): remove port and to_port")
            if r.description is not None and not SG_DESCRIPTION.fullmatch(r.description):
                yield Violation(where + ("description",), "a rule description is at most 255 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*")
            peers_field = "sources" if field == "ingress" else "destinations"
            for m, peer in enumerate(r.sources if field == "ingress" else r.destinations):
                kind = _peer_kind(peer)
                if kind is None:
                    yield Violation(where + (peers_field, m), f"a CIDR such as 203.0.113.0/24 or 2001:db8::/32, a security group id (sg-...) or a prefix list id (pl-...), got {shown(peer)}")
                    continue
                if kind == "cidr_ipv6" and r.protocol == "icmp" or kind == "cidr_ipv4" and r.protocol == "icmpv6":
                    yield Violation(where + (peers_field, m), f"{r.protocol} does not apply to {peer}")
                key = field + ":" + _rule_key(field, r, peer)
                if key in seen:
                    yield Violation(where + (peers_field, m), f"the same rule is already given at {seen[key][0]}[{seen[key][1]}]")
                seen.setdefault(key, (field, n))


@rule("AG716", "the root volume is 1..65536 GiB", VOLUME_URL, part=Instance)
def root_size_valid(i: Instance, ctx: Context) -> Iterator[Violation]:
    if i.root_volume_size is not None:
        yield from ROOT_SIZE.check(i.root_volume_size, ("root_volume_size",))


@rule("AG717", "user data is a script next to the blueprint, and all of it fits 16 KB", USER_DATA_URL, part=HaInstance)
def user_data_fits(c: HaInstance, ctx: Context) -> Iterator[Violation]:
    where = ("instance", "user_data")
    path = c.instance.user_data
    extra = 0
    if path is not None:
        if os.path.isabs(path) or path.startswith("~"):
            yield Violation(where, f"give a file relative to the blueprint, got the absolute path {shown(path)}")
            return
        file = (ctx.blueprint_dir / path).resolve()
        if not file.is_file():
            yield Violation(where, f"no file {shown(path)} next to the blueprint")
            return
        data = file.read_bytes()
        if PART_END.encode() in data.splitlines():
            yield Violation(where, f"the script has a line {PART_END}, which ends archgen's user data part early")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            yield Violation(where, "user data is a text script (UTF-8)")
            return
        extra = len(data)
    total = user_data_overhead(c) + extra
    if total > USER_DATA_BYTES:
        yield Violation(where if path else (), f"the user data would be about {total} bytes with archgen's steps; EC2 takes 16 KB: move work into the AMI or fetch it at boot")


@rule("AG718", "failover waits whole minutes of failed status checks, 1 min..1 day", ALARM_URL, part=Failover)
def failover_after_valid(f: Failover, ctx: Context) -> Iterator[Violation]:
    if f.after % 60:
        yield Violation(("after",), f"status checks are measured each minute: give whole minutes, got {human_duration(f.after)}")
    else:
        found = FAILOVER_PERIODS.violation(f.after // 60, ("after",))
        if found is not None:
            yield Violation(("after",), f"must be between 1m and 1d, got {human_duration(f.after)}")


@rule("AG719", "key pair names and managed policy ARNs are well formed", "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImportKeyPair.html", part=Instance)
def instance_names_valid(i: Instance, ctx: Context) -> Iterator[Violation]:
    if i.key_name is not None and not (0 < len(i.key_name) <= 255 and i.key_name.isascii() and i.key_name.isprintable()):
        yield Violation(("key_name",), f"a key pair name is 1 to 255 ASCII characters, got {shown(i.key_name)}")
    for n, arn in enumerate(i.policy_arns):
        if not BOUNDARY.match(arn):
            yield Violation(("policy_arns", n), f"a managed policy ARN such as arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore, got {shown(arn)}")
        elif arn in i.policy_arns[:n]:
            yield Violation(("policy_arns", n), f"{arn} is listed twice")


def _peer_kind(peer: str) -> str | None:
    if SG_ID.fullmatch(peer):
        return "referenced_security_group_id"
    if PREFIX_LIST_ID.fullmatch(peer):
        return "prefix_list_id"
    if "/" not in peer:
        return None
    try:
        net = ipaddress.ip_network(peer, strict=True)
    except ValueError:
        return None
    return "cidr_ipv4" if net.version == 4 else "cidr_ipv6"


def _ports(r: TrafficRule) -> tuple[int, int]:
    if r.protocol in ("tcp", "udp") and r.port is not None:
        return r.port, r.port if r.to_port is None else r.to_port
    return -1, -1


def _rule_key(field: str, r: TrafficRule, peer: str) -> str:
    low, high = _ports(r)
    ports = "all" if low < 0 else str(low) if low == high else f"{low}-{high}"
    return f"{r.protocol}-{ports}-{peer}"


# --- user data -------------------------------------------------------------------------------

PART_END = "ARCHGEN_PART_END"  # the wrapper's heredoc delimiter (templates/ha-instance/files/user-data.sh.tftpl)
SCRIPTS = {"standby": (), "asg-eip": ("attach-eip.sh",), "asg-ebs": ("data-volume.sh", "attach-eip.sh")}


def user_data_overhead(c: HaInstance) -> int:
    """Bytes archgen's own user data takes (the wrapper and the scripts, with a margin for the
    values templatefile() puts in)."""
    files = templates_dir() / FILES
    names = SCRIPTS[c.strategy]
    return sum((files / n).stat().st_size for n in ("user-data.sh.tftpl", *names)) + 256 * (len(names) + 1)


# --- build -----------------------------------------------------------------------------------


def _traffic(rules: list[TrafficRule], field: str) -> dict:
    out: dict = {}
    for r in rules:
        low, high = _ports(r)
        for peer in r.sources if field == "ingress" else r.destinations:
            kind = _peer_kind(peer)
            ports = "all ports" if low < 0 else f"port {low}" if low == high else f"ports {low}-{high}"
            entry: dict = {"ip_protocol": "-1" if r.protocol == "all" else r.protocol}
            if low >= 0:
                entry.update(from_port=low, to_port=high)
            elif r.protocol in ("icmp", "icmpv6"):
                entry.update(from_port=-1, to_port=-1)
            entry[kind] = peer
            entry["description"] = r.description or f"{r.protocol} {ports} {'from' if field == 'ingress' else 'to'} {peer}"
            out[_rule_key(field, r, peer)] = entry
    return out


def _handler(key: str, base: str, region: str, timeout: int, description: str) -> tuple[dict, dict[str, bytes]]:
    """The function inputs and files of a handler archgen ships (templates/ha-instance/files/<key>.py)."""
    package = function.package_dir(key)
    fn = Function(runtime=PYTHON, handler=f"{key}.handler", source=package, timeout=timeout)
    data = function.inputs(fn, f"{base}-{key}", region, package, description)
    return data, {f"{package}/{key}.py": (templates_dir() / FILES / f"{key}.py").read_bytes()}


def build(c: HaInstance, ctx: BuildContext) -> Module:
    base = ctx.name(c.name)
    files_dir = templates_dir() / FILES
    instance: dict = {"type": c.instance.type}
    if c.instance.ami is not None:
        instance["ami_id"] = c.instance.ami
    else:
        instance["ami_ssm_parameter"] = c.instance.ami_ssm_parameter
    optional = {
        "key_name": c.instance.key_name,
        "root_volume_size": c.instance.root_volume_size,
        "public_ip": c.instance.public_ip or None,
        "policy_arns": list(c.instance.policy_arns) or None,
    }
    instance.update({k: v for k, v in optional.items() if v is not None})
    files: dict[str, str | bytes] = {}
    if c.instance.user_data is not None:
        rel = f"user-data/blueprint/{re.sub(r'[^A-Za-z0-9._-]', '_', Path(c.instance.user_data).name).lstrip('.') or 'user-data'}"
        files[rel] = (ctx.blueprint_dir / c.instance.user_data).resolve().read_bytes()
        instance["user_data_file"] = rel
    files["user-data/user-data.sh.tftpl"] = (files_dir / "user-data.sh.tftpl").read_bytes()
    for script in SCRIPTS[c.strategy]:
        files[f"user-data/{script}"] = (files_dir / script).read_bytes()

    role = function.role_name(f"{base}-instance", ctx.region)
    names: dict = {"security_group": base, "instance_role": role, "instance_profile": role}
    aws_names = [
        AwsName(SECURITY_GROUP, base, ("name",)),
        AwsName(function.IAM_ROLE, role, ("name",)),
        AwsName(INSTANCE_PROFILE, role, ("name",)),
    ]
    alarms: dict[str, str] = {}
    rules: dict[str, str] = {}
    inputs: dict = {
        "component": base,
        "names": names,
        "instance": instance,
        "subnets": [{"id": s.id, "az": s.az} for s in c.subnets],
    }
    if c.eip.existing is not None:
        inputs["eip"] = {"allocation_id": c.eip.existing}
    if c.security_group_ids:
        inputs["security_group_ids"] = list(c.security_group_ids)
    if c.ingress:
        inputs["ingress"] = _traffic(c.ingress, "ingress")
    inputs["egress"] = _traffic(c.egress, "egress")

    zones = sorted({s.az for s in c.subnets})
    eip_text = f"the existing Elastic IP `{c.eip.existing}` (tagged `{COMPONENT_TAG}={base}`)" if c.eip.existing else f"a new Elastic IP tagged `{COMPONENT_TAG}={base}`"
    sg_text = f"security group `{base}` ({len(inputs.get('ingress', {}))} ingress and {len(inputs['egress'])} egress rules)"
    ami = f"AMI `{c.instance.ami}`" if c.instance.ami else f"the AMI in `{c.instance.ami_ssm_parameter}`"
    eip_node = Node(f"Elastic IP {base}", "box")
    notes: list[str] = []
    outputs = [("public_ip", "the Elastic IP address clients use"), ("allocation_id", "allocation id of the Elastic IP")]
    diagram: list[Edge] = []
    providers = {"aws"}

    if c.strategy == "standby":
        failover = c.failover or Failover()
        fn, fn_files = _handler("failover", base, ctx.region, FAILOVER_TIMEOUT, f"Moves the Elastic IP of {base} to its standby instance")
        files.update(fn_files)
        providers.add("archive")
        alarms = {"primary_status": f"{base}-primary-status", "standby_status": f"{base}-standby-status", "failover_errors": f"{base}-failover-errors", "failover_delivery": f"{base}-failover-delivery"}
        rules = {"failover": f"{base}-failover"}
        settings: dict = {}
        if failover.after != DEFAULT_FAILOVER_AFTER:
            settings["evaluation_periods"] = failover.after // 60
        if failover.standby != "stopped":
            settings["standby_state"] = failover.standby
        if settings:
            inputs["failover"] = settings
        inputs["failover_function"] = fn
        aws_names += function.names(fn["name"], ctx.region, ("name",))
        primary, standby = c.subnets[0], c.subnets[-1]
        outputs += [
            ("primary_instance_id", "id of the primary instance"),
            ("standby_instance_id", "id of the standby instance"),
            ("status_alarm_arn", "ARN of the alarm on the primary's status checks (its ALARM state fails over)"),
            ("failover_function_name", "name of the failover function"),
        ]
        inventory = [
            f"two EC2 instances `{base}-primary` ({primary.az}) and `{base}-standby` ({standby.az}, {failover.standby}): {c.instance.type}, {ami}, "
            "IMDSv2 only, encrypted gp3 root volumes, detailed monitoring",
            f"{eip_text} on the primary; {sg_text}",
            f"CloudWatch alarm `{alarms['primary_status']}`: the primary's status checks failing for {human_duration(failover.after)} "
            f"trigger the EventBridge rule `{rules['failover']}`, which invokes the Lambda function `{fn['name']}` ({PYTHON}, shipped by archgen): "
            "it starts the standby and moves the Elastic IP to it",
            "alarms on the standby's status checks, the function's errors and the rule's failed deliveries",
        ]
        primary_node, standby_node = Node(f"EC2 {base}-primary", "box"), Node(f"EC2 {base}-standby", "box")
        alarm_node, rule_node, fn_node = Node(f"Alarm {alarms['primary_status']}", "box"), Node(f"EventBridge {rules['failover']}", "box"), Node(f"Lambda {fn['name']}", "function")
        diagram = [
            Edge(eip_node, primary_node),
            Edge(primary_node, alarm_node, "status checks"),
            Edge(alarm_node, rule_node, "ALARM"),
            Edge(rule_node, fn_node),
            Edge(fn_node, standby_node, "start, move the Elastic IP", dotted=True),
        ]
        notes.append(
            "after a failover the standby is the live instance and the alarm still watches the old primary: repair it, move the address "
            "back (`aws ec2 associate-address`) when you choose, and keep the failed primary for investigation until then"
        )
        notes.append("a primary that is stopped on purpose reports no status checks and does not fail over")
        notes.append(
            "user data runs at an instance's first boot, and a cold standby powers itself off once it has run; a new AMI behind the "
            "parameter or a changed script reaches the instances when you replace them (`terraform apply -replace=...`)"
        )
    else:
        names.update(launch_template=base, autoscaling_group=base)
        aws_names += [AwsName(LAUNCH_TEMPLATE, base, ("name",)), AwsName(AUTOSCALING_GROUP, base, ("name",))]
        alarms = {"in_service": f"{base}-in-service"}
        outputs += [("autoscaling_group_name", "name of the Auto Scaling group of one instance"), ("launch_template_id", "id of the launch template")]
        inventory = [
            f"Auto Scaling group `{base}` of exactly one instance in {', '.join(zones)} (EC2 health checks, terminate before launch), "
            f"launch template `{base}`: {c.instance.type}, {ami}, IMDSv2 only, encrypted gp3 root volume, detailed monitoring",
            f"{eip_text}; at boot the instance associates it itself (user data `attach-eip.sh`, IMDSv2); {sg_text}",
        ]
        group_node = Node(f"Auto Scaling group {base} (1 instance, {len(zones)} zones)", "box")
        diagram = [Edge(eip_node, group_node, "associated at boot")]
        if c.strategy == "asg-ebs":
            v = c.data_volume
            lc = c.lifecycle or Lifecycle()
            timeout = lifecycle_timeout(lc.heartbeat)
            fn, fn_files = _handler("lifecycle", base, ctx.region, timeout, f"Keeps the data volume of {base} across its instances")
            files.update(fn_files)
            providers.add("archive")
            rules = {"launch": f"{base}-launch", "terminate": f"{base}-terminate"}
            alarms.update(
                lifecycle_errors=f"{base}-lifecycle-errors",
                lifecycle_failures=f"{base}-lifecycle-failures",
                launch_delivery=f"{base}-launch-delivery",
                terminate_delivery=f"{base}-terminate-delivery",
            )
            volume: dict = {"size": v.size}
            for key, value, dflt in (
                ("mount_point", v.mount, DEFAULT_MOUNT), ("device_name", v.device, DEFAULT_DEVICE), ("type", v.type, "gp3"),
                ("iops", v.iops, None), ("throughput", v.throughput, None), ("fs_type", v.fs_type, "xfs"),
                ("snapshots_to_keep", v.snapshots_to_keep, DEFAULT_SNAPSHOTS),
            ):
                if value != dflt:
                    volume[key] = value
            inputs["data_volume"] = volume
            hooks: dict = {}
            if lc.heartbeat != DEFAULT_HEARTBEAT:
                hooks["heartbeat_timeout"] = lc.heartbeat
            if lc.default_result != DEFAULT_RESULT:
                hooks["default_result"] = lc.default_result
            if hooks:
                inputs["lifecycle_hooks"] = hooks
            inputs["lifecycle_function"] = fn
            aws_names += function.names(fn["name"], ctx.region, ("name",))
            outputs += [("lifecycle_function_name", "name of the function that snapshots, restores and attaches the data volume")]
            inventory += [
                f"data volume ({v.type}, {v.size} GiB, encrypted, {v.fs_type} on a new volume) at {v.device}, mounted at {v.mount}: it outlives "
                f"the instances (tagged `{COMPONENT_TAG}={base}`); the instance mounts it (user data `data-volume.sh`) before it takes the Elastic IP",
                f"lifecycle hooks on launch and terminate (heartbeat {human_duration(lc.heartbeat)}, default result {lc.default_result}), "
                f"EventBridge rules `{rules['launch']}` and `{rules['terminate']}`, and the Lambda function `{fn['name']}` ({PYTHON}, "
                f"shipped by archgen, timeout {human_duration(timeout)}): on terminate it snapshots the volume (keeping {v.snapshots_to_keep} "
                "snapshots), on launch it attaches the volume, or a copy in the new instance's zone, or a new empty one the first time",
                "alarms on the group having no instance in service, the function's errors and failed steps, and the rules' failed deliveries",
            ]
            fn_node = Node(f"Lambda {fn['name']}", "function")
            rules_node = Node(f"EventBridge {rules['launch']}, {rules['terminate']}", "box")
            diagram += [
                Edge(group_node, rules_node, "lifecycle hooks"),
                Edge(rules_node, fn_node),
                Edge(fn_node, Node(f"EBS data volume and snapshots ({COMPONENT_TAG}={base})", "store"), "snapshot, restore, attach", dotted=True),
            ]
            notes.append(
                "the data volume and its snapshots are made by the lifecycle function, not by Terraform: `terraform destroy` leaves them; "
                f"delete them (tag `{COMPONENT_TAG}={base}`) when the data is no longer needed"
            )
            notes.append(
                "data volumes are encrypted with the account's default EBS key: if that is a customer managed key, its key policy must "
                "let the lifecycle function's role and the Auto Scaling service-linked role use it"
            )
        else:
            inventory.append("an alarm on the group having no instance in service")
        if not c.instance.public_ip:
            notes.append(
                "the instance calls the EC2 API at boot, before it holds the Elastic IP: in a public subnet give it `instance.public_ip: true` "
                "or an EC2 interface VPC endpoint; in a private subnet, a NAT gateway or the endpoint"
            )
        notes.append("the scripts need curl and the AWS CLI v2 on the AMI (Amazon Linux 2023 has both); a step that fails powers the instance off, so the group replaces it")
        notes.append(
            "a new launch template version (a new AMI behind the parameter, a changed script) reaches the next instance the group launches; "
            f"`aws autoscaling start-instance-refresh --auto-scaling-group-name {base}` replaces the instance now, with a short outage"
        )
    names["alarms"] = alarms
    aws_names += [AwsName(ALARM, name, ("name",)) for name in alarms.values()]
    if rules:
        names["rules"] = rules
        aws_names += [AwsName(EVENT_RULE, name, ("name",)) for name in rules.values()]
    outputs += [("security_group_id", "id of the component's security group"), ("instance_role_name", "name of the instances' IAM role, to grant them more access")]
    return Module(
        inputs={**inputs, **ctx.common_inputs()},
        names=aws_names,
        outputs=outputs,
        inventory=inventory,
        diagram=diagram,
        providers=providers,
        files=files,
        context={"strategy": c.strategy},
        notes=notes,
    )


PATTERN = Pattern(
    name="ha-instance",
    summary="one highly available EC2 instance at one Elastic IP (standby failover, or an Auto Scaling group of one)",
    model=HaInstance,
    build=build,
)
