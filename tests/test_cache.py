"""The validation cache: hits on unchanged files, never a stale or corrupt answer, and an opt-out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from thutuc.cli import cli
from thutuc.io import ModelCache, validate_paths

from .conftest import ROOT


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "procedures" / "catalogue", tmp_path / "catalogue")
    (tmp_path / "essential").mkdir()
    for name in ("09-birth-registration.yaml", "10-death-registration.yaml"):
        text = (ROOT / "procedures" / "essential" / name).read_text(encoding="utf-8")
        (tmp_path / "essential" / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_second_run_reuses_the_validated_models(tree: Path, tmp_path: Path):
    cache = ModelCache(tmp_path / "cache")
    first = validate_paths([tree / "essential"], cache=cache)
    assert (cache.hits, first.ok) == (0, True)
    second = validate_paths([tree / "essential"], cache=cache)
    assert cache.hits == 2
    assert second.procedures == first.procedures


def test_a_verdict_only_run_does_not_load_the_models(tree: Path, tmp_path: Path):
    cache = ModelCache(tmp_path / "cache")
    validate_paths([tree / "essential"], cache=cache)
    report = validate_paths([tree / "essential"], cache=cache, models=False)
    assert report.ok
    assert report.procedures == ()
    assert {f.id for f in report.files if f.kind == "procedure"} == {"birth-registration", "death-registration"}


def test_an_edited_file_is_validated_again(tree: Path, tmp_path: Path):
    cache = ModelCache(tmp_path / "cache")
    validate_paths([tree / "essential"], cache=cache)
    path = tree / "essential" / "09-birth-registration.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("actor: citizen", "actor: citzen", 1), encoding="utf-8")
    report = validate_paths([tree / "essential"], cache=cache, models=False)
    assert not report.ok
    assert any(p.code.slug == "unknown-actor" for p in report.problems)


def test_an_edited_catalogue_invalidates_every_entry(tree: Path, tmp_path: Path):
    cache = ModelCache(tmp_path / "cache")
    validate_paths([tree / "essential"], cache=cache)
    facts = tree / "catalogue" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    hits = cache.hits
    validate_paths([tree / "essential"], cache=cache)
    assert cache.hits == hits


def test_a_corrupt_entry_is_dropped_and_the_file_validated_again(tree: Path, tmp_path: Path):
    cache = ModelCache(tmp_path / "cache")
    first = validate_paths([tree / "essential"], cache=cache)
    for entry in (tmp_path / "cache").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    again = validate_paths([tree / "essential"], cache=cache)
    assert again.procedures == first.procedures
    assert cache.hits == 0


def test_the_cli_writes_its_cache_and_no_cache_turns_it_off(tree: Path, tmp_path: Path, monkeypatch):
    folder = tmp_path / "cli-cache"
    monkeypatch.setenv("THUTUC_CACHE_DIR", str(folder))
    runner = CliRunner()
    assert runner.invoke(cli, ["--no-cache", "validate", str(tree / "essential")]).exit_code == 0
    assert not folder.exists()
    assert runner.invoke(cli, ["validate", str(tree / "essential")]).exit_code == 0
    assert list(folder.rglob("*.pickle"))
