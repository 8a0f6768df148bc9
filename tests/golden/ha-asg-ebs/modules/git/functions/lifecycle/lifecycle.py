"""archgen ha-instance, strategy `asg-ebs`: one data volume that outlives the instances of
an Auto Scaling group of one.

Invoked by EventBridge rules on the group's lifecycle hooks (source aws.autoscaling):
https://docs.aws.amazon.com/autoscaling/ec2/userguide/prepare-for-lifecycle-notifications.html

    {"detail-type": "EC2 Instance-launch Lifecycle Action" | "EC2 Instance-terminate Lifecycle Action",
     "detail": {"LifecycleActionToken": "...", "AutoScalingGroupName": "...",
                "LifecycleHookName": "...", "EC2InstanceId": "i-...",
                "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING" | "...TERMINATING"} }

Environment (set by the pattern's Terraform):
    COMPONENT_TAG_KEY, COMPONENT_TAG_VALUE  the tag that marks this component's volumes and snapshots
    DEVICE_NAME         device the volume is attached at (default /dev/sdf)
    VOLUME_SIZE_GIB     size of a new volume; a volume restored from a larger snapshot keeps the snapshot's size
    VOLUME_TYPE         default gp3
    VOLUME_IOPS, VOLUME_THROUGHPUT  optional (empty = the type's default)
    KMS_KEY_ID          optional; empty = the account's default EBS key (volumes are always encrypted)
    DEFAULT_RESULT      CONTINUE or ABANDON: the result sent when a step fails (default ABANDON);
                        give the lifecycle hooks the same default_result
    SNAPSHOTS_TO_KEEP   completed component snapshots kept by pruning (default 3, at least 1)
    WAIT_SECONDS        longest single wait (default 300), also bounded by the Lambda's remaining time
    WAIT_DELAY_SECONDS  poll interval of the waits (default 5)

Design: the volume is the data of record; snapshots are backups and the way to move the
data to another Availability Zone.

  * Volumes are attached with AttachVolume, so DeleteOnTermination is false (the EC2 default
    for a non-root volume attached to an instance) and the volume survives the instance:
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/preserving-volumes-on-termination.html
    No failure of this function, EventBridge or a hook timeout can therefore delete data.
  * terminate: snapshot the component volume attached to the instance (tagged with the
    component, the source volume and the instance; a snapshot is usable once `completed` and
    the volume may keep being used while it is `pending`:
    https://docs.aws.amazon.com/ebs/latest/userguide/ebs-creating-snapshot.html), prune old
    completed component snapshots beyond SNAPSHOTS_TO_KEEP (never a pending one, never the
    newest), complete the action CONTINUE.  There is nothing to wait for: the volume stays.
  * launch (instance in zone Z):
      1. a component volume already attached to the instance -> wait until it is `attached`,
         nothing else (a redelivered event);
      2. a component volume attached to another instance (the old one still terminating)
         -> wait until it is available, bounded; it is never bypassed with a new volume;
      3. the data of record is the available (or creating) component volume attached most
         recently (tag archgen:attached-at), wherever it is.  In Z -> attach it (the common
         case: the replacement landed in the same zone).  In another zone -> snapshot it now
         that it is detached (consistent, incremental), wait for `completed`, create a volume
         from it in Z (or reuse a never-attached copy of that snapshot in Z, left by an
         interrupted try), attach;
      4. no volume at all -> create one from the newest component snapshot; when that
         snapshot is `pending` wait for `completed` (CreateVolume refuses a pending snapshot
         with IncorrectState; states: https://docs.aws.amazon.com/ebs/latest/userguide/ebs-describing-snapshots.html)
         rather than silently restoring older data; with no snapshot either (first launch)
         an empty volume.
     After attaching, detached component volumes whose data is kept elsewhere are deleted, so
     volumes do not pile up: those with a completed snapshot taken after their last
     attachment, and those created by an earlier launch and never attached (never written).
     Any other leftover is kept and logged as stale_volume_kept.
     New volumes are encrypted, of VOLUME_TYPE, sized max(VOLUME_SIZE_GIB, snapshot size),
     created with a ClientToken so that concurrent deliveries create one volume:
     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVolume.html
     Then: wait available, AttachVolume at DEVICE_NAME (same zone required:
     https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AttachVolume.html), wait
     until attached, complete the action CONTINUE.
  * Any failure (AWS API error, waiter timeout, bad configuration): one JSON error line,
    then CompleteLifecycleAction with DEFAULT_RESULT, then return normally so that Lambda
    does not retry a failed step forever.  A failing CompleteLifecycleAction is logged too;
    "No active Lifecycle Action found" (the action was already completed, e.g. a duplicate
    delivery) is logged as such.  For a launching instance ABANDON terminates it and the
    group launches another (a retry with a fresh instance); CONTINUE puts it in service
    without its data volume, hence the default ABANDON.  For a terminating instance CONTINUE
    and ABANDON both let it terminate (unless an instance lifecycle policy retains instances
    whose termination hook was abandoned):
    https://docs.aws.amazon.com/autoscaling/ec2/userguide/completing-lifecycle-hooks.html
    https://docs.aws.amazon.com/autoscaling/ec2/userguide/configure-instance-retention.html
  * Lambda may deliver the same event more than once; every step looks before it acts:
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html

Every step is logged as one JSON line on stdout (CloudWatch Logs).
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"
DETAIL_TYPES = {
    "EC2 Instance-launch Lifecycle Action": LAUNCHING,
    "EC2 Instance-terminate Lifecycle Action": TERMINATING,
}
RESULTS = ("CONTINUE", "ABANDON")

TAG_REASON = "archgen:snapshot-reason"  # terminate | relocate
TAG_SOURCE_VOLUME = "archgen:source-volume"
TAG_SOURCE_INSTANCE = "archgen:source-instance"
TAG_SOURCE_SNAPSHOT = "archgen:source-snapshot"
TAG_CREATED_FOR = "archgen:created-for-instance"
TAG_LAST_INSTANCE = "archgen:last-instance"
TAG_ATTACHED_AT = "archgen:attached-at"  # UTC ISO 8601, whole seconds

SAFETY_MARGIN_SECONDS = 15  # left for logging and CompleteLifecycleAction before the Lambda timeout

_CLIENTS: dict[str, Any] = {}


class LifecycleError(RuntimeError):
    """A step cannot proceed; the action is completed with DEFAULT_RESULT."""


# --- configuration and event --------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    tag_key: str
    tag_value: str
    device_name: str
    size_gib: int
    volume_type: str
    iops: int | None
    throughput: int | None
    kms_key_id: str | None
    snapshots_to_keep: int
    wait_seconds: int
    wait_delay_seconds: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        missing = [n for n in ("COMPONENT_TAG_KEY", "COMPONENT_TAG_VALUE", "VOLUME_SIZE_GIB") if not env.get(n, "").strip()]
        if missing:
            raise LifecycleError(f"missing environment variables: {', '.join(missing)}")
        return cls(
            tag_key=env["COMPONENT_TAG_KEY"].strip(),
            tag_value=env["COMPONENT_TAG_VALUE"].strip(),
            device_name=env.get("DEVICE_NAME", "").strip() or "/dev/sdf",
            size_gib=_int_env(env, "VOLUME_SIZE_GIB", 0, minimum=1),
            volume_type=env.get("VOLUME_TYPE", "").strip() or "gp3",
            iops=_optional_int_env(env, "VOLUME_IOPS"),
            throughput=_optional_int_env(env, "VOLUME_THROUGHPUT"),
            kms_key_id=env.get("KMS_KEY_ID", "").strip() or None,
            snapshots_to_keep=_int_env(env, "SNAPSHOTS_TO_KEEP", 3, minimum=1),
            wait_seconds=_int_env(env, "WAIT_SECONDS", 300, minimum=1),
            wait_delay_seconds=_int_env(env, "WAIT_DELAY_SECONDS", 5, minimum=0),
        )

    @property
    def component_filter(self) -> dict[str, Any]:
        return {"Name": f"tag:{self.tag_key}", "Values": [self.tag_value]}


def _int_env(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise LifecycleError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise LifecycleError(f"{name} must be >= {minimum}, got {value}")
    return value


def _optional_int_env(env: Mapping[str, str], name: str) -> int | None:
    """An optional positive integer; empty or unset means None (the volume type's default)."""
    return _int_env(env, name, 0, minimum=1) if env.get(name, "").strip() else None


def default_result(env: Mapping[str, str]) -> str:
    raw = env.get("DEFAULT_RESULT", "").strip().upper()
    if raw in RESULTS:
        return raw
    if raw:
        _log("invalid_default_result", level="error", value=raw, using="ABANDON")
    return "ABANDON"


@dataclass(frozen=True)
class LifecycleAction:
    transition: str
    instance_id: str
    group_name: str
    hook_name: str
    token: str

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> LifecycleAction | None:
        """The action an EventBridge lifecycle event asks for, or None for any other event."""
        detail = event.get("detail")
        if not isinstance(detail, Mapping):
            return None
        transition = detail.get("LifecycleTransition") or DETAIL_TYPES.get(str(event.get("detail-type")))
        if transition not in (LAUNCHING, TERMINATING):
            return None
        fields = {k: detail.get(k) for k in ("EC2InstanceId", "AutoScalingGroupName", "LifecycleHookName", "LifecycleActionToken")}
        absent = [k for k, v in fields.items() if not isinstance(v, str) or not v]
        if absent:
            raise LifecycleError(f"lifecycle event without {', '.join(absent)}")
        return cls(
            transition=str(transition),
            instance_id=str(fields["EC2InstanceId"]),
            group_name=str(fields["AutoScalingGroupName"]),
            hook_name=str(fields["LifecycleHookName"]),
            token=str(fields["LifecycleActionToken"]),
        )


class Deadline:
    """Bounds every wait by WAIT_SECONDS and by the Lambda's remaining time."""

    def __init__(self, context: Any, settings: Settings) -> None:
        self._settings = settings
        remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
        self._ends = time.monotonic() + remaining_ms() / 1000 if callable(remaining_ms) else None

    def waiter_config(self) -> dict[str, int]:
        budget = float(self._settings.wait_seconds)
        if self._ends is not None:
            budget = min(budget, self._ends - time.monotonic() - SAFETY_MARGIN_SECONDS)
        if budget <= 0:
            raise LifecycleError("no time left in this invocation to wait")
        delay = self._settings.wait_delay_seconds
        return {"Delay": delay, "MaxAttempts": max(1, math.ceil(budget / max(delay, 1)))}


# --- small helpers -------------------------------------------------------------------------


def _log(event: str, level: str = "info", **fields: Any) -> None:
    print(json.dumps({"level": level, "event": event, **fields}, default=str), flush=True)


def _describe_error(exc: BaseException) -> dict[str, Any]:
    fields: dict[str, Any] = {"error_type": type(exc).__name__, "error": str(exc)}
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        fields["error_code"] = error.get("Code")
        fields["operation"] = exc.operation_name
    return fields


def _client(service: str) -> Any:
    """One client per service, created on first use (after the environment is set)."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service, config=BotoConfig(retries={"mode": "standard", "max_attempts": 5}))
    return _CLIENTS[service]


def _ec2() -> Any:
    return _client("ec2")


def _tags(resource: Mapping[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", []) or []}


def _tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _attached_at(volume: Mapping[str, Any]) -> datetime | None:
    raw = _tags(volume).get(TAG_ATTACHED_AT)
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _attachment_instance(volume: Mapping[str, Any]) -> str | None:
    for attachment in volume.get("Attachments", []) or []:
        if attachment.get("State") in ("attaching", "attached", "busy"):
            return str(attachment.get("InstanceId"))
    return None


def _component_volumes(settings: Settings, *extra_filters: dict[str, Any]) -> list[dict[str, Any]]:
    paginator = _ec2().get_paginator("describe_volumes")
    pages = paginator.paginate(Filters=[settings.component_filter, *extra_filters])
    return [v for page in pages for v in page["Volumes"]]


def _component_snapshots(settings: Settings, *extra_filters: dict[str, Any]) -> list[dict[str, Any]]:
    paginator = _ec2().get_paginator("describe_snapshots")
    pages = paginator.paginate(OwnerIds=["self"], Filters=[settings.component_filter, *extra_filters])
    return [s for page in pages for s in page["Snapshots"]]


def _newest_first(snapshots: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(snapshots, key=lambda s: (s["StartTime"], s["SnapshotId"]), reverse=True)


def _volume_rank(volume: Mapping[str, Any]) -> tuple[datetime, datetime, str]:
    """The volume with the newest data first: last attached, then last created."""
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    return (_attached_at(volume) or epoch, volume.get("CreateTime") or epoch, str(volume["VolumeId"]))


def _best_volume(volumes: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return max(volumes, key=_volume_rank)


# --- terminate -----------------------------------------------------------------------------


def _snapshot_tags(settings: Settings, volume_id: str, reason: str, instance_id: str | None) -> dict[str, str]:
    tags = {
        settings.tag_key: settings.tag_value,
        "Name": f"{settings.tag_value}-data",
        TAG_REASON: reason,
        TAG_SOURCE_VOLUME: volume_id,
    }
    if instance_id:
        tags[TAG_SOURCE_INSTANCE] = instance_id
    return tags


def _create_snapshot(settings: Settings, volume_id: str, reason: str, instance_id: str | None) -> dict[str, Any]:
    snapshot = _ec2().create_snapshot(
        VolumeId=volume_id,
        Description=f"archgen {settings.tag_value}: {reason} snapshot of {volume_id}" + (f" from {instance_id}" if instance_id else ""),
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": _tag_list(_snapshot_tags(settings, volume_id, reason, instance_id))}],
    )
    _log("snapshot_started", snapshot_id=snapshot["SnapshotId"], volume_id=volume_id, reason=reason, instance_id=instance_id, state=snapshot.get("State"))
    return dict(snapshot)


def snapshot_on_terminate(settings: Settings, instance_id: str) -> list[str]:
    """Snapshot each component volume attached to the terminating instance, once."""
    volumes = _component_volumes(settings, {"Name": "attachment.instance-id", "Values": [instance_id]})
    if not volumes:
        _log("no_component_volume_attached", instance_id=instance_id)
        return []
    snapshot_ids = []
    for volume in volumes:
        volume_id = volume["VolumeId"]
        earlier = [
            s
            for s in _component_snapshots(settings, {"Name": "volume-id", "Values": [volume_id]})
            if _tags(s).get(TAG_SOURCE_INSTANCE) == instance_id and _tags(s).get(TAG_REASON) == "terminate" and s["State"] in ("pending", "completed")
        ]
        if earlier:
            snapshot = _newest_first(earlier)[0]
            _log("snapshot_already_started", snapshot_id=snapshot["SnapshotId"], volume_id=volume_id, instance_id=instance_id, state=snapshot["State"])
        else:
            snapshot = _create_snapshot(settings, volume_id, "terminate", instance_id)
        snapshot_ids.append(str(snapshot["SnapshotId"]))
    return snapshot_ids


def prune_snapshots(settings: Settings) -> list[str]:
    """Delete completed component snapshots beyond the newest SNAPSHOTS_TO_KEEP completed ones.

    Pending snapshots and the newest snapshot are never deleted.  A failed deletion is logged
    and skipped: the backups that matter were taken already.
    """
    snapshots = _newest_first(_component_snapshots(settings))
    if not snapshots:
        return []
    newest_id = snapshots[0]["SnapshotId"]
    completed = [s for s in snapshots if s["State"] == "completed"]
    deleted = []
    for snapshot in completed[settings.snapshots_to_keep :]:
        if snapshot["SnapshotId"] == newest_id:
            continue
        try:
            _ec2().delete_snapshot(SnapshotId=snapshot["SnapshotId"])
        except ClientError as exc:
            _log("snapshot_prune_failed", level="warning", snapshot_id=snapshot["SnapshotId"], **_describe_error(exc))
            continue
        _log("snapshot_pruned", snapshot_id=snapshot["SnapshotId"], start_time=snapshot["StartTime"], keep=settings.snapshots_to_keep)
        deleted.append(str(snapshot["SnapshotId"]))
    return deleted


def on_terminate(settings: Settings, instance_id: str) -> dict[str, Any]:
    snapshot_ids = snapshot_on_terminate(settings, instance_id)
    pruned = prune_snapshots(settings)
    return {"snapshots": snapshot_ids, "pruned": pruned}


# --- launch --------------------------------------------------------------------------------


def _instance(instance_id: str) -> dict[str, Any]:
    reservations = _ec2().describe_instances(InstanceIds=[instance_id])["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    if not instances:
        raise LifecycleError(f"instance {instance_id} not found")
    return dict(instances[0])


def _wait_instance_running(instance: Mapping[str, Any], deadline: Deadline) -> None:
    instance_id = instance["InstanceId"]
    state = instance["State"]["Name"]
    if state == "pending":
        _ec2().get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=deadline.waiter_config())
    elif state != "running":
        raise LifecycleError(f"instance {instance_id} is {state}; no volume is attached to it")


def _wait_volumes_available(volume_ids: list[str], deadline: Deadline) -> None:
    if volume_ids:
        _log("waiting_for_volumes", volume_ids=volume_ids, until="available")
        _ec2().get_waiter("volume_available").wait(VolumeIds=volume_ids, WaiterConfig=deadline.waiter_config())


def _volume_size(settings: Settings, snapshot: Mapping[str, Any] | None) -> int:
    if snapshot is None:
        return settings.size_gib
    snapshot_size = int(snapshot.get("VolumeSize") or 0)
    if snapshot_size > settings.size_gib:
        _log("volume_size_raised", level="warning", configured_gib=settings.size_gib, snapshot_gib=snapshot_size, snapshot_id=snapshot["SnapshotId"])
    return max(settings.size_gib, snapshot_size)


def create_volume(settings: Settings, zone: str, instance_id: str, snapshot: Mapping[str, Any] | None) -> dict[str, Any]:
    """A new encrypted component volume in `zone`, empty or from `snapshot`."""
    tags = {settings.tag_key: settings.tag_value, "Name": f"{settings.tag_value}-data", TAG_CREATED_FOR: instance_id}
    params: dict[str, Any] = {
        "AvailabilityZone": zone,
        "Size": _volume_size(settings, snapshot),
        "VolumeType": settings.volume_type,
        "Encrypted": True,
        # Same instance and source -> same token: a concurrent duplicate delivery gets the same volume.
        "ClientToken": f"{instance_id}-{snapshot['SnapshotId'] if snapshot else 'empty'}"[:64],
    }
    if snapshot is not None:
        params["SnapshotId"] = snapshot["SnapshotId"]
        tags[TAG_SOURCE_SNAPSHOT] = str(snapshot["SnapshotId"])
    if settings.iops is not None:
        params["Iops"] = settings.iops
    if settings.throughput is not None:
        params["Throughput"] = settings.throughput
    if settings.kms_key_id:
        params["KmsKeyId"] = settings.kms_key_id
    params["TagSpecifications"] = [{"ResourceType": "volume", "Tags": _tag_list(tags)}]
    volume = dict(_ec2().create_volume(**params))
    _log(
        "volume_created",
        volume_id=volume["VolumeId"],
        availability_zone=zone,
        size_gib=volume.get("Size"),
        volume_type=volume.get("VolumeType"),
        encrypted=volume.get("Encrypted"),
        snapshot_id=snapshot["SnapshotId"] if snapshot else None,
        instance_id=instance_id,
    )
    return volume


def _relocation_snapshots(settings: Settings, volume: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Usable snapshots of `volume` taken while it was detached, after its last attachment."""
    since = _attached_at(volume)
    found = []
    for snapshot in _component_snapshots(settings, {"Name": "volume-id", "Values": [volume["VolumeId"]]}):
        if _tags(snapshot).get(TAG_REASON) != "relocate" or snapshot["State"] not in ("pending", "completed"):
            continue
        if since is not None and snapshot["StartTime"] < since:
            continue
        found.append(snapshot)
    return _newest_first(found)


def _wait_snapshot_completed(snapshot: Mapping[str, Any], deadline: Deadline) -> None:
    if snapshot["State"] != "completed":
        _log("waiting_for_snapshot", snapshot_id=snapshot["SnapshotId"], state=snapshot["State"], until="completed")
        _ec2().get_waiter("snapshot_completed").wait(SnapshotIds=[snapshot["SnapshotId"]], WaiterConfig=deadline.waiter_config())


def relocation_snapshot(settings: Settings, source: Mapping[str, Any], deadline: Deadline) -> dict[str, Any]:
    """A completed snapshot of the detached `source` volume taken after its last attachment
    (found, or taken now: consistent, since nothing writes to it, and incremental)."""
    if source.get("State") != "available":
        _wait_volumes_available([str(source["VolumeId"])], deadline)
    existing = _relocation_snapshots(settings, source)
    if existing:
        snapshot = existing[0]
        _log("relocation_snapshot_found", snapshot_id=snapshot["SnapshotId"], volume_id=source["VolumeId"], state=snapshot["State"])
    else:
        snapshot = _create_snapshot(settings, str(source["VolumeId"]), "relocate", None)
    _wait_snapshot_completed(snapshot, deadline)
    _log("relocating_volume", from_volume_id=source["VolumeId"], from_zone=source["AvailabilityZone"], snapshot_id=snapshot["SnapshotId"])
    return snapshot


def restore_newest(settings: Settings, zone: str, instance_id: str, deadline: Deadline) -> dict[str, Any]:
    """A volume from the newest usable component snapshot, or an empty one if there is none."""
    snapshots = _newest_first(s for s in _component_snapshots(settings) if s["State"] in ("pending", "completed"))
    if not snapshots:
        _log("no_snapshot", detail="first launch: creating an empty volume", availability_zone=zone)
        return create_volume(settings, zone, instance_id, None)
    snapshot = snapshots[0]
    _wait_snapshot_completed(snapshot, deadline)
    return create_volume(settings, zone, instance_id, snapshot)


def _wait_attached(volume_id: str, instance_id: str, deadline: Deadline) -> None:
    _ec2().get_waiter("volume_in_use").wait(
        VolumeIds=[volume_id],
        Filters=[
            {"Name": "attachment.instance-id", "Values": [instance_id]},
            {"Name": "attachment.status", "Values": ["attached"]},
        ],
        WaiterConfig=deadline.waiter_config(),
    )


def attach(settings: Settings, volume: Mapping[str, Any], instance_id: str, deadline: Deadline) -> None:
    ec2 = _ec2()
    volume_id = str(volume["VolumeId"])
    if volume.get("State") != "available":
        _wait_volumes_available([volume_id], deadline)
    # Tagged before AttachVolume: if this invocation dies in between, the volume looks more
    # recent than it is (harmless), never older than the data it may hold.
    ec2.create_tags(Resources=[volume_id], Tags=_tag_list({TAG_LAST_INSTANCE: instance_id, TAG_ATTACHED_AT: _now().isoformat()}))
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device=settings.device_name)
    _log("volume_attaching", volume_id=volume_id, instance_id=instance_id, device=settings.device_name)
    _wait_attached(volume_id, instance_id, deadline)
    _log("volume_attached", volume_id=volume_id, instance_id=instance_id, device=settings.device_name, delete_on_termination=False)


def _redundant(settings: Settings, volume: Mapping[str, Any], instance_id: str) -> str | None:
    """Why a detached component volume holds no data that is not kept elsewhere, or None."""
    if any(s["State"] == "completed" for s in _relocation_snapshots(settings, volume)):
        return "a completed snapshot taken after its last attachment holds its data"
    tags = _tags(volume)
    if TAG_ATTACHED_AT not in tags and tags.get(TAG_CREATED_FOR) not in (None, instance_id):
        return "created by an earlier launch and never attached, so never written"
    return None


def delete_redundant_volumes(settings: Settings, keep_volume_id: str, instance_id: str) -> list[str]:
    """Delete detached component volumes whose data is kept elsewhere, so that volumes do not
    pile up.  Others are kept and logged.  A failed deletion is logged and skipped."""
    deleted = []
    for volume in _component_volumes(settings, {"Name": "status", "Values": ["available"]}):
        if volume["VolumeId"] == keep_volume_id:
            continue
        reason = _redundant(settings, volume, instance_id)
        if reason is None:
            _log("stale_volume_kept", level="warning", volume_id=volume["VolumeId"], availability_zone=volume["AvailabilityZone"], reason="it may hold data that no snapshot has")
            continue
        try:
            _ec2().delete_volume(VolumeId=volume["VolumeId"])
        except ClientError as exc:
            _log("volume_delete_failed", level="warning", volume_id=volume["VolumeId"], **_describe_error(exc))
            continue
        _log("redundant_volume_deleted", volume_id=volume["VolumeId"], availability_zone=volume["AvailabilityZone"], reason=reason)
        deleted.append(str(volume["VolumeId"]))
    return deleted


def _unused_copy(volumes: Iterable[Mapping[str, Any]], zone: str, snapshot_id: str) -> dict[str, Any] | None:
    """A never-attached volume in `zone` made from `snapshot_id` (an interrupted earlier try)."""
    for volume in volumes:
        if volume["AvailabilityZone"] == zone and volume.get("SnapshotId") == snapshot_id and TAG_ATTACHED_AT not in _tags(volume):
            return dict(volume)
    return None


def on_launch(settings: Settings, instance_id: str, deadline: Deadline) -> dict[str, Any]:
    instance = _instance(instance_id)
    zone = str(instance["Placement"]["AvailabilityZone"])
    _wait_instance_running(instance, deadline)

    volumes = _component_volumes(settings)
    mine = [v for v in volumes if _attachment_instance(v) == instance_id]
    if mine:
        volume_id = str(mine[0]["VolumeId"])
        _wait_attached(volume_id, instance_id, deadline)
        _log("volume_already_attached", volume_id=volume_id, instance_id=instance_id)
        return {"volume_id": volume_id, "source": "already-attached"}

    busy = [str(v["VolumeId"]) for v in volumes if v["State"] == "in-use"]
    if busy:
        # The previous instance still holds the volume (termination not finished): wait for it.
        _wait_volumes_available(busy, deadline)
        volumes = _component_volumes(settings)

    usable = [v for v in volumes if v["State"] in ("creating", "available")]
    if usable:
        # The volume with the newest data is the data of record, wherever it is.
        record = _best_volume(usable)
        if record["AvailabilityZone"] == zone:
            volume, source = record, "reused"
            _log("volume_reused", volume_id=volume["VolumeId"], availability_zone=zone, instance_id=instance_id)
        else:
            snapshot = relocation_snapshot(settings, record, deadline)
            copy = _unused_copy(usable, zone, str(snapshot["SnapshotId"]))
            if copy is not None:
                _log("volume_reused", volume_id=copy["VolumeId"], availability_zone=zone, instance_id=instance_id, copy_of=record["VolumeId"])
            volume, source = copy or create_volume(settings, zone, instance_id, snapshot), "relocated"
    else:
        volume = restore_newest(settings, zone, instance_id, deadline)
        source = "restored" if volume.get("SnapshotId") else "empty"

    attach(settings, volume, instance_id, deadline)
    deleted = delete_redundant_volumes(settings, str(volume["VolumeId"]), instance_id)
    return {"volume_id": volume["VolumeId"], "source": source, "deleted_volumes": deleted}


# --- the lifecycle action ------------------------------------------------------------------


def complete(action: LifecycleAction, result: str) -> str:
    """CompleteLifecycleAction; returns completed | already-completed | failed (never raises)."""
    try:
        _client("autoscaling").complete_lifecycle_action(
            LifecycleHookName=action.hook_name,
            AutoScalingGroupName=action.group_name,
            LifecycleActionToken=action.token,
            LifecycleActionResult=result,
            InstanceId=action.instance_id,
        )
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", ""))
        if "no active lifecycle action" in message.lower():
            _log("lifecycle_action_already_completed", instance_id=action.instance_id, result=result, detail=message)
            return "already-completed"
        _log("lifecycle_action_complete_failed", level="error", instance_id=action.instance_id, result=result, **_describe_error(exc))
        return "failed"
    except Exception as exc:
        _log("lifecycle_action_complete_failed", level="error", instance_id=action.instance_id, result=result, **_describe_error(exc))
        return "failed"
    _log("lifecycle_action_completed", instance_id=action.instance_id, hook=action.hook_name, group=action.group_name, result=result)
    return "completed"


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    fallback = default_result(os.environ)
    try:
        action = LifecycleAction.from_event(event)
    except LifecycleError as exc:
        _log("invalid_event", level="error", **_describe_error(exc))
        return {"status": "invalid-event"}
    if action is None:
        _log("ignored", reason="not a launch or terminate lifecycle action", detail_type=event.get("detail-type"))
        return {"status": "ignored"}

    _log("lifecycle_action", transition=action.transition, instance_id=action.instance_id, group=action.group_name, hook=action.hook_name)
    try:
        settings = Settings.from_env(os.environ)
        if action.transition == LAUNCHING:
            outcome = on_launch(settings, action.instance_id, Deadline(context, settings))
        else:
            outcome = on_terminate(settings, action.instance_id)
        result = "CONTINUE"
    except Exception as exc:
        # Every failure ends the action with the configured result instead of a retry loop.
        _log("lifecycle_step_failed", level="error", transition=action.transition, instance_id=action.instance_id, result=fallback, **_describe_error(exc))
        outcome = {"error": f"{type(exc).__name__}: {exc}"}
        result = fallback
    completion = complete(action, result)
    return {"status": completion, "result": result, "transition": action.transition, "instance_id": action.instance_id, **outcome}
