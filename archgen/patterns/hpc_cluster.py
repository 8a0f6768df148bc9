"""hpc-cluster: an AWS ParallelCluster 3 cluster (Slurm) and the Terraform it stands on.

Terraform builds the network (a new VPC, or existing subnets), the security group
EFA needs, and the S3 data bucket FSx for Lustre imports from and exports to.
The ParallelCluster config is rendered twice over: archgen writes
`pcluster/<component>.yaml`, a template whose `${...}` placeholders stand for ids
Terraform creates (subnets, security group, bucket); the module fills it with
`templatefile` and outputs the final config, so that after `terraform apply`

    terraform output -raw <component>_cluster_config > cluster.yaml
    pcluster create-cluster --cluster-name NAME --cluster-configuration cluster.yaml

An output rather than a file written by Terraform: there is no `local` provider
offline, an output lives in the state (plan and apply may run on a remote runner
whose disk the user never sees) and can be read again at any time. Ids the
blueprint gives (an existing network) are written into the template as they are.
"""

from __future__ import annotations

import re
from typing import Iterator, Literal

from ..modeling import Field

from .. import hcl
from ..blocks import bucket, efa, network
from ..blocks.bucket import Bucket
from ..blocks.function import IAM_ROLE
from ..blocks.network import Network
from ..findings import shown
from ..model import ComponentBase, Int, SizeGiB, Strict
from ..names import AwsName, namespace
from ..rules import Context, Violation, default, limit, rule
from . import BuildContext, Edge, Module, Node, Pattern

PCLUSTER_NAME = namespace("pcluster-cluster", "ParallelCluster cluster", 60, "https://docs.aws.amazon.com/parallelcluster/latest/ug/pcluster.create-cluster-v3.html")

CONFIG_URL = "https://docs.aws.amazon.com/parallelcluster/latest/ug/cluster-configuration-file-v3.html"
SCHEDULING_URL = "https://docs.aws.amazon.com/parallelcluster/latest/ug/Scheduling-v3.html"
STORAGE_URL = "https://docs.aws.amazon.com/parallelcluster/latest/ug/SharedStorage-v3.html"
FSX_CREATE_URL = "https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystem.html"
FSX_LUSTRE_URL = "https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemLustreConfiguration.html"
SPOT_ROLE_URL = "https://docs.aws.amazon.com/parallelcluster/latest/ug/spot-v3.html"
PLACEMENT_URL = "https://docs.aws.amazon.com/parallelcluster/latest/ug/Scheduling-v3.html#yaml-Scheduling-SlurmQueues-Networking-PlacementGroup"

# ParallelCluster 3 (pcluster/constants.py, validators/cluster_validators.py)
QUEUES = limit("hpc_queues", 1, 50, "queues", SCHEDULING_URL)
QUEUE_MIN = limit("hpc_queue_min", 0, None, "nodes", SCHEDULING_URL)
QUEUE_MAX = limit("hpc_queue_max", 1, None, "nodes", SCHEDULING_URL)
NAME = re.compile(r"^[a-z][a-z0-9-]*\Z")
NAME_LENGTH = 25
OS_VALUES = ("alinux2023", "ubuntu2204", "ubuntu2404", "rhel8", "rocky8", "rhel9", "rocky9")
DEFAULT_OS = default("hpc_os", "alinux2023")
DEFAULT_MAX = default("hpc_queue_max", 10)
RESERVED_DIRS = frozenset(
    "/bin /boot /dev /etc /lib /lib64 /media /mnt /opt /opt/parallelcluster /opt/parallelcluster/shared "
    "/opt/parallelcluster/shared_login_nodes /opt/slurm /opt/intel /proc /root /run /sbin /srv /sys /tmp /usr /var".split()
)
MOUNT_DIR = re.compile(r"^/[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\Z")

# FSx for Lustre (CreateFileSystem StorageCapacity; CreateFileSystemLustreConfiguration PerUnitStorageThroughput)
DEPLOYMENTS = ("SCRATCH_1", "SCRATCH_2", "PERSISTENT_1", "PERSISTENT_2")
FSX_INCREMENT = {"SCRATCH_1": 3600, "SCRATCH_2": 2400, "PERSISTENT_1": 2400, "PERSISTENT_2": 2400}
FSX_THROUGHPUT = {"PERSISTENT_1": (50, 100, 200), "PERSISTENT_2": (125, 250, 500, 1000)}
DEFAULT_DEPLOYMENT = default("hpc_fsx_deployment", "SCRATCH_2")
DEFAULT_CAPACITY = default("hpc_fsx_capacity_gib", 1200)
S3_PATH = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/(?P<key>[A-Za-z0-9!_.*'()/-]*))?\Z")
PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/?\Z")


class HeadNode(Strict):
    """The Slurm head node."""

    instance_type: str = Field(description="EC2 instance type, e.g. c6i.xlarge")
    elastic_ip: bool | None = Field(None, description="give the head node an Elastic IP (default: with a new VPC, whose head node subnet is public)")


class SlurmQueue(Strict):
    """A Slurm queue of one instance type."""

    name: str = Field(description="queue name: lowercase letters, digits and hyphens, at most 25 characters")
    instance_type: str = Field(description="EC2 instance type of the queue's nodes")
    min: Int = Field(0, description="nodes kept running")
    max: Int = Field(DEFAULT_MAX, description="nodes at most")
    capacity: Literal["ondemand", "spot"] = "ondemand"
    efa: bool = Field(False, description="attach an Elastic Fabric Adapter (EFA-capable instance types only)")
    placement_group: bool | None = Field(None, description="launch the queue's nodes in a cluster placement group (default: with efa)")
    subnet_ids: list[str] = Field(default_factory=list, description="existing network: the queue's subnets (default: the network's compute subnets)")

    @property
    def placement(self) -> bool:
        return self.efa if self.placement_group is None else self.placement_group


class FsxLustre(Strict):
    """A new FSx for Lustre file system, optionally linked to S3."""

    mount: str = Field(description="mount directory on every node, e.g. /fsx")
    capacity_gib: SizeGiB = Field(DEFAULT_CAPACITY, description="GiB: 1200, 2400, then the deployment type's increment")
    deployment: Literal["SCRATCH_1", "SCRATCH_2", "PERSISTENT_1", "PERSISTENT_2"] = DEFAULT_DEPLOYMENT
    throughput: Int | None = Field(None, description="PERSISTENT only: MB/s per TiB (PERSISTENT_1 50/100/200, PERSISTENT_2 125/250/500/1000; default the lowest)")
    import_path: str | None = Field(
        None, description="S3 data imported and exported: a prefix of the component's data bucket (e.g. input/), or s3://BUCKET/PREFIX"
    )

    @property
    def per_unit_throughput(self) -> int | None:
        if self.deployment not in FSX_THROUGHPUT:
            return self.throughput
        return self.throughput if self.throughput is not None else FSX_THROUGHPUT[self.deployment][0]


class Efs(Strict):
    """A new encrypted EFS file system."""

    mount: str = Field(description="mount directory on every node, e.g. /shared")


class Storage(Strict):
    """One shared file system: `{fsx_lustre: {...}}` or `{efs: {...}}`."""

    fsx_lustre: FsxLustre | None = None
    efs: Efs | None = None

    @property
    def kind(self) -> str:
        return "fsx_lustre" if self.fsx_lustre is not None else "efs"

    @property
    def mount(self) -> str | None:
        part = self.fsx_lustre or self.efs
        return part.mount if part else None


class HpcCluster(ComponentBase):
    pattern: Literal["hpc-cluster"]
    network: Network = Field(default_factory=Network)
    os: Literal["alinux2023", "ubuntu2204", "ubuntu2404", "rhel8", "rocky8", "rhel9", "rocky9"] = DEFAULT_OS
    head_node: HeadNode
    queues: list[SlurmQueue] = Field(min_length=1)
    storage: list[Storage] = Field(default_factory=list)
    bucket: Bucket = Field(default_factory=Bucket, description="the S3 data bucket")
    spot_service_linked_role: Literal["existing", "create"] | None = Field(
        None, description="Spot queues need the EC2 Spot service-linked role: `existing` (the account has it) or `create` (Terraform creates it)"
    )


# --- views the rules and build share ----------------------------------------------


def compute_subnets(c: HpcCluster) -> list[str] | None:
    """The network's compute subnets for a queue without its own: None with a new VPC (its private subnet)."""
    if c.network.new:
        return None
    ids = c.network.subnet_ids
    return ids[1:] if len(ids) > 1 else ids[:1]


def queue_subnets(c: HpcCluster, q: SlurmQueue) -> list[str] | None:
    return list(q.subnet_ids) if q.subnet_ids else compute_subnets(c)


def compute_resource_name(instance_type: str) -> str:
    """c5n.18xlarge -> c5n-18xlarge (ParallelCluster: [a-z][a-z0-9-]*, at most 25)."""
    return instance_type.replace(".", "-")


# --- rules ---------------------------------------------------------------------


@rule("AG600", "EFA only on EFA-capable instance types", efa.URL, part=SlurmQueue)
def efa_capable(q: SlurmQueue, ctx: Context) -> Iterator[Violation]:
    if q.efa and efa.INSTANCE_TYPE.match(q.instance_type):
        problem = efa.problem(q.instance_type)
        if problem:
            yield Violation(("efa",), problem)


@rule("AG601", "a queue with a placement group or EFA stays in one subnet", PLACEMENT_URL, part=HpcCluster)
def one_subnet(c: HpcCluster, ctx: Context) -> Iterator[Violation]:
    for i, q in enumerate(c.queues):
        subnets = queue_subnets(c, q)
        if subnets is None or len(subnets) <= 1:
            continue
        where = ("queues", i, "subnet_ids") if q.subnet_ids else ("queues", i, "placement_group" if q.placement else "efa")
        if q.placement:
            yield Violation(where, f"a cluster placement group is in one Availability Zone: give queue {q.name} one subnet (queues[{i}].subnet_ids), not {len(subnets)}")
        elif q.efa:
            yield Violation(where, f"EFA does not cross Availability Zones: give queue {q.name} one subnet (queues[{i}].subnet_ids), not {len(subnets)}")


@rule("AG602", "a queue's node counts: min at least 0, max at least 1, min <= max", SCHEDULING_URL, part=SlurmQueue)
def counts(q: SlurmQueue, ctx: Context) -> Iterator[Violation]:
    low = QUEUE_MIN.violation(q.min, ("min",))
    high = QUEUE_MAX.violation(q.max, ("max",))
    yield from (v for v in (low, high) if v)
    if low is None and high is None and q.min > q.max:
        yield Violation(("min",), f"min ({q.min}) is more than max ({q.max})")


@rule("AG603", "queue names and instance types as ParallelCluster allows them; at most 50 queues", SCHEDULING_URL, part=HpcCluster)
def names_valid(c: HpcCluster, ctx: Context) -> Iterator[Violation]:
    found = QUEUES.violation(len(c.queues), ("queues",))
    if found:
        yield found
    seen: dict[str, int] = {}
    for i, q in enumerate(c.queues):
        where = ("queues", i, "name")
        if not NAME.match(q.name) or len(q.name) > NAME_LENGTH:
            yield Violation(where, f"a queue name is 1 to {NAME_LENGTH} lowercase letters, digits and hyphens, starting with a letter, got {shown(q.name)}")
        elif q.name == "default":
            yield Violation(where, "ParallelCluster forbids the queue name default")
        elif q.name in seen:
            yield Violation(where, f"queue {q.name} is already defined at queues[{seen[q.name]}]")
        seen.setdefault(q.name, i)
        resource = compute_resource_name(q.instance_type)
        if not efa.INSTANCE_TYPE.match(q.instance_type):
            yield Violation(("queues", i, "instance_type"), f"an EC2 instance type such as c5n.18xlarge, got {shown(q.instance_type)}")
        elif len(resource) > NAME_LENGTH:
            yield Violation(("queues", i, "instance_type"), f"the compute resource name {resource} would be longer than {NAME_LENGTH} characters")
    if not efa.INSTANCE_TYPE.match(c.head_node.instance_type):
        yield Violation(("head_node", "instance_type"), f"an EC2 instance type such as c6i.xlarge, got {shown(c.head_node.instance_type)}")


@rule("AG604", "FSx for Lustre capacity is 1200 GiB, 2400 GiB, then the deployment type's increment", FSX_CREATE_URL, part=FsxLustre)
def fsx_capacity(f: FsxLustre, ctx: Context) -> Iterator[Violation]:
    step = FSX_INCREMENT[f.deployment]
    size = f.capacity_gib
    if size not in (1200, 2400) and (size <= 0 or size % step):
        yield Violation(("capacity_gib",), f"{f.deployment} file systems are 1200 GiB, 2400 GiB or a multiple of {step} GiB, got {size} GiB")


@rule("AG605", "PerUnitStorageThroughput: PERSISTENT only, one of the deployment type's values", FSX_LUSTRE_URL, part=FsxLustre)
def fsx_throughput(f: FsxLustre, ctx: Context) -> Iterator[Violation]:
    if f.throughput is None:
        return
    allowed = FSX_THROUGHPUT.get(f.deployment)
    if allowed is None:
        yield Violation(("throughput",), f"{f.deployment} file systems have no per-unit throughput setting: remove throughput or use a PERSISTENT deployment")
    elif f.throughput not in allowed:
        yield Violation(("throughput",), f"{f.deployment} takes {', '.join(map(str, allowed))} MB/s/TiB, got {f.throughput}")


@rule("AG606", "import_path is a data bucket prefix or an s3:// path, and not on PERSISTENT_2", FSX_LUSTRE_URL, part=FsxLustre)
def fsx_import_path(f: FsxLustre, ctx: Context) -> Iterator[Violation]:
    if f.import_path is None:
        return
    where = ("import_path",)
    if f.deployment == "PERSISTENT_2":
        yield Violation(where, "PERSISTENT_2 file systems take no ImportPath or ExportPath (they link to S3 through data repository associations): use SCRATCH_2 or PERSISTENT_1, or remove import_path")
    elif f.import_path.startswith("s3://"):
        if not S3_PATH.match(f.import_path) or len(f.import_path) > 900:
            yield Violation(where, f"an S3 path such as s3://my-bucket/input/, got {shown(f.import_path)}")
    elif not PREFIX.match(f.import_path) or len(f.import_path) > 900:
        yield Violation(where, f"a prefix of the data bucket such as input/ (letters, digits and !_.*'()-/), or s3://BUCKET/PREFIX, got {shown(f.import_path)}")


@rule("AG607", "Spot queues need the EC2 Spot service-linked role", SPOT_ROLE_URL, part=HpcCluster, severity="warning")
def spot_role(c: HpcCluster, ctx: Context) -> Iterator[Violation]:
    spot = [i for i, q in enumerate(c.queues) if q.capacity == "spot"]
    if spot and c.spot_service_linked_role is None:
        yield Violation(
            ("queues", spot[0], "capacity"),
            "Spot capacity needs the service-linked role AWSServiceRoleForEC2Spot, once per account: say `spot_service_linked_role: existing` "
            "(aws iam get-role --role-name AWSServiceRoleForEC2Spot finds it) or `create`",
        )


@rule("AG608", "shared storage: one kind per entry, valid and unique mount directories, at most one new FSx and one new EFS", STORAGE_URL, part=HpcCluster)
def storage_valid(c: HpcCluster, ctx: Context) -> Iterator[Violation]:
    mounts: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for i, s in enumerate(c.storage):
        if (s.fsx_lustre is None) == (s.efs is None):
            yield Violation(("storage", i), "give exactly one of fsx_lustre and efs")
            continue
        where = ("storage", i, s.kind, "mount")
        mount = s.mount.rstrip("/") or "/"
        if not MOUNT_DIR.match(mount) or ".." in mount.split("/"):
            yield Violation(where, f"an absolute directory such as /fsx, got {shown(s.mount)}")
        elif mount in RESERVED_DIRS:
            yield Violation(where, f"{mount} is reserved by ParallelCluster and the operating system")
        elif mount in mounts:
            yield Violation(where, f"{mount} is already the mount directory of storage[{mounts[mount]}]")
        mounts.setdefault(mount, i)
        if s.kind in kinds:
            yield Violation(("storage", i, s.kind), f"ParallelCluster creates at most one {'FSx for Lustre' if s.kind == 'fsx_lustre' else 'EFS'} file system per cluster; storage[{kinds[s.kind]}] is one")
        kinds.setdefault(s.kind, i)


@rule("AG609", "queue subnets only with an existing network; a new FSx for Lustre needs every queue in one subnet", "https://docs.aws.amazon.com/parallelcluster/latest/ug/network-configuration-v3.html", part=HpcCluster)
def cluster_subnets(c: HpcCluster, ctx: Context) -> Iterator[Violation]:
    for i, q in enumerate(c.queues):
        if q.subnet_ids and c.network.new:
            yield Violation(("queues", i, "subnet_ids"), "a new VPC has one compute subnet: subnet_ids of a queue apply to an existing network (network.subnet_ids)")
        for j, subnet in enumerate(q.subnet_ids):
            if not network.SUBNET_ID.match(subnet):
                yield Violation(("queues", i, "subnet_ids", j), f"a subnet id such as subnet-0123456789abcdef0, got {shown(subnet)}")
    if any(s.fsx_lustre is not None for s in c.storage):
        for i, q in enumerate(c.queues):
            subnets = queue_subnets(c, q)
            if subnets is not None and len(subnets) > 1 and not q.placement and not q.efa:
                yield Violation(("queues", i, "subnet_ids") if q.subnet_ids else ("network", "subnet_ids"), f"ParallelCluster creates FSx for Lustre only when every queue has one subnet; queue {q.name} has {len(subnets)}")


# --- build ---------------------------------------------------------------------


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def cluster_name(ctx: BuildContext, c: HpcCluster) -> str:
    return ctx.name(c.name)


def _import_path(f: FsxLustre) -> str | None:
    if f.import_path is None:
        return None
    if f.import_path.startswith("s3://"):
        return f.import_path
    return "s3://${data_bucket}/" + f.import_path


def config_view(c: HpcCluster, ctx: BuildContext) -> dict:
    """Every value of the ParallelCluster config, decided; `${...}` where Terraform gives the id."""
    new = c.network.new
    groups = ["${security_group_id}"] if new else list(c.network.security_group_ids)
    queues = []
    for q in c.queues:
        queues.append(
            {
                "name": q.name,
                "capacity": "SPOT" if q.capacity == "spot" else "ONDEMAND",
                "subnets": ["${compute_subnet_id}"] if new else queue_subnets(c, q),
                "placement": q.placement,
                "resource": compute_resource_name(q.instance_type),
                "instance_type": q.instance_type,
                "min": q.min,
                "max": q.max,
                "efa": q.efa,
            }
        )
    storage = []
    for s in c.storage:
        if s.fsx_lustre is not None:
            f = s.fsx_lustre
            storage.append(
                {
                    "kind": "FsxLustre",
                    "name": f"fsx-{len(storage)}",
                    "mount": f.mount.rstrip("/"),
                    "capacity": f.capacity_gib,
                    "deployment": f.deployment,
                    "throughput": f.per_unit_throughput,
                    "import_path": _import_path(f),
                }
            )
        elif s.efs is not None:
            storage.append({"kind": "Efs", "name": f"efs-{len(storage)}", "mount": s.efs.mount.rstrip("/")})
    boundary = ctx.iam.get("permissions_boundary")
    return {
        "blueprint": ctx.blueprint_name,
        "component": c.name,
        "region": ctx.region,
        "os": c.os,
        "head": {
            "instance_type": c.head_node.instance_type,
            "subnet": "${head_subnet_id}" if new else c.network.subnet_ids[0],
            "elastic_ip": new if c.head_node.elastic_ip is None else c.head_node.elastic_ip,
        },
        "security_groups": groups,
        "ssm_policy": f"arn:{partition(ctx.region)}:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "queues": queues,
        "storage": storage,
        "iam": {"boundary": boundary, "prefix": ctx.iam.get("path")},
    }


def render_config(view: dict) -> str:
    from ..render import environment

    return environment(False).get_template("hpc-cluster/cluster.yaml.j2").render(c=view).rstrip("\n") + "\n"


def build(c: HpcCluster, ctx: BuildContext) -> Module:
    base = ctx.name(c.name)
    instance_types = [c.head_node.instance_type] + [q.instance_type for q in c.queues]
    config_file = f"pcluster/{c.name}.yaml"
    inputs = {
        "network": network.inputs(base, c.network, ctx.region, instance_types),
        "bucket": bucket.inputs(base, "data", c.bucket),
        "cluster_config_template": hcl.HCL('"${path.root}/' + config_file + '"'),
    }
    if c.spot_service_linked_role == "create":
        inputs["create_spot_service_linked_role"] = True
    inputs.update(ctx.common_inputs())
    names = network.names(base, c.network, ctx.region, ("network",)) + bucket.names(base, "data", ("bucket",))
    names.append(AwsName(PCLUSTER_NAME, cluster_name(ctx, c), ("name",)))
    if c.spot_service_linked_role == "create":
        names.append(AwsName(IAM_ROLE, "AWSServiceRoleForEC2Spot", ("spot_service_linked_role",)))

    cluster = Node(f"ParallelCluster {cluster_name(ctx, c)}", "box")
    head = Node(f"head node {c.head_node.instance_type}", "box")
    data = Node(f"S3 {bucket.prefix(base, 'data')}...", "store")
    diagram = [Edge(cluster, head)]
    inventory = [network.describe(base, c.network), bucket.describe(base, "data", c.bucket)]
    for q in c.queues:
        extras = [x for x in ("EFA" if q.efa else "", "cluster placement group" if q.placement else "", "Spot" if q.capacity == "spot" else "") if x]
        inventory.append(f"Slurm queue `{q.name}`: {q.min} to {q.max} x {q.instance_type}" + (f" ({', '.join(extras)})" if extras else ""))
        diagram.append(Edge(head, Node(f"queue {q.name}: {q.max} x {q.instance_type}", "box"), "Slurm"))
    for s in c.storage:
        if s.fsx_lustre is not None:
            f = s.fsx_lustre
            fsx = Node(f"FSx for Lustre {f.mount} {f.capacity_gib} GiB", "store")
            diagram.append(Edge(cluster, fsx))
            line = f"FSx for Lustre {f.deployment} {f.capacity_gib} GiB at {f.mount}, created by ParallelCluster"
            if f.import_path is not None:
                line += f", importing from and exporting to {f.import_path if f.import_path.startswith('s3://') else 'the data bucket, prefix ' + f.import_path}"
                if not f.import_path.startswith("s3://"):
                    diagram.append(Edge(fsx, data, "import/export", dotted=True))
            inventory.append(line)
        elif s.efs is not None:
            diagram.append(Edge(cluster, Node(f"EFS {s.efs.mount}", "store")))
            inventory.append(f"EFS at {s.efs.mount} (encrypted, TLS), created by ParallelCluster")
    inventory.append(f"ParallelCluster config `{config_file}` (Slurm, {c.os}, head node {c.head_node.instance_type}, access through SSM Session Manager); Terraform fills in its ids")
    if c.spot_service_linked_role == "create":
        inventory.append("the EC2 Spot service-linked role AWSServiceRoleForEC2Spot")
    output = f"{c.name}_cluster_config".replace("-", "_")
    notes = [
        f"After `terraform apply`: `terraform output -raw {output} > {c.name}.yaml`, then "
        f"`pcluster create-cluster --region {ctx.region} --cluster-name {cluster_name(ctx, c)} --cluster-configuration {c.name}.yaml`. "
        f"`{config_file}` is the same config with the ids Terraform creates left as placeholders.",
    ]
    if not c.network.new:
        notes.append("The existing subnets need a route to the internet (NAT) or VPC endpoints, and one of the security groups must allow all traffic within itself for EFA.")
    return Module(
        inputs=inputs,
        names=names,
        outputs=[
            ("cluster_config", "the ParallelCluster config with the real ids: terraform output -raw ... > cluster.yaml"),
            ("head_subnet_id", "subnet of the head node"),
            ("compute_subnet_ids", "subnets of the compute queues"),
            ("security_group_ids", "security groups of the cluster's nodes"),
            ("data_bucket_name", "name of the S3 data bucket"),
        ],
        inventory=inventory,
        diagram=diagram,
        root_files={config_file: render_config(config_view(c, ctx))},
        notes=notes,
    )


PATTERN = Pattern(
    name="hpc-cluster",
    summary="an AWS ParallelCluster 3 Slurm cluster config plus the Terraform it stands on (network, EFA security group, S3 data bucket)",
    model=HpcCluster,
    build=build,
)
