"""Rules of the file and the blueprint head (AG00x-AG03x): reading, structure, names, tags,
state, IAM and alarms. Reading and structure are reported by the loader and the
engine; the head's own fields are checked here."""

from __future__ import annotations

import re
from typing import Iterator

from .blocks.iam import BOUNDARY, ROLE_PATH
from .findings import shown
from .loader import DUPLICATE_KEY, INVALID_VALUE, READ_LIMIT, YAML_SYNTAX  # noqa: F401 - the reading rules, re-exported
from .model import Alarms, BlueprintHead, Iam, State
from .rules import Context, Violation, define, rule

UNKNOWN_FIELD = define("AG003", "every field is part of the blueprint language")
MISSING_FIELD = define("AG004", "required fields are present")
VERSION = define("AG006", "the format version is 1")
DUPLICATE_NAME = define("AG007", "component names are unique")
UNKNOWN_PATTERN = define("AG008", "the pattern exists")
NAME_LENGTH = define("AG009", "generated AWS names fit each service's length limit")
NAME_COLLISION = define("AG010", "no two parts of a blueprint create the same AWS name")
DUPLICATE_BLUEPRINT = define("AG012", "blueprints rendered together have different names (each writes its own folder)")

TAGS_URL = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"
# letters, numbers and spaces representable in UTF-8, and _ . : / = + - @
TAG_TEXT = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)
MAX_TAGS = 50
ARCHGEN_TAGS = 1  # archgen:blueprint, added to every resource through default_tags

BUCKET_URL = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?\Z")


@rule("AG020", "tags follow AWS's rules: at most 50, keys 1..128 and values 0..256 characters, no aws: prefix", TAGS_URL, part=BlueprintHead)
def tags_valid(head: BlueprintHead, ctx: Context) -> Iterator[Violation]:
    if len(head.tags) > MAX_TAGS - ARCHGEN_TAGS:
        yield Violation(("tags",), f"{len(head.tags)} tags; a resource takes {MAX_TAGS}, and archgen adds {ARCHGEN_TAGS} (archgen:blueprint)")
    for key, value in head.tags.items():
        where = ("tags", key)
        if not 1 <= len(key) <= 128:
            yield Violation(where, f"a tag key is 1 to 128 characters, this one has {len(key)}", at_key=True)
        elif key.lower().startswith("aws:"):
            yield Violation(where, "tag keys starting with aws: are reserved for AWS", at_key=True)
        elif key.startswith("archgen:"):
            yield Violation(where, "tag keys starting with archgen: are archgen's own", at_key=True)
        elif not TAG_TEXT.match(key):
            yield Violation(where, f"a tag key holds letters, digits, spaces and _ . : / = + - @, got {shown(key)}", at_key=True)
        if len(value) > 256:
            yield Violation(where, f"a tag value is at most 256 characters, this one has {len(value)}")
        elif not TAG_TEXT.match(value):
            yield Violation(where, f"a tag value holds letters, digits, spaces and _ . : / = + - @, got {shown(value)}")


@rule("AG021", "the state bucket's name follows S3's bucket naming rules", BUCKET_URL, part=State)
def state_bucket_valid(state: State, ctx: Context) -> Iterator[Violation]:
    name = state.bucket
    problem = None
    if not BUCKET.match(name):
        problem = "3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
    elif ".." in name or ".-" in name or "-." in name:
        problem = "no two adjacent dots, and no dot next to a hyphen"
    elif name.startswith(BUCKET_PREFIXES) or name.endswith(BUCKET_SUFFIXES):
        problem = "not a prefix or suffix S3 reserves (xn--, sthree-, -s3alias, --ol-s3, ...)"
    else:
        try:
            import ipaddress

            ipaddress.IPv4Address(name)
            problem = "not formatted as an IP address"
        except ValueError:
            pass
    if problem:
        yield Violation(("bucket",), f"a bucket name is {problem}, got {shown(name)}")


@rule("AG022", "the state key is a relative object key of at most 1024 bytes", "https://developer.hashicorp.com/terraform/language/backend/s3", part=State)
def state_key_valid(state: State, ctx: Context) -> Iterator[Violation]:
    key = state.key
    if not key or len(key.encode()) > 1024:
        yield Violation(("key",), f"an object key is 1 to 1024 bytes, got {len(key.encode())}")
    elif key.startswith("/") or key.endswith("/"):
        yield Violation(("key",), f"the state key neither starts nor ends with /, got {shown(key)}")


@rule("AG023", "the permissions boundary is the ARN of a managed policy", "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html", part=Iam)
def boundary_valid(iam: Iam, ctx: Context) -> Iterator[Violation]:
    if iam.permissions_boundary is not None and not BOUNDARY.match(iam.permissions_boundary):
        yield Violation(("permissions_boundary",), f"must be a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME), got {shown(iam.permissions_boundary)}")


@rule("AG024", "the IAM path starts and ends with / and holds printable ASCII", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names", part=Iam)
def path_valid(iam: Iam, ctx: Context) -> Iterator[Violation]:
    if not ROLE_PATH.match(iam.path):
        yield Violation(("path",), f"an IAM path is / or /NAME/ (1 to 512 printable ASCII characters), got {shown(iam.path)}")


@rule("AG025", "alarms go to e-mail addresses or to one existing topic ARN", "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html", part=Alarms)
def alarms_valid(alarms: Alarms, ctx: Context) -> Iterator[Violation]:
    if alarms.emails and alarms.topic_arn:
        yield Violation(("topic_arn",), "give emails (archgen creates the topic) or topic_arn (an existing topic), not both")
    for i, email in enumerate(alarms.emails):
        if not EMAIL.match(email):
            yield Violation(("emails", i), f"not an e-mail address: {shown(email)}")
    if alarms.topic_arn is not None and not TOPIC_ARN.match(alarms.topic_arn):
        yield Violation(("topic_arn",), f"must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME), got {shown(alarms.topic_arn)}")
