"""Bad inputs: one finding on the user's line and exit 1 or 2, never a traceback.

tests/bad/ holds one file per case (EXPECT.yaml says what each must give); hypothesis
then throws random YAML documents and mutations of every example at the same code.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT

BAD = Path(__file__).parent / "bad"
EXPECT = yaml.safe_load((BAD / "EXPECT.yaml").read_text())


def test_every_case_has_an_expectation():
    assert sorted(p.name for p in BAD.glob("*.yaml") if p.name != "EXPECT.yaml") == sorted(EXPECT)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_bad_input(name, cli, tmp_path, monkeypatch):
    shutil.copy(BAD / name, tmp_path / name)
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "src" / "app" / "app.py").write_text("def handler(event, context):\n    return None\n")
    monkeypatch.chdir(tmp_path)
    expect = EXPECT[name]
    result = cli("validate", "--no-terraform", "--no-pcluster", name)
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exit_code == expect["exit"], result.output
    if expect["rule"] is None:
        assert result.stdout == ""
        return
    lines = result.stdout.splitlines()
    assert any(f"{name}:{expect['line']}:" in line and f" {expect['rule']} " in line for line in lines), lines
    assert all(len(line) < 400 for line in lines), "values echoed in messages are cut"


def test_huge_file_is_refused_before_it_is_read(cli, tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("archgen: 1\ntags:\n" + "".join(f"  t{i}: x\n" for i in range(600_000)))
    result = cli("validate", "--no-terraform", path)
    assert result.exit_code == 2 and " AG011 " in result.stdout and "--max-bytes" in result.stdout


# --- property tests: nothing crashes archgen ------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=30)


def _run(cli, tmp_path, text: str):
    path = tmp_path / "bp.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if isinstance(text, str) else path.write_bytes(text)
    result = cli("validate", "--no-terraform", "--no-pcluster", path)
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(documents)
def test_random_documents_never_crash(cli, tmp_path, document):
    _run(cli, tmp_path, yaml.safe_dump(document, allow_unicode=True))


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_random_bytes_never_crash(cli, tmp_path, data):
    _run(cli, tmp_path, data)


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, path + (i,))


EXAMPLE_DATA = {e.stem: yaml.safe_load(e.read_text()) for e in EXAMPLES}


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(sorted(EXAMPLE_DATA)), st.data())
def test_mutated_examples_never_crash(cli, tmp_path, example, data):
    document = copy.deepcopy(EXAMPLE_DATA[example])
    paths = [p for p in _paths(document) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        node = document
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = data.draw(documents)
        except (KeyError, IndexError, TypeError):
            continue
    if not (tmp_path / "src").exists():
        shutil.copytree(ROOT / "blueprints" / "src", tmp_path / "src")
    _run(cli, tmp_path, yaml.safe_dump(document, allow_unicode=True))
