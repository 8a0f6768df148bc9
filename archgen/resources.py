"""Where the templates and example blueprints are: inside the wheel, or the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"archgen is installed without its {name}/ folder")


def templates_dir() -> Path:
    return _find("templates")


def blueprints_dir() -> Path:
    return _find("blueprints")
