"""archgen ha-instance, strategy `standby`: move the Elastic IP to the standby instance.

Invoked by an EventBridge rule on the "CloudWatch Alarm State Change" event of the
primary's StatusCheckFailed alarm.  Event shape (source aws.cloudwatch):
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html

    {"detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
     "detail": {"alarmName": "...", "state": {"value": "ALARM", ...},
                "previousState": {"value": "OK", ...}, "configuration": {...} } }

Environment (set by the pattern's Terraform):
    PRIMARY_INSTANCE_ID   i-...      the watched instance (only logged; never touched)
    STANDBY_INSTANCE_ID   i-...      the instance that takes over
    ALLOCATION_ID         eipalloc-  the Elastic IP's allocation id
    WAIT_SECONDS          optional   longest wait for the standby to reach a state (default 300)
    WAIT_DELAY_SECONDS    optional   poll interval of that wait (default 5)

Behaviour:
  * Events whose detail.state.value is not ALARM are logged and ignored.
  * Idempotent: when the address is already on the standby, it logs and returns (a
    second delivery of the same event does nothing).  Lambda may deliver an event more
    than once: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
  * Standby `stopped` -> started; `pending` -> waited for; `stopping` -> waited until
    stopped, then started; `running` -> used as is; `shutting-down`/`terminated` (or
    missing) -> StandbyUnavailable is raised, so the invocation fails loudly (Lambda
    retries, then the function's Errors metric / failure destination tells a human).
  * The address moves with AssociateAddress AllowReassociation=True, which takes it off
    the primary in the same call:
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateAddress.html
  * The failed primary is left as it is, not stopped: a StatusCheckFailed alarm can be a
    transient host or OS problem, and a running (or impaired) instance keeps its console
    output, screenshot, memory and instance-store data for investigation; once the
    address has moved it receives no traffic through it.  There is no automatic
    fail-back; after a failover the standby is the live instance and the alarm still
    watches the old primary, so an operator repairs it and re-arms the pattern.

Every step is logged as one JSON line on stdout (CloudWatch Logs).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Any, Mapping

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

ALARM_DETAIL_TYPE = "CloudWatch Alarm State Change"

_CLIENTS: dict[str, Any] = {}


class StandbyUnavailable(RuntimeError):
    """The standby instance cannot take over (terminated, shutting down or missing)."""


@dataclass(frozen=True)
class Settings:
    primary_instance_id: str
    standby_instance_id: str
    allocation_id: str
    wait_seconds: int
    wait_delay_seconds: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        missing = [n for n in ("PRIMARY_INSTANCE_ID", "STANDBY_INSTANCE_ID", "ALLOCATION_ID") if not env.get(n, "").strip()]
        if missing:
            raise ValueError(f"missing environment variables: {', '.join(missing)}")
        return cls(
            primary_instance_id=env["PRIMARY_INSTANCE_ID"].strip(),
            standby_instance_id=env["STANDBY_INSTANCE_ID"].strip(),
            allocation_id=env["ALLOCATION_ID"].strip(),
            wait_seconds=_int_env(env, "WAIT_SECONDS", 300, minimum=1),
            wait_delay_seconds=_int_env(env, "WAIT_DELAY_SECONDS", 5, minimum=0),
        )


def _int_env(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _log(event: str, **fields: Any) -> None:
    print(json.dumps({"level": "info", "event": event, **fields}, default=str), flush=True)


def _describe_error(exc: BaseException) -> dict[str, Any]:
    fields: dict[str, Any] = {"error_type": type(exc).__name__, "error": str(exc)}
    if isinstance(exc, ClientError):
        fields["error_code"] = exc.response.get("Error", {}).get("Code")
    return fields


def _client(service: str) -> Any:
    """One client per service, created on first use (after the environment is set)."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service, config=BotoConfig(retries={"mode": "standard", "max_attempts": 5}))
    return _CLIENTS[service]


def _alarm_state(event: Mapping[str, Any]) -> str | None:
    if event.get("detail-type") != ALARM_DETAIL_TYPE:
        return None
    state = (event.get("detail") or {}).get("state") or {}
    value = state.get("value")
    return value if isinstance(value, str) else None


def _waiter_config(settings: Settings) -> dict[str, int]:
    delay = settings.wait_delay_seconds
    return {"Delay": delay, "MaxAttempts": max(1, math.ceil(settings.wait_seconds / max(delay, 1)))}


def _instance_state(instance_id: str) -> str:
    reservations = _client("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    if not instances:
        raise StandbyUnavailable(f"standby {instance_id} not found")
    return str(instances[0]["State"]["Name"])


def ensure_running(instance_id: str, settings: Settings) -> str:
    """Bring the standby to `running`; return the state it was found in."""
    ec2 = _client("ec2")
    state = _instance_state(instance_id)
    _log("standby_state", instance_id=instance_id, state=state)
    if state in ("shutting-down", "terminated"):
        raise StandbyUnavailable(f"standby {instance_id} is {state}; it cannot take over")
    if state == "stopping":
        ec2.get_waiter("instance_stopped").wait(InstanceIds=[instance_id], WaiterConfig=_waiter_config(settings))
        state = "stopped"
    if state == "stopped":
        ec2.start_instances(InstanceIds=[instance_id])
        _log("standby_starting", instance_id=instance_id)
    if state != "running":
        ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id], WaiterConfig=_waiter_config(settings))
        _log("standby_running", instance_id=instance_id)
    return state


def _address(allocation_id: str) -> dict[str, Any]:
    addresses = _client("ec2").describe_addresses(AllocationIds=[allocation_id])["Addresses"]
    if not addresses:
        raise RuntimeError(f"Elastic IP {allocation_id} not found")
    return dict(addresses[0])


def fail_over(settings: Settings, alarm_name: str | None) -> dict[str, Any]:
    address = _address(settings.allocation_id)
    holder = address.get("InstanceId")
    if holder == settings.standby_instance_id:
        _log("already_failed_over", allocation_id=settings.allocation_id, public_ip=address.get("PublicIp"), instance_id=holder, alarm=alarm_name)
        return {"action": "none", "reason": "address already on standby", "instance_id": holder}
    found_state = ensure_running(settings.standby_instance_id, settings)
    association = _client("ec2").associate_address(
        AllocationId=settings.allocation_id,
        InstanceId=settings.standby_instance_id,
        AllowReassociation=True,
    )
    _log(
        "failed_over",
        alarm=alarm_name,
        allocation_id=settings.allocation_id,
        public_ip=address.get("PublicIp"),
        from_instance_id=holder,
        primary_instance_id=settings.primary_instance_id,
        to_instance_id=settings.standby_instance_id,
        standby_was=found_state,
        association_id=association.get("AssociationId"),
        primary_left="as is, for investigation",
    )
    return {
        "action": "failed_over",
        "from_instance_id": holder,
        "to_instance_id": settings.standby_instance_id,
        "association_id": association.get("AssociationId"),
    }


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    detail = event.get("detail") or {}
    alarm_name = detail.get("alarmName")
    state = _alarm_state(event)
    if state != "ALARM":
        _log("ignored", reason="not an ALARM state change", detail_type=event.get("detail-type"), state=state, alarm=alarm_name)
        return {"action": "ignored", "state": state}
    try:
        return fail_over(Settings.from_env(os.environ), alarm_name)
    except Exception as exc:
        # Fail loudly: log, then let the invocation fail (Lambda retries; it is idempotent).
        print(json.dumps({"level": "error", "event": "failover_failed", "alarm": alarm_name, **_describe_error(exc)}, default=str), flush=True)
        raise
