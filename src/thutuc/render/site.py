"""The HTML report: a static, self-contained site with an index of the services and a page for each.

``build_site`` is pure (files as path → bytes); ``write_site`` writes them atomically. Jinja2 escapes
every piece of text from the files; diagrams and charts are separate SVG files, checked for scripts.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from thutuc.analysis import RULES, AnalysisOptions, ProcedureAnalysis, Severity, analyze_set
from thutuc.analysis.report import Agreement
from thutuc.io import ProcedureSet, write_atomic
from thutuc.model import Catalogue, LegalRef, Procedure, ProcedureStatus
from thutuc.render.charts import ChartRow, bar_chart, paired_bar_chart
from thutuc.render.output import RenderError
from thutuc.summary import confidence_counts
from thutuc.transform import Simplified, simplify

__all__ = ["CONTENT_SECURITY_POLICY", "LANGS", "ServicePage", "build_site", "checked_svg", "page_path", "write_site"]

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
"""Vietnamese pages carry the plain names (``index.html``), English ones add ``.en``."""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'"
)
"""Only the report's own files load; no inline script or style, no request elsewhere."""

_LEVELS = {
    "offline": ("ngoại tuyến", "offline"),
    "partial": ("một phần", "partial"),
    "full": ("toàn trình", "full online"),
    "proactive": ("chủ động", "proactive"),
}
_LEVEL_ORDER = {level: index for index, level in enumerate(_LEVELS)}
_SEVERITIES = {
    Severity.OPPORTUNITY: ("Có thể bỏ hoặc đơn giản hóa", "What can go"),
    Severity.BLOCKER: ("Cản trở dịch vụ công trực tuyến toàn trình", "What blocks full online service"),
    Severity.INFO: ("Giữ lại, và lý do", "What stays, and why"),
}
_CONFIDENCE = {
    "verified": ("đã kiểm chứng", "verified"),
    "secondary": ("thứ cấp", "secondary"),
    "inferred": ("suy luận", "inferred"),
}
_BLOCKER_NAMES = {
    "online.presence-by-law": ("có mặt theo luật", "presence by law"),
    "online.presence": ("có mặt, không căn cứ", "presence, no legal ground"),
    "online.no-remote-channel": ("không làm từ xa được", "no remote channel"),
    "online.wet-signature": ("ký tay", "wet signature"),
    "online.cash": ("tiền mặt", "cash"),
    "online.paper-evidence": ("giấy tờ bản giấy", "paper evidence"),
    "online.result-not-remote": ("nhận kết quả trực tiếp", "result in person"),
    "online.no-acknowledgement": ("không xác nhận đã nhận", "no acknowledgement"),
    "online.no-completion-notice": ("không báo hoàn thành", "no completion notice"),
}
"""Short names of the blockers, for the index's findings column."""
_DOCUMENT_RULES = ("once-only.replaceable", "once-only.unnecessary", "once-only.conditional")
_SAFE_SCHEMES = ("https://", "http://")


def page_path(base: str, lang: Lang) -> str:
    """``index.html`` for Vietnamese, ``index.en.html`` for English."""
    return f"{base}.html" if lang == "vi" else f"{base}.en.html"


@dataclass(frozen=True)
class ServicePage:
    """One service of the report: its current version, the analysis, the simplification, the reform."""

    procedure: Procedure
    analysis: ProcedureAnalysis
    simplified: Simplified
    baseline: Procedure | None = None
    """The version before the official reform, when one is modelled."""
    agreement: Agreement | None = None

    @property
    def id(self) -> str:
        return self.procedure.id


def _services(procedure_set: ProcedureSet, options: AnalysisOptions) -> list[ServicePage]:
    """Current versions, each with its baseline, and any baseline whose current version is not in the set."""
    report = analyze_set(procedure_set, options=options)
    analyses = {a.id: a for a in report.procedures}
    agreements = {a.current: a for a in report.agreements}
    ordered = sorted(procedure_set.procedures, key=lambda p: (p.service_number or 99, p.status.value, p.id))
    current_numbers = {
        p.service_number for p in ordered if p.status is ProcedureStatus.CURRENT and p.service_number is not None
    }
    baselines = {
        p.service_number: p for p in ordered if p.status is ProcedureStatus.BASELINE and p.service_number is not None
    }
    pages = []
    for procedure in ordered:
        if procedure.status is ProcedureStatus.BASELINE and procedure.service_number in current_numbers:
            continue
        has_reform = procedure.status is ProcedureStatus.CURRENT and procedure.service_number in baselines
        simplified = simplify(
            procedure,
            catalogue=procedure_set.catalogue,
            as_of=options.as_of,
            assume_connected=options.assume_connected,
        )
        pages.append(
            ServicePage(
                procedure,
                analyses[procedure.id],
                simplified,
                baselines[procedure.service_number] if has_reform else None,
                agreements.get(procedure.id),
            )
        )
    return pages


# --- diagrams ----------------------------------------------------------------------------------

_FORBIDDEN_SVG = {"script", "foreignObject", "iframe", "embed", "object"}


def checked_svg(content: bytes, name: str) -> bytes:
    """``content`` unchanged, after checking it can run nothing when opened on its own.

    Raises
    ------
    RenderError
        If the SVG holds a script, an event handler or a ``javascript:`` link.
    """
    for element in ET.fromstring(content).iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in _FORBIDDEN_SVG:
            raise RenderError(f"{name}: the diagram holds a <{tag}> element; refusing to publish it")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or value.strip().lower().startswith("javascript:"):
                raise RenderError(f"{name}: the diagram holds an active attribute '{local}'; refusing to publish it")
    return content


def _shown_size(svg: bytes) -> tuple[int, int]:
    """The size to show a Graphviz SVG at when zoomed: one CSS pixel per point, 3/4 of its natural size,
    which keeps 11 pt labels readable and the diagram as small as that allows."""
    root = ET.fromstring(svg)
    width, height = (float((root.get(side) or "0").removesuffix("pt")) for side in ("width", "height"))
    return round(width), round(height)


def _diagram_files(pages: list[ServicePage], catalogue: Catalogue, workers: int | None) -> dict[str, bytes]:
    from thutuc.render.batch import RenderJob, render_jobs

    planned: list[tuple[str, RenderJob]] = []
    for page in pages:
        for lang in LANGS:
            after = page.simplified.procedure
            for view in ("before-after", "diff"):
                job = RenderJob(page.procedure, catalogue, view, "svg", lang, after)  # type: ignore[arg-type]
                planned.append((f"diagrams/{page.id}-{view}.{lang}.svg", job))
            if page.baseline is not None:
                job = RenderJob(page.baseline, catalogue, "diff", "svg", lang, page.procedure)
                planned.append((f"diagrams/{page.id}-reform.{lang}.svg", job))
    diagrams = render_jobs([job for _, job in planned], workers=workers)
    return {path: checked_svg(d.content, path) for (path, _), d in zip(planned, diagrams, strict=True)}


# --- words and numbers -------------------------------------------------------------------------


def _number(value: float | None, lang: Lang, digits: int = 0) -> str:
    """Thousands grouped the way each language writes them; '–' when unknown."""
    if value is None:
        return "–"
    text = f"{round(value, digits):,.{digits}f}" if digits else f"{round(value):,}"
    if digits:
        text = text.rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text


def _name(name: Any, lang: Lang) -> str:
    return name.en if lang == "en" and getattr(name, "en", None) else name.vi


@dataclass(frozen=True)
class Metric:
    """One burden measure before and after, as display text, with the saving to sort by."""

    key: str
    label: str
    before: str
    after: str
    saving: float | None


_METRICS: list[tuple[str, tuple[str, str], int]] = [
    ("documents", ("Giấy tờ người dân nộp", "Documents supplied"), 0),
    ("visits", ("Lần đến cơ quan", "In-person visits"), 0),
    ("critical_path_days", ("Ngày làm việc", "Working days"), 1),
    ("cost_per_application_vnd", ("Chi phí mỗi hồ sơ (đồng)", "Cost per application (VND)"), 0),
    ("steps", ("Bước", "Steps"), 0),
    ("citizen_steps", ("Bước của người dân", "Applicant's steps"), 0),
    ("declared_fields", ("Thông tin phải kê khai", "Fields to declare"), 0),
    ("handoffs", ("Lần chuyển hồ sơ giữa cơ quan", "Hand-offs between agencies"), 0),
    ("cost_per_year_vnd", ("Chi phí mỗi năm (đồng)", "Cost per year (VND)"), 0),
]
_INDEX_METRICS = 4
"""The first four measures are the index columns; the procedure page shows them all."""


def _metrics(analysis: ProcedureAnalysis, lang: Lang) -> list[Metric]:
    metrics = []
    for key, words, digits in _METRICS:
        before = getattr(analysis.burden_before, key)
        after = getattr(analysis.burden_after, key)
        saving = None if before is None or after is None else before - after
        label = words[0] if lang == "vi" else words[1]
        metrics.append(Metric(key, label, _number(before, lang, digits), _number(after, lang, digits), saving))
    return metrics


def _main_findings(analysis: ProcedureAnalysis, lang: Lang) -> list[str]:
    """A few lines for the index: what can go, and what blocks full online."""
    vi = lang == "vi"
    opportunities = [f for f in analysis.findings if f.severity is Severity.OPPORTUNITY]
    documents = sum(1 for f in opportunities if f.rule in _DOCUMENT_RULES)
    steps = sum(1 for f in opportunities if f.target.kind == "step")
    fields = sum(1 for f in opportunities if f.rule == "once-only.declared-field")
    lines = []
    parts = []
    if documents:
        parts.append(f"{documents} giấy tờ" if vi else f"{documents} document{'s' * (documents != 1)}")
    if steps:
        parts.append(f"{steps} bước" if vi else f"{steps} step{'s' * (steps != 1)}")
    if fields:
        parts.append(f"{fields} thông tin kê khai" if vi else f"{fields} declared field{'s' * (fields != 1)}")
    if parts:
        lines.append(("Có thể bỏ: " if vi else "Can go: ") + ", ".join(parts))
    blockers: dict[str, int] = {}
    for finding in analysis.findings:
        if finding.severity is Severity.BLOCKER:
            blockers[finding.rule] = blockers.get(finding.rule, 0) + 1
    if blockers:
        kinds = ", ".join(
            _BLOCKER_NAMES.get(rule, (rule, rule))[0 if vi else 1] + (f" ×{count}" if count > 1 else "")
            for rule, count in blockers.items()
        )
        lines.append(("Cản trở toàn trình: " if vi else "Blocks full online: ") + kinds)
    if not lines:
        lines.append("Không có gì để bỏ, không có cản trở" if vi else "Nothing to remove, no blocker")
    return lines


def _rule_title(rule_id: str, lang: Lang) -> str:
    rule = RULES[rule_id]
    return rule.title_vi if lang == "vi" and rule.title_vi else rule.title


def _safe_url(url: str | None) -> str | None:
    """The URL when it is a web address; anything else (``javascript:``, ``data:``) is shown as text only."""
    if url is None:
        return None
    stripped = url.strip()
    return stripped if stripped.lower().startswith(_SAFE_SCHEMES) else None


def _legal(refs: list[LegalRef]) -> list[dict[str, str | None]]:
    return [
        {
            "text": ref.document + (f", {ref.article}" if ref.article else ""),
            "title": ref.title,
            "note": ref.note,
            "url": _safe_url(ref.url),
        }
        for ref in refs
    ]


# --- charts ------------------------------------------------------------------------------------


def _chart_files(pages: list[ServicePage]) -> dict[str, bytes]:
    """Readiness, blockers by kind, and documents, visits and cost before and after, in each language."""
    files = {}
    for lang in LANGS:
        legend = (_words(lang, "before"), _words(lang, "after"))

        def label(page: ServicePage, lang: Lang = lang) -> str:
            return f"{page.procedure.service_number or '–'}. {_name(page.procedure.name, lang)}"

        def count(value: float, lang: Lang = lang) -> str:
            return _number(value, lang)

        for key, metric in (("cost", "cost_per_application_vnd"), ("visits", "visits"), ("documents", "documents")):
            rows = [
                ChartRow(
                    label(p),
                    getattr(p.analysis.burden_before, metric),
                    getattr(p.analysis.burden_after, metric),
                    tooltip=label(p),
                )
                for p in pages
            ]
            svg = paired_bar_chart(
                _words(lang, f"chart_{key}"), rows, legend=legend, value_format=count, unknown=_words(lang, "unknown")
            )
            files[f"charts/{key}.{lang}.svg"] = svg.encode()
        readiness = [
            ChartRow(
                _LEVELS[level][0 if lang == "vi" else 1],
                sum(1 for p in pages if p.analysis.online_before.level == level),
                sum(1 for p in pages if p.analysis.online_after.level == level),
            )
            for level in _LEVELS
        ]
        files[f"charts/readiness.{lang}.svg"] = paired_bar_chart(
            _words(lang, "chart_readiness"), readiness, legend=legend, value_format=count
        ).encode()
        affected: dict[str, int] = {}
        for page in pages:
            for rule in dict.fromkeys(f.rule for f in page.analysis.findings if f.severity is Severity.BLOCKER):
                affected[rule] = affected.get(rule, 0) + 1
        blockers = [
            ChartRow(_rule_title(rule, lang), services, tooltip=f"{_rule_title(rule, lang)} ({rule})")
            for rule, services in sorted(affected.items(), key=lambda item: (-item[1], item[0]))
        ]
        files[f"charts/blockers.{lang}.svg"] = bar_chart(
            _words(lang, "chart_blockers"), blockers, value_format=count
        ).encode()
    return files


# --- pages -------------------------------------------------------------------------------------

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Thủ tục hành chính: hiện trạng và cải cách", "Administrative procedures: where they stand"),
    "intro": (
        "Mỗi dòng là một dịch vụ công thiết yếu: mức độ trực tuyến, giấy tờ, số lần đến cơ quan, số ngày và chi "
        "phí, trước → sau khi áp dụng các phát hiện (bỏ giấy tờ Nhà nước đã có, bỏ bước chỉ chuyển hồ sơ). "
        "Bấm tên dịch vụ để xem sơ đồ, phát hiện, căn cứ pháp lý và nguồn dữ liệu.",
        "One row per essential public service: readiness for full online service, documents, visits, days and "
        "cost, before → after applying the findings (dropping documents the state holds, removing steps that only "
        "move the dossier). Open a service for its diagrams, findings, legal grounds and sources.",
    ),
    "as_of": ("Kết nối cơ sở dữ liệu tính đến ngày", "Database connections in force on"),
    "other_lang": ("English", "Tiếng Việt"),
    "other_lang_name": ("Read in English", "Đọc bằng tiếng Việt"),
    "services": ("dịch vụ", "services"),
    "before": ("Trước", "Before"),
    "after": ("Sau", "After"),
    "unknown": ("chưa rõ", "unknown"),
    "number": ("STT", "#"),
    "service": ("Dịch vụ", "Service"),
    "services_heading": ("Các dịch vụ", "The services"),
    "readiness": ("Mức độ trực tuyến", "Online readiness"),
    "main_findings": ("Phát hiện chính", "Main findings"),
    "filter": ("Lọc theo tên", "Filter by name"),
    "filter_level": ("Mức độ sau cải cách", "Readiness after"),
    "all_levels": ("Tất cả", "All"),
    "shown": ("Hiển thị {shown}/{total} dịch vụ", "Showing {shown} of {total} services"),
    "sort_hint": (
        "Bấm tiêu đề cột để sắp xếp; cột trước → sau sắp xếp theo mức giảm.",
        "Click a column heading to sort; before → after columns sort by the saving.",
    ),
    "totals": ("Tổng quan", "At a glance"),
    "full_online": ("Dịch vụ trực tuyến toàn trình", "Services fully online"),
    "documents_total": ("Giấy tờ phải nộp, cộng tất cả dịch vụ", "Documents supplied, all services"),
    "visits_total": ("Lần đến cơ quan, cộng tất cả dịch vụ", "In-person visits, all services"),
    "cost_total": (
        "Chi phí mỗi hồ sơ, cộng {known}/{total} dịch vụ đã biết (đồng)",
        "Cost per application, summed over the {known} of {total} services where it is known (VND)",
    ),
    "charts": ("Biểu đồ", "Charts"),
    "chart_readiness": ("Số dịch vụ theo mức độ trực tuyến", "Services by online readiness"),
    "chart_blockers": ("Cản trở trực tuyến toàn trình: số dịch vụ gặp", "Blockers to full online: services affected"),
    "chart_documents": ("Giấy tờ người dân nộp", "Documents the applicant supplies"),
    "chart_visits": ("Số lần đến cơ quan", "In-person visits"),
    "chart_cost": ("Chi phí tuân thủ mỗi hồ sơ (đồng)", "Compliance cost per application (VND)"),
    "open_full": ("Mở ảnh đầy đủ", "Open full size"),
    "zoom_in": ("Phóng to tại chỗ", "Zoom in here"),
    "zoom_out": ("Vừa chiều ngang", "Fit to width"),
    "all_services": ("Tất cả dịch vụ", "All services"),
    "code": ("Mã thủ tục", "Code"),
    "level": ("Cấp thực hiện", "Level"),
    "agency": ("Cơ quan có thẩm quyền", "Competent agency"),
    "key_figures": ("Số liệu chính", "Key figures"),
    "measure": ("Chỉ số", "Measure"),
    "change": ("Giảm", "Saving"),
    "diagrams": ("Sơ đồ", "Diagrams"),
    "before_after": ("Trước và sau khi đơn giản hóa", "Before and after simplification"),
    "before_after_caption": (
        "Bên trái: thủ tục như hiện nay. Bên phải: sau khi áp dụng các phát hiện.",
        "Left: the procedure as it is. Right: with the findings applied.",
    ),
    "diff": ("Sơ đồ thay đổi", "What changes, in one diagram"),
    "diff_caption": (
        "+ thêm (xanh, nét đậm), − bỏ (cam, nét đứt, gạch ngang), ~ thay đổi (vàng), xám: giữ nguyên.",
        "+ added (green, bold), − removed (orange, dashed, struck out), ~ changed (amber), grey: unchanged.",
    ),
    "findings": ("Phát hiện", "Findings"),
    "target": ("Đối tượng", "Target"),
    "facts": ("Thông tin", "Facts"),
    "data_sources": ("Cơ sở dữ liệu", "Data sources"),
    "connected_via": ("Kết nối qua", "Connected via"),
    "connected_since": ("Kết nối từ", "Connected since"),
    "condition": ("Điều kiện", "Condition"),
    "fallback": ("Phương án dự phòng", "Fallback"),
    "reason": ("Lý do (tiếng Anh)", "Reason"),
    "remedy": ("Cách khắc phục (tiếng Anh)", "Remedy"),
    "legal_basis": ("Căn cứ pháp lý", "Legal basis"),
    "saving": ("Tiết kiệm", "Saving"),
    "no_findings": ("Không có.", "None."),
    "trace": ("Các bước đơn giản hóa", "How the simplification was made"),
    "trace_intro": (
        "Mỗi thay đổi và phát hiện dẫn đến nó, theo thứ tự áp dụng (chi tiết bằng tiếng Anh).",
        "Each change and the finding that made it, in the order applied.",
    ),
    "rule": ("Quy tắc", "Rule"),
    "change_kind": ("Thay đổi", "Change"),
    "detail": ("Chi tiết", "Detail"),
    "no_trace": ("Không có thay đổi nào.", "Nothing changed."),
    "reform": ("Cải cách chính thức", "The official reform"),
    "reform_intro": (
        "So sánh phiên bản trước cải cách ({baseline}) với phiên bản hiện hành.",
        "The version before the reform ({baseline}) compared with the current one.",
    ),
    "agreement": (
        "Các phát hiện trên phiên bản cũ tìm ra {found}/{removed} giấy tờ và lần nộp mà cải cách đã bỏ.",
        "The findings on the earlier version find {found} of the {removed} documents and submissions the reform "
        "removed.",
    ),
    "missed": ("Chưa tìm ra", "Not found"),
    "sources": ("Nguồn dữ liệu và độ tin cậy", "Sources and their confidence"),
    "sources_summary": (
        "{verified} đã kiểm chứng, {secondary} thứ cấp, {inferred} suy luận.",
        "{verified} verified, {secondary} secondary, {inferred} inferred.",
    ),
    "confidence": ("Độ tin cậy", "Confidence"),
    "read_on": ("Ngày đọc", "Read on"),
    "note": ("Ghi chú", "Note"),
    "source": ("Nguồn", "Source"),
    "generated": ("Tạo bởi thutuc {version}", "Made by thutuc {version}"),
    "skip": ("Bỏ qua, đến nội dung", "Skip to content"),
}


def _words(lang: Lang, key: str) -> str:
    vi, en = _WORDS[key]
    return vi if lang == "vi" else en


def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("thutuc.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals["csp"] = CONTENT_SECURITY_POLICY
    return environment


def _common(lang: Lang, as_of: dt.date, version: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "t": lambda key, **values: _words(lang, key).format(**values) if values else _words(lang, key),
        "as_of": as_of.isoformat(),
        "version": version,
        "level_name": lambda level: _LEVELS[level][0 if lang == "vi" else 1],
        "number": lambda value, digits=0: _number(value, lang, digits),
    }


def _index_row(page: ServicePage, lang: Lang) -> dict[str, Any]:
    analysis = page.analysis
    before, after = analysis.online_before.level, analysis.online_after.level
    procedure = page.procedure
    return {
        "page": page,
        "number": procedure.service_number,
        "name": _name(procedure.name, lang),
        "other_name": procedure.name.vi if lang == "en" else (procedure.name.en or ""),
        "href": page_path(f"services/{page.id}", lang),
        "readiness_before": before,
        "readiness_after": after,
        "readiness_sort": _LEVEL_ORDER[after] * 10 + _LEVEL_ORDER[before],
        "metrics": _metrics(analysis, lang)[:_INDEX_METRICS],
        "findings": _main_findings(analysis, lang),
        "search": " ".join([procedure.id, procedure.name.vi, procedure.name.en or ""]).lower(),
    }


def _totals(pages: list[ServicePage], lang: Lang) -> list[tuple[str, str, str]]:
    def total(metric: str, side: str) -> float | None:
        values = [getattr(getattr(p.analysis, f"burden_{side}"), metric) for p in pages]
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    full = ("full", "proactive")
    known_cost = [
        p
        for p in pages
        if p.analysis.burden_before.cost_per_application_vnd is not None
        and p.analysis.burden_after.cost_per_application_vnd is not None
    ]
    cost_before = sum(p.analysis.burden_before.cost_per_application_vnd or 0 for p in known_cost)
    cost_after = sum(p.analysis.burden_after.cost_per_application_vnd or 0 for p in known_cost)
    return [
        (
            _words(lang, "full_online"),
            f"{sum(1 for p in pages if p.analysis.online_before.level in full)}/{len(pages)}",
            f"{sum(1 for p in pages if p.analysis.online_after.level in full)}/{len(pages)}",
        ),
        (
            _words(lang, "documents_total"),
            _number(total("documents", "before"), lang),
            _number(total("documents", "after"), lang),
        ),
        (
            _words(lang, "visits_total"),
            _number(total("visits", "before"), lang),
            _number(total("visits", "after"), lang),
        ),
        (
            _words(lang, "cost_total").format(known=len(known_cost), total=len(pages)),
            _number(cost_before, lang),
            _number(cost_after, lang),
        ),
    ]


def _finding_view(finding: Any, catalogue: Catalogue, lang: Lang) -> dict[str, Any]:
    justification = finding.justification
    sources = [
        f"{_name(catalogue.data_source[s].name, lang)} ({s})" if s in catalogue.data_source else s
        for s in justification.data_sources
    ]
    saving = {
        key: value
        for key, value in finding.saving.model_dump().items()
        if value and key not in ("cost_vnd", "working_days")
    }
    labels = {key: words[0 if lang == "vi" else 1] for key, words, _ in _METRICS}
    labels["working_days"] = labels["critical_path_days"]
    saving_text = ", ".join(f"{labels.get(key, key).lower()} {value:g}" for key, value in saving.items())
    if finding.saving.working_days:
        saving_text += (
            ", " if saving_text else ""
        ) + f"{labels['working_days'].lower()} {finding.saving.working_days:g}"
    if finding.saving.cost_vnd:
        saving_text += (", " if saving_text else "") + f"{_number(finding.saving.cost_vnd, lang)} VND"
    details = [
        ("facts", ", ".join(justification.facts)),
        ("data_sources", ", ".join(sources)),
        ("connected_via", ", ".join(justification.connected_via)),
        ("connected_since", justification.connected_since.isoformat() if justification.connected_since else ""),
        ("condition", justification.condition or ""),
        ("fallback", justification.fallback or ""),
        ("reason", justification.reason or ""),
        ("remedy", justification.remedy or ""),
        ("saving", saving_text),
    ]
    return {
        "rule": finding.rule,
        "title": _rule_title(finding.rule, lang),
        "target": f"{finding.target.kind}: {finding.target.id}",
        "message": finding.message.vi if lang == "vi" else finding.message.en,
        "details": [(_words(lang, key), value) for key, value in details if value],
        "legal": _legal(list(justification.legal_basis)),
    }


def _service_context(
    page: ServicePage, catalogue: Catalogue, lang: Lang, sizes: Mapping[str, tuple[int, int]]
) -> dict[str, Any]:
    procedure, analysis = page.procedure, page.analysis

    def diagram(view: str) -> dict[str, Any]:
        path = f"diagrams/{page.id}-{view}.{lang}.svg"
        width, height = sizes[path]
        return {"src": f"../{path}", "width": width, "height": height}

    agency = procedure.actor.get(procedure.agency)
    groups = []
    for severity in (Severity.OPPORTUNITY, Severity.BLOCKER, Severity.INFO):
        findings = [_finding_view(f, catalogue, lang) for f in analysis.findings if f.severity is severity]
        groups.append(
            {"severity": severity.value, "title": _SEVERITIES[severity][0 if lang == "vi" else 1], "items": findings}
        )
    reform = None
    if page.baseline is not None:
        agreement = page.agreement
        reform = {
            "baseline": page.baseline.id,
            "diagram": diagram("reform"),
            "found": len(agreement.found) if agreement else None,
            "removed": len(agreement.officially_removed) if agreement else None,
            "missed": agreement.missed if agreement else [],
        }
    counts = confidence_counts(procedure.sources)
    return {
        "name": _name(procedure.name, lang),
        "other_name": procedure.name.vi if lang == "en" else (procedure.name.en or ""),
        "procedure": procedure,
        "agency": _name(agency.name, lang) if agency else procedure.agency,
        "readiness_before": analysis.online_before.level,
        "readiness_after": analysis.online_after.level,
        "metrics": _metrics(analysis, lang),
        "diagrams": {"before_after": diagram("before-after"), "diff": diagram("diff")},
        "groups": groups,
        "trace": page.simplified.trace,
        "reform": reform,
        "legal": _legal(list(procedure.legal_basis)),
        "counts": counts,
        "sources": [
            {
                "url": source.url,
                "href": _safe_url(source.url),
                "confidence": source.confidence.value,
                "confidence_name": _CONFIDENCE[source.confidence.value][0 if lang == "vi" else 1],
                "read_on": source.read_on.isoformat() if source.read_on else "",
                "note": source.note or "",
            }
            for source in procedure.sources
        ],
        "index": "../" + page_path("index", lang),
        "other_page": page_path(page.id, "en" if lang == "vi" else "vi"),
    }


def _static_files() -> dict[str, bytes]:
    folder = resources.files("thutuc.render") / "static"
    return {f"assets/{entry.name}": entry.read_bytes() for entry in folder.iterdir() if entry.is_file()}


def build_site(
    procedure_set: ProcedureSet,
    *,
    options: AnalysisOptions | None = None,
    workers: int | None = None,
) -> dict[str, bytes]:
    """Every file of the report, by path relative to the report's folder.

    One row and one page (in Vietnamese and in English) per service: the current version of each
    service, with its baseline as the official reform when the set has one; a baseline whose current
    version is not in the set stands as a service of its own.

    Raises
    ------
    thutuc.render.RenderError
        If no Graphviz renderer is available, or a diagram could run a script.
    """
    from importlib.metadata import version

    options = options or AnalysisOptions()
    pages = _services(procedure_set, options)
    catalogue = procedure_set.catalogue
    environment = _environment()
    files = _static_files()
    files.update(_chart_files(pages))
    diagrams = _diagram_files(pages, catalogue, workers)
    files.update(diagrams)
    sizes = {path: _shown_size(svg) for path, svg in diagrams.items()}
    for lang in LANGS:
        common = _common(lang, options.as_of, version("thutuc"))
        index = environment.get_template("index.html").render(
            **common,
            root="",
            other_page=page_path("index", "en" if lang == "vi" else "vi"),
            rows=[_index_row(page, lang) for page in pages],
            totals=_totals(pages, lang),
            levels=list(_LEVELS),
            charts=[
                (f"charts/{key}.{lang}.svg", _words(lang, f"chart_{key}"))
                for key in ("readiness", "blockers", "documents", "visits", "cost")
            ],
        )
        files[page_path("index", lang)] = index.encode()
        for page in pages:
            html = environment.get_template("service.html").render(
                **common, root="../", **_service_context(page, catalogue, lang, sizes)
            )
            files[page_path(f"services/{page.id}", lang)] = html.encode()
    return files


def write_site(files: Mapping[str, bytes], folder: str | Path) -> None:
    """Write every file of the site under ``folder``, each atomically."""
    root = Path(folder)
    for relative, content in files.items():
        write_atomic(root / relative, content)
