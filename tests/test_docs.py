"""The reference pages in docs/ are generated; they must match the code, fixtures and data."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def generator():
    spec = importlib.util.spec_from_file_location("generate_docs", ROOT / "tools" / "generate_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", ["cli.md", "errors.md", "format.md", "data.md", "rules.md", "analysis.md"])
def test_generated_page_is_current(page: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    expected = generator().PAGES[page]()
    current = (ROOT / "docs" / page).read_text(encoding="utf-8")
    assert current == expected, f"docs/{page} is out of date: run 'python tools/generate_docs.py'"


@pytest.mark.parametrize("name", ["after.yaml", "review.md"])
def test_the_worked_example_is_current(name: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    expected = generator().EXAMPLES[name]()
    current = (ROOT / "examples" / "reform-review" / name).read_text(encoding="utf-8")
    assert current == expected, f"examples/reform-review/{name} is out of date: run 'python tools/generate_docs.py'"


def test_every_file_starts_with_the_schema_line():
    for path in sorted((ROOT / "procedures").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/thutuc.schema.json", path


def _gate(before: str, after: str) -> subprocess.CompletedProcess[str]:
    scripts = str(Path(sys.executable).parent)
    return subprocess.run(
        ["bash", str(ROOT / "examples" / "reform-review" / "check-change.sh"), before, after],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")},
    )


def test_the_example_gate_passes_the_simplification_and_fails_the_reverse():
    before = "examples/reform-review/before.yaml"
    after = "examples/reform-review/after.yaml"
    passed = _gate(before, after)
    assert passed.returncode == 0, passed.stderr
    assert "| Burden | Before | After | Change |" in passed.stdout
    failed = _gate(after, before)
    assert failed.returncode == 1
    assert "gate: document-added" in failed.stderr
