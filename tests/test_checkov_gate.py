"""The checkov gate: every example's output has 0 failed checks; an insecure fixture fails.

checkov runs from its own environment (it cannot share one with python-hcl2 8.x):
these tests find it through ARCHGEN_CHECKOV or PATH and FAIL, never skip, when it
is missing.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from archgen import api
from archgen.checkov_gate import CheckovError, CheckovFailure, checkov_available, parse_report, run_checkov
from conftest import write_tree

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "blueprints").glob("*.yaml"))
FIXTURES = Path(__file__).parent / "fixtures" / "checkov"


@pytest.fixture(scope="module")
def checkov() -> None:
    if not checkov_available():
        pytest.fail(
            "checkov is required for these tests and was not found: install it in its own venv "
            "(python3 -m venv /work/checkov-venv && /work/checkov-venv/bin/pip install checkov) "
            "and put it on PATH or set ARCHGEN_CHECKOV to the executable"
        )


def render(blueprint: Path, out_dir: Path) -> Path:
    return write_tree(api.rendered_for(blueprint).files, out_dir)


@pytest.mark.parametrize("blueprint", EXAMPLES, ids=lambda p: p.stem)
def test_example_output_has_no_failed_checks(checkov: None, blueprint: Path, tmp_path: Path) -> None:
    out = render(blueprint, tmp_path / blueprint.stem)
    started = time.monotonic()
    failures = run_checkov(out)
    print(f"checkov {blueprint.stem}: {time.monotonic() - started:.2f} s")
    assert failures == [], "\n".join(map(str, failures))


def test_insecure_fixture_fails_the_expected_checks(checkov: None) -> None:
    folder = FIXTURES / "fail_insecure"
    failures = run_checkov(folder)
    found = {(f.check_id, f.resource) for f in failures}
    assert ("CKV_AWS_27", "aws_sqs_queue.plain") in found  # SQS without server-side encryption
    assert ("CKV_AWS_26", "aws_sns_topic.plain") in found  # SNS without KMS
    assert ("CKV_AWS_338", "aws_cloudwatch_log_group.short") in found  # retention under a year
    assert ("CKV_AWS_158", "aws_cloudwatch_log_group.short") in found  # log group without KMS
    # the inline #checkov:skip is honoured
    assert not any(f.resource == "aws_sqs_queue.skipped" for f in failures)
    by_resource = {f.resource: f for f in failures}
    queue = by_resource["aws_sqs_queue.plain"]
    assert queue.file == "main.tf"
    assert queue.line == 4


def test_parse_report_accepts_a_list_and_a_bare_summary(tmp_path: Path) -> None:
    failed = {
        "check_id": "CKV_AWS_27",
        "check_name": "Ensure all data stored in the SQS queue is encrypted",
        "file_path": "/modules/a/main.tf",
        "file_abs_path": str(tmp_path / "modules" / "a" / "main.tf"),
        "file_line_range": [3, 5],
        "resource": "module.a.aws_sqs_queue.q",
        "guideline": "https://docs.example/ckv_aws_27",
    }
    report = {"check_type": "terraform", "results": {"failed_checks": [failed]}, "summary": {}}
    expected = [
        CheckovFailure(
            "CKV_AWS_27",
            "Ensure all data stored in the SQS queue is encrypted",
            "modules/a/main.tf",
            3,
            "module.a.aws_sqs_queue.q",
            "https://docs.example/ckv_aws_27",
        )
    ]
    assert parse_report(json.dumps(report), tmp_path) == expected
    assert parse_report(json.dumps([report, {"check_type": "secrets", "results": {"failed_checks": []}}]), tmp_path) == expected
    # nothing to scan: checkov prints only a summary
    assert parse_report(json.dumps({"passed": 0, "failed": 0, "skipped": 0}), tmp_path) == []
    with pytest.raises(CheckovError):
        parse_report("not json", tmp_path)


def test_missing_checkov_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARCHGEN_CHECKOV", str(tmp_path / "no-such-checkov"))
    assert not checkov_available()
    with pytest.raises(CheckovError, match="checkov is not installed"):
        run_checkov(tmp_path)
