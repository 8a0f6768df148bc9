"""hpc-cluster (and batch-multinode): what the rule cases cannot show.

The ParallelCluster config is a first-class output: the example's rendered
`pcluster/<component>.yaml` passes ParallelCluster's own ClusterSchema (the pcluster
gate), a deliberately broken one is rejected by it, the template's placeholders are
exactly what the module's templatefile fills in, and Terraform's own templatefile
turns the template into a config ParallelCluster accepts, with the ids where they
belong. aws-parallelcluster lives in its own venv (ARCHGEN_PCLUSTER, else
<repo>/.ci-pcluster): these tests FAIL, never skip, without it, because CI installs it.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

from archgen import api, pcluster_gate
from archgen.checks import PCLUSTER, pcluster_config_for_check, run_pcluster_gate
from archgen.pcluster_gate import pcluster_python, run_pcluster_check
from archgen.render import Rendered
from conftest import EXAMPLES, ROOT

EXAMPLE = ROOT / "blueprints" / "hpc-cluster.yaml"
CONFIG = "pcluster/hpc.yaml"
PLACEHOLDER = re.compile(r"\$\{([a-z0-9_]+)\}")
DEFAULT_VENV = ROOT / ".ci-pcluster"


@pytest.fixture(scope="module")
def pcluster_env() -> str:
    """The python of the pcluster venv; ARCHGEN_PCLUSTER is set to it for the module."""
    configured = os.environ.get(pcluster_gate.ENV_VAR)
    candidate = configured or (str(DEFAULT_VENV) if DEFAULT_VENV.is_dir() else None)
    if not candidate:
        pytest.fail(f"aws-parallelcluster is required and was not found: {pcluster_gate.INSTALL_HINT}")
    mp = pytest.MonkeyPatch()
    mp.setenv(pcluster_gate.ENV_VAR, candidate)
    python = pcluster_python()
    if python is None:
        mp.undo()
        pytest.fail(f"{pcluster_gate.ENV_VAR}={candidate!r} is neither a python nor a venv folder")
    yield python
    mp.undo()


def _render(text: str, tmp_path: Path) -> Rendered:
    path = tmp_path / "bp.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return api.rendered_for(path)


def _module_main(rendered: Rendered, component: str = "hpc") -> str:
    return str(rendered.files[f"modules/{component}/main.tf"])


@pytest.mark.slow
def test_example_config_passes_the_pcluster_gate(pcluster_env: str) -> None:
    rendered = api.rendered_for(EXAMPLE)
    assert CONFIG in rendered.files
    assert run_pcluster_gate(rendered, "out/cfd") == []


@pytest.mark.slow
def test_every_example_config_passes_the_pcluster_gate(pcluster_env: str) -> None:
    checked = 0
    for example in EXAMPLES:
        patterns = {c.get("pattern") for c in yaml.safe_load(example.read_text(encoding="utf-8"))["components"]}
        if "hpc-cluster" in patterns:
            checked += 1
            assert run_pcluster_gate(api.rendered_for(example), f"out/{example.stem}") == [], example.stem
    assert checked >= 1


@pytest.mark.parametrize(
    ("old", "new", "where", "message", "line"),
    [
        ("StorageCapacity: 2400", "StorageCapacity: 3600", "SharedStorage.0.FsxLustreSettings", "Capacity for FSx SCRATCH_2 file systems is 1,200 GB or increments of 2,400 GB.", "FsxLustreSettings:"),
        ('- Name: "spot"', '- Name: "spot_queue"', "Scheduling.SlurmQueues.1.Name", "Invalid name 'spot_queue'.", "spot_queue"),
        ("CapacityType: SPOT", "CapacityType: RESERVED", "Scheduling.SlurmQueues.1.CapacityType", "Must be one of: CAPACITY_BLOCK, ONDEMAND, SPOT.", "RESERVED"),
        ("MaxCount: 16", "MaxCount: 0", "Scheduling.SlurmQueues.0.ComputeResources.0.MaxCount", "Must be greater than or equal to 1.", "MaxCount: 0"),
        ('Os: "alinux2023"', 'Os: "alinux2"', "Image.Os", "Must be one of: alinux2023,", "alinux2"),
    ],
)
@pytest.mark.slow
def test_broken_config_is_rejected_by_the_gate(pcluster_env: str, old: str, new: str, where: str, message: str, line: str) -> None:
    rendered = api.rendered_for(EXAMPLE)
    broken = copy.copy(rendered)
    broken.files = dict(rendered.files)
    text = str(broken.files[CONFIG])
    assert text.count(old) == 1, old
    broken.files[CONFIG] = text.replace(old, new)
    findings = run_pcluster_gate(broken, "out/cfd")
    assert [f.rule for f in findings] == [PCLUSTER.id], findings
    finding = findings[0]
    assert finding.file == f"out/cfd/{CONFIG}" and finding.path == "components.hpc"
    assert finding.message.startswith(f"{where}: {message}"), finding.message
    assert line in broken.files[CONFIG].splitlines()[finding.line - 1]


def test_placeholders_are_what_the_module_fills_in() -> None:
    rendered = api.rendered_for(EXAMPLE)
    used = set(PLACEHOLDER.findall(str(rendered.files[CONFIG])))
    main = _module_main(rendered)
    call = main[main.index("templatefile(var.cluster_config_template, {") :]
    given = set(re.findall(r"^\s*([a-z_]+)\s*=", call[: call.index("})")], re.M))
    assert used == given == {"head_subnet_id", "compute_subnet_id", "security_group_id", "data_bucket"}
    # the gate fills every placeholder with an id of the right kind
    checked = yaml.safe_load(pcluster_config_for_check(str(rendered.files[CONFIG])))
    assert checked["HeadNode"]["Networking"]["SubnetId"].startswith("subnet-")
    assert checked["HeadNode"]["Networking"]["SecurityGroups"] == ["sg-0123456789abcdef0"]
    filled = pcluster_config_for_check(str(rendered.files[CONFIG]))
    assert "${" not in filled and '"placeholder' not in filled
    # and the root module hands the template to the module
    assert 'cluster_config_template = "${path.root}/pcluster/hpc.yaml"' in str(rendered.files["main.tf"])


def test_example_config_says_what_the_blueprint_says() -> None:
    config = yaml.safe_load(pcluster_config_for_check(str(api.rendered_for(EXAMPLE).files[CONFIG])))
    efa, spot = config["Scheduling"]["SlurmQueues"]
    assert efa["Networking"]["PlacementGroup"] == {"Enabled": True}
    assert efa["ComputeResources"][0] == {
        "Name": "c5n-18xlarge", "InstanceType": "c5n.18xlarge", "MinCount": 0, "MaxCount": 16, "Efa": {"Enabled": True}
    }
    assert spot["CapacityType"] == "SPOT" and spot["Networking"]["PlacementGroup"] == {"Enabled": False}
    assert len(efa["Networking"]["SubnetIds"]) == 1  # a placement group is in one zone
    [fsx] = config["SharedStorage"]
    assert fsx["FsxLustreSettings"] == {
        "StorageCapacity": 2400,
        "DeploymentType": "SCRATCH_2",
        "ImportPath": "s3://archgen-placeholder-bucket/input/",
        "ExportPath": "s3://archgen-placeholder-bucket/input/",
    }
    assert config["HeadNode"]["Networking"]["ElasticIp"] is True  # a public subnet: the only way out
    assert config["Imds"] == {"ImdsSupport": "v2.0"}


@pytest.mark.slow
def test_terraform_templatefile_makes_a_config_pcluster_accepts(pcluster_env: str, tmp_path: Path) -> None:
    """The user's flow: Terraform fills the template (templatefile), `terraform output -raw` gives the file."""
    terraform = shutil.which("terraform")
    assert terraform, "terraform must be on PATH (.ci/run checks it)"
    rendered = api.rendered_for(EXAMPLE)
    work = tmp_path / "tf"
    (work / "pcluster").mkdir(parents=True)
    (work / CONFIG).write_text(str(rendered.files[CONFIG]), encoding="utf-8")
    ids = {
        "head_subnet_id": "subnet-0aaaaaaaaaaaaaaaa",
        "compute_subnet_id": "subnet-0bbbbbbbbbbbbbbbb",
        "security_group_id": "sg-0cccccccccccccccc",
        "data_bucket": "cfd-hpc-data-20250101000000000000000001",
    }
    values = "\n".join(f'    {k} = "{v}"' for k, v in ids.items())
    (work / "main.tf").write_text(f'output "config" {{\n  value = templatefile("${{path.root}}/{CONFIG}", {{\n{values}\n  }})\n}}\n', encoding="utf-8")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    for args in (["init", "-input=false"], ["apply", "-input=false", "-auto-approve"]):
        proc = subprocess.run([terraform, *args], cwd=work, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([terraform, "output", "-raw", "config"], cwd=work, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    final = proc.stdout
    assert "${" not in final
    config = yaml.safe_load(final)
    assert config["HeadNode"]["Networking"] == {"SubnetId": ids["head_subnet_id"], "ElasticIp": True, "SecurityGroups": [ids["security_group_id"]]}
    for queue in config["Scheduling"]["SlurmQueues"]:
        assert queue["Networking"]["SubnetIds"] == [ids["compute_subnet_id"]]
        assert queue["Iam"]["S3Access"] == [{"BucketName": ids["data_bucket"], "EnableWriteAccess": True}]
    assert config["SharedStorage"][0]["FsxLustreSettings"]["ImportPath"] == f"s3://{ids['data_bucket']}/input/"
    path = tmp_path / "cluster.yaml"
    path.write_text(final, encoding="utf-8")
    assert run_pcluster_check([path]) == []


@pytest.mark.slow
def test_existing_network_ids_are_written_as_given(pcluster_env: str, tmp_path: Path) -> None:
    rendered = _render(
        """
        archgen: 1
        name: lab
        region: us-east-2
        iam: {permissions_boundary: "arn:aws:iam::123456789012:policy/team-boundary", path: /hpc/}
        components:
          - name: hpc
            pattern: hpc-cluster
            network:
              subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1, subnet-0123456789abcdef2]
              security_group_ids: [sg-0123456789abcdef0]
            os: ubuntu2404
            head_node: {instance_type: c6i.xlarge}
            queues:
              - {name: efa, instance_type: hpc6a.48xlarge, max: 8, efa: true, subnet_ids: [subnet-0123456789abcdef2]}
              - {name: wide, instance_type: c6i.8xlarge, max: 8}
            storage:
              - efs: {mount: /shared}
        """,
        tmp_path,
    )
    text = str(rendered.files[CONFIG])
    assert set(PLACEHOLDER.findall(text)) == {"data_bucket"}  # only what Terraform creates
    config = yaml.safe_load(text)
    assert config["HeadNode"]["Networking"]["SubnetId"] == "subnet-0123456789abcdef0"
    assert config["HeadNode"]["Networking"]["ElasticIp"] is False
    efa, wide = config["Scheduling"]["SlurmQueues"]
    assert efa["Networking"]["SubnetIds"] == ["subnet-0123456789abcdef2"]
    assert wide["Networking"]["SubnetIds"] == ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
    assert config["Iam"] == {"PermissionsBoundary": "arn:aws:iam::123456789012:policy/team-boundary", "ResourcePrefix": "/hpc/"}
    assert config["SharedStorage"][0]["EfsSettings"] == {"Encrypted": True, "EncryptionInTransit": True}
    assert 'resource "aws_vpc" "this"' in _module_main(rendered)  # the module is the same; count picks the parts
    assert run_pcluster_gate(rendered, "out/lab") == []


def test_values_reach_the_yaml_as_quoted_scalars(tmp_path: Path) -> None:
    """Blueprint strings are written with tojson: YAML cannot read them as anything but strings."""
    rendered = _render(
        """
        archgen: 1
        name: lab
        region: eu-west-1
        components:
          - name: hpc
            pattern: hpc-cluster
            head_node: {instance_type: c6i.xlarge}
            queues: [{name: "yes", instance_type: c6i.8xlarge}]
            storage: [{fsx_lustre: {mount: /null, import_path: "s3://my-bucket/true/"}}]
        """,
        tmp_path,
    )
    config = yaml.safe_load(pcluster_config_for_check(str(rendered.files[CONFIG])))
    assert config["Scheduling"]["SlurmQueues"][0]["Name"] == "yes"
    assert config["SharedStorage"][0]["MountDir"] == "/null"
    assert config["SharedStorage"][0]["FsxLustreSettings"]["ImportPath"] == "s3://my-bucket/true/"


def test_batch_efa_job_gets_the_device_and_the_interface() -> None:
    files = api.rendered_for(ROOT / "blueprints" / "batch-multinode.yaml").files
    main = str(files["modules/solver/main.tf"])
    assert 'interface_type        = "efa"' in main and 'http_tokens                 = "required"' in main
    assert 'hostPath = "/dev/infiniband/uverbs0"' in main
    assert 'strategy = "cluster"' in main and 'type                = "EC2"' in main
    assert "SPOT" not in main and "FARGATE" not in main
    assert "efa_installer.sh -y --minimal" in str(files["modules/solver/efa-user-data.mime"])


@pytest.mark.slow
def test_applied_example_outputs_the_final_config(pcluster_env: str, tmp_path: Path) -> None:
    """terraform apply (with the stand-in provider), then `terraform output -raw <c>_cluster_config`:
    the README's two commands, on the example as rendered."""
    from archgen.terraform_gate import _base_env, default_mirror, terraform_binary
    from conftest import write_tree

    rendered = api.rendered_for(EXAMPLE)
    out = write_tree({k: v for k, v in rendered.files.items() if k != "backend.tf"}, tmp_path / "out")
    env = _base_env(str(default_mirror().cli_config))
    results = []
    for args in (["init", "-input=false"], ["apply", "-input=false", "-auto-approve"], ["output", "-raw", "hpc_cluster_config"]):
        proc = subprocess.run([terraform_binary(), *args], cwd=out, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        results.append(proc.stdout)
    final = results[-1]
    assert "${" not in final
    config = yaml.safe_load(final)
    # the stand-in's ids: the subnets, the security group and the bucket Terraform created
    assert config["HeadNode"]["Networking"]["SubnetId"] == "aws_subnet-id-stub"
    assert config["HeadNode"]["Networking"]["SecurityGroups"] == ["aws_security_group-id-stub"]
    assert config["Scheduling"]["SlurmQueues"][0]["Networking"]["SubnetIds"] == ["aws_subnet-id-stub"]
    assert config["SharedStorage"][0]["FsxLustreSettings"]["ImportPath"] == "s3://aws_s3_bucket-bucket-stub/input/"
    # with well-formed ids in their place, ParallelCluster accepts the file
    real = final.replace("aws_subnet-id-stub", "subnet-0123456789abcdef0").replace("aws_security_group-id-stub", "sg-0123456789abcdef0")
    path = tmp_path / "cluster.yaml"
    path.write_text(real.replace("aws_s3_bucket-bucket-stub", "cfd-hpc-data-20250101"), encoding="utf-8")
    assert run_pcluster_check([path]) == []
