"""Write an output folder atomically; compare one for `render --check`."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

MANIFEST = ".archgen-manifest"


def _manifest(out_dir: Path) -> set[str]:
    try:
        text = (out_dir / MANIFEST).read_text(encoding="utf-8")
    except OSError:
        return set()
    return {line for line in text.splitlines() if line and not line.startswith("#")}


def write_atomic(out_dir: Path, files: dict[str, str]) -> None:
    """Render into a temporary folder beside `out_dir`, then swap it in.

    What archgen did not write there (.terraform/, the lock file, local
    state, build output) is carried over. Until the final rename, `out_dir`
    is untouched; if anything fails, it is left as it was.
    """
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    moved: list[str] = []
    try:
        for rel, text in files.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        manifest = "# files written by archgen; others here are kept on render\n" + "".join(f"{rel}\n" for rel in sorted(files))
        (tmp / MANIFEST).write_text(manifest, encoding="utf-8")
        if out_dir.exists():
            if not out_dir.is_dir():
                raise NotADirectoryError(f"{out_dir} is not a folder")
            previous = _manifest(out_dir)
            generated_dirs = {str(Path(p).parts[0]) for p in previous | set(files) if len(Path(p).parts) > 1}
            for entry in sorted(os.listdir(out_dir)):
                if entry == MANIFEST or entry in previous or entry in files or entry in generated_dirs:
                    continue
                os.rename(out_dir / entry, tmp / entry)
                moved.append(entry)
            backup = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
            backup.rmdir()
            os.rename(out_dir, backup)
            try:
                os.rename(tmp, out_dir)
            except OSError:
                os.rename(backup, out_dir)
                raise
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.rename(tmp, out_dir)
    except BaseException:
        for entry in moved:  # give back what was carried over
            if (tmp / entry).exists() and out_dir.is_dir() and not (out_dir / entry).exists():
                os.rename(tmp / entry, out_dir / entry)
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def compare(out_dir: Path, files: dict[str, str]) -> list[str]:
    """What differs between `out_dir` and a fresh render, one line each."""
    drift = []
    for rel, text in files.items():
        path = out_dir / rel
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            drift.append(f"{rel}: missing")
            continue
        if current != text:
            drift.append(f"{rel}: differs")
    for rel in sorted(_manifest(out_dir) - set(files)):
        if (out_dir / rel).exists():
            drift.append(f"{rel}: no longer rendered")
    return drift
