"""The one table of Terraform providers: what render pins, what the schema check reads,
what the stand-in provider serves and what the terraform gate mirrors."""

from __future__ import annotations

from dataclasses import dataclass

TERRAFORM_VERSION = ">= 1.10"


@dataclass(frozen=True)
class Provider:
    name: str  # local name, e.g. aws
    source: str  # registry source, e.g. hashicorp/aws
    constraint: str  # version constraint rendered into versions.tf
    version: str  # the version of the bundled schema, served by the stand-in provider
    schema_file: str  # in archgen/data/

    @property
    def address(self) -> str:
        return f"registry.terraform.io/{self.source}"


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("aws", "hashicorp/aws", ">= 6.0, < 7.0", "6.69.1", "aws.schema.json.gz"),
        Provider("archive", "hashicorp/archive", ">= 2.7, < 3.0", "2.8.1", "archive.schema.json.gz"),
    )
}
