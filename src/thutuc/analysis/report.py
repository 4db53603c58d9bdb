"""Every analyzer on one procedure or a set, the agreement with official reforms, and the report formats.

``analyze`` is the one call most users need; the JSON form follows ``AnalysisReport`` (schema version 1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from pydantic import Field

from thutuc._gc import frozen_for_fork, paused_gc
from thutuc.analysis.burden import Burden, burden
from thutuc.analysis.findings import RULES, AnalysisOptions, Finding, Message, Severity
from thutuc.analysis.handoffs import handoffs, removed_documents
from thutuc.analysis.once_only import once_only
from thutuc.analysis.online import OnlineVerdict, online_findings, online_verdict
from thutuc.graph import shared_flow
from thutuc.io import ProcedureSet, StoredProcedureSet
from thutuc.model import Catalogue, Procedure, ProcedureStatus, StepKind, SubmissionMode
from thutuc.model.common import StrictModel

__all__ = [
    "SCHEMA_VERSION",
    "Agreement",
    "AnalysisReport",
    "ProcedureAnalysis",
    "agreement",
    "agreement_markdown",
    "analysis_json_schema_text",
    "analyze",
    "analyze_set",
    "render_report",
    "report_json",
    "report_markdown",
    "report_text",
    "summary_rows",
]

SCHEMA_VERSION = "1"
_ANALYZER_ORDER = {"once-only": 0, "handoffs": 1, "online": 2}
_RULE_ORDER = {rule_id: index for index, rule_id in enumerate(RULES)}
DIRECTIVE_05_TARGET = 0.2
"""Directive 05/CT-TTg: at least 20% fewer declared fields."""


class ProcedureAnalysis(StrictModel):
    """Everything the analyzers say about one procedure."""

    id: str
    name: Message
    service_number: int | None
    status: str
    file: str | None
    declared_online: str
    """The online level as officially declared in the file."""
    findings: list[Finding]
    burden_before: Burden
    burden_after: Burden
    """The burden once the once-only and hand-off findings are applied."""
    online_before: OnlineVerdict
    online_after: OnlineVerdict
    """The verdict once the findings are applied and every available remedy is in place."""
    declared_fields_cut: float | None
    """Share of declared fields the findings remove; Directive 05/CT-TTg asks for at least 0.2."""

    def count(self, rule: str) -> int:
        """How many findings of ``rule``."""
        return sum(1 for f in self.findings if f.rule == rule)


class Agreement(StrictModel):
    """How far the findings on a baseline cover what the official reform removed."""

    baseline: str
    current: str
    officially_removed: list[str]
    """Baseline documents and submissions the current version no longer asks for."""
    found: list[str]
    """Of those, the ones the findings on the baseline remove."""
    missed: list[str]
    extras: list[str]
    """Removals the findings propose that the reform did not make."""

    @property
    def ratio(self) -> float | None:
        """found / officially removed."""
        return len(self.found) / len(self.officially_removed) if self.officially_removed else None


class AnalysisReport(StrictModel):
    """The analysis of a set of procedures (JSON schema version 1)."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    as_of: dt.date
    assumed_connections: list[str] = Field(default_factory=list)
    rules: list[str] | None = None
    """The rule selection, or ``None`` for every rule."""
    procedures: list[ProcedureAnalysis]
    agreements: list[Agreement] = Field(default_factory=list)


def _sort_key(procedure: Procedure):
    documents = {d.id: i for i, d in enumerate(procedure.documents)}
    steps = {step_id: i for i, step_id in enumerate(shared_flow(procedure).successors)}  # the steps, in order

    def key(finding: Finding) -> tuple[int, int, int, str]:
        position = documents.get(finding.target.id, steps.get(finding.target.id, -1))
        analyzer = _ANALYZER_ORDER[RULES[finding.rule].analyzer]
        return analyzer, _RULE_ORDER[finding.rule], position, finding.target.id

    return key


@paused_gc()
def analyze(
    procedure: Procedure, catalogue: Catalogue, *, options: AnalysisOptions | None = None, file: str | None = None
) -> ProcedureAnalysis:
    """Run every analyzer on ``procedure`` and measure the burden and readiness before and after.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> result = analyze(tiny_procedure(), tiny_catalogue())
    >>> [f.rule for f in result.findings][:3]
    ['once-only.replaceable', 'online.no-remote-channel', 'online.paper-evidence']
    >>> result.burden_before.documents, result.burden_after.documents
    (1, 0)
    """
    options = options or AnalysisOptions()
    everything = AnalysisOptions(options.as_of, options.assume_connected)
    all_once_only = once_only(procedure, catalogue, options=everything)
    all_handoffs = handoffs(procedure, catalogue, options=everything, once_only_findings=all_once_only)
    gone_documents = removed_documents(all_once_only)
    all_online = online_findings(procedure, catalogue, options=everything, removed_documents=gone_documents)
    findings = [f for f in all_once_only + all_handoffs + all_online if options.applies(f.rule)]
    findings.sort(key=_sort_key(procedure))

    applied = [f for f in findings if f.severity is Severity.OPPORTUNITY]
    removed_docs = {f.target.id for f in applied if f.rule in ("once-only.replaceable", "once-only.unnecessary")}
    removed_steps = {f.target.id for f in applied if f.target.kind == "step"}
    removed_fields = {f.target.id for f in applied if f.rule == "once-only.declared-field"}
    added_fields = {field for f in applied for field in f.adds_fields}
    before = burden(procedure, catalogue)
    after = burden(
        procedure,
        catalogue,
        removed_documents=removed_docs,
        removed_steps=removed_steps,
        removed_fields=removed_fields,
        added_fields=added_fields,
    )
    cut = None
    if before.declared_fields:
        cut = (before.declared_fields - after.declared_fields) / before.declared_fields
    return ProcedureAnalysis(
        id=procedure.id,
        name=Message(vi=procedure.name.vi, en=procedure.name.en or procedure.name.vi),
        service_number=procedure.service_number,
        status=procedure.status.value,
        file=file,
        declared_online=procedure.online_status.level.value if procedure.online_status else "unknown",
        findings=findings,
        burden_before=before,
        burden_after=after,
        online_before=online_verdict(procedure, catalogue, options=everything, removed_documents=()),
        online_after=online_verdict(
            procedure,
            catalogue,
            options=everything,
            removed_documents=removed_docs,
            removed_steps=removed_steps,
            remedied=True,
        ),
        declared_fields_cut=cut,
    )


def _supplied_types(procedure: Procedure, catalogue: Catalogue) -> set[str]:
    return {
        t
        for d in procedure.documents
        if d.mode is not SubmissionMode.RETRIEVED
        for alternative in d.alternatives
        for t in alternative
    }


def _primary_submissions(procedure: Procedure) -> list[str]:
    citizens = {a.id for a in procedure.actors if a.kind.value == "citizen"}
    loops = {s.id for s in procedure.steps if any(t.loop for t in s.next)}
    return [
        s.id
        for s in procedure.steps
        if s.actor in citizens and s.kind is StepKind.SUBMIT and s.consumes and s.id not in loops
    ]


def agreement(baseline: Procedure, current: Procedure, catalogue: Catalogue, analysis: ProcedureAnalysis) -> Agreement:
    """Compare the findings on ``baseline`` with what ``current`` officially removed.

    A baseline document counts as officially removed when none of its document types is still
    supplied by the applicant in ``current`` (forms are merged rather than removed, so they are left
    out). A separate submission counts as removed when ``current`` has fewer submissions: the later
    ones go first.
    """
    return _agreement(baseline, current, catalogue, _proposed_removals(analysis))


def _proposed_removals(analysis: ProcedureAnalysis) -> set[str]:
    """The documents and submissions the findings on a procedure propose to remove, as ``kind:id``."""
    return {
        f"{f.target.kind}:{f.target.id}"
        for f in analysis.findings
        if f.rule in ("once-only.replaceable", "once-only.unnecessary", "once-only.conditional")
        or f.rule == "handoff.resubmission"
    }


def _agreement(baseline: Procedure, current: Procedure, catalogue: Catalogue, proposed: set[str]) -> Agreement:
    still_supplied = _supplied_types(current, catalogue)
    removed = []
    for requirement in baseline.documents:
        types = [t for alternative in requirement.alternatives for t in alternative]
        if any(catalogue.document_type[t].declaration for t in types if t in catalogue.document_type):
            continue
        if requirement.mode is not SubmissionMode.RETRIEVED and not set(types) & still_supplied:
            removed.append(f"document:{requirement.id}")
    before_submissions = _primary_submissions(baseline)
    surplus = len(before_submissions) - len(_primary_submissions(current))
    if surplus > 0:
        removed += [f"step:{s}" for s in before_submissions[-surplus:]]
    return Agreement(
        baseline=baseline.id,
        current=current.id,
        officially_removed=removed,
        found=[r for r in removed if r in proposed],
        missed=[r for r in removed if r not in proposed],
        extras=sorted(proposed - set(removed)),
    )


def analyze_set(procedure_set: ProcedureSet, *, options: AnalysisOptions | None = None) -> AnalysisReport:
    """Analyze every procedure of the set, in service-number order, with the baseline agreements.

    Examples
    --------
    >>> from thutuc.io import ProcedureSet
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> report = analyze_set(ProcedureSet(tiny_catalogue(), (tiny_procedure(),)))
    >>> report.schema_version, [p.id for p in report.procedures]
    ('1', ['tiny-certificate'])
    """
    options = options or AnalysisOptions()
    ordered = sorted(procedure_set.procedures, key=lambda p: _order_key(p.id, _place(p)))
    analyses = {
        p.id: analyze(p, procedure_set.catalogue, options=options, file=procedure_set.files.get(p.id)) for p in ordered
    }
    proposed = {p.id: _proposed_removals(analyses[p.id]) for p in ordered if p.status is ProcedureStatus.BASELINE}
    places = [(p.id, _place(p)) for p in ordered]
    agreements = _agreements(places, procedure_set.__getitem__, procedure_set.catalogue, proposed)
    return _report(options, list(analyses.values()), agreements)


def _place(procedure: Procedure) -> tuple[int | None, str]:
    """What places a procedure in a report and pairs a baseline with its current version."""
    return procedure.service_number, procedure.status.value


def _order_key(procedure_id: str, place: tuple[int | None, str]) -> tuple[int, str, str]:
    """Reports list procedures by service number, then status, then id."""
    service_number, status = place
    return service_number or 99, status, procedure_id


def _agreements(
    places: list[tuple[str, tuple[int | None, str]]],
    procedure: Callable[[str], Procedure],
    catalogue: Catalogue,
    proposed: dict[str, set[str]],
) -> list[Agreement]:
    """The agreement of each baseline with the first current version of its service, in report order, given the
    removals proposed; ``procedure`` gives the models of those two only."""
    first_current: dict[int, str] = {}
    for procedure_id, (service_number, status) in places:
        if status == ProcedureStatus.CURRENT.value and service_number is not None:
            first_current.setdefault(service_number, procedure_id)
    agreements = []
    for procedure_id, (service_number, status) in places:
        if status != ProcedureStatus.BASELINE.value or service_number is None:
            continue
        current = first_current.get(service_number)
        if current is not None:
            agreements.append(
                _agreement(procedure(procedure_id), procedure(current), catalogue, proposed[procedure_id])
            )
    return agreements


def _report(
    options: AnalysisOptions, procedures: list[ProcedureAnalysis], agreements: list[Agreement]
) -> AnalysisReport:
    return AnalysisReport(
        as_of=options.as_of,
        assumed_connections=[f"{a.source}@{a.agency}" if a.agency else a.source for a in options.assume_connected],
        rules=sorted(options.rules) if options.rules is not None else None,
        procedures=procedures,
        agreements=agreements,
    )


def analysis_json_schema_text() -> str:
    """The JSON Schema (draft 2020-12) of ``thutuc analyze --format json``, as stable indented text."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "analysis.schema.json",
        "title": f"thutuc analysis report, schema version {SCHEMA_VERSION}",
        **AnalysisReport.model_json_schema(mode="serialization"),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _money(value: float | None) -> str:
    return "–" if value is None else f"{round(value):,}"


def _millions(value: float | None) -> str:
    return "–" if value is None else f"{round(value / 1e6):,}"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{round(value, 1):g}"


def summary_rows(report: AnalysisReport, lang: Literal["vi", "en"] = "en") -> list[dict[str, str]]:
    """One row per procedure: opportunities, blockers and the burden before and after, as display text."""
    return [_summary_row(p) for p in report.procedures]


def _summary_row(p: ProcedureAnalysis) -> dict[str, str]:
    before, after = p.burden_before, p.burden_after
    documents_out = sum(p.count(r) for r in ("once-only.replaceable", "once-only.unnecessary", "once-only.conditional"))
    steps_out = sum(1 for f in p.findings if f.target.kind == "step" and f.severity is Severity.OPPORTUNITY)
    return {
        "#": str(p.service_number or ""),
        "procedure": p.id,
        "version": p.status,
        "documents out": f"{documents_out}/{before.documents}",
        "steps out": f"{steps_out}/{before.steps}",
        "fields out": str(p.count("once-only.declared-field")),
        "visits": f"{before.visits}→{after.visits}",
        "online": f"{p.online_before.level}→{p.online_after.level}",
        "declared": p.declared_online,
        "blockers": str(len(p.online_before.blocking_steps)),
        "legal presence": str(len(p.online_before.legal_presence)),
        "cost VND": f"{_money(before.cost_per_application_vnd)}→{_money(after.cost_per_application_vnd)}",
        "cost/year M VND": f"{_millions(before.cost_per_year_vnd)}→{_millions(after.cost_per_year_vnd)}"
        if before.cost_per_year_vnd is not None
        else "–",
        "days": f"{_days(before.critical_path_days)}→{_days(after.critical_path_days)}",
    }


def _markdown_table(rows: list[dict[str, str]]) -> str:
    if not rows:
        return ""
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row[h].replace("|", "/") for h in header) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _finding_line(finding: Finding, lang: Literal["vi", "en"]) -> str:
    message = finding.message.vi if lang == "vi" else finding.message.en
    return f"- `{finding.rule}` **{finding.target.id}**: {message}"


def _markdown_blocks(parts: Iterable[str]) -> str:
    """Blocks of Markdown, each ending in one line break, separated by a blank line; empty blocks left out."""
    return "\n".join(part.rstrip("\n") + "\n" for part in parts if part.strip())


def agreement_markdown(agreements: list[Agreement]) -> str:
    """The agreement of the findings with the official reforms, as a Markdown table."""
    lines = ["| Baseline | Officially removed | Found | Missed | Extras found |", "|---|---|---|---|---|"]
    for a in agreements:
        lines.append(
            f"| `{a.baseline}` | {len(a.officially_removed)} | {len(a.found)} | "
            f"{', '.join(a.missed) or '–'} | {', '.join(a.extras) or '–'} |"
        )
    return "\n".join(lines) + "\n"


def _procedure_overview(p: ProcedureAnalysis) -> str:
    b, a = p.burden_before, p.burden_after
    cut = "–"
    if p.declared_fields_cut is not None:
        meets = "meets" if p.declared_fields_cut >= DIRECTIVE_05_TARGET else "below"
        cut = f"{p.declared_fields_cut:.0%}, {meets} the 20% of Directive 05/CT-TTg"
    return (
        f"Online: {p.online_before.level} (Decree 42: {p.online_before.decree_42}; declared {p.declared_online}) "
        f"→ {p.online_after.level} once applied. "
        f"Steps {b.steps}→{a.steps}, visits {b.visits}→{a.visits}, documents {b.documents}→{a.documents}, "
        f"declared fields {b.declared_fields}→{a.declared_fields} (cut {cut}), "
        f"cost {_money(b.cost_per_application_vnd)}→{_money(a.cost_per_application_vnd)} VND per application."
    )


# --- the report formats, assembled from what each procedure contributes --------------------------------

ReportFormat = Literal["json", "md", "text"]


@dataclass(frozen=True)
class _Part:
    """What one procedure contributes to a report in one format: its summary row and section, or its JSON data."""

    row: dict[str, str]
    section: str = ""
    data: dict[str, Any] | None = None


def _part(p: ProcedureAnalysis, output_format: ReportFormat, lang: Literal["vi", "en"]) -> _Part:
    if output_format == "json":
        return _Part({}, data=p.model_dump(mode="json"))
    if output_format == "md":
        heading = f"## {p.service_number or ''} {p.name.vi if lang == 'vi' else p.name.en} (`{p.id}`)\n"
        findings = "\n".join(_finding_line(finding, lang) for finding in p.findings) + "\n"
        return _Part(_summary_row(p), _markdown_blocks([heading, _procedure_overview(p) + "\n", findings]))
    lines = ["", f"{p.id} ({p.status}){' — ' + p.file if p.file else ''}", "  " + _procedure_overview(p)]
    for finding in p.findings:
        message = finding.message.vi if lang == "vi" else finding.message.en
        lines.append(f"  {finding.severity.value:<11} {finding.rule:<26} {finding.target.id}: {message}")
    return _Part(_summary_row(p), "\n".join(lines))


def _assemble(
    report: AnalysisReport, parts: list[_Part], output_format: ReportFormat, lang: Literal["vi", "en"]
) -> str:
    """The report in one format from its head (date, options, agreements) and its procedures' parts, in order."""
    if output_format == "json":
        data = report.model_copy(update={"procedures": []}).model_dump(mode="json")
        data["procedures"] = [part.data for part in parts]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    rows = [part.row for part in parts]
    if output_format == "md":
        blocks = [
            "# Analysis\n",
            f"As of {report.as_of}; "
            + (f"assumed connections: {', '.join(report.assumed_connections)}; " if report.assumed_connections else "")
            + (f"rules: {', '.join(report.rules)}." if report.rules else "all rules.")
            + "\n",
            "## Summary\n",
            "Before → after applying the findings. Cost is per application (Circular 02/2017/TT-VPCP, Art. 27), "
            "with the parameters of the catalogue; days are working days on the critical path.\n",
            _markdown_table(rows),
        ]
        if report.agreements:
            blocks += ["## Agreement with the official reforms\n", agreement_markdown(report.agreements)]
        return _markdown_blocks(blocks + [part.section for part in parts])
    lines = [f"as of {report.as_of}", *(part.section for part in parts)]
    if len(parts) > 1:
        widths = {h: max(len(h), *(len(r[h]) for r in rows)) for h in rows[0]}
        lines.append("")
        lines.append("  ".join(h.ljust(widths[h]) for h in widths))
        for row in rows:
            lines.append("  ".join(row[h].ljust(widths[h]) for h in widths))
    for a in report.agreements:
        lines.append(
            f"agreement {a.baseline}: found {len(a.found)}/{len(a.officially_removed)} officially removed; "
            f"extras {len(a.extras)}"
        )
    return "\n".join(lines) + "\n"


def report_json(report: AnalysisReport) -> str:
    """The report as indented JSON (schema: ``schema/analysis.schema.json``)."""
    return _assemble(report, [_part(p, "json", "en") for p in report.procedures], "json", "en")


def report_markdown(report: AnalysisReport, lang: Literal["vi", "en"] = "en") -> str:
    """The report as Markdown: the summary table, the agreements, then each procedure's findings."""
    return _assemble(report, [_part(p, "md", lang) for p in report.procedures], "md", lang)


def report_text(report: AnalysisReport, lang: Literal["vi", "en"] = "en") -> str:
    """The report as plain text, for pipes and logs."""
    return _assemble(report, [_part(p, "text", lang) for p in report.procedures], "text", lang)


# --- analyzing a large set on every core ------------------------------------------------------------

# Below this many procedures per process, starting the processes costs more than they save.
_PROCEDURES_PER_WORKER = 50


class _Kept(NamedTuple):
    """What a report keeps of one procedure: its part, the removals it proposes when it is a baseline, and its
    service number and status, which place it in the report and pair it with its current version."""

    part: _Part
    removals: set[str] | None
    place: tuple[int | None, str]


_Task = tuple[ProcedureSet | StoredProcedureSet, list[str], AnalysisOptions, ReportFormat, Literal["vi", "en"]]
# What the forked processes read: they inherit it instead of receiving a copy.
_FORKED: _Task | None = None


def render_report(
    procedure_set: ProcedureSet | StoredProcedureSet,
    output_format: ReportFormat = "md",
    lang: Literal["vi", "en"] = "en",
    *,
    options: AnalysisOptions | None = None,
    workers: int | None = None,
    parts: dict[str, Any] | None = None,
) -> str:
    """``analyze_set`` written in one format, the same text as ``report_json``, ``report_markdown`` or ``report_text``.

    A large set is analyzed in ``workers`` processes (default: one per core) where the system can fork them:
    each inherits the set, analyzes a share of it and sends back only the text and rows of its share, since
    the analyses themselves cost about as much to send back as to make.

    ``parts``: each procedure's part of earlier reports made by this code, kept under the content key of its
    file (``content_keys``), its path, the options, the format and the language. A procedure whose part is there
    is not analyzed again, nor, from a ``StoredProcedureSet``, read back from the model cache unless a baseline
    agreement compares it. On return ``parts`` holds this report's parts only, to be kept for the
    next.
    """
    global _FORKED
    options = options or AnalysisOptions()
    rules = None if options.rules is None else sorted(options.rules)
    scope = repr((output_format, lang, options.as_of, options.assume_connected, rules))
    ids = procedure_set.ids
    keys = {procedure_id: _part_key(procedure_set, procedure_id, scope) for procedure_id in ids}
    known = parts if parts is not None else {}
    results: dict[str, _Kept] = {}
    for procedure_id, key in keys.items():
        kept = known.get(key) if key is not None else None
        if isinstance(kept, _Kept) and isinstance(kept.part, _Part):
            results[procedure_id] = kept
    missing = [procedure_id for procedure_id in ids if procedure_id not in results]
    workers = workers if workers is not None else os.cpu_count() or 1
    workers = min(workers, len(missing) // _PROCEDURES_PER_WORKER)
    task = (procedure_set, missing, options, output_format, lang)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        size = -(-len(missing) // (workers * 4))
        shares = [list(range(i, min(i + size, len(missing)))) for i in range(0, len(missing), size)]
        _FORKED = task
        try:
            # The processes inherit the whole set, untouched by their collectors.
            with frozen_for_fork():
                context = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                    made = [result for share in pool.map(_forked_share, shares) for result in share]
        finally:
            _FORKED = None
    else:
        made = _share(task, range(len(missing)))
    results.update(zip(missing, made, strict=True))
    if parts is not None:
        parts.clear()
        parts.update((key, results[procedure_id]) for procedure_id, key in keys.items() if key is not None)
    ordered = sorted(ids, key=lambda procedure_id: _order_key(procedure_id, results[procedure_id].place))
    proposed = {i: results[i].removals for i in ordered if results[i].removals is not None}
    places = [(procedure_id, results[procedure_id].place) for procedure_id in ordered]
    head = _report(options, [], _agreements(places, procedure_set.__getitem__, procedure_set.catalogue, proposed))
    return _assemble(head, [results[procedure_id].part for procedure_id in ordered], output_format, lang)


def _part_key(procedure_set: ProcedureSet | StoredProcedureSet, procedure_id: str, scope: str) -> str | None:
    """What a procedure's part of a report is kept under: its file's content key, its path (the part shows it)
    and the report's options, format and language; ``None`` when its content key is not known."""
    content_key = procedure_set.content_keys.get(procedure_id)
    if content_key is None:
        return None
    return hashlib.sha256(f"{content_key}\n{procedure_set.files.get(procedure_id, '')}\n{scope}".encode()).hexdigest()


def _forked_share(indices: list[int]) -> list[_Kept]:
    assert _FORKED is not None, "runs only in a process forked by render_report"
    return _share(_FORKED, indices)


def _share(task: _Task, indices: Iterable[int]) -> list[_Kept]:
    """What the report keeps of the procedures at ``indices`` of the task's list of ids. From a
    ``StoredProcedureSet``, each model is read here and dropped once analyzed."""
    procedure_set, procedure_ids, options, output_format, lang = task
    results = []
    for index in indices:
        procedure = procedure_set[procedure_ids[index]]
        analysis = analyze(
            procedure, procedure_set.catalogue, options=options, file=procedure_set.files.get(procedure.id)
        )
        baseline = procedure.status is ProcedureStatus.BASELINE
        removals = _proposed_removals(analysis) if baseline else None
        results.append(_Kept(_part(analysis, output_format, lang), removals, _place(procedure)))
    return results
