"""Building block: a Lambda function with its role, log group and package.

Fields, rules (AG04x-AG05x), names and limits live here; the Terraform lives in
templates/_blocks/function.tf.j2. A `source` folder is copied into the output
(modules/<component>/functions/<key>/) so that the output folder is
self-contained: remote runners that upload only the working directory, and
plan and apply in different CI jobs, both find it. Terraform zips it at apply
time (the `archive_file` resource, rebuilt when the source's hash changes).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator, Literal

from ..modeling import Field

from ..findings import shown
from ..model import Duration, Int, SizeMiB, Strict
from ..names import IAM_ROLE, LOG_GROUP, AwsName, namespace
from ..rules import Context, Violation, default, limit, rule
from ..units import human_duration

LAMBDA = namespace("lambda", "Lambda function", 64, "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html")

QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
TIMEOUT = limit("function_timeout", 1, 900, "seconds", "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html")
MEMORY = limit("function_memory", 128, 10240, "MiB", "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html")
RESERVED_CONCURRENCY = limit("function_reserved_concurrency", 0, None, "", "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html")
ENVIRONMENT_BYTES = 4096
PACKAGE_BYTES = 250 * 1024 * 1024  # unzipped, code and layers
HANDLER_LENGTH = 128

DEFAULT_TIMEOUT = default("function_timeout", 30)
DEFAULT_MEMORY = default("function_memory", 256)
DEFAULT_ARCHITECTURE = default("function_architecture", "arm64")
DEFAULT_LOG_RETENTION_DAYS = default("function_log_retention_days", 365)

# Runtimes Lambda still lets you create functions with (the AWS provider 6.x enum, less
# the deprecated ones); https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
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
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
RESERVED_ENV = frozenset(
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    }
)
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
RETENTION_URL = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html"

ENV_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*\Z")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+\Z")
# Lambda runs container images from Amazon ECR only, in the function's own Region
# https://docs.aws.amazon.com/lambda/latest/dg/images-create.html
IMAGE_URI = re.compile(
    r"^\d{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/[a-z0-9]+(?:[._/-][a-z0-9]+)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$"
)
SKIPPED_DIRS = {".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache"}


class Function(Strict):
    """A Lambda function: code from a folder (zipped by Terraform at apply time) or a container image."""

    runtime: str | None = Field(None, description="Lambda runtime identifier, e.g. python3.13 (with source)")
    handler: str | None = Field(None, description="entry point, e.g. app.handler (with source)")
    source: str | None = Field(None, description="folder with the code, relative to the blueprint; copied into the output")
    image_uri: str | None = Field(None, description="Amazon ECR image URI in the blueprint's Region (instead of source)")
    timeout: Duration = Field(DEFAULT_TIMEOUT, description="seconds (1..900), or 90s, 5m")
    memory: SizeMiB = Field(DEFAULT_MEMORY, description="MiB (128..10240), or 1GiB")
    architecture: Literal["arm64", "x86_64"] = DEFAULT_ARCHITECTURE
    reserved_concurrency: Int | None = Field(None, description="reserved concurrent executions (default: unreserved)")
    environment: dict[str, str] = Field(default_factory=dict, description="environment variables (4 KB in all)")
    log_retention: Duration = Field(DEFAULT_LOG_RETENTION_DAYS * 86400, description="CloudWatch Logs retention (default 365d)")
    kms_key: str | None = Field(
        None,
        description="ARN of a customer-managed KMS key for the log group and the environment variables "
        "(default: AWS managed keys); its key policy must allow logs.<region>.amazonaws.com",
    )


# --- rules ---------------------------------------------------------------------


@rule("AG050", "a function's timeout is 1..900 seconds", TIMEOUT.url, part=Function)
def timeout_in_range(fn: Function, ctx: Context) -> Iterator[Violation]:
    yield from TIMEOUT.check(fn.timeout, ("timeout",))


@rule("AG051", "a function's memory is 128..10240 MiB", MEMORY.url, part=Function)
def memory_in_range(fn: Function, ctx: Context) -> Iterator[Violation]:
    yield from MEMORY.check(fn.memory, ("memory",))


@rule("AG052", "a function's runtime is one Lambda still accepts", "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html", part=Function)
def runtime_supported(fn: Function, ctx: Context) -> Iterator[Violation]:
    if fn.runtime is not None and fn.source is not None and fn.runtime not in RUNTIMES:
        yield Violation(("runtime",), f"unknown or deprecated Lambda runtime {shown(fn.runtime)}; one of: {', '.join(RUNTIMES)}")


@rule("AG053", "a function has exactly one of source and image_uri", "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-package.html", part=Function)
def one_package(fn: Function, ctx: Context) -> Iterator[Violation]:
    if (fn.source is None) == (fn.image_uri is None):
        yield Violation((), "give exactly one of `source` (a folder) and `image_uri`")


@rule("AG054", "zip functions name a runtime and a handler; image functions name neither", "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html", part=Function)
def handler_fits_package(fn: Function, ctx: Context) -> Iterator[Violation]:
    if fn.source is not None and fn.image_uri is None:
        for name in ("runtime", "handler"):
            if getattr(fn, name) is None:
                yield Violation((), f"a function built from `source` needs `{name}`")
    elif fn.image_uri is not None and fn.source is None:
        for name in ("runtime", "handler"):
            if getattr(fn, name) is not None:
                yield Violation((name,), f"`{name}` comes from the image; remove it or use `source`")


@rule("AG055", "a function's source is a folder next to the blueprint, within Lambda's package size", QUOTAS, part=Function)
def source_usable(fn: Function, ctx: Context) -> Iterator[Violation]:
    if fn.source is None:
        return
    where = ("source",)
    if os.path.isabs(fn.source) or fn.source.startswith("~"):
        yield Violation(where, f"give a folder relative to the blueprint, got the absolute path {shown(fn.source)}")
        return
    folder = (ctx.blueprint_dir / fn.source).resolve()
    if folder == ctx.blueprint_dir.resolve():
        yield Violation(where, "the source is the blueprint's own folder: put the function's code in a folder of its own, e.g. src/worker")
        return
    if not folder.is_dir():
        yield Violation(where, f"no folder {shown(fn.source)} next to the blueprint")
        return
    if ctx.out_dir is not None:
        out = ctx.out_dir.resolve()
        if out == folder or folder in out.parents:
            yield Violation(where, f"the source folder holds the output folder {ctx.out_dir}: render would copy its own output")
            return
    size = sum(len(data) for _, data in _source_files(folder, PACKAGE_BYTES + 1))
    if size > PACKAGE_BYTES:
        yield Violation(where, f"the folder holds more than {PACKAGE_BYTES // (1024 * 1024)} MB; Lambda takes at most 250 MB unzipped (use image_uri)")


@rule("AG056", "environment variables have valid, unreserved names and fit 4 KB", "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html", part=Function)
def environment_valid(fn: Function, ctx: Context) -> Iterator[Violation]:
    size = 0
    for key, value in fn.environment.items():
        size += len(key.encode()) + len(value.encode())
        if not ENV_NAME.match(key):
            yield Violation(("environment", key), "names start with a letter and hold only letters, digits and _", at_key=True)
        elif key in RESERVED_ENV:
            yield Violation(("environment", key), f"{key} is reserved by the Lambda runtime", at_key=True)
    if size > ENVIRONMENT_BYTES:
        yield Violation(("environment",), f"environment variables total {size} bytes; Lambda allows 4 KB")


@rule("AG057", "reserved concurrency is not negative", RESERVED_CONCURRENCY.url, part=Function)
def concurrency_not_negative(fn: Function, ctx: Context) -> Iterator[Violation]:
    if fn.reserved_concurrency is not None:
        yield from RESERVED_CONCURRENCY.check(fn.reserved_concurrency, ("reserved_concurrency",))


@rule("AG058", "log retention is a value CloudWatch Logs accepts", RETENTION_URL, part=Function)
def log_retention_valid(fn: Function, ctx: Context) -> Iterator[Violation]:
    yield from check_log_retention(fn.log_retention, ("log_retention",))


@rule("AG059", "a function's kms_key is a KMS key ARN", "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html", part=Function)
def kms_key_arn(fn: Function, ctx: Context) -> Iterator[Violation]:
    # both Lambda (kms_key_arn) and CloudWatch Logs (kms_key_id) take a key ARN, not an alias
    if fn.kms_key is not None and not KMS_KEY_ARN.match(fn.kms_key):
        yield Violation(("kms_key",), f"must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got {shown(fn.kms_key)}")


@rule("AG040", "a handler is one word of at most 128 characters", "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html", part=Function)
def handler_valid(fn: Function, ctx: Context) -> Iterator[Violation]:
    if fn.handler is not None and (not fn.handler or len(fn.handler) > HANDLER_LENGTH or re.search(r"\s", fn.handler)):
        yield Violation(("handler",), f"a handler is 1 to 128 characters without spaces, such as app.handler, got {shown(fn.handler)}")


@rule("AG041", "an image_uri names an Amazon ECR image in the blueprint's Region", "https://docs.aws.amazon.com/lambda/latest/dg/images-create.html", part=Function)
def image_uri_valid(fn: Function, ctx: Context) -> Iterator[Violation]:
    if fn.image_uri is None:
        return
    match = IMAGE_URI.match(fn.image_uri)
    if not match:
        yield Violation(("image_uri",), f"Lambda runs images from Amazon ECR: ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG (or @sha256:DIGEST), got {shown(fn.image_uri)}")
    elif match.group("region") != ctx.region:
        yield Violation(("image_uri",), f"the image is in {match.group('region')}, the function in {ctx.region}: Lambda pulls images from its own Region")


def check_log_retention(seconds: int, path: tuple) -> Iterator[Violation]:
    if seconds % 86400 or seconds // 86400 not in RETENTION_DAYS:
        days = ", ".join(map(str, RETENTION_DAYS))
        yield Violation(path, f"CloudWatch Logs keeps logs for one of {days} days, got {human_duration(seconds)}")


# --- names, inputs and files -----------------------------------------------------


def names(function_name: str, region: str, path: tuple) -> list[AwsName]:
    return [
        AwsName(LAMBDA, function_name, path),
        AwsName(IAM_ROLE, role_name(function_name, region), path),
        AwsName(LOG_GROUP, f"/aws/lambda/{function_name}", path),
    ]


def role_name(function_name: str, region: str) -> str:
    """IAM names are global to the account: the Region keeps two deployments of a blueprint apart."""
    return f"{function_name}-{region}"


def package_dir(key: str) -> str:
    """Where a function's source is copied, relative to its module."""
    return f"functions/{key}"


def inputs(fn: Function, function_name: str, region: str, package: str | None, description: str) -> dict:
    """The module's `function` object: the decided values, defaults left to the module's optional()."""
    data: dict = {"name": function_name, "role_name": role_name(function_name, region), "description": description}
    if fn.source is not None:
        data.update(runtime=fn.runtime, handler=fn.handler, source_dir=package)
    else:
        data["image_uri"] = fn.image_uri
    optional = {
        "architecture": (fn.architecture, DEFAULT_ARCHITECTURE),
        "timeout": (fn.timeout, DEFAULT_TIMEOUT),
        "memory_size": (fn.memory, DEFAULT_MEMORY),
        "reserved_concurrent_executions": (-1 if fn.reserved_concurrency is None else fn.reserved_concurrency, -1),
        "environment": (dict(sorted(fn.environment.items())), {}),
        "log_retention_in_days": (fn.log_retention // 86400, DEFAULT_LOG_RETENTION_DAYS),
        "kms_key_arn": (fn.kms_key, None),
    }
    data.update({key: value for key, (value, default) in optional.items() if value != default})
    return data


def _source_files(folder: Path, budget: int | None = None) -> Iterator[tuple[str, bytes]]:
    total = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(root, name)
            if not path.is_file():
                continue  # a dangling link or a special file
            data = path.read_bytes()
            total += len(data)
            yield path.relative_to(folder).as_posix(), data
            if budget is not None and total > budget:
                return


def package_files(fn: Function, blueprint_dir: Path, package: str) -> dict[str, bytes]:
    """The function's source, to copy into its module folder under `package`."""
    if fn.source is None:
        return {}
    folder = (blueprint_dir / fn.source).resolve()
    return {f"{package}/{rel}": data for rel, data in _source_files(folder)}
