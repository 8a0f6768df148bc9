"""Run checkov, the policy scanner Terraform users already run, on rendered output.

checkov cannot share an environment with python-hcl2 8.x (its `bc-python-hcl2`
installs the same `hcl2` module), so archgen never imports it: it runs the
`checkov` executable found through the ARCHGEN_CHECKOV environment variable or
on PATH (pipx, or a separate venv), offline, and reads its JSON report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ENV_VAR = "ARCHGEN_CHECKOV"
TIMEOUT = 600  # seconds; a few seconds per output folder in practice

# --skip-download: no guidelines, severities or policies from Prisma Cloud (the
# only network call of a scan); the environment turns off the PyPI update
# check made at import and the mapping download as well.
FLAGS = ("--framework", "terraform", "--skip-download", "--output", "json", "--quiet", "--compact")
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
    "ANSI_COLORS_DISABLED": "1",
}


class CheckovError(RuntimeError):
    """checkov is missing, crashed, or wrote something that is not its report."""


@dataclass(frozen=True)
class CheckovFailure:
    check_id: str
    check_name: str
    file: str  # POSIX path relative to the scanned folder
    line: int  # first line of the resource block
    resource: str  # address, e.g. module.orders.aws_sqs_queue.worker
    guideline: str | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.check_id} {self.resource}: {self.check_name}"


def checkov_executable() -> str | None:
    """The checkov to run: $ARCHGEN_CHECKOV (a path or a name on PATH), else `checkov` on PATH."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        path = Path(configured).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        return shutil.which(configured)
    return shutil.which("checkov")


def checkov_available() -> bool:
    return checkov_executable() is not None


def _relative(out_dir: Path, check: dict) -> str:
    absolute = check.get("file_abs_path")
    if absolute:
        try:
            return Path(absolute).resolve().relative_to(out_dir.resolve()).as_posix()
        except ValueError:
            pass
    # file_path is relative to the scanned folder, with a leading slash
    return str(PurePosixPath(str(check.get("file_path", "")).replace("\\", "/").lstrip("/")))


def parse_report(text: str, out_dir: Path) -> list[CheckovFailure]:
    """Failed checks of checkov's JSON report: one object, or a list of them (one per framework)."""
    text = text.strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckovError(f"checkov did not print a JSON report: {text[:300]!r}") from exc
    reports = data if isinstance(data, list) else [data]
    failures: list[CheckovFailure] = []
    for report in reports:
        if not isinstance(report, dict):
            raise CheckovError(f"unexpected checkov report entry: {report!r:.300}")
        # with nothing to scan checkov prints a bare summary without "results"
        for check in (report.get("results") or {}).get("failed_checks") or []:
            lines = check.get("file_line_range") or [0]
            failures.append(
                CheckovFailure(
                    check_id=str(check["check_id"]),
                    check_name=str(check.get("check_name") or ""),
                    file=_relative(out_dir, check),
                    line=int(lines[0]),
                    resource=str(check.get("resource") or ""),
                    guideline=check.get("guideline") or None,
                )
            )
    failures.sort(key=lambda f: (f.file, f.line, f.check_id, f.resource))
    return failures


def run_checkov(out_dir: Path) -> list[CheckovFailure]:
    """Scan one rendered output folder; the failed checks, sorted by file and line.

    Inline `#checkov:skip=ID:reason` comments count as skipped, not failed."""
    exe = checkov_executable()
    if exe is None:
        hint = f"{ENV_VAR}={os.environ[ENV_VAR]!r} is not an executable" if os.environ.get(ENV_VAR) else "no `checkov` on PATH"
        raise CheckovError(
            f"checkov is not installed ({hint}); install it on its own, for example "
            f"`pipx install checkov` or `python3 -m venv ~/.checkov && ~/.checkov/bin/pip install checkov`, "
            f"and put it on PATH or set {ENV_VAR} to its path"
        )
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise CheckovError(f"no such folder: {out_dir}")
    env = {**os.environ, **OFFLINE_ENV}
    try:
        proc = subprocess.run(
            [exe, "-d", str(out_dir.resolve()), *FLAGS],
            cwd=out_dir,  # so that no .checkov.yaml of the caller's folder applies
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise CheckovError(f"checkov took longer than {TIMEOUT} s on {out_dir}") from exc
    except OSError as exc:
        raise CheckovError(f"cannot run {exe}: {exc}") from exc
    # 0: no failed checks, 1: failed checks; anything else is a crash
    if proc.returncode not in (0, 1):
        raise CheckovError(f"checkov exited with {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    failures = parse_report(proc.stdout, out_dir)
    if proc.returncode == 1 and not failures:
        raise CheckovError(f"checkov exited with 1 but reported no failed check: {proc.stderr.strip()[-2000:]}")
    return failures
