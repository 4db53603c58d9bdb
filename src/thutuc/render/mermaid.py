"""Procedure → Mermaid flowchart text for Markdown: lanes as subgraphs, every label entity-encoded.

The before-after view nests two panels; the diff view marks each element with a class and a prefix.
"""

from __future__ import annotations

from collections.abc import Callable

from thutuc.model import ActorKind, Catalogue, Procedure, StepKind
from thutuc.render.labels import Lang, document_label, name_of, step_label

__all__ = ["before_after_mermaid", "diff_mermaid", "procedure_mermaid"]

# Characters Mermaid reads as syntax inside a quoted label, written as numeric entities.
_ENTITIES = {c: f"#{ord(c)};" for c in '"#<>&{}[]()|\\`;'}
_PREFIX = {"added": "+ ", "removed": "− ", "changed": "~ ", "unchanged": ""}
_CLASSES = (
    "  classDef added stroke:#009E73,stroke-width:3px\n"
    "  classDef removed stroke:#D55E00,stroke-width:2px,stroke-dasharray:5 5,color:#D55E00\n"
    "  classDef changed stroke:#E69F00,stroke-width:3px\n"
    "  classDef unchanged stroke:#9E9E9E,color:#8A8A8A\n"
)


def _escape(text: str) -> str:
    return "".join(_ENTITIES.get(c, c) for c in " ".join(text.split()))


def _label(lines: list[str]) -> str:
    return "<br/>".join(_escape(line) for line in lines)


def _panel(
    procedure: Procedure,
    catalogue: Catalogue | None,
    lang: Lang,
    prefix: str,
    indent: str = "  ",
    status: Callable[[str], str | None] = lambda _: None,
    draw_flow: bool = True,
) -> tuple[list[str], dict[str, str]]:
    """Lines of one procedure's lanes, documents and flow; and each step's node id."""
    ids = {s.id: f"{prefix}s{i}" for i, s in enumerate(procedure.steps)}
    lines: list[str] = []
    actors = sorted(procedure.actors, key=lambda a: a.kind is not ActorKind.CITIZEN)
    for index, actor in enumerate(actors):
        steps = [s for s in procedure.steps if s.actor == actor.id and status(s.id) != "skip"]
        if not steps:
            continue
        lines.append(f'{indent}subgraph {prefix}lane{index}["{_escape(name_of(actor.name, lang, actor.id))}"]')
        for step in steps:
            mark = status(step.id)
            text = step_label(step, lang)
            if mark:
                text = [_PREFIX[mark] + text[0], *text[1:]]
            label = _label(text)
            node = ids[step.id]
            shape = {StepKind.DECIDE: '{{"{}"}}', StepKind.LOOKUP: '[("{}")]'}.get(step.kind, '("{}")')
            lines.append(f"{indent}  {node}{shape.format(label)}" + (f":::{mark}" if mark else ""))
        lines.append(f"{indent}end")
    for d_index, requirement in enumerate(procedure.documents):
        consumer = next((s.id for s in procedure.steps if requirement.id in s.consumes), None)
        if consumer is None or status(consumer) == "skip":
            continue
        label = _label(document_label(procedure, requirement.id, lang, catalogue))
        lines.append(f'{indent}{prefix}d{d_index}[/"{label}"/] -.- {ids[consumer]}')
    if draw_flow:
        for step in procedure.steps:
            for transition in step.next:
                lines.append(_edge(ids[step.id], ids[transition.to], transition.condition, transition.loop, indent))
    return lines, ids


def _edge(source: str, target: str, condition: str | None, loop: bool, indent: str, mark: str = "") -> str:
    arrow = "-.->" if loop or mark == "removed" else ("==>" if mark == "added" else "-->")
    text = (_PREFIX.get(mark, "") + (condition or ("↺" if loop else ""))).strip()
    middle = f'|"{_escape(text[:40])}"|' if text else ""
    return f"{indent}{source} {arrow}{middle} {target}"


def procedure_mermaid(procedure: Procedure, catalogue: Catalogue | None = None, *, lang: Lang = "en") -> str:
    """A Mermaid ``flowchart TB`` of the procedure, one subgraph per actor, the citizen first.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_procedure
    >>> print(procedure_mermaid(tiny_procedure()).splitlines()[0])
    flowchart TB
    """
    lines, _ = _panel(procedure, catalogue, lang, "")
    return "flowchart TB\n" + "\n".join(lines) + "\n"


def before_after_mermaid(
    before: Procedure, after: Procedure, catalogue: Catalogue | None = None, *, lang: Lang = "en"
) -> str:
    """Two panels, before and after, as nested subgraphs of one flowchart."""
    words = ("Trước", "Sau") if lang == "vi" else ("Before", "After")
    lines = ["flowchart LR"]
    for word, procedure, prefix in ((words[0], before, "b_"), (words[1], after, "a_")):
        lines.append(f'  subgraph {prefix}panel["{word}"]')
        lines.append("    direction TB")
        body, _ = _panel(procedure, catalogue, lang, prefix, indent="    ")
        lines += body
        lines.append("  end")
    return "\n".join(lines) + "\n"


def diff_mermaid(before: Procedure, after: Procedure, catalogue: Catalogue | None = None, *, lang: Lang = "en") -> str:
    """One merged flowchart of the changes; classes and prefixes mark added, removed and changed."""
    from thutuc.diff import Aspect, diff

    changes = diff(before, after, catalogue=catalogue).changes
    kinds = {c.id: c.kind for c in changes if c.aspect is Aspect.STEP}
    renamed = {c.old_id: c.id for c in changes if c.kind == "renamed" and c.old_id}

    def now(step_id: str) -> str:
        kind = kinds.get(step_id)
        return {"added": "added", "changed": "changed", "renamed": "changed"}.get(kind or "", "unchanged")

    lines, ids = _panel(after, catalogue, lang, "n_", status=now, draw_flow=False)
    gone, old_ids = _panel(
        before,
        catalogue,
        lang,
        "x_",
        status=lambda s: "removed" if kinds.get(s) == "removed" else "skip",
        draw_flow=False,
    )
    lines += gone

    def node(step_id: str) -> str:
        if kinds.get(step_id) == "removed":
            return old_ids[step_id]
        return ids[renamed.get(step_id, step_id)]

    old_edges = {(node(s.id), node(t.to)): (t.condition, t.loop) for s in before.steps for t in s.next}
    new_edges = {(ids[s.id], ids[t.to]): (t.condition, t.loop) for s in after.steps for t in s.next}
    for (source, target), (condition, loop) in new_edges.items():
        lines.append(_edge(source, target, condition, loop, "  ", "added" if (source, target) not in old_edges else ""))
    for (source, target), (condition, loop) in old_edges.items():
        if (source, target) not in new_edges:
            lines.append(_edge(source, target, condition, loop, "  ", "removed"))
    return "flowchart TB\n" + _CLASSES + "\n".join(lines) + "\n"
