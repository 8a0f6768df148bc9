"""Blueprint models every pattern shares: base classes, value types, the blueprint head.

Models are declared with pydantic's vocabulary and are strict (no silent
coercion), with unknown fields forbidden; archgen.modeling validates them
without importing pydantic, which remains their specification (JSON Schema,
error messages).
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from .modeling import AfterValidator, BeforeValidator, Field, Model, WithJsonSchema

from .findings import shown
from .units import parse_duration, parse_size

INT32_MAX = 2**31 - 1  # AWS APIs take Integer values as signed 32-bit


class Strict(Model):
    """A blueprint part: strict types, unknown fields refused."""


def named(pattern: str, words: str, description: str = "") -> Any:
    """A string type checked against `pattern`, whose error says `words` (not the regex)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{words}, got {shown(value)}")
        return value

    schema: dict = {"type": "string", "pattern": pattern}
    if description:
        schema["description"] = description
    return Annotated[str, AfterValidator(check), WithJsonSchema(schema)]


BlueprintName = named(
    r"^[a-z][a-z0-9-]{1,30}$",
    "a blueprint name is 2 to 31 lowercase letters, digits and hyphens, starting with a letter",
    "prefix of every AWS name: 2-31 lowercase letters, digits and hyphens, starting with a letter",
)
ComponentName = named(
    r"^[a-z][a-z0-9-]{0,39}$",
    "a name is 1 to 40 lowercase letters, digits and hyphens, starting with a letter",
    "1-40 lowercase letters, digits and hyphens, starting with a letter",
)
Region = named(
    r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$",
    "an AWS Region code such as eu-west-1",
    "AWS Region code, e.g. eu-west-1",
)


def _int32(value: int) -> int:
    if not -INT32_MAX - 1 <= value <= INT32_MAX:
        raise ValueError(f"{shown(value)} is larger than any value AWS accepts here")
    return value


Int = Annotated[int, AfterValidator(_int32)]

Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    AfterValidator(_int32),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^\d+(s|m|h|d)?$"}]}),
]
SizeMiB = Annotated[
    int,
    BeforeValidator(lambda v: parse_size(v, 1 << 20)),
    AfterValidator(_int32),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^\d+(MiB|GiB)?$"}]}),
]
SizeGiB = Annotated[
    int,
    BeforeValidator(lambda v: parse_size(v, 1 << 30)),
    AfterValidator(_int32),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^\d+(GiB|TiB)?$"}]}),
]


def _json_value(value: Any, where: str = "") -> Any:
    """Free-form data (filter policies, event patterns, policy statements) as JSON can hold it."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where or 'the value'} is {value}: JSON has no infinite or NaN numbers")
    if isinstance(value, dict):
        for key, item in value.items():
            _json_value(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _json_value(item, f"{where}[{i}]")
    elif not (value is None or isinstance(value, (str, int, float, bool))):
        raise ValueError(f"{where or 'the value'} is not JSON data")
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_json_value)]
JsonList = Annotated[list[Any], AfterValidator(_json_value)]


class ComponentBase(Strict):
    """Fields every component has; each pattern adds its own."""

    name: ComponentName = Field(description="1-40 lowercase letters, digits and hyphens, starting with a letter; unique in the blueprint")
    pattern: str


class State(Strict):
    """The S3 backend, with S3's native lock file."""

    bucket: str = Field(description="name of an existing S3 bucket holding the state")
    key: str = Field(description="object key of the state file, e.g. shop/terraform.tfstate")
    region: Region | None = Field(None, description="Region of the bucket (default: the blueprint's)")


class Iam(Strict):
    """Applied to every IAM role archgen creates."""

    permissions_boundary: str | None = Field(None, description="ARN of a managed policy set as every role's permissions boundary")
    path: str = Field("/", description="IAM path of every role, e.g. /team/")


class Alarms(Strict):
    """Where alarms (dead-letter queues, failures) notify: new e-mail subscriptions or an existing topic."""

    emails: list[str] = Field(default_factory=list, description="e-mail addresses subscribed to a new, encrypted alarm topic")
    topic_arn: str | None = Field(None, description="ARN of an existing SNS topic for alarm actions")


class BlueprintHead(Strict):
    """The top of a blueprint; components are validated one by one by their pattern."""

    archgen: Int = Field(description="blueprint format version: 1")
    name: BlueprintName = Field(description="2-31 lowercase letters, digits and hyphens, starting with a letter: the prefix of every AWS name")
    region: Region = Field(description="the AWS Region of the default provider, e.g. eu-west-1")
    tags: dict[str, str] = Field(default_factory=dict, description="provider default_tags, with archgen:blueprint added")
    state: State | None = None
    iam: Iam = Field(default_factory=Iam)
    alarms: Alarms = Field(default_factory=Alarms)
    components: Annotated[list[dict], Field(min_length=1, description="one or more components (see Patterns)")]
