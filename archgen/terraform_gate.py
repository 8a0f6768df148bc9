"""Real ``terraform validate`` and ``terraform plan`` on rendered output, offline.

:func:`run_terraform` copies a rendered output folder to a temporary folder,
points terraform at a filesystem mirror holding archgen's stand-in provider
(:mod:`archgen.tfprovider`, serving the bundled schemas as
``hashicorp/aws`` and ``hashicorp/archive``) through a CLI configuration in
``TF_CLI_CONFIG_FILE``, and runs::

    terraform init -backend=false -input=false
    terraform validate -json
    terraform plan -refresh=false -input=false -lock=false -json   # if validate was clean

Terraform's diagnostics come back as :class:`TerraformDiagnostic`.  Needs a
``terraform`` binary on PATH and the ``archgen[terraform]`` extra
(:func:`gate_available`).  The mirror is built once per process (or pass your
own :class:`ProviderMirror`) and removed at exit.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ProviderMirror",
    "TerraformDiagnostic",
    "TerraformNotFoundError",
    "TerraformResult",
    "check_terraform",
    "gate_available",
    "run_terraform",
    "terraform_available",
]

from archgen.providers import PROVIDERS
_EXTRA_MODULES = ("grpc", "msgpack", "cryptography", "google.protobuf", "tf.gen.tfplugin_pb2")
_SKIP_COPY = {".terraform", ".terraform.lock.hcl"}
DEFAULT_TIMEOUT = 600.0


class TerraformNotFoundError(RuntimeError):
    """No ``terraform`` binary on PATH."""


@dataclass(frozen=True)
class TerraformDiagnostic:
    """One diagnostic from terraform.

    ``file`` is relative to the output folder (POSIX separators) and ``line``
    1-based; both are ``None`` when terraform gave no source range.
    ``address`` is the resource address terraform attached, if any.
    """

    severity: str  # "error" or "warning"
    summary: str
    detail: str
    file: str | None = None
    line: int | None = None
    address: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else ""
        text = f"{where}{self.severity}: {self.summary}"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass(frozen=True)
class TerraformResult:
    """Everything one gate run found out."""

    diagnostics: tuple[TerraformDiagnostic, ...]
    #: ``(address, action)`` per planned change, e.g. ``("aws_sqs_queue.q", "create")``
    planned_changes: tuple[tuple[str, str], ...] = ()
    #: ``{"add": n, "change": n, "remove": n, ...}`` from the plan, if it ran to the end
    change_summary: Mapping[str, int] = field(default_factory=dict)
    validated: bool = False
    planned: bool = False
    #: wall-clock seconds per step: "init", "validate", "plan"
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[TerraformDiagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def terraform_binary() -> str | None:
    return shutil.which("terraform")


def terraform_available() -> bool:
    """True when a ``terraform`` binary is on PATH."""
    return terraform_binary() is not None


def extra_available() -> bool:
    """True when the ``archgen[terraform]`` extra's packages are importable."""
    for name in _EXTRA_MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                return False
        except (ImportError, ValueError):
            return False
    return True


def gate_available() -> bool:
    """True when the terraform gate can run: terraform on PATH and the extra installed."""
    return terraform_available() and extra_available()


# --------------------------------------------------------------------------
# the provider mirror


def _terraform_platform(terraform: str | None) -> str:
    if terraform:
        try:
            out = subprocess.run(
                [terraform, "version", "-json"],
                capture_output=True,
                text=True,
                timeout=60,
                env=_base_env(os.devnull),
                check=False,
            )
            plat = json.loads(out.stdout).get("platform")
            if plat:
                return str(plat)
        except (OSError, ValueError, subprocess.SubprocessError):
            pass
    system = platform.system().lower()
    machine = platform.machine().lower()
    arch = {
        "x86_64": "amd64",
        "amd64": "amd64",
        "aarch64": "arm64",
        "arm64": "arm64",
        "i386": "386",
        "i686": "386",
        "armv7l": "arm",
    }.get(machine, machine)
    return f"{system}_{arch}"


class ProviderMirror:
    """A filesystem mirror holding the stand-in providers, plus a CLI config.

    Layout (terraform's unpacked mirror layout)::

        <root>/mirror/registry.terraform.io/hashicorp/aws/6.69.1/linux_amd64/terraform-provider-aws_v6.69.1
        <root>/schemas/aws.pb           serialized GetProviderSchema response
        <root>/tls/{key,cert}.pem       the certificate every provider process presents
        <root>/terraform.rc             provider_installation { filesystem_mirror { ... } }

    ``schemas`` maps a provider name to its JSON schema; by default the
    bundled schemas are loaded with :func:`archgen.provider_schema.load_schema`.
    """

    def __init__(
        self,
        root: Path | None = None,
        *,
        schemas: Mapping[str, Mapping[str, Any]] | None = None,
        terraform: str | None = None,
    ) -> None:
        self._owned = root is None
        self.root = Path(tempfile.mkdtemp(prefix="archgen-tfmirror-")) if root is None else Path(root)
        self.terraform = terraform or terraform_binary()
        self.platform = _terraform_platform(self.terraform)
        self.mirror_dir = self.root / "mirror"
        self.cli_config = self.root / "terraform.rc"
        self._build(schemas)

    def _build(self, schemas: Mapping[str, Mapping[str, Any]] | None) -> None:
        from archgen.tfprovider.schema import load_provider_schema, write_response_cache
        from archgen.tfprovider.server import write_tls_files

        import archgen

        package_root = Path(archgen.__file__).resolve().parent.parent
        (self.root / "schemas").mkdir(parents=True, exist_ok=True)
        tls_dir = self.root / "tls"
        write_tls_files(tls_dir)
        for name, provider in PROVIDERS.items():
            source, version = provider.address, provider.version
            schema = dict(schemas[name]) if schemas is not None else load_provider_schema(name)
            cache = self.root / "schemas" / f"{name}.pb"
            write_response_cache(schema, cache)
            pkg_dir = self.mirror_dir / source / version / self.platform
            pkg_dir.mkdir(parents=True, exist_ok=True)
            exe = pkg_dir / f"terraform-provider-{name}_v{version}"
            exe.write_text(
                "#!/bin/sh\n"
                "# archgen stand-in provider (see archgen.tfprovider)\n"
                f"PYTHONPATH={shlex.quote(str(package_root))}${{PYTHONPATH:+:\"$PYTHONPATH\"}}\n"
                "export PYTHONPATH\n"
                f"exec {shlex.quote(sys.executable)} -m archgen.tfprovider {name}"
                f" --schema-cache {shlex.quote(str(cache))} --tls-dir {shlex.quote(str(tls_dir))} \"$@\"\n"
            )
            exe.chmod(0o755)
        includes = ", ".join(json.dumps(p.address) for p in PROVIDERS.values())
        self.cli_config.write_text(
            "# archgen: offline provider installation from the stand-in mirror\n"
            "disable_checkpoint = true\n"
            "provider_installation {\n"
            "  filesystem_mirror {\n"
            f"    path    = {json.dumps(str(self.mirror_dir))}\n"
            f"    include = [{includes}]\n"
            "  }\n"
            "}\n"
        )

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ProviderMirror:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_default_mirror: ProviderMirror | None = None
_default_lock = threading.Lock()


def default_mirror() -> ProviderMirror:
    """The process-wide mirror of the bundled schemas, built on first use."""
    global _default_mirror
    with _default_lock:
        if _default_mirror is None:
            _default_mirror = ProviderMirror()
            atexit.register(_default_mirror.close)
        return _default_mirror


# --------------------------------------------------------------------------
# running terraform


def _base_env(cli_config: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not (k.startswith("TF_") and not k.startswith("TF_VAR_"))}
    env.update(
        {
            "TF_CLI_CONFIG_FILE": cli_config,
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "NO_COLOR": "1",
        }
    )
    return env


def _relative_file(filename: str | None, work: Path) -> str | None:
    if not filename:
        return None
    path = Path(filename)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(work.resolve())
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _diagnostic(raw: Mapping[str, Any], work: Path) -> TerraformDiagnostic:
    rng = raw.get("range") or {}
    start = rng.get("start") or {}
    line = start.get("line")
    return TerraformDiagnostic(
        severity=str(raw.get("severity") or "error"),
        summary=str(raw.get("summary") or ""),
        detail=str(raw.get("detail") or ""),
        file=_relative_file(rng.get("filename"), work),
        line=int(line) if line is not None else None,
        address=raw.get("address") or None,
    )


def _json_lines(text: str) -> list[dict[str, Any]]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out


def _failure(step: str, proc: subprocess.CompletedProcess[str]) -> TerraformDiagnostic:
    text = "\n".join(part for part in (proc.stderr.strip(), proc.stdout.strip()) if part)
    return TerraformDiagnostic("error", f"terraform {step} failed (exit {proc.returncode})", text)


def check_terraform(
    out_dir: Path,
    *,
    plan: bool = True,
    mirror: ProviderMirror | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    in_place: bool = False,
) -> TerraformResult:
    """Run init, validate and (if validate was clean and ``plan``) plan on a copy of ``out_dir``
    (or on ``out_dir`` itself with ``in_place``, for a folder that is already a scratch copy)."""
    terraform = terraform_binary()
    if terraform is None:
        raise TerraformNotFoundError(
            "terraform is not on PATH: install Terraform (1.11 or later) to run validate and plan"
        )
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise FileNotFoundError(f"no output folder at {out_dir}")
    mirror = mirror or default_mirror()
    env = _base_env(str(mirror.cli_config))
    timings: dict[str, float] = {}
    diagnostics: list[TerraformDiagnostic] = []

    with tempfile.TemporaryDirectory(prefix="archgen-tfgate-") as tmp:
        if in_place:
            work = out_dir
        else:
            work = Path(tmp) / "root"
            shutil.copytree(out_dir, work, ignore=lambda _d, names: [n for n in names if n in _SKIP_COPY], symlinks=True)

        def run(step: str, *args: str) -> subprocess.CompletedProcess[str]:
            start = time.perf_counter()
            proc = subprocess.run(
                [terraform, *args],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            timings[step] = time.perf_counter() - start
            return proc

        proc = run("init", "init", "-backend=false", "-input=false", "-json")
        if proc.returncode != 0:
            found = [
                _diagnostic(msg["diagnostic"], work)
                for msg in _json_lines(proc.stdout)
                if msg.get("type") == "diagnostic" and "diagnostic" in msg
            ]
            if not any(d.severity == "error" for d in found):
                found.append(_failure("init", proc))
            return TerraformResult(tuple(found), timings=timings)

        proc = run("validate", "validate", "-json", "-no-color")
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            return TerraformResult((_failure("validate", proc),), timings=timings)
        diagnostics.extend(_diagnostic(d, work) for d in report.get("diagnostics") or [])
        valid = bool(report.get("valid")) and proc.returncode == 0
        if not valid and not any(d.severity == "error" for d in diagnostics):
            diagnostics.append(_failure("validate", proc))
        if not (plan and valid):
            return TerraformResult(tuple(diagnostics), validated=valid, timings=timings)

        proc = run("plan", "plan", "-refresh=false", "-input=false", "-lock=false", "-json", "-no-color")
        changes: list[tuple[str, str]] = []
        summary: dict[str, int] = {}
        seen = set(diagnostics)
        for msg in _json_lines(proc.stdout):
            kind = msg.get("type")
            if kind == "diagnostic" and "diagnostic" in msg:
                diag = _diagnostic(msg["diagnostic"], work)
                if diag not in seen:  # plan repeats validate's warnings
                    seen.add(diag)
                    diagnostics.append(diag)
            elif kind == "planned_change":
                change = msg.get("change") or {}
                addr = (change.get("resource") or {}).get("addr")
                if addr:
                    changes.append((addr, str(change.get("action"))))
            elif kind == "change_summary":
                summary = {k: v for k, v in (msg.get("changes") or {}).items() if isinstance(v, int)}
        planned = proc.returncode == 0
        if not planned and not any(d.severity == "error" for d in diagnostics):
            diagnostics.append(_failure("plan", proc))
        return TerraformResult(
            tuple(diagnostics),
            planned_changes=tuple(changes),
            change_summary=summary,
            validated=True,
            planned=planned,
            timings=timings,
        )


def run_terraform(
    out_dir: Path,
    *,
    plan: bool = True,
    mirror: ProviderMirror | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    in_place: bool = False,
) -> list[TerraformDiagnostic]:
    """Terraform's diagnostics (errors and warnings) for a rendered output folder.

    Raises :class:`TerraformNotFoundError` when terraform is not on PATH.
    """
    return list(check_terraform(out_dir, plan=plan, mirror=mirror, timeout=timeout, in_place=in_place).diagnostics)
