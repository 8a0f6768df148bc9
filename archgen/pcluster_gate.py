"""Check rendered AWS ParallelCluster 3 configs (pcluster/<component>.yaml) with ParallelCluster's own schema.

The `aws-parallelcluster` package pins boto3 and friends in ways that clash with
archgen's other tools, so archgen never imports it: it runs `pcluster_check.py`
(beside this file, standalone) with the python of a virtualenv that has it,
found through the ARCHGEN_PCLUSTER environment variable (that python, or the
venv folder), offline, and reads the JSON list it prints. That script loads each
file with ParallelCluster's ClusterSchema (unknown keys, types, required keys,
allowed values) and runs the validators that need no AWS call (names, counts,
FSx for Lustre options and capacity); see its docstring for what is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ENV_VAR = "ARCHGEN_PCLUSTER"
TIMEOUT = 120  # seconds; about half a second per run in practice, mostly imports
CHECK_SCRIPT = Path(__file__).with_name("pcluster_check.py")
INSTALL_HINT = (
    "python3 -m venv .ci-pcluster && .ci-pcluster/bin/pip install 'aws-parallelcluster==3.16.*'; "
    f"then set {ENV_VAR}=$PWD/.ci-pcluster"
)
# belt and braces: pcluster_check.py pins these itself and refuses sockets
OFFLINE_ENV = {
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_ACCESS_KEY_ID": "AKIAOFFLINEARCHGEN00",
    "AWS_SECRET_ACCESS_KEY": "offline-archgen-check",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "PYTHONDONTWRITEBYTECODE": "1",
}
DROPPED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_FULL_URI")

PathStep = str | int


class PclusterGateError(RuntimeError):
    """No ParallelCluster python is configured, or the check crashed or printed something else than its report."""


@dataclass(frozen=True)
class PclusterError:
    file: str  # as passed to run_pcluster_check
    path: tuple[PathStep, ...]  # keys and list indexes as marshmallow reports them, e.g. ("HeadNode", "Networking")
    message: str  # ParallelCluster's own message
    line: int | None = None  # 1-based line of the culprit (or of its nearest written parent) in `file`
    source: str = "schema"  # "schema", "yaml", or the ParallelCluster validator class that failed

    def __str__(self) -> str:
        where = "/".join(str(step) for step in self.path) or "(document)"
        return f"{self.file}:{self.line or 1}: {where}: {self.message}"


def pcluster_python() -> str | None:
    """The python to run the check with: $ARCHGEN_PCLUSTER (a python of a venv with aws-parallelcluster, or
    the venv folder), else archgen's own python when the `archgen[pcluster]` extra put aws-parallelcluster
    beside it, else None. A venv's bin/python is a symlink that must not be resolved: it is the path
    that makes the venv's site-packages importable."""
    configured = os.environ.get(ENV_VAR)
    if not configured:
        import importlib.util
        import sys

        return sys.executable if importlib.util.find_spec("pcluster") is not None else None
    path = Path(configured).expanduser()
    if path.is_dir():
        for candidate in (path / "bin" / "python", path / "bin" / "python3", path / "Scripts" / "python.exe"):
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate.absolute())
        return None
    if path.is_file() and os.access(path, os.X_OK):
        return str(path.absolute())
    return shutil.which(configured)


def pcluster_available() -> bool:
    return pcluster_python() is not None


def locate(yaml_text: str, path: Sequence[PathStep]) -> int:
    """The 1-based line of `path` in the YAML text: the line of the last key (or list item) of the path that is
    written there, so a missing or unknown key points at itself or at its parent. `_schema` (marshmallow's key for
    an error of the whole section) stops the walk. 1 for an empty document; the error's line for broken YAML."""
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return mark.line + 1 if mark is not None else 1
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = None
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(step):
                    found = key_node, value_node  # the last one wins, as when PyYAML builds the dict
            if found is None:
                break
            line = found[0].start_mark.line + 1
            node = found[1]
        elif isinstance(node, yaml.SequenceNode):
            try:
                index = int(step)
            except (TypeError, ValueError):
                break
            if not 0 <= index < len(node.value):
                break
            node = node.value[index]
            line = node.start_mark.line + 1
        else:
            break
    return line


def parse_report(text: str, files: dict[str, str]) -> list[PclusterError]:
    """The problems of pcluster_check.py's JSON list; `files` maps the paths it was given to the caller's."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PclusterGateError(f"pcluster_check.py did not print a JSON list: {text[:300]!r}") from exc
    if not isinstance(data, list):
        raise PclusterGateError(f"pcluster_check.py printed {type(data).__name__}, not a list: {text[:300]!r}")
    texts: dict[str, str] = {}
    problems: list[PclusterError] = []
    for entry in data:
        if not isinstance(entry, dict) or not {"file", "path", "message"} <= entry.keys():
            raise PclusterGateError(f"unexpected pcluster_check.py entry: {entry!r:.300}")
        shown = files.get(entry["file"], entry["file"])
        path = tuple(entry["path"])
        line = entry.get("line")
        if line is None:
            if shown not in texts:
                try:
                    texts[shown] = Path(entry["file"]).read_text(encoding="utf-8")
                except OSError:
                    texts[shown] = ""
            line = locate(texts[shown], path)
        problems.append(
            PclusterError(
                file=shown,
                path=path,
                message=str(entry["message"]),
                line=int(line),
                source=str(entry.get("source") or "schema"),
            )
        )
    problems.sort(key=lambda p: (p.file, p.line or 0, [str(step) for step in p.path], p.message))
    return problems


def run_pcluster_check(paths: Iterable[str | os.PathLike[str]]) -> list[PclusterError]:
    """Check ParallelCluster 3 config files; the problems found, sorted by file and line ([] when all pass)."""
    python = pcluster_python()
    if python is None:
        hint = (
            f"{ENV_VAR}={os.environ[ENV_VAR]!r} is neither a python nor a venv folder"
            if os.environ.get(ENV_VAR)
            else f"{ENV_VAR} is not set"
        )
        raise PclusterGateError(f"no python with aws-parallelcluster 3.x ({hint}); install one on its own: {INSTALL_HINT}")
    files: dict[str, str] = {}
    for given in paths:
        absolute = Path(given).absolute()
        if not absolute.is_file():
            raise PclusterGateError(f"no such file: {given}")
        files[str(absolute)] = str(given)
    if not files:
        return []
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
    env.update(OFFLINE_ENV)
    try:
        proc = subprocess.run(
            # -I: no PYTHONPATH, no user site, and not archgen/ (the script's folder) on sys.path
            [python, "-I", str(CHECK_SCRIPT), *files],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise PclusterGateError(f"pcluster_check.py took longer than {TIMEOUT} s") from exc
    except OSError as exc:
        raise PclusterGateError(f"cannot run {python}: {exc}") from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()[-2000:]
        raise PclusterGateError(f"pcluster_check.py exited with {proc.returncode} ({python}): {detail}")
    return parse_report(proc.stdout, files)
