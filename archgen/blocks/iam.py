"""Building block: IAM pieces every role and resource policy shares.

Blueprint-level `iam:` (permissions boundary and path) applies to every role;
`policy_statements` let a user add statements to the queue and topic policies
archgen writes (those policies are authoritative, so there is no other way to
add to them). Statements are written as in an IAM JSON policy.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Literal, Union

from ..modeling import Field

from ..findings import shown
from ..model import Strict
from ..rules import Context, Violation, rule

GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
ACTION = re.compile(r"^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)\Z")
SID = re.compile(r"^[A-Za-z0-9]*\Z")
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
KMS_KEY = re.compile(
    r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)"
    r"|alias/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)
KMS_KEY_URL = "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id"
ROLE_PATH = re.compile(r"^/([\x21-\x7e]{0,510}/)?\Z")
BOUNDARY = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+\Z")

StringOrList = Union[str, list[str]]


class Statement(Strict):
    """One statement of a resource policy, in IAM's JSON grammar."""

    Sid: str | None = None
    Effect: Literal["Allow", "Deny"] = "Allow"
    Principal: Union[Literal["*"], dict[str, StringOrList]] = Field(description='"*" or {AWS|Service|Federated|CanonicalUser: ...}')
    Action: StringOrList
    Resource: StringOrList | None = Field(None, description="default: the queue or topic itself")
    Condition: dict[str, dict[str, Union[StringOrList, bool, int]]] = Field(default_factory=dict)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


@rule("AG090", "policy statements use IAM's grammar: actions service:Action, known principal types", GRAMMAR, part=Statement)
def statement_valid(st: Statement, ctx: Context) -> Iterator[Violation]:
    if st.Sid is not None and not SID.match(st.Sid):
        yield Violation(("Sid",), f"a Sid holds only letters and digits, got {shown(st.Sid)}")
    for i, action in enumerate(_as_list(st.Action)):
        if not ACTION.match(action):
            where = ("Action", i) if isinstance(st.Action, list) else ("Action",)
            yield Violation(where, f"an action is service:Name, such as sqs:SendMessage, got {shown(action)}")
    if isinstance(st.Principal, dict):
        if not st.Principal:
            yield Violation(("Principal",), 'name at least one principal, or "*"')
        for kind in st.Principal:
            if kind not in PRINCIPAL_TYPES:
                yield Violation(("Principal", kind), f"a principal type is one of {', '.join(PRINCIPAL_TYPES)}", at_key=True)


def statements(items: list[Statement]) -> list[dict]:
    """Statements as the modules' typed `policy_statements` objects (aws_iam_policy_document's shape)."""
    out = []
    for st in items:
        entry: dict = {}
        if st.Sid:
            entry["sid"] = st.Sid
        if st.Effect != "Allow":
            entry["effect"] = st.Effect
        entry["actions"] = _as_list(st.Action)
        if st.Resource is not None:
            entry["resources"] = _as_list(st.Resource)
        if st.Principal == "*":
            entry["principals"] = [{"type": "*", "identifiers": ["*"]}]
        else:
            entry["principals"] = [{"type": k, "identifiers": _as_list(v)} for k, v in st.Principal.items()]
        conditions = []
        for test, variables in st.Condition.items():
            for variable, values in variables.items():
                values = [v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(values)]
                conditions.append({"test": test, "variable": variable, "values": values})
        if conditions:
            entry["conditions"] = conditions
        out.append(entry)
    return out


def kms_key_problem(value: str) -> str | None:
    """Why `value` is not a KMS key id, ARN, alias or alias ARN, or None."""
    if KMS_KEY.match(value):
        return None
    return f"must be a KMS key id, key ARN, alias (alias/NAME) or alias ARN, got {shown(value)}"


def role_settings(permissions_boundary: str | None, path: str) -> dict:
    """The modules' `iam` object."""
    data: dict = {}
    if path != "/":
        data["path"] = path
    if permissions_boundary:
        data["permissions_boundary"] = permissions_boundary
    return data
