"""The command line: exit codes, output formats, help text, and the docs generated from it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from thutuc.cli import cli

from .conftest import FIXTURES, ROOT

SHARED = str(FIXTURES / "shared-catalogue")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def committed_copy(procedures: Path, repository: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a copy of ``procedures`` under ``procedures/``, committed; the working folder."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copytree(procedures, repository / "procedures")
    monkeypatch.chdir(repository)
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "."],
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "data"],
    ):
        subprocess.run(command, check=True, capture_output=True)
    return repository


class TestValidate:
    def test_clean_files_exit_0(self):
        code, out, err = run("validate", str(FIXTURES / "valid"), "--catalogue", SHARED)
        assert (code, out) == (0, "")
        assert "all valid" in err

    def test_problems_exit_1_and_read_like_a_compiler(self):
        path = FIXTURES / "invalid" / "THT011-unknown-actor.yaml"
        code, out, err = run("validate", str(path), "--catalogue", SHARED)
        assert code == 1
        first = out.splitlines()[0]
        assert first.endswith("error THT011 unknown-actor: unknown actor 'ofice'")
        assert ":33:12:" in first
        assert "hint: did you mean 'office'?" in out
        assert "1 problem(s) in 1 file(s)" in err

    def test_folder_is_searched_recursively_and_every_file_reported(self):
        code, out, _ = run("validate", str(FIXTURES / "invalid"), "--catalogue", SHARED)
        assert code == 1
        reported = {line.split(":", 1)[0].rsplit("/", 1)[-1] for line in out.splitlines() if "error THT" in line}
        assert len(reported) >= 27

    def test_json_format(self):
        path = FIXTURES / "invalid" / "THT012-unknown-document.yaml"
        code, out, _ = run("validate", str(path), "--catalogue", SHARED, "--format", "json")
        payload = json.loads(out)
        assert code == 1
        assert payload["ok"] is False
        assert [(p["code"], p["name"], p["line"]) for p in payload["problems"]] == [("THT012", "unknown-document", 22)]

    def test_usage_errors_exit_2(self):
        assert run("validate")[0] == 2
        assert run("validate", "no/such/path.yaml")[0] == 2
        assert run("validate", str(FIXTURES / "valid"), "--format", "xml")[0] == 2

    def test_a_broken_catalogue_is_reported_not_raised(self, tmp_path: Path):
        shutil.copytree(FIXTURES / "shared-catalogue", tmp_path / "catalogue")
        (tmp_path / "catalogue" / "catalogue.yaml").write_text("kind: catalogue\nfacts: [1]\n")
        shutil.copy(FIXTURES / "valid" / "base.yaml", tmp_path / "base.yaml")
        code, out, _ = run("validate", str(tmp_path))
        assert code == 1
        assert "THT010" in out
        assert "THT029" in out


class TestSchema:
    def test_committed_schema_is_current(self):
        code, _, err = run("schema", "-o", str(ROOT / "schema" / "thutuc.schema.json"), "--check")
        assert code == 0, err

    def test_check_detects_a_stale_schema(self, tmp_path: Path):
        stale = tmp_path / "s.json"
        stale.write_text("{}\n")
        code, _, err = run("schema", "-o", str(stale), "--check")
        assert code == 1
        assert "out of date" in err
        assert stale.read_text() == "{}\n"

    def test_writes_the_schema(self, tmp_path: Path):
        target = tmp_path / "out" / "schema.json"
        assert run("schema", "-o", str(target))[0] == 0
        schema = json.loads(target.read_text())
        assert set(schema["discriminator"]["mapping"]) == {"procedure", "catalogue"}


class TestSummary:
    def test_markdown_summary_of_the_shipped_data(self, tmp_path: Path):
        target = tmp_path / "summary.md"
        code, _, err = run("summary", str(ROOT / "procedures"), "--format", "md", "-o", str(target))
        assert code == 0, err
        text = target.read_text()
        assert "`birth-registration`" in text
        assert text.count("\n| ") >= 3

    def test_text_and_json(self):
        code, out, _ = run("summary", str(ROOT / "procedures"))
        assert code == 0
        assert "Đăng ký khai sinh" in out
        rows = json.loads(run("summary", str(ROOT / "procedures"), "--format", "json")[1])
        assert {r["id"] for r in rows} >= {"birth-registration", "marriage-registration"}

    def test_invalid_folder_gives_located_errors(self):
        code, _, err = run("summary", str(FIXTURES / "invalid"))
        assert code == 1
        assert "error THT" in err
        assert "Traceback" not in err


BIRTH = str(ROOT / "procedures" / "essential" / "09-birth-registration.yaml")
BIRTH_BASELINE = str(ROOT / "procedures" / "baselines" / "09-birth-registration-baseline.yaml")


class TestAnalyze:
    def test_plain_text_when_piped(self):
        code, out, err = run("analyze", BIRTH_BASELINE, "--as-of", "2026-11-28")
        assert code == 0, err
        assert "once-only.replaceable" in out
        assert "residence-proof" in out
        assert "\x1b[" not in out

    def test_json_follows_the_report_model(self):
        from thutuc.analysis import AnalysisReport

        code, out, _ = run("analyze", BIRTH, BIRTH_BASELINE, "--format", "json", "--as-of", "2026-11-28")
        assert code == 0
        report = AnalysisReport.model_validate_json(out)
        assert report.schema_version == "1"
        assert [a.baseline for a in report.agreements] == ["birth-registration-baseline"]

    def test_markdown_in_vietnamese_to_a_file(self, tmp_path: Path):
        target = tmp_path / "analysis.md"
        code, _, err = run("analyze", BIRTH_BASELINE, "--format", "md", "--lang", "vi", "-o", str(target))
        assert code == 0, err
        text = target.read_text(encoding="utf-8")
        assert "| # | procedure |" in text
        assert "Bỏ '" in text

    def test_rules_select_findings(self):
        out = run("analyze", BIRTH_BASELINE, "--rules", "handoff.transfer", "--format", "json")[1]
        rules = {f["rule"] for p in json.loads(out)["procedures"] for f in p["findings"]}
        assert rules == {"handoff.transfer"}

    def test_assumed_connection_changes_the_findings(self):
        base = run("analyze", BIRTH_BASELINE, "--as-of", "2026-11-28", "--format", "json")[1]
        what_if = run(
            "analyze", BIRTH_BASELINE, "--as-of", "2026-11-28", "--format", "json", "--assume-connected", "photo-db"
        )
        assert what_if[0] == 2
        assert "unknown data source 'photo-db'" in what_if[2]
        assert json.loads(base)["assumed_connections"] == []

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--rules", "once-onl"], "did you mean 'once-only'"),
            (["--assume-connected", "population-dbb"], "did you mean 'population-db'"),
            (["--assume-connected", "population-db@commune-polic"], "did you mean 'commune-police'"),
            (["--as-of", "2025-02-30"], "not a date"),
        ],
    )
    def test_bad_options_are_usage_errors_with_a_suggestion(self, args: list[str], message: str):
        code, _, err = run("analyze", BIRTH, *args)
        assert code == 2
        assert message in err
        assert "Traceback" not in err

    def test_invalid_files_give_located_errors(self):
        code, _, err = run("analyze", str(FIXTURES / "invalid" / "THT012-unknown-document.yaml"), "--catalogue", SHARED)
        assert code == 1
        assert "THT012" in err
        assert "Traceback" not in err

    def test_committed_analysis_schema_is_current(self):
        code, _, err = run("schema", "--analysis", "-o", str(ROOT / "schema" / "analysis.schema.json"), "--check")
        assert code == 0, err

    def test_tables_on_a_terminal_respect_no_color(self, monkeypatch: pytest.MonkeyPatch):
        from thutuc.analysis import AnalysisOptions, analyze_set
        from thutuc.cli import _analysis_tables
        from thutuc.io import load_paths

        report = analyze_set(load_paths([BIRTH_BASELINE]), options=AnalysisOptions())
        monkeypatch.delenv("NO_COLOR", raising=False)
        assert "\x1b[32m" in _analysis_tables(report, "en")  # opportunities in green
        monkeypatch.setenv("NO_COLOR", "1")
        plain = _analysis_tables(report, "en")
        assert "\x1b[32m" not in plain
        assert "\x1b[31m" not in plain
        assert "residence-proof" in plain


class TestSimplify:
    def test_writes_a_valid_canonical_file_with_the_schema_line(self, tmp_path: Path):
        target = tmp_path / "out" / "birth.yaml"
        code, _, err = run("simplify", BIRTH_BASELINE, "-o", str(target), "--as-of", "2026-11-28")
        assert code == 0, err
        assert "document-removed" in err
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=")
        reference = text.splitlines()[0].split("=", 1)[1]
        assert (target.parent / reference).resolve() == (ROOT / "schema" / "thutuc.schema.json").resolve()
        assert run("validate", str(target), "--catalogue", str(ROOT / "procedures" / "catalogue"))[0] == 0

    def test_refuses_to_overwrite_its_input(self, tmp_path: Path):
        copy = tmp_path / "birth.yaml"
        shutil.copy(BIRTH_BASELINE, copy)
        original = copy.read_text(encoding="utf-8")
        code, _, err = run(
            "simplify", str(copy), "-o", str(copy), "--catalogue", str(ROOT / "procedures" / "catalogue")
        )
        assert code == 2
        assert "--in-place" in err
        assert copy.read_text(encoding="utf-8") == original

    def test_in_place_overwrites_on_request(self, tmp_path: Path):
        copy = tmp_path / "birth.yaml"
        shutil.copy(BIRTH_BASELINE, copy)
        code, _, err = run("simplify", str(copy), "--in-place", "--catalogue", str(ROOT / "procedures" / "catalogue"))
        assert code == 0, err
        assert "lookup-population-db" in copy.read_text(encoding="utf-8")

    def test_prints_to_stdout_without_a_target(self):
        code, out, _ = run("simplify", BIRTH_BASELINE, "--rules", "handoffs")
        assert code == 0
        assert "hand-to-officer" not in out
        assert "kind: procedure" in out


class TestDiff:
    def test_markdown_of_a_baseline_against_its_current_version(self):
        code, out, _ = run("diff", BIRTH_BASELINE, BIRTH, "--format", "md")
        assert code == 0
        assert "document dropped, now retrieved from population-db" in out
        assert "| Burden | Before | After | Change |" in out

    def test_the_gate_fails_a_change_that_adds_a_document(self, tmp_path: Path):
        text = Path(BIRTH).read_text(encoding="utf-8")
        added = text.replace(
            "documents:\n",
            "documents:\n  - id: extra-copy\n    document_type: household-book\n    about: mother\n",
            1,
        )
        changed = tmp_path / "birth.yaml"
        changed.write_text(added, encoding="utf-8")
        catalogue = str(ROOT / "procedures" / "catalogue")
        code, _, err = run(
            "diff", BIRTH, str(changed), "--catalogue", catalogue, "--fail-on", "document-added,visit-added"
        )
        assert code == 1
        assert "gate: document-added: document 'extra-copy'" in err

    def test_the_gate_passes_a_simplification(self, tmp_path: Path):
        target = tmp_path / "birth.yaml"
        assert run("simplify", BIRTH_BASELINE, "-o", str(target))[0] == 0
        code, _, err = run(
            "diff", BIRTH_BASELINE, str(target), "--fail-on", "burden-increase,readiness-decrease,document-added"
        )
        assert code == 0, err

    def test_an_unknown_gate_is_a_usage_error(self):
        code, _, err = run("diff", BIRTH, BIRTH, "--fail-on", "documents-added")
        assert code == 2
        assert "did you mean 'document-added'" in err

    def test_a_file_against_its_version_in_git(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        committed_copy(ROOT / "procedures", tmp_path / "repo", monkeypatch)
        path = "procedures/essential/09-birth-registration.yaml"
        edited = (
            Path(path).read_text(encoding="utf-8").replace("channels: [in_person, online]", "channels: [in_person]", 1)
        )
        Path(path).write_text(edited, encoding="utf-8")
        code, out, err = run("diff", f"HEAD:{path}", path)
        assert code == 0, err
        assert "channels" in out
        code, _, err = run("diff", f"nosuchrev:{path}", path)
        assert code == 2
        assert "nosuchrev" in err


class TestGate:
    @pytest.fixture
    def repository(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        return committed_copy(ROOT / "examples" / "reform-repo" / "procedures", tmp_path / "repo", monkeypatch)

    def test_unchanged_files_pass_and_catalogue_files_are_skipped(self, repository: Path):
        code, _, err = run("gate", "procedures")
        assert code == 0, err
        assert "checked 2 file(s) against HEAD: 0 refused" in err

    def test_an_added_document_is_refused_with_its_file(self, repository: Path):
        path = Path("procedures/04-temporary-residence-registration.yaml")
        text = path.read_text(encoding="utf-8")
        text = text.replace("documents:\n", "documents:\n  - id: extra-paper\n    document_type: citizen-id-card\n", 1)
        path.write_text(text.replace("consumes: [", "consumes: [extra-paper, ", 1), encoding="utf-8")
        code, _, err = run("gate", str(path), "--fail-on", "document-added")
        assert code == 1
        assert f"{path}: gate against HEAD: document-added: document 'extra-paper'" in err
        assert run("gate", str(path), "--fail-on", "visit-added")[0] == 0

    def test_only_the_files_git_says_changed_are_compared(self, repository: Path, monkeypatch: pytest.MonkeyPatch):
        import thutuc.diff

        compared: list[str] = []
        real = thutuc.diff.diff

        def counting(before, after, **kwargs):
            compared.append(after.id)
            return real(before, after, **kwargs)

        monkeypatch.setattr(thutuc.diff, "diff", counting)
        assert run("gate", "procedures")[0] == 0
        assert compared == [], "no file changed since HEAD"
        path = Path("procedures/04-temporary-residence-registration.yaml")
        path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        code, _, err = run("gate", "procedures")
        assert code == 0, err
        assert compared == ["temporary-residence-registration"]
        assert "checked 2 file(s) against HEAD: 0 refused" in err

    def test_a_change_outside_the_working_folder_is_still_compared(
        self, repository: Path, monkeypatch: pytest.MonkeyPatch
    ):
        path = Path("procedures/04-temporary-residence-registration.yaml")
        text = path.read_text(encoding="utf-8")
        text = text.replace("documents:\n", "documents:\n  - id: extra-paper\n    document_type: citizen-id-card\n", 1)
        path.write_text(text.replace("consumes: [", "consumes: [extra-paper, ", 1), encoding="utf-8")
        (repository / "tools").mkdir()
        monkeypatch.chdir(repository / "tools")
        code, _, err = run("gate", "../procedures", "--fail-on", "document-added")
        assert code == 1, err
        assert "document-added: document 'extra-paper'" in err

    def test_a_file_the_catalogue_no_longer_fits_fails_the_gate_though_unchanged(self, repository: Path):
        catalogue = Path("procedures/catalogue")
        types = next(p for p in catalogue.glob("*.yaml") if "citizen-id-card" in p.read_text(encoding="utf-8"))
        types.write_text(types.read_text(encoding="utf-8").replace("citizen-id-card", "id-card-2", 1), encoding="utf-8")
        code, _, err = run("gate", "procedures")
        assert code == 1
        assert "procedures/01-id-number-confirmation.yaml:" in err
        assert "error THT014 unknown-document-type: unknown document type 'citizen-id-card'" in err

    def test_a_new_file_passes_and_an_unknown_revision_is_a_clear_error(self, repository: Path):
        new = Path("procedures/99-new.yaml")
        shutil.copy("procedures/01-id-number-confirmation.yaml", new)
        new.write_text(new.read_text(encoding="utf-8").replace("id: id-number-confirmation", "id: new-one", 1))
        code, _, err = run("gate", str(new))
        assert code == 0, err
        code, _, err = run("gate", str(new), "--against", "nosuchrev")
        assert code == 1
        assert "nosuchrev" in err
        assert "Traceback" not in err


def test_an_output_that_cannot_be_written_is_a_clear_error():
    result = subprocess.run(
        [sys.executable, "-m", "thutuc", "summary", str(ROOT / "procedures"), "--format", "md", "-o", "/proc/no/x.md"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.stderr


class TestRender:
    def test_one_diagram_to_a_file_in_the_format_of_its_suffix(self, tmp_path: Path):
        pytest.importorskip("pygraphviz")
        target = tmp_path / "birth.png"
        code, _, err = run("render", BIRTH, "-o", str(target))
        assert code == 0, err
        assert target.read_bytes().startswith(b"\x89PNG")

    def test_dot_and_mermaid_go_to_stdout(self):
        code, out, _ = run("render", BIRTH, "--format", "dot", "--lang", "vi")
        assert code == 0
        assert out.startswith("digraph")
        assert "Đăng ký khai sinh" in out
        code, out, _ = run("render", BIRTH, "--format", "mermaid")
        assert code == 0
        assert out.startswith("flowchart TB")

    def test_a_diff_against_another_version(self):
        code, out, err = run("render", BIRTH_BASELINE, "--view", "diff", "--against", BIRTH, "--format", "dot")
        assert code == 0, err
        assert "<S>− " in out
        assert "#009E73" in out

    def test_a_folder_gives_one_diagram_per_procedure_and_an_index(self, tmp_path: Path):
        pytest.importorskip("pygraphviz")
        folder = tmp_path / "diagrams"
        code, _, err = run(
            "render",
            str(ROOT / "procedures" / "baselines"),
            str(ROOT / "procedures" / "essential" / "09-birth-registration.yaml"),
            "-o",
            str(folder),
            "--view",
            "before-after",
            "--view",
            "diff",
            "--jobs",
            "2",
        )
        assert code == 0, err
        svgs = sorted(p.name for p in folder.glob("*.svg"))
        assert len(svgs) == 2 * 7
        index = (folder / "index.md").read_text(encoding="utf-8")
        assert "[diff](birth-registration-baseline-diff.svg)" in index
        reform = (folder / "birth-registration-baseline-diff.svg").read_text(encoding="utf-8")
        assert "Digitally signed electronic birth notice" in reform  # compared with the current version

    def test_without_a_renderer_svg_fails_clearly(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
        from thutuc.render import output

        monkeypatch.setattr(output, "renderer", lambda: None)
        code, _, err = run("render", BIRTH, "-o", str(tmp_path / "x.svg"))
        assert code == 1
        assert "pip install pygraphviz" in err
        assert "Traceback" not in err
        assert run("render", BIRTH, "--format", "dot")[0] == 0

    def test_against_needs_a_comparing_view(self):
        code, _, err = run("render", BIRTH, "--against", BIRTH_BASELINE)
        assert code == 2
        assert "--view before-after or --view diff" in err


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_appears_in_the_docs(name: str):
    command = cli.commands[name]
    assert command.help
    assert command.short_help or command.help.splitlines()[0]
    assert f"## `thutuc {name}`" in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "thutuc", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "validate" in result.stdout


def test_help_does_not_import_the_library():
    heavy = ("pydantic", "networkx", "yaml", "rich")
    code = f"import sys, thutuc.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
