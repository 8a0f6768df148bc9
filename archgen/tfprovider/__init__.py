"""A stand-in Terraform provider serving archgen's bundled provider schemas.

``python -m archgen.tfprovider aws|archive`` speaks Terraform's plugin
protocol 6 over gRPC and answers as ``registry.terraform.io/hashicorp/aws``
or ``registry.terraform.io/hashicorp/archive``, so ``terraform init``,
``terraform validate`` and ``terraform plan -refresh=false`` run offline on
rendered output.  It checks configurations against the real schemas, plans
computed attributes as unknown and answers the common data sources with
plausible values; it cannot apply.  Needs the ``archgen[terraform]`` extra.
"""

from __future__ import annotations

from archgen.providers import PROVIDERS

__all__ = ["PROVIDERS"]
