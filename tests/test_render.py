"""Rendering: reviewed golden trees, determinism, formatting, atomic writes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from archgen import api
from archgen.render import UnsafeTemplateValue, _HCL_ENV
from conftest import EXAMPLES, ROOT

GOLDEN = ROOT / "tests" / "golden"


def render_example(example: Path, out: Path) -> dict[str, str]:
    bp = api.read_blueprint(example)
    assert bp.ok, bp.findings()
    return api.render_files(bp, out).files


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_golden_tree(example):
    """The reviewed output; regenerate with tools/update_golden.py on purpose and review the diff."""
    golden = GOLDEN / example.stem
    files = render_example(example, golden)
    on_disk = {p.relative_to(golden).as_posix(): p.read_text() for p in golden.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(on_disk)
    for rel, text in files.items():
        assert text == on_disk[rel], f"{example.stem}/{rel} differs from the golden file"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_two_renders_are_byte_identical(example, tmp_path):
    assert render_example(example, tmp_path / "o") == render_example(example, tmp_path / "o")


def test_layout(tmp_path):
    files = render_example(ROOT / "blueprints" / "shop.yaml", tmp_path / "o")
    assert {"versions.tf", "providers.tf", "backend.tf", "main.tf", "outputs.tf", "README.md"} <= set(files)
    for comp in ("orders", "notify", "events"):
        assert {f"modules/{comp}/{p}.tf" for p in ("main", "variables", "outputs")} <= set(files)
    assert "backend.tf" not in render_example(ROOT / "blueprints" / "fan-out.yaml", tmp_path / "o")
    assert "use_lockfile = true" in files["backend.tf"]
    assert '"archgen:blueprint" = "shop"' in files["providers.tf"]


def test_every_module_variable_is_typed_and_described(tmp_path):
    import hcl2

    for example in EXAMPLES:
        for rel, text in render_example(example, tmp_path / "o").items():
            if rel.endswith("variables.tf"):
                for block in hcl2.loads(text).get("variable", []):
                    for name, body in block.items():
                        assert "type" in body and "description" in body, (example.stem, rel, name)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_secure_defaults(example, tmp_path):
    files = render_example(example, tmp_path / "o")
    text = "\n".join(t for r, t in files.items() if r.endswith(".tf"))
    queues = text.count('resource "aws_sqs_queue" ')
    assert queues and text.count("sqs_managed_sse_enabled") == queues
    assert text.count('resource "aws_sqs_queue_policy"') == queues  # TLS-only policy on every queue
    assert text.count("aws:SecureTransport") >= queues
    assert text.count('resource "aws_lambda_function"') == text.count('mode = "Active"')
    assert text.count('resource "aws_lambda_function"') == text.count('resource "aws_cloudwatch_log_group"')
    for line in text.splitlines():
        if "actions" in line and '"*"' in line:
            pytest.fail(f"wildcard action: {line}")
    assert 'actions   = ["sqs:*"]' not in text.replace('effect    = "Deny"\n    actions   = ["sqs:*"]', "")


def test_validate_checks_render_output_structure(tmp_path):
    from archgen.checks import check_structure
    from archgen.render import Rendered

    files = render_example(ROOT / "blueprints" / "queue-worker.yaml", tmp_path / "o")
    ok = Rendered(dict(files), {k: "orders" if k.startswith("modules/") else "" for k in files})
    assert check_structure(ok, "out") == []
    broken = dict(files)
    broken["modules/orders/main.tf"] += '\nresource "aws_sqs_queue" "x" {\n  name = var.nope\n}\n'
    broken["main.tf"] = broken["main.tf"].replace('  name = "shop-orders"', '  name = "shop-orders"\n  colour = "blue"')
    found = check_structure(Rendered(broken, ok.sources), "out")
    assert sorted((f.rule, f.message) for f in found) == [
        ("AG902", "reference to undeclared var.nope"),
        ("AG903", "module orders: no variable 'colour' in ./modules/orders"),
    ]
    unparsable = dict(files)
    unparsable["outputs.tf"] += "output {"
    assert [f.rule for f in check_structure(Rendered(unparsable, ok.sources), "out")] == ["AG901"]


def test_templates_refuse_unescaped_strings():
    template = _HCL_ENV.from_string('name = "{{ value }}"')
    with pytest.raises(UnsafeTemplateValue):
        template.render(value='x" }\nresource "evil" "x" {')
    assert _HCL_ENV.from_string("name = {{ value|hcl }}").render(value='x"${y}') == 'name = "x\\"$${y}"'


# --- formatting, against the real formatters -----------------------------------


def _tf_files(tmp_path: Path) -> list[Path]:
    paths = []
    for example in EXAMPLES:
        out = tmp_path / example.stem
        for rel, text in render_example(example, out).items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_text(text)
            if rel.endswith(".tf"):
                paths.append(out / rel)
    return paths


def test_hclwrite_format_leaves_output_unchanged(tmp_path):
    """Go's hclwrite.Format, compiled to WebAssembly (npm @cdktf/hcl-tools)."""
    node_modules = ROOT / "node_modules" / "@cdktf" / "hcl-tools"
    assert node_modules.is_dir(), "run `npm ci` in the repository first (.ci/run does)"
    paths = _tf_files(tmp_path)
    proc = subprocess.run(["node", str(ROOT / "tests" / "format_check.js"), *map(str, paths)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_terraform_fmt_check(tmp_path):
    terraform = shutil.which("terraform")
    assert terraform, "terraform must be on PATH (.ci/run checks it)"
    _tf_files(tmp_path)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    proc = subprocess.run([terraform, "fmt", "-check", "-recursive", "-diff", str(tmp_path)], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- writing ----------------------------------------------------------------------


def test_render_writes_then_check_finds_no_drift(tmp_path, cli):
    example = ROOT / "blueprints" / "queue-worker.yaml"
    out = tmp_path / "out"
    assert cli("render", example, "-o", out).exit_code == 0
    assert (out / "modules" / "orders" / "main.tf").is_file()
    assert cli("render", example, "-o", out, "--check").exit_code == 0
    (out / "main.tf").write_text("# edited\n")
    result = cli("render", example, "-o", out, "--check")
    assert result.exit_code == 1
    assert (out / "main.tf").read_text() == "# edited\n"  # --check writes nothing


def test_rerender_keeps_terraform_working_files(tmp_path, cli):
    example = ROOT / "blueprints" / "queue-worker.yaml"
    out = tmp_path / "out"
    assert cli("render", example, "-o", out).exit_code == 0
    (out / ".terraform").mkdir()
    (out / ".terraform" / "x").write_text("provider")
    (out / "terraform.tfstate").write_text("{}")
    assert cli("render", example, "-o", out).exit_code == 0
    assert (out / ".terraform" / "x").read_text() == "provider"
    assert (out / "terraform.tfstate").read_text() == "{}"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_render_leaves_earlier_output_byte_identical(tmp_path, cli):
    example = ROOT / "blueprints" / "queue-worker.yaml"
    out = tmp_path / "out"
    assert cli("render", example, "-o", out).exit_code == 0
    before = snapshot(out)
    broken = tmp_path / "broken.yaml"
    broken.write_text(example.read_text().replace("max_receive_count: 5", "max_receive_count: 0"))
    (tmp_path / "src").symlink_to(ROOT / "blueprints" / "src")
    result = cli("render", broken, "-o", out)
    assert result.exit_code == 1
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml", "out", "src"]  # no temp folder left


def test_write_failure_midway_leaves_output_untouched(tmp_path, monkeypatch):
    from archgen import writer

    out = tmp_path / "out"
    writer.write_atomic(out, {"main.tf": "a\n", "modules/x/main.tf": "b\n"})
    before = snapshot(out)
    real_open = open
    calls = {"n": 0}

    def failing_open(path, *args, **kwargs):
        if "w" in (args[0] if args else kwargs.get("mode", "r")):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError("disk full")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(OSError):
        writer.write_atomic(out, {"main.tf": "new\n", "modules/x/main.tf": "new\n", "outputs.tf": "new\n"})
    monkeypatch.undo()
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_image_function_renders_and_passes_the_schema(tmp_path, write_blueprint):
    from archgen.checks import check_schema, check_structure

    path = write_blueprint(
        """
        archgen: 1
        name: img
        region: eu-west-1
        components:
          - name: jobs
            pattern: queue-worker
            function: {image_uri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/jobs:1.0, timeout: 60}
        """
    )
    bp = api.read_blueprint(path)
    assert bp.ok, bp.findings()
    rendered = api.render_files(bp, tmp_path / "out")
    main = rendered.files["modules/jobs/main.tf"]
    assert re.search(r'package_type +=+ "Image"', main) and "archive_file" not in main
    assert "archive" not in rendered.files["versions.tf"]
    assert check_structure(rendered, "out") == [] and check_schema(rendered, "out") == []
