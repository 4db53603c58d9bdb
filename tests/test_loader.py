"""load, loads, load_catalogue, load_all and validate_paths: models from files, problems located."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from thutuc import LoadError, dumps, load, load_all, load_catalogue, loads, validate_paths
from thutuc.errors import ErrorCode
from thutuc.io import find_catalogue
from thutuc.model import Procedure

from .conftest import FIXTURES

BASE = (FIXTURES / "valid" / "base.yaml").read_text(encoding="utf-8")
SHARED = FIXTURES / "shared-catalogue"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder laid out like procedures/: a catalogue/ and a procedure in a subfolder."""
    shutil.copytree(SHARED, tmp_path / "catalogue")
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "base.yaml").write_text(BASE, encoding="utf-8")
    return tmp_path


class TestLoads:
    def test_valid_text_gives_a_model(self):
        procedure = loads(BASE, catalogue=load_catalogue(SHARED))
        assert isinstance(procedure, Procedure)
        assert [s.id for s in procedure.steps] == ["submit", "check", "decide", "issue"]

    def test_yaml_1_1_booleans_stay_strings_where_a_string_is_expected(self):
        text = BASE.replace("name: {vi: Thủ tục mẫu, en: Fixture procedure}", "name: {vi: no, en: on}")
        text = text.replace("    kind: decide\n", "    kind: decide\n    mandated: yes\n")
        procedure = loads(text, catalogue=load_catalogue(SHARED))
        assert (procedure.name.vi, procedure.name.en) == ("no", "on")
        assert procedure.step["decide"].mandated is True

    def test_codes_keep_their_trailing_zeros(self):
        procedure = loads(
            BASE.replace("level: commune", "code: 1.001190\nlevel: commune"), catalogue=load_catalogue(SHARED)
        )
        assert procedure.code == "1.001190"

    def test_schema_problems_are_all_reported_at_once(self):
        text = BASE.replace("level: commune", "level: comune\nbogus: 1").replace("kind: issue", "kind: isue")
        with pytest.raises(LoadError) as exc:
            loads(text, catalogue=load_catalogue(SHARED), filename="x.yaml")
        line_of = {line.strip(): n for n, line in enumerate(text.splitlines(), start=1)}
        assert [(p.code.slug, p.line) for p in exc.value.problems] == [
            ("invalid-value", line_of["level: comune"]),
            ("unknown-field", line_of["bogus: 1"]),
            ("invalid-value", line_of["kind: isue"]),
        ]
        assert exc.value.problems[0].hint == "did you mean 'commune'?"
        assert exc.value.problems[0].format().startswith("x.yaml:5:8: error THT010 invalid-value:")

    def test_unknown_kind_suggests_the_closest(self):
        with pytest.raises(LoadError) as exc:
            loads("kind: procedur\n", catalogue=load_catalogue(SHARED))
        [problem] = exc.value.problems
        assert (problem.code, problem.hint) == (ErrorCode.INVALID_VALUE, "did you mean 'procedure'?")

    def test_a_catalogue_is_not_a_procedure(self):
        with pytest.raises(LoadError, match="expected a procedure"):
            loads("kind: catalogue\n", catalogue=load_catalogue(SHARED))

    @pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
    def test_a_file_must_be_a_mapping(self, text):
        with pytest.raises(LoadError) as exc:
            loads(text, catalogue=load_catalogue(SHARED))
        assert exc.value.problems[0].code is ErrorCode.INVALID_VALUE

    def test_a_bad_id_gets_the_id_hint(self):
        with pytest.raises(LoadError) as exc:
            loads(BASE.replace("id: fixture-procedure", "id: Fixture_Procedure"), catalogue=load_catalogue(SHARED))
        assert "kebab-case" in (exc.value.problems[0].hint or "")

    def test_round_trip_through_canonical_yaml(self):
        catalogue = load_catalogue(SHARED)
        procedure = loads(BASE, catalogue=catalogue)
        assert loads(dumps(procedure), catalogue=catalogue) == procedure


class TestLoad:
    def test_finds_the_catalogue_beside_a_parent(self, project: Path):
        assert find_catalogue(project / "services" / "base.yaml") == (project / "catalogue").resolve()
        assert load(project / "services" / "base.yaml").id == "fixture-procedure"

    def test_without_a_catalogue(self, tmp_path: Path):
        (tmp_path / "x.yaml").write_text(BASE, encoding="utf-8")
        with pytest.raises(LoadError) as exc:
            load(tmp_path / "x.yaml")
        assert exc.value.problems[0].code is ErrorCode.NO_CATALOGUE

    def test_missing_file(self, tmp_path: Path):
        with pytest.raises(LoadError) as exc:
            load(tmp_path / "nope.yaml", catalogue=load_catalogue(SHARED))
        assert exc.value.problems[0].code is ErrorCode.UNREADABLE


class TestLoadCatalogue:
    def test_merges_files(self, tmp_path: Path):
        (tmp_path / "a.yaml").write_text("kind: catalogue\nfacts:\n  - {id: person.a, name: {vi: A}}\n")
        (tmp_path / "b.yaml").write_text("kind: catalogue\nfacts:\n  - {id: person.b, name: {vi: B}}\n")
        assert sorted(load_catalogue(tmp_path).fact) == ["person.a", "person.b"]

    def test_duplicate_ids_across_files_name_the_first_file(self, tmp_path: Path):
        (tmp_path / "a.yaml").write_text("kind: catalogue\nfacts:\n  - {id: person.a, name: {vi: A}}\n")
        (tmp_path / "b.yaml").write_text("kind: catalogue\nfacts:\n  - {id: person.a, name: {vi: B}}\n")
        with pytest.raises(LoadError) as exc:
            load_catalogue(tmp_path)
        [problem] = exc.value.problems
        assert problem.code is ErrorCode.DUPLICATE_ID
        assert (Path(problem.file).name, problem.line) == ("b.yaml", 3)
        assert "a.yaml" in problem.message

    def test_undefined_references(self, tmp_path: Path):
        (tmp_path / "c.yaml").write_text(
            "kind: catalogue\n"
            "facts:\n  - {id: person.id_number, name: {vi: So}}\n"
            "document_types:\n"
            "  - {id: card, name: {vi: The}, proves: [person.id_numbr], sources: [{url: u, confidence: inferred}]}\n"
            "data_sources:\n"
            "  - id: db\n    name: {vi: CSDL}\n    holds: [person.idnumber]\n    lookup_key: person.id\n"
            "    connections: [{to: nowhere}]\n    legal_basis: [{document: L}]\n"
            "    sources: [{url: u, confidence: inferred}]\n"
        )
        with pytest.raises(LoadError) as exc:
            load_catalogue(tmp_path)
        assert [(p.code.slug, p.line) for p in exc.value.problems] == [
            ("unknown-fact", 5),
            ("unknown-fact", 9),
            ("unknown-fact", 10),
            ("unknown-agency", 11),
        ]
        assert exc.value.problems[0].hint == "did you mean 'person.id_number'?"

    def test_a_procedure_in_the_catalogue_folder(self, tmp_path: Path):
        shutil.copytree(SHARED, tmp_path / "cat")
        (tmp_path / "cat" / "p.yaml").write_text(BASE)
        with pytest.raises(LoadError, match="procedure file inside the catalogue folder"):
            load_catalogue(tmp_path / "cat")

    def test_an_empty_folder(self, tmp_path: Path):
        with pytest.raises(LoadError) as exc:
            load_catalogue(tmp_path)
        assert exc.value.problems[0].code is ErrorCode.NO_CATALOGUE


class TestLoadAll:
    def test_loads_every_procedure(self, project: Path):
        procedure_set = load_all(project)
        assert [p.id for p in procedure_set.procedures] == ["fixture-procedure"]
        assert procedure_set["fixture-procedure"].id == "fixture-procedure"
        assert procedure_set.files["fixture-procedure"].endswith("base.yaml")

    def test_duplicate_procedure_ids(self, project: Path):
        (project / "services" / "copy.yaml").write_text(BASE, encoding="utf-8")
        with pytest.raises(LoadError) as exc:
            load_all(project)
        assert [p.code for p in exc.value.problems] == [ErrorCode.DUPLICATE_ID]

    def test_reports_problems_of_every_file(self, project: Path):
        (project / "services" / "a.yaml").write_text("kind: procedure\n")
        (project / "services" / "b.yaml").write_text("x: [\n")
        report = validate_paths([project])
        failing = sorted(Path(f.path).name for f in report.files if f.problems)
        assert failing == ["a.yaml", "b.yaml"]
        assert not report.ok


class TestSchemaAndReferencesTogether:
    """A file with schema problems still gets its reference problems, without cascades."""

    def problems(self, text: str) -> list[tuple[str, int]]:
        with pytest.raises(LoadError) as exc:
            loads(text, catalogue=load_catalogue(SHARED))
        return [(p.code.slug, p.line) for p in exc.value.problems]

    def line_of(self, text: str, needle: str, nth: int = 1) -> int:
        lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
        return lines[nth - 1]

    def test_both_are_reported_at_their_lines(self):
        text = BASE.replace("kind: decide", "kind: decision").replace(
            "    actor: office\n    kind: issue", "    actor: ofice\n    kind: issue"
        )
        assert self.problems(text) == [
            ("invalid-value", self.line_of(text, "kind: decision")),
            ("unknown-actor", self.line_of(text, "actor: ofice")),
        ]

    def test_a_reference_to_a_step_that_failed_is_not_repeated(self):
        text = BASE.replace("  - id: check\n", "  - id: check\n    bogus: 1\n")
        assert self.problems(text) == [("unknown-field", self.line_of(text, "bogus: 1"))]

    def test_entries_after_a_failed_one_keep_their_own_lines(self):
        text = BASE.replace("  - id: check\n", "  - id: check\n    bogus: 1\n").replace("next: [issue]", "next: [isue]")
        assert self.problems(text) == [
            ("unknown-field", self.line_of(text, "bogus: 1")),
            ("unknown-step", self.line_of(text, "next: [isue]")),
        ]

    def test_a_failed_document_does_not_make_facts_unsupplied(self):
        text = BASE.replace(
            "document_type: marital-status-certificate}", "document_type: marital-status-certificate, copies: 0}"
        )
        assert self.problems(text) == [("invalid-value", self.line_of(text, "copies: 0"))]

    def test_missing_sections_do_not_cascade(self):
        assert self.problems("kind: procedure\nid: x\n") == [("missing-field", 1)] * 8


def test_an_unquoted_comma_in_a_flow_mapping_is_a_located_problem():
    text = BASE.replace(
        "  - id: check\n    name: {vi: Kiểm tra hồ sơ}", "  - id: [check, x]\n    name: {vi: Kiểm, tra, en: x}"
    )
    with pytest.raises(LoadError) as exc:
        loads(text, catalogue=load_catalogue(SHARED))
    assert {p.code for p in exc.value.problems} >= {ErrorCode.UNKNOWN_FIELD}
    assert all(p.line is not None for p in exc.value.problems)
