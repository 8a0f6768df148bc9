"""archgen.writer on a real filesystem: it changes only what archgen wrote, and never leaves half a render."""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archgen.writer import JOURNAL, MANIFEST, STAGING, OutputFolderError, compare, recover, write_output

HELPER = Path(__file__).with_name("writer_kill_helper.py")


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry below `folder` (not following symlinks): kind, mode and content."""
    entries = {}
    for parent, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = Path(parent, name)
            st = path.lstat()
            rel = path.relative_to(folder).as_posix()
            if stat.S_ISLNK(st.st_mode):
                entries[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                entries[rel] = ("dir", stat.S_IMODE(st.st_mode))
            else:
                entries[rel] = ("file", stat.S_IMODE(st.st_mode), path.read_bytes())
    return entries


def debris(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.startswith(".archgen") and name != MANIFEST)


def manifest_entries(folder: Path) -> dict[str, str]:
    lines = (folder / MANIFEST).read_text().splitlines()
    return {rel: digest for digest, rel in (line.split("  ", 1) for line in lines if not line.startswith("#"))}


def hashes(files: dict[str, str]) -> dict[str, str]:
    return {rel: hashlib.sha256(text.encode()).hexdigest() for rel, text in files.items()}


# --- what is archgen's and what is not -------------------------------------------------------


def foreign_folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "modules" / "mine").mkdir(parents=True)
    (out / "README.md").write_text("my notes\n")
    (out / "README.md").chmod(0o755)
    (out / "modules" / "mine" / "main.tf").write_text("# mine\n")
    return out


def test_a_folder_archgen_did_not_write_is_refused_untouched(tmp_path):
    out = foreign_folder(tmp_path)
    before, identity = snapshot(out), (out.stat().st_ino, out.stat().st_mode)
    with pytest.raises(OutputFolderError, match="--force") as refused:
        write_output(out, {"README.md": "generated\n", "main.tf": "terraform {}\n"})
    assert "README.md" in str(refused.value)
    assert snapshot(out) == before and (out.stat().st_ino, out.stat().st_mode) == identity
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_force_lists_the_files_it_overwrites_before_writing(tmp_path):
    out = foreign_folder(tmp_path)
    announced = []

    def on_overwrite(paths):
        assert (out / "README.md").read_text() == "my notes\n"  # not yet overwritten
        announced.extend(paths)

    result = write_output(out, {"README.md": "generated\n", "main.tf": "terraform {}\n"}, force=True, on_overwrite=on_overwrite)
    assert announced == result.forced_overwrites == ["README.md"]
    assert result.messages() == ["README.md: not written by archgen; overwritten (--force)"]
    assert (out / "README.md").read_text() == "generated\n"
    assert stat.S_IMODE((out / "README.md").stat().st_mode) == 0o755  # a replaced file keeps its mode
    assert (out / "modules" / "mine" / "main.tf").read_text() == "# mine\n"


def test_on_overwrite_can_stop_the_write(tmp_path):
    out = foreign_folder(tmp_path)
    before = snapshot(out)

    def refuse(paths):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        write_output(out, {"README.md": "generated\n"}, force=True, on_overwrite=refuse)
    assert snapshot(out) == before


def test_a_user_file_where_a_new_file_renders_is_refused(tmp_path):
    out = tmp_path / "out"
    write_output(out, {"main.tf": "a\n"})
    (out / "outputs.tf").write_text("# mine\n")
    before = snapshot(out)
    with pytest.raises(OutputFolderError, match=r"archgen did not write outputs\.tf; use --force"):
        write_output(out, {"main.tf": "b\n", "outputs.tf": "generated\n"})
    assert snapshot(out) == before


def test_a_folder_or_symlinked_folder_in_the_way_is_refused_even_with_force(tmp_path):
    out = tmp_path / "out"
    write_output(out, {"main.tf": "a\n"})
    (out / "outputs.tf").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "modules").symlink_to(elsewhere)
    with pytest.raises(OutputFolderError, match=r"outputs\.tf is a folder"):
        write_output(out, {"outputs.tf": "x\n"}, force=True)
    with pytest.raises(OutputFolderError, match="modules is a symlink"):
        write_output(out, {"modules/a/main.tf": "x\n"}, force=True)
    assert list(elsewhere.iterdir()) == [] and debris(out) == []


def test_user_files_beside_and_inside_generated_modules_survive(tmp_path):
    out = tmp_path / "out"
    first = {"main.tf": "1\n", "modules/api/main.tf": "1\n", "modules/api/sub/x.tf": "1\n", "modules/queue/main.tf": "1\n"}
    write_output(out, first)
    mine = {
        "extra.tf": "# mine\n",
        "terraform.tfstate": "{}",
        ".terraform/providers/p": "binary",
        "modules/api/extra.tf": "# mine\n",
        "modules/custom/x.tf": "# mine\n",
    }
    for rel, text in mine.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)

    result = write_output(out, {rel: "2\n" for rel in first})
    assert result.written == sorted(first) and result.forced_overwrites == []

    result = write_output(out, {"main.tf": "3\n"})  # both components dropped
    assert result.deleted == ["modules/api/main.tf", "modules/api/sub/x.tf", "modules/queue/main.tf"]
    assert result.kept_edited == [] and result.messages() == []
    assert {rel: (out / rel).read_text() for rel in mine} == mine
    assert not (out / "modules" / "queue").exists() and not (out / "modules" / "api" / "sub").exists()
    assert manifest_entries(out) == hashes({"main.tf": "3\n"})


def test_a_symlinked_output_folder_stays_a_symlink(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    out = tmp_path / "out"
    out.symlink_to("real")
    write_output(out, {"main.tf": "a\n", "modules/x/main.tf": "a\n"})
    write_output(out, {"main.tf": "b\n"})
    assert out.is_symlink() and os.readlink(out) == "real"
    assert (real / "main.tf").read_text() == "b\n" and not (real / "modules").exists()
    assert sorted(os.listdir(tmp_path)) == ["out", "real"] and debris(real) == []
    assert compare(out, {"main.tf": "b\n"}) == []


@pytest.mark.parametrize("make", ["file", "link to a file", "dangling link"])
def test_an_output_path_that_is_not_a_folder_is_refused(tmp_path, make):
    out = tmp_path / "out"
    if make == "file":
        out.write_text("x")
    else:
        (tmp_path / "file").write_text("x")
        out.symlink_to("file" if make == "link to a file" else "nowhere")
    with pytest.raises(OutputFolderError, match=r"not (to )?a folder"):
        write_output(out, {"main.tf": "a\n"})
    with pytest.raises(OutputFolderError):
        compare(out, {"main.tf": "a\n"})
    assert sorted(os.listdir(tmp_path)) == (["out"] if make == "file" else ["file", "out"])


# --- modes, identity, unchanged files ---------------------------------------------------------


def test_rerender_keeps_the_folder_inode_and_mode(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o751)
    inode = out.stat().st_ino
    monkeypatch.chdir(out)  # a shell sitting in the folder
    write_output(out, {"main.tf": "a\n", "modules/x/main.tf": "a\n"})  # an empty folder is fine
    write_output(out, {"main.tf": "b\n"})
    assert Path.cwd().stat().st_ino == inode and Path("main.tf").read_text() == "b\n"
    assert out.stat().st_ino == inode and stat.S_IMODE(out.stat().st_mode) == 0o751


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_new_folders_and_files_follow_the_umask(tmp_path, umask):
    previous = os.umask(umask)
    try:
        write_output(tmp_path / "new" / "out", {"main.tf": "a\n", "modules/x/main.tf": "a\n", "run.sh": "#!/bin/sh\n"}, executable={"run.sh"})
    finally:
        os.umask(previous)
    out = tmp_path / "new" / "out"
    modes = {rel: stat.S_IMODE((tmp_path / "new" / rel).stat().st_mode) for rel in ("", "out", "out/modules", "out/modules/x")}
    assert modes == dict.fromkeys(modes, 0o777 & ~umask)
    assert stat.S_IMODE((out / "modules" / "x" / "main.tf").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((out / "run.sh").stat().st_mode) == 0o777 & ~umask


def test_a_replaced_file_keeps_its_mode_and_unchanged_files_are_not_rewritten(tmp_path):
    out = tmp_path / "out"
    write_output(out, {"main.tf": "a\n", "same.tf": "same\n"})
    (out / "main.tf").chmod(0o640)
    same = (out / "same.tf").stat()
    result = write_output(out, {"main.tf": "b\n", "same.tf": "same\n"})
    assert result.written == ["main.tf"] and result.unchanged == ["same.tf"]
    assert stat.S_IMODE((out / "main.tf").stat().st_mode) == 0o640
    after = (out / "same.tf").stat()
    assert (after.st_ino, after.st_mtime_ns) == (same.st_ino, same.st_mtime_ns)


def test_text_and_bytes_are_written_as_given(tmp_path):
    out = tmp_path / "out"
    write_output(out, {"a.tf": "é\nx\r\n", "b.bin": b"\x00\xff"})
    assert (out / "a.tf").read_bytes() == "é\nx\r\n".encode() and (out / "b.bin").read_bytes() == b"\x00\xff"


@pytest.mark.parametrize("files", [{"../x": ""}, {"/abs": ""}, {"a//b": ""}, {MANIFEST: ""}, {f"{STAGING}/0": ""}, {"a": "", "a/b": ""}])
def test_paths_archgen_cannot_write_are_rejected(tmp_path, files):
    with pytest.raises(ValueError):
        write_output(tmp_path / "out", files)
    assert not (tmp_path / "out").exists()


def test_a_concurrent_write_is_refused(tmp_path):
    out = tmp_path / "out"
    write_output(out, {"main.tf": "a\n"})
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(OutputFolderError, match="another archgen"):
            write_output(out, {"main.tf": "b\n"})
    finally:
        os.close(fd)
    assert (out / "main.tf").read_text() == "a\n"


# --- files the user edited ---------------------------------------------------------------------


def test_an_edited_generated_file_is_replaced_and_reported(tmp_path):
    out = tmp_path / "out"
    write_output(out, {"main.tf": "one\ntwo\n"})
    (out / "main.tf").write_text("one\nmine\n")
    (drift,) = compare(out, {"main.tf": "one\nthree\n"})
    assert drift.startswith("main.tf: differs; edited since archgen wrote it")
    assert "\n-mine\n+three" in drift
    result = write_output(out, {"main.tf": "one\nthree\n"})
    assert result.overwritten_edited == ["main.tf"]
    assert result.messages() == ["main.tf: edited since archgen wrote it; replaced by the rendered file"]
    assert (out / "main.tf").read_text() == "one\nthree\n"


def test_an_edited_file_no_longer_rendered_is_kept_and_reported(tmp_path):
    out = tmp_path / "out"
    write_output(out, {"main.tf": "a\n", "modules/x/main.tf": "x\n", "modules/x/vars.tf": "v\n"})
    (out / "modules" / "x" / "main.tf").write_text("x, edited\n")
    assert compare(out, {"main.tf": "a\n"}) == ["modules/x/main.tf: no longer rendered", "modules/x/vars.tf: no longer rendered"]
    result = write_output(out, {"main.tf": "a\n"})
    assert result.deleted == ["modules/x/vars.tf"] and result.kept_edited == ["modules/x/main.tf"]
    assert result.messages() == ["modules/x/main.tf: no longer rendered but may have been edited since archgen wrote it; kept, and archgen no longer manages it"]
    assert (out / "modules" / "x" / "main.tf").read_text() == "x, edited\n"
    assert manifest_entries(out) == hashes({"main.tf": "a\n"})
    assert write_output(out, {"main.tf": "a\n"}).messages() == [] and compare(out, {"main.tf": "a\n"}) == []


def test_a_manifest_without_hashes_is_read(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for rel in ("main.tf", "old.tf"):
        (out / rel).write_text("by an older archgen\n")
    (out / MANIFEST).write_text("# files written by archgen\nmain.tf\nold.tf\n")
    result = write_output(out, {"main.tf": "new\n"})
    assert result.written == ["main.tf"] and result.overwritten_edited == [] and result.forced_overwrites == []
    assert result.kept_edited == ["old.tf"]  # content unknown: archgen cannot tell it was not edited
    assert manifest_entries(out) == hashes({"main.tf": "new\n"})


def test_compare_names_each_kind_of_drift(tmp_path):
    out = tmp_path / "out"
    assert compare(out, {"main.tf": "a\n"}) == ["main.tf: missing"]
    write_output(out, {"main.tf": "a\n", "gone.tf": "g\n", "same.tf": "s\n"})
    (out / "mine.tf").write_text("# mine\n")
    assert compare(out, {"main.tf": "b\n", "same.tf": "s\n", "new.tf": "n\n", "mine.tf": "generated\n"}) == [
        "main.tf: differs",  # archgen renders something else now: no diff
        "mine.tf: differs; archgen did not write it (render refuses to overwrite it without --force)",
        "new.tf: missing",
        "gone.tf: no longer rendered",
    ]
    assert debris(out) == []


# --- interruptions -------------------------------------------------------------------------------

OLD = {"main.tf": "old\n", "same.tf": "same\n", "modules/a/main.tf": "a1\n", "modules/gone/main.tf": "g\n", "modules/gone/sub/x.tf": "x\n"}
NEW = {"main.tf": "new\n", "same.tf": "same\n", "modules/a/main.tf": "a2\n", "modules/new/deep/main.tf": "n\n", "outputs.tf": "o\n"}
MINE = {"terraform.tfstate": "{}", "modules/a/extra.tf": "# mine\n"}


def rendered(folder: Path, files: dict[str, str]) -> Path:
    """`folder` written with `files`, plus the user's own files."""
    write_output(folder, files)
    for rel, text in MINE.items():
        (folder / rel).write_text(text)
    return folder


@pytest.fixture
def old_and_new(tmp_path):
    """Snapshots of the folder before and after writing NEW over OLD, undisturbed."""
    reference = rendered(tmp_path / "reference", OLD)
    old = snapshot(reference)
    write_output(reference, NEW)
    return old, snapshot(reference)


CALLS = [(os, "replace"), (os, "fsync"), (os, "open"), (Path, "unlink"), (Path, "rmdir"), (Path, "mkdir")]


def hook_calls(monkeypatch, owner, name, hook) -> None:
    """Call `hook("before")` and `hook("after")` around each call of `owner.name`."""
    real = getattr(owner, name)

    def hooked(*args, **kwargs):
        hook("before")
        out = real(*args, **kwargs)
        hook("after")
        return out

    monkeypatch.setattr(owner, name, hooked)


def interrupt_at(nth: int, when: str):
    """A hook raising KeyboardInterrupt `when` ("before" or "after") the nth call, once."""
    calls = 0

    def hook(phase: str) -> None:
        nonlocal calls
        if phase == when:
            calls += 1
            if calls == nth:  # not again when finishing the render calls it again
                raise KeyboardInterrupt

    return hook


STEPS = [
    pytest.param(owner, name, when, id=f"{when}-{name}")
    for owner, name in CALLS
    for when in ("before", "after")
    if (name, when) != ("open", "after")  # the descriptor would leak
]


@pytest.mark.parametrize(("owner", "name", "when"), STEPS)
def test_ctrl_c_at_any_step_leaves_the_old_or_the_new_folder(tmp_path, monkeypatch, old_and_new, owner, name, when):
    old, new = old_and_new
    calls = []
    out = rendered(tmp_path / "count", OLD)
    with monkeypatch.context() as patch:
        hook_calls(patch, owner, name, calls.append)
        write_output(out, NEW)
    assert calls.count(when) >= 2

    outcomes = set()
    for nth in range(1, calls.count(when) + 1):
        out = rendered(tmp_path / f"out{nth}", OLD)
        with monkeypatch.context() as patch:
            hook_calls(patch, owner, name, interrupt_at(nth, when))
            with pytest.raises(KeyboardInterrupt):
                write_output(out, NEW)
        state = snapshot(out)
        assert state in (old, new), f"call {nth}"
        assert debris(out) == []
        outcomes.add("new" if state == new else "old")
    if name == "fsync" or (name, when) == ("replace", "before"):  # calls on both sides of the commit point
        assert outcomes == {"old", "new"}
    if name == "replace" and when == "after":  # the first one is the commit itself
        assert outcomes == {"new"}


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_a_second_ctrl_c_does_not_stop_finishing_the_render(tmp_path, monkeypatch, old_and_new, nth):
    """Ctrl-C while an interrupted render is being finished is held back until it is complete."""
    _, new = old_and_new
    out = rendered(tmp_path / "out", OLD)
    real_replace = os.replace
    calls = []

    def replace(*args, **kwargs):
        calls.append(args)
        if len(calls) == nth + 1:  # the first call is the commit
            raise KeyboardInterrupt
        if len(calls) > nth + 1:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C again and again while it is finished
        return real_replace(*args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        write_output(out, NEW)
    monkeypatch.undo()
    assert snapshot(out) == new and debris(out) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("finish", ["recover", "write_output"])
def test_a_disk_error_after_the_commit_leaves_a_journal_the_next_render_finishes(tmp_path, monkeypatch, old_and_new, finish):
    _, new = old_and_new
    out = rendered(tmp_path / "out", OLD)
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == "outputs.tf":
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(PermissionError):
        write_output(out, NEW)
    monkeypatch.undo()
    assert debris(out) == [JOURNAL, STAGING]
    assert (out / "main.tf").read_text() in (OLD["main.tf"], NEW["main.tf"])
    assert compare(out, NEW)[0] == "an interrupted render: run archgen render to finish it"
    if finish == "recover":
        assert recover(out) is True
    else:
        assert write_output(out, NEW).written == []  # the finished render wrote them all
    assert snapshot(out) == new and compare(out, NEW) == [] and recover(out) is False


def test_a_disk_error_before_the_commit_changes_nothing(tmp_path, monkeypatch, old_and_new):
    old, _ = old_and_new
    out = rendered(tmp_path / "out", OLD)
    real_fsync = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError, match="No space"):
        write_output(out, NEW)
    monkeypatch.undo()
    assert snapshot(out) == old and debris(out) == []


def test_leftover_staging_is_discarded_and_reported_by_compare(tmp_path):
    out = rendered(tmp_path / "out", OLD)
    (out / STAGING).mkdir()
    (out / STAGING / "0").write_text("half")
    assert compare(out, OLD) == ["an interrupted render: run archgen render to finish it"]
    write_output(out, NEW)
    assert debris(out) == [] and compare(out, NEW) == []


def tree(folder: Path) -> dict[str, str | None]:
    """Every file's text (None for a folder) below `folder`, relative paths."""
    entries: dict[str, str | None] = {}
    for parent, dirs, names in os.walk(folder):
        rel = Path(parent).relative_to(folder)
        entries.update({(rel / name).as_posix(): None for name in dirs})
        for name in names:
            with open(os.path.join(parent, name), encoding="utf-8") as fh:
                entries[(rel / name).as_posix()] = fh.read()
    return entries


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_each_file_old_or_new(tmp_path, monkeypatch):
    """A write of ~2000 files killed at random moments: at any time, while staging, after the commit."""
    from writer_kill_helper import version_files

    monkeypatch.setattr(os, "fsync", lambda fd: None)  # as in the helper: a kill loses no page cache

    out = tmp_path / "out"
    user = {"terraform.tfstate": "{}"}

    def start(version: int) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, str(HELPER), str(out), str(version)], stdout=subprocess.PIPE)
        assert proc.stdout.readline() == b"go\n"
        return proc

    def wait_for(proc: subprocess.Popen, name: str) -> None:
        while not os.path.lexists(out / name) and proc.poll() is None:
            time.sleep(0.001)

    for version in (0, 1):
        with start(version) as proc:
            duration = float(proc.stdout.read())  # of a write changing 90% of the files
        (out / "terraform.tfstate").write_text(user["terraform.tfstate"])
    rng = random.Random(20240601)
    current, found = 1, set()
    for version in range(2, 32):
        with start(version) as proc:
            if version % 3:
                wait_for(proc, STAGING if version % 3 == 1 else JOURNAL)
            time.sleep(rng.uniform(0, duration / 5 if version % 3 else duration))
            proc.kill()
        old, new = version_files(current), version_files(version)
        found.add(tuple(debris(out)))

        killed = tree(out)
        for rel in old.keys() | new.keys():
            assert killed.get(rel) in (old.get(rel), new.get(rel)), rel
        files = {rel for rel, text in killed.items() if text is not None and not rel.startswith(f"{STAGING}/")}
        assert files <= old.keys() | new.keys() | user.keys() | {MANIFEST, JOURNAL}
        assert manifest_entries(out) in (hashes(old), hashes(new))

        recover(out)
        if manifest_entries(out) == hashes(new):
            current = version
        expected = version_files(current) | user
        expected |= {parent.as_posix(): None for rel in expected for parent in Path(rel).parents if parent.name}
        recovered = tree(out)
        del recovered[MANIFEST]  # checked above
        assert recovered == expected
    assert {(JOURNAL, STAGING), (STAGING,)} <= found, found  # killed both before and after commits
