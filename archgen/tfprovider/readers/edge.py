"""Readers for the edge patterns (edge-cache, ip-blocklist): the ACM certificate lookup.

edge-cache looks its viewer certificate up in us-east-1 (through the provider alias
aws.us_east_1) by domain name, ISSUED only. The answer is a plausible issued certificate in
the Region of the provider configuration that reads it: a lookup through the wrong provider
shows as a certificate outside us-east-1, which the module's postcondition refuses.
"""

from __future__ import annotations

import uuid
from typing import Any

from archgen.tfprovider.datasources import ACCOUNT_ID, DataSourceError, ReadContext

_NAMESPACE = uuid.UUID("7d3f6a40-52c1-4f0e-9a51-3a0c2f5b8e11")


def _acm_certificate(cfg: dict[str, Any], ctx: ReadContext) -> dict[str, Any]:
    domain = cfg.get("domain")
    if not domain and not cfg.get("tags"):
        raise DataSourceError("Missing domain", "one of domain or tags must be set to look a certificate up.", "domain")
    statuses = cfg.get("statuses") or ["ISSUED"]
    status = "ISSUED" if "ISSUED" in statuses else statuses[0]
    region = cfg.get("region") or ctx.region
    cert_id = uuid.uuid5(_NAMESPACE, f"{region}/{domain}")
    arn = f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{cert_id}"
    return {
        "id": arn,
        "arn": arn,
        "domain": domain or "",
        "status": status,
        "region": region,
        "certificate": "",
        "certificate_chain": "",
    }


READERS = {"aws_acm_certificate": _acm_certificate}
