"""The command-line contract of BLUEPRINTS.md: exit codes, finding lines, formats."""

from __future__ import annotations

import json

import pytest

from conftest import EXAMPLES

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


def test_finding_line_points_at_the_value(write_blueprint, cli):
    path = write_blueprint(GOOD)
    result = cli("validate", path)
    assert result.exit_code == 1
    assert result.output == f"{path}:12:26: error AG104 components[0].dead_letter.max_receive_count: must be between 1 and 1000, got 0\n"


def test_json_format_fields(write_blueprint, cli):
    path = write_blueprint(GOOD)
    result = cli("validate", "--format", "json", path)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data == [
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


def test_sarif_shape(write_blueprint, cli):
    path = write_blueprint(GOOD)
    result = cli("validate", "--format", "sarif", path)
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "archgen"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["AG104"]
    (res,) = run["results"]
    assert res["ruleId"] == "AG104" and res["level"] == "error"
    region = res["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (12, 26)


def test_clean_blueprint_exits_0(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("max_receive_count: 0", "max_receive_count: 3"))
    result = cli("validate", path)
    assert (result.exit_code, result.output) == (0, "")


def test_warnings_fail_only_with_strict(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("max_receive_count: 0", "retention: 1d") + "    queue: {retention: 2d}\n")
    assert cli("validate", path).exit_code == 0
    result = cli("validate", "--strict", path)
    assert result.exit_code == 1
    assert "warning AG105 components[0].dead_letter.retention" in result.output


def test_unknown_field_points_at_the_key_with_did_you_mean(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("max_receive_count: 0", "max_recieve_count: 3"))
    result = cli("validate", path)
    assert result.exit_code == 1
    assert result.output == f"{path}:12:7: error AG003 components[0].dead_letter.max_recieve_count: unknown field 'max_recieve_count'; did you mean 'max_receive_count'?\n"


def test_duplicate_key_points_at_the_second(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("    dead_letter:\n", "    fifo: false\n    fifo: true\n    dead_letter:\n"))
    result = cli("validate", path)
    assert result.exit_code == 1
    assert f"{path}:12:5: error AG002 components[0].fifo: duplicate key 'fifo' (first written at line 11)" in result.output


def test_missing_field_points_at_the_enclosing_element(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("    function:\n      runtime: python3.13\n      handler: app.handler\n      source: src/app\n", ""))
    result = cli("validate", path)
    assert result.exit_code == 1
    assert f"{path}:5:5: error AG004 components[0]: missing required field 'function'" in result.output


def test_unknown_pattern_did_you_mean(write_blueprint, cli):
    path = write_blueprint(GOOD.replace("pattern: queue-worker", "pattern: queue-workers"))
    result = cli("validate", path)
    assert result.exit_code == 1
    assert f"{path}:6:14: error AG008 components[0].pattern: unknown pattern 'queue-workers'; did you mean 'queue-worker'?" in result.output


def test_version_and_duplicate_component(write_blueprint, cli):
    text = GOOD.replace("archgen: 1", "archgen: 2").replace("max_receive_count: 0", "max_receive_count: 3")
    text += "  - name: orders\n    pattern: topic-worker\n    function: {runtime: python3.13, handler: app.handler, source: src/app}\n"
    result = cli("validate", write_blueprint(text))
    assert result.exit_code == 1
    rules = [line.split()[2] for line in result.output.splitlines()]
    assert rules == ["AG006", "AG007"]


def test_malformed_yaml_exits_2_with_a_line(write_blueprint, cli):
    path = write_blueprint("archgen: 1\nname: [shop\nregion: x\n")
    result = cli("validate", path)
    assert result.exit_code == 2
    line = result.output.strip()
    assert line.startswith(f"{path}:3:") and " error AG001 " in line


def test_missing_file_exits_2(cli, tmp_path):
    result = cli("validate", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.output == f"{tmp_path / 'nope.yaml'}:1:1: error AG001 no such file\n"


def test_not_a_mapping(write_blueprint, cli):
    result = cli("validate", write_blueprint("- just\n- a list\n"))
    assert result.exit_code == 1 and "AG005" in result.output


def test_usage_error_exits_2(cli):
    assert cli("validate", "--format", "xml", "x.yaml").exit_code == 2
    assert cli("render").exit_code == 2


def test_list_names_every_pattern(cli):
    result = cli("list")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == ["queue-worker", "topic-worker", "fan-out"]


def test_schema_is_json_schema_with_every_pattern(cli):
    result = cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["required"]) >= {"archgen", "name", "region", "components"}
    mapping = schema["properties"]["components"]["items"]["discriminator"]["mapping"]
    assert set(mapping) == {"queue-worker", "topic-worker", "fan-out"}
    assert schema["additionalProperties"] is False


def test_schema_accepts_the_examples(cli):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra")
    import yaml

    schema = json.loads(cli("schema").output)
    for example in EXAMPLES:
        jsonschema.validate(yaml.safe_load(example.read_text()), schema)


def test_init_writes_a_blueprint_that_validates(tmp_path, cli):
    target = tmp_path / "demo"
    result = cli("init", target, "--pattern", "queue-worker", "--pattern", "topic-worker", "--pattern", "fan-out")
    assert result.exit_code == 0
    text = (target / "blueprint.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    assert cli("validate", target / "blueprint.yaml").exit_code == 0
    assert cli("init", target).exit_code == 2  # exists; --force overwrites
    assert cli("init", target, "--force", "--name", "other").exit_code == 0
    assert "name: other" in (target / "blueprint.yaml").read_text()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_validate(cli, example):
    result = cli("validate", "--strict", example) if example.stem != "shop" else cli("validate", example)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_examples_pass_schema_and_terraform_gates(example):
    """Provider schema, then real terraform validate and plan through the stand-in provider."""
    from archgen import api
    from archgen.terraform_gate import gate_available

    assert gate_available(), "terraform on PATH and archgen[terraform] installed (.ci/run does both)"
    report = api.validate([example], gates=["terraform"])
    assert [f for f in report.findings if f.severity == "error"] == []
    assert report.messages == []


def test_terraform_gate_findings_name_the_rendered_file(tmp_path, monkeypatch):
    from archgen import api, render

    example = EXAMPLES[0]
    real = render.render_blueprint

    def broken(*args, **kwargs):
        rendered = real(*args, **kwargs)
        for rel in rendered.files:
            if rel.startswith("modules/") and rel.endswith("/main.tf"):
                rendered.files[rel] = rendered.files[rel].replace("sqs_managed_sse_enabled", "sqs_managed_sse_enabld", 1)
                break
        return rendered

    monkeypatch.setattr(api, "render_blueprint", broken)
    report = api.validate([example], gates=["terraform"])
    rules = {f.rule for f in report.findings}
    assert "AG910" in rules  # the bundled schema sees it first
    (schema,) = [f for f in report.findings if f.rule == "AG910"]
    assert schema.file.endswith("/main.tf") and schema.path.startswith("components.")
    assert "sqs_managed_sse_enabld" in schema.message
