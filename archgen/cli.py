"""The command line: parses arguments and calls archgen.api."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__, api

MAX_BYTES_HELP = f"largest blueprint file read, in bytes (default {api.MAX_FILE_BYTES:,})"


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
        except api.Interrupted as exc:
            done = ", ".join(exc.complete) if exc.complete else "none"
            click.echo(f"archgen: interrupted; complete outputs: {done}", err=True)
            sys.exit(130)
        except KeyboardInterrupt:
            click.echo("archgen: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug in archgen, not the user's mistake
            if os.environ.get("ARCHGEN_DEBUG"):
                raise
            if ctx.meta.get("sarif"):
                from .findings import format_sarif

                click.echo(format_sarif([]), nl=False)  # code scanning still gets a valid (empty) run
            click.echo(f"archgen: internal error: {type(exc).__name__}: {exc} (ARCHGEN_DEBUG=1 shows the traceback; please report it)", err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archgen")
def main() -> None:
    """Render reviewed Terraform modules from short YAML blueprints."""


def _emit(report: api.Report, fmt: str = "text") -> None:
    from .findings import FORMATTERS
    from .rules import RULES

    out = FORMATTERS[fmt](report.findings, RULES)
    if out and (report.findings or fmt != "text"):
        click.echo(out, nl=False)
    for message in report.messages:
        click.echo(message, err=True)
    sys.exit(report.exit_code)


@main.command()
@click.argument("blueprints", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), help="output folder (default ./out/<name>; with several blueprints, DIR/<name>)")
@click.option("--check", is_flag=True, help="write nothing; exit 1 if the output folder differs")
@click.option("--force", is_flag=True, help="write into a folder archgen did not create, overwriting (and listing) files of the same name")
@click.option("--max-bytes", type=click.IntRange(min=1), default=api.MAX_FILE_BYTES, help=MAX_BYTES_HELP)
def render(blueprints: tuple[Path, ...], out: Path | None, check: bool, force: bool, max_bytes: int) -> None:
    """Write Terraform for each BLUEPRINT."""
    _emit(api.render(list(blueprints), out, check=check, force=force, max_bytes=max_bytes, announce=lambda line: click.echo(line, err=True)))


@main.command()
@click.argument("blueprints", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="warnings fail too")
@click.option("--terraform/--no-terraform", "terraform", default=None, help="terraform validate and plan, offline (default: when terraform and archgen[terraform] are installed)")
@click.option("--checkov", is_flag=True, default=None, help="run checkov on the rendered output")
@click.option("--pcluster/--no-pcluster", "pcluster", default=None, help="check ParallelCluster configs with aws-parallelcluster's schema (default: when $ARCHGEN_PCLUSTER names its environment)")
@click.option("--max-bytes", type=click.IntRange(min=1), default=api.MAX_FILE_BYTES, help=MAX_BYTES_HELP)
@click.pass_context
def validate(ctx: click.Context, blueprints: tuple[Path, ...], fmt: str, strict: bool, terraform: bool | None, checkov: bool | None, pcluster: bool | None, max_bytes: int) -> None:
    """Check each BLUEPRINT and what it renders to."""
    ctx.meta["sarif"] = fmt == "sarif"
    gates, missing = api.choose_gates({"terraform": terraform, "checkov": checkov, "pcluster": pcluster})
    _emit(api.validate(list(blueprints), strict=strict, gates=gates, missing=missing, max_bytes=max_bytes), fmt)


@main.command("list")
def list_patterns() -> None:
    """The patterns, one a line with a summary."""
    from .patterns import every

    found = every()
    width = max(len(name) for name in found)
    for name, pattern in found.items():
        click.echo(f"{name.ljust(width)}  {pattern.summary}")


@main.command()
def schema() -> None:
    """The blueprint JSON Schema, for editors and CI."""
    from .schema import blueprint_schema

    click.echo(json.dumps(blueprint_schema(), indent=2, sort_keys=False))


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--pattern", "patterns", multiple=True, help="pattern of a starter component (repeatable)")
@click.option("--name", default=None, help="blueprint name (default: the folder's name)")
@click.option("--force", is_flag=True, help="overwrite an existing blueprint.yaml")
def init(directory: Path, patterns: tuple[str, ...], name: str | None, force: bool) -> None:
    """Write a starter blueprint (DIRECTORY/blueprint.yaml) and its handler code."""
    from .starter import write_starter

    path = write_starter(directory, list(patterns) or ["queue-worker"], name, force)
    click.echo(f"wrote {path}; next: archgen validate {path}", err=True)
