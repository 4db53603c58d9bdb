"""Property tests over drawn catalogues and procedures, and over hostile text."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from thutuc import LoadError, check_procedure, dumps, loads
from thutuc.model import Catalogue, Procedure
from thutuc.testing.strategies import catalogue_and_procedure, catalogues, procedures

BROKEN = "zz-broken"


@given(catalogue_and_procedure())
def test_every_drawn_procedure_validates(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    assert check_procedure(procedure, catalogue) == []


@given(catalogue_and_procedure(hostile_text=True))
def test_canonical_dump_then_load_gives_an_equal_model(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    assert loads(dumps(procedure), catalogue=catalogue) == procedure


def _break(data: dict[str, Any], how: str, draw: st.DrawFn) -> str | None:
    """Break one reference in a procedure's data; return the expected code's name, or None."""
    steps = data["steps"]
    step = draw(st.sampled_from(steps))
    if how == "actor":
        step["actor"] = BROKEN
        return "unknown-actor"
    if how == "next":
        with_next = [s for s in steps if s.get("next")]
        if not with_next:
            return None
        chosen = draw(st.sampled_from(with_next))
        chosen["next"][0] = {**chosen["next"][0], "to": BROKEN}
        return "unknown-step"
    if how == "consumes":
        step["consumes"] = [*step.get("consumes", []), BROKEN]
        return "unknown-document"
    if how == "fact":
        step.setdefault("needs", {}).setdefault("applicant", []).append("person.zz_broken")
        return "unknown-fact"
    if how == "role":
        step.setdefault("needs", {})[BROKEN] = ["person.attribute_0"]
        return "unknown-role"
    if how == "document_type":
        single = [d for d in data.get("documents", []) if d.get("document_type")]
        if not single:
            return None
        draw(st.sampled_from(single))["document_type"] = BROKEN
        return "unknown-document-type"
    lookups = [s for s in steps if s.get("data_source")]
    if not lookups:
        return None
    draw(st.sampled_from(lookups))["data_source"] = BROKEN
    return "unknown-data-source"


@given(
    catalogue_and_procedure(),
    st.sampled_from(["actor", "next", "consumes", "fact", "role", "document_type", "data_source"]),
    st.data(),
)
def test_breaking_one_reference_gives_its_code_at_its_line(pair, how, data):
    catalogue, procedure = pair
    document = procedure.model_dump(mode="json", exclude_defaults=True)
    expected = _break(document, how, data.draw)
    if expected is None:
        return
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    with pytest.raises(LoadError) as exc:
        loads(text, catalogue=catalogue, filename="broken.yaml")
    problems = exc.value.problems
    assert {p.code.slug for p in problems} == {expected}
    lines = text.splitlines()
    for problem in problems:
        assert problem.file == "broken.yaml"
        assert problem.line is not None
        assert problem.column is not None
        assert "broken" in lines[problem.line - 1]


def problems_of(text: str | bytes, catalogue: Catalogue) -> tuple | None:
    """The problems ``loads`` reports, or None when the text is valid; any other exception escapes."""
    try:
        loads(text, catalogue=catalogue)
    except LoadError as exc:
        return exc.problems
    return None


@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_load_error(text: str):
    problems = problems_of(text, Catalogue())
    if problems is not None:
        assert problems
        assert all(p.file == "<string>" for p in problems)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_load_error(raw: bytes):
    problems = problems_of(raw, Catalogue())
    assert problems is None or len(problems) > 0


@st.composite
def mutated_files(draw: st.DrawFn) -> tuple[Catalogue, str]:
    catalogue, procedure = draw(catalogue_and_procedure(max_steps=6))
    lines = dumps(procedure).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "splice", "truncate"]))
        if operation == "delete":
            del lines[at]
        elif operation == "duplicate":
            lines.insert(at, lines[at])
        elif operation == "indent":
            lines[at] = "  " + lines[at]
        elif operation == "dedent":
            lines[at] = lines[at].lstrip(" ")
        elif operation == "splice":
            cut = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:cut] + draw(st.text(max_size=8)) + lines[at][cut:]
        else:
            lines = lines[:at]
    return catalogue, "".join(lines)


@given(mutated_files())
def test_mutated_valid_files_raise_only_load_error(case: tuple[Catalogue, str]):
    catalogue, text = case
    problems = problems_of(text, catalogue)
    if problems is not None:
        assert problems
        assert all(p.line is not None for p in problems)


class TestStrategyArguments:
    @pytest.mark.parametrize(
        "make",
        [
            lambda: procedures(min_steps=0),
            lambda: procedures(min_steps=5, max_steps=2),
            lambda: procedures(max_documents=-1),
            lambda: procedures(Catalogue()),
            lambda: catalogues(min_facts=0),
            lambda: catalogues(subjects=()),
            lambda: catalogue_and_procedure(max_steps=0),
        ],
    )
    def test_bad_arguments_raise_at_definition_time(self, make):
        with pytest.raises(ValueError, match=r"minimum|maximum|subject|fact"):
            make()

    @given(procedures(max_steps=3, with_loops=False, with_conditions=False, with_alternatives=False))
    def test_shape_parameters_are_honoured(self, procedure: Procedure):
        assert 2 <= len(procedure.steps) <= 3
        assert not any(t.loop or t.condition for s in procedure.steps for t in s.next)
        assert not any(d.any_of or d.condition for d in procedure.documents)

    @given(st.from_type(Procedure))
    def test_registered_with_hypothesis(self, procedure: Procedure):
        assert isinstance(procedure, Procedure)
