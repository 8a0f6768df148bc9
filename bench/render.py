#!/usr/bin/env python3
"""Prints how long reading and checking, rendering, and checking the output of each example take (figures only)."""

from __future__ import annotations

import statistics
import sys
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
    print(f"{'example':<16} {'read+rules':>11} {'render':>9} {'structure':>10} {'schema':>9}  (ms, median of 20; parses are cached after the first)")
    for example in sorted((ROOT / "blueprints").glob("*.yaml")):
        bp = api.read_blueprint(example)
        rendered = api.render_files(bp)
        print(
            f"{example.stem:<16} {timed(lambda: api.read_blueprint(example)):>11.1f} "
            f"{timed(lambda: api.render_files(bp)):>9.1f} "
            f"{timed(lambda: check_structure(rendered, 'out')):>10.1f} "
            f"{timed(lambda: check_schema(rendered, 'out')):>9.1f}"
        )


if __name__ == "__main__":
    main()
