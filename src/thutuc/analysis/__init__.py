"""The analyzers: once-only documents, hand-off steps, full-online readiness, and burden and cost.

Each analyzer is a pure function of a procedure, the catalogue and the options; ``analyze`` runs them all.
"""

from thutuc.analysis.burden import Burden, StepBurden, burden
from thutuc.analysis.findings import (
    RULES,
    AnalysisOptions,
    AssumedConnection,
    Finding,
    Rule,
    Severity,
    select_rules,
)
from thutuc.analysis.handoffs import handoffs
from thutuc.analysis.once_only import once_only
from thutuc.analysis.online import OnlineVerdict, online_findings, online_verdict
from thutuc.analysis.report import (
    Agreement,
    AnalysisReport,
    ProcedureAnalysis,
    analyze,
    analyze_set,
    render_report,
    report_json,
    report_markdown,
    report_text,
    summary_rows,
)

__all__ = [
    "RULES",
    "Agreement",
    "AnalysisOptions",
    "AnalysisReport",
    "AssumedConnection",
    "Burden",
    "Finding",
    "OnlineVerdict",
    "ProcedureAnalysis",
    "Rule",
    "Severity",
    "StepBurden",
    "analyze",
    "analyze_set",
    "burden",
    "handoffs",
    "once_only",
    "online_findings",
    "online_verdict",
    "render_report",
    "report_json",
    "report_markdown",
    "report_text",
    "select_rules",
    "summary_rows",
]
