"""The YAML reader: plain data with positions, and clean errors on hostile input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_properties import mutated_files
from thutuc.errors import ErrorCode, LoadError
from thutuc.io import reader
from thutuc.io.reader import MAX_DEPTH, read_yaml

ROOT = Path(__file__).resolve().parent.parent


def codes(exc: pytest.ExceptionInfo[LoadError]) -> list[str]:
    return [p.code.slug for p in exc.value.problems]


class TestScalars:
    def test_plain_scalars_stay_strings(self):
        tree = read_yaml("a: no\nb: 1.10\nc: on\nd: 0123\ne: true\n")
        assert tree.value == {"a": "no", "b": "1.10", "c": "on", "d": "0123", "e": "true"}

    def test_yaml_1_2_nulls_become_none(self):
        tree = read_yaml("a: ~\nb: null\nc:\nd: 'null'\n")
        assert tree.value == {"a": None, "b": None, "c": None, "d": "null"}

    def test_quoted_scalars_are_kept_verbatim(self):
        assert read_yaml("a: \"~\"\nb: 'yes'\n").value == {"a": "~", "b": "yes"}


class TestMarks:
    def test_keys_and_values_are_located_one_based(self):
        tree = read_yaml("a:\n  - x\n  - y: 1\n")
        assert tree.key_marks[("a",)] == (1, 1)
        assert tree.value_marks[("a", 1, "y")] == (3, 8)
        assert tree.key_marks[("a", 1, "y")] == (3, 5)

    def test_locate_falls_back_to_the_closest_parent(self):
        tree = read_yaml("a:\n  b: 1\n")
        assert tree.locate(("a", "b", "missing", 3)) == (2, 6)
        assert tree.locate(("nothing",)) == (1, 1)


class TestRefusals:
    def test_alias_bomb_is_refused_without_expansion(self):
        bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
        for name, previous in zip("bcdefghij", "abcdefghi", strict=True):
            bomb += f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"
        with pytest.raises(LoadError) as exc:
            read_yaml(bomb)
        assert set(codes(exc)) == {"alias"}

    def test_duplicate_keys_name_the_first_line(self):
        with pytest.raises(LoadError) as exc:
            read_yaml("a: 1\nb: 2\na: 3\n")
        [problem] = exc.value.problems
        assert (problem.code, problem.line, problem.column) == (ErrorCode.DUPLICATE_KEY, 3, 1)
        assert "first at line 1" in problem.message

    def test_deep_nesting_stops_at_the_limit(self):
        with pytest.raises(LoadError) as exc:
            read_yaml("[" * 100_000)
        assert codes(exc) == ["too-deep"]

    def test_deep_nesting_is_reported_where_it_passes_the_limit(self):
        with pytest.raises(LoadError) as exc:
            read_yaml("[" * 200)
        assert exc.value.problems[0].column == MAX_DEPTH + 1

    def test_nesting_at_the_limit_is_accepted(self):
        assert read_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH).value is not None

    def test_garbage_bytes_are_an_encoding_error_with_position(self):
        with pytest.raises(LoadError) as exc:
            read_yaml(b"a: 1\nb: \xff\xfe\x00garbage", "g.yaml")
        [problem] = exc.value.problems
        assert (problem.code, problem.file, problem.line, problem.column) == (ErrorCode.ENCODING, "g.yaml", 2, 4)

    def test_control_characters_are_a_syntax_error(self):
        with pytest.raises(LoadError) as exc:
            read_yaml("a: \x00\x01\x02")
        assert codes(exc) == ["yaml-syntax"]

    @pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "\ufeff"])
    def test_empty_files(self, text):
        with pytest.raises(LoadError) as exc:
            read_yaml(text)
        assert codes(exc) == ["empty-file"]

    def test_large_files_are_refused_before_parsing(self):
        with pytest.raises(LoadError) as exc:
            read_yaml(b"a: " + b"x" * 5_000_000)
        assert codes(exc) == ["file-too-large"]

    def test_explicit_tags_are_refused(self):
        with pytest.raises(LoadError) as exc:
            read_yaml("a: !!python/object/apply:os.system ['true']\n")
        assert codes(exc) == ["yaml-syntax"]

    def test_a_second_document_is_refused(self):
        with pytest.raises(LoadError) as exc:
            read_yaml("a: 1\n---\nb: 2\n")
        assert exc.value.problems[0].line == 2

    def test_every_problem_of_a_file_is_reported_in_order(self):
        with pytest.raises(LoadError) as exc:
            read_yaml("b: 1\nb: 2\na: &x 1\nc: *x\n")
        assert [(p.line, p.code.slug) for p in exc.value.problems] == [
            (2, "duplicate-key"),
            (3, "alias"),
            (4, "alias"),
        ]


def outcome(read: Any) -> tuple[Any, ...]:
    """What a reading gives: its data and every position, or its problems."""
    try:
        tree = read()
    except LoadError as exc:
        return ("problems", [p.to_dict() for p in exc.problems])
    return ("tree", tree.value, tree.key_marks, tree.value_marks, tree.collections)


def assert_read_as_exactly(text: str) -> None:
    quick = outcome(lambda: read_yaml(text, "f.yaml"))
    exact = outcome(lambda: reader._read_exactly(text, "f.yaml", MAX_DEPTH))
    assert quick == exact


class TestQuickReading:
    """A file read the quick way gives the same data, positions and problems as the exact way."""

    @pytest.mark.parametrize(
        "path",
        [
            p
            for pattern in ("procedures/**/*.yaml", "tests/fixtures/**/*.yaml")
            for p in sorted(ROOT.glob(pattern))
            if p.is_file()
        ],
        ids=lambda path: path.name,
    )
    def test_shipped_files_and_fixtures(self, path: Path):
        assert_read_as_exactly(path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff"))

    def test_a_link_query_does_not_force_the_exact_way(self):
        text = "source: https://example.vn/?a=1&b=2\nnote: 5*3=15!\nx:\n  y: 1\n"
        assert reader._read_quickly(text, MAX_DEPTH) is not reader._UNSURE
        assert read_yaml(text).locate(("x", "y")) == (4, 6)

    @pytest.mark.parametrize(
        "text",
        ["a: &x 1\n", "a: *x\n", "a: !!int 1\n", "[&x 1]\n", "a: 1\na: 2\n", "? [a]\n: 1\n", "a: 1\n---\nb: 2\n"],
    )
    def test_what_the_exact_way_refuses_is_not_read_quickly(self, text: str):
        assert reader._read_quickly(text, MAX_DEPTH) is reader._UNSURE
        assert outcome(lambda: read_yaml(text))[0] == "problems"

    @given(st.text(alphabet="ab1 :-[]{},&*!'\"#\n~?|>%.\t", max_size=60))
    def test_yaml_like_text(self, text: str):
        assert_read_as_exactly(text)

    @given(mutated_files())
    def test_mutated_procedure_files(self, case):
        assert_read_as_exactly(case[1])
