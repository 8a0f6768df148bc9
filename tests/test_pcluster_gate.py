"""The ParallelCluster gate: ParallelCluster's own schema (and offline validators) on cluster configs.

aws-parallelcluster lives in its own venv (its boto3 pins clash with checkov's):
these tests find its python through ARCHGEN_PCLUSTER, else <repo>/.ci-pcluster,
and FAIL, never skip, when neither is there. One run of the check over all the
fixtures takes about half a second.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from archgen import pcluster_gate
from archgen.pcluster_gate import (
    CHECK_SCRIPT,
    PclusterError,
    PclusterGateError,
    locate,
    parse_report,
    pcluster_available,
    pcluster_python,
    run_pcluster_check,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "pcluster"
DEFAULT_VENV = ROOT / ".ci-pcluster"
PASSING = sorted(FIXTURES.glob("pass_*.yaml"))
FAILING = sorted(FIXTURES.glob("fail_*.yaml"))

# fixture -> (path, start of ParallelCluster's message, source, text on the reported line)
EXPECTED = {
    "fail_unknown_key": (
        ("Scheduling", "SlurmQueues", 0, "Networking", "PlacementGroup", "Enable"),
        "Unknown field.",
        "schema",
        "Enable: true",
    ),
    "fail_wrong_type": (
        ("Scheduling", "SlurmQueues", 0, "ComputeResources", 0, "InstanceType"),
        "Not a valid string.",
        "schema",
        "InstanceType: [c5n.18xlarge",
    ),
    "fail_missing_headnode": (("HeadNode",), "Missing data for required field.", "schema", "Region: us-east-2"),
    "fail_capacity_type": (
        ("Scheduling", "SlurmQueues", 1, "CapacityType"),
        "Must be one of: CAPACITY_BLOCK, ONDEMAND, SPOT.",
        "schema",
        "CapacityType: RESERVED",
    ),
    "fail_no_compute_resources": (
        ("Scheduling", "SlurmQueues", 1, "_schema"),
        "ParallelCluster cannot build this section: TypeError:",
        "schema",
        "- Name: spot",
    ),
    "fail_queue_name": (
        ("Scheduling", "SlurmQueues", 1, "Name"),
        "Invalid name 'spot_queue'. Name must begin with a letter",
        "NameValidator",
        "Name: spot_queue",
    ),
    "fail_fsx_capacity": (
        ("SharedStorage", 0, "FsxLustreSettings"),
        "Capacity for FSx PERSISTENT_2 file systems is 1,200 GB or increments of 2,400 GB.",
        "FsxStorageCapacityValidator",
        "FsxLustreSettings:",
    ),
    "fail_duplicate_key": ((), "not valid YAML: Duplicate key found: MaxCount", "yaml", "MaxCount: 4"),
}

pytestmark = pytest.mark.slow  # needs aws-parallelcluster's own environment


@pytest.fixture(scope="module")
def pcluster_env() -> str:
    """The python of the pcluster venv; ARCHGEN_PCLUSTER is set to it for the module."""
    configured = os.environ.get(pcluster_gate.ENV_VAR)
    candidate = configured or (str(DEFAULT_VENV) if DEFAULT_VENV.is_dir() else None)
    if not candidate:
        pytest.fail(
            "aws-parallelcluster is required for these tests and was not found: install it in its own venv "
            "(python3 -m venv .ci-pcluster && .ci-pcluster/bin/pip install 'aws-parallelcluster==3.16.*') "
            f"or set {pcluster_gate.ENV_VAR} to the python (or folder) of such a venv"
        )
    mp = pytest.MonkeyPatch()
    mp.setenv(pcluster_gate.ENV_VAR, candidate)
    python = pcluster_python()
    if python is None:
        mp.undo()
        pytest.fail(f"{pcluster_gate.ENV_VAR}={candidate!r} is neither a python nor a venv folder")
    yield python
    mp.undo()


@pytest.fixture(scope="module")
def report(pcluster_env: str) -> dict[str, list[PclusterError]]:
    """One run over every fixture, with a proxy that goes nowhere: nothing may need the network."""
    mp = pytest.MonkeyPatch()
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        mp.setenv(name, "http://127.0.0.1:9")
    mp.delenv("NO_PROXY", raising=False)
    mp.delenv("no_proxy", raising=False)
    try:
        started = time.monotonic()
        problems = run_pcluster_check(PASSING + FAILING)
        print(f"pcluster check of {len(PASSING + FAILING)} files: {time.monotonic() - started:.2f} s")
    finally:
        mp.undo()
    by_file: dict[str, list[PclusterError]] = {p.stem: [] for p in PASSING + FAILING}
    for problem in problems:
        by_file[Path(problem.file).stem].append(problem)
    return by_file


def test_fixtures_exist() -> None:
    assert {p.stem for p in PASSING} == {"pass_efa_fsx", "pass_scratch2_import"}
    assert {p.stem for p in FAILING} == set(EXPECTED)


@pytest.mark.parametrize("fixture", PASSING, ids=lambda p: p.stem)
def test_valid_config_passes(report: dict[str, list[PclusterError]], fixture: Path) -> None:
    assert report[fixture.stem] == [], "\n".join(map(str, report[fixture.stem]))


@pytest.mark.parametrize("fixture", FAILING, ids=lambda p: p.stem)
def test_broken_config_fails_at_the_culprit(report: dict[str, list[PclusterError]], fixture: Path) -> None:
    path, message, source, text = EXPECTED[fixture.stem]
    problems = report[fixture.stem]
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert problem.file == str(fixture)
    assert problem.path == path
    assert problem.message.startswith(message), problem.message
    assert problem.source == source
    lines = fixture.read_text(encoding="utf-8").splitlines()
    assert problem.line is not None and 1 <= problem.line <= len(lines)
    assert text in lines[problem.line - 1], f"line {problem.line} is {lines[problem.line - 1]!r}, expected {text!r}"


def test_all_schema_errors_of_a_file_are_reported(pcluster_env: str, tmp_path: Path) -> None:
    broken = (FIXTURES / "pass_efa_fsx.yaml").read_text(encoding="utf-8")
    broken = broken.replace("Os: alinux2023", "Os: alinux2").replace("MaxCount: 16", "MaxCount: sixteen")
    broken = broken.replace("DeploymentType: PERSISTENT_2", "DeploymentType: PERSISTENT_3") + "Bogus: 1\n"
    config = tmp_path / "cluster.yaml"
    config.write_text(broken, encoding="utf-8")
    problems = run_pcluster_check([config])
    found = {(p.path, p.message) for p in problems}
    assert found == {
        (("Image", "Os"), "Must be one of: alinux2023, ubuntu2204, ubuntu2404, rhel8, rocky8, rhel9, rocky9."),
        (("Scheduling", "SlurmQueues", 0, "ComputeResources", 0, "MaxCount"), "Not a valid integer."),
        (
            ("SharedStorage", 0, "FsxLustreSettings", "DeploymentType"),
            "Must be one of: SCRATCH_1, SCRATCH_2, PERSISTENT_1, PERSISTENT_2.",
        ),
        (("Bogus",), "Unknown field."),
    }
    lines = broken.splitlines()
    for problem in problems:
        assert str(problem.path[-1]) in lines[problem.line - 1]
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_checker_exit_codes(pcluster_env: str, tmp_path: Path) -> None:
    """0 with a JSON list when it ran; 2 without arguments or with an unreadable file."""
    ok = subprocess.run(
        [pcluster_env, "-I", str(CHECK_SCRIPT), str(FIXTURES / "pass_efa_fsx.yaml")], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == []
    usage = subprocess.run([pcluster_env, "-I", str(CHECK_SCRIPT)], capture_output=True, text=True)
    assert usage.returncode == 2
    missing = subprocess.run(
        [pcluster_env, "-I", str(CHECK_SCRIPT), str(tmp_path / "nope.yaml")], capture_output=True, text=True
    )
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_checker_does_not_import_archgen() -> None:
    source = CHECK_SCRIPT.read_text(encoding="utf-8")
    assert "archgen" not in "".join(line for line in source.splitlines() if line.lstrip().startswith(("import", "from")))


def test_unavailable_python_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(pcluster_gate.ENV_VAR, raising=False)
    assert pcluster_python() is None and not pcluster_available()
    with pytest.raises(PclusterGateError, match="ARCHGEN_PCLUSTER is not set"):
        run_pcluster_check([FIXTURES / "pass_efa_fsx.yaml"])
    monkeypatch.setenv(pcluster_gate.ENV_VAR, str(tmp_path / "no-venv"))
    with pytest.raises(PclusterGateError, match="neither a python nor a venv folder"):
        run_pcluster_check([FIXTURES / "pass_efa_fsx.yaml"])


def test_a_python_without_pcluster_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # this interpreter (archgen's) has no aws-parallelcluster: the check cannot run
    import sys

    monkeypatch.setenv(pcluster_gate.ENV_VAR, sys.executable)
    with pytest.raises(PclusterGateError, match="aws-parallelcluster 3.x is not importable"):
        run_pcluster_check([FIXTURES / "pass_efa_fsx.yaml"])


def test_venv_folder_is_accepted(pcluster_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    venv = Path(pcluster_env).parent.parent
    monkeypatch.setenv(pcluster_gate.ENV_VAR, str(venv))
    # not resolved: a venv's bin/python is a symlink to the base interpreter
    assert pcluster_python() == str((venv / "bin" / "python").absolute())


def test_parse_report_rejects_garbage_and_maps_files(tmp_path: Path) -> None:
    with pytest.raises(PclusterGateError):
        parse_report("Traceback (most recent call last):", {})
    with pytest.raises(PclusterGateError):
        parse_report('{"file": "a"}', {})
    config = tmp_path / "c.yaml"
    config.write_text("Image:\n  Os: alinux2\n", encoding="utf-8")
    text = json.dumps([{"file": str(config), "path": ["Image", "Os"], "message": "Must be one of: ..."}])
    [problem] = parse_report(text, {str(config): "out/pcluster/c.yaml"})
    assert problem == PclusterError("out/pcluster/c.yaml", ("Image", "Os"), "Must be one of: ...", 2, "schema")
    assert str(problem) == "out/pcluster/c.yaml:2: Image/Os: Must be one of: ..."


LOCATE_TEXT = """\
# comment
Region: us-east-1
HeadNode:
  InstanceType: c6i.xlarge
  Networking:
    SubnetId: subnet-0123456789abcdef0
Scheduling:
  Scheduler: slurm
  SlurmQueues:
    - Name: efa
      ComputeResources:
        - Name: c5n
          InstanceType: c5n.18xlarge
        - Name: hpc7a
          InstanceType:
            - hpc7a.96xlarge
    - Name: spot
      Networking:
        SubnetIds: [subnet-0123456789abcdef1, "subnet-1"]
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ((), 2),  # the document: its first key
        (("Region",), 2),
        (("HeadNode", "Networking", "SubnetId"), 6),
        (("HeadNode", "Networking"), 5),  # a section: its key, not its first child
        (("Scheduling", "SlurmQueues", 0, "ComputeResources", 0, "InstanceType"), 13),
        (("Scheduling", "SlurmQueues", 0, "ComputeResources", 1, "InstanceType"), 15),
        (("Scheduling", "SlurmQueues", 0, "ComputeResources", 1, "InstanceType", 0), 16),
        (("Scheduling", "SlurmQueues", 1), 17),  # a list item: its first line
        (("Scheduling", "SlurmQueues", "1", "Name"), 17),  # an index written as a string
        (("Scheduling", "SlurmQueues", 1, "Networking", "SubnetIds", 1), 19),  # flow style
        (("Scheduling", "SlurmQueues", 1, "_schema"), 17),  # error of the whole item
        (("HeadNode", "Ssh"), 3),  # missing key: its parent
        (("Scheduling", "SlurmQueues", 5, "Name"), 9),  # index out of range: the list
        (("Region", "Name"), 2),  # below a scalar: the scalar
        (("Scheduling", "SlurmQueues", "first"), 9),  # a key into a list: the list
    ],
)
def test_locate(path: tuple, line: int) -> None:
    assert locate(LOCATE_TEXT, path) == line


def test_locate_degenerate_documents() -> None:
    assert locate("", ("HeadNode",)) == 1
    assert locate("# only a comment\n", ()) == 1
    assert locate("a: 1\nb: [\n", ("a",)) == 3  # broken YAML: where the parser gave up
    assert locate("a: 1\na: 2\n", ("a",)) == 2  # duplicate keys: the last one, as PyYAML keeps it
    assert locate("- x\n- y: 1\n", (1, "y")) == 2
    assert locate("1: one\n", (1,)) == 1  # int-looking keys are matched by their text


def test_archgen_pcluster_extra_is_found_beside_archgen(monkeypatch):
    """Without $ARCHGEN_PCLUSTER, an aws-parallelcluster installed with archgen (the extra) is used."""
    import importlib.util
    import sys

    monkeypatch.delenv("ARCHGEN_PCLUSTER", raising=False)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object() if name == "pcluster" else real(name, *a))
    assert pcluster_gate.pcluster_python() == sys.executable
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pcluster" else real(name, *a))
    assert pcluster_gate.pcluster_python() is None
