#!/usr/bin/env python3
"""Regenerate tests/golden/<example>/ from blueprints/<example>.yaml — on purpose only.

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


def main() -> int:
    for blueprint in sorted((ROOT / "blueprints").glob("*.yaml")):
        out = ROOT / "tests" / "golden" / blueprint.stem
        bp = api.read_blueprint(blueprint)
        if not bp.ok:
            print(f"{blueprint}: does not validate", file=sys.stderr)
            return 1
        rendered = api.render_files(bp, out)
        shutil.rmtree(out, ignore_errors=True)
        for rel, text in rendered.files.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_text(text, encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)} ({len(rendered.files)} files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
