#!/usr/bin/env python3
"""Regenerate tests/golden/<example>/ from blueprints/<example>.yaml — on purpose only.

    tools/update_golden.py                 every example
    tools/update_golden.py fan-out shop    only these

Review the diff (`git diff tests/golden`) before committing: golden files are
reviewed output, not a snapshot of whatever came out.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archgen import api  # noqa: E402


def main(argv: list[str]) -> int:
    examples = sorted((ROOT / "blueprints").glob("*.yaml"))
    if argv:
        examples = [e for e in examples if e.stem in argv]
    for blueprint in examples:
        out = ROOT / "tests" / "golden" / blueprint.stem
        bp = api.read_blueprint(blueprint)
        if not bp.ok:
            print(f"{blueprint}: does not validate", file=sys.stderr)
            return 1
        rendered = api.render_files(bp)
        shutil.rmtree(out, ignore_errors=True)
        for rel, content in rendered.files.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                (out / rel).write_bytes(content)
            else:
                (out / rel).write_text(content, encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)} ({len(rendered.files)} files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
