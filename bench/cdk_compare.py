#!/usr/bin/env python3
"""archgen against an AWS CDK app (AWS Solutions Constructs) synthesizing the same architecture.

    python bench/cdk_compare.py [--runs K] [--quick] [--only small,large,scaling] [--sizes 10,100,1000]

The architecture: one SNS topic fanning out to N SQS queues, each with its own
dead-letter queue, plus one SQS -> Lambda queue worker with a dead-letter queue.
archgen renders a generated blueprint (a `fan-out` component with N subscribers
and a `queue-worker` component); the CDK app (bench/cdk/app.js, plain
JavaScript) builds it from `@aws-solutions-constructs/aws-sns-sqs` (once per
subscriber, sharing one topic) and `@aws-solutions-constructs/aws-sqs-lambda`,
and calls `app.synth()` in-process.

Every figure is the median over K runs of one whole child process, timed from
before it starts until it has been reaped (`archgen` is the console script
next to sys.executable, so its imports count; `node bench/cdk/app.js N OUT`
likewise), and the peak RSS of that child as `os.wait4` reports it.  One
untimed warm-up run of each command comes first; Python's bytecode cache is on
for the children (in bench/.cache/pycache) whatever PYTHONDONTWRITEBYTECODE says.

Scenarios:
  small    3 subscribers + 1 queue worker: archgen render, archgen validate --no-terraform, CDK synth
  large    500 subscribers + 1 queue worker: the same three
  scaling  archgen render (and CDK synth) at N = 10, 100, 1000; --quick skips CDK at 1000

The npm packages are installed with `npm ci` from bench/cdk/package-lock.json
into bench/.cache/ (ignored) when that folder is missing or its lock differs.
Prints figures, then the targets as PASS/FAIL lines; exit status 0 unless a
child failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CDK_APP = ROOT / "bench" / "cdk"
CACHE = ROOT / "bench" / ".cache"
HANDLER = CDK_APP / "handler" / "app.py"

SMALL, LARGE = 3, 500
SCALING = (10, 100, 1000)


# ---------------------------------------------------------------- processes


@dataclass
class Run:
    seconds: float
    max_rss_kib: int


@dataclass
class Figure:
    """The runs of one command; medians of wall time and peak RSS."""

    label: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def mib(self) -> float:
        return statistics.median(r.max_rss_kib for r in self.runs) / 1024


class ChildFailed(RuntimeError):
    pass


def child_env() -> dict[str, str]:
    """The environment as a user has it: Python's bytecode cache on (some CI and sandbox setups turn it
    off with PYTHONDONTWRITEBYTECODE, which would make every archgen run compile its modules), the
    .pyc files kept in bench/.cache/ rather than in the source tree."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    return env


def run_once(argv: list[str], cwd: Path, log: Path) -> Run:
    """Run argv to completion; wall time from spawn to reap and the child's peak RSS (os.wait4)."""
    env = child_env()
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise ChildFailed(f"{' '.join(map(str, argv))} exited {proc.returncode} (cwd {cwd}):\n{tail}")
    return Run(seconds, usage.ru_maxrss)  # ru_maxrss is in KiB on Linux


def measure(label: str, argv: list[str], cwd: Path, runs: int, fresh: Path | None = None) -> Figure:
    """K runs of argv; `fresh` (the output folder) is removed before each, outside the timing."""
    fig = Figure(label)
    log = Path(tempfile.mkstemp(prefix="cdk-compare-", suffix=".log")[1])
    try:
        for _ in range(runs):
            if fresh is not None:
                shutil.rmtree(fresh, ignore_errors=True)
            fig.runs.append(run_once(argv, cwd, log))
            print(f"  {label}: {fig.runs[-1].seconds:.2f} s, {fig.runs[-1].max_rss_kib / 1024:.0f} MiB", flush=True)
    finally:
        log.unlink(missing_ok=True)
    return fig


# ---------------------------------------------------------------- the two tools


def archgen_cli() -> Path:
    """The console script next to the running interpreter (so its import time counts)."""
    for candidate in (Path(sys.executable).parent / "archgen", ROOT / ".venv" / "bin" / "archgen"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("archgen")
    if found:
        return Path(found)
    sys.exit("bench/cdk_compare.py: no `archgen` console script next to sys.executable (run it with the venv's python)")


def blueprint(folder: Path, subscribers: int) -> Path:
    """Write a blueprint with a fan-out of `subscribers` queues and one queue worker, and its handler."""
    src = folder / "src" / "app"
    src.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HANDLER, src / "app.py")
    subs = "\n".join(f"      - name: s{i:04d}" for i in range(1, subscribers + 1))
    path = folder / f"fanout-{subscribers}.yaml"
    path.write_text(
        f"""\
archgen: 1
name: events
region: us-east-2
tags: {{team: platform}}
components:
  - name: events
    pattern: fan-out
    subscribers:
{subs}
  - name: jobs
    pattern: queue-worker
    dead_letter: {{max_receive_count: 5}}
    function: {{runtime: python3.13, handler: app.handler, source: src/app, timeout: 30}}
"""
    )
    return path


def ensure_npm_cache() -> None:
    """`npm ci` into bench/.cache/ when it is missing or was installed from another lock."""
    manifest, lock = CDK_APP / "package.json", CDK_APP / "package-lock.json"
    stamp = hashlib.sha256(manifest.read_bytes() + b"\0" + lock.read_bytes()).hexdigest()
    stamp_file = CACHE / ".installed-from"
    if (CACHE / "node_modules").is_dir() and stamp_file.is_file() and stamp_file.read_text().strip() == stamp:
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("bench/cdk_compare.py: npm is not on PATH")
    print(f"installing the CDK app's npm packages into {CACHE.relative_to(ROOT)}/ (npm ci) ...", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("# bench/cdk_compare.py's npm cache\n*\n")
    stamp_file.unlink(missing_ok=True)
    shutil.copyfile(manifest, CACHE / "package.json")
    shutil.copyfile(lock, CACHE / "package-lock.json")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], cwd=CACHE, check=True
    )
    stamp_file.write_text(stamp + "\n")


def installed_version(package: str) -> str:
    try:
        return json.loads((CACHE / "node_modules" / package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "?"


# ---------------------------------------------------------------- machine


def machine() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "?"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    archgen = archgen_cli()
    python = sys.version.split()[0]
    first = archgen.read_text(errors="replace").splitlines()[0] if archgen.is_file() else ""
    if first.startswith("#!"):  # the interpreter archgen runs on
        interp = first[2:].strip().split()[0]
        got = subprocess.run([interp, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True)
        python = got.stdout.strip() or python
    return [
        f"machine: {cpu}, {os.cpu_count()} cores ({usable} usable), {mem} RAM, {platform.system()} {platform.release()}",
        f"archgen: {archgen} on Python {python}",
        f"CDK: node {node}, aws-cdk-lib {installed_version('aws-cdk-lib')}, constructs {installed_version('constructs')}, "
        f"@aws-solutions-constructs/aws-sns-sqs {installed_version('@aws-solutions-constructs/aws-sns-sqs')}, "
        f"aws-sqs-lambda {installed_version('@aws-solutions-constructs/aws-sqs-lambda')}",
    ]


# ---------------------------------------------------------------- scenarios


@dataclass
class Row:
    scenario: str
    subscribers: int
    render: Figure | None = None
    validate: Figure | None = None
    cdk: Figure | None = None
    cdk_resources: int | None = None


def commands(folder: Path, n: int) -> dict[str, tuple[list[str], Path | None]]:
    """The three commands for a blueprint of n subscribers in folder, each with the output folder it writes."""
    bp = blueprint(folder, n)
    cli = str(archgen_cli())
    cdk_out = folder / "cdk.out"
    return {
        "archgen render": ([cli, "render", bp.name, "-o", "out"], folder / "out"),
        "archgen validate": ([cli, "validate", bp.name, "--no-terraform"], None),
        "CDK synth": (["node", str(CDK_APP / "app.js"), str(n), str(cdk_out), str(folder / "src" / "app")], cdk_out),
    }


def warm_up(work: Path) -> None:
    """One untimed run of each command, so no figure pays for writing .pyc files or a cold page cache."""
    folder = work / "warm-up"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "log"
    print("warm-up (untimed): archgen render, archgen validate, CDK synth at N=3", flush=True)
    for argv, _ in commands(folder, SMALL).values():
        run_once(argv, folder, log)
    shutil.rmtree(folder, ignore_errors=True)


def bench(work: Path, n: int, runs: int, *, validate: bool, cdk: bool, scenario: str) -> Row:
    print(f"{scenario}: {n} subscribers + 1 queue worker", flush=True)
    folder = work / f"n{n}"
    folder.mkdir(parents=True, exist_ok=True)
    cmds = commands(folder, n)
    row = Row(scenario, n)
    argv, out = cmds["archgen render"]
    row.render = measure("archgen render", argv, folder, runs, fresh=out)
    if validate:
        row.validate = measure("archgen validate", cmds["archgen validate"][0], folder, runs)
    if cdk:
        argv, cdk_out = cmds["CDK synth"]
        row.cdk = measure("CDK synth", argv, folder, runs, fresh=cdk_out)
        template = json.loads((cdk_out / "Events.template.json").read_text())
        row.cdk_resources = len(template.get("Resources", {}))
    return row


def fmt_s(fig: Figure | None) -> str:
    return f"{fig.seconds:.2f}" if fig else "-"


def fmt_mib(fig: Figure | None) -> str:
    return f"{fig.mib:.0f}" if fig else "-"


def ratio(a: Figure | None, b: Figure | None) -> float | None:
    return a.seconds / b.seconds if a and b else None


def table(rows: list[Row], runs: int) -> list[str]:
    head = (
        f"{'scenario':<9} {'N':>5} {'render s':>9} {'validate s':>10} {'CDK synth s':>11} {'render/CDK':>10}"
        f" {'render MiB':>10} {'validate MiB':>12} {'CDK MiB':>8} {'CDK resources':>13}"
    )
    lines = [f"median of {runs} run(s); wall time of the whole process, peak RSS of the child", head, "-" * len(head)]
    for r in rows:
        q = ratio(r.render, r.cdk)
        lines.append(
            f"{r.scenario:<9} {r.subscribers:>5} {fmt_s(r.render):>9} {fmt_s(r.validate):>10} {fmt_s(r.cdk):>11}"
            f" {(f'{q:.3f}' if q is not None else '-'):>10} {fmt_mib(r.render):>10} {fmt_mib(r.validate):>12}"
            f" {fmt_mib(r.cdk):>8} {(r.cdk_resources if r.cdk_resources is not None else '-'):>13}"
        )
    return lines


def scaling_lines(rows: list[Row]) -> list[str]:
    """Time per subscriber, total and marginal (between consecutive sizes), for each tool."""
    rows = sorted(rows, key=lambda r: r.subscribers)
    head = f"{'N':>5} {'render s':>9} {'ms/sub':>8} {'marginal ms/sub':>15} {'CDK s':>7} {'ms/sub':>8} {'marginal ms/sub':>15}"
    lines = ["scaling (time per subscriber; marginal = extra time / extra subscribers since the previous N)", head]
    prev: Row | None = None
    for r in rows:
        cells = [f"{r.subscribers:>5}"]
        for attr in ("render", "cdk"):
            fig, before = getattr(r, attr), getattr(prev, attr) if prev else None
            if fig is None:
                cells += [f"{'-':>9}" if attr == "render" else f"{'-':>7}", f"{'-':>8}", f"{'-':>15}"]
                continue
            marginal = (
                f"{(fig.seconds - before.seconds) / (r.subscribers - prev.subscribers) * 1000:.2f}"
                if before is not None
                else "-"
            )
            width = 9 if attr == "render" else 7
            cells += [f"{fig.seconds:>{width}.2f}", f"{fig.seconds / r.subscribers * 1000:>8.2f}", f"{marginal:>15}"]
        lines.append(" ".join(cells))
        prev = r
    return lines


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def targets(small: Row | None, large: Row | None, scaling: list[Row]) -> list[str]:
    lines = []
    if small and small.render and small.cdk:
        q = ratio(small.render, small.cdk)
        lines.append(
            f"{verdict(q < 1 / 3)}  small: archgen render < 1/3 of CDK synth"
            f"  ({small.render.seconds:.2f} s vs {small.cdk.seconds:.2f} s = {q:.3f})"
        )
    if large and large.render and large.cdk:
        q = ratio(large.render, large.cdk)
        lines.append(
            f"{verdict(q < 1 / 10)}  large: archgen render < 1/10 of CDK synth"
            f"  ({large.render.seconds:.2f} s vs {large.cdk.seconds:.2f} s = {q:.3f})"
        )
        lines.append(
            f"{verdict(large.render.mib < large.cdk.mib)}  large: archgen render peak memory below CDK's"
            f"  ({large.render.mib:.0f} MiB vs {large.cdk.mib:.0f} MiB)"
        )
        if large.validate:
            lines.append(
                f"{verdict(large.validate.seconds <= large.cdk.seconds)}  large: archgen validate --no-terraform"
                f" no longer than CDK synth  ({large.validate.seconds:.2f} s vs {large.cdk.seconds:.2f} s)"
            )
    points = sorted((r.subscribers, r.render.seconds) for r in scaling if r.render)
    if len(points) >= 3:
        # least squares t = a + b*N: the cost is linear when every size sits on that line, within
        # 10% of its time or 30 ms (timing noise on a shared machine)
        n = len(points)
        mean_x = sum(x for x, _ in points) / n
        mean_y = sum(y for _, y in points) / n
        b = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
        a = mean_y - b * mean_x
        worst = max(abs(y - (a + b * x)) - max(0.1 * y, 0.03) for x, y in points)
        lines.append(
            f"{verdict(worst <= 0)}  scaling: archgen render linear in N (least squares over N="
            f"{', '.join(str(x) for x, _ in points)}: {a:.3f} s + {b * 1000:.3f} ms per subscriber; every size within 10% or 30 ms of the line)"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, metavar="K", help="runs per figure, median reported (3)")
    parser.add_argument("--quick", action="store_true", help="skip CDK synth at N=1000 in the scaling runs")
    parser.add_argument(
        "--only", default="small,large,scaling", help="comma-separated scenarios to run (small,large,scaling)"
    )
    parser.add_argument(
        "--sizes", default=",".join(map(str, SCALING)), help="subscriber counts of the scaling runs (10,100,1000)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (blueprints, outputs)")
    args = parser.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - {"small", "large", "scaling"}
    if unknown or args.runs < 1:
        parser.error(f"unknown scenario(s) {sorted(unknown)}" if unknown else "--runs must be >= 1")
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})

    ensure_npm_cache()
    header = machine()
    print("\n".join(header), flush=True)

    work = Path(tempfile.mkdtemp(prefix="archgen-cdk-compare-"))
    small = large = None
    scaling: list[Row] = []
    try:
        warm_up(work)
        if "small" in only:
            small = bench(work, SMALL, args.runs, validate=True, cdk=True, scenario="small")
        if "large" in only:
            large = bench(work, LARGE, args.runs, validate=True, cdk=True, scenario="large")
        if "scaling" in only:
            for n in sizes:
                with_cdk = not (args.quick and n >= 1000)
                scaling.append(bench(work, n, args.runs, validate=False, cdk=with_cdk, scenario="scaling"))
    except ChildFailed as err:
        print(f"\nbench/cdk_compare.py: {err}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    rows = [r for r in (small, large) if r] + scaling
    print()
    print("\n".join(header))
    print()
    print("\n".join(table(rows, args.runs)))
    if scaling:
        # the large run is one more point on the curve
        curve = scaling + ([large] if large and large.subscribers not in {r.subscribers for r in scaling} else [])
        print()
        print("\n".join(scaling_lines(curve)))
        scaling = curve
    print()
    print("\n".join(targets(small, large, scaling)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
