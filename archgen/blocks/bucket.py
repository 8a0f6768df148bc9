"""Building block: an S3 bucket with secure defaults, and the bucket that keeps its access logs.

The bucket: public access blocked, object ownership BucketOwnerEnforced (no ACLs),
default encryption (SSE-S3, or SSE-KMS with an S3 Bucket Key when the blueprint
gives a key), a bucket policy that refuses every request not made over TLS,
versioning, and a lifecycle that expires noncurrent versions, removes expired
delete markers and aborts incomplete multipart uploads. Server access logs go to
a second bucket with the same defaults (SSE-S3: the only default encryption a log
target may have), written by the S3 logging service only, expired after a year.

Names are prefixes: S3 bucket names are global, so Terraform adds a unique suffix
(bucket_prefix, at most 37 characters) and the module outputs the names.

Fields, rules (AG07x), names and limits live here; the Terraform lives in
templates/_blocks/bucket.tf.j2.
"""

from __future__ import annotations

from typing import Iterator

from ..modeling import Field

from ..model import Duration, Strict
from ..names import AwsName, namespace
from ..rules import Context, Violation, default, limit, rule
from ..units import human_duration
from .iam import KMS_KEY_URL

# bucket_prefix: Terraform appends 26 characters (a timestamp and a counter) to at most 37
S3_BUCKET_PREFIX = namespace("s3-bucket-prefix", "S3 bucket name prefix", 37, "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html")

LIFECYCLE_URL = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html"
NONCURRENT_DAYS = limit("bucket_noncurrent_days", 1, None, "", LIFECYCLE_URL)
DEFAULT_NONCURRENT_DAYS = default("bucket_noncurrent_days", 90)
DEFAULT_ABORT_UPLOAD_DAYS = default("bucket_abort_upload_days", 7)
DEFAULT_LOG_EXPIRATION_DAYS = default("bucket_log_expiration_days", 365)


class Bucket(Strict):
    """Settings of an S3 bucket archgen creates (every other setting is the secure default)."""

    kms_key: str | None = Field(None, description="ARN of a customer managed KMS key for SSE-KMS (default: SSE-S3)")
    noncurrent_version_expiration: Duration = Field(DEFAULT_NONCURRENT_DAYS * 86400, description="how long overwritten and deleted versions are kept (default 90d)")


@rule("AG070", "a bucket's kms_key is a KMS key ARN", KMS_KEY_URL, part=Bucket)
def bucket_kms_key(b: Bucket, ctx: Context) -> Iterator[Violation]:
    from .function import KMS_KEY_ARN

    if b.kms_key is not None and not KMS_KEY_ARN.match(b.kms_key):
        yield Violation(("kms_key",), "must be the ARN of a customer managed KMS key (arn:aws:kms:REGION:ACCOUNT:key/ID); leave it out for SSE-S3")


@rule("AG071", "noncurrent versions expire after whole days, at least one", LIFECYCLE_URL, part=Bucket)
def noncurrent_days(b: Bucket, ctx: Context) -> Iterator[Violation]:
    seconds = b.noncurrent_version_expiration
    if seconds % 86400 or seconds < 86400:
        yield Violation(("noncurrent_version_expiration",), f"S3 lifecycle rules count whole days, at least 1d, got {human_duration(seconds)}")


def prefix(base: str, purpose: str) -> str:
    return f"{base}-{purpose}-"


def names(base: str, purpose: str, path: tuple) -> list[AwsName]:
    return [AwsName(S3_BUCKET_PREFIX, prefix(base, purpose), path), AwsName(S3_BUCKET_PREFIX, prefix(base, f"{purpose}-logs"), path)]


def inputs(base: str, purpose: str, b: Bucket) -> dict:
    """The modules' bucket object (defaults left to the module's optional())."""
    data: dict = {"prefix": prefix(base, purpose), "log_prefix": prefix(base, f"{purpose}-logs")}
    if b.kms_key:
        data["kms_key_arn"] = b.kms_key
    if b.noncurrent_version_expiration != DEFAULT_NONCURRENT_DAYS * 86400:
        data["noncurrent_version_expiration_days"] = b.noncurrent_version_expiration // 86400
    return data


def describe(base: str, purpose: str, b: Bucket) -> str:
    encryption = f"SSE-KMS with {b.kms_key}" if b.kms_key else "SSE-S3"
    return (
        f"S3 bucket `{prefix(base, purpose)}...` ({encryption}, public access blocked, TLS-only policy, versioning, "
        f"noncurrent versions expire after {human_duration(b.noncurrent_version_expiration)}, incomplete uploads aborted after "
        f"{DEFAULT_ABORT_UPLOAD_DAYS} days), its access logs in `{prefix(base, purpose + '-logs')}...`"
    )
