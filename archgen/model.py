"""Blueprint models shared by every pattern (pydantic v2, extra fields forbidden)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from .units import parse_duration, parse_size

NAME_RE = r"^[a-z][a-z0-9-]{1,30}$"
COMPONENT_RE = r"^[a-z][a-z0-9-]{0,39}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^\d+(s|m|h|d)?$"}]}),
]
SizeMiB = Annotated[
    int,
    BeforeValidator(lambda v: parse_size(v, 1 << 20)),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^\d+(MiB|GiB)?$"}]}),
]


class State(Strict):
    """S3 backend with the native lock file."""

    bucket: str
    key: str
    region: str | None = None


# Lambda runtimes that can be created (not deprecated for creation) in the
# AWS provider 6.x enum; https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
RUNTIMES = (
    "dotnet8",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "nodejs20.x",
    "nodejs22.x",
    "provided.al2",
    "provided.al2023",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "ruby3.3",
    "ruby3.4",
)


class Function(Strict):
    """A Lambda function: code from a folder (zipped by Terraform) or a container image."""

    runtime: str | None = Field(None, description="Lambda runtime identifier, e.g. python3.13 (zip packages)")
    handler: str | None = Field(None, description="module.function entry point (zip packages)")
    source: str | None = Field(None, description="folder with the handler code, relative to the blueprint")
    image_uri: str | None = Field(None, description="container image URI (instead of source)")
    timeout: Duration = Field(30, description="seconds (1..900), or 90s, 5m")
    memory: SizeMiB = Field(256, description="MiB (128..10240), or 1GiB")
    architecture: Literal["arm64", "x86_64"] = "arm64"
    reserved_concurrency: int | None = Field(None, description="reserved concurrent executions")
    environment: dict[str, str] = Field(default_factory=dict)
    log_retention: Duration = Field(365 * 86400, description="CloudWatch Logs retention (default 365d)")
    kms_key: str | None = Field(
        None,
        description="ARN of a customer-managed KMS key encrypting the log group and the environment variables, if any "
        "(default: AWS managed keys); its key policy must allow logs.<region>.amazonaws.com",
    )


class Trigger(Strict):
    """The SQS event source mapping."""

    batch_size: int = 10
    batching_window: Duration | None = None
    report_batch_item_failures: bool = True
    max_concurrency: int | None = None


class Queue(Strict):
    retention: Duration = Field(4 * 86400, description="message retention (60s..14d, default 4d)")
    visibility_timeout: Duration | None = Field(None, description="default: 6 x the function timeout")


class DeadLetter(Strict):
    enabled: bool = True
    max_receive_count: int = 5
    retention: Duration = 14 * 86400
    fifo: bool | None = Field(None, description="default: the source queue's type")


class ComponentBase(Strict):
    name: Annotated[str, Field(pattern=COMPONENT_RE)]
    pattern: str


class BlueprintHead(Strict):
    """The top of a blueprint; components are validated one by one by their pattern."""

    archgen: int
    name: Annotated[str, Field(pattern=NAME_RE)]
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")]
    tags: dict[str, str] = Field(default_factory=dict)
    state: State | None = None
    components: Annotated[list[dict], Field(min_length=1)]

