"""Time the terraform gate (init, validate, plan) on fixture output folders.

    python bench/terraform_gate.py [FOLDER ...] [--fixture-schemas] [--repeat N]

Without folders it times tests/fixtures/terraform/pass_basic.  By default the
stand-in serves the bundled provider schemas (archgen/data); with
--fixture-schemas it serves the small hand-written ones of the tests.  Prints
figures only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archgen.terraform_gate import ProviderMirror, check_terraform  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "terraform"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[FIXTURES / "pass_basic"])
    parser.add_argument("--fixture-schemas", action="store_true", help="serve the tests' small schemas")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    schemas = None
    if args.fixture_schemas:
        schemas = {
            name: json.loads((FIXTURES / "schemas" / f"{name}.schema.json").read_text()) for name in ("aws", "archive")
        }
    start = time.perf_counter()
    with ProviderMirror(schemas=schemas) as mirror:
        print(f"mirror build: {time.perf_counter() - start:.3f} s ({'fixture' if schemas else 'bundled'} schemas)")
        for folder in args.folders:
            runs: dict[str, list[float]] = {}
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                result = check_terraform(folder, mirror=mirror)
                runs.setdefault("total", []).append(time.perf_counter() - t0)
                for step, seconds in result.timings.items():
                    runs.setdefault(step, []).append(seconds)
            figures = "  ".join(
                f"{step} {statistics.median(values):.3f} s" for step, values in runs.items()
            )
            errors = len(result.errors)
            print(f"{folder}: median of {args.repeat}: {figures}  ({errors} errors, plan add={result.change_summary.get('add')})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
