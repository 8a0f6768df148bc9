#!/usr/bin/env python3
"""Prints how long loading, checking and rendering each example takes (figures only)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archgen import api  # noqa: E402
from archgen.checks import check_schema, check_structure  # noqa: E402


def timed(fn, runs: int = 20) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    out = Path(tempfile.mkdtemp()) / "out"
    print(f"{'example':<14} {'read+rules':>11} {'render':>9} {'structure':>10} {'schema':>9}  (ms, median of 20)")
    for example in sorted((ROOT / "blueprints").glob("*.yaml")):
        bp = api.read_blueprint(example)
        rendered = api.render_files(bp, out)
        print(
            f"{example.stem:<14} {timed(lambda: api.read_blueprint(example)):>11.1f} "
            f"{timed(lambda: api.render_files(bp, out)):>9.1f} "
            f"{timed(lambda: check_structure(rendered, 'out')):>10.1f} "
            f"{timed(lambda: check_schema(rendered, 'out')):>9.1f}"
        )


if __name__ == "__main__":
    main()
