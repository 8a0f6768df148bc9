"""What the stand-in does on `terraform apply`: enough to prove ordering, not to build anything.

A resource's planned state becomes its new state with every unknown value replaced by a
placeholder of the right type. Two resources do what the real providers do with the local
disk, because that is what a plan/apply split in CI gets wrong:

* ``archive_file`` (resource) builds its archive at apply time, as hashicorp/archive does;
* ``aws_lambda_function`` reads its ``filename`` package, as hashicorp/aws does when it
  uploads the code: a package that is not on disk at apply time is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archgen.tfprovider import cty, datasources
from archgen.tfprovider.schema import Block

# every configurable argument of the archive provider's archive_file resource forces a new one
REPLACE_ON_CHANGE = {"archive_file": ("type", "source_dir", "source_file", "source_content", "source_content_filename", "output_path", "excludes", "output_file_mode")}


class ApplyError(Exception):
    def __init__(self, summary: str, detail: str = "", attribute: str | None = None) -> None:
        super().__init__(summary)
        self.summary = summary
        self.detail = detail
        self.attribute = attribute


def requires_replace(type_name: str, prior: dict[str, Any] | None, proposed: dict[str, Any]) -> list[str]:
    """Attributes whose change forces a new resource (as the real provider's plan modifiers say)."""
    if prior is None:
        return []
    return [name for name in REPLACE_ON_CHANGE.get(type_name, ()) if prior.get(name) != proposed.get(name)]


def apply(type_name: str, block: Block, planned: dict[str, Any], ctx: datasources.ReadContext) -> dict[str, Any]:
    state = dict(planned)
    if type_name == "archive_file":
        config = {k: (None if v is cty.UNKNOWN else v) for k, v in planned.items()}
        try:
            built = datasources._archive_file(config, ctx)
        except datasources.DataSourceError as exc:
            raise ApplyError(exc.summary, exc.detail, exc.attribute) from exc
        state.update(built)
    elif type_name == "aws_lambda_function":
        filename = planned.get("filename")
        if isinstance(filename, str) and not Path(filename).is_file():
            raise ApplyError(
                "reading ZIP file",
                f"open {filename}: no such file or directory (the package must exist when the function is created or updated)",
                "filename",
            )
    return datasources.fill_known(block, state, type_name, ctx)
