"""The blueprint JSON Schema, built by pydantic from the models of every pattern (their twins)."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field, TypeAdapter

from .model import BlueprintHead
from .patterns import every

SCHEMA_ID = "https://archgen.dev/schema/blueprint-1.json"


def blueprint_schema() -> dict:
    models = tuple(p.model.pydantic() for p in every().values())
    component = Annotated[Union[models], Field(discriminator="pattern")]  # type: ignore[valid-type]
    comp_schema = TypeAdapter(component).json_schema(ref_template="#/$defs/{model}")
    head = BlueprintHead.pydantic().model_json_schema(ref_template="#/$defs/{model}")
    defs = {**head.pop("$defs", {}), **comp_schema.pop("$defs", {})}
    head["properties"]["archgen"] = {"const": 1, "description": "blueprint format version"}
    head["properties"]["components"] = {"type": "array", "minItems": 1, "items": comp_schema}
    head["$defs"] = dict(sorted(defs.items()))
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **head}
