"""The command-line contract: exit codes, finding lines, formats, gates, init, render's folder rules."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archgen import patterns
from conftest import EXAMPLES, ROOT

GOOD = """
archgen: 1
name: shop
region: eu-west-1
components:
  - name: orders
    pattern: queue-worker
    function:
      runtime: python3.13
      handler: app.handler
      source: src/app
    dead_letter:
      max_receive_count: 0
"""


def validate(cli, *args):
    return cli("validate", "--no-terraform", *args)


def test_finding_line_points_at_the_value(write_blueprint, cli):
    path = write_blueprint(GOOD)
    result = validate(cli, path)
    assert result.exit_code == 1
    assert result.stdout == f"{path}:12:26: error AG104 components[0].dead_letter.max_receive_count: must be between 1 and 1000, got 0\n"


def test_json_format_fields(write_blueprint, cli):
    path = write_blueprint(GOOD)
    result = validate(cli, "--format", "json", path)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "file": str(path),
            "line": 12,
            "column": 26,
            "severity": "error",
            "rule": "AG104",
            "path": "components[0].dead_letter.max_receive_count",
            "message": "must be between 1 and 1000, got 0",
        }
    ]


def test_sarif_carries_rule_help_and_file_uris(write_blueprint, cli, tmp_path, monkeypatch):
    path = write_blueprint(GOOD, name="my blueprint.yaml")
    result = validate(cli, "--format", "sarif", path)
    assert result.exit_code == 1
    run = json.loads(result.stdout)["runs"][0]
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["id"] == "AG104" and rule["helpUri"].startswith("https://docs.aws.amazon.com/")
    assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    (res,) = run["results"]
    location = res["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == path.as_uri()  # absolute: a file:// URI, percent-encoded
    assert "%20" in location["artifactLocation"]["uri"]
    assert (location["region"]["startLine"], location["region"]["startColumn"]) == (12, 26)
    monkeypatch.chdir(tmp_path)
    relative = validate(cli, "--format", "sarif", "my blueprint.yaml")
    uri = json.loads(relative.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20blueprint.yaml"


def test_sarif_stays_valid_on_an_internal_error(write_blueprint, cli, monkeypatch):
    from archgen import api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "read_blueprint", broken)
    monkeypatch.delenv("ARCHGEN_DEBUG", raising=False)
    result = validate(cli, "--format", "sarif", write_blueprint(GOOD))
    assert result.exit_code == 2
    assert json.loads(result.stdout)["runs"][0]["results"] == []
    assert "internal error" in result.stderr


def test_clean_blueprint_exits_0_with_a_summary(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("max_receive_count: 0", "max_receive_count: 5"))
    result = validate(cli, path)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.strip().splitlines()[-1] == "1 blueprint, 0 findings (gates: schema)"


def test_warnings_fail_only_with_strict(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("max_receive_count: 0", "retention: 1d") + "    queue: {retention: 2d}\n")
    assert validate(cli, path).exit_code == 0
    result = validate(cli, "--strict", path)
    assert result.exit_code == 1
    assert "warning AG105 components[0].dead_letter.retention" in result.stdout


def test_unknown_field_points_at_the_key_with_did_you_mean(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("max_receive_count: 0", "max_recieve_count: 3"))
    result = validate(cli, path)
    assert result.exit_code == 1
    assert result.stdout == f"{path}:12:7: error AG003 components[0].dead_letter.max_recieve_count: unknown field 'max_recieve_count'; did you mean 'max_receive_count'?\n"


def test_duplicate_key_points_at_the_second(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("    dead_letter:\n", "    fifo: false\n    fifo: true\n    dead_letter:\n"))
    result = validate(cli, path)
    assert result.exit_code == 1
    assert f"{path}:12:5: error AG002 components[0].fifo: duplicate key 'fifo' (first written at line 11)" in result.stdout


def test_missing_field_points_at_the_enclosing_element(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("    function:\n      runtime: python3.13\n      handler: app.handler\n      source: src/app\n", ""))
    result = validate(cli, path)
    assert result.exit_code == 1
    assert f"{path}:5:5: error AG004 components[0]: missing required field 'function'" in result.stdout


def test_unknown_pattern_did_you_mean(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("pattern: queue-worker", "pattern: queue-workers"))
    result = validate(cli, path)
    assert result.exit_code == 1
    assert f"{path}:6:14: error AG008 components[0].pattern: unknown pattern 'queue-workers'; did you mean 'queue-worker'?" in result.stdout


@pytest.mark.parametrize("version", ["2", "1.0", "true", "'1'"])
def test_version_must_be_the_integer_1(write_blueprint, cli, version):
    path = write_blueprint(GOOD.replace("archgen: 1", f"archgen: {version}").replace("max_receive_count: 0", "max_receive_count: 5"))
    result = validate(cli, path)
    assert result.exit_code == 1
    assert [line.split()[2] for line in result.stdout.splitlines()] == ["AG006"]


def test_duplicate_component(write_blueprint, cli):
    text = GOOD.replace("max_receive_count: 0", "max_receive_count: 5")
    text += "  - name: orders\n    pattern: topic-worker\n    function: {runtime: python3.13, handler: app.handler, source: src/app}\n"
    result = validate(cli, write_blueprint(text))
    assert result.exit_code == 1
    assert [line.split()[2] for line in result.stdout.splitlines()] == ["AG007"]


def test_malformed_yaml_exits_2_with_a_line(write_blueprint, cli):
    path = write_blueprint("archgen: 1\nname: [shop\nregion: x\n")
    result = validate(cli, path)
    assert result.exit_code == 2
    line = result.stdout.strip()
    assert line.startswith(f"{path}:3:") and " error AG001 " in line


def test_missing_file_exits_2(cli, tmp_path):
    result = validate(cli, tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stdout == f"{tmp_path / 'nope.yaml'}:1:1: error AG001 no such file\n"


def test_endless_or_huge_input_is_refused(cli, tmp_path):
    result = validate(cli, "/dev/zero")
    assert result.exit_code == 2 and "AG011" in result.stdout
    big = tmp_path / "big.yaml"
    big.write_text("archgen: 1\n" + "# padding\n" * 2000)
    assert validate(cli, "--max-bytes", "1000", big).exit_code == 2
    assert validate(cli, "--max-bytes", "100000", big).exit_code == 1  # read: not a valid blueprint


def test_not_a_mapping(write_blueprint, cli):
    result = validate(cli, write_blueprint("- just\n- a list\n"))
    assert result.exit_code == 1 and "AG005" in result.stdout


def test_usage_error_exits_2(cli):
    assert cli("validate", "--format", "xml", "x.yaml").exit_code == 2
    assert cli("render").exit_code == 2
    assert cli().exit_code == 2
    assert cli("frobnicate").exit_code == 2
    result = cli("render", "--max-bytes", "0", "x.yaml")
    assert result.exit_code == 2 and "--max-bytes" in result.stderr and "at least 1" in result.stderr


def test_help_and_version(cli):
    from archgen import __version__

    result = cli("--help")
    assert result.exit_code == 0
    assert all(command in result.stdout for command in ("render", "validate", "list", "schema", "init"))
    result = cli("validate", "--help")
    assert result.exit_code == 0 and "--no-terraform" in result.stdout and "--format" in result.stdout
    assert cli("--version").stdout.strip() == f"archgen, version {__version__}"


def test_list_names_every_discovered_pattern(cli):
    result = cli("list")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == patterns.names()
    assert all(len(line.split(None, 1)) == 2 for line in result.stdout.splitlines())


def test_schema_is_json_schema_with_every_pattern(cli):
    result = cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["required"]) >= {"archgen", "name", "region", "components"}
    mapping = schema["properties"]["components"]["items"]["discriminator"]["mapping"]
    assert set(mapping) == set(patterns.names())
    assert schema["additionalProperties"] is False


def test_schema_accepts_the_examples(cli):
    import jsonschema
    import yaml

    schema = json.loads(cli("schema").stdout)
    for example in EXAMPLES:
        jsonschema.validate(yaml.safe_load(example.read_text()), schema)


def test_init_writes_a_blueprint_that_validates_for_every_pattern(tmp_path, cli):
    with_starter = [p for p in patterns.names() if (ROOT / "templates" / p / "starter" / "component.yaml").is_file()]
    assert set(with_starter) == set(patterns.names()), "every pattern ships a starter"
    target = tmp_path / "demo"
    result = cli("init", target, *[a for p in with_starter for a in ("--pattern", p)])
    assert result.exit_code == 0, result.output
    text = (target / "blueprint.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    check = validate(cli, target / "blueprint.yaml")
    assert check.exit_code == 0, check.output
    assert cli("init", target).exit_code == 2  # exists; --force overwrites it
    assert cli("init", target, "--force", "--name", "other").exit_code == 0
    assert "name: other" in (target / "blueprint.yaml").read_text()


def test_init_refuses_what_it_cannot_write(tmp_path, cli, monkeypatch):
    (tmp_path / "file").write_text("x")
    result = cli("init", tmp_path / "file" / "sub")
    assert result.exit_code == 2 and "archgen:" in result.stderr and "internal error" not in result.stderr
    (tmp_path / "dir" / "blueprint.yaml").mkdir(parents=True)
    result = cli("init", tmp_path / "dir", "--force")
    assert result.exit_code == 2 and "is a folder" in result.stderr
    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)  # a folder that is not writable (root writes anywhere)
    result = cli("init", tmp_path / "locked")
    assert result.exit_code == 2 and "cannot write" in result.stderr and "Permission denied" in result.stderr


def test_an_asked_gate_that_cannot_run_exits_2(write_blueprint, cli, monkeypatch):
    from archgen import terraform_gate

    path = write_blueprint(GOOD.replace("max_receive_count: 0", "max_receive_count: 5"))
    monkeypatch.setattr(terraform_gate, "terraform_available", lambda: False)
    result = cli("validate", "--terraform", path)
    assert result.exit_code == 2 and result.stderr.startswith("archgen: --terraform asked, but") and "no terraform on PATH" in result.stderr
    result = cli("validate", path)  # not asked: one line says it did not run
    assert result.exit_code == 0
    assert [line for line in result.stderr.splitlines() if "terraform did not run" in line] == ["archgen: terraform did not run (no terraform on PATH)"]
    monkeypatch.setenv("ARCHGEN_CHECKOV", "/nonexistent/checkov")
    monkeypatch.setenv("PATH", "/nonexistent")
    result = cli("validate", "--no-terraform", "--checkov", path)
    assert result.exit_code == 2 and "--checkov asked" in result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_validate_strictly(cli, example):
    result = validate(cli, example) if example.stem == "shop" else validate(cli, "--strict", example)
    assert result.exit_code == 0, result.output


# --- render and its output folder ----------------------------------------------------


def test_render_writes_then_check_finds_no_drift(tmp_path, cli):
    example = ROOT / "blueprints" / "queue-worker.yaml"
    out = tmp_path / "out"
    assert cli("render", example, "-o", out).exit_code == 0
    assert (out / "modules" / "intake" / "main.tf").is_file()
    assert cli("render", example, "-o", out, "--check").exit_code == 0
    (out / "main.tf").write_text("# edited\n")
    result = cli("render", example, "-o", out, "--check")
    assert result.exit_code == 1 and "main.tf" in result.stderr and "-# edited" in result.stderr  # the user's edit, in a diff
    assert (out / "main.tf").read_text() == "# edited\n"  # --check writes nothing
    result = cli("render", example, "-o", out)
    assert result.exit_code == 0 and "main.tf" in result.stderr and "edited" in result.stderr
    assert (out / "main.tf").read_text() != "# edited\n"


def test_render_refuses_a_foreign_folder_and_force_lists_what_it_overwrites(tmp_path, cli):
    example = ROOT / "blueprints" / "queue-worker.yaml"
    folder = tmp_path / "mine"
    (folder / "modules" / "mine").mkdir(parents=True)
    (folder / "README.md").write_text("my notes\n")
    (folder / "modules" / "mine" / "main.tf").write_text("# mine\n")
    result = cli("render", example, "-o", folder)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert (folder / "README.md").read_text() == "my notes\n"
    result = cli("render", example, "-o", folder, "--force")
    assert result.exit_code == 0
    assert "overwriting README.md" in result.stderr
    assert (folder / "modules" / "mine" / "main.tf").read_text() == "# mine\n"


def test_user_files_survive_a_rerender(tmp_path, cli):
    example = ROOT / "blueprints" / "queue-worker.yaml"
    out = tmp_path / "out"
    assert cli("render", example, "-o", out).exit_code == 0
    (out / ".terraform").mkdir()
    (out / ".terraform" / "x").write_text("provider")
    (out / "terraform.tfstate").write_text("{}")
    (out / "modules" / "intake" / "extra.tf").write_text("# mine\n")
    inode = out.stat().st_ino
    assert cli("render", example, "-o", out).exit_code == 0
    assert (out / ".terraform" / "x").read_text() == "provider"
    assert (out / "terraform.tfstate").read_text() == "{}"
    assert (out / "modules" / "intake" / "extra.tf").read_text() == "# mine\n"
    assert out.stat().st_ino == inode


def test_failed_render_leaves_earlier_output_byte_identical(tmp_path, cli):
    example = ROOT / "blueprints" / "queue-worker.yaml"
    out = tmp_path / "out"
    assert cli("render", example, "-o", out).exit_code == 0
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    broken = tmp_path / "broken.yaml"
    broken.write_text(example.read_text().replace("max_receive_count: 5", "max_receive_count: 0"))
    (tmp_path / "src").symlink_to(ROOT / "blueprints" / "src")
    assert cli("render", broken, "-o", out).exit_code == 1
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml", "out", "src"]


def test_two_blueprints_with_one_name_are_refused_on_the_second(tmp_path, cli):
    (tmp_path / "src").symlink_to(ROOT / "blueprints" / "src")
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    text = (ROOT / "blueprints" / "queue-worker.yaml").read_text()
    first.write_text(text)
    second.write_text("\n" + text)  # the name one line lower than in the first
    result = cli("render", first, second, "-o", tmp_path / "out")
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{second}:4:7: error AG012 name: ") and str(first) in line
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_ctrl_c_exits_130_and_names_the_complete_outputs(tmp_path):
    """SIGINT during a render of many blueprints: exit 130, one line, no debris."""
    (tmp_path / "src").symlink_to(ROOT / "blueprints" / "src")
    text = (ROOT / "blueprints" / "fan-out.yaml").read_text()
    paths = []
    for i in range(40):
        path = tmp_path / f"bp{i}.yaml"
        path.write_text(text.replace("name: events", f"name: events{i}"))
        paths.append(str(path))
    archgen = Path(sys.executable).with_name("archgen")
    proc = subprocess.Popen([str(archgen), "render", *paths, "-o", str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "out").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    (line,) = [l for l in err.splitlines() if "interrupted" in l]
    assert line.startswith("archgen: interrupted; complete outputs:")
    debris = [p for p in (tmp_path / "out").rglob("*") if p.name.startswith((".archgen-staging", ".archgen-journal")) or p.name.endswith((".tmp", ".old"))]
    assert debris == []


# --- the gates on the examples -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_pass_schema_and_terraform_gates(example):
    """Provider schema, then real terraform validate and plan through the stand-in provider."""
    from archgen import api
    from archgen.terraform_gate import gate_available

    assert gate_available(), "terraform on PATH and archgen[terraform] installed (.ci/run does both)"
    report = api.validate([example], gates=["terraform"])
    assert [f for f in report.findings if f.severity == "error"] == []


@pytest.mark.slow
def test_terraform_gate_findings_name_the_rendered_file(monkeypatch):
    """A mistake only terraform sees (an attribute resources do not have) comes back as AG920."""
    from archgen import api

    real = api.render_files

    def broken(bp):
        result = real(bp)
        rel = "modules/intake/outputs.tf"
        result.files[rel] = result.files[rel].replace("aws_sqs_queue.this.url", "aws_sqs_queue.this.urll", 1)
        return result

    monkeypatch.setattr(api, "render_files", broken)
    report = api.validate([ROOT / "blueprints" / "queue-worker.yaml"], gates=["terraform"])
    assert {f.rule for f in report.findings} == {"AG920"}, report.findings
    finding = next(f for f in report.findings if f.rule == "AG920")
    assert finding.file.endswith("/modules/intake/outputs.tf") and finding.path == "components.intake"
    assert "urll" in finding.message


def test_a_source_folder_holding_the_output_is_refused(tmp_path, cli):
    source = tmp_path / "src" / "app"
    source.mkdir(parents=True)
    (source / "app.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "bp.yaml"
    path.write_text(GOOD.replace("max_receive_count: 0", "max_receive_count: 5"))
    result = cli("render", path, "-o", source / "out")
    assert result.exit_code == 1 and " AG055 " in result.stdout and "holds the output folder" in result.stdout
    assert not (source / "out").exists()


def test_validate_says_which_gates_ran_even_with_findings(write_blueprint, cli):
    result = validate(cli, write_blueprint(GOOD))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "1 blueprint, 1 finding (gates: schema)"
