"""Check rendered output: it parses, every reference resolves inside its module,
every module argument is one of the module's variables; then the optional gates."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator, Sequence

from . import hcl
from .findings import Finding
from .rules import define
from .render import Rendered

PARSE = define("AG901", "rendered HCL parses")
REFERENCE = define("AG902", "every reference in rendered HCL resolves inside its module")
MODULE_ARGUMENT = define("AG903", "module arguments match the module's variables")
PROVIDER_SCHEMA = define("AG910", "rendered resources match the AWS provider schema")
TERRAFORM = define("AG920", "terraform validate and plan pass on the rendered output")
CHECKOV = define("AG930", "checkov finds no failed check in the rendered output")


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
    modules: dict[str, dict] = field(default_factory=dict)  # name -> block body
    module_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    outputs: set[str] = field(default_factory=set)
    expressions: list[tuple[str, str]] = field(default_factory=list)  # (file, text)


_REF = re.compile(
    r"(?<![\w.\"-])(var|local|module|data|path|each|count|self|terraform|[a-z][a-z0-9]*_[a-z0-9_]+)"
    r"\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?"
)
_LITERAL = re.compile(r'"(?:[^"\\$%]|\\.|\$\$\{|%%\{|\$(?!\{)|%(?!\{))*"')


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


def _references(text: str) -> Iterator[tuple[str, str, str | None]]:
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
        for block in tree.get("module", []):
            for name, body in block.items():
                idx.modules[_unquote(name)] = body
                idx.module_lines[_unquote(name)] = (path, body.get("__start_line__", 1))
                _collect(idx, path, body)
        for block in tree.get("output", []):
            for name, body in block.items():
                idx.outputs.add(_unquote(name))
                _collect(idx, path, body)
        for block in tree.get("provider", []) + tree.get("terraform", []):
            _collect(idx, path, block)
    return modules


def _collect(idx: ModuleIndex, path: str, body) -> None:
    texts: list[str] = []
    _strings(body, texts)
    idx.expressions += [(path, t) for t in texts]


def rendered_finding(rendered: Rendered, display_root: str, file: str | None, line: int | None, rule: str, message: str, severity: str = "error") -> Finding:
    """A finding in a rendered file, naming the component it came from."""
    component = rendered.sources.get(file or "", "")
    where = f"{display_root}/{file}" if file else display_root
    return Finding(where, line or 1, 1, severity, rule, f"components.{component}" if component else "", message)


def check_structure(rendered: Rendered, display_root: str) -> list[Finding]:
    """Parse every .tf file; resolve references; match module arguments to variables."""
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(with_meta=True, with_comments=False)
    findings: list[Finding] = []
    parsed: dict[str, dict] = {}

    def add(path: str, line: int, rule: str, message: str) -> None:
        findings.append(rendered_finding(rendered, display_root, path, line, rule, message))

    for path, text in rendered.files.items():
        if not path.endswith(".tf"):
            continue
        try:
            parsed[path] = hcl2.loads(hcl.for_python_hcl2(text), serialization_options=options)
        except Exception as exc:  # python-hcl2 raises lark errors of several kinds
            line = getattr(exc, "line", 1) or 1
            add(path, line if isinstance(line, int) else 1, PARSE, f"does not parse: {str(exc).splitlines()[0]}")
    if findings:
        return findings
    modules = _index(parsed)
    for folder, idx in modules.items():
        for path, expr in idx.expressions:
            for root, name, attr in _references(expr):
                ok = True
                if root == "var":
                    ok = name in idx.variables
                elif root == "local":
                    ok = name in idx.locals
                elif root == "module":
                    ok = name in idx.modules and (attr is None or _module_output(modules, folder, idx.modules[name], attr))
                elif root == "data":
                    ok = attr is None or f"{name}.{attr}" in idx.data
                elif root in ("path", "each", "count", "self", "terraform"):
                    ok = True
                elif "_" in root:
                    ok = f"{root}.{name}" in idx.resources
                if not ok:
                    ref = f"{root}.{name}" + (f".{attr}" if attr and root in ("data", "module") else "")
                    add(path, _line_of(rendered.files[path], ref), REFERENCE, f"reference to undeclared {ref}")
        for name, body in idx.modules.items():
            file, line = idx.module_lines[name]
            source = _unquote(str(body.get("source", "")))
            child = str(PurePosixPath(folder) / source) if source.startswith("./") else None
            child = str(PurePosixPath(child)) if child else None
            target = modules.get(_normalise(child)) if child else None
            if target is None:
                add(file, line, MODULE_ARGUMENT, f"module {name}: source {source!r} is not a rendered module")
                continue
            given = {k for k in body if not k.startswith("__") and k not in ("source", "providers", "depends_on", "count", "for_each", "version")}
            for arg in sorted(given - set(target.variables)):
                add(file, line, MODULE_ARGUMENT, f"module {name}: no variable {arg!r} in {source}")
            for var in sorted(set(target.variables) - given):
                if not target.variables[var]:
                    add(file, line, MODULE_ARGUMENT, f"module {name}: required variable {var!r} is not set")
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


def _module_output(modules: dict[str, ModuleIndex], folder: str, body: dict, attr: str) -> bool:
    source = _unquote(str(body.get("source", "")))
    target = modules.get(_normalise(str(PurePosixPath(folder) / source)))
    return target is not None and attr in target.outputs


def check_schema(rendered: Rendered, display_root: str) -> list[Finding]:
    from .provider_schema import check_files

    problems = check_files({k: v for k, v in rendered.files.items() if k.endswith(".tf")})
    return [rendered_finding(rendered, display_root, p.file, p.line, PROVIDER_SCHEMA, f"{p.address}: {p.message}") for p in problems]


def _scratch(rerender, work: Path, skip: tuple[str, ...] = ()) -> Rendered:
    """Render again into a scratch folder, so that source paths resolve from there."""
    rendered = rerender(work)
    for rel, text in rendered.files.items():
        if rel in skip:
            continue
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text, encoding="utf-8")
    return rendered


def check_terraform(rendered_for, display_root: str) -> tuple[list[Finding], list[str]]:
    from . import terraform_gate

    if not terraform_gate.gate_available():
        why = "no terraform on PATH" if not terraform_gate.terraform_available() else "the archgen[terraform] extra is not installed"
        return [], [f"archgen: terraform validate/plan did not run ({why})"]
    findings = []
    with tempfile.TemporaryDirectory(prefix="archgen-validate-") as tmp:
        work = Path(tmp) / "out"
        # offline there is no state bucket: plan against local state
        rendered = _scratch(rendered_for, work, skip=("backend.tf",))
        for diag in terraform_gate.run_terraform(work, in_place=True):
            message = diag.summary + (f": {diag.detail}" if diag.detail else "")
            if diag.address:
                message = f"{diag.address}: {message}"
            severity = "error" if diag.severity == "error" else "warning"
            findings.append(rendered_finding(rendered, display_root, diag.file, diag.line, TERRAFORM, " ".join(message.split()), severity))
    return findings, []


def check_checkov(rendered_for, display_root: str) -> tuple[list[Finding], list[str]]:
    from . import checkov_gate

    if not checkov_gate.checkov_available():
        return [], ["archgen: checkov did not run (no checkov on PATH; install it in an environment of its own)"]
    findings = []
    with tempfile.TemporaryDirectory(prefix="archgen-checkov-") as tmp:
        work = Path(tmp) / "out"
        rendered = _scratch(rendered_for, work)
        for failure in checkov_gate.run_checkov(work):
            message = f"{failure.resource}: {failure.check_id} {failure.check_name}"
            findings.append(rendered_finding(rendered, display_root, failure.file, failure.line, CHECKOV, message))
    return findings, []


def check_rendered(rendered: Rendered, out_dir, gates: Sequence[str], rerender=None) -> CheckResult:
    """Structure and provider schema always; then the gates asked for ("terraform", "checkov")."""
    result = CheckResult()
    display = str(out_dir).rstrip("/") or "."
    result.findings += check_structure(rendered, display)
    if result.findings:
        return result
    result.findings += check_schema(rendered, display)
    for gate, run in (("terraform", check_terraform), ("checkov", check_checkov)):
        if gate in gates and rerender is not None and not any(f.severity == "error" for f in result.findings):
            found, messages = run(rerender, display)
            result.findings += found
            result.messages += messages
    return result
