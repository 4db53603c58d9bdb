"""The ``thutuc`` command line: parse options, call the library, format the result.

Library modules are imported inside each command so that ``thutuc --help`` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

FORMATS_VALIDATE = ("text", "json")
FORMATS_SUMMARY = ("text", "md", "json")


def _library_error(exc: Exception) -> click.ClickException:
    """A library error as a located CLI message."""
    return click.ClickException(str(exc))


def catalogue_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds ``--catalogue DIR``."""
    return click.option(
        "--catalogue",
        "catalogue_folder",
        type=click.Path(exists=True, file_okay=False),
        help="Catalogue folder. Default: the nearest 'catalogue/' beside the files or their parents.",
    )(command)


def output_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds ``-o/--output FILE``, written atomically."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")(
        command
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thutuc")
def cli() -> None:
    """thutuc: model administrative procedures as step graphs and make them simpler.

    \b
    Examples:
      thutuc validate procedures/
      thutuc summary procedures/ --format md -o build/summary.md
      thutuc schema -o schema/thutuc.schema.json
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@catalogue_option
@click.option("--format", "output_format", type=click.Choice(FORMATS_VALIDATE), default="text", show_default=True)
def validate(paths: tuple[str, ...], catalogue_folder: str | None, output_format: str) -> None:
    """Check procedure and catalogue files; folders are searched recursively.

    Prints every problem as FILE:LINE:COLUMN: error CODE name: message, with a hint
    where one exists. Exits 0 when every file is valid, 1 when problems are found,
    and 2 on a usage error.

    \b
    Example:
      thutuc validate procedures/
    """
    import json

    from thutuc.io import validate_paths

    report = validate_paths(paths, catalogue_folder=catalogue_folder)
    problems = report.problems
    if output_format == "json":
        payload = {
            "ok": report.ok,
            "files": [{"path": f.path, "kind": f.kind, "id": f.id, "problems": len(f.problems)} for f in report.files],
            "problems": [p.to_dict() for p in problems],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(problem.format())
        failing = sum(1 for f in report.files if f.problems)
        checked = len(report.files)
        if problems:
            click.echo(f"\nchecked {checked} file(s): {len(problems)} problem(s) in {failing} file(s)", err=True)
        else:
            click.echo(f"checked {checked} file(s): all valid", err=True)
    sys.exit(0 if report.ok else 1)


@cli.command()
@output_option
@click.option("--check", is_flag=True, help="Exit 1 if FILE differs from the generated schema; write nothing.")
def schema(output: str | None, check: bool) -> None:
    """Write the JSON Schema of procedure and catalogue files.

    Editors validate as you type when a file starts with
    '# yaml-language-server: $schema=PATH-TO/thutuc.schema.json'.

    \b
    Examples:
      thutuc schema -o schema/thutuc.schema.json
      thutuc schema -o schema/thutuc.schema.json --check
    """
    from thutuc.io import json_schema_text, write_atomic

    text = json_schema_text()
    if check:
        if output is None:
            raise click.UsageError("--check needs -o FILE to compare with")
        from pathlib import Path

        target = Path(output)
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            raise click.ClickException(f"{output} is out of date: run 'thutuc schema -o {output}'")
        click.echo(f"{output} is current", err=True)
        return
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--format", "output_format", type=click.Choice(FORMATS_SUMMARY), default="text", show_default=True)
@output_option
def summary(folder: str, output_format: str, output: str | None) -> None:
    """Summarize every procedure under FOLDER: steps, documents, time limit, sources.

    \b
    Example:
      thutuc summary procedures/ --format md -o build/summary.md
    """
    from thutuc.errors import ThutucError
    from thutuc.io import load_all, write_atomic
    from thutuc.summary import summarize, summary_json, summary_markdown

    try:
        rows = summarize(load_all(folder))
    except ThutucError as exc:
        raise _library_error(exc) from None
    if output_format == "text":
        text = _summary_table(rows)
    else:
        text = summary_markdown(rows) if output_format == "md" else summary_json(rows)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output} ({len(rows)} procedures)", err=True)


def _summary_table(rows: list[Any]) -> str:
    import io

    from rich.console import Console
    from rich.table import Table

    table = Table(title="thutuc: procedures")
    for column in (
        "#",
        "Procedure",
        "Code",
        "Version",
        "Steps",
        "Citizen",
        "In person",
        "Docs",
        "Retrieved",
        "Limit (wd)",
        "Online",
    ):
        table.add_column(column, overflow="fold")
    for r in rows:
        limit = "–" if r.time_limit_working_days is None else f"{round(r.time_limit_working_days, 1):g}"
        table.add_row(
            str(r.service_number or ""),
            f"{r.name}\n[dim]{r.id}[/dim]",
            r.code or "–",
            r.status,
            str(r.steps),
            str(r.citizen_steps),
            str(r.in_person_steps),
            str(r.documents),
            str(r.documents_retrieved),
            limit,
            r.online_status,
        )
    buffer = io.StringIO()
    Console(file=buffer, width=140).print(table)
    return buffer.getvalue()


def main() -> None:
    """Entry point of the ``thutuc`` console script."""
    cli(prog_name="thutuc")
