"""The bundled provider schemas are real, and the offline checker catches what
terraform validate would."""

from __future__ import annotations

import gzip
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from archgen.provider_schema import SchemaProblem, check_files, load_schema

FIXTURES = Path(__file__).parent / "fixtures" / "provider_schema"
MARKER = re.compile(r"#\s*error:\s*(.+?)\s*$")


# ---------------------------------------------------------------------------
# The data
# ---------------------------------------------------------------------------
def aws_resource(name: str) -> dict:
    return load_schema("aws")["resource_schemas"][name]["block"]


def test_schema_files_identify_their_source():
    aws = load_schema("aws")
    archive = load_schema("archive")
    assert (aws["source"], aws["version"]) == (
        "registry.terraform.io/hashicorp/aws",
        "6.69.1",
    )
    assert (archive["source"], archive["version"]) == (
        "registry.terraform.io/hashicorp/archive",
        "2.8.1",
    )
    assert len(aws["resource_schemas"]) > 1500
    assert len(aws["data_source_schemas"]) > 500
    assert set(archive["resource_schemas"]) == {"archive_file"}
    assert set(archive["data_source_schemas"]) == {"archive_file"}


def test_load_schema_is_cached_and_rejects_unknown_providers():
    assert load_schema("aws") is load_schema("aws")
    with pytest.raises(KeyError):
        load_schema("google")


def test_data_files_are_gzip_json_with_notice():
    data = resources.files("archgen").joinpath("data")
    raw = gzip.decompress(data.joinpath("archive.schema.json.gz").read_bytes())
    assert json.loads(raw)["resource_schemas"]["archive_file"]
    notice = data.joinpath("NOTICE").read_text()
    assert "MPL-2.0" in notice and "6.69.1" in notice and "2.8.1" in notice


def test_sqs_queue_arguments():
    attrs = aws_resource("aws_sqs_queue")["attributes"]
    assert attrs["name"] == {"type": "string", "optional": True, "computed": True}
    assert attrs["fifo_queue"] == {"type": "bool", "optional": True}
    assert (
        attrs["redrive_policy"]["type"] == "string"
        and attrs["redrive_policy"]["optional"]
    )
    assert attrs["visibility_timeout_seconds"]["type"] == "number"
    assert attrs["tags"]["type"] == ["map", "string"]
    assert attrs["arn"] == {"type": "string", "computed": True}  # computed-only
    assert attrs["url"] == {"type": "string", "computed": True}


def test_lambda_function_blocks():
    block = aws_resource("aws_lambda_function")
    tracing = block["block_types"]["tracing_config"]
    assert tracing["nesting_mode"] == "list" and tracing["max_items"] == 1
    assert "min_items" not in tracing
    assert tracing["block"]["attributes"]["mode"] == {
        "type": "string",
        "required": True,
    }
    vpc = block["block_types"]["vpc_config"]["block"]["attributes"]
    assert vpc["subnet_ids"] == {"type": ["set", "string"], "required": True}
    assert vpc["vpc_id"] == {"type": "string", "computed": True}
    assert block["attributes"]["role"]["required"] is True
    assert block["attributes"]["function_name"]["required"] is True
    assert block["block_types"]["timeouts"]["nesting_mode"] == "single"


def test_required_single_blocks_are_list_min1_max1_and_single_has_no_bounds():
    """Terraform rejects a provider schema whose "single" blocks carry min/max."""
    found_required_single = []

    def walk(block, path):
        for name, bt in block.get("block_types", {}).items():
            if bt["nesting_mode"] == "single":
                assert bt.get("min_items", 0) in (0, 1) and bt.get("max_items", 0) in (
                    0,
                    1,
                ), path + name
                assert "min_items" not in bt and "max_items" not in bt, path + name
            if bt.get("min_items") == 1 and bt.get("max_items") == 1:
                assert bt["nesting_mode"] == "list"
                found_required_single.append(path + name)
            walk(bt["block"], path + name + ".")

    for provider in ("aws", "archive"):
        s = load_schema(provider)
        walk(s["provider"]["block"], "provider.")
        for table in ("resource_schemas", "data_source_schemas"):
            for t, v in s[table].items():
                walk(v["block"], t + ".")
    assert "aws_wafv2_web_acl.default_action" in found_required_single


def test_every_resource_has_an_id():
    for provider in ("aws", "archive"):
        for t, v in load_schema(provider)["resource_schemas"].items():
            id_attr = v["block"]["attributes"]["id"]
            assert id_attr["type"] == "string" and id_attr.get("computed"), t


def test_override_security_group_rules_are_attributes():
    sg = aws_resource("aws_security_group")
    assert "ingress" not in sg.get("block_types", {})
    ingress = sg["attributes"]["ingress"]
    assert ingress["optional"] and ingress["computed"]
    kind, (obj, fields) = ingress["type"][0], ingress["type"][1]
    assert (kind, obj) == ("set", "object")
    assert fields["from_port"] == "number" and fields["cidr_blocks"] == [
        "list",
        "string",
    ]
    assert aws_resource("aws_network_acl")["attributes"]["egress"]["type"][0] == "set"


def test_override_wafv2_rule_statement_is_a_block_tree():
    rule = aws_resource("aws_wafv2_web_acl")["block_types"]["rule"]["block"]
    assert "statement" not in rule.get("attributes", {})
    statement = rule["block_types"]["statement"]
    assert (
        statement["nesting_mode"],
        statement["min_items"],
        statement["max_items"],
    ) == ("list", 1, 1)
    kinds = statement["block"]["block_types"]
    for k in (
        "ip_set_reference_statement",
        "rate_based_statement",
        "managed_rule_group_statement",
        "not_statement",
        "and_statement",
    ):
        assert k in kinds
    nested = kinds["not_statement"]["block"]["block_types"]["statement"]["block"][
        "block_types"
    ]
    assert "ip_set_reference_statement" in nested


def test_provider_config_schema():
    block = load_schema("aws")["provider"]["block"]
    assert block["attributes"]["region"] == {"type": "string", "optional": True}
    assert "alias" not in block["attributes"]
    default_tags = block["block_types"]["default_tags"]
    assert default_tags["max_items"] == 1
    assert default_tags["block"]["attributes"]["tags"]["type"] == ["map", "string"]


def test_data_sources_present():
    ds = load_schema("aws")["data_source_schemas"]
    doc = ds["aws_iam_policy_document"]["block"]
    assert doc["attributes"]["json"] == {"type": "string", "computed": True}
    assert (
        doc["block_types"]["statement"]["block"]["block_types"]["principals"][
            "nesting_mode"
        ]
        == "set"
    )
    assert {"aws_caller_identity", "aws_region", "aws_partition"} <= set(ds)
    archive = load_schema("archive")["data_source_schemas"]["archive_file"]["block"]
    assert archive["attributes"]["output_path"]["required"] is True
    assert archive["attributes"]["output_base64sha256"] == {
        "type": "string",
        "computed": True,
    }


# ---------------------------------------------------------------------------
# The checker, on fixtures: every "# error: <message>" marker must be reported
# on its line, and nothing else.
# ---------------------------------------------------------------------------
def expected_markers(text: str) -> set[tuple[int, str]]:
    out = set()
    for i, line in enumerate(text.splitlines(), start=1):
        m = MARKER.search(line)
        if m:
            out.add((i, m.group(1)))
    return out


def fixture_names(prefix: str) -> list[str]:
    return sorted(p.name for p in FIXTURES.glob(f"{prefix}_*.tf"))


def test_fixtures_exist():
    assert len(fixture_names("fail")) >= 6 and fixture_names("pass")


@pytest.mark.parametrize("name", fixture_names("pass"))
def test_pass_fixture_has_no_problems(name):
    text = (FIXTURES / name).read_text()
    assert check_files({f"modules/orders/{name}": text}) == []


@pytest.mark.parametrize("name", fixture_names("fail"))
def test_fail_fixture_reports_exactly_the_marked_problems(name):
    text = (FIXTURES / name).read_text()
    expected = expected_markers(text)
    assert expected, "a fail fixture must mark its errors"
    problems = check_files({f"modules/orders/{name}": text})
    assert all(p.file == f"modules/orders/{name}" for p in problems)
    got = set()
    for p in problems:
        match = [
            (line, msg)
            for line, msg in expected
            if line == p.line and p.message.startswith(msg)
        ]
        assert match, f"unexpected problem {p}"
        got.update(match)
    assert got == expected


# ---------------------------------------------------------------------------
# The checker, inline
# ---------------------------------------------------------------------------
def check(text: str) -> list[SchemaProblem]:
    return check_files({"main.tf": text})


def test_problem_fields_and_address():
    problems = check('resource "aws_sqs_queue" "this" {\n  nme = "x"\n}\n')
    assert problems == [
        SchemaProblem(
            "main.tf",
            2,
            "aws_sqs_queue.this",
            'Unsupported argument: An argument named "nme" is not expected here. '
            'Did you mean "name"?',
        )
    ]
    problems = check(
        'data "aws_iam_policy_document" "p" {\n  statement {\n    acts = []\n  }\n}\n'
    )
    assert [(p.line, p.address) for p in problems] == [
        (3, "data.aws_iam_policy_document.p.statement")
    ]


def test_dynamic_block_checked_as_block_and_counts_as_present():
    ok = """
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = "b"
  dynamic "rule" {
    for_each = var.rules
    content {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }
}
"""
    assert check(ok) == []
    bad = ok.replace('sse_algorithm = "aws:kms"', 'sse_algo = "aws:kms"')
    problems = check(bad)
    messages = sorted(p.message.split(":")[0] for p in problems)
    assert messages == ["Missing required argument", "Unsupported argument"]
    assert all(
        p.address.endswith("rule.apply_server_side_encryption_by_default")
        for p in problems
    )
    unknown = check(
        'resource "aws_sqs_queue" "q" {\n  dynamic "nope" {\n    for_each = []\n    content {}\n  }\n}\n'
    )
    assert [p.message.split(":")[0] for p in unknown] == ["Unsupported block type"]


def test_meta_arguments_ignored_and_expressions_not_type_checked():
    text = """
resource "aws_sqs_queue" "this" {
  count         = 2
  provider      = aws.use1
  depends_on    = [aws_sqs_queue.other]
  for_each      = {}
  fifo_queue    = var.fifo
  delay_seconds = "${var.delay}"
  tags          = merge(var.tags, { a = "b" })
  name          = "q-${count.index}"
  lifecycle {
    ignore_changes = [tags]
  }
}
"""
    assert check(text) == []


def test_terraform_conversions_are_accepted():
    text = """
resource "aws_sqs_queue" "this" {
  fifo_queue    = "true"
  delay_seconds = "5"
  name          = 5
}
"""
    assert check(text) == []


def test_block_syntax_for_object_list_attribute_is_checked():
    ok = 'resource "aws_security_group" "s" {\n  ingress {\n    from_port = 443\n  }\n}\n'
    assert check(ok) == []
    bad = (
        'resource "aws_security_group" "s" {\n  ingress {\n    from_prt = 443\n  }\n}\n'
    )
    assert [(p.line, p.address) for p in check(bad)] == [
        (3, "aws_security_group.s.ingress")
    ]


def test_provider_block_checked():
    problems = check(
        'provider "aws" {\n  alias  = "use1"\n  region = "us-east-1"\n  regoin = "x"\n}\n'
    )
    assert [(p.line, p.address) for p in problems] == [(4, "provider.aws")]
    problems = check(
        'provider "aws" {\n  default_tags {\n  }\n  default_tags {\n  }\n}\n'
    )
    assert [p.message.split(":")[0] for p in problems] == [
        "Too many default_tags blocks"
    ]


def test_only_tf_files_checked_and_parse_errors_reported():
    files = {
        "README.md": "resource {",
        "a/main.tf": 'resource "aws_sqs_queue" "q" {\n  name = \n}\n',
    }
    problems = check_files(files)
    assert len(problems) == 1 and problems[0].file == "a/main.tf"
    assert problems[0].message.startswith("Invalid HCL")


def test_other_providers_reported():
    problems = check(
        'resource "random_id" "x" {\n  byte_length = 4\n}\nresource "terraform_data" "t" {}\n'
    )
    assert [p.address for p in problems] == ["random_id.x"]


def test_unknown_names_get_terraform_style_suggestions():
    problems = check(
        'resource "aws_sqs_queue" "q" {\n  fifo_queu = true\n}\n'
        'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  role = "r"\n'
        '  tracing_confg {\n    mode = "Active"\n  }\n}\n'
    )
    assert [p.message for p in problems] == [
        'Unsupported argument: An argument named "fifo_queu" is not expected here. Did you mean "fifo_queue"?',
        (
            'Unsupported block type: Blocks of type "tracing_confg" are not expected here. '
            'Did you mean "tracing_config"?'
        ),
    ]


def test_schema_obeys_terraform_configschema_rules():
    """Terraform refuses a whole provider schema over one invalid block."""
    bad = []

    def has_dynamic(block):
        return any(
            "dynamic" in json.dumps(a["type"])
            for a in block.get("attributes", {}).values()
        ) or any(
            has_dynamic(bt["block"]) for bt in block.get("block_types", {}).values()
        )

    def walk(block, path):
        attrs, blocks = block.get("attributes", {}), block.get("block_types", {})
        bad.extend(f"{path}.{n}: attribute and block" for n in set(attrs) & set(blocks))
        for n, a in attrs.items():
            flags = (
                a.get("required", False),
                a.get("optional", False),
                a.get("computed", False),
            )
            if (
                not re.fullmatch(r"[a-z0-9_]+", n)
                or flags[0]
                and (flags[1] or flags[2])
                or not any(flags)
            ):
                bad.append(f"{path}.{n}: {flags}")
        for n, bt in blocks.items():
            mode, lo, hi = (
                bt["nesting_mode"],
                bt.get("min_items", 0),
                bt.get("max_items", 0),
            )
            if (
                (mode in ("single", "map") and (lo or hi))
                or (hi and lo > hi)
                or (mode == "set" and has_dynamic(bt["block"]))
            ):
                bad.append(f"{path}.{n}: {mode} {lo} {hi}")
            walk(bt["block"], f"{path}.{n}")

    for provider in ("aws", "archive"):
        s = load_schema(provider)
        walk(s["provider"]["block"], "provider")
        for table in ("resource_schemas", "data_source_schemas"):
            for t, v in s[table].items():
                walk(v["block"], t)
    assert bad == []
