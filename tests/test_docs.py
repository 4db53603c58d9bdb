"""The reference pages in docs/ are generated; they must match the code, fixtures and data."""

from __future__ import annotations

import importlib.util

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


def test_every_file_starts_with_the_schema_line():
    for path in sorted((ROOT / "procedures").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/thutuc.schema.json", path
