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
FORMATS_ANALYZE = ("text", "json", "md")
FORMATS_DIFF = ("text", "json", "md")


def _cache() -> Any:
    """The validation cache, unless --no-cache (or THUTUC_NO_CACHE) turned it off."""
    context = click.get_current_context(silent=True)
    root = context.find_root() if context is not None else None
    if root is not None and (root.obj or {}).get("no_cache"):
        return None
    from thutuc.io import ModelCache

    return ModelCache()


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
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="THUTUC_NO_CACHE",
    help="Validate and analyze everything again instead of reusing results for unchanged files "
    "(cache: $THUTUC_CACHE_DIR, else ~/.cache/thutuc).",
)
@click.pass_context
def cli(context: click.Context, no_cache: bool) -> None:
    """thutuc: model administrative procedures as step graphs and make them simpler.

    \b
    Examples:
      thutuc validate procedures/
      thutuc summary procedures/ --format md -o build/summary.md
      thutuc analyze procedures/ --format md -o build/analysis.md
      thutuc simplify procedures/essential/09-birth-registration.yaml -o build/birth.yaml
      thutuc diff main:procedures/essential/09-birth-registration.yaml procedures/essential/09-birth-registration.yaml
      thutuc schema -o schema/thutuc.schema.json
    """
    context.obj = {"no_cache": no_cache}


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@catalogue_option
@click.option("--format", "output_format", type=click.Choice(FORMATS_VALIDATE), default="text", show_default=True)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Processes to validate with. Default: one per core, for folders large enough to gain from it.",
)
def validate(paths: tuple[str, ...], catalogue_folder: str | None, output_format: str, jobs: int | None) -> None:
    """Check procedure and catalogue files; folders are searched recursively.

    Prints every problem as FILE:LINE:COLUMN: error CODE name: message, with a hint
    where one exists. Exits 0 when every file is valid, 1 when problems are found,
    and 2 on a usage error.

    \b
    Example:
      thutuc validate procedures/
    """

    def produce() -> tuple[str, dict[str, Any]]:
        import json

        from thutuc.io import validate_paths

        report = validate_paths(paths, catalogue_folder=catalogue_folder, cache=_cache(), models=False, workers=jobs)
        problems = report.problems
        if output_format == "json":
            payload = {
                "ok": report.ok,
                "files": [
                    {"path": f.path, "kind": f.kind, "id": f.id, "problems": len(f.problems)} for f in report.files
                ],
                "problems": [p.to_dict() for p in problems],
            }
            return json.dumps(payload, ensure_ascii=False, indent=2) + "\n", {"ok": report.ok}
        failing = sum(1 for f in report.files if f.problems)
        checked = len(report.files)
        if problems:
            verdict = f"\nchecked {checked} file(s): {len(problems)} problem(s) in {failing} file(s)"
        else:
            verdict = f"checked {checked} file(s): all valid"
        return "".join(f"{problem.format()}\n" for problem in problems), {"ok": report.ok, "verdict": verdict}

    text, facts = _cached_output(paths, catalogue_folder, ("validate", output_format), produce)
    click.echo(text, nl=False)
    if facts.get("verdict"):
        click.echo(facts["verdict"], err=True)
    sys.exit(0 if facts.get("ok") else 1)


@cli.command()
@output_option
@click.option("--check", is_flag=True, help="Exit 1 if FILE differs from the generated schema; write nothing.")
@click.option("--analysis", is_flag=True, help="The schema of 'thutuc analyze --format json' instead.")
def schema(output: str | None, check: bool, analysis: bool) -> None:
    """Write the JSON Schema of procedure and catalogue files, or of the analysis report.

    Editors validate as you type when a file starts with
    '# yaml-language-server: $schema=PATH-TO/thutuc.schema.json'.

    \b
    Examples:
      thutuc schema -o schema/thutuc.schema.json
      thutuc schema -o schema/thutuc.schema.json --check
      thutuc schema --analysis -o schema/analysis.schema.json
    """
    from thutuc.io import write_atomic

    if analysis:
        from thutuc.analysis.report import analysis_json_schema_text

        text = analysis_json_schema_text()
    else:
        from thutuc.io import json_schema_text

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
    from thutuc.io import write_atomic

    def produce() -> tuple[str, dict[str, Any]]:
        from thutuc.errors import ThutucError
        from thutuc.io import load_paths
        from thutuc.summary import summarize, summary_json, summary_markdown

        try:
            rows = summarize(load_paths([folder], cache=_cache()))
        except ThutucError as exc:
            raise _library_error(exc) from None
        if output_format == "text":
            text = _summary_table(rows)  # a fixed width: the same on a terminal as in a file
        else:
            text = summary_markdown(rows) if output_format == "md" else summary_json(rows)
        return text, {"count": len(rows)}

    text, facts = _cached_output((folder,), None, ("summary", output_format), produce)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output} ({facts['count']} procedures)", err=True)


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    import datetime as dt

    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2025-07-01", ctx, param) from None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@catalogue_option
@click.option("--format", "output_format", type=click.Choice(FORMATS_ANALYZE), default="text", show_default=True)
@click.option("--as-of", callback=_parse_date, metavar="DATE", help="Connections in force on DATE. Default: today.")
@click.option(
    "--assume-connected",
    multiple=True,
    metavar="SOURCE[@AGENCY]",
    help="What if SOURCE were connected (to AGENCY, or to every agency of each procedure)? Repeatable.",
)
@click.option(
    "--rules",
    "rule_names",
    multiple=True,
    metavar="RULES",
    help="Rule ids or analyzers, comma-separated. Default: all.",
)
@click.option("--lang", type=click.Choice(("en", "vi")), default="en", show_default=True, help="Language of messages.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Processes to analyze with. Default: one per core, for sets large enough to gain from it.",
)
@output_option
def analyze(
    paths: tuple[str, ...],
    catalogue_folder: str | None,
    output_format: str,
    as_of: Any,
    assume_connected: tuple[str, ...],
    rule_names: tuple[str, ...],
    lang: str,
    jobs: int | None,
    output: str | None,
) -> None:
    """Find documents the state holds, steps that decide nothing, blockers to full online, and the burden.

    Every finding gives its rule, its reason and legal ground, and what it saves; the rules are
    described in docs/rules.md. The text form is a table on a terminal (NO_COLOR is respected) and
    plain text when piped; the JSON form follows schema/analysis.schema.json.

    \b
    Examples:
      thutuc analyze procedures/essential/09-birth-registration.yaml
      thutuc analyze procedures/ --format md -o build/analysis.md
      thutuc analyze procedures/ --rules once-only --assume-connected tax-db --as-of 2025-07-01
    """
    from thutuc.io import write_atomic

    language = "vi" if lang == "vi" else "en"
    on_terminal = output_format == "text" and output is None and sys.stdout.isatty()

    def produce() -> tuple[str, dict[str, Any]]:
        from thutuc.analysis import AnalysisOptions, analyze_set, render_report
        from thutuc.errors import ThutucError
        from thutuc.io import load_paths, load_paths_on_demand

        cache = _cache()
        try:
            if on_terminal or cache is None:
                procedure_set = load_paths(paths, catalogue_folder=catalogue_folder, cache=cache)
            else:  # a report reads from the cache only the models of what it analyzes or compares
                procedure_set = load_paths_on_demand(paths, catalogue_folder=catalogue_folder, cache=cache)
        except ThutucError as exc:
            raise _library_error(exc) from None
        rules = _rule_selection(rule_names)
        chosen = AnalysisOptions(as_of, _assumed(assume_connected, procedure_set.catalogue), rules)
        count = {"count": len(procedure_set.ids)}
        if on_terminal:
            return _analysis_tables(analyze_set(procedure_set, options=chosen), language), count  # type: ignore[arg-type]
        store, store_key, parts = _kept_parts(paths, catalogue_folder, options)
        kept = dict(parts or {})
        text = render_report(procedure_set, output_format, language, options=chosen, workers=jobs, parts=parts)  # type: ignore[arg-type]
        if store is not None and parts is not None and _parts_changed(kept, parts):
            store.save(store_key, parts)
        return text, count

    # A terminal table depends on the terminal's width, so only files and pipes are cached.
    options = ("analyze", output_format, language, str(as_of), *sorted(assume_connected), "|", *sorted(rule_names))
    text, facts = produce() if on_terminal else _cached_output(paths, catalogue_folder, options, produce)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output} ({facts['count']} procedures)", err=True)


def _cached_output(
    paths: tuple[str, ...],
    catalogue_folder: str | None,
    options: tuple[str, ...],
    produce: Callable[[], tuple[str, dict[str, Any]]],
) -> tuple[str, dict[str, Any]]:
    """A run's output and facts about it (a count, a verdict), reused when its inputs, options and thutuc itself
    are unchanged since it was made."""
    if _cache() is None:
        return produce()
    from thutuc.io import OutputCache, inputs_fingerprint

    fingerprint = inputs_fingerprint(paths, catalogue_folder=catalogue_folder)
    if fingerprint is None:
        return produce()
    outputs = OutputCache()
    key = OutputCache.key(fingerprint, *options)
    stored = outputs.get(key)
    if stored is not None:
        return stored
    text, facts = produce()
    outputs.put(key, text, **facts)
    return text, facts


def _kept_parts(
    paths: tuple[str, ...], catalogue_folder: str | None, options: tuple[str, ...]
) -> tuple[Any, str, dict[str, Any] | None]:
    """The store of each procedure's part of the last run like this one (same command, options and inputs), its
    key, and the parts it holds; no store with --no-cache."""
    if _cache() is None:
        return None, "", None
    from pathlib import Path

    from thutuc.io import PartStore

    where = [str(Path(p).resolve()) for p in paths]
    key = PartStore.key(*options, "|", *where, "|", str(Path(catalogue_folder).resolve()) if catalogue_folder else "")
    store = PartStore()
    return store, key, store.load(key)


def _parts_changed(kept: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether a part was made or dropped since the store was read: for 10,000 procedures the parts weigh 44 MB,
    written again only then."""
    return kept.keys() != now.keys() or any(kept[key] is not part for key, part in now.items())


def _catalogue_beside(path: str, catalogue_folder: str | None, fallback: Any = None) -> Any:
    from thutuc.io import find_catalogue, load_catalogue

    folder = catalogue_folder or find_catalogue(path)
    if folder is None and fallback is not None:
        return fallback
    if folder is None:
        raise click.ClickException(f"{path}: no 'catalogue' folder beside the file or its parents; pass --catalogue")
    return load_catalogue(folder)


def _assumed(values: tuple[str, ...], catalogue: Any) -> tuple[Any, ...]:
    from thutuc.analysis import AssumedConnection
    from thutuc.errors import did_you_mean

    assumed = tuple(AssumedConnection.parse(text) for text in values)
    for connection in assumed:
        if connection.source not in catalogue.data_source:
            hint = did_you_mean(connection.source, catalogue.data_source)
            message = f"unknown data source '{connection.source}'" + (f"; {hint}" if hint else "")
            raise click.BadParameter(message, param_hint="--assume-connected")
        if connection.agency is not None and connection.agency not in catalogue.agency:
            hint = did_you_mean(connection.agency, catalogue.agency)
            message = f"unknown agency '{connection.agency}'" + (f"; {hint}" if hint else "")
            raise click.BadParameter(message, param_hint="--assume-connected")
    return assumed


def _rule_selection(rule_names: tuple[str, ...]) -> Any:
    from thutuc.analysis import select_rules

    names = [n.strip() for value in rule_names for n in value.split(",") if n.strip()]
    try:
        return select_rules(names) if names else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--rules") from None


def _schema_line(source: str, target: str | None) -> str | None:
    """The input's schema reference, made relative to where the output is written."""
    import os
    from pathlib import Path

    from thutuc.io.canonical import SCHEMA_LINE_PREFIX

    first = Path(source).read_text(encoding="utf-8").split("\n", 1)[0]
    if not first.startswith(SCHEMA_LINE_PREFIX):
        return None
    reference = first[len(SCHEMA_LINE_PREFIX) :].strip()
    if "://" in reference or target is None:
        return reference
    absolute = (Path(source).parent / reference).resolve()
    return os.path.relpath(absolute, Path(target).resolve().parent).replace(os.sep, "/")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@catalogue_option
@output_option
@click.option("--in-place", is_flag=True, help="Overwrite FILE with the simplified procedure.")
@click.option("--as-of", callback=_parse_date, metavar="DATE", help="Connections in force on DATE. Default: today.")
@click.option("--assume-connected", multiple=True, metavar="SOURCE[@AGENCY]", help="What-if connection. Repeatable.")
@click.option("--rules", "rule_names", multiple=True, metavar="RULES", help="Rule ids or analyzers to apply.")
def simplify(
    file: str,
    catalogue_folder: str | None,
    output: str | None,
    in_place: bool,
    as_of: Any,
    assume_connected: tuple[str, ...],
    rule_names: tuple[str, ...],
) -> None:
    """Apply the once-only and hand-off findings to FILE and write the simplified procedure.

    Removed documents become lookups placed where every path to the steps needing their facts
    passes; removed steps are contracted. The trace (what each finding changed) goes to stderr. The
    result is checked for soundness first: if it breaks an invariant nothing is written and
    the command exits 1. Output is canonical YAML with the schema line, written atomically;
    FILE is never overwritten without --in-place.

    \b
    Examples:
      thutuc simplify procedures/baselines/09-birth-registration-baseline.yaml -o build/birth.yaml
      thutuc simplify my-procedure.yaml --in-place --rules once-only
    """
    from pathlib import Path

    from thutuc.errors import ThutucError
    from thutuc.io import dumps, load, write_atomic
    from thutuc.soundness import check
    from thutuc.transform import simplify as simplify_procedure

    if in_place and output is not None:
        raise click.UsageError("give -o FILE or --in-place, not both")
    if output is not None and Path(output).resolve() == Path(file).resolve():
        raise click.UsageError(f"{output} is the input file; pass --in-place to overwrite it")
    catalogue = _catalogue_beside(file, catalogue_folder)
    try:
        procedure = load(file, catalogue=catalogue)
    except ThutucError as exc:
        raise _library_error(exc) from None
    rules = _rule_selection(rule_names)
    result = simplify_procedure(
        procedure,
        catalogue=catalogue,
        rules=sorted(rules) if rules else None,
        as_of=as_of,
        assume_connected=_assumed(assume_connected, catalogue),
    )
    for entry in result.trace:
        click.echo(f"{entry.rule:<26} {entry.change.value:<22} {entry.target}: {entry.detail}", err=True)
    violations = check(procedure, result.procedure, catalogue)
    if violations:
        for violation in violations:
            click.echo(f"unsound: {violation}", err=True)
        raise click.ClickException("the simplification breaks the invariants above; nothing was written")
    target = file if in_place else output
    text = dumps(result.procedure, schema_ref=_schema_line(file, target))
    if target is None:
        click.echo(text, nl=False)
    else:
        write_atomic(target, text)
        click.echo(f"wrote {target} ({len(result.trace)} change(s))", err=True)


def _load_version(spec: str, catalogue_folder: str | None, fallback: Any = None) -> tuple[Any, Any]:
    """A procedure from a file, or from ``REV:PATH`` in git; with the catalogue beside the path.

    ``fallback`` is the catalogue to use when none is found beside the path.
    """
    from pathlib import Path

    from thutuc.errors import ThutucError
    from thutuc.io import load, loads, read_revision

    try:
        if Path(spec).is_file():
            catalogue = _catalogue_beside(spec, catalogue_folder, fallback)
            return load(spec, catalogue=catalogue), catalogue
        revision, separator, path = spec.partition(":")
        if not separator or not path:
            raise click.BadParameter(f"'{spec}' is neither a file nor REV:PATH", param_hint="A/B")
        try:
            text = read_revision(revision, path)
        except ThutucError as exc:
            raise click.BadParameter(f"'{spec}': {exc.problems[0].message}", param_hint="A/B") from None
        if text is None:
            raise click.BadParameter(f"'{spec}': {path} is not in {revision}", param_hint="A/B")
        catalogue = _catalogue_beside(path if Path(path).exists() else ".", catalogue_folder, fallback)
        return loads(text, catalogue=catalogue, filename=spec), catalogue
    except ThutucError as exc:
        raise _library_error(exc) from None


@cli.command()
@click.argument("before")
@click.argument("after")
@catalogue_option
@click.option("--format", "output_format", type=click.Choice(FORMATS_DIFF), default="text", show_default=True)
@click.option(
    "--fail-on",
    "fail_on",
    multiple=True,
    metavar="CONDITIONS",
    help="Exit 1 when the change meets any of these, comma-separated: burden-increase, readiness-decrease, "
    "document-added, visit-added, step-added, fee-increase, presence-added.",
)
@output_option
def diff(
    before: str,
    after: str,
    catalogue_folder: str | None,
    output_format: str,
    fail_on: tuple[str, ...],
    output: str | None,
) -> None:
    """Show what changed from BEFORE to AFTER, in the terms of a reform, and what it saves.

    BEFORE and AFTER are files, or REV:PATH for a file as it is in git revision REV
    (e.g. main:procedures/essential/09-birth-registration.yaml). The Markdown form is
    made to paste into a review comment. With --fail-on, the command is a gate for CI:
    it exits 1 and lists the reasons when the change meets a condition.

    \b
    Examples:
      thutuc diff procedures/baselines/09-birth-registration-baseline.yaml \\
                  procedures/essential/09-birth-registration.yaml
      thutuc diff main:procedures/x.yaml procedures/x.yaml --format md --fail-on burden-increase,document-added
    """
    from thutuc.diff import diff as diff_procedures
    from thutuc.diff import diff_json, diff_markdown, diff_text, gate
    from thutuc.io import write_atomic

    old, catalogue = _load_version(before, catalogue_folder)
    new, _ = _load_version(after, catalogue_folder, catalogue)
    result = diff_procedures(old, new, catalogue=catalogue)
    conditions = [c.strip() for value in fail_on for c in value.split(",") if c.strip()]
    try:
        reasons = gate(result, conditions)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-on") from None
    text = {"json": diff_json, "md": diff_markdown}.get(output_format, diff_text)(result)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)
    if reasons:
        for reason in reasons:
            click.echo(f"gate: {reason}", err=True)
        sys.exit(1)


@cli.command("gate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@catalogue_option
@click.option("--against", "revision", default="HEAD", show_default=True, help="The git revision to compare with.")
@click.option(
    "--fail-on",
    "fail_on",
    multiple=True,
    default=("burden-increase,readiness-decrease",),
    show_default=True,
    metavar="CONDITIONS",
    help="Conditions that refuse a change, comma-separated, as for 'thutuc diff --fail-on'.",
)
def gate_command(paths: tuple[str, ...], catalogue_folder: str | None, revision: str, fail_on: tuple[str, ...]) -> None:
    """Refuse changes to procedure files that raise the burden: each file against its version in git.

    PATHS are procedure files or folders; catalogue files are skipped and a file that is new in
    the revision passes. Exits 1 listing the reasons when a change meets a condition. Made for
    pre-commit (the 'thutuc-gate' hook) and CI.

    \b
    Examples:
      thutuc gate procedures/ --against main --fail-on burden-increase,document-added
    """
    from pathlib import Path

    from thutuc.diff import diff as diff_procedures
    from thutuc.diff import gate
    from thutuc.errors import LoadError, ThutucError
    from thutuc.io import changed_since, load, loads, read_revision, validate_paths

    conditions = [c.strip() for value in fail_on for c in value.split(",") if c.strip()]
    files = []
    for raw in paths:
        path = Path(raw)
        found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        files += [f for f in found if "catalogue" not in f.parent.parts]
    # Every file must be valid, as before; only those git says changed are compared: an unchanged file raises nothing.
    verdicts = validate_paths(files, catalogue_folder=catalogue_folder, cache=_cache(), models=False)
    if not verdicts.ok:
        raise _library_error(LoadError(verdicts.problems))
    changed = changed_since(revision, paths)
    catalogues: dict[Path, Any] = {}
    refused = 0
    for file in files:
        if changed is not None and file.resolve() not in changed:
            continue
        try:
            if file.parent not in catalogues:
                catalogues[file.parent] = _catalogue_beside(str(file), catalogue_folder)
            catalogue = catalogues[file.parent]
            current = load(file, catalogue=catalogue)
            earlier_text = read_revision(revision, file)
            if earlier_text is None:
                continue
            earlier = loads(earlier_text, catalogue=catalogue, filename=f"{revision}:{file}")
        except ThutucError as exc:
            raise _library_error(exc) from None
        try:
            reasons = gate(diff_procedures(earlier, current, catalogue=catalogue), conditions)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--fail-on") from None
        for reason in reasons:
            click.echo(f"{file}: gate against {revision}: {reason}", err=True)
        refused += bool(reasons)
    click.echo(f"checked {len(files)} file(s) against {revision}: {refused} refused", err=True)
    if refused:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@catalogue_option
@click.option("-o", "--output", help="A file for one diagram, or a folder for several (with an index.md).")
@click.option(
    "--view",
    "views",
    type=click.Choice(("current", "simplified", "before-after", "diff")),
    multiple=True,
    help="current (default), simplified, before-after side by side, or diff (one merged graph). Repeatable.",
)
@click.option("--against", metavar="OTHER", help="For before-after and diff: the other version (a file or REV:PATH).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("svg", "png", "pdf", "dot", "mermaid")),
    default="svg",
    show_default=True,
)
@click.option("--lang", type=click.Choice(("en", "vi")), default="en", show_default=True)
@click.option("--as-of", callback=_parse_date, metavar="DATE", help="Connections in force on DATE, for simplifying.")
@click.option("--jobs", type=click.IntRange(1, 64), help="Processes to render with. Default: one per core.")
def render(
    paths: tuple[str, ...],
    catalogue_folder: str | None,
    output: str | None,
    views: tuple[str, ...],
    against: str | None,
    output_format: str,
    lang: str,
    as_of: Any,
    jobs: int | None,
) -> None:
    """Draw flow diagrams: a lane per actor, documents attached, in-person and paper steps marked.

    One file gives one diagram (to -o FILE, or DOT and Mermaid to stdout). Several files or a
    folder give one diagram each in the -o folder, with an index.md linking them; a progress bar
    shows on a terminal. Before-after and diff compare a procedure with its simplification,
    unless --against names the other version; in a batch, a baseline is compared with the current
    version of the same service when that file is among the PATHS (the official reform).
    SVG, PNG and PDF need pygraphviz (its wheels carry Graphviz) or the Graphviz 'dot' program;
    PNG and PDF need a font with Vietnamese glyphs (DejaVu Sans).

    \b
    Examples:
      thutuc render procedures/essential/09-birth-registration.yaml -o build/birth.svg
      thutuc render procedures/baselines/09-birth-registration-baseline.yaml --view diff -o build/reform.svg
      thutuc render procedures/ -o build/diagrams --view before-after --view diff
    """
    from dataclasses import replace
    from pathlib import Path

    from thutuc.errors import ThutucError
    from thutuc.io import load_paths, write_atomic
    from thutuc.render.batch import diagram_index, plan, render_job, render_jobs
    from thutuc.render.output import RenderError

    try:
        procedure_set = load_paths(paths, catalogue_folder=catalogue_folder, cache=_cache())
    except ThutucError as exc:
        raise _library_error(exc) from None
    procedures = sorted(procedure_set.procedures, key=lambda p: (p.service_number or 99, p.status.value, p.id))
    if not procedures:
        raise click.UsageError("no procedure files among the paths")
    views = views or ("current",)
    view = views[0]
    other = None
    if against is not None:
        if not set(views) <= {"before-after", "diff"}:
            raise click.UsageError("--against goes with --view before-after or --view diff")
        if len(procedures) != 1:
            raise click.UsageError("--against compares one procedure; give one file")
        other, _ = _load_version(against, catalogue_folder, procedure_set.catalogue)
    single = len(procedures) == 1 and len(views) == 1 and not any(Path(p).is_dir() for p in paths)
    language = "vi" if lang == "vi" else "en"
    by_suffix = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid"}
    context = click.get_current_context()
    if single and output and context.get_parameter_source("output_format") is click.core.ParameterSource.DEFAULT:
        output_format = by_suffix.get(Path(output).suffix.lower(), output_format)
    try:
        if single:
            from thutuc.render.batch import RenderJob

            target = Path(output) if output else None
            if target is None and output_format in ("svg", "png", "pdf") and sys.stdout.isatty():
                raise click.UsageError(f"{output_format} output needs -o FILE")
            job = RenderJob(
                procedures[0],
                procedure_set.catalogue,
                view,
                output_format,
                language,
                other,
                as_of,
                target,  # type: ignore[arg-type]
            )
            diagram = render_job(job)
            if target is None and output_format in ("png", "pdf"):
                sys.stdout.buffer.write(diagram.content)
            elif target is None:
                click.echo(diagram.content.decode(), nl=False)
            else:
                click.echo(f"wrote {target}", err=True)
            return
        if output is None:
            raise click.UsageError("several diagrams need -o FOLDER")
        folder = Path(output)
        planned = [
            job
            for each in views
            for job in plan(
                procedures,
                procedure_set.catalogue,
                folder,
                view=each,  # type: ignore[arg-type]
                output_format=output_format,
                lang=language,
                as_of=as_of,
                all_procedures=procedure_set.procedures,
            )
        ]
        if other is not None:
            planned = [replace(job, other=other) for job in planned]
        diagrams = _render_with_progress(planned, jobs, render_jobs)
        index = folder / "index.md"
        write_atomic(index, diagram_index(diagrams, folder, title=f"Diagrams: {', '.join(views)}"))
        click.echo(f"wrote {len(diagrams)} diagram(s) and {index}", err=True)
    except RenderError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@catalogue_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the report to; created when missing, its files replaced.",
)
@click.option("--as-of", callback=_parse_date, metavar="DATE", help="Connections in force on DATE. Default: today.")
@click.option("--assume-connected", multiple=True, metavar="SOURCE[@AGENCY]", help="What-if connection. Repeatable.")
@click.option("--jobs", type=click.IntRange(1, 64), help="Processes to draw the diagrams with. Default: one per core.")
def report(
    paths: tuple[str, ...],
    catalogue_folder: str | None,
    output: str,
    as_of: Any,
    assume_connected: tuple[str, ...],
    jobs: int | None,
) -> None:
    """Write an HTML report: every service at a glance, and a page of diagrams and findings for each.

    The report is a static site that opens from the file system (index.html, in Vietnamese;
    index.en.html in English), makes no request outside its folder and prints for leadership.
    One row per service: its current version, with the baseline as the official reform when
    PATHS include it. Diagrams need pygraphviz or the Graphviz 'dot' program.

    \b
    Examples:
      thutuc report procedures/ -o build/report
      thutuc report procedures/essential --assume-connected tax-db -o build/what-if
    """
    from thutuc.analysis import AnalysisOptions
    from thutuc.errors import ThutucError
    from thutuc.io import load_paths
    from thutuc.render.site import build_site, write_site

    try:
        procedure_set = load_paths(paths, catalogue_folder=catalogue_folder, cache=_cache())
    except ThutucError as exc:
        raise _library_error(exc) from None
    if not procedure_set.procedures:
        raise click.UsageError("no procedure files among the paths")
    options = AnalysisOptions(as_of, _assumed(assume_connected, procedure_set.catalogue))
    try:
        files = build_site(procedure_set, options=options, workers=jobs)
    except ThutucError as exc:
        raise _library_error(exc) from None
    write_site(files, output)
    pages = sum(1 for name in files if name.startswith("services/"))
    click.echo(f"wrote {len(files)} files to {output}: open {output}/index.html ({pages // 2} services)", err=True)


def _render_with_progress(planned: list[Any], jobs: int | None, render_jobs: Any) -> list[Any]:
    """Render with a rich progress bar on a terminal, quietly otherwise."""
    if not sys.stderr.isatty():
        return render_jobs(planned, workers=jobs)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("rendering", total=len(planned))
        return render_jobs(planned, workers=jobs, progress=lambda done, _total: progress.update(task, completed=done))


def _analysis_tables(report: Any, lang: str) -> str:
    """The analysis as rich tables for a terminal; rich honours NO_COLOR."""
    import io

    from rich.console import Console
    from rich.table import Table

    from thutuc.analysis.report import summary_rows

    buffer = io.StringIO()
    console = Console(file=buffer, width=max(100, Console().width), force_terminal=True)
    styles = {"opportunity": "green", "blocker": "red", "info": "dim"}
    for procedure in report.procedures:
        name = procedure.name.vi if lang == "vi" else procedure.name.en
        table = Table(title=f"{procedure.service_number or ''} {name} ({procedure.id}, {procedure.status})")
        for column in ("Severity", "Rule", "Target", "Message"):
            table.add_column(column, overflow="fold")
        for finding in procedure.findings:
            message = finding.message.vi if lang == "vi" else finding.message.en
            style = styles[finding.severity.value]
            table.add_row(f"[{style}]{finding.severity.value}[/{style}]", finding.rule, finding.target.id, message)
        console.print(table)
        before, after = procedure.burden_before, procedure.burden_after
        console.print(
            f"online {procedure.online_before.level} → {procedure.online_after.level}; "
            f"visits {before.visits} → {after.visits}; documents {before.documents} → {after.documents}; "
            f"steps {before.steps} → {after.steps}\n"
        )
    if len(report.procedures) > 1:
        rows = summary_rows(report, lang)
        summary = Table(title="Summary (before → after)")
        for column in rows[0]:
            summary.add_column(column, overflow="fold")
        for row in rows:
            summary.add_row(*row.values())
        console.print(summary)
    return buffer.getvalue()


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
    from thutuc._gc import for_a_batch_run

    for_a_batch_run()
    try:
        cli(prog_name="thutuc", standalone_mode=True)
    except OSError as exc:
        # An output that cannot be written (a full disk, a folder without rights): say which, no traceback.
        name = f" {exc.filename}" if exc.filename else ""
        click.echo(f"Error: cannot write{name}: {exc.strerror or exc}", err=True)
        sys.exit(1)
