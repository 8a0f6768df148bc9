"""archgen's model validator against its pydantic twin (archgen.modeling).

A clean blueprint is validated without pydantic; pydantic is the specification.
These tests put one probe value at a time into every field of every example
component and of the blueprint head, and require both validators to agree: the
same verdict, and the same values (types included) when they accept.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from archgen import modeling, patterns
from archgen.model import BlueprintHead
from archgen.modeling import Field, Model, ValidationError, dump

from conftest import EXAMPLES, ROOT

PROBES = [0, 1, -1, 2**31, 1.5, float("inf"), True, False, "", "x", "5m", "2GiB", "0.5", None, [], ["a"], [1], {}, {"a": 1}, {"name": "x"}]


def _verdict(model: type, data) -> tuple:
    """(accepted, values) by archgen's validator alone, then by the twin alone."""
    import pydantic

    try:
        fast = modeling._plan(model).validate(data)
        ours = (True, dump(fast))
    except modeling._Invalid:
        ours = (False, None)
    try:
        theirs = (True, dump(modeling._from_twin(model.pydantic().model_validate(data))))
    except pydantic.ValidationError:
        theirs = (False, None)
    return ours, theirs


def _probe_paths(value, path=()):
    """Every place in a document a probe can go: each mapping value, list item and missing field."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,)
            yield from _probe_paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield path + (i,)
            yield from _probe_paths(item, path + (i,))


def _replaced(doc, path, probe):
    if not path:
        return probe
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {**doc, head: _replaced(doc[head], rest, probe)} if head in doc else {**doc, head: probe}
    copy = list(doc)
    copy[head] = _replaced(copy[head], rest, probe)
    return copy


def _components():
    for example in EXAMPLES:
        doc = yaml.safe_load(example.read_text())
        for comp in doc["components"]:
            yield f"{example.stem}:{comp['name']}", comp, patterns.get(comp["pattern"]).model
        head = {k: v for k, v in doc.items()}
        yield f"{example.stem}:head", head, BlueprintHead


@pytest.mark.parametrize("label,doc,model", list(_components()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_field_every_probe_agrees(label, doc, model):
    fields = set(model.model_fields)
    disagreements = []
    paths = list(_probe_paths(doc)) + [(name,) for name in fields if name not in doc]
    for path in paths:
        for probe in PROBES:
            data = _replaced(doc, path, probe)
            ours, theirs = _verdict(model, data)
            if ours != theirs:
                disagreements.append(f"{'.'.join(map(str, path))} = {probe!r}: archgen {ours[0]}, pydantic {theirs[0]}")
    assert ours[0] is not None
    assert not disagreements, "\n".join(disagreements[:20])


def test_the_examples_validate_the_same_both_ways():
    for label, doc, model in _components():
        ours, theirs = _verdict(model, doc)
        assert ours == theirs and ours[0], label


class Inner(Model):
    """An inner part."""

    size: float | int | str = 1  # an int stays an int: pydantic prefers the exact type
    tags: list[str] = Field(default_factory=list, min_length=0)


class Outer(Model):
    name: str
    inner: Inner = Field(default_factory=Inner)
    items: list[Inner] = Field(min_length=1)


@pytest.mark.parametrize("data", [
    {"name": "a", "items": [{}]},
    {"name": "a", "items": [{"size": 2.0}, {"size": "2"}, {"size": 2}]},
    {"name": "a", "items": []},
    {"name": "a", "items": [{"size": True}]},
    {"name": "a", "items": [{}], "extra": 1},
    {"name": 1, "items": [{}]},
    {"items": [{}]},
    {"name": "a", "items": ({},)},
    {"name": "a", "items": [{}], 1: 2},
    {"name": "a", "items": [{"tags": ["x", 1]}]},
])
def test_small_models_agree(data):
    ours, theirs = _verdict(Outer, data)
    assert ours == theirs


def test_refusals_carry_pydantic_errors():
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate({"name": "a", "items": [], "extra": 1})
    kinds = {(e["type"], tuple(e["loc"])) for e in caught.value.errors()}
    assert ("too_short", ("items",)) in kinds and ("extra_forbidden", ("extra",)) in kinds


def test_defaults_are_not_shared():
    a, b = Outer.model_validate({"name": "a", "items": [{}]}), Outer.model_validate({"name": "b", "items": [{}]})
    a.inner.tags.append("x")
    assert b.inner.tags == []


def test_a_clean_render_imports_neither_pydantic_nor_jinja_once_warm(tmp_path):
    """A clean render validates without pydantic; with the module files in the user's cache (a
    first render puts them there) it renders without Jinja too (docs/speed.md), unless it has an
    alarm topic of its own (alarms.tf is a template)."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from archgen import api\n"
        f"api.rendered_for(Path({str(ROOT / 'blueprints' / 'fan-out.yaml')!r}))\n"
        "print('pydantic' in sys.modules, 'jinja2' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHGEN_CROSS_CHECK", "ARCHGEN_NO_CACHE")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, check=True).stdout.split() for _ in range(2)]
    assert runs == [["False", "True"], ["False", "False"]]


def test_a_wrong_blueprint_is_explained_by_pydantic(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(ROOT / "blueprints" / "queue-worker.yaml").read_text().replace("archgen: 1", "archgen: 1\nextra_field: 1", 1))
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from archgen import api\n"
        f"bp = api.read_blueprint(Path({str(bad)!r}))\n"
        "print(bp.findings()[0].rule, 'pydantic' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARCHGEN_CROSS_CHECK"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert out.stdout.split() == ["AG003", "True"]


# --- property: random edits of the examples ------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**40), max_value=2**40), st.floats(),
    st.sampled_from(["", "x", "5m", "14d", "90s", "2GiB", "64MiB", "0.5", "us-east-1", "FIFO", "all", "none", "*"]),
    st.text(max_size=12),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)
_DOCS = list(_components())


@settings(deadline=None)
@given(st.data())
def test_random_edits_of_the_examples_agree(data):
    """One to three values of an example component replaced by random data (or a field's own
    value elsewhere in the examples): both validators give the same verdict and values."""
    label, doc, model = data.draw(st.sampled_from(_DOCS))
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_probe_paths(doc)) + [(name,) for name in model.model_fields if name not in doc]
        doc = _replaced(doc, data.draw(st.sampled_from(paths)), data.draw(_VALUES))
    ours, theirs = _verdict(model, doc)
    assert ours == theirs, (label, doc)
