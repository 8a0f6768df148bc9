"""Write version N of a large output folder: the process that test_writer.py kills with SIGKILL.

Usage: python writer_kill_helper.py OUT_DIR VERSION. Prints "go" just before the write
starts, then the seconds it took.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archgen import writer

FILES = 2000


def version_files(version: int) -> dict[str, str]:
    """~2000 files: most change with the version, every tenth does not, and one module comes and goes."""
    files = {}
    for i in range(FILES):
        stamp = "stable" if i % 10 == 0 else f"version {version}"
        files[f"modules/c{i % 20:02d}/f{i:04d}.tf"] = f"# {stamp} of file {i}\n" + "locals {}\n" * 40
    for name in ("main.tf", "sub/vars.tf"):
        files[f"modules/only{version % 3}/{name}"] = f"# version {version}\n"
    return files


if __name__ == "__main__":
    out, version = Path(sys.argv[1]), int(sys.argv[2])
    # fsync guards against power loss, not against a killed process (the page cache
    # survives it); without it a write takes 0.3 s instead of 2.5 s.
    os.fsync = lambda fd: None
    files = version_files(version)
    print("go", flush=True)
    start = time.perf_counter()
    writer.write_output(out, files)
    print(time.perf_counter() - start, flush=True)
