"""The terraform gate: real terraform validate and plan against the stand-in provider.

These tests need the ``terraform`` binary on PATH and fail (never skip) when it
is missing.  The stand-in serves the small hand-written schemas in
``tests/fixtures/terraform/schemas`` so the tests do not depend on the size of
the bundled provider data.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import msgpack
import pytest

from archgen.terraform_gate import (
    ProviderMirror,
    TerraformDiagnostic,
    TerraformNotFoundError,
    TerraformResult,
    check_terraform,
    gate_available,
    run_terraform,
    terraform_available,
)
from archgen.tfprovider import cty
from archgen.tfprovider.datasources import ReadContext, read
from archgen.tfprovider.schema import SchemaIndex, block_from_pb, build_response

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"


def fixture_schema(provider: str) -> dict:
    return json.loads((FIXTURES / "schemas" / f"{provider}.schema.json").read_text())


@pytest.fixture(scope="session")
def mirror():
    if not terraform_available():
        pytest.fail("terraform is not on PATH: the terraform gate tests need Terraform 1.11+", pytrace=False)
    with ProviderMirror(schemas={name: fixture_schema(name) for name in ("aws", "archive")}) as m:
        yield m


@pytest.fixture(scope="session")
def pass_result(mirror) -> TerraformResult:
    return check_terraform(FIXTURES / "pass_basic", mirror=mirror)


@pytest.mark.slow
def test_terraform_and_extra_are_available():
    assert terraform_available(), "terraform must be on PATH for these tests"
    assert gate_available()


# --------------------------------------------------------------------------
# real terraform


@pytest.mark.slow
def test_valid_config_validates_and_plans_clean(pass_result: TerraformResult):
    assert pass_result.errors == (), "\n".join(map(str, pass_result.errors))
    assert pass_result.validated and pass_result.planned
    assert set(pass_result.timings) == {"init", "validate", "plan"}


@pytest.mark.slow
def test_plan_shows_the_resources_to_add(pass_result: TerraformResult):
    assert pass_result.change_summary.get("add") == 6
    creates = {addr for addr, action in pass_result.planned_changes if action == "create"}
    assert creates == {
        "aws_sqs_queue.dlq",
        "aws_sqs_queue.orders",
        "module.worker.aws_iam_role.this",
        "module.worker.aws_iam_role_policy.access",
        "module.worker.aws_lambda_function.this",
        "module.worker.aws_lambda_event_source_mapping.queue",
    }


@pytest.mark.slow
def test_run_terraform_returns_diagnostics_only(mirror):
    diags = run_terraform(FIXTURES / "fail_unknown_argument", mirror=mirror, plan=False)
    assert diags and all(isinstance(d, TerraformDiagnostic) for d in diags)


@pytest.mark.parametrize(
    ("fixture", "summary", "detail", "line"),
    [
        ("fail_unknown_argument", "Unsupported argument", '"visibility_timeout"', 3),
        ("fail_missing_required", "Missing required argument", '"assume_role_policy"', 1),
        ("fail_wrong_type", "Incorrect attribute value type", '"name"', 2),
        ("fail_repeated_block", "Too many tracing_config blocks", "No more than 1", 12),
    ],
)
@pytest.mark.slow
def test_invalid_config_is_reported_with_file_and_line(mirror, fixture, summary, detail, line):
    result = check_terraform(FIXTURES / fixture, mirror=mirror)
    assert not result.validated and not result.planned
    errors = result.errors
    assert len(errors) == 1, "\n".join(map(str, result.diagnostics))
    (diag,) = errors
    assert diag.summary == summary
    assert detail in diag.detail
    assert (diag.file, diag.line) == ("main.tf", line)


@pytest.mark.slow
def test_output_folder_is_left_untouched(mirror, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(FIXTURES / "pass_basic", out)
    (out / ".terraform.lock.hcl").write_text("# stale lock for the real provider\n")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    result = check_terraform(out, mirror=mirror, plan=False)
    assert result.validated, "\n".join(map(str, result.diagnostics))
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_missing_terraform_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not terraform_available()
    assert not gate_available()
    with pytest.raises(TerraformNotFoundError, match="terraform is not on PATH"):
        run_terraform(FIXTURES / "pass_basic")


# --------------------------------------------------------------------------
# the stand-in's pieces, without terraform


def test_unknown_values_travel_as_msgpack_extension_zero():
    ty = cty.parse_type(["object", {"a": "string", "b": ["list", "number"], "c": "dynamic"}])
    data = cty.encode({"a": cty.UNKNOWN, "b": [1, 2.5], "c": {"x": True}}, ty)
    raw = msgpack.unpackb(data, raw=False)
    assert raw["a"] == msgpack.ExtType(0, b"\x00")
    assert b"\xd4\x00\x00" in data
    assert raw["c"][0] == b'["object",{"x":"bool"}]'
    back = cty.decode(data, ty)
    assert back["a"] is cty.UNKNOWN
    assert back["b"] == [1, 2.5]
    assert back["c"] == cty.Dynamic(("object", {"x": "bool"}), {"x": True})


def test_single_blocks_keep_min_and_max_within_one():
    schema = {
        "provider": {"version": 0, "block": {}},
        "resource_schemas": {
            "x_thing": {
                "version": 0,
                "block": {
                    "attributes": {"id": {"type": "string", "optional": True, "computed": True}},
                    "block_types": {"cfg": {"nesting_mode": "single", "block": {}, "min_items": 2, "max_items": 5}},
                },
            }
        },
        "data_source_schemas": {},
    }
    resp = build_response(schema)
    (nested,) = resp.resource_schemas["x_thing"].block.block_types
    assert (nested.min_items, nested.max_items) == (1, 1)
    assert resp.provider.HasField("block")  # an empty block is still sent


def test_policy_document_is_real_json():
    index = SchemaIndex(build_response(fixture_schema("aws")))
    block = index.data_source("aws_iam_policy_document")
    config = cty.decode(
        cty.encode(
            {
                "statement": [
                    {
                        "sid": "Read",
                        "actions": ["s3:GetObject"],
                        "resources": ["arn:aws:s3:::b/*"],
                        "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
                        "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]}],
                    }
                ]
            },
            block.implied_type(),
        ),
        block.implied_type(),
    )
    state = read("aws_iam_policy_document", block, config, ReadContext())
    doc = json.loads(state["json"])
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        ],
    }
    assert json.loads(state["minified_json"]) == doc
    assert state["id"]


def test_archive_file_builds_the_zip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("print('hi')\n")
    block = block_from_pb(build_response(fixture_schema("archive")).data_source_schemas["archive_file"].block)
    config = {name: None for name in block.implied_type()[1]}
    config.update(type="zip", source_dir="src", output_path="build/app.zip")
    state = read("archive_file", block, config, ReadContext())
    data = (tmp_path / "build" / "app.zip").read_bytes()
    assert zipfile.ZipFile(tmp_path / "build" / "app.zip").namelist() == ["app.py"]
    assert state["output_size"] == len(data)
    assert len(state["output_md5"]) == 32 and len(state["output_sha256"]) == 64
    assert state["id"] == state["output_sha"]


def test_other_data_sources_get_known_values():
    index = SchemaIndex(build_response(fixture_schema("aws")))
    state = read("aws_region", index.data_source("aws_region"), {}, ReadContext("eu-central-1"))
    assert state["region"] == state["name"] == "eu-central-1"
    state = read("aws_partition", index.data_source("aws_partition"), {}, ReadContext())
    assert (state["partition"], state["dns_suffix"]) == ("aws", "amazonaws.com")
