"""ha-instance beyond its rule cases: what the Terraform must get right around the code the
pattern ships (templates/ha-instance/files, whose own tests are tests/test_ha_handlers.py).

* the handlers and scripts reach the module unchanged, and only where their strategy uses them;
* the roles allow what the handlers and scripts call (read from their code), and no more;
* the lifecycle hooks' default result is the function's DEFAULT_RESULT; heartbeat > function
  timeout > the function's waits; the script waits at least the function's timeout;
* the user data runs data-volume.sh, then the blueprint's script, then attach-eip.sh, fits
  16 KB (the AG717 estimate is an upper bound), and the wrapper stops at the first failure;
* the launch template never maps the data volume's device, and root volumes never carry the
  component tag (the lifecycle function and data-volume.sh find the data volume by it).

The slow tests render, then apply with the stand-in provider, and read the values Terraform
computed (templatefile(), merge(), the IAM policy JSON)."""

from __future__ import annotations

import ast
import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import boto3
import hcl2
import pytest
import yaml

from archgen import api
from archgen.patterns import ha_instance
from archgen.terraform_gate import _base_env, default_mirror, terraform_binary
from archgen.tfprovider.readers import ec2 as readers
from conftest import ROOT, rendered, write_tree

FILES = ROOT / "templates" / "ha-instance" / "files"
EXAMPLES = {"standby": ROOT / "blueprints" / "ha-standby.yaml", "asg-eip": ROOT / "blueprints" / "ha-asg-eip.yaml", "asg-ebs": ROOT / "blueprints" / "ha-asg-ebs.yaml"}
HANDLERS = {"standby": "failover", "asg-eip": None, "asg-ebs": "lifecycle"}
SCRIPTS = {"standby": set(), "asg-eip": {"attach-eip.sh"}, "asg-ebs": {"attach-eip.sh", "data-volume.sh"}}
TAG = ha_instance.COMPONENT_TAG


def _component(strategy: str) -> tuple[str, dict]:
    data = yaml.safe_load(EXAMPLES[strategy].read_text())
    (component,) = data["components"]
    return component["name"], data


def _module_files(strategy: str) -> dict:
    name, _ = _component(strategy)
    prefix = f"modules/{name}/"
    return {rel[len(prefix) :]: content for rel, content in rendered(EXAMPLES[strategy]).files.items() if rel.startswith(prefix)}


def _as_bytes(content) -> bytes:
    return content if isinstance(content, bytes) else content.encode()


# --- the shipped code ----------------------------------------------------------------------


@pytest.mark.parametrize("strategy", sorted(EXAMPLES))
def test_handlers_and_scripts_reach_the_module_unchanged_and_only_where_used(strategy):
    files = _module_files(strategy)
    handler = HANDLERS[strategy]
    shipped = {rel for rel in files if rel.startswith(("functions/", "user-data/")) and not rel.startswith("user-data/blueprint/")}
    expected = {f"user-data/{s}" for s in SCRIPTS[strategy]} | {"user-data/user-data.sh.tftpl"}
    if handler:
        expected.add(f"functions/{handler}/{handler}.py")
    assert shipped == expected
    for rel in expected:
        assert _as_bytes(files[rel]) == (FILES / Path(rel).name).read_bytes(), rel


def test_the_blueprints_user_data_script_is_copied_as_written():
    files = _module_files("standby")
    assert _as_bytes(files["user-data/blueprint/setup.sh"]) == (ROOT / "blueprints" / "src" / "gateway" / "setup.sh").read_bytes()


@pytest.mark.parametrize("strategy", ["standby", "asg-ebs"])
def test_handler_functions_are_archgens_python_zip_packages(strategy):
    bp = api.read_blueprint(EXAMPLES[strategy])
    assert bp.ok, bp.findings()
    key = HANDLERS[strategy]
    fn = bp.components[0].module.inputs[f"{key}_function"]
    assert (fn["runtime"], fn["handler"], fn["source_dir"]) == ("python3.13", f"{key}.handler", f"functions/{key}")
    assert fn["role_name"].endswith(f"-{bp.head.region}")
    assert "environment" not in fn  # the module sets it from the resources it creates


@pytest.mark.parametrize("heartbeat", [30, 31, 60, 149, 150, 300, 900, 999, 1000, 1001, 7200])
def test_heartbeat_exceeds_the_timeout_which_exceeds_the_waits(heartbeat):
    timeout = ha_instance.lifecycle_timeout(heartbeat)
    wait = max(1, timeout - ha_instance.SAFETY_SECONDS)  # the module's WAIT_SECONDS
    assert heartbeat > timeout > wait >= 1
    assert timeout <= 900 and timeout > 15  # lifecycle.py keeps 15 s to complete the action


def test_lifecycle_timeout_is_below_every_heartbeat_the_rule_accepts():
    for heartbeat in range(ha_instance.HEARTBEAT.low, ha_instance.HEARTBEAT.high + 1):
        assert ha_instance.lifecycle_timeout(heartbeat) < heartbeat


# --- the roles allow what the code calls ---------------------------------------------------

_WAITERS = {"instance_running", "instance_stopped", "volume_available", "volume_in_use", "snapshot_completed"}


def _client_actions(source: str) -> set[str]:
    """IAM actions of every boto3 call in a handler: client methods, waiters and paginators,
    named through botocore's own service models."""
    clients = {s: boto3.client(s, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x") for s in ("ec2", "autoscaling")}
    prefix = {"ec2": "ec2", "autoscaling": "autoscaling"}
    actions: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        arg = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        for service, client in clients.items():
            mapping = client.meta.method_to_api_mapping
            if name == "get_waiter" and arg in client.waiter_names:
                actions.add(f"{prefix[service]}:{client.get_waiter(arg).config.operation}")
            elif name == "get_paginator" and arg in mapping:
                actions.add(f"{prefix[service]}:{mapping[arg]}")
            elif name in mapping and name not in ("get_waiter", "get_paginator"):
                actions.add(f"{prefix[service]}:{mapping[name]}")
    return actions


def _script_actions(text: str) -> set[str]:
    return {"ec2:" + "".join(w.capitalize() for w in cmd.split("-")) for cmd in re.findall(r"\baws ec2 ([a-z-]+)", text)}


def _unquote(value):
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items()}
    return value


def _policy_statements(main_tf: str, label: str) -> list[dict]:
    for block in _unquote(hcl2.loads(main_tf))["data"]:
        body = block.get("aws_iam_policy_document", {}).get(label)
        if body is not None:
            return body.get("statement", [])
    raise AssertionError(f"no policy document {label}")


def test_the_handlers_touch_only_the_documented_calls():
    """The handlers' calls, as found in their code: what the roles below must allow."""
    assert _client_actions((FILES / "failover.py").read_text()) == {"ec2:DescribeInstances", "ec2:StartInstances", "ec2:DescribeAddresses", "ec2:AssociateAddress"}
    assert _client_actions((FILES / "lifecycle.py").read_text()) == {
        "ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateSnapshot", "ec2:DeleteSnapshot",
        "ec2:CreateVolume", "ec2:DeleteVolume", "ec2:AttachVolume", "ec2:CreateTags", "autoscaling:CompleteLifecycleAction",
    }


@pytest.mark.parametrize("strategy", ["standby", "asg-ebs"])
def test_the_function_role_allows_exactly_what_its_handler_calls(strategy):
    key = HANDLERS[strategy]
    statements = _policy_statements(_module_files(strategy)["main.tf"], key)
    granted = {a for s in statements for a in s["actions"] if not a.startswith(("logs:", "xray:"))}
    assert granted == _client_actions((FILES / f"{key}.py").read_text())
    for s in statements:
        assert "*" not in "".join(s["actions"]), s
        if s["resources"] == ["*"]:  # only actions without resource-level permissions
            assert all(a.split(":")[1].startswith("Describe") or a.startswith("xray:") for a in s["actions"]), s


def test_lifecycle_writes_and_deletes_are_held_to_the_component_tag():
    statements = _policy_statements(_module_files("asg-ebs")["main.tf"], "lifecycle")
    for s in statements:
        writes = [a for a in s["actions"] if re.match(r"ec2:(Create|Delete|Attach)", a)]
        if not writes:
            continue
        variables = {c["variable"] for c in s.get("condition", [])}
        assert variables & {f"aws:ResourceTag/${{local.component_tag}}", f"aws:RequestTag/${{local.component_tag}}", "ec2:CreateAction"}, s


@pytest.mark.parametrize("strategy", ["asg-eip", "asg-ebs"])
def test_the_instance_role_allows_exactly_what_the_scripts_call(strategy):
    statements = _policy_statements(_module_files(strategy)["main.tf"], "instance")
    granted = {a for s in statements for a in s["actions"]}
    called = set().union(*(_script_actions((FILES / s).read_text()) for s in SCRIPTS[strategy]))
    assert granted == called == ({"ec2:AssociateAddress", "ec2:DescribeAddresses"} | ({"ec2:DescribeVolumes"} if strategy == "asg-ebs" else set()))
    by_sid = {s["sid"]: s for s in statements}
    assert by_sid["AssociateTheAddress"]["resources"] == ["${local.eip_arn}"]
    (condition,) = by_sid["WithComponentInstances"]["condition"]
    assert condition["variable"] == "aws:ResourceTag/${local.component_tag}" and condition["values"] == ["${var.component}"]
    assert by_sid["Find"]["resources"] == ["*"]


def test_the_standby_instances_need_no_permission_of_their_own():
    assert "aws_iam_role_policy\" \"instance\"" not in _module_files("standby")["main.tf"]


# --- names ---------------------------------------------------------------------------------


def test_every_name_is_registered_so_collisions_across_the_blueprint_are_found(write_blueprint):
    """The asg-ebs component `web` makes the function shop-web-lifecycle; a queue-worker named
    web-lifecycle would make it too (AG010), and an alarm or rule name is checked the same way."""
    path = write_blueprint(
        """
        archgen: 1
        name: shop
        region: eu-west-1
        components:
          - name: web
            pattern: ha-instance
            strategy: asg-ebs
            instance: {type: t3.small, ami: ami-0123456789abcdef0}
            subnets: [{id: subnet-0123456789abcdef1, az: eu-west-1a}, {id: subnet-0123456789abcdef2, az: eu-west-1b}]
            data_volume: {size: 10}
          - name: web-lifecycle
            pattern: queue-worker
            function: {runtime: python3.13, handler: app.handler, source: src/app}
        """
    )
    found = [(f.rule, f.path) for f in api.read_blueprint(path).findings()]
    assert ("AG010", "components[1].name") in found, found


def test_names_fit_their_limits_and_roles_carry_the_region():
    for strategy, path in EXAMPLES.items():
        bp = api.read_blueprint(path)
        assert bp.ok, bp.findings()
        module = bp.components[0].module
        kinds = {n.namespace.what for n in module.names}
        assert {"security group", "IAM role", "IAM instance profile", "CloudWatch alarm"} <= kinds
        assert ("Auto Scaling group" in kinds) == ("EC2 launch template" in kinds) == (strategy != "standby")
        assert ("EventBridge rule" in kinds) == (strategy != "asg-eip")
        for name in module.names:
            assert len(name.name) <= name.namespace.limit
            if name.namespace.what == "IAM role":
                assert name.name.endswith(bp.head.region)


# --- user data -----------------------------------------------------------------------------


def test_user_data_over_16_kb_is_refused_at_its_edge(tmp_path):
    """AG717: the blueprint's script plus archgen's steps, at 16 KB and one byte past."""
    _, data = _component("asg-ebs")
    component = data["components"][0]
    model = ha_instance.HaInstance.model_validate(component)
    budget = ha_instance.USER_DATA_BYTES - ha_instance.user_data_overhead(model)
    assert budget > 2048  # room for a script of the blueprint's own
    (tmp_path / "scripts").mkdir()
    for size, found in ((budget, []), (budget + 1, ["AG717"])):
        (tmp_path / "scripts" / "setup.sh").write_bytes(b"#!/bin/bash\n" + b"#" * (size - 13) + b"\n")
        component["instance"]["user_data"] = "scripts/setup.sh"
        (tmp_path / "bp.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        assert [f.rule for f in api.read_blueprint(tmp_path / "bp.yaml").findings()] == found, size


def test_a_script_cannot_end_the_wrappers_heredoc(tmp_path):
    _, data = _component("standby")
    data["components"][0]["instance"]["user_data"] = "setup.sh"
    (tmp_path / "setup.sh").write_text(f"#!/bin/bash\necho one\n{ha_instance.PART_END}\necho two\n")
    (tmp_path / "bp.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    found = api.read_blueprint(tmp_path / "bp.yaml").findings()
    assert [(f.rule, f.path) for f in found] == [("AG717", "components[0].instance.user_data")]


def _terraform_render(template: Path, variables: dict, tmp_path: Path) -> str:
    """Render a template with Terraform's own templatefile() (no provider needed)."""
    work = tmp_path / "tf"
    work.mkdir()
    shutil.copy(template, work / template.name)
    (work / "main.tf").write_text(
        f'output "text" {{\n  value = templatefile("${{path.module}}/{template.name}", jsondecode({json.dumps(json.dumps(variables))}))\n}}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    for args in (["init", "-input=false"], ["apply", "-input=false", "-auto-approve"]):
        proc = subprocess.run([terraform_binary(), *args], cwd=work, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return subprocess.run([terraform_binary(), "output", "-raw", "text"], cwd=work, env=env, capture_output=True, text=True, check=True).stdout


def _run_wrapper(text: str, tmp_path: Path) -> tuple[int, str, list[str]]:
    """Run rendered user data with its folder in tmp_path and shutdown/poweroff/logger stubbed."""
    steps, bin_dir = tmp_path / "steps", tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    for name in ("shutdown", "poweroff", "logger"):
        (bin_dir / name).write_text(f'#!/bin/bash\necho "{name} $*" >>"{calls}"\n')
        (bin_dir / name).chmod(0o755)
    script = tmp_path / "user-data.sh"
    assert "DIR=/var/lib/archgen/user-data\n" in text
    script.write_text(text.replace("DIR=/var/lib/archgen/user-data\n", f"DIR={steps}\n"))
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, check=False, timeout=60)
    lines = calls.read_text().splitlines() if calls.exists() else []
    return proc.returncode, proc.stderr, [line for line in lines if not line.startswith("logger")]


@pytest.mark.slow
def test_the_wrapper_runs_steps_in_order_and_stops_at_the_first_failure(tmp_path):
    marker = tmp_path / "ran"
    parts = [
        {"name": "one.sh", "content": f"#!/bin/bash\necho one >>'{marker}'\n"},
        {"name": "two", "content": f"echo two >>'{marker}'  # no #! line: run with bash\n"},
        {"name": "three.sh", "content": f"#!/bin/bash\necho three >>'{marker}'\nexit 3\n"},
        {"name": "four.sh", "content": f"#!/bin/bash\necho four >>'{marker}'\n"},
    ]
    text = _terraform_render(FILES / "user-data.sh.tftpl", {"parts": parts, "on_failure": "poweroff", "on_success": "stay"}, tmp_path)
    status, stderr, calls = _run_wrapper(text, tmp_path)
    assert status == 3 and marker.read_text().split() == ["one", "two", "three"]
    assert calls == ["shutdown -h now"], calls  # an Auto Scaling group then replaces the instance
    assert "three.sh failed (exit 3)" in stderr


@pytest.mark.slow
@pytest.mark.parametrize("on_success,expected", [("poweroff", ["shutdown -h now"]), ("stay", [])])
def test_a_cold_standby_powers_itself_off_once_set_up(tmp_path, on_success, expected):
    marker = tmp_path / "ran"
    parts = [{"name": "setup.sh", "content": f"#!/bin/bash\necho set-up >>'{marker}'\n"}]
    text = _terraform_render(FILES / "user-data.sh.tftpl", {"parts": parts, "on_failure": "stay", "on_success": on_success}, tmp_path)
    status, _, calls = _run_wrapper(text, tmp_path)
    assert status == 0 and marker.read_text().split() == ["set-up"]
    assert calls == expected


@pytest.mark.slow
def test_a_failure_without_poweroff_leaves_the_instance_up(tmp_path):
    parts = [{"name": "bad.sh", "content": "#!/bin/bash\nexit 7\n"}]
    text = _terraform_render(FILES / "user-data.sh.tftpl", {"parts": parts, "on_failure": "stay", "on_success": "poweroff"}, tmp_path)
    status, _, calls = _run_wrapper(text, tmp_path)
    assert status == 7 and calls == []  # not the cold standby's poweroff either


# --- applied with the stand-in ---------------------------------------------------------------


def applied(blueprint: Path, tmp_path: Path) -> dict[str, dict]:
    """Render, apply with the stand-in provider, and return every resource's values by address."""
    files = api.rendered_for(blueprint).files
    out = write_tree({k: v for k, v in files.items() if k != "backend.tf"}, tmp_path / "out")
    env = _base_env(str(default_mirror().cli_config))

    def terraform(*args: str) -> str:
        proc = subprocess.run([terraform_binary(), *args], cwd=out, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    terraform("init", "-input=false")
    terraform("apply", "-input=false", "-auto-approve")
    found: dict[str, dict] = {}

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            found[resource["address"]] = resource["values"]
        for child in module.get("child_modules", []):
            walk(child)

    walk(json.loads(terraform("show", "-json"))["values"]["root_module"])
    return found


def _steps(user_data: str) -> list[str]:
    return re.findall(r"^run '\d+-(.+)'$", user_data, re.M)


def _step(user_data: str, name: str) -> str:
    match = re.search(rf"^cat >\"\$DIR/\d+-{re.escape(name)}\" <<'{ha_instance.PART_END}'\n(.*?)^{ha_instance.PART_END}$", user_data, re.M | re.S)
    assert match, name
    return match.group(1)


def _with_user_script(tmp_path: Path, **changes) -> Path:
    """The asg-ebs example with a script of the blueprint's own, and other settings changed."""
    _, data = _component("asg-ebs")
    component = data["components"][0]
    component["instance"]["user_data"] = "app.sh"
    for key, value in changes.items():
        component[key] = value
    (tmp_path / "app.sh").write_text("#!/bin/bash\nset -euo pipefail\nsystemctl enable --now forge\n")
    path = tmp_path / "bp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("result", ["ABANDON", "CONTINUE"])
def test_asg_ebs_ties_hooks_function_and_scripts_together(tmp_path, result):
    path = _with_user_script(tmp_path, lifecycle={"heartbeat": "10m", "default_result": result})
    state = applied(path, tmp_path)
    m = "module.git."
    fn = state[m + "aws_lambda_function.lifecycle"]
    env = fn["environment"][0]["variables"]
    group = state[m + "aws_autoscaling_group.this"]
    hooks = [state[f'{m}aws_autoscaling_lifecycle_hook.this["{k}"]'] for k in ("launch", "terminate")] + group["initial_lifecycle_hook"]
    assert len(hooks) == 4
    for hook in hooks:
        assert hook["default_result"] == env["DEFAULT_RESULT"] == result
        assert hook["heartbeat_timeout"] == 600 > fn["timeout"] > int(env["WAIT_SECONDS"]) >= 1
    assert {h["lifecycle_transition"] for h in hooks} == {"autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING"}
    assert env["COMPONENT_TAG_KEY"] == TAG and env["COMPONENT_TAG_VALUE"] == "forge-git"
    assert (env["DEVICE_NAME"], env["VOLUME_SIZE_GIB"], env["VOLUME_TYPE"], env["VOLUME_IOPS"], env["VOLUME_THROUGHPUT"], env["SNAPSHOTS_TO_KEEP"]) == ("/dev/sdf", "200", "gp3", "6000", "250", "7")
    assert "KMS_KEY_ID" not in env  # volumes use the account's default EBS key
    # the group: one instance, two zones, terminate before launch
    assert (group["min_size"], group["max_size"], group["desired_capacity"]) == (1, 1, 1)
    assert sorted(group["vpc_zone_identifier"]) == ["subnet-0e1f2a3b4c5d60791", "subnet-0e1f2a3b4c5d60792"]
    assert group["instance_maintenance_policy"] == [{"min_healthy_percentage": 0, "max_healthy_percentage": 100}]
    # the user data: data volume, then the blueprint's script, then the address
    template = state[m + "aws_launch_template.this"]
    user_data = base64.b64decode(template["user_data"]).decode()
    assert _steps(user_data) == ["data-volume.sh", "app.sh", "attach-eip.sh"]
    assert "ON_FAILURE='poweroff'" in user_data
    volume_script = _step(user_data, "data-volume.sh")
    assert f"WAIT_SECONDS='{600}'" in volume_script and 600 >= fn["timeout"]
    assert f"DEVICE_NAME='{env['DEVICE_NAME']}'" in volume_script and f"COMPONENT_TAG_KEY='{TAG}'" in volume_script
    assert "MOUNT_POINT='/var/lib/forge'" in volume_script and "FS_TYPE='xfs'" in volume_script
    eip_script = _step(user_data, "attach-eip.sh")
    assert f"EIP_TAG_KEY='{TAG}'" in eip_script and "EIP_TAG_VALUE='forge-git'" in eip_script
    assert not re.search(r"\$\{[a-z_]+\}", user_data.replace("$${", ""))  # every template variable was filled in
    size = len(user_data.encode())
    model = ha_instance.HaInstance.model_validate(yaml.safe_load(path.read_text())["components"][0])
    assert size <= ha_instance.user_data_overhead(model) + len((tmp_path / "app.sh").read_bytes()) <= ha_instance.USER_DATA_BYTES
    # the template: only the root volume, encrypted; IMDSv2; the component tag on instances only
    assert [b["device_name"] for b in template["block_device_mappings"]] == [readers.ROOT_DEVICE] != [env["DEVICE_NAME"]]
    assert template["block_device_mappings"][0]["ebs"][0]["encrypted"] == "true"
    assert template["metadata_options"][0]["http_tokens"] == "required" and template["metadata_options"][0]["http_put_response_hop_limit"] == 1
    assert template["monitoring"] == [{"enabled": True}]
    assert template["network_interfaces"][0]["associate_public_ip_address"] == "false"
    tags = {t["resource_type"]: t["tags"] for t in template["tag_specifications"]}
    assert tags["instance"][TAG] == tags["network-interface"][TAG] == "forge-git"
    assert TAG not in tags["volume"]
    # the rules: this group's hooks only
    for key, detail_type in (("launch", "EC2 Instance-launch Lifecycle Action"), ("terminate", "EC2 Instance-terminate Lifecycle Action")):
        pattern = json.loads(state[f'{m}aws_cloudwatch_event_rule.lifecycle["{key}"]']["event_pattern"])
        assert pattern == {
            "source": ["aws.autoscaling"],
            "detail-type": [detail_type],
            "detail": {"AutoScalingGroupName": ["forge-git"], "LifecycleHookName": [f"data-volume-{key}"]},
        }
    # every role: the blueprint's boundary and path
    for role in ("instance", "lifecycle"):
        assert state[f"{m}aws_iam_role.{role}"]["permissions_boundary"] == "arn:aws:iam::123456789012:policy/team-boundary"
        assert state[f"{m}aws_iam_role.{role}"]["path"] == "/forge/"
    assert state[m + "aws_iam_instance_profile.instance"]["path"] == "/forge/"
    # every alarm notifies the blueprint's alarm topic
    alarms = [v for k, v in state.items() if k.startswith(m + "aws_cloudwatch_metric_alarm.")]
    assert len(alarms) == 5 and all(a["alarm_actions"] == [state["aws_sns_topic.alarms"]["arn"]] for a in alarms)
    # CompleteLifecycleAction on this group only
    statements = {s["Sid"]: s for s in json.loads(state[m + "aws_iam_role_policy.lifecycle"]["policy"])["Statement"]}
    assert statements["CompleteLifecycleActions"]["Resource"] == "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/forge-git"


@pytest.mark.slow
def test_asg_eip_tags_an_existing_address_and_needs_no_function(tmp_path):
    state = applied(EXAMPLES["asg-eip"], tmp_path)
    m = "module.vpn."
    assert state[m + "aws_ec2_tag.eip[0]"] == {**state[m + "aws_ec2_tag.eip[0]"], "resource_id": "eipalloc-0f1e2d3c4b5a69788", "key": TAG, "value": "tunnel-vpn"}
    assert not any(a.startswith(m + "aws_eip.") for a in state)
    assert not any("aws_lambda_function" in a for a in state)
    user_data = base64.b64decode(state[m + "aws_launch_template.this"]["user_data"]).decode()
    assert _steps(user_data) == ["attach-eip.sh"]
    policy = json.loads(state[m + "aws_iam_role_policy.instance"]["policy"])
    assert {s["Sid"]: s["Resource"] for s in policy["Statement"]}["AssociateTheAddress"] == "arn:aws:ec2:eu-central-1:123456789012:elastic-ip/eipalloc-0f1e2d3c4b5a69788"


@pytest.mark.slow
def test_standby_fails_over_from_the_primarys_alarm(tmp_path):
    state = applied(EXAMPLES["standby"], tmp_path)
    m = "module.sftp."
    fn = state[m + "aws_lambda_function.failover"]
    env = fn["environment"][0]["variables"]
    assert set(env) == {"PRIMARY_INSTANCE_ID", "STANDBY_INSTANCE_ID", "ALLOCATION_ID", "WAIT_SECONDS"}
    assert 2 * int(env["WAIT_SECONDS"]) < fn["timeout"]  # stopping -> stopped, then pending -> running
    primary, standby = state[m + 'aws_instance.this["primary"]'], state[m + 'aws_instance.this["standby"]']
    assert (primary["subnet_id"], standby["subnet_id"]) == ("subnet-0a1b2c3d4e5f60781", "subnet-0a1b2c3d4e5f60782")
    for instance in (primary, standby):
        assert instance["metadata_options"][0]["http_tokens"] == "required" and instance["monitoring"] is True
        assert instance["root_block_device"][0]["encrypted"] is True and instance["associate_public_ip_address"] is False
    # the standby sets up, then stops itself; the primary keeps running
    assert _steps(standby["user_data"]) == _steps(primary["user_data"]) == ["setup.sh"]
    assert "cold standby" in standby["user_data"].split("ARCHGEN_PART_END")[-1]
    assert "cold standby" not in primary["user_data"].split("ARCHGEN_PART_END")[-1]
    alarm = state[m + "aws_cloudwatch_metric_alarm.primary_status"]
    assert (alarm["metric_name"], alarm["dimensions"], alarm["evaluation_periods"], alarm["period"]) == ("StatusCheckFailed", {"InstanceId": primary["id"]}, 2, 60)
    pattern = json.loads(state[m + "aws_cloudwatch_event_rule.failover"]["event_pattern"])
    assert pattern == {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"], "resources": [alarm["arn"]], "detail": {"state": {"value": ["ALARM"]}}}
    assert state[m + "aws_cloudwatch_event_target.failover"]["arn"] == fn["arn"]
    assert state[m + "aws_lambda_permission.failover"]["source_arn"] == state[m + "aws_cloudwatch_event_rule.failover"]["arn"]


def test_terraform_never_moves_the_standbys_address_back():
    main = _module_files("standby")["main.tf"]
    eip = main[main.index('resource "aws_eip" "this"') :]
    eip = eip[: eip.index("\n}\n")]
    assert "instance = aws_instance.this[\"primary\"].id" in eip
    assert "ignore_changes = [instance, network_interface, associate_with_private_ip]" in eip


def test_lifecycle_hooks_change_without_replacing_the_group():
    main = _module_files("asg-ebs")["main.tf"]
    group = main[main.index('resource "aws_autoscaling_group" "this"') :]
    group = group[: group.index("\n}\n")]
    assert "ignore_changes = [initial_lifecycle_hook]" in group
    assert "aws_cloudwatch_event_target.lifecycle" in group  # the handler is ready before the first launch
    assert 'resource "aws_autoscaling_lifecycle_hook" "this"' in main


# --- the stand-in's answers ------------------------------------------------------------------


class _Ctx:
    region = "eu-west-1"


def test_stand_in_subnets_are_in_the_zone_asked_for_or_a_zone_of_the_region():
    assert readers._subnet({"id": "subnet-0123456789abcdef1", "availability_zone": "eu-west-1c"}, _Ctx())["availability_zone"] == "eu-west-1c"
    zones = {readers._subnet({"id": f"subnet-012345678{d}"}, _Ctx())["availability_zone"] for d in "0123456789abcdef"}
    assert zones == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
    assert readers._subnet({"id": "subnet-01234567"}, _Ctx())["vpc_id"] == readers.VPC_ID


def test_stand_in_amis_follow_the_parameter_they_came_from():
    arm = readers._ssm_parameter({"name": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"}, _Ctx())["insecure_value"]
    x86 = readers._ssm_parameter({"name": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}, _Ctx())["insecure_value"]
    assert re.fullmatch(r"ami-[0-9a-f]{17}", arm) and re.fullmatch(r"ami-[0-9a-f]{17}", x86) and arm != x86
    for ami, arch in ((arm, "arm64"), (x86, "x86_64")):
        image = readers._ami({"filter": [{"name": "image-id", "values": [ami]}]}, _Ctx())
        assert (image["id"], image["architecture"], image["root_device_name"]) == (ami, arch, "/dev/xvda")
    assert re.fullmatch(r"203\.0\.113\.\d+", readers._eip({"id": "eipalloc-0123456789abcdef0"}, _Ctx())["public_ip"])
