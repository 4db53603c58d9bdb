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
