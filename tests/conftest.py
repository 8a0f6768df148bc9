from __future__ import annotations

import contextlib
import io
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# property tests: a quick look in the fast tier, a thorough one in CI (.ci/run sets HYPOTHESIS_PROFILE=ci)
settings.register_profile("fast", max_examples=40)
settings.register_profile("ci", max_examples=400)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

# ARCHGEN_CROSS_CHECK=1 (.ci/run sets it) makes every validation in the tests run archgen's
# validator and its pydantic twin, and fail when they disagree (archgen.modeling); subprocesses
# inherit it. The fast tier leaves it off (it costs a sixth of the tier): tests/test_modeling.py
# compares the two on every example, field by field, either way.

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "blueprints").glob("*.yaml"))

# the gates' own environments, where .ci/run (or a developer) made them
for var, venv in (("ARCHGEN_CHECKOV", ROOT / ".ci-checkov" / "bin" / "checkov"), ("ARCHGEN_PCLUSTER", ROOT / ".ci-pcluster")):
    if var not in os.environ and venv.exists():
        os.environ[var] = str(venv)


def write_tree(files: dict, out: Path) -> Path:
    """Write a rendered tree (str or bytes contents) into `out`."""
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return out


def rendered(example: Path):
    from archgen import api

    return api.rendered_for(example)


@pytest.fixture
def write_blueprint(tmp_path):
    """Write a blueprint (dedented YAML) with a handler folder next to it."""

    def write(text: str, name: str = "bp.yaml") -> Path:
        (tmp_path / "src" / "app").mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / "app" / "app.py").write_text("def handler(event, context):\n    return None\n")
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli():
    """Run archgen's command line in-process: its exit status, stdout and stderr."""
    from archgen.cli import main

    def run(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([str(a) for a in args])
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run
