"""`archgen init`: a starter blueprint that validates as written, from each pattern's
`templates/<pattern>/starter/` folder (component.yaml, plus the files it needs)."""

from __future__ import annotations

import re
from pathlib import Path

from . import patterns
from .errors import UsageError
from .resources import templates_dir

SCHEMA_LINE = "# yaml-language-server: $schema=https://archgen.dev/schema/blueprint-1.json\n"
NAME = re.compile(r"^[a-z][a-z0-9-]{1,30}\Z")


def _starter(pattern: str) -> Path:
    folder = templates_dir() / pattern / "starter"
    if not (folder / "component.yaml").is_file():
        raise UsageError(f"the pattern {pattern!r} has no starter yet; see blueprints/ for an example")
    return folder


def write_starter(directory: Path, chosen: list[str], name: str | None, force: bool) -> Path:
    known = patterns.names()
    for pattern in chosen:
        if pattern not in known:
            raise UsageError(f"unknown pattern {pattern!r}; archgen list shows them")
    folders = [_starter(p) for p in dict.fromkeys(chosen)]
    name = name or re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-") or "app"
    if not NAME.match(name) or not name[0].isalpha():
        raise UsageError(f"{name!r} is not a blueprint name (2 to 31 lowercase letters, digits and hyphens, starting with a letter); pass --name")
    path = directory / "blueprint.yaml"
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is a file, not a folder")
    if path.is_dir():
        raise UsageError(f"{path} is a folder; choose another DIRECTORY")
    if path.exists() and not force:
        raise UsageError(f"{path} exists; --force overwrites it")
    text = SCHEMA_LINE + f"archgen: 1\nname: {name}\nregion: eu-west-1\ntags: {{team: platform}}\ncomponents:\n"
    text += "".join((folder / "component.yaml").read_text(encoding="utf-8") for folder in folders)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for folder in folders:
            for source in sorted(folder.rglob("*")):
                rel = source.relative_to(folder)
                target = directory / rel
                if source.is_dir() or rel.as_posix() == "component.yaml" or target.exists():
                    continue  # never overwrite the user's code
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read_bytes())
    except OSError as exc:
        where = exc.filename or directory
        raise UsageError(f"cannot write {where}: {exc.strerror or exc}") from None
    return path


__all__ = ["write_starter"]
