"""Rendering: reviewed golden trees, determinism, module shape, formatting, secure defaults."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest
import yaml

from archgen import api
from archgen.checks import check_schema, check_structure
from archgen.render import UnsafeTemplateValue, environment
from conftest import EXAMPLES, ROOT, rendered, write_tree

GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_golden_tree(example):
    """The reviewed output; regenerate with tools/update_golden.py on purpose and review the diff."""
    golden = GOLDEN / example.stem
    files = rendered(example).files
    on_disk = {p.relative_to(golden).as_posix(): p.read_bytes() for p in golden.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(on_disk)
    for rel, content in files.items():
        data = content if isinstance(content, bytes) else content.encode()
        assert data == on_disk[rel], f"{example.stem}/{rel} differs from the golden file"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_two_renders_are_byte_identical(example):
    assert rendered(example).files == rendered(example).files


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_root_main_tf_parses(example):
    """The checks trust the root main.tf by construction (validate parses every other file):
    prove the construction, and that its module calls are what the checks were told."""
    result = rendered(example)
    calls = {name.strip('"'): body for block in hcl2.loads(result.files["main.tf"])["module"] for name, body in block.items()}
    assert {name: sorted(k for k in body if not k.startswith("__") and k not in ("source", "providers")) for name, body in calls.items()} == {
        name: sorted(call["args"]) for name, call in result.calls.items()
    }


def test_layout():
    files = rendered(ROOT / "blueprints" / "shop.yaml").files
    assert {"versions.tf", "providers.tf", "backend.tf", "main.tf", "outputs.tf", "README.md", ".gitignore"} <= set(files)
    for comp in ("orders", "notify", "events"):
        assert {f"modules/{comp}/{p}.tf" for p in ("main", "variables", "outputs", "versions")} <= set(files)
    assert "backend.tf" not in rendered(ROOT / "blueprints" / "fan-out.yaml").files
    assert "use_lockfile = true" in files["backend.tf"]
    assert '"archgen:blueprint" = "shop"' in files["providers.tf"]


def test_every_module_variable_is_typed_and_described():
    for example in EXAMPLES:
        for rel, text in rendered(example).files.items():
            if rel.endswith("variables.tf"):
                for block in hcl2.loads(text).get("variable", []):
                    for name, body in block.items():
                        assert "type" in body and "description" in body, (example.stem, rel, name)


def test_every_module_pins_its_providers():
    for example in EXAMPLES:
        files = rendered(example).files
        for rel, text in files.items():
            if re.fullmatch(r"modules/[^/]+/main\.tf", rel):
                versions = files[rel.replace("main.tf", "versions.tf")]
                assert 'required_version = ">= 1.10"' in versions and re.search(r'source\s+= "hashicorp/aws"', versions)
                if "archive_file" in text:
                    assert re.search(r'source\s+= "hashicorp/archive"', versions), rel


def test_gitignore_keeps_state_plans_and_builds_out_of_git():
    ignore = rendered(ROOT / "blueprints" / "queue-worker.yaml").files[".gitignore"].splitlines()
    for pattern in (".terraform/", "*.tfstate", "*.tfstate.*", "*.tfplan", "tfplan", "modules/*/.build/"):
        assert pattern in ignore


def test_examples_do_not_share_names_or_state():
    seen_names: dict[str, str] = {}
    seen_state: dict[tuple, str] = {}
    for example in EXAMPLES:
        data = yaml.safe_load(example.read_text())
        assert data["name"] not in seen_names, f"{example.stem} and {seen_names.get(data['name'])} are both {data['name']}"
        seen_names[data["name"]] = example.stem
        if "state" in data:
            key = (data["state"]["bucket"], data["state"]["key"])
            assert key not in seen_state, f"{example.stem} and {seen_state[key]} share state {key}"
            seen_state[key] = example.stem


def test_role_names_carry_the_region(tmp_path):
    """IAM names are global to the account: the same blueprint in two Regions must not collide."""
    text = (ROOT / "blueprints" / "queue-worker.yaml").read_text()
    shutil.copytree(ROOT / "blueprints" / "src", tmp_path / "src", dirs_exist_ok=True)
    roles = set()
    for region in ("eu-west-1", "us-east-2"):
        path = tmp_path / f"{region}.yaml"
        path.write_text(text.replace("region: eu-west-1", f"region: {region}"))
        bp = api.read_blueprint(path)
        assert bp.ok, bp.findings()
        role = bp.components[0].module.inputs["function"]["role_name"]
        assert region in role and len(role) <= 64
        roles.add(role)
    assert len(roles) == 2


def _fan_out(subscribers: list[dict], tmp_path: Path) -> api.Blueprint:
    (tmp_path / "src" / "app").mkdir(parents=True, exist_ok=True)
    (tmp_path / "src" / "app" / "app.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "bp.yaml"
    data = {"archgen": 1, "name": "big", "region": "eu-west-1", "components": [{"name": "events", "pattern": "fan-out", "subscribers": subscribers}]}
    path.write_text(yaml.safe_dump(data))
    bp = api.read_blueprint(path)
    assert bp.ok, bp.findings()
    return bp


def test_module_size_does_not_grow_with_subscribers(tmp_path):
    def subs(n):
        return [{"name": f"s{i}", "worker": {"function": {"runtime": "python3.13", "handler": "app.handler", "source": "src/app"}}} for i in range(n)]

    small = api.render_files(_fan_out(subs(3), tmp_path)).files
    large = api.render_files(_fan_out(subs(60), tmp_path)).files
    for part in ("main", "variables", "outputs", "versions"):
        assert small[f"modules/events/{part}.tf"] == large[f"modules/events/{part}.tf"]
    assert len(large["main.tf"]) > len(small["main.tf"])  # only the root module's map grows


def test_adding_a_subscriber_keeps_the_others_addresses(tmp_path):
    """Resources are keyed by subscriber name (for_each), not by position."""
    main = rendered(ROOT / "blueprints" / "fan-out.yaml").files["modules/orders/main.tf"]
    assert 'resource "aws_sqs_queue" "subscriber"' in main and "for_each = var.subscribers" in main
    assert "count.index" not in main


def test_limits_are_written_once_into_validation_blocks():
    """The Python limit and the HCL validation block come from the same object."""
    from archgen.rules import LIMITS

    variables = rendered(ROOT / "blueprints" / "fan-out.yaml").files["modules/orders/variables.tf"]
    for name in ("queue_retention", "queue_max_receive", "function_timeout", "function_memory"):
        limit = LIMITS[name]
        assert f">= {limit.low}" in variables and f"<= {limit.high}" in variables, name


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_secure_defaults(example):
    files = rendered(example).files
    text = "\n".join(t for r, t in files.items() if r.endswith(".tf"))
    assert text.count('resource "aws_sqs_queue" ') == text.count('resource "aws_sqs_queue_policy" ')  # every queue TLS-only
    assert text.count('resource "aws_sqs_queue" ') <= text.count("sqs_managed_sse_enabled")
    assert text.count('resource "aws_lambda_function"') == text.count('mode = "Active"')
    assert text.count('resource "aws_lambda_function"') <= text.count('resource "aws_cloudwatch_log_group"')  # each function logs with retention
    for line in text.splitlines():
        if re.search(r"\bactions\s*=.*\"\*\"", line):
            pytest.fail(f"wildcard action: {line}")
    for match in re.finditer(r'actions\s*=\s*\["(\w+):\*"\]', text):
        statement = text[text.rfind("statement {", 0, match.start()) : match.start()]
        # a Deny (TLS only), or the AWS default key policy statement that hands the key to the account's IAM policies
        assert 'effect    = "Deny"' in statement or '"AccountAdministersTheKey"' in statement, f"{match.group(0)} in {statement}"


def test_every_subscription_and_consumer_dead_letter_queue_has_an_alarm():
    for example in EXAMPLES:
        for rel, text in rendered(example).files.items():
            if not rel.endswith("/main.tf"):
                continue
            for label in re.findall(r'resource "aws_sns_topic_subscription" "(\w+)"', text):
                block = text[text.index(f'resource "aws_sns_topic_subscription" "{label}"') :]
                block = block[: block.index("\n}\n")]
                assert "redrive_policy" in block or 'protocol  = "email"' in block, (example.stem, rel, label)
            dlqs = re.findall(r'resource "aws_sqs_queue" "(\w*dlq\w*|failures)"', text)
            for label in dlqs:
                assert f'resource "aws_cloudwatch_metric_alarm" "{label}"' in text, (example.stem, rel, label)


def test_lambda_subscription_waits_for_its_permission():
    main = rendered(ROOT / "blueprints" / "topic-worker.yaml").files["modules/emails/main.tf"]
    block = main[main.index('resource "aws_sns_topic_subscription" "worker"') :]
    assert "depends_on = [aws_lambda_permission.worker" in block[: block.index("\n}\n")]


def test_function_source_is_copied_into_the_output():
    files = rendered(ROOT / "blueprints" / "queue-worker.yaml").files
    copied = files["modules/intake/functions/worker/app.py"]
    assert copied == (ROOT / "blueprints" / "src" / "orders" / "app.py").read_bytes()
    main = files["modules/intake/main.tf"]
    assert 'resource "archive_file" "worker"' in main and 'data "archive_file"' not in main
    assert '"${path.module}/${var.function.source_dir}"' in main  # inside the output: remote runners have it


def test_iam_settings_reach_every_module(write_blueprint):
    path = write_blueprint(
        """
        archgen: 1
        name: shop
        region: eu-west-1
        iam: {permissions_boundary: "arn:aws:iam::123456789012:policy/team-boundary", path: /shop/}
        alarms: {emails: [oncall@example.com]}
        components:
          - name: orders
            pattern: queue-worker
            function: {runtime: python3.13, handler: app.handler, source: src/app}
          - name: notify
            pattern: topic-worker
            function: {runtime: python3.13, handler: app.handler, source: src/app}
        """
    )
    bp = api.read_blueprint(path)
    assert bp.ok, bp.findings()
    files = api.render_files(bp).files
    for comp in bp.components:
        assert comp.module.inputs["iam"] == {"path": "/shop/", "permissions_boundary": "arn:aws:iam::123456789012:policy/team-boundary"}
        assert str(comp.module.inputs["alarm_actions"]) == "[aws_sns_topic.alarms.arn]"
    assert "permissions_boundary = var.iam.permissions_boundary" in files["modules/orders/main.tf"]
    alarms = files["alarms.tf"]
    assert 'protocol  = "email"' in alarms and "enable_key_rotation = true" in alarms and "cloudwatch.amazonaws.com" in alarms
    assert "alarm_actions = [aws_sns_topic.alarms.arn]" in files["main.tf"]
    assert check_structure(api.render_files(bp), "out") == []


def test_validate_checks_render_output_structure():
    result = rendered(ROOT / "blueprints" / "queue-worker.yaml")
    assert check_structure(result, "out") == []
    result.files["modules/intake/main.tf"] += '\nresource "aws_sqs_queue" "x" {\n  name = var.nope\n}\n'
    result.calls["intake"]["args"].append("colour")
    found = check_structure(result, "out")
    assert sorted((f.rule, f.message) for f in found) == [
        ("AG902", "reference to undeclared var.nope"),
        ("AG903", "module intake: no variable 'colour' in modules/intake"),
    ]
    result.files["outputs.tf"] += "output {"
    assert [f.rule for f in check_structure(result, "out")] == ["AG901"]


def test_templates_refuse_unescaped_strings():
    env = environment(True)
    with pytest.raises(UnsafeTemplateValue):
        env.from_string('name = "{{ value }}"').render(value='x" }\nresource "evil" "x" {')
    assert env.from_string("name = {{ value|hcl }}").render(value='x"${y}') == 'name = "x\\"$${y}"'


def test_mermaid_diagram_survives_any_name(write_blueprint):
    path = write_blueprint(
        """
        archgen: 1
        name: shop
        region: eu-west-1
        components:
          - name: a--b
            pattern: queue-worker
            function: {runtime: python3.13, handler: app.handler, source: src/app}
        """
    )
    readme = api.render_files(api.read_blueprint(path)).files["README.md"]
    diagram = readme[readme.index("```mermaid") : readme.index("```", readme.index("```mermaid") + 3)]
    for line in diagram.splitlines()[2:]:
        node = r'n\d+(\S*"[^"]*"\S*)?'
        assert re.fullmatch(rf'  {node} -(->|\.->)(\|"[^"|]*"\|)? {node}', line), line


# --- formatting, against the real formatters -----------------------------------


def _tf_files(tmp_path: Path) -> list[Path]:
    paths = []
    for example in EXAMPLES:
        out = write_tree(rendered(example).files, tmp_path / example.stem)
        paths += [p for p in out.rglob("*.tf")]
    return paths


def test_hclwrite_format_leaves_output_unchanged(tmp_path):
    """Go's hclwrite.Format, compiled to WebAssembly (npm @cdktf/hcl-tools)."""
    assert (ROOT / "node_modules" / "@cdktf" / "hcl-tools").is_dir(), "run `npm ci` in the repository first (.ci/run does)"
    paths = _tf_files(tmp_path)
    proc = subprocess.run(["node", str(ROOT / "tests" / "format_check.js"), *map(str, paths)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


@pytest.mark.slow
def test_terraform_fmt_check(tmp_path):
    terraform = shutil.which("terraform")
    assert terraform, "terraform must be on PATH (.ci/run checks it)"
    _tf_files(tmp_path)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    proc = subprocess.run([terraform, "fmt", "-check", "-recursive", "-diff", str(tmp_path)], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_generated_docs_are_fresh():
    """docs/rules.md and docs/blueprint.md are generated from the rules and models."""
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_docs.py"), "--check"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_readme_links_resolve_inside_the_repository():
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        assert not target.startswith(("http://", "https://")), f"README links outside the repository: {target}"
        assert (ROOT / target).exists(), f"README links to a missing file: {target}"
    for doc in (ROOT / "docs").glob("*.md"):
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", doc.read_text()):
            if not target.startswith(("http://", "https://")):
                assert (doc.parent / target).exists(), f"{doc.name} links to a missing file: {target}"
