"""Every rule has blueprints that pass it and blueprints that fail it, at its edges (checkov style).

Cases live beside nothing else: `tests/cases/<pattern>.yaml` for a pattern's rules and
`tests/cases/<block>.yaml` for a building block's. Each file has a `base` component (and
optional `head` fields and `more` components); each case names a rule, the changes it
makes (`set`: dotted paths -> values, `unset`: dotted paths) and what it expects: `pass`
(no finding of that rule) or the path of the finding. A new pattern adds its own file;
this test finds it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from archgen import api, patterns
from archgen.rules import RULES

CASES = Path(__file__).parent / "cases"
# rules whose failing input is not a component change: tested in test_cli.py and tests/bad/
ELSEWHERE = {"AG001", "AG002", "AG004", "AG006", "AG008", "AG011", "AG012"}
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def steps(path: str) -> list:
    return [int(index) if index else key for key, index in _STEP.findall(path)]


def apply(data: dict, path: str, value=None, delete: bool = False) -> None:
    keys = steps(path)
    node = data
    for key in keys[:-1]:
        if isinstance(node, dict) and key not in node:
            node[key] = {}
        node = node[key]
    if delete:
        del node[keys[-1]]
    elif isinstance(node, list) and keys[-1] == len(node):
        node.append(value)
    else:
        node[keys[-1]] = value


def load_cases() -> list:
    found = []
    for file in sorted(CASES.glob("*.yaml")):
        doc = yaml.safe_load(file.read_text())
        for i, case in enumerate(doc["cases"]):
            found.append(pytest.param(file.stem, doc, case, id=f"{file.stem}-{case['rule']}-{i}"))
    return found


def blueprint_for(doc: dict, case: dict) -> dict:
    data = {"archgen": 1, "name": "shop", "region": "eu-west-1", **copy.deepcopy(doc.get("head", {}))}
    data["components"] = [copy.deepcopy(doc["base"])] + copy.deepcopy(doc.get("more", []))
    for path, value in (case.get("set") or {}).items():
        apply(data, path if path.startswith(("components", "name", "region", "tags", "state", "iam", "alarms")) else f"components[0].{path}", value)
    for path in case.get("unset") or []:
        apply(data, path if path.startswith("components") else f"components[0].{path}", delete=True)
    return data


def findings_for(tmp_path: Path, data: dict) -> list:
    (tmp_path / "src" / "app").mkdir(parents=True, exist_ok=True)
    (tmp_path / "src" / "app" / "app.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "bp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return api.read_blueprint(path).findings()


ALL = load_cases()
patterns.every()  # rules register when their pattern is imported


@pytest.mark.parametrize("stem,doc,case", ALL)
def test_rule_case(tmp_path, stem, doc, case):
    rule = RULES[case["rule"]]
    found = [f for f in findings_for(tmp_path, blueprint_for(doc, case)) if f.rule == rule.id]
    if case["expect"] == "pass":
        assert found == [], found
    else:
        assert [(f.path, f.severity) for f in found] == [(case["expect"], rule.severity)], found


@pytest.mark.parametrize("stem", sorted({p.stem for p in CASES.glob("*.yaml")}))
def test_case_file_base_passes_every_rule(tmp_path, stem):
    doc = yaml.safe_load((CASES / f"{stem}.yaml").read_text())
    found = findings_for(tmp_path, blueprint_for(doc, {}))
    assert found == [], found


def test_every_pattern_has_a_case_file():
    assert {p for p in patterns.names()} <= {p.stem for p in CASES.glob("*.yaml")}


def test_every_rule_has_a_failing_case():
    for name in patterns.names():  # rules register when their pattern is imported
        patterns.get(name)
    failing = {c.values[2]["rule"] for c in ALL if c.values[2]["expect"] != "pass"}
    missing = {r for r in RULES if not r.startswith("AG9")} - failing - ELSEWHERE
    assert not missing, f"rules without a failing case: {sorted(missing)}"


def test_every_rule_has_a_summary_and_url():
    for name in patterns.names():
        patterns.get(name)
    for rule in RULES.values():
        assert rule.summary and rule.severity in ("error", "warning", "info"), rule
        if rule.part is not None:
            assert rule.url.startswith("https://"), f"{rule.id} has no documentation URL"
