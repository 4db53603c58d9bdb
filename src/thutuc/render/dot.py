"""Procedure → DOT source: a lane per actor, BPMN-like shapes, documents as notes, and the diff views.

Pure: builds text with the graphviz package and never runs Graphviz. Every label is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import graphviz

from thutuc.model import ActorKind, Catalogue, Procedure, StepKind
from thutuc.render.labels import Lang, document_label, name_of, step_label, title_lines

__all__ = ["FONT", "DiagramStatus", "before_after_dot", "diff_dot", "procedure_dot"]

FONT = "DejaVu Sans"
"""A font with every Vietnamese glyph; PNG and PDF output need it installed (fonts-dejavu-core)."""


class DiagramStatus(StrEnum):
    """How an element fares in a diff view; each is marked by colour, a prefix and a line style."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class _Style:
    colour: str
    prefix: str
    line: str
    font: str


# Okabe-Ito colours, told apart by colour-blind readers; the prefix and line style carry the same meaning.
_STATUS = {
    DiagramStatus.ADDED: _Style("#009E73", "+ ", "bold", "#000000"),
    DiagramStatus.REMOVED: _Style("#D55E00", "− ", "dashed", "#D55E00"),
    DiagramStatus.CHANGED: _Style("#E69F00", "~ ", "bold", "#000000"),
    DiagramStatus.UNCHANGED: _Style("#9E9E9E", "", "solid", "#8A8A8A"),
}
_SHAPES = {
    StepKind.DECIDE: "diamond",
    StepKind.LOOKUP: "cylinder",
}
_CITIZEN_FILL = "#EAF2FB"
_LANE_FILL = "#F5F5F5"


def _text(lines: list[str]) -> str:
    """A plain label: every line escaped, joined by Graphviz line breaks, never read as HTML."""
    return graphviz.nohtml("\\n".join(graphviz.escape(line) for line in lines))


def _struck(lines: list[str]) -> str:
    """An HTML label with every line struck out, for removed elements."""
    body = "<BR/>".join(f"<S>{html.escape(line, quote=True)}</S>" for line in lines)
    return f"<{body}>"


def _label(lines: list[str], status: DiagramStatus | None) -> str:
    if status is None:
        return _text(lines)
    marked = [_STATUS[status].prefix + lines[0], *lines[1:]]
    return _struck(marked) if status is DiagramStatus.REMOVED else _text(marked)


def _node_attributes(status: DiagramStatus | None, base_fill: str) -> dict[str, str]:
    if status is None:
        return {"fillcolor": base_fill}
    style = _STATUS[status]
    attributes = {
        "color": style.colour,
        "fontcolor": style.font,
        "penwidth": "2" if status is not DiagramStatus.UNCHANGED else "1",
    }
    attributes["fillcolor"] = "#FFFFFF" if status is DiagramStatus.UNCHANGED else base_fill
    return attributes


def _new_graph(title: list[str], lang: Lang) -> graphviz.Digraph:
    graph = graphviz.Digraph(name="procedure")
    graph.attr(
        rankdir="TB",
        newrank="true",
        compound="true",
        nodesep="0.35",
        ranksep="0.45",
        fontname=FONT,
        labelloc="t",
        fontsize="18",
        label=_text(title),
    )
    graph.attr("node", fontname=FONT, fontsize="11", shape="box", style="rounded,filled", margin="0.12,0.06")
    graph.attr("edge", fontname=FONT, fontsize="9", color="#555555")
    return graph


@dataclass
class _Elements:
    """What one panel draws: node ids, statuses, and which procedure each element comes from."""

    procedure: Procedure
    prefix: str
    catalogue: Catalogue | None = None
    step_status: Callable[[str], DiagramStatus | None] = lambda _: None
    document_status: Callable[[str], DiagramStatus | None] = lambda _: None
    step_node: Callable[[str], str] | None = None
    """Node id of a step of this procedure, when it is drawn by another panel (a diff's matched steps)."""

    def node(self, step_id: str) -> str:
        return self.step_node(step_id) if self.step_node else f"{self.prefix}{step_id}"


def _lanes(procedures: list[Procedure]) -> list[tuple[str, str, bool]]:
    """(actor id, name, is citizen) for every actor of the procedures, the citizen first."""
    seen: dict[str, tuple[str, bool]] = {}
    for procedure in procedures:
        for actor in procedure.actors:
            seen.setdefault(actor.id, (actor.name.vi, actor.kind is ActorKind.CITIZEN))
    ordered = sorted(seen.items(), key=lambda item: not item[1][1])
    return [(actor_id, name, citizen) for actor_id, (name, citizen) in ordered]


def _draw_panel(
    graph: graphviz.Digraph,
    panel: _Elements,
    lang: Lang,
    *,
    extra: _Elements | None = None,
    edge_status: Callable[[str, str], DiagramStatus | None] = lambda _a, _b: None,
    extra_edges: list[tuple[str, str, str | None, bool]] | None = None,
) -> None:
    """Lanes with steps and documents, start and end events, and the flow; ``extra`` adds removed elements."""
    panels = [panel] + ([extra] if extra else [])
    actors = {a.id: a for p in panels for a in p.procedure.actors}
    for index, (actor_id, _, citizen) in enumerate(_lanes([p.procedure for p in panels])):
        with graph.subgraph(name=f"cluster_{panel.prefix}lane_{index}") as lane:
            actor = actors[actor_id]
            lane.attr(
                label=_text([name_of(actor.name, lang, actor.id)]),
                style="rounded,filled",
                fillcolor=_CITIZEN_FILL if citizen else _LANE_FILL,
                color="#BBBBBB",
                fontsize="12",
                labeljust="l",
            )
            for part in panels:
                for step in part.procedure.steps:
                    if step.actor != actor_id:
                        continue
                    status = part.step_status(step.id)
                    if part is extra and status is None:
                        continue
                    attributes = _node_attributes(status, "#FFFFFF")
                    if step.kind in _SHAPES:
                        attributes["shape"] = _SHAPES[step.kind]
                        attributes["style"] = "filled"
                    if status is not None and status is not DiagramStatus.UNCHANGED:
                        attributes["style"] = attributes.get("style", "rounded,filled") + "," + _STATUS[status].line
                    if step.kind is StepKind.SIGN:
                        attributes["peripheries"] = "2"
                    lane.node(f"{part.prefix}{step.id}", label=_label(step_label(step, lang), status), **attributes)
            for part in panels:
                for step in part.procedure.steps:
                    if step.actor == actor_id:
                        _draw_documents(lane, part, step.id, lang)
    for part in panels:
        _draw_events(graph, part)
    for step in panel.procedure.steps:
        for transition in step.next:
            status = edge_status(step.id, transition.to)
            source, target = f"{panel.prefix}{step.id}", f"{panel.prefix}{transition.to}"
            _edge(graph, source, target, transition.condition, transition.loop, status)
    for source, target, condition, loop in extra_edges or []:
        _edge(graph, source, target, condition, loop, DiagramStatus.REMOVED)


def _draw_documents(lane: graphviz.Digraph, part: _Elements, step_id: str, lang: Lang) -> None:
    """Each document as a note beside the first step that consumes it."""
    procedure = part.procedure
    for document_id in procedure.step[step_id].consumes:
        first = next(s.id for s in procedure.steps if document_id in s.consumes)
        if first != step_id or document_id not in procedure.document:
            continue
        status = part.document_status(document_id)
        if part.prefix.startswith("x") and status is None:
            continue
        attributes = _node_attributes(status, "#FFF8DC")
        attributes["style"] = "filled" + (
            "," + _STATUS[status].line if status and status is not DiagramStatus.UNCHANGED else ""
        )
        node = f"{part.prefix}doc_{document_id}"
        lane.node(
            node,
            label=_label(document_label(procedure, document_id, lang, part.catalogue), status),
            shape="note",
            fontsize="9",
            **attributes,
        )
        lane.edge(node, part.node(step_id), style="dotted", arrowhead="none", color="#999999")


def _draw_events(graph: graphviz.Digraph, part: _Elements) -> None:
    if part.prefix.startswith("x"):
        return
    procedure = part.procedure
    targets = {t.to for s in procedure.steps for t in s.next if not t.loop}
    starts = [s.id for s in procedure.steps if s.id not in targets]
    ends = [s.id for s in procedure.steps if not s.next]
    for start in starts[:1]:
        graph.node(f"{part.prefix}start", label="", shape="circle", width="0.3", style="filled", fillcolor="#FFFFFF")
        graph.edge(f"{part.prefix}start", f"{part.prefix}{start}")
    for index, end in enumerate(ends):
        graph.node(
            f"{part.prefix}end{index}",
            label="",
            shape="circle",
            width="0.3",
            penwidth="3",
            style="filled",
            fillcolor="#FFFFFF",
        )
        graph.edge(f"{part.prefix}{end}", f"{part.prefix}end{index}")


def _edge(
    graph: graphviz.Digraph, source: str, target: str, condition: str | None, loop: bool, status: DiagramStatus | None
) -> None:
    attributes: dict[str, str] = {}
    label = condition if condition else ""
    if len(label) > 40:
        label = label[:37] + "..."
    if loop:
        attributes.update(style="dashed", constraint="false")
        label = ("↺ " + label).strip()
    if status is not None:
        style = _STATUS[status]
        attributes["color"] = style.colour
        attributes["fontcolor"] = style.font
        if status is not DiagramStatus.UNCHANGED:
            attributes["style"] = "dashed" if status is DiagramStatus.REMOVED else "bold"
            label = (style.prefix + label).strip()
    if label:
        attributes["label"] = _text([label])
    graph.edge(source, target, **attributes)


def _metrics(procedure: Procedure, catalogue: Catalogue | None, lang: Lang) -> str | None:
    if catalogue is None:
        return None
    from thutuc.analysis.burden import burden
    from thutuc.analysis.online import online_verdict

    measured = burden(procedure, catalogue)
    verdict = online_verdict(procedure, catalogue).level
    cost = f"{round(measured.cost_per_application_vnd):,} VND" if measured.cost_per_application_vnd is not None else "–"
    if lang == "vi":
        return (
            f"mức trực tuyến: {verdict} · {measured.steps} bước · {measured.visits} lần đến cơ quan · "
            f"{measured.documents} giấy tờ · chi phí {cost}/hồ sơ"
        )
    return (
        f"online: {verdict} · {measured.steps} steps · {measured.visits} visits · "
        f"{measured.documents} documents · {cost} per application"
    )


def _legend(graph: graphviz.Digraph, lang: Lang, *, diff: bool) -> None:
    vi = lang == "vi"
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label=_text(["Chú giải" if vi else "Legend"]), style="rounded", color="#BBBBBB", fontsize="11")
        legend.attr("node", fontsize="9", fillcolor="#FFFFFF")
        entries = [
            ("legend_task", _text(["Bước" if vi else "Step"]), {"shape": "box"}),
            ("legend_decide", _text(["Quyết định" if vi else "Decision"]), {"shape": "diamond", "style": "filled"}),
            (
                "legend_lookup",
                _text(["Khai thác dữ liệu" if vi else "Database lookup"]),
                {"shape": "cylinder", "style": "filled"},
            ),
            (
                "legend_document",
                _text(["Giấy tờ" if vi else "Document"]),
                {"shape": "note", "style": "filled", "fillcolor": "#FFF8DC"},
            ),
        ]
        if diff:
            for status, vi_word, en_word in (
                (DiagramStatus.ADDED, "thêm", "added"),
                (DiagramStatus.REMOVED, "bỏ", "removed"),
                (DiagramStatus.CHANGED, "sửa", "changed"),
                (DiagramStatus.UNCHANGED, "không đổi", "unchanged"),
            ):
                attributes = _node_attributes(status, "#FFFFFF")
                if status is not DiagramStatus.UNCHANGED:
                    attributes["style"] = "rounded,filled," + _STATUS[status].line
                entries.append((f"legend_{status.value}", _label([vi_word if vi else en_word], status), attributes))
        previous = None
        for node_id, label, attributes in entries:
            legend.node(node_id, label=label, **attributes)
            if previous:
                legend.edge(previous, node_id, style="invis")
            previous = node_id


def procedure_dot(procedure: Procedure, catalogue: Catalogue | None = None, *, lang: Lang = "en") -> str:
    """The DOT source of one procedure: lanes, steps, documents, flow, a title and a legend.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_procedure
    >>> source = procedure_dot(tiny_procedure())
    >>> source.count("subgraph cluster_lane_"), "shape=diamond" in source
    (2, True)
    """
    graph = _new_graph(title_lines(procedure, lang, _metrics(procedure, catalogue, lang)), lang)
    _draw_panel(graph, _Elements(procedure, "", catalogue), lang)
    _legend(graph, lang, diff=False)
    return graph.source


def before_after_dot(
    before: Procedure, after: Procedure, catalogue: Catalogue | None = None, *, lang: Lang = "en"
) -> str:
    """Two panels side by side in one image: the procedure before and after."""
    words = ("Trước", "Sau") if lang == "vi" else ("Before", "After")
    graph = _new_graph(title_lines(after, lang, None), lang)
    for word, procedure, prefix in ((words[0], before, "b_"), (words[1], after, "a_")):
        with graph.subgraph(name=f"cluster_{prefix[0]}panel") as panel:
            metrics = _metrics(procedure, catalogue, lang)
            panel.attr(
                label=_text([word] + ([metrics] if metrics else [])), style="rounded", color="#777777", fontsize="14"
            )
            _draw_panel(panel, _Elements(procedure, prefix, catalogue), lang)
    _legend(graph, lang, diff=False)
    return graph.source


def diff_dot(before: Procedure, after: Procedure, catalogue: Catalogue | None = None, *, lang: Lang = "en") -> str:
    """One merged graph of what changed: added, removed, changed and unchanged steps, documents and flow.

    Each status has a colour, a prefix (+, −, ~) and a line style, so the diagram reads in greyscale.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_procedure
    >>> source = diff_dot(tiny_procedure(), tiny_procedure())
    >>> 'label="+ Nộp' in source, 'label="Nộp hồ sơ"' in source
    (False, True)
    """
    from thutuc.diff import Aspect, diff

    changes = diff(before, after, catalogue=catalogue).changes
    step_status = {c.id: c.kind for c in changes if c.aspect is Aspect.STEP}
    document_status = {c.id: c.kind for c in changes if c.aspect is Aspect.DOCUMENT}
    renamed = {c.old_id: c.id for c in changes if c.kind == "renamed" and c.aspect is Aspect.STEP and c.old_id}

    def status(kinds: dict[str, str], element: str, removed: bool = False) -> DiagramStatus | None:
        kind = kinds.get(element)
        if removed:
            return DiagramStatus.REMOVED if kind == "removed" else None
        if kind == "added":
            return DiagramStatus.ADDED
        if kind in ("changed", "renamed"):
            return DiagramStatus.CHANGED
        return DiagramStatus.UNCHANGED

    def node_of(before_id: str) -> str:
        if step_status.get(before_id) == "removed":
            return f"x_{before_id}"
        return f"n_{renamed.get(before_id, before_id)}"

    old_edges = {(node_of(s.id), node_of(t.to)): (t.condition, t.loop) for s in before.steps for t in s.next}
    new_edges = {(f"n_{s.id}", f"n_{t.to}"): (t.condition, t.loop) for s in after.steps for t in s.next}

    def edge_status(source: str, target: str) -> DiagramStatus:
        key = (f"n_{source}", f"n_{target}")
        if key not in old_edges:
            return DiagramStatus.ADDED
        return DiagramStatus.UNCHANGED if old_edges[key] == new_edges[key] else DiagramStatus.CHANGED

    removed_edges = [
        (source, target, condition, loop)
        for (source, target), (condition, loop) in old_edges.items()
        if (source, target) not in new_edges
    ]
    current = _Elements(
        after,
        "n_",
        catalogue,
        step_status=lambda s: status(step_status, s),
        document_status=lambda d: status(document_status, d),
    )
    gone = _Elements(
        before,
        "x_",
        catalogue,
        step_status=lambda s: status(step_status, s, removed=True),
        document_status=lambda d: status(document_status, d, removed=True),
        step_node=node_of,
    )
    graph = _new_graph(title_lines(after, lang, _metrics(after, catalogue, lang)), lang)
    _draw_panel(graph, current, lang, extra=gone, edge_status=edge_status, extra_edges=removed_edges)
    _legend(graph, lang, diff=True)
    return graph.source
