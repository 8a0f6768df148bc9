"""Lambda packages survive a plan/apply split: `terraform plan -out` in one clean checkout,
`terraform apply` of that plan in another (as CI jobs and remote runners do).

The stand-in provider applies as far as proving this needs: the archive provider's
`archive_file` resource builds its zip at apply time, and `aws_lambda_function` fails, as
the real provider does, when its package is not on disk at apply time.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from archgen import api
from archgen.terraform_gate import _base_env, default_mirror, terraform_binary
from conftest import ROOT, write_tree

pytestmark = pytest.mark.slow


def terraform(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = _base_env(str(default_mirror().cli_config))
    return subprocess.run([terraform_binary(), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=600, check=False)


def checkout(rendered, folder: Path) -> Path:
    """A clean checkout of the committed output: no backend (offline), no .terraform, no builds."""
    write_tree({k: v for k, v in rendered.files.items() if k != "backend.tf"}, folder)
    return folder


def test_plan_in_one_checkout_apply_in_another(tmp_path):
    rendered = api.rendered_for(ROOT / "blueprints" / "queue-worker.yaml")
    plan_job = checkout(rendered, tmp_path / "plan")
    assert terraform(plan_job, "init", "-input=false").returncode == 0
    planned = terraform(plan_job, "plan", "-input=false", "-out=tfplan")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert not list(plan_job.rglob("*.zip")), "the package must not be built at plan time"

    apply_job = checkout(rendered, tmp_path / "apply")
    shutil.copy(plan_job / "tfplan", apply_job / "tfplan")
    shutil.copy(plan_job / ".terraform.lock.hcl", apply_job / ".terraform.lock.hcl")
    assert terraform(apply_job, "init", "-input=false").returncode == 0
    applied = terraform(apply_job, "apply", "-input=false", "tfplan")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    (package,) = apply_job.glob("modules/intake/.build/*.zip")
    assert zipfile.ZipFile(package).namelist() == ["app.py"]

    # a changed source gives a new archive path: the package is rebuilt and the function updated
    (apply_job / "modules" / "intake" / "functions" / "worker" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    again = terraform(apply_job, "plan", "-input=false", "-no-color")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "module.intake.archive_file.worker must be replaced" in again.stdout
    assert "module.intake.aws_lambda_function.worker will be updated in-place" in again.stdout


def test_a_plan_time_package_would_fail_the_apply_job(tmp_path):
    """The stand-in is strict enough to catch what issue #39 of the archive provider describes:
    with `data "archive_file"` the zip exists only where the plan ran."""
    rendered = api.rendered_for(ROOT / "blueprints" / "queue-worker.yaml")
    for rel, text in list(rendered.files.items()):
        if rel == "modules/intake/main.tf":
            text = text.replace('resource "archive_file" "worker"', 'data "archive_file" "worker"')
            rendered.files[rel] = text.replace("archive_file.worker.", "data.archive_file.worker.")
    plan_job = checkout(rendered, tmp_path / "plan")
    assert terraform(plan_job, "init", "-input=false").returncode == 0
    assert terraform(plan_job, "plan", "-input=false", "-out=tfplan").returncode == 0
    apply_job = checkout(rendered, tmp_path / "apply")
    shutil.copy(plan_job / "tfplan", apply_job / "tfplan")
    shutil.copy(plan_job / ".terraform.lock.hcl", apply_job / ".terraform.lock.hcl")
    assert terraform(apply_job, "init", "-input=false").returncode == 0
    applied = terraform(apply_job, "apply", "-input=false", "tfplan")
    assert applied.returncode != 0
    assert "no such file" in applied.stdout + applied.stderr
