"""Check rendered output: it parses, every reference resolves inside its module, every
module argument is one of the module's variables, every resource matches the provider
schema; then the optional gates (terraform, checkov, ParallelCluster).

Each distinct file text is parsed once per process (module files repeat across
components and renders). The root main.tf is not parsed at all: it holds only module
calls, and archgen knows their arguments and expressions before writing them.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator, Sequence

from . import hcl
from .findings import Finding
from .render import Rendered
from .rules import define

PARSE = define("AG901", "rendered HCL parses")
REFERENCE = define("AG902", "every reference in rendered HCL resolves inside its module")
MODULE_ARGUMENT = define("AG903", "module arguments match the module's variables")
PROVIDER_SCHEMA = define("AG910", "rendered resources match the AWS provider schema", "https://registry.terraform.io/providers/hashicorp/aws/latest/docs")
TERRAFORM = define("AG920", "terraform validate and plan pass on the rendered output", "https://developer.hashicorp.com/terraform/cli/commands/validate")
CHECKOV = define("AG930", "checkov finds no failed check in the rendered output", "https://www.checkov.io/5.Policy%20Index/terraform.html")
PCLUSTER = define("AG940", "a rendered ParallelCluster config passes ParallelCluster's own schema", "https://docs.aws.amazon.com/parallelcluster/latest/ug/cluster-configuration-file-v3.html")


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass
class ModuleIndex:
    """What one Terraform module (a folder) declares and references."""

    variables: dict[str, bool] = field(default_factory=dict)  # name -> has a default
    locals: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)  # type.name
    data: set[str] = field(default_factory=set)  # type.name
    outputs: set[str] = field(default_factory=set)
    iterators: set[str] = field(default_factory=set)  # dynamic block labels, usable as names inside them
    expressions: list[tuple[str, str]] = field(default_factory=list)  # (file, text)


_REF = re.compile(
    r"(?<![\w.\"-])(var|local|module|data|path|each|count|self|terraform|[a-z][a-z0-9]*_[a-z0-9_]+)"
    r"\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?"
)


class ParseError(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


@functools.lru_cache(maxsize=1024)
def _parse_cached(digest: str, text: str):
    import hcl2
    from hcl2.utils import SerializationOptions

    try:
        tree = hcl2.parses(hcl.for_python_hcl2(text))
        data = hcl2.serialize(tree, serialization_options=SerializationOptions(with_meta=True, with_comments=False))
    except Exception as exc:  # python-hcl2 raises lark errors of several kinds
        line = getattr(exc, "line", 1)
        raise ParseError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, line if isinstance(line, int) and line > 0 else 1) from None
    return tree, data


def parse(text: str):
    """(python-hcl2 rule tree, serialized dict) of an HCL text, parsed once per process."""
    return _parse_cached(hashlib.sha256(text.encode()).hexdigest(), text)


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def _strings(node, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.startswith("__"):
                continue
            if isinstance(key, str) and key.startswith("${"):
                out.append(key)
            _strings(value, out)
    elif isinstance(node, list):
        for item in node:
            _strings(item, out)


def references(text: str) -> Iterator[tuple[str, str, str | None]]:
    # drop escaped template sequences and plain string literals, keep interpolations
    text = text.replace("$${", "").replace("%%{", "")
    if text.startswith('"') and "${" not in text:
        return
    for match in _REF.finditer(text):
        yield match.group(1), match.group(2), match.group(3)


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _index(parsed: dict[str, dict]) -> dict[str, ModuleIndex]:
    modules: dict[str, ModuleIndex] = {}
    for path, tree in parsed.items():
        folder = str(PurePosixPath(path).parent)
        idx = modules.setdefault(folder, ModuleIndex())
        for block in tree.get("variable", []):
            for name, body in block.items():
                idx.variables[_unquote(name)] = "default" in body
        for block in tree.get("locals", []):
            idx.locals |= {k for k in block if not k.startswith("__")}
            _collect(idx, path, block)
        for kind, target in (("resource", idx.resources), ("data", idx.data)):
            for block in tree.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        target.add(f"{_unquote(rtype)}.{_unquote(name)}")
                        _collect(idx, path, body)
        for block in tree.get("output", []):
            for name, body in block.items():
                idx.outputs.add(_unquote(name))
                _collect(idx, path, body)
        for block in tree.get("module", []) + tree.get("provider", []) + tree.get("terraform", []):
            _collect(idx, path, block)
    return modules


def _collect(idx: ModuleIndex, path: str, body) -> None:
    texts: list[str] = []
    _strings(body, texts)
    idx.expressions += [(path, t) for t in texts]
    _dynamic_labels(body, idx.iterators)


def _dynamic_labels(node, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "dynamic" and isinstance(value, list):
                for block in value:
                    if isinstance(block, dict):
                        out.update(_unquote(k) for k in block if not k.startswith("__"))
            _dynamic_labels(value, out)
    elif isinstance(node, list):
        for item in node:
            _dynamic_labels(item, out)


def rendered_finding(rendered: Rendered, display_root: str, file: str | None, line: int | None, rule: str, message: str, severity: str = "error") -> Finding:
    """A finding in a rendered file, naming the component it came from."""
    component = rendered.sources.get(file or "", "")
    where = f"{display_root}/{file}" if file else display_root
    return Finding(where, line or 1, 1, severity, rule, f"components.{component}" if component else "", message)


def _resolves(root: str, name: str, attr: str | None, idx: ModuleIndex, modules: dict[str, ModuleIndex], calls: dict) -> bool:
    if root == "var":
        return name in idx.variables
    if root == "local":
        return name in idx.locals
    if root == "module":
        call = calls.get(name)
        target = modules.get(_normalise(call["source"])) if call else None
        return target is not None and (attr is None or attr in target.outputs)
    if root == "data":
        return attr is None or f"{name}.{attr}" in idx.data
    if root in ("path", "each", "count", "self", "terraform") or root in idx.iterators:
        return True
    if "_" in root:
        return f"{root}.{name}" in idx.resources
    return True


def check_structure(rendered: Rendered, display_root: str) -> list[Finding]:
    """Parse every .tf file; resolve references; match module arguments to variables."""
    findings: list[Finding] = []
    parsed: dict[str, dict] = {}

    def add(path: str, line: int, rule: str, message: str) -> None:
        findings.append(rendered_finding(rendered, display_root, path, line, rule, message))

    for path, text in rendered.files.items():
        if not path.endswith(".tf") or (path == "main.tf" and rendered.calls):
            continue
        try:
            parsed[path] = parse(text)[1]
        except ParseError as exc:
            add(path, exc.line, PARSE.id, f"does not parse: {exc}")
    if findings:
        return findings
    modules = _index(parsed)
    root = modules.setdefault(".", ModuleIndex())
    for name, call in rendered.calls.items():
        root.expressions += [("main.tf", e) for e in call["expressions"]]
    for folder, idx in modules.items():
        for path, expr in idx.expressions:
            for ref_root, name, attr in references(expr):
                if not _resolves(ref_root, name, attr, idx, modules, rendered.calls):
                    ref = f"{ref_root}.{name}" + (f".{attr}" if attr and ref_root in ("data", "module") else "")
                    add(path, _line_of(str(rendered.files[path]), ref), REFERENCE.id, f"reference to undeclared {ref}")
    for name, call in rendered.calls.items():
        line = _line_of(str(rendered.files.get("main.tf", "")), f'module "{name}"')
        target = modules.get(_normalise(call["source"]))
        if target is None:
            add("main.tf", line, MODULE_ARGUMENT.id, f"module {name}: source {call['source']!r} is not a rendered module")
            continue
        given = set(call["args"])
        for arg in sorted(given - set(target.variables)):
            add("main.tf", line, MODULE_ARGUMENT.id, f"module {name}: no variable {arg!r} in {call['source']}")
        for var in sorted(set(target.variables) - given):
            if not target.variables[var]:
                add("main.tf", line, MODULE_ARGUMENT.id, f"module {name}: required variable {var!r} is not set")
    return findings


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in PurePosixPath(path).parts:
        if part == ".":
            continue
        if part == ".." and parts:
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or "."


def check_schema(rendered: Rendered, display_root: str) -> list[Finding]:
    from .provider_schema import check_tree

    problems = []
    for path, text in rendered.files.items():
        if path.endswith(".tf") and not (path == "main.tf" and rendered.calls):
            problems += check_tree(path, parse(text)[0])
    return [rendered_finding(rendered, display_root, p.file, p.line, PROVIDER_SCHEMA.id, f"{p.address}: {p.message}") for p in problems]


def write_scratch(rendered: Rendered, work: Path, skip: tuple[str, ...] = ()) -> None:
    """Write a rendered tree into a scratch folder (for the gates)."""
    for rel, content in rendered.files.items():
        if rel in skip:
            continue
        target = work / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


def run_terraform_gate(rendered: Rendered, display_root: str) -> list[Finding]:
    from . import terraform_gate

    findings = []
    with tempfile.TemporaryDirectory(prefix="archgen-validate-") as tmp:
        work = Path(tmp) / "out"
        # offline there is no state bucket: plan against local state
        write_scratch(rendered, work, skip=("backend.tf",))
        for diag in terraform_gate.run_terraform(work, in_place=True):
            message = diag.summary + (f": {diag.detail}" if diag.detail else "")
            if diag.address:
                message = f"{diag.address}: {message}"
            severity = "error" if diag.severity == "error" else "warning"
            findings.append(rendered_finding(rendered, display_root, diag.file, diag.line, TERRAFORM.id, " ".join(message.split()), severity))
    return findings


def run_checkov_gate(rendered: Rendered, display_root: str) -> list[Finding]:
    from . import checkov_gate

    findings = []
    with tempfile.TemporaryDirectory(prefix="archgen-checkov-") as tmp:
        work = Path(tmp) / "out"
        write_scratch(rendered, work)
        for failure in checkov_gate.run_checkov(work):
            message = f"{failure.resource}: {failure.check_id} {failure.check_name}"
            findings.append(rendered_finding(rendered, display_root, failure.file, failure.line, CHECKOV.id, message))
    return findings


def run_pcluster_gate(rendered: Rendered, display_root: str) -> list[Finding]:
    from . import pcluster_gate

    configs = {rel: text for rel, text in rendered.files.items() if rel.startswith("pcluster/") and rel.endswith(".yaml")}
    if not configs:
        return []
    findings = []
    with tempfile.TemporaryDirectory(prefix="archgen-pcluster-") as tmp:
        paths = {}
        for rel, text in configs.items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(pcluster_config_for_check(str(text)), encoding="utf-8")
            paths[str(path)] = rel
        for error in pcluster_gate.run_pcluster_check(list(paths)):
            rel = paths.get(error.file, error.file)
            where = ".".join(str(p) for p in error.path)
            findings.append(rendered_finding(rendered, display_root, rel, error.line, PCLUSTER.id, f"{where}: {error.message}" if where else error.message))
    return findings


def pcluster_config_for_check(text: str) -> str:
    """A ParallelCluster template with plausible ids where Terraform fills in real ones."""
    placeholders = {
        "subnet": "subnet-0123456789abcdef0",
        "security_group": "sg-0123456789abcdef0",
        "bucket": "archgen-placeholder-bucket",
    }

    def fill(match: re.Match) -> str:
        name = match.group(1)
        for key, value in placeholders.items():
            if key in name:
                return value
        return "placeholder"

    return re.sub(r"\$\{([a-z0-9_]+)\}", fill, text)


GATES = {"terraform": run_terraform_gate, "checkov": run_checkov_gate, "pcluster": run_pcluster_gate}


def check_rendered(rendered: Rendered, out_dir, gates: Sequence[str] = ()) -> CheckResult:
    """Structure and provider schema always; then the gates asked for."""
    result = CheckResult()
    display = str(out_dir).rstrip("/") or "."
    result.findings += check_structure(rendered, display)
    if result.findings:
        return result
    result.findings += check_schema(rendered, display)
    for gate in gates:
        if any(f.severity == "error" for f in result.findings):
            break
        result.findings += GATES[gate](rendered, display)
    return result
