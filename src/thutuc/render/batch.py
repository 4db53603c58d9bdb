"""Render many procedures at once, in parallel where it helps, and write an index of the diagrams.

Which version a view compares with: a baseline with its current version (the official reform), a
current version with its simplification (what the findings would change), unless told otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from thutuc.model import Catalogue, Procedure, ProcedureStatus
from thutuc.render.labels import Lang

__all__ = ["OUTPUT_FORMATS", "VIEWS", "Diagram", "RenderJob", "diagram_index", "plan", "render_job", "render_jobs"]

VIEWS = ("current", "simplified", "before-after", "diff")
OUTPUT_FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
_SUFFIX = {"svg": ".svg", "png": ".png", "pdf": ".pdf", "dot": ".dot", "mermaid": ".mmd"}

View = Literal["current", "simplified", "before-after", "diff"]


@dataclass(frozen=True)
class RenderJob:
    """One diagram to make: the procedure, what it is compared with, the view and the format."""

    procedure: Procedure
    catalogue: Catalogue
    view: View = "current"
    output_format: str = "svg"
    lang: Lang = "en"
    other: Procedure | None = None
    """The other side of a before-after or diff view; the simplification when not given."""
    as_of: dt.date | None = None
    target: Path | None = None


@dataclass(frozen=True)
class Diagram:
    """A rendered diagram and where it was written."""

    procedure: Procedure
    view: str
    target: Path | None
    content: bytes


def render_job(job: RenderJob) -> Diagram:
    """Build and render one diagram; writes it to ``job.target`` atomically when one is given.

    Raises
    ------
    thutuc.render.RenderError
        If a binary format is asked for and no Graphviz renderer is available.
    """
    from thutuc.io import write_atomic
    from thutuc.render.dot import before_after_dot, diff_dot, procedure_dot
    from thutuc.render.mermaid import before_after_mermaid, diff_mermaid, procedure_mermaid
    from thutuc.render.output import render_dot
    from thutuc.transform import simplify

    procedure, catalogue = job.procedure, job.catalogue
    other = job.other
    if other is None and job.view != "current":
        other = simplify(procedure, catalogue=catalogue, as_of=job.as_of).procedure
    shown = other if job.view == "simplified" and other is not None else procedure
    if job.output_format == "mermaid":
        if job.view == "before-after" and other is not None:
            text = before_after_mermaid(procedure, other, catalogue, lang=job.lang)
        elif job.view == "diff" and other is not None:
            text = diff_mermaid(procedure, other, catalogue, lang=job.lang)
        else:
            text = procedure_mermaid(shown, catalogue, lang=job.lang)
        content = text.encode()
    else:
        if job.view in ("current", "simplified") or other is None:
            source = procedure_dot(shown, catalogue, lang=job.lang)
        elif job.view == "before-after":
            source = before_after_dot(procedure, other, catalogue, lang=job.lang)
        else:
            source = diff_dot(procedure, other, catalogue, lang=job.lang)
        content = source.encode() if job.output_format == "dot" else render_dot(source, job.output_format)
    if job.target is not None:
        write_atomic(job.target, content)
    return Diagram(procedure, job.view, job.target, content)


def plan(
    procedures: Iterable[Procedure],
    catalogue: Catalogue,
    folder: Path,
    *,
    view: View,
    output_format: str,
    lang: Lang = "en",
    as_of: dt.date | None = None,
    all_procedures: Iterable[Procedure] = (),
) -> list[RenderJob]:
    """One job per procedure, written to ``folder/<id>-<view>.<ext>``.

    A baseline is compared with the current version of the same service when ``all_procedures``
    has one; any other procedure with its simplification.
    """
    current = {
        p.service_number: p
        for p in all_procedures
        if p.status is ProcedureStatus.CURRENT and p.service_number is not None
    }
    jobs = []
    for procedure in procedures:
        other = None
        if procedure.status is ProcedureStatus.BASELINE and view in ("before-after", "diff"):
            other = current.get(procedure.service_number)
        target = folder / f"{procedure.id}-{view}{_SUFFIX[output_format]}"
        jobs.append(RenderJob(procedure, catalogue, view, output_format, lang, other, as_of, target))
    return jobs


def render_jobs(
    jobs: list[RenderJob], *, workers: int | None = None, progress: Callable[[int, int], None] | None = None
) -> list[Diagram]:
    """Render every job, in separate processes when there are several jobs and cores; in job order."""
    workers = workers if workers is not None else min(len(jobs), os.cpu_count() or 1)
    done: list[Diagram] = []
    if workers <= 1 or len(jobs) <= 2:
        for job in jobs:
            done.append(render_job(job))
            if progress:
                progress(len(done), len(jobs))
        return done
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for diagram in pool.map(render_job, jobs, chunksize=max(1, len(jobs) // (workers * 4))):
            done.append(diagram)
            if progress:
                progress(len(done), len(jobs))
    return done


def diagram_index(diagrams: list[Diagram], folder: Path, *, title: str = "Diagrams") -> str:
    """A Markdown page linking every diagram, one row per procedure, in service-number order."""
    rows: dict[str, list[Diagram]] = {}
    for diagram in diagrams:
        rows.setdefault(diagram.procedure.id, []).append(diagram)
    ordered = sorted(rows.values(), key=lambda ds: (ds[0].procedure.service_number or 99, ds[0].procedure.id))
    lines = [
        f"# {title}",
        "",
        "Before-after and diff views compare a baseline with the current version of its service (the official",
        "reform) and a current version with its simplification (what the findings would change).",
        "",
        "| # | Procedure | Version | Diagrams |",
        "|---|---|---|---|",
    ]
    for group in ordered:
        procedure = group[0].procedure
        links = ", ".join(
            f"[{d.view}]({d.target.relative_to(folder).as_posix()})" for d in group if d.target is not None
        )
        name = procedure.name.vi.replace("|", "/")
        lines.append(
            f"| {procedure.service_number or ''} | {name} (`{procedure.id}`) | {procedure.status.value} | {links} |"
        )
    return "\n".join(lines) + "\n"
