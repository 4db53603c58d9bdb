"""Properties of simplify and diff, over procedures drawn with the shipped strategies."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from thutuc import dumps, loads
from thutuc.analysis import burden
from thutuc.diff import METRICS, diff
from thutuc.model import Catalogue, Procedure
from thutuc.soundness import check
from thutuc.testing.strategies import catalogue_and_procedure, procedures
from thutuc.transform import simplify

from .conftest import every_pass_validated_in_full, every_skipped_finding_applied

AS_OF = dt.date(2026, 1, 1)


@given(catalogue_and_procedure())
def test_simplify_is_sound_and_never_raises_the_burden(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    result = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
    assert check(procedure, result.procedure, catalogue) == []


@given(catalogue_and_procedure())
def test_simplify_twice_is_simplify_once(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    once = simplify(procedure, catalogue=catalogue, as_of=AS_OF).procedure
    assert simplify(once, catalogue=catalogue, as_of=AS_OF).procedure == once


@given(catalogue_and_procedure())
def test_a_simplified_procedure_survives_a_canonical_write(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    result = simplify(procedure, catalogue=catalogue, as_of=AS_OF).procedure
    assert loads(dumps(result), catalogue=catalogue) == result


@given(catalogue_and_procedure())
def test_a_procedure_against_itself_has_an_empty_diff(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    assert diff(procedure, procedure, catalogue=catalogue).empty


@st.composite
def two_versions(draw: st.DrawFn) -> tuple[Catalogue, Procedure, Procedure]:
    catalogue, first = draw(catalogue_and_procedure())
    if draw(st.booleans()):
        second = simplify(first, catalogue=catalogue, as_of=AS_OF).procedure
    else:
        second = draw(procedures(catalogue))
    return catalogue, first, second


def _normalized(changes):
    return sorted(
        (c.aspect.value, c.kind, c.id, c.old_id or "", repr([(f.field, f.old, f.new) for f in c.fields]))
        for c in changes
    )


@given(two_versions())
def test_a_diff_and_its_reverse_mirror_each_other(versions: tuple[Catalogue, Procedure, Procedure]):
    catalogue, first, second = versions
    forward = diff(first, second, catalogue=catalogue)
    backward = diff(second, first, catalogue=catalogue)
    assert _normalized(c.inverse() for c in forward.changes) == _normalized(backward.changes)


@given(two_versions())
def test_the_deltas_are_the_burden_difference(versions: tuple[Catalogue, Procedure, Procedure]):
    catalogue, first, second = versions
    result = diff(first, second, catalogue=catalogue)
    before, after = burden(first, catalogue), burden(second, catalogue)
    for metric in METRICS:
        old, new = getattr(before, metric), getattr(after, metric)
        expected = None if old is None or new is None else new - old
        if metric == "critical_path_days" and before.days_basis != after.days_basis:
            expected = None  # step days and a legal time limit do not compare
        assert result.deltas[metric] == expected, metric


@given(catalogue_and_procedure())
def test_a_pass_reuses_only_what_no_edit_changed_and_skips_only_what_changes_nothing(pair: tuple[Catalogue, Procedure]):
    catalogue, procedure = pair
    with every_pass_validated_in_full(), every_skipped_finding_applied():
        simplify(procedure, catalogue=catalogue, as_of=AS_OF)
