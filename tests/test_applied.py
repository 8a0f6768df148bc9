"""What the rendered modules grant, read from the state the stand-in provider applies:
IAM policy documents are computed for real, so these tests read the JSON AWS would get."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from archgen import api
from archgen.terraform_gate import _base_env, default_mirror, terraform_binary
from conftest import write_tree

pytestmark = pytest.mark.slow


def applied_state(blueprint_text: str, tmp_path: Path) -> dict[str, dict]:
    """Render, apply with the stand-in, and return every resource's values by address."""
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "app.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "bp.yaml"
    path.write_text(blueprint_text)
    rendered = api.rendered_for(path)
    out = write_tree({k: v for k, v in rendered.files.items() if k != "backend.tf"}, tmp_path / "out")
    env = _base_env(str(default_mirror().cli_config))

    def terraform(*args: str) -> str:
        proc = subprocess.run([terraform_binary(), *args], cwd=out, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    terraform("init", "-input=false")
    terraform("apply", "-input=false", "-auto-approve")
    state = json.loads(terraform("show", "-json"))
    found: dict[str, dict] = {}

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            found[resource["address"]] = resource["values"]
        for child in module.get("child_modules", []):
            walk(child)

    walk(state["values"]["root_module"])
    return found


def statements(policy: str) -> dict[str, dict]:
    return {s.get("Sid", ""): s for s in json.loads(policy)["Statement"]}


HEAD = "archgen: 1\nname: shop\nregion: eu-west-1\ncomponents:\n"


def test_publishing_failures_to_a_customer_managed_topic_key_is_allowed(tmp_path):
    resources = applied_state(
        HEAD
        + """  - name: notify
    pattern: topic-worker
    topic: {kms_key: alias/notify-events}
    function: {runtime: python3.13, handler: app.handler, source: src/app}
    on_failure: {kind: topic, emails: [oncall@example.com]}
""",
        tmp_path,
    )
    role = statements(resources["module.notify.aws_iam_role_policy.worker"]["policy"])
    assert role["PublishFailedEvents"]["Action"] == "sns:Publish"
    assert sorted(role["EncryptFailedEvents"]["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert role["EncryptFailedEvents"]["Resource"].startswith("arn:aws:kms:")
    assert resources["module.notify.aws_sns_topic.failures[0]"]["kms_master_key_id"] == "alias/notify-events"
    assert resources['module.notify.aws_sns_topic_subscription.failures["oncall@example.com"]']["protocol"] == "email"


def test_the_aws_managed_topic_key_needs_no_grant(tmp_path):
    resources = applied_state(
        HEAD
        + """  - name: notify
    pattern: topic-worker
    function: {runtime: python3.13, handler: app.handler, source: src/app}
    on_failure: {kind: topic, emails: [oncall@example.com]}
""",
        tmp_path,
    )
    assert "EncryptFailedEvents" not in statements(resources["module.notify.aws_iam_role_policy.worker"]["policy"])


def test_queue_policy_statements_kms_key_boundary_and_alarms_reach_aws(tmp_path):
    resources = applied_state(
        "archgen: 1\nname: shop\nregion: eu-west-1\n"
        "iam: {permissions_boundary: 'arn:aws:iam::123456789012:policy/team', path: /shop/}\n"
        "alarms: {topic_arn: 'arn:aws:sns:eu-west-1:123456789012:oncall'}\n"
        "components:\n"
        """  - name: orders
    pattern: queue-worker
    queue:
      kms_key: alias/orders
      policy_statements:
        - Sid: AllowPartnerToSend
          Principal: {AWS: "arn:aws:iam::210987654321:root"}
          Action: sqs:SendMessage
          Condition: {StringEquals: {"aws:PrincipalOrgID": o-abc123}}
    function: {runtime: python3.13, handler: app.handler, source: src/app}
""",
        tmp_path,
    )
    queue_policy = statements(resources["module.orders.aws_sqs_queue_policy.this"]["policy"])
    partner = queue_policy["AllowPartnerToSend"]
    assert partner["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"} and partner["Action"] == "sqs:SendMessage"
    assert partner["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}
    assert partner["Resource"] == resources["module.orders.aws_sqs_queue.this"]["arn"]
    assert "DenyInsecureTransport" in queue_policy
    queue = resources["module.orders.aws_sqs_queue.this"]
    assert queue["kms_master_key_id"] == "alias/orders" and queue["sqs_managed_sse_enabled"] in (None, False)
    assert resources["module.orders.aws_sqs_queue.this_dlq[0]"]["kms_master_key_id"] == "alias/orders"
    role = statements(resources["module.orders.aws_iam_role_policy.worker"]["policy"])
    assert role["DecryptMessages"]["Action"] == "kms:Decrypt"
    iam_role = resources["module.orders.aws_iam_role.worker"]
    assert iam_role["permissions_boundary"] == "arn:aws:iam::123456789012:policy/team" and iam_role["path"] == "/shop/"
    assert iam_role["name"] == "shop-orders-eu-west-1"
    alarm = resources["module.orders.aws_cloudwatch_metric_alarm.this_dlq[0]"]
    assert alarm["alarm_actions"] == ["arn:aws:sns:eu-west-1:123456789012:oncall"]
    assert alarm["metric_name"] == "ApproximateNumberOfMessagesVisible" and alarm["threshold"] == 0
