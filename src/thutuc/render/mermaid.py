"""Procedure → Mermaid flowchart text for Markdown: lanes as subgraphs, every label entity-encoded."""

from __future__ import annotations

from thutuc.model import ActorKind, Catalogue, Procedure, StepKind
from thutuc.render.labels import Lang, document_label, name_of, step_label

__all__ = ["procedure_mermaid"]

# Characters Mermaid reads as syntax inside a quoted label, written as numeric entities.
_ENTITIES = {c: f"#{ord(c)};" for c in '"#<>&{}[]()|\\`;'}


def _escape(text: str) -> str:
    return "".join(_ENTITIES.get(c, c) for c in " ".join(text.split()))


def _label(lines: list[str]) -> str:
    return "<br/>".join(_escape(line) for line in lines)


def procedure_mermaid(procedure: Procedure, catalogue: Catalogue | None = None, *, lang: Lang = "en") -> str:
    """A Mermaid ``flowchart TB`` of the procedure, one subgraph per actor, the citizen first.

    Examples
    --------
    >>> from thutuc.testing.examples import tiny_procedure
    >>> print(procedure_mermaid(tiny_procedure()).splitlines()[0])
    flowchart TB
    """
    ids = {s.id: f"s{i}" for i, s in enumerate(procedure.steps)}
    lines = ["flowchart TB"]
    actors = sorted(procedure.actors, key=lambda a: a.kind is not ActorKind.CITIZEN)
    for index, actor in enumerate(actors):
        steps = [s for s in procedure.steps if s.actor == actor.id]
        if not steps:
            continue
        lines.append(f'  subgraph lane{index}["{_escape(name_of(actor.name, lang, actor.id))}"]')
        for step in steps:
            label = _label(step_label(step, lang))
            node = ids[step.id]
            if step.kind is StepKind.DECIDE:
                lines.append(f'    {node}{{"{label}"}}')
            elif step.kind is StepKind.LOOKUP:
                lines.append(f'    {node}[("{label}")]')
            else:
                lines.append(f'    {node}("{label}")')
        lines.append("  end")
    for d_index, requirement in enumerate(procedure.documents):
        consumer = next((s.id for s in procedure.steps if requirement.id in s.consumes), None)
        if consumer is None:
            continue
        label = _label(document_label(procedure, requirement.id, lang, catalogue))
        lines.append(f'  d{d_index}[/"{label}"/] -.- {ids[consumer]}')
    for step in procedure.steps:
        for transition in step.next:
            if transition.to not in ids:
                continue
            arrow = "-.->" if transition.loop else "-->"
            condition = transition.condition or ("↺" if transition.loop else "")
            middle = f'|"{_escape(condition[:40])}"|' if condition else ""
            lines.append(f"  {ids[step.id]} {arrow}{middle} {ids[transition.to]}")
    return "\n".join(lines) + "\n"
