"""Write rendered files into an output folder, changing only what archgen wrote there.

`OUT/.archgen-manifest` records the files archgen wrote (sha256 and path). Nothing
else in the folder is ever changed, and the folder itself is never replaced. A write:

1. stages every new or changed file in `OUT/.archgen-staging/` (fsynced);
2. renames `OUT/.archgen-journal` (the moves and deletions to make) into place:
   the commit point;
3. renames each staged file onto its target, deletes what is no longer rendered,
   replaces the manifest last, then removes the journal and the staging folder.

Every file is replaced by a rename, so at any moment each one is old or new. An
interrupted write is finished (journal present) or discarded (staging only) by
the next write or by `recover`; `compare` reports it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import posixpath
import re
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path

if sys.platform != "win32":
    import fcntl

MANIFEST = ".archgen-manifest"
JOURNAL = ".archgen-journal"
STAGING = ".archgen-staging"
INTERRUPTED = "an interrupted render: run archgen render to finish it"

_RESERVED = {MANIFEST, JOURNAL, STAGING}
_MANIFEST_HEADER = "# archgen manifest: sha256 and path of each file archgen wrote; it never touches the others\n"
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  (.+)")
_STAGED_MANIFEST = "manifest"
_STAGED_JOURNAL = "journal"


class OutputFolderError(Exception):
    """archgen refuses to write the output folder (exit 2); the message is for the user."""


@dataclass
class WriteResult:
    """What `write_output` did, as sorted paths relative to the output folder."""

    written: list[str] = field(default_factory=list)  # new or changed, overwritten_* among them
    unchanged: list[str] = field(default_factory=list)  # already as rendered: not rewritten
    deleted: list[str] = field(default_factory=list)  # no longer rendered
    kept_edited: list[str] = field(default_factory=list)  # no longer rendered but edited: kept and let go
    overwritten_edited: list[str] = field(default_factory=list)  # edited since archgen wrote them
    forced_overwrites: list[str] = field(default_factory=list)  # archgen did not write them (force=True)

    def messages(self) -> list[str]:
        """One line for each thing the user must know."""
        return (
            [f"{rel}: edited since archgen wrote it; replaced by the rendered file" for rel in self.overwritten_edited]
            + [f"{rel}: no longer rendered but may have been edited since archgen wrote it; kept, and archgen no longer manages it" for rel in self.kept_edited]
            + [f"{rel}: not written by archgen; overwritten (--force)" for rel in self.forced_overwrites]
        )


@dataclass
class _Write:
    data: bytes
    executable: bool
    replacing: os.stat_result | None  # the regular file it replaces, whose mode it keeps


@dataclass
class _Plan:
    result: WriteResult
    writes: dict[str, _Write]
    deletes: dict[str, str]  # path -> the sha256 it must still have to be deleted
    manifest: bytes
    manifest_changed: bool


# --- the API -------------------------------------------------------------------------


def write_output(
    out_dir: Path,
    files: Mapping[str, str | bytes],
    *,
    force: bool = False,
    executable: Set[str] = frozenset(),
    on_overwrite: Callable[[list[str]], None] | None = None,
) -> WriteResult:
    """Write `files` (posix relative path -> text or bytes) into `out_dir`, creating it if needed.

    Raises OutputFolderError rather than overwrite a file archgen did not write, unless
    `force`: then `on_overwrite` gets those paths before anything is written (it may raise
    to stop). `executable` paths get mode 0o777 less the umask. Ctrl-C undoes the write
    before the commit point and finishes it after, then propagates. Whatever else stops
    it (an OSError, a kill), each file is old or new and the next call finishes the job.
    """
    data = _encode(files, executable)
    root = _resolve_folder(out_dir)
    if root is None:
        out_dir.mkdir(parents=True)
        root = out_dir.resolve()
    with _locked(root, out_dir):
        with _sigint_deferred():
            _recover(root)
        plan = _plan(root, out_dir, data, executable, force)
        if plan.result.forced_overwrites and on_overwrite is not None:
            on_overwrite(list(plan.result.forced_overwrites))
        if plan.writes or plan.deletes or plan.manifest_changed:
            _execute(root, plan)
    return plan.result


def compare(out_dir: Path, files: Mapping[str, str | bytes]) -> list[str]:
    """What a render would change in `out_dir`, for `render --check`: one entry per file.

    An entry for a file the user edited spans several lines: a unified diff follows.
    """
    data = _encode(files)
    root = _resolve_folder(out_dir)
    if root is None:
        return [f"{rel}: missing" for rel in sorted(data)]
    drift = [INTERRUPTED] if any(os.path.lexists(root / name) for name in (JOURNAL, STAGING)) else []
    _, manifest = _read_manifest(root)
    for rel, content in sorted(data.items()):
        if not os.path.lexists(root / rel):
            drift.append(f"{rel}: missing")
            continue
        current = _read_regular(root / rel)
        if current == content:
            continue
        if current is None or rel not in manifest:
            drift.append(f"{rel}: differs; archgen did not write it (render refuses to overwrite it without --force)")
        elif manifest[rel] is not None and _sha256(current) != manifest[rel]:
            drift.append(f"{rel}: differs; edited since archgen wrote it (render replaces it):\n{_diff(rel, current, content)}")
        else:
            drift.append(f"{rel}: differs")
    drift += [f"{rel}: no longer rendered" for rel in sorted(manifest.keys() - data.keys()) if os.path.lexists(root / rel)]
    return drift


def recover(out_dir: Path) -> bool:
    """Finish (committed) or discard (not committed) an interrupted write; True if there was one."""
    root = _resolve_folder(out_dir)
    if root is None:
        return False
    with _locked(root, out_dir), _sigint_deferred():
        return _recover(root)


def _encode(files: Mapping[str, str | bytes], executable: Set[str] = frozenset()) -> dict[str, bytes]:
    """The files as bytes (text as UTF-8); ValueError for a path archgen cannot write."""
    for rel in files:
        if not _is_file_path(rel):
            raise ValueError(f"not a relative file path archgen can write: {rel!r}")
    folders = {rel.rsplit("/", i)[0] for rel in files for i in range(1, rel.count("/") + 1)}
    if clash := sorted(folders & files.keys()):
        raise ValueError(f"rendered both as a file and as a folder: {', '.join(clash)}")
    if unknown := sorted(set(executable) - files.keys()):
        raise ValueError(f"executable but not rendered: {', '.join(unknown)}")
    return {rel: content.encode("utf-8") if isinstance(content, str) else bytes(content) for rel, content in files.items()}


def _is_file_path(rel: str) -> bool:
    parts = rel.split("/")
    return (
        parts[0] not in _RESERVED
        and all(part not in ("", ".", "..") for part in parts)
        and "\\" not in rel
        and all(ord(char) >= 32 for char in rel)  # one manifest line each
    )


def _plan(root: Path, out_dir: Path, data: dict[str, bytes], executable: Set[str], force: bool) -> _Plan:
    manifest_bytes, manifest = _read_manifest(root)
    device = root.stat().st_dev
    folder_problem = functools.cache(lambda folder: _folder_problem(root, folder, device))
    result = WriteResult()
    writes: dict[str, _Write] = {}
    for rel, content in sorted(data.items()):
        if problem := folder_problem(posixpath.dirname(rel)):
            raise OutputFolderError(f"{out_dir}: {problem}; archgen writes {rel} only inside real folders")
        target = root / rel
        st = _lstat(target)
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise OutputFolderError(f"{out_dir}: {rel} is a folder; archgen renders a file there")
        current = target.read_bytes() if st is not None and stat.S_ISREG(st.st_mode) else None
        if current == content:
            result.unchanged.append(rel)
            continue
        if st is not None:
            if current is None or rel not in manifest:
                result.forced_overwrites.append(rel)
            elif manifest[rel] is not None and _sha256(current) != manifest[rel]:
                result.overwritten_edited.append(rel)
        writes[rel] = _Write(content, rel in executable, st if current is not None else None)
        result.written.append(rel)

    deletes: dict[str, str] = {}
    for rel in sorted(manifest.keys() - data.keys()):
        digest = manifest[rel]
        if not os.path.lexists(root / rel):
            continue
        if digest is not None and not folder_problem(posixpath.dirname(rel)) and _regular_sha256(root / rel) == digest:
            deletes[rel] = digest
            result.deleted.append(rel)
        else:  # edited, or written by an archgen that kept no hashes: not ours to delete
            result.kept_edited.append(rel)

    if not force:
        if manifest_bytes is None and os.listdir(root):
            would = f"; it would overwrite {_some(result.forced_overwrites)}" if result.forced_overwrites else ""
            raise OutputFolderError(f"{out_dir} is not empty and archgen did not write it (no {MANIFEST}): use --force to render into it anyway{would}")
        if result.forced_overwrites:
            raise OutputFolderError(f"{out_dir}: archgen did not write {_some(result.forced_overwrites)}; use --force to overwrite")

    new_manifest = (_MANIFEST_HEADER + "".join(f"{_sha256(data[rel])}  {rel}\n" for rel in sorted(data))).encode("utf-8")
    return _Plan(result, writes, deletes, new_manifest, new_manifest != manifest_bytes)


def _read_manifest(root: Path) -> tuple[bytes | None, dict[str, str | None]]:
    """The manifest as read (None: there is none) and its entries: path -> sha256 (None: not recorded)."""
    try:
        raw = (root / MANIFEST).read_bytes()
    except FileNotFoundError:
        return None, {}
    entries: dict[str, str | None] = {}
    for line in raw.decode("utf-8", "replace").split("\n"):
        if not line or line.startswith("#"):
            continue
        match = _MANIFEST_LINE.fullmatch(line)
        digest, rel = match.groups() if match else (None, line)  # an older archgen wrote paths only
        if _is_file_path(rel):
            entries[rel] = digest
    return raw, entries


def _folder_problem(root: Path, rel_folder: str, device: int) -> str | None:
    """Why `rel_folder` is not a folder archgen may write in: it or a parent is a symlink, a file, a mount."""
    folder = root
    for part in rel_folder.split("/") if rel_folder else ():
        folder = folder / part
        st = _lstat(folder)
        if st is None:
            return None  # created when written
        if stat.S_ISLNK(st.st_mode):
            problem = "is a symlink"
        elif not stat.S_ISDIR(st.st_mode):
            problem = "is not a folder"
        elif st.st_dev != device:
            problem = "is on another filesystem"
        else:
            continue
        return f"{folder.relative_to(root).as_posix()} {problem}"
    return None


# --- executing: stage, commit, apply ---------------------------------------------------


def _execute(root: Path, plan: _Plan) -> None:
    staging = root / STAGING
    try:
        staging.mkdir()
        moves = []
        for number, (rel, write) in enumerate(plan.writes.items()):
            _stage_file(staging / str(number), write.data, write.executable, write.replacing)
            moves.append((str(number), rel))
        _stage_file(staging / _STAGED_MANIFEST, plan.manifest)
        journal = {"moves": moves, "deletes": sorted(plan.deletes.items())}
        _stage_file(staging / _STAGED_JOURNAL, json.dumps(journal).encode("utf-8"))
        _fsync_folder(staging)
        with _sigint_deferred():
            os.replace(staging / _STAGED_JOURNAL, root / JOURNAL)  # the commit point
            _fsync_folder(root)
            _apply_journal(root)
    except BaseException:
        # Whether or not the journal made it, the disk says which way to go.
        with _sigint_deferred(), contextlib.suppress(Exception):
            _recover(root)
        raise


def _recover(root: Path) -> bool:
    if os.path.lexists(root / JOURNAL):
        _apply_journal(root)
        return True
    if os.path.lexists(root / STAGING):
        _remove(root / STAGING)
        return True
    return False


def _apply_journal(root: Path) -> None:
    """Carry out the committed journal; safe to repeat after an interruption at any point."""
    staging = root / STAGING
    moves, deletes = _read_journal(root)
    touched: set[Path] = set()  # folders whose entries change, to fsync
    for name, rel in moves:
        source, target = staging / name, root / rel
        if target.parent not in touched:
            target.parent.mkdir(parents=True, exist_ok=True)
            touched.update(_folders_of(root, rel))
        if os.path.lexists(source):  # else moved before an interruption
            os.replace(source, target)
    for rel, digest in deletes:
        path = root / rel
        touched.update(_folders_of(root, rel))
        if _regular_sha256(path) == digest:
            path.unlink()
        _remove_empty_folders(root, path.parent)
    for folder in touched:
        with contextlib.suppress(FileNotFoundError):  # removed as emptied
            _fsync_folder(folder)
    if os.path.lexists(staging / _STAGED_MANIFEST):
        os.replace(staging / _STAGED_MANIFEST, root / MANIFEST)
        _fsync_folder(root)
    (root / JOURNAL).unlink()
    _fsync_folder(root)
    _remove(staging)


def _read_journal(root: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The journal's moves (staged name, path) and deletions (path, sha256)."""
    try:
        journal = json.loads((root / JOURNAL).read_bytes())
        moves = [(name, rel) for name, rel in journal["moves"]]
        deletes = [(rel, digest) for rel, digest in journal["deletes"]]
        valid = all(name.isdigit() and _is_file_path(rel) for name, rel in moves) and all(
            _is_file_path(rel) and isinstance(digest, str) for rel, digest in deletes
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise OutputFolderError(f"{root / JOURNAL} is damaged: remove it and {STAGING}, then render again")
    return moves, deletes


def _stage_file(path: Path, data: bytes, executable: bool = False, replacing: os.stat_result | None = None) -> None:
    """Create `path` holding `data`, durably, with the mode of the file it replaces or the umask's."""
    create_mode = 0o777 if executable else 0o666  # less the umask, as for any new file

    def opener(name: str, flags: int) -> int:
        return os.open(name, flags | os.O_EXCL, create_mode)

    with open(path, "wb", opener=opener) as fh:
        fh.write(data)
        fh.flush()
        if replacing is not None:
            created = stat.S_IMODE(os.fstat(fh.fileno()).st_mode)
            mode = stat.S_IMODE(replacing.st_mode) | (created & 0o111 if executable else 0)
            if mode != created:
                os.chmod(path, mode)
        os.fsync(fh.fileno())


def _remove_empty_folders(root: Path, folder: Path) -> None:
    """Remove `folder` and its parents below `root` while they are empty."""
    while folder != root:
        try:
            folder.rmdir()
        except OSError:  # not empty, or gone
            if folder.exists():
                return
        folder = folder.parent


# --- small helpers ---------------------------------------------------------------------


def _resolve_folder(out_dir: Path) -> Path | None:
    """The real output folder (symlinks resolved); None if it does not exist."""
    if out_dir.is_dir():
        return out_dir.resolve()
    if out_dir.is_symlink():
        missing = "" if out_dir.exists() else " (missing)"
        raise OutputFolderError(f"{out_dir} is a symlink to {os.readlink(out_dir)}{missing}, not to a folder")
    if os.path.lexists(out_dir):
        raise OutputFolderError(f"{out_dir} exists and is not a folder")
    return None


@contextlib.contextmanager
def _locked(root: Path, out_dir: Path) -> Iterator[None]:
    """Keep a concurrent archgen out of the folder while this one writes it."""
    if sys.platform == "win32":  # no flock there
        yield
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputFolderError(f"{out_dir}: another archgen is writing this folder") from None
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold back Ctrl-C inside the block and deliver it at its end (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            signal.raise_signal(signal.SIGINT)


def _fsync_folder(folder: Path) -> None:
    """Make the folder's entries (renames, new and removed files) durable."""
    if sys.platform == "win32":  # folders cannot be opened there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _folders_of(root: Path, rel: str) -> list[Path]:
    """`root` and the folders under it on the way to `rel`."""
    folders = [root]
    for part in rel.split("/")[:-1]:
        folders.append(folders[-1] / part)
    return folders


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _read_regular(path: Path) -> bytes | None:
    """The content of a regular file (not through a symlink); None for anything else."""
    st = _lstat(path)
    return path.read_bytes() if st is not None and stat.S_ISREG(st.st_mode) else None


def _regular_sha256(path: Path) -> str | None:
    content = _read_regular(path)
    return None if content is None else _sha256(content)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _some(paths: list[str], shown: int = 5) -> str:
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more


def _diff(rel: str, current: bytes, rendered: bytes) -> str:
    try:
        before, after = current.decode("utf-8"), rendered.decode("utf-8")
    except UnicodeDecodeError:
        return "(binary content)"
    import difflib

    return "\n".join(difflib.unified_diff(before.splitlines(), after.splitlines(), f"{rel} (on disk)", f"{rel} (rendered)", lineterm=""))
