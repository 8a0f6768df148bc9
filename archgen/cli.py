"""The command line: parses arguments and calls archgen.api.

argparse (the standard library) rather than click: a render is a short run, and
importing click cost a fifth of it (docs/speed.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__, api

MAX_BYTES_HELP = f"largest blueprint file read, in bytes (default {api.MAX_FILE_BYTES:,})"


def _echo(text: str, err: bool = False, nl: bool = True) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + ("\n" if nl else ""))
    stream.flush()


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def _emit(report: api.Report, fmt: str = "text") -> int:
    from .findings import FORMATTERS
    from .rules import RULES

    out = FORMATTERS[fmt](report.findings, RULES)
    if out and (report.findings or fmt != "text"):
        _echo(out, nl=False)
    for message in report.messages:
        _echo(message, err=True)
    return report.exit_code


# --- the commands -------------------------------------------------------------------------


def _render(args: argparse.Namespace) -> int:
    return _emit(api.render(args.blueprints, args.out, check=args.check, force=args.force, max_bytes=args.max_bytes, announce=lambda line: _echo(line, err=True)))


def _validate(args: argparse.Namespace) -> int:
    gates, missing = api.choose_gates({"terraform": args.terraform, "checkov": args.checkov, "pcluster": args.pcluster})
    return _emit(api.validate(args.blueprints, strict=args.strict, gates=gates, missing=missing, max_bytes=args.max_bytes), args.fmt)


def _list(args: argparse.Namespace) -> int:
    from .patterns import every

    found = every()
    width = max(len(name) for name in found)
    for name, pattern in found.items():
        _echo(f"{name.ljust(width)}  {pattern.summary}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    import json

    from .schema import blueprint_schema

    _echo(json.dumps(blueprint_schema(), indent=2, sort_keys=False))
    return 0


def _init(args: argparse.Namespace) -> int:
    from .starter import write_starter

    path = write_starter(args.directory, args.patterns or ["queue-worker"], args.name, args.force)
    _echo(f"wrote {path}; next: archgen validate {path}", err=True)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="archgen", description="Render reviewed Terraform modules from short YAML blueprints.")
    top.add_argument("--version", action="version", version=f"archgen, version {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    render = commands.add_parser("render", help="write Terraform for each BLUEPRINT", description="Write Terraform for each BLUEPRINT.")
    render.add_argument("blueprints", nargs="+", type=Path, metavar="BLUEPRINT")
    render.add_argument("-o", "--out", type=Path, metavar="DIR", help="output folder (default ./out/<name>; with several blueprints, DIR/<name>)")
    render.add_argument("--check", action="store_true", help="write nothing; exit 1 if the output folder differs")
    render.add_argument("--force", action="store_true", help="write into a folder archgen did not create, overwriting (and listing) files of the same name")
    render.add_argument("--max-bytes", type=_positive, default=api.MAX_FILE_BYTES, metavar="N", help=MAX_BYTES_HELP)
    render.set_defaults(run=_render)

    validate = commands.add_parser("validate", help="check each BLUEPRINT and what it renders to", description="Check each BLUEPRINT and what it renders to.")
    validate.add_argument("blueprints", nargs="+", type=Path, metavar="BLUEPRINT")
    validate.add_argument("--format", dest="fmt", choices=["text", "json", "sarif"], default="text", help="findings format (default: text)")
    validate.add_argument("--strict", action="store_true", help="warnings fail too")
    validate.add_argument("--terraform", action=argparse.BooleanOptionalAction, default=None, help="terraform validate and plan, offline (default: when terraform and archgen[terraform] are installed)")
    validate.add_argument("--checkov", action="store_const", const=True, default=None, help="run checkov on the rendered output")
    validate.add_argument("--pcluster", action=argparse.BooleanOptionalAction, default=None, help="check ParallelCluster configs with aws-parallelcluster's schema (default: when $ARCHGEN_PCLUSTER names its environment)")
    validate.add_argument("--max-bytes", type=_positive, default=api.MAX_FILE_BYTES, metavar="N", help=MAX_BYTES_HELP)
    validate.set_defaults(run=_validate)

    listing = commands.add_parser("list", help="the patterns, one a line with a summary", description="The patterns, one a line with a summary.")
    listing.set_defaults(run=_list)

    schema = commands.add_parser("schema", help="the blueprint JSON Schema, for editors and CI", description="The blueprint JSON Schema, for editors and CI.")
    schema.set_defaults(run=_schema)

    init = commands.add_parser("init", help="write a starter blueprint and its handler code", description="Write a starter blueprint (DIRECTORY/blueprint.yaml) and its handler code.")
    init.add_argument("directory", nargs="?", default=Path("."), type=Path, metavar="DIRECTORY")
    init.add_argument("--pattern", dest="patterns", action="append", metavar="P", help="pattern of a starter component (repeatable)")
    init.add_argument("--name", default=None, help="blueprint name (default: the folder's name)")
    init.add_argument("--force", action="store_true", help="overwrite an existing blueprint.yaml")
    init.set_defaults(run=_init)
    return top


def run(argv: list[str] | None = None) -> int:
    """Run one command; its exit status. Usage errors exit 2 (argparse's SystemExit)."""
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except api.UsageError as exc:
        _echo(f"archgen: {exc}", err=True)
        return 2
    except api.Interrupted as exc:
        done = ", ".join(exc.complete) if exc.complete else "none"
        _echo(f"archgen: interrupted; complete outputs: {done}", err=True)
        return 130
    except KeyboardInterrupt:
        _echo("archgen: interrupted", err=True)
        return 130
    except Exception as exc:  # a bug in archgen, not the user's mistake
        if os.environ.get("ARCHGEN_DEBUG"):
            raise
        if getattr(args, "fmt", None) == "sarif":
            from .findings import format_sarif

            _echo(format_sarif([]), nl=False)  # code scanning still gets a valid (empty) run
        _echo(f"archgen: internal error: {type(exc).__name__}: {exc} (ARCHGEN_DEBUG=1 shows the traceback; please report it)", err=True)
        return 2


def main(argv: list[str] | None = None) -> None:
    try:
        code = run(argv)
    except KeyboardInterrupt:  # while parsing
        _echo("archgen: interrupted", err=True)
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    main()
