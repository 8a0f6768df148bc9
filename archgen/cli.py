"""The command line: parses arguments and calls archgen.api."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__, api
from .findings import FORMATTERS, format_sarif
from .rules import RULES


class _Group(click.Group):
    """Usage errors exit 2 (click's default too); anything unexpected says so plainly."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except api.UsageError as exc:
            click.echo(f"archgen: {exc}", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug in archgen, not the user's mistake
            if os.environ.get("ARCHGEN_DEBUG"):
                raise
            click.echo(f"archgen: internal error: {type(exc).__name__}: {exc} (ARCHGEN_DEBUG=1 shows the traceback; please report it)", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archgen")
def main() -> None:
    """Render reviewed Terraform modules from short YAML blueprints."""


def _emit(report: api.Report, fmt: str = "text") -> None:
    if fmt == "sarif":
        click.echo(format_sarif(report.findings, RULES), nl=False)
    else:
        out = FORMATTERS[fmt](report.findings)
        if out:
            click.echo(out, nl=False)
    for message in report.messages:
        click.echo(message, err=True)
    sys.exit(report.exit_code)


@main.command()
@click.argument("blueprints", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), help="output folder (default ./out/<name>)")
@click.option("--check", is_flag=True, help="write nothing; exit 1 if the output folder differs")
def render(blueprints: tuple[Path, ...], out: Path | None, check: bool) -> None:
    """Write Terraform for each BLUEPRINT."""
    _emit(api.render(list(blueprints), out, check))


@main.command()
@click.argument("blueprints", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="warnings fail too")
@click.option("--terraform/--no-terraform", "terraform", default=None, help="run terraform validate and plan offline (default: when terraform and archgen[terraform] are installed)")
@click.option("--checkov", is_flag=True, help="run checkov (from PATH) on the rendered output")
def validate(blueprints: tuple[Path, ...], fmt: str, strict: bool, terraform: bool | None, checkov: bool) -> None:
    """Check each BLUEPRINT and what it renders to."""
    gates = api.default_gates() if terraform is None else (["terraform"] if terraform else [])
    if checkov:
        gates.append("checkov")
    _emit(api.validate(list(blueprints), strict=strict, gates=gates), fmt)


@main.command("list")
def list_patterns() -> None:
    """The patterns, one a line with a summary."""
    from .patterns import PATTERNS

    width = max(len(name) for name in PATTERNS)
    for name, pattern in PATTERNS.items():
        click.echo(f"{name.ljust(width)}  {pattern.summary}")


@main.command()
def schema() -> None:
    """The blueprint JSON Schema, for editors and CI."""
    from .schema import blueprint_schema

    click.echo(json.dumps(blueprint_schema(), indent=2, sort_keys=False))


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--pattern", "patterns", multiple=True, help="pattern of a starter component (repeatable)")
@click.option("--name", default=None, help="blueprint name (default: the folder's name)")
@click.option("--force", is_flag=True, help="overwrite an existing blueprint.yaml")
def init(directory: Path, patterns: tuple[str, ...], name: str | None, force: bool) -> None:
    """Write a starter blueprint (DIRECTORY/blueprint.yaml)."""
    from .starter import write_starter

    try:
        path = write_starter(directory, list(patterns) or ["queue-worker"], name, force)
    except api.UsageError as exc:
        click.echo(f"archgen: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {path}; next: archgen validate {path}", err=True)
