"""A wheel built from the repository, installed in a fresh venv, works from another folder."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def run(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=600)


def test_wheel_in_a_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("archgen-*.whl")
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    installed = run(py, "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    archgen = env / "bin" / "archgen"
    assert run(archgen, "init", "demo", "--pattern", "fan-out", cwd=elsewhere).returncode == 0
    assert run(archgen, "validate", "demo/blueprint.yaml", cwd=elsewhere).returncode == 0
    rendered = run(archgen, "render", "demo/blueprint.yaml", "-o", "demo/out", cwd=elsewhere)
    assert rendered.returncode == 0, rendered.stderr
    assert (elsewhere / "demo" / "out" / "modules" / "events" / "main.tf").is_file()
    # the examples ship inside the wheel too
    listing = run(py, "-c", "from archgen.resources import blueprints_dir, templates_dir; import sys; print(blueprints_dir()); print(templates_dir())", cwd=elsewhere)
    paths = [Path(p) for p in listing.stdout.split()]
    assert all(str(env) in str(p) for p in paths), listing.stdout
    assert (paths[0] / "shop.yaml").is_file()
    example = run(archgen, "render", paths[0] / "shop.yaml", "-o", "shop-out", cwd=elsewhere)
    assert example.returncode == 0, example.stdout + example.stderr
    assert (elsewhere / "shop-out" / "README.md").is_file()
