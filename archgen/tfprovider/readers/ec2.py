"""EC2 data sources: which zones offer an instance type (the network block), and what the
ha-instance pattern reads, with plausible, consistent answers:

* ``aws_ec2_instance_type_offerings``: every zone a to c offers every instance type asked for.
* ``aws_ssm_parameter``: an AWS public AMI parameter (``/aws/service/...ami...``) holds an
  AMI id, derived from the parameter's name (the same name gives the same id); any other
  parameter holds ``<name>-value``.  Type ``String``, version 1.
* ``aws_subnet``: the subnet the configuration names, in the zone it asks for (a real
  read filters by that zone too), or else a zone of the configured Region chosen by the
  id's last hex digit (0, 3, 6 ... -> a; 1, 4, 7 ... -> b; 2, 5, 8 ... -> c); every
  subnet is in one VPC, ``vpc-0a1b2c3d4e5f60789``.
* ``aws_ami``: the image the ``image-id`` filter names: an HVM EBS image whose root device
  is ``/dev/xvda`` (mapped, 8 GiB gp3) and nothing else, of the architecture its id says
  (ids from an ``arm64`` parameter end in ``a``, see above); x86_64 otherwise.
* ``aws_eip``: the address the configuration names, with a documentation address
  (TEST-NET-3, RFC 5737) as its public IP.
"""

from __future__ import annotations

import hashlib
from typing import Any

# readers are imported while datasources.py loads: no import from it here
ACCOUNT_ID = "123456789012"  # datasources.ACCOUNT_ID, the stand-in's account
VPC_ID = "vpc-0a1b2c3d4e5f60789"
ROOT_DEVICE = "/dev/xvda"
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


def _hex(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def ami_id_for(parameter: str) -> str:
    """The AMI id the stand-in gives a public AMI parameter: arm64 ones end in `a`."""
    digits = "0" + _hex(parameter, 15)
    return f"ami-{digits}{'a' if 'arm64' in parameter else '0'}"


def _ssm_parameter(cfg: dict[str, Any], ctx: Any) -> dict[str, Any]:
    name = str(cfg.get("name") or "")
    value = ami_id_for(name) if name.startswith("/aws/service/") and "ami" in name else f"{name}-value"
    path = name.lstrip("/")
    return {
        "id": name,
        "arn": f"arn:aws:ssm:{ctx.region}:{'' if name.startswith('/aws/service/') else ACCOUNT_ID}:parameter/{path}",
        "type": "String",
        "value": value,
        "insecure_value": value,
        "version": 1,
    }


def _zone(subnet_id: str, region: str) -> str:
    try:
        index = int(subnet_id[-1], 16) % 3
    except (ValueError, IndexError):
        index = 0
    return f"{region}{'abc'[index]}"


def _subnet(cfg: dict[str, Any], ctx: Any) -> dict[str, Any]:
    subnet_id = str(cfg.get("id") or "subnet-0123456789abcdef0")
    zone = str(cfg.get("availability_zone") or _zone(subnet_id, ctx.region))
    letter = zone[-1] if zone[-1].isalpha() else "a"
    third = "abcdefghijklmnopqrstuvwxyz".index(letter) if letter in "abcdefghijklmnopqrstuvwxyz" else 0
    return {
        "id": subnet_id,
        "arn": f"arn:aws:ec2:{ctx.region}:{ACCOUNT_ID}:subnet/{subnet_id}",
        "availability_zone": zone,
        "availability_zone_id": f"{ctx.region.split('-')[0]}{ctx.region.split('-')[1][:1]}{ctx.region[-1]}-az{third + 1}",
        "vpc_id": VPC_ID,
        "cidr_block": f"10.0.{third * 16}.0/20",
        "owner_id": ACCOUNT_ID,
        "state": "available",
        "available_ip_address_count": 4091,
        "default_for_az": False,
        "map_public_ip_on_launch": False,
        "assign_ipv6_address_on_creation": False,
        "ipv6_native": False,
        "tags": {},
    }


def _filter_values(cfg: dict[str, Any], name: str) -> list[str]:
    for block in cfg.get("filter") or []:
        if isinstance(block, dict) and block.get("name") == name:
            return [str(v) for v in block.get("values") or []]
    return []


def _ami(cfg: dict[str, Any], ctx: Any) -> dict[str, Any]:
    ids = _filter_values(cfg, "image-id")
    image_id = str(cfg.get("id") or (ids[0] if ids else "ami-0123456789abcdef0"))
    arch = "arm64" if image_id.endswith("a") else "x86_64"
    snapshot = f"snap-0{_hex(image_id, 16)}"
    return {
        "id": image_id,
        "image_id": image_id,
        "arn": f"arn:aws:ec2:{ctx.region}::image/{image_id}",
        "architecture": arch,
        "name": f"archgen-stand-in-{arch}",
        "description": "an image the archgen stand-in provider made up",
        "owner_id": "137112412989",
        "image_owner_alias": "amazon",
        "root_device_name": ROOT_DEVICE,
        "root_device_type": "ebs",
        "root_snapshot_id": snapshot,
        "virtualization_type": "hvm",
        "hypervisor": "xen",
        "ena_support": True,
        "sriov_net_support": "simple",
        "boot_mode": "uefi-preferred",
        "imds_support": "v2.0",
        "platform_details": "Linux/UNIX",
        "usage_operation": "RunInstances",
        "image_type": "machine",
        "state": "available",
        "public": True,
        "block_device_mappings": [
            {
                "device_name": ROOT_DEVICE,
                "ebs": {
                    "delete_on_termination": "true",
                    "encrypted": "false",
                    "iops": "3000",
                    "snapshot_id": snapshot,
                    "throughput": "125",
                    "volume_size": "8",
                    "volume_type": "gp3",
                },
                "no_device": "",
                "virtual_name": "",
            }
        ],
    }


def _eip(cfg: dict[str, Any], ctx: Any) -> dict[str, Any]:
    allocation_id = str(cfg.get("id") or "eipalloc-0123456789abcdef0")
    last = int(_hex(allocation_id, 2), 16) % 254 + 1
    return {
        "id": allocation_id,
        "allocation_id": allocation_id,
        "arn": f"arn:aws:ec2:{ctx.region}:{ACCOUNT_ID}:elastic-ip/{allocation_id}",
        "domain": "vpc",
        "public_ip": f"203.0.113.{last}",
        "public_dns": f"ec2-203-0-113-{last}.{ctx.region}.compute.amazonaws.com",
        "public_ipv4_pool": "amazon",
        "network_border_group": ctx.region,
    }


READERS = {
    "aws_ec2_instance_type_offerings": _instance_type_offerings,
    "aws_ssm_parameter": _ssm_parameter,
    "aws_subnet": _subnet,
    "aws_ami": _ami,
    "aws_eip": _eip,
}
