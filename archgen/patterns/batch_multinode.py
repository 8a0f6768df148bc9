"""batch-multinode: an AWS Batch multi-node parallel job on a cluster placement group.

A managed EC2 compute environment in private subnets (a new VPC with a NAT gateway,
or existing subnets): multi-node containers use the awsvpc network mode and get no
public address. Its instances launch in a cluster placement group from a launch
template (IMDSv2, encrypted root volume, and with `efa` an EFA network interface and
the EFA kernel module installed at boot). A job queue, a `multinode` job definition
with its node ranges, a log group for the containers, and an alarm on failed jobs
(jobs stuck RUNNABLE for lack of capacity are cancelled, so they fail visibly too).

Multi-node parallel jobs cannot run on Spot, Fargate or unmanaged compute
environments: archgen builds none of them for this pattern, and refuses `spot`.
"""

from __future__ import annotations

import re
from typing import Iterator, Literal

from ..modeling import Field

from ..blocks import efa, network
from ..blocks.function import IAM_ROLE, LOG_GROUP, check_log_retention
from ..blocks.network import Network
from ..findings import shown
from ..model import ComponentBase, Duration, Int, SizeMiB, Strict
from ..names import EVENT_RULE, INSTANCE_PROFILE, LAUNCH_TEMPLATE, PLACEMENT_GROUP, AwsName, namespace
from ..resources import templates_dir
from ..rules import Context, Violation, default, limit, rule
from . import BuildContext, Edge, Module, Node, Pattern

BATCH_API = "https://docs.aws.amazon.com/batch/latest/APIReference"
COMPUTE_ENVIRONMENT = namespace("batch-compute-environment", "Batch compute environment", 128, f"{BATCH_API}/API_CreateComputeEnvironment.html")
JOB_QUEUE = namespace("batch-job-queue", "Batch job queue", 128, f"{BATCH_API}/API_CreateJobQueue.html")
JOB_DEFINITION = namespace("batch-job-definition", "Batch job definition", 128, f"{BATCH_API}/API_RegisterJobDefinition.html")

MNP_CE = "https://docs.aws.amazon.com/batch/latest/userguide/mnp-ce.html"
NODE_GROUPS_URL = "https://docs.aws.amazon.com/batch/latest/userguide/mnp-node-groups.html"
RESOURCES_URL = "https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html"
CONTAINER_URL = "https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerProperties.html"
RETRY_URL = "https://docs.aws.amazon.com/batch/latest/APIReference/API_RetryStrategy.html"
TIMEOUT_URL = "https://docs.aws.amazon.com/batch/latest/APIReference/API_JobTimeout.html"
STATE_LIMIT_URL = "https://docs.aws.amazon.com/batch/latest/APIReference/API_JobStateTimeLimitAction.html"

NODES = limit("batch_nodes", 1, 1000, "nodes", NODE_GROUPS_URL)
NODE_GROUPS = limit("batch_node_groups", 1, 5, "node groups", NODE_GROUPS_URL)
SECURITY_GROUPS = limit("batch_security_groups", 1, 5, "security groups", MNP_CE)
VCPUS = limit("batch_vcpus", 1, None, "vCPUs", RESOURCES_URL)
MEMORY = limit("batch_memory", 4, None, "MiB", RESOURCES_URL)
ATTEMPTS = limit("batch_attempts", 1, 10, "attempts", RETRY_URL)
TIMEOUT = limit("batch_timeout", 60, None, "seconds", TIMEOUT_URL)
RUNNABLE_LIMIT = limit("batch_runnable_limit", 600, 86400, "seconds", STATE_LIMIT_URL)
IMAGE_LENGTH = 255
IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/#@-]*\Z")
RANGE = re.compile(r"^(?P<start>\d*):(?P<end>\d*)$|^(?P<one>\d+)\Z")
DEFAULT_MAX_VCPUS = default("batch_max_vcpus", 256)
DEFAULT_ATTEMPTS = default("batch_attempts", 1)
DEFAULT_RUNNABLE_LIMIT = default("batch_runnable_limit", 14400)
DEFAULT_LOG_RETENTION_DAYS = default("batch_log_retention_days", 365)


class Compute(Strict):
    """The managed EC2 compute environment."""

    instance_types: list[str] = Field(min_length=1, description="EC2 instance types or families, e.g. [c5n.18xlarge]")
    max_vcpus: Int = Field(DEFAULT_MAX_VCPUS, description="vCPUs the environment may run at once (all nodes of a job together)")
    spot: bool = Field(False, description="multi-node parallel jobs cannot run on Spot: must stay false")
    efa: bool = Field(False, description="an Elastic Fabric Adapter on every instance (EFA-capable types only)")


class NodeGroup(Strict):
    """A node range of the job with its own container settings (the job's settings by default)."""

    nodes: str = Field(description="node indexes: 0, 1:3, 1: (to the last) or : (all)")
    image: str | None = None
    command: list[str] | None = None
    vcpus: Int | None = None
    memory: SizeMiB | None = None


class Job(Strict):
    """The multi-node parallel job definition."""

    image: str = Field(description="container image, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mpi-app:1.0")
    nodes: Int = Field(description="nodes of the job, each one instance (1..1000)")
    main_node: Int = Field(0, description="index of the main node")
    vcpus: Int = Field(description="vCPUs of each node's container")
    memory: SizeMiB = Field(description="memory of each node's container (MiB, or 16GiB)")
    command: list[str] = Field(default_factory=list, description="command of each node's container (default: the image's)")
    instance_type: str | None = Field(None, description="the one instance type every node uses (default: the first of compute.instance_types)")
    node_groups: list[NodeGroup] = Field(default_factory=list, description="node ranges with their own settings (default: one range, every node)")
    attempts: Int = Field(DEFAULT_ATTEMPTS, description="tries of a job, 1..10")
    timeout: Duration | None = Field(None, description="seconds an attempt may run (at least 60s; default: no limit)")
    runnable_timeout: Duration = Field(DEFAULT_RUNNABLE_LIMIT, description="cancel a job waiting this long for capacity (10m..24h, default 4h)")
    log_retention: Duration = Field(DEFAULT_LOG_RETENTION_DAYS * 86400, description="CloudWatch Logs retention of the containers' logs")


class BatchMultinode(ComponentBase):
    pattern: Literal["batch-multinode"]
    network: Network = Field(default_factory=Network)
    compute: Compute
    job: Job


# --- node ranges ---------------------------------------------------------------------


def parse_range(text: str, nodes: int) -> tuple[int, int] | None:
    """`1:3` -> (1, 3), `2:` -> (2, nodes - 1), `:` -> (0, nodes - 1), `4` -> (4, 4); None if malformed."""
    match = RANGE.match(text)
    if not match:
        return None
    if match.group("one") is not None:
        n = int(match.group("one"))
        return n, n
    start = int(match.group("start")) if match.group("start") else 0
    end = int(match.group("end")) if match.group("end") else nodes - 1
    return start, end


def node_groups(j: Job) -> list[dict]:
    """The job's node ranges (targetNodes start:end, an open end for the last), each with every container setting decided."""
    groups = j.node_groups or [NodeGroup(nodes="0:")]
    out = []
    for g in groups:
        target = g.nodes if ":" in g.nodes else f"{g.nodes}:{g.nodes}"
        if target.startswith(":"):
            target = "0" + target
        out.append(
            {
                "target_nodes": target,
                "image": g.image or j.image,
                "command": list(g.command if g.command is not None else j.command),
                "vcpus": g.vcpus if g.vcpus is not None else j.vcpus,
                "memory": g.memory if g.memory is not None else j.memory,
            }
        )
    return out


# --- rules ---------------------------------------------------------------------


@rule("AG610", "multi-node parallel jobs cannot run on Spot (nor on Fargate or unmanaged environments)", MNP_CE, part=Compute)
def no_spot(c: Compute, ctx: Context) -> Iterator[Violation]:
    if c.spot:
        yield Violation(("spot",), "AWS Batch runs multi-node parallel jobs on On-Demand capacity only: remove spot (or use the hpc-cluster pattern for Spot queues)")


@rule("AG611", "a job has 1 to 1000 nodes, and its main node is one of them", NODE_GROUPS_URL, part=Job)
def nodes_valid(j: Job, ctx: Context) -> Iterator[Violation]:
    found = NODES.violation(j.nodes, ("nodes",))
    if found:
        yield found
    elif not 0 <= j.main_node < j.nodes:
        yield Violation(("main_node",), f"the main node is an index from 0 to {j.nodes - 1}, got {j.main_node}")


@rule("AG612", "node groups: at most five, ranges within the job's nodes, every node in exactly one", NODE_GROUPS_URL, part=Job)
def groups_valid(j: Job, ctx: Context) -> Iterator[Violation]:
    if not j.node_groups or not NODES.contains(j.nodes):
        return
    if len(j.node_groups) > NODE_GROUPS.high:
        yield Violation(("node_groups",), f"a job has at most {NODE_GROUPS.high} node groups, this one has {len(j.node_groups)}")
        return
    owner: dict[int, int] = {}
    broken = False
    for i, g in enumerate(j.node_groups):
        where = ("node_groups", i, "nodes")
        span = parse_range(g.nodes, j.nodes)
        if span is None:
            broken = True
            yield Violation(where, f"a node range such as 0, 1:3, 1: or :, got {shown(g.nodes)}")
            continue
        start, end = span
        if start > end or end >= j.nodes:
            broken = True
            yield Violation(where, f"{g.nodes} is not within the job's nodes 0 to {j.nodes - 1}")
            continue
        clash = sorted({owner[n] for n in range(start, end + 1) if n in owner})
        if clash:
            yield Violation(where, f"{g.nodes} overlaps node_groups[{clash[0]}]")
        for n in range(start, end + 1):
            owner.setdefault(n, i)
    missing = [n for n in range(j.nodes) if n not in owner]
    if missing and not broken:
        yield Violation(("node_groups",), f"node {missing[0]} is in no node group: the ranges must cover every node from 0 to {j.nodes - 1}")


@rule("AG613", "EFA only on EFA-capable instance types", efa.URL, part=Compute)
def efa_types(c: Compute, ctx: Context) -> Iterator[Violation]:
    if not c.efa:
        return
    for i, t in enumerate(c.instance_types):
        if "." not in t:
            yield Violation(("instance_types", i), f"with efa, name instance types (such as c5n.18xlarge), not the family or {shown(t)}")
        elif efa.INSTANCE_TYPE.match(t) and (problem := efa.problem(t)):
            yield Violation(("instance_types", i), problem)


@rule("AG614", "a multi-node compute environment has at most five security groups", MNP_CE, part=BatchMultinode)
def security_groups(c: BatchMultinode, ctx: Context) -> Iterator[Violation]:
    if not c.network.new and len(c.network.security_group_ids) > SECURITY_GROUPS.high:
        yield Violation(("network", "security_group_ids"), f"multi-node parallel jobs allow at most {SECURITY_GROUPS.high} security groups, got {len(c.network.security_group_ids)}")


@rule("AG615", "instance types are EC2 types or families, and every node uses one type of them", "https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html", part=BatchMultinode)
def instance_types(c: BatchMultinode, ctx: Context) -> Iterator[Violation]:
    valid = True
    for i, t in enumerate(c.compute.instance_types):
        if t == "optimal" or t.startswith("default_"):
            valid = False
            yield Violation(("compute", "instance_types", i), f"{t} lets Batch choose; a multi-node job in a placement group needs named instance types, e.g. c5n.18xlarge")
        elif not (efa.INSTANCE_TYPE.match(t) or re.match(r"^[a-z][a-z0-9-]*\Z", t)):
            valid = False
            yield Violation(("compute", "instance_types", i), f"an EC2 instance type or family such as c5n.18xlarge or c5n, got {shown(t)}")
    t = c.job.instance_type
    if not valid:
        return
    if t is not None:
        if not efa.INSTANCE_TYPE.match(t):
            yield Violation(("job", "instance_type"), f"an EC2 instance type such as c5n.18xlarge, got {shown(t)}")
        elif t not in c.compute.instance_types and t.split(".")[0] not in c.compute.instance_types:
            yield Violation(("job", "instance_type"), f"{t} is not among compute.instance_types")
    elif "." not in c.compute.instance_types[0]:
        yield Violation(("job", "instance_type"), f"every node of a multi-node job uses the same instance type: name it (job.instance_type), {c.compute.instance_types[0]} is a family")


@rule("AG616", "each node's vCPUs and memory are valid, and the environment can run all nodes at once", RESOURCES_URL, part=BatchMultinode)
def resources(c: BatchMultinode, ctx: Context) -> Iterator[Violation]:
    j = c.job
    groups = [(("job",), j.vcpus, j.memory)] + [(("job", "node_groups", i), g.vcpus, g.memory) for i, g in enumerate(j.node_groups)]
    for where, vcpus, memory in groups:
        if vcpus is not None and (found := VCPUS.violation(vcpus, where + ("vcpus",))):
            yield found
        if memory is not None and (found := MEMORY.violation(memory, where + ("memory",))):
            yield found
    if not (NODES.contains(j.nodes) and VCPUS.contains(j.vcpus)):
        return
    if c.compute.max_vcpus < 1:
        yield Violation(("compute", "max_vcpus"), f"must be at least 1, got {c.compute.max_vcpus}")
    elif c.compute.max_vcpus < j.nodes * j.vcpus:
        yield Violation(
            ("compute", "max_vcpus"),
            f"{c.compute.max_vcpus} vCPUs cannot hold {j.nodes} nodes of {j.vcpus} vCPUs ({j.nodes * j.vcpus}) at once: the job would wait in RUNNABLE; "
            "each node is a whole instance, so allow nodes x the instance type's vCPUs",
        )


@rule("AG617", "image, command, attempts, timeouts and log retention are values Batch accepts", CONTAINER_URL, part=Job)
def job_settings(j: Job, ctx: Context) -> Iterator[Violation]:
    images = [(("image",), j.image)] + [(("node_groups", i, "image"), g.image) for i, g in enumerate(j.node_groups) if g.image is not None]
    for where, image in images:
        if len(image) > IMAGE_LENGTH or not IMAGE.match(image):
            yield Violation(where, f"an image reference of at most {IMAGE_LENGTH} letters, digits and -_.:/#@, such as public.ecr.aws/docker/library/busybox:latest, got {shown(image)}")
    for where, command in [(("command",), j.command)] + [(("node_groups", i, "command"), g.command) for i, g in enumerate(j.node_groups) if g.command]:
        for k, word in enumerate(command or []):
            if not word:
                yield Violation(where + (k,), "an empty argument: remove it")
    yield from ATTEMPTS.check(j.attempts, ("attempts",))
    if j.timeout is not None:
        yield from TIMEOUT.check(j.timeout, ("timeout",))
    yield from RUNNABLE_LIMIT.check(j.runnable_timeout, ("runnable_timeout",))
    yield from check_log_retention(j.log_retention, ("log_retention",))


# --- build ---------------------------------------------------------------------


def _size(mib: int) -> str:
    return f"{mib // 1024} GiB" if mib % 1024 == 0 else f"{mib} MiB"


def build(c: BatchMultinode, ctx: BuildContext) -> Module:
    base = ctx.name(c.name)
    j = c.job
    role_suffix = ctx.region
    instance_type = j.instance_type or c.compute.instance_types[0]
    names_ = {
        "compute_environment": base,
        "job_queue": base,
        "job_definition": base,
        "launch_template": base,
        "placement_group": base,
        "instance_role": f"{base}-instance-{role_suffix}",
        "instance_profile": f"{base}-instance-{role_suffix}",
        "service_role": f"{base}-batch-{role_suffix}",
        "log_group": f"/aws/batch/{base}",
        "failed_rule": f"{base}-failed-jobs",
    }
    compute: dict = {"instance_types": list(c.compute.instance_types)}
    if c.compute.max_vcpus != DEFAULT_MAX_VCPUS:
        compute["max_vcpus"] = c.compute.max_vcpus
    if c.compute.efa:
        compute["efa"] = True
    job: dict = {
        "nodes": j.nodes,
        "main_node": j.main_node,
        "instance_type": instance_type,
        "node_groups": node_groups(j),
    }
    if j.attempts != DEFAULT_ATTEMPTS:
        job["attempts"] = j.attempts
    if j.timeout is not None:
        job["timeout_seconds"] = j.timeout
    if j.runnable_timeout != DEFAULT_RUNNABLE_LIMIT:
        job["runnable_timeout_seconds"] = j.runnable_timeout
    if j.log_retention != DEFAULT_LOG_RETENTION_DAYS * 86400:
        job["log_retention_in_days"] = j.log_retention // 86400
    instance_types = [t for t in c.compute.instance_types if "." in t] or [instance_type]
    inputs = {
        "names": names_,
        "network": network.inputs(base, c.network, ctx.region, instance_types),
        "compute": compute,
        "job": job,
        **ctx.common_inputs(),
    }
    path = ("name",)
    names = network.names(base, c.network, ctx.region, ("network",)) + [
        AwsName(COMPUTE_ENVIRONMENT, names_["compute_environment"], path),
        AwsName(JOB_QUEUE, names_["job_queue"], path),
        AwsName(JOB_DEFINITION, names_["job_definition"], path),
        AwsName(LAUNCH_TEMPLATE, names_["launch_template"], path),
        AwsName(PLACEMENT_GROUP, names_["placement_group"], path),
        AwsName(IAM_ROLE, names_["instance_role"], path),
        AwsName(INSTANCE_PROFILE, names_["instance_profile"], path),
        AwsName(IAM_ROLE, names_["service_role"], path),
        AwsName(LOG_GROUP, names_["log_group"], path),
        AwsName(EVENT_RULE, names_["failed_rule"], path),
    ]
    queue = Node(f"Batch job queue {base}", "queue")
    environment = Node(f"compute environment {base}: {', '.join(c.compute.instance_types)}", "box")
    nodes = Node(f"{j.nodes} nodes in placement group {base}" + (" (EFA)" if c.compute.efa else ""), "box")
    diagram = [
        Edge(Node(f"job definition {base} (multinode)", "box"), queue, "submit-job"),
        Edge(queue, environment),
        Edge(environment, nodes),
        Edge(nodes, Node(f"CloudWatch Logs /aws/batch/{base}", "store"), dotted=True),
    ]
    inventory = [
        network.describe(base, c.network),
        f"cluster placement group `{base}` and launch template `{base}` (IMDSv2, encrypted gp3 root volume"
        + (", an EFA network interface and the EFA kernel module" if c.compute.efa else "")
        + ")",
        f"managed EC2 compute environment `{base}` (On-Demand, {', '.join(c.compute.instance_types)}, at most {c.compute.max_vcpus} vCPUs, "
        "private subnets) with its instance role and profile and the Batch service role",
        f"job queue `{base}`, cancelling jobs that wait {j.runnable_timeout // 3600}h for capacity; an alarm on failed jobs",
        f"multi-node job definition `{base}`: {j.nodes} nodes of {instance_type}, main node {j.main_node}, "
        f"{len(job['node_groups'])} node group{'s' if len(job['node_groups']) > 1 else ''}, {j.vcpus} vCPUs and {_size(j.memory)} each, logs in `/aws/batch/{base}`",
    ]
    output = f"{c.name}_job_queue".replace("-", "_")
    notes = [
        f"Submit the job: `aws batch submit-job --job-name run-1 --job-queue \"$(terraform output -raw {output})\" "
        f"--job-definition \"$(terraform output -raw {c.name.replace('-', '_')}_job_definition)\"`."
    ]
    if not c.network.new:
        notes.append("The existing subnets must be private with a route to a NAT gateway: multi-node containers get no public address, and instances need to reach ECS and the image registry.")
    # shipped whatever `efa` says: the module reads it only with compute.efa, but HCL evaluates both branches
    files = {"efa-user-data.mime": (templates_dir() / "batch-multinode" / "files" / "efa-user-data.mime").read_text(encoding="utf-8")}
    return Module(
        inputs=inputs,
        names=names,
        outputs=[
            ("job_queue", "ARN of the job queue to submit to"),
            ("job_definition", "ARN of the multi-node job definition"),
            ("compute_environment_arn", "ARN of the compute environment"),
            ("log_group_name", "log group of the job's containers"),
        ],
        inventory=inventory,
        diagram=diagram,
        files=files,
        notes=notes,
    )


PATTERN = Pattern(
    name="batch-multinode",
    summary="an AWS Batch multi-node parallel job on a cluster placement group, optionally with EFA",
    model=BatchMultinode,
    build=build,
)
