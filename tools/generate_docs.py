"""Generate the reference pages in docs/ from the code, the fixtures and the shipped data.

Run ``python tools/generate_docs.py`` after changing a model, a command or an error code;
tests/test_docs.py fails when a page is out of date.
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
import types
import typing
from pathlib import Path
from typing import Any, get_args, get_origin

import click
import yaml
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from thutuc.cli import cli  # noqa: E402
from thutuc.errors import ErrorCode  # noqa: E402
from thutuc.io import load_all, validate_paths, write_atomic  # noqa: E402
from thutuc.io import reader as yaml_reader  # noqa: E402
from thutuc.model import (  # noqa: E402
    Actor,
    Agency,
    CatalogueFile,
    Connection,
    CostParameter,
    DataSource,
    DocumentRequirement,
    DocumentType,
    Duration,
    Fact,
    Fee,
    HeldFact,
    LegalRef,
    Name,
    OnlineStatus,
    Procedure,
    Result,
    Role,
    Source,
    Step,
    Transition,
)
from thutuc.summary import confidence_counts  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PROCEDURE_MODELS: list[type[BaseModel]] = [
    Procedure,
    Role,
    Actor,
    DocumentRequirement,
    Step,
    Transition,
    Fee,
    Result,
    OnlineStatus,
]
CATALOGUE_MODELS: list[type[BaseModel]] = [
    CatalogueFile,
    Agency,
    Fact,
    DocumentType,
    DataSource,
    HeldFact,
    Connection,
    CostParameter,
]
SHARED_MODELS: list[type[BaseModel]] = [Name, LegalRef, Source, Duration]
# Fields no shipped file uses yet; their examples are written here.
EXTRA_EXAMPLES: dict[tuple[str, str], Any] = {
    ("Procedure", "valid_from"): "2023-01-01",
    ("Procedure", "valid_until"): "2025-06-30",
    ("Procedure", "status"): "baseline",
    ("Transition", "loop"): True,
    ("Duration", "hours"): 24,
    ("Duration", "days"): 1,
    ("Connection", "until"): "2025-02-28",
    ("Connection", "since"): "2024-07-01",
    ("Source", "read_on"): "2026-11-28",
    ("Agency", "sources"): [{"url": "https://dichvucong.gov.vn", "confidence": "secondary"}],
    ("Fact", "sources"): [{"url": "https://example.org/law", "confidence": "secondary"}],
    ("Step", "requires"): ["presence", "wet_signature"],
    ("Step", "produces"): ["birth-certificate"],
    ("Result", "electronic"): True,
    ("Procedure", "volume"): {
        "per_year": 150000,
        "year": 2024,
        "sources": [{"url": "https://example.org/statistics", "confidence": "secondary"}],
    },
    ("Volume", "per_year"): 150000,
    ("Volume", "year"): 2024,
    ("Volume", "note"): "Applications received by the province's portal in 2024.",
    ("Volume", "sources"): [{"url": "https://example.org/statistics", "confidence": "secondary"}],
    ("DocumentRequirement", "copies"): 2,
    ("DocumentRequirement", "prefilled"): ["person.full_name", "person.date_of_birth"],
    ("CatalogueFile", "cost_parameters"): [{"id": "hourly-income", "value": 30000, "unit": "VND/hour"}],
    ("CostParameter", "id"): "hourly-income",
    ("CostParameter", "name"): {"vi": "Thu nhập bình quân một giờ", "en": "Average income per hour"},
    ("CostParameter", "value"): 30000,
    ("CostParameter", "unit"): "VND/hour",
    ("CostParameter", "basis"): "assumed",
    ("CostParameter", "legal_basis"): [{"document": "Thông tư 02/2017/TT-VPCP", "article": "Art. 27"}],
    ("CostParameter", "note"): "Set as a placeholder until the statistics office figure is read.",
    ("CostParameter", "sources"): [{"url": "https://example.org/statistics", "confidence": "secondary"}],
}


# --- CLI reference -----------------------------------------------------------------------


def command_help(name: str) -> str:
    """The ``--help`` text of one command, at a fixed width."""
    command = cli.commands[name]
    parent = click.Context(cli, info_name="thutuc", **cli.context_settings)
    context = click.Context(
        command, info_name=name, parent=parent, terminal_width=100, max_content_width=100, **cli.context_settings
    )
    return command.get_help(context)


def cli_reference() -> str:
    root = click.Context(cli, info_name="thutuc", terminal_width=100, max_content_width=100, **cli.context_settings)
    parts = [
        "# Command-line reference\n",
        "Generated from `--help` by `tools/generate_docs.py`; do not edit by hand.\n",
        "```text\n" + cli.get_help(root) + "\n```\n",
    ]
    for name in sorted(cli.commands):
        parts.append(f"## `thutuc {name}`\n\n```text\n{command_help(name)}\n```\n")
    return "\n".join(parts)


# --- error reference ---------------------------------------------------------------------


def _fixture_output(path: Path) -> str:
    code = path.name[:6]
    limit = yaml_reader.MAX_FILE_BYTES
    if code == "THT003":
        yaml_reader.MAX_FILE_BYTES = 200
    try:
        catalogue = None if code == "THT029" else FIXTURES / "shared-catalogue"
        report = validate_paths([path.relative_to(ROOT)], catalogue_folder=catalogue and catalogue.relative_to(ROOT))
    finally:
        yaml_reader.MAX_FILE_BYTES = limit
    return "\n".join(p.format() for p in report.problems)


def errors_reference() -> str:
    fixtures = {p.name[:6]: p for p in (FIXTURES / "invalid").iterdir()}
    parts = [
        "# Error codes\n",
        "Every problem thutuc reports has a stable code and name, a location (`file:line:column`)",
        "and, where one exists, a hint. Codes never change meaning; new ones are added at the end.",
        "Each example below is the real output for the matching file in `tests/fixtures/invalid/`,",
        "generated by `tools/generate_docs.py`.\n",
        "| Code | Name | Meaning |",
        "|---|---|---|",
    ]
    parts += [f"| [{c.code}](#{c.code.lower()}-{c.slug}) | `{c.slug}` | {c.summary} |" for c in ErrorCode]
    parts.append("")
    for code in ErrorCode:
        path = fixtures[code.code]
        parts.append(f"## {code.code} {code.slug}\n\n{code.summary}\n")
        parts.append(f"Example: `{path.relative_to(ROOT)}`\n\n```text\n{_fixture_output(path)}\n```\n")
    return "\n".join(parts)


# --- format reference --------------------------------------------------------------------


def _type_text(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = get_args(annotation)
        pattern = next((getattr(m, "pattern", None) for m in metadata if getattr(m, "pattern", None)), None)
        if pattern and "\\." in pattern:
            return "fact id"
        if pattern:
            return "id"
        return _type_text(base)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_text(a) for a in get_args(annotation) if a is not type(None))
    if origin in (list, tuple):
        return f"list of {_type_text(get_args(annotation)[0])}"
    if origin is dict:
        value = get_args(annotation)[1]
        return f"mapping of role id to {_type_text(value)}"
    if origin is typing.Literal:
        return " or ".join(f"`{a}`" for a in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(f"`{m.value}`" for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {str: "text", int: "integer", float: "number", bool: "true/false", dt.date: "date"}.get(
        annotation, str(annotation)
    )


def _examples_from_data() -> dict[tuple[str, str], Any]:
    """The first value each model field takes in the shipped data, by (model, field)."""
    found: dict[tuple[str, str], Any] = {}
    procedure_set = load_all(ROOT / "procedures")

    def visit(model: BaseModel) -> None:
        name = type(model).__name__
        for field_name, info in type(model).model_fields.items():
            value = getattr(model, field_name)
            if value is None or value == info.get_default(call_default_factory=True):
                continue
            if (name, field_name) not in found:
                found[(name, field_name)] = model.model_dump(mode="json", exclude_defaults=True)[field_name]
            for item in (
                value if isinstance(value, (list, tuple)) else value.values() if isinstance(value, dict) else [value]
            ):
                if isinstance(item, BaseModel):
                    visit(item)

    catalogue = procedure_set.catalogue
    found[("CatalogueFile", "kind")] = "catalogue"
    for section in ("agencies", "facts", "document_types", "data_sources", "cost_parameters"):
        entries = getattr(catalogue, section)
        if entries:
            found[("CatalogueFile", section)] = [entries[0].model_dump(mode="json", exclude_defaults=True)]
    for entry in (
        *catalogue.agencies,
        *catalogue.facts,
        *catalogue.document_types,
        *catalogue.data_sources,
        *catalogue.cost_parameters,
    ):
        visit(entry)
    for procedure in procedure_set.procedures:
        visit(procedure)
    return found


def _example_text(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        value = value[:1]
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000, sort_keys=False).strip()
    text = text.removesuffix("\n...").removesuffix("...").strip()
    if len(text) > 110:
        text = text[:107] + "…"
    return f"`{text}`".replace("|", "\\|")


def _model_section(model: type[BaseModel], examples: dict[tuple[str, str], Any]) -> str:
    doc = (model.__doc__ or "").strip().splitlines()[0]
    rows = [
        f"## {model.__name__}\n",
        doc + "\n",
        "| Field | Type | Required | Meaning | Example |",
        "|---|---|---|---|---|",
    ]
    for field_name, info in model.model_fields.items():
        required = "yes" if info.is_required() else ""
        annotation = typing.Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        example = examples.get((model.__name__, field_name), EXTRA_EXAMPLES.get((model.__name__, field_name)))
        if example is None:
            raise SystemExit(f"no example for {model.__name__}.{field_name}: add one to EXTRA_EXAMPLES")
        rows.append(
            f"| `{field_name}` | {_type_text(annotation)} | {required} | {info.description or ''} "
            f"| {_example_text(example)} |"
        )
    return "\n".join(rows) + "\n"


FORMAT_INTRO = """# File format reference

Generated by `tools/generate_docs.py` from the models; the examples are the first value each
field takes in the shipped files under `procedures/`. Do not edit by hand.

thutuc reads two kinds of YAML file, told apart by `kind`:

- **procedure files** (`kind: procedure`), one procedure each, anywhere under a folder;
- **catalogue files** (`kind: catalogue`) in a `catalogue/` folder: agencies, facts, document
  types and data sources, which procedures refer to by id. A procedure is checked against the
  nearest `catalogue/` folder beside it or beside one of its parents (or `--catalogue DIR`).

Start every file with the schema line so that editors validate as you type:

```yaml
# yaml-language-server: $schema=../../schema/thutuc.schema.json
```

Rules that hold everywhere:

- ids are kebab-case (`birth-registration`); fact ids are `subject.attribute` (`person.marital_status`);
- unknown fields are errors; every problem is reported with `file:line:column` and a code
  (see [errors.md](errors.md));
- anchors, aliases, tags and duplicate keys are refused; plain values such as `no`, `on` or
  `1.10` stay text where text is expected (an official code `1.001190` keeps its zero);
- a step without `next` is an end; the step without predecessor is the start; a transition
  back must say `loop: true`;
- every fact a step `needs` must be supplied by a dossier document about that role (with
  `any_of`, by every alternative) or by a step that `provides` it.

A complete small procedure (the one the invalid fixtures start from):

```yaml
{example}```
"""


def format_reference() -> str:
    examples = _examples_from_data()
    example_file = (FIXTURES / "valid" / "base.yaml").read_text(encoding="utf-8")
    parts = [FORMAT_INTRO.replace("{example}", example_file), "# Procedure files\n"]
    parts += [_model_section(m, examples) for m in PROCEDURE_MODELS]
    parts.append("# Catalogue files\n")
    parts += [_model_section(m, examples) for m in CATALOGUE_MODELS]
    parts.append("# Shared values\n")
    parts += [_model_section(m, examples) for m in SHARED_MODELS]
    return "\n".join(parts)


# --- data coverage ------------------------------------------------------------------------

COVERAGE_START = "<!-- coverage:start (generated by tools/generate_docs.py) -->"
COVERAGE_END = "<!-- coverage:end -->"


def coverage_table() -> str:
    """Service x steps, documents, sources, confidence and baseline, from the shipped data."""
    procedure_set = load_all(ROOT / "procedures")
    current = {p.service_number: p for p in procedure_set.procedures if p.status.value == "current"}
    baselines: dict[int, list[str]] = {}
    for p in procedure_set.procedures:
        if p.status.value == "baseline" and p.service_number:
            baselines.setdefault(p.service_number, []).append(p.id)
    rows = [
        "| # | Service | Code | Steps | Documents | Sources (verified / secondary / inferred) | Baseline |",
        "|---|---|---|---|---|---|---|",
    ]
    for number in range(1, 26):
        procedure = current.get(number)
        baseline = ", ".join(f"`{b}`" for b in sorted(baselines.get(number, []))) or "–"
        if procedure is None:
            rows.append(f"| {number} | not modelled yet | | | | | {baseline} |")
            continue
        counts = confidence_counts(procedure.sources)
        rows.append(
            f"| {number} | {procedure.name.vi} (`{procedure.id}`) | {procedure.code or 'unknown'} "
            f"| {len(procedure.steps)} | {len(procedure.documents)} "
            f"| {counts['verified']} / {counts['secondary']} / {counts['inferred']} | {baseline} |"
        )
    catalogue = procedure_set.catalogue
    assumed = sum(1 for c in catalogue.cost_parameters if c.basis.value == "assumed")
    rows += [
        "",
        f"Catalogue: {len(catalogue.agencies)} agencies, {len(catalogue.facts)} facts, "
        f"{len(catalogue.document_types)} document types, {len(catalogue.data_sources)} data sources, "
        f"{len(catalogue.cost_parameters)} cost parameters ({assumed} assumed).",
    ]
    return "\n".join(rows)


CONFIDENCE_START = "<!-- confidence:start (generated by tools/generate_docs.py) -->"
CONFIDENCE_END = "<!-- confidence:end -->"


def confidence_table() -> str:
    """Per procedure file: its sources by confidence and what its inferred sources say was inferred."""
    procedure_set = load_all(ROOT / "procedures")
    ordered = sorted(procedure_set.procedures, key=lambda p: (p.service_number or 99, p.status.value, p.id))
    rows = ["| # | File | Sources (verified / secondary / inferred) | What is inferred |", "|---|---|---|---|"]
    for p in ordered:
        counts = list(confidence_counts(p.sources).values())
        inferred = " ".join(
            (s.note or "").replace("|", "/").replace("\n", " ") for s in p.sources if s.confidence.value == "inferred"
        )
        number = p.service_number or ""
        rows.append(f"| {number} | `{p.id}` | {counts[0]} / {counts[1]} / {counts[2]} | {inferred or 'nothing'} |")
    catalogue = procedure_set.catalogue
    connections = [c for s in catalogue.data_sources for c in s.connections]
    dated = sum(1 for c in connections if c.since is not None)
    rows += [
        "",
        f"Catalogue: {dated} of the {len(connections)} database connections have a known start date; "
        "the others count as in force on any date (see docs/rules.md).",
    ]
    return "\n".join(rows)


def _replace_block(text: str, start: str, end: str, body: str) -> str:
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


def data_page() -> str:
    """docs/data.md with its generated blocks renewed; the rest of the page is written by hand."""
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    text = _replace_block(text, COVERAGE_START, COVERAGE_END, coverage_table())
    return _replace_block(text, CONFIDENCE_START, CONFIDENCE_END, confidence_table())


# --- analysis rules and results -------------------------------------------------------------

DOCS_AS_OF = dt.date(2026, 11, 28)
"""The as-of date of the generated analysis pages, fixed so that they change only with the code or data."""

RULES_INTRO = """# Analysis rules

Generated by `tools/generate_docs.py` from the rule registry (`thutuc.analysis.RULES`); each example
is the first finding of that rule on the shipped procedures, as of {as_of}. Do not edit by hand.

## How the analyzers reason

- **Facts, not document names.** A step `needs` facts about a role (`applicant: [person.residence]`);
  a document type `proves` facts about its holder; a data source `holds` facts and is queried by a
  lookup key, usually `person.id_number`.
- **Reaching a data source.** A procedure reaches a source when one of its agencies (the `agency` of
  its office, officer and system lanes), or an information system one of them works in (the agency's
  `systems` in the catalogue), has a connection in force on the as-of date, or operates the source.
  A connection whose start date is unknown counts as in force; the finding then shows no date.
  `--assume-connected SOURCE[@AGENCY]` adds a connection for what-if questions.
- **The lookup key.** It is known when the applicant declares it on the form (a step of the
  applicant's `provides` it) or when an earlier step establishes it. When nothing in the procedure
  mentions it, the form can ask for it: the finding lists it in `adds_fields`. When the procedure itself
  creates the key later (a newborn's ID number), no lookup by it is possible before that step.
- **Events.** A fact marked `event` in the catalogue (birth, death) reaches the databases only once
  registered. A procedure whose step establishes the event cannot look it up before that step.
- **Earlier steps.** A fact an office or system step establishes earlier in the flow (a lookup the
  procedure already makes, a registration) reaches later steps without the applicant. A lookup counts
  only when its data source is reachable.
- **Removing steps** contracts the flow: each predecessor is joined to each successor. Decisions,
  signatures and steps marked `mandated` are never removed.
- **Before and after.** `thutuc analyze` measures the burden and the readiness verdict twice: as the
  file declares the procedure, and with the opportunities applied (documents and steps removed, fields
  prefilled, and every remedy in place for the readiness verdict). Conditional findings keep their
  document as a fallback, so they do not change the burden.

## Limits

- Facts carry no date: a procedure that needs a person's old residence and registers a new one uses
  the same fact for both. Model such a step carefully: a step that `provides` a non-event fact does not
  block its lookup.
- A document no step `needs` is reported as unnecessary: the finding is only as good as the `needs`
  the file declares. A paper asked for only in some cases (an authorisation letter) should still be
  declared as needed by the step that checks it.
- Critical-path days come from step durations; most shipped procedures give none, and the legal time
  limit stands in for them, so removing steps rarely shows a saving in days.
- Compliance cost counts one page per copy and the lowest declared fee (the low-average principle of
  Circular 02/2017/TT-VPCP, Art. 27); the yearly cost needs the procedure's `volume`.
"""


def _shipped_analysis() -> Any:
    from thutuc.analysis import AnalysisOptions, analyze_set

    return analyze_set(load_all(ROOT / "procedures"), options=AnalysisOptions(as_of=DOCS_AS_OF))


def rules_reference() -> str:
    """docs/rules.md: every rule, its policy, legal ground and a real example."""
    from thutuc.analysis import RULES

    report = _shipped_analysis()
    first: dict[str, tuple[str, Any]] = {}
    for procedure in report.procedures:
        for finding in procedure.findings:
            first.setdefault(finding.rule, (procedure.id, finding))
    titles = {"once-only": "Once-only", "handoffs": "Hand-offs", "online": "Full-online readiness"}
    parts = [RULES_INTRO.format(as_of=DOCS_AS_OF)]
    for analyzer, title in titles.items():
        parts.append(f"## {title}\n")
        for rule in RULES.values():
            if rule.analyzer != analyzer:
                continue
            parts.append(f"### `{rule.id}`: {rule.title}\n\n{rule.policy}\n")
            if rule.legal_basis:
                grounds = []
                for ref in rule.legal_basis:
                    article = f", {ref.article}" if ref.article else ""
                    grounds.append(f"- {ref.document}{article}: {ref.note or ''}")
                parts.append("Legal ground:\n\n" + "\n".join(grounds) + "\n")
            if rule.id in first:
                procedure_id, finding = first[rule.id]
                parts.append(
                    f"Example, `{procedure_id}`, target `{finding.target.id}`:\n\n"
                    f"> {finding.message.en}\n>\n> {finding.message.vi}\n"
                )
            else:
                parts.append(
                    "No shipped procedure triggers this rule; `tests/test_analysis.py` builds small "
                    "procedures where it fires and where it must not.\n"
                )
    return "\n".join(part.rstrip("\n") + "\n" for part in parts)


ANALYSIS_INTRO = """# The 25 services, analyzed

Generated by `tools/generate_docs.py`: `thutuc analyze procedures/ --as-of {as_of}` on the shipped
data. Do not edit by hand; `make demo` writes the same report, as of today, to `build/analysis.md`.

Columns: documents and steps the findings remove, out of those the applicant supplies and the steps
declared; fields the form could prefill; in-person visits on the critical path; the readiness verdict
before and after (after: findings applied and every available remedy in place); the level the file
declares officially; applicant steps that block full online service and those where the law requires
presence; compliance cost per application in VND (Circular 02/2017/TT-VPCP, Art. 27, with the
catalogue's parameters, most of them assumed defaults), and per year in millions of VND where the file
gives the number of applications a year; working days on the critical path.
"""

AGREEMENT_INTRO = """## Agreement with the official reforms

For each baseline, the documents and separate submissions the current version no longer asks for
(forms are merged, not removed, so they are left out), how many of them the findings on the baseline
propose to remove, and the removals the findings propose beyond the reform. `tests/test_analysis_data.py`
pins these figures.

Found {found} of {removed} official removals across the {count} baselines.
"""


def analysis_page() -> str:
    """docs/analysis.md: the summary table over the shipped services and the agreement with the reforms."""
    from thutuc.analysis.report import agreement_markdown, summary_rows

    report = _shipped_analysis()
    rows = summary_rows(report)
    table = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    table += ["| " + " | ".join(row.values()) + " |" for row in rows]
    removed = sum(len(a.officially_removed) for a in report.agreements)
    found = sum(len(a.found) for a in report.agreements)
    return (
        ANALYSIS_INTRO.format(as_of=DOCS_AS_OF)
        + "\n"
        + "\n".join(table)
        + "\n\n"
        + AGREEMENT_INTRO.format(found=found, removed=removed, count=len(report.agreements))
        + "\n"
        + agreement_markdown(report.agreements)
    )


EXAMPLE = ROOT / "examples" / "reform-review"


def example_after() -> str:
    """examples/reform-review/after.yaml: the simplified procedure, as `thutuc simplify` writes it."""
    from thutuc.io import dumps, load_catalogue
    from thutuc.io import load as load_procedure
    from thutuc.transform import simplify

    catalogue = load_catalogue(ROOT / "procedures" / "catalogue")
    before = load_procedure(EXAMPLE / "before.yaml", catalogue=catalogue)
    after = simplify(before, catalogue=catalogue, as_of=DOCS_AS_OF).procedure
    return dumps(after, schema_ref="../../schema/thutuc.schema.json")


def example_review() -> str:
    """examples/reform-review/review.md: the Markdown diff of the review."""
    from thutuc.diff import diff, diff_markdown
    from thutuc.io import load as load_procedure
    from thutuc.io import load_catalogue, loads

    catalogue = load_catalogue(ROOT / "procedures" / "catalogue")
    before = load_procedure(EXAMPLE / "before.yaml", catalogue=catalogue)
    after = loads(example_after(), catalogue=catalogue)
    return diff_markdown(diff(before, after, catalogue=catalogue))


EXAMPLES = {"after.yaml": example_after, "review.md": example_review}

PAGES = {
    "cli.md": cli_reference,
    "errors.md": errors_reference,
    "format.md": format_reference,
    "data.md": data_page,
    "rules.md": rules_reference,
    "analysis.md": analysis_page,
}


def main() -> None:
    for name, generate in PAGES.items():
        write_atomic(ROOT / "docs" / name, generate())
        print(f"wrote docs/{name}")
    for name, generate in EXAMPLES.items():
        write_atomic(EXAMPLE / name, generate())
        print(f"wrote examples/reform-review/{name}")


if __name__ == "__main__":
    main()
