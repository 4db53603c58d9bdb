"""The caches of validated models and of whole-run outputs: hits on unchanged inputs, never stale, an opt-out."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from thutuc.analysis import AnalysisOptions, render_report
from thutuc.cli import cli
from thutuc.errors import LoadError
from thutuc.io import (
    ModelCache,
    OutputCache,
    PartStore,
    inputs_fingerprint,
    load_paths,
    load_paths_on_demand,
    validate_paths,
    write_atomic,
)

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
    for entry in (tmp_path / "cache").rglob("*.model"):
        entry.write_bytes(b"not a pickle")
    again = validate_paths([tree / "essential"], cache=cache)
    assert again.procedures == first.procedures
    assert cache.hits == 0


def test_an_entry_is_one_file_and_one_naming_another_procedure_is_dropped(tree: Path, tmp_path: Path):
    cache = ModelCache(tmp_path / "cache")
    first = validate_paths([tree / "essential"], cache=cache)
    entries = [e for e in sorted((tmp_path / "cache").rglob("*")) if e.is_file()]
    assert len(entries) == len(first.procedures)
    verdicts = validate_paths([tree / "essential"], cache=cache, models=False)
    assert {f.id for f in verdicts.files if f.kind == "procedure"} == {p.id for p in first.procedures}
    for entry in entries:
        _, _, body = entry.read_bytes().partition(b"\n")
        entry.write_bytes(b"another-procedure\n" + body)
    hits = cache.hits
    again = validate_paths([tree / "essential"], cache=cache)
    assert again.procedures == first.procedures
    assert cache.hits == hits


def test_an_entry_without_a_whole_first_line_gives_no_verdict(tmp_path: Path):
    cache = ModelCache(tmp_path / "cache")
    key = ModelCache.key(b"id: x", "catalogue")
    for damaged in (b"x" * 600, b"truncated-id"):
        cache._path(key).parent.mkdir(parents=True, exist_ok=True)
        cache._path(key).write_bytes(damaged)
        assert cache.validated_id(key) is None
        assert cache.get(key) is None


def test_entries_of_other_validating_code_are_dropped_on_the_first_write_but_the_latest(
    tree: Path, tmp_path: Path, monkeypatch
):
    import thutuc.io.cache as cache_module

    folder = tmp_path / "cache"
    # Entries made by three earlier versions of the validating code, the first written longest ago.
    for age, version in enumerate(("1111111111111111", "2222222222222222", "3333333333333333")):
        entry = folder / "models" / version / "ab" / "ab00.model"
        entry.parent.mkdir(parents=True)
        entry.write_bytes(b"old\n")
        os.utime(folder / "models" / version, (1_000_000 + age, 1_000_000 + age))
    legacy = folder / "cd" / "cd00.model"  # the layout before models/
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"old\n")
    kept = [folder / "outputs" / "ef" / "ef00.out", folder / "parts" / "x.parts", folder / "12" / "notes.txt"]
    for path in kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not the model cache's")
    cache = ModelCache(folder)
    assert validate_paths([tree / "essential"], cache=cache).ok
    versions = sorted(p.name for p in (folder / "models").iterdir())
    assert versions == sorted(["3333333333333333", cache_module._code_fingerprint()[:16]])
    assert not legacy.parent.exists()
    assert all(path.exists() for path in kept), "only the model cache's own folders are dropped"
    assert len(list(cache.entries.rglob("*.model"))) == 2
    (folder / "models" / "4444444444444444").mkdir()
    validate_paths([tree / "essential"], cache=ModelCache(folder))
    assert (folder / "models" / "4444444444444444").exists(), "a run that writes nothing drops nothing"


def test_the_cli_writes_its_cache_and_no_cache_turns_it_off(tree: Path, tmp_path: Path, monkeypatch):
    folder = tmp_path / "cli-cache"
    monkeypatch.setenv("THUTUC_CACHE_DIR", str(folder))
    runner = CliRunner()
    assert runner.invoke(cli, ["--no-cache", "validate", str(tree / "essential")]).exit_code == 0
    assert not folder.exists()
    assert runner.invoke(cli, ["validate", str(tree / "essential")]).exit_code == 0
    assert list(folder.rglob("*.model"))


# --- whole-run outputs ---------------------------------------------------------------------


def test_an_output_entry_round_trips_and_a_damaged_one_is_dropped(tmp_path: Path):
    outputs = OutputCache(tmp_path / "outputs")
    key = OutputCache.key("analyze", "inputs-hash", "json")
    assert outputs.get(key) is None
    outputs.put(key, "tổng hợp\n", count=3)
    assert outputs.get(key) == ("tổng hợp\n", {"count": 3, "sha256": outputs.get(key)[1]["sha256"]})
    (entry,) = (tmp_path / "outputs").rglob("*.out")
    entry.write_bytes(entry.read_bytes()[:-3] + b"xx\n")
    assert outputs.get(key) is None
    assert not entry.exists()
    assert OutputCache.key("analyze", "inputs-hash", "md") != key


@pytest.mark.parametrize("output_format", ["text", "md", "json"])
def test_an_unchanged_summary_is_served_from_the_cache(output_format: str, tree: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("THUTUC_CACHE_DIR", str(tmp_path / "cli-cache"))
    command = ["summary", str(tree / "essential"), "--format", output_format]
    first = CliRunner().invoke(cli, command)
    assert first.exit_code == 0, first.output
    with monkeypatch.context() as patched:
        patched.setattr("thutuc.io.load_paths", lambda *args, **kwargs: pytest.fail("the inputs were loaded again"))
        assert CliRunner().invoke(cli, command).stdout == first.stdout
    birth = tree / "essential" / "09-birth-registration.yaml"
    birth.write_text(birth.read_text(encoding="utf-8").replace("Đăng ký khai sinh", "Khai sinh", 1), encoding="utf-8")
    edited = CliRunner().invoke(cli, command)
    assert edited.stdout != first.stdout
    assert edited.stdout == CliRunner().invoke(cli, ["--no-cache", *command]).stdout


def test_the_inputs_fingerprint_follows_files_and_catalogue(tree: Path):
    first = inputs_fingerprint([tree / "essential"])
    assert first is not None
    assert inputs_fingerprint([tree / "essential"]) == first
    facts = tree / "catalogue" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after_catalogue = inputs_fingerprint([tree / "essential"])
    assert after_catalogue != first
    birth = tree / "essential" / "09-birth-registration.yaml"
    birth.write_text(birth.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert inputs_fingerprint([tree / "essential"]) not in (first, after_catalogue)
    assert inputs_fingerprint([tree / "missing"]) is None


def test_an_unchanged_analysis_is_served_from_the_cache(tree: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("THUTUC_CACHE_DIR", str(tmp_path / "cli-cache"))
    runner = CliRunner()
    command = ["analyze", str(tree / "essential"), "--format", "json", "--as-of", "2026-11-28"]
    first = runner.invoke(cli, command)
    assert first.exit_code == 0, first.output

    def no_loading(*args, **kwargs):
        raise AssertionError("the inputs were loaded again")

    with monkeypatch.context() as patched:
        patched.setattr("thutuc.io.load_paths", no_loading)
        patched.setattr("thutuc.io.load_paths_on_demand", no_loading)
        again = runner.invoke(cli, command)
        assert (again.exit_code, again.output) == (0, first.output)
        other_date = runner.invoke(cli, [*command[:-1], "2026-11-27"])
        assert other_date.exit_code != 0  # a different option is not served from the cache
    birth = tree / "essential" / "09-birth-registration.yaml"
    birth.write_text(birth.read_text(encoding="utf-8").replace("Đăng ký khai sinh", "Khai sinh", 1), encoding="utf-8")
    edited = runner.invoke(cli, command)
    assert edited.exit_code == 0
    assert edited.output != first.output
    uncached = CliRunner().invoke(cli, ["--no-cache", *command])
    assert uncached.output == edited.output


def test_written_files_keep_their_mode_or_follow_the_umask(tmp_path: Path):
    existing = tmp_path / "existing.txt"
    existing.write_text("old")
    existing.chmod(0o640)
    write_atomic(existing, "new")
    assert (existing.read_text(), existing.stat().st_mode & 0o777) == ("new", 0o640)
    previous = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", "new")
    finally:
        os.umask(previous)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640


def test_a_run_served_from_the_output_cache_loads_no_model_code(tree: Path, tmp_path: Path):
    environment = {**os.environ, "THUTUC_CACHE_DIR": str(tmp_path / "cli-cache")}
    command = ["analyze", str(tree / "essential"), "--format", "md", "-o", str(tmp_path / "report.md")]
    probe = (
        "import sys\n"
        "from thutuc.cli import cli\n"
        f"cli.main({command!r}, standalone_mode=False)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'networkx', 'yaml'}))\n"
    )
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True)
    assert "pydantic" in first.stdout
    warm = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True)
    assert warm.stdout.strip() == "[]"


def test_a_validation_with_problems_is_served_from_the_cache_with_its_verdict(tree: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("THUTUC_CACHE_DIR", str(tmp_path / "cli-cache"))
    birth = tree / "essential" / "09-birth-registration.yaml"
    birth.write_text(birth.read_text(encoding="utf-8").replace("actor: citizen", "actor: citzen", 1), encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(cli, ["validate", str(tree / "essential")])
    assert first.exit_code == 1
    assert "unknown-actor" in first.output

    def no_validation(*args, **kwargs):
        raise AssertionError("the files were validated again")

    monkeypatch.setattr("thutuc.io.validate_paths", no_validation)
    again = runner.invoke(cli, ["validate", str(tree / "essential")])
    assert (again.exit_code, again.output) == (1, first.output)


# --- validating in several processes -------------------------------------------------------


def test_validating_in_processes_gives_the_same_verdicts_as_one(tree: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr("thutuc.io.loader._FILES_PER_WORKER", 2)
    source = tree / "essential" / "09-birth-registration.yaml"
    text = source.read_text(encoding="utf-8")
    for number in range(8):
        copy = text.replace("id: birth-registration", f"id: birth-registration-{number}", 1)
        (tree / "essential" / f"50-copy-{number}.yaml").write_text(copy, encoding="utf-8")
    # The last file reuses the first copy's id, and another has a broken reference.
    same_id = text.replace("id: birth-registration", "id: birth-registration-0", 1)
    (tree / "essential" / "99-same-id.yaml").write_text(same_id, encoding="utf-8")
    broken = tree / "essential" / "50-copy-3.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("actor: citizen", "actor: citzen", 1))
    one = validate_paths([tree / "essential"], models=False, workers=1)
    several = validate_paths([tree / "essential"], models=False, workers=2, cache=ModelCache(tmp_path / "cache"))
    assert several.files == one.files
    codes = {p.code.slug for p in one.problems}
    assert {"duplicate-id", "unknown-actor"} <= codes
    (duplicate,) = [p for p in several.problems if p.code.slug == "duplicate-id"]
    assert (duplicate.file.endswith("99-same-id.yaml"), duplicate.line > 1) == (True, True)


def test_with_a_warm_cache_only_the_changed_files_go_to_other_processes(tree: Path, tmp_path: Path, monkeypatch):
    import thutuc.io.loader as loader

    monkeypatch.setattr(loader, "_FILES_PER_WORKER", 2)
    source = tree / "essential" / "09-birth-registration.yaml"
    text = source.read_text(encoding="utf-8")
    for number in range(8):
        copy = text.replace("id: birth-registration", f"id: birth-registration-{number}", 1)
        (tree / "essential" / f"50-copy-{number}.yaml").write_text(copy, encoding="utf-8")
    cache = ModelCache(tmp_path / "cache")
    validate_paths([tree / "essential"], models=False, workers=2, cache=cache)
    chunks: list[list[str]] = []

    class Recording(loader.ProcessPoolExecutor):
        def map(self, task, *iterables, **kwargs):
            listed = list(iterables[0])
            chunks.extend([path.name for path in chunk] for chunk in listed)
            return super().map(task, listed, **kwargs)

    monkeypatch.setattr(loader, "ProcessPoolExecutor", Recording)
    warm = validate_paths([tree / "essential"], models=False, workers=2, cache=cache)
    assert (warm.ok, chunks) == (True, []), "every verdict was read from the cache here"
    # Changed files: an earlier file takes a cached file's id, and four more are new.
    (tree / "essential" / "00-first.yaml").write_text(
        text.replace("id: birth-registration", "id: birth-registration-5", 1) + "# new\n", encoding="utf-8"
    )
    for number in range(8, 12):
        copy = text.replace("id: birth-registration", f"id: birth-registration-{number}", 1)
        (tree / "essential" / f"50-copy-{number}.yaml").write_text(copy, encoding="utf-8")
    mixed = validate_paths([tree / "essential"], models=False, workers=2, cache=cache)
    changed = {"00-first.yaml", *(f"50-copy-{n}.yaml" for n in range(8, 12))}
    assert {name for chunk in chunks for name in chunk} == changed
    assert mixed.files == validate_paths([tree / "essential"], models=False, workers=1).files
    (duplicate,) = [p for p in mixed.problems if p.code.slug == "duplicate-id"]
    assert duplicate.file.endswith("50-copy-5.yaml"), "reported on the later file, though the cache held it"


# --- each procedure's part of a report ------------------------------------------------------


def _rename_in_english(path: Path) -> None:
    """An edit that shows in an English report."""
    text = path.read_text(encoding="utf-8").replace("en: Birth registration}", "en: Registering a birth}", 1)
    path.write_text(text, encoding="utf-8")


def _counting_analyses(monkeypatch) -> list[str]:
    """The ids of the procedures render_report analyzes from now on."""
    import thutuc.analysis.report as report

    analyzed: list[str] = []
    real = report.analyze

    def counting(procedure, *args, **kwargs):
        analyzed.append(procedure.id)
        return real(procedure, *args, **kwargs)

    monkeypatch.setattr(report, "analyze", counting)
    return analyzed


def test_a_report_reuses_the_parts_of_unchanged_files_only(tree: Path, tmp_path: Path, monkeypatch):
    cache = ModelCache(tmp_path / "cache")
    options = AnalysisOptions(as_of=dt.date(2026, 11, 28))
    parts: dict[str, object] = {}
    first = render_report(load_paths([tree / "essential"], cache=cache), "md", options=options, parts=parts)
    assert len(parts) == 2
    analyzed = _counting_analyses(monkeypatch)
    again = render_report(load_paths([tree / "essential"], cache=cache), "md", options=options, parts=parts)
    assert (again, analyzed) == (first, [])
    birth = tree / "essential" / "09-birth-registration.yaml"
    _rename_in_english(birth)
    edited_set = load_paths([tree / "essential"], cache=cache)
    edited = render_report(edited_set, "md", options=options, parts=parts)
    assert analyzed == ["birth-registration"]
    assert edited == render_report(edited_set, "md", options=options)  # as made from nothing
    assert edited != first
    assert len(parts) == 2, "the parts of this report only: the edited file's old part is gone"


def _models_read(monkeypatch) -> list[str]:
    """The ids of the procedures read back from a model cache from now on."""
    read: list[str] = []
    real = ModelCache.get

    def counting(self, key):
        model = real(self, key)
        if model is not None:
            read.append(model.id)
        return model

    monkeypatch.setattr(ModelCache, "get", counting)
    return read


def test_a_report_after_an_edit_reads_back_only_what_it_analyzes_or_compares(tmp_path: Path, monkeypatch):
    shutil.copytree(ROOT / "procedures", tmp_path / "procedures")
    folders = [tmp_path / "procedures" / "essential", tmp_path / "procedures" / "baselines"]
    cache = ModelCache(tmp_path / "cache")
    options = AnalysisOptions(as_of=dt.date(2026, 11, 28))
    everything = load_paths(folders)
    baselines = [p for p in everything.procedures if p.status.value == "baseline"]
    currents = {p.service_number: p.id for p in everything.procedures if p.status.value == "current"}
    compared = [p.id for p in baselines] + [currents[p.service_number] for p in baselines]
    assert len(baselines) == 6
    read = _models_read(monkeypatch)
    parts: dict[str, object] = {}
    cold = load_paths_on_demand(folders, cache=cache)
    assert read == [], "validating stores the models, and holds none"
    render_report(cold, "md", options=options, parts=parts)
    assert sorted(read) == sorted([p.id for p in everything.procedures] + compared), "each analyzed, the pairs compared"
    edited = tmp_path / "procedures" / "essential" / "01-id-number-confirmation.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    read.clear()
    on_demand = load_paths_on_demand(folders, cache=cache)
    report = render_report(on_demand, "md", options=options, parts=parts)
    assert sorted(read) == sorted([*compared, "id-number-confirmation"]), "the others stay in the cache"
    assert len(on_demand.ids) == len(everything.procedures)
    assert report == render_report(everything, "md", options=options), "the same report as one made from nothing"
    monkeypatch.setattr("thutuc.analysis.report._PROCEDURES_PER_WORKER", 2)
    in_processes = render_report(load_paths_on_demand(folders, cache=cache), "md", options=options, workers=2)
    assert in_processes == report, "processes that read their share of the models from the cache"


def test_a_model_gone_from_the_cache_is_validated_again_and_a_changed_file_is_reported(tree: Path, tmp_path: Path):
    cache = ModelCache(tmp_path / "cache")
    load_paths_on_demand([tree / "essential"], cache=cache)
    on_demand = load_paths_on_demand([tree / "essential"], cache=cache)
    for entry in (tmp_path / "cache").rglob("*.model"):
        entry.write_bytes(b"damaged")
    assert on_demand["birth-registration"] == load_paths([tree / "essential"])["birth-registration"]
    birth = tree / "essential" / "10-death-registration.yaml"
    birth.write_text(birth.read_text(encoding="utf-8") + "# edited meanwhile\n", encoding="utf-8")
    with pytest.raises(LoadError, match="changed while thutuc was reading it"):
        on_demand["death-registration"]
    with pytest.raises(KeyError):
        on_demand["no-such-procedure"]


def test_a_report_with_other_options_or_format_reuses_no_part(tree: Path, tmp_path: Path, monkeypatch):
    procedure_set = load_paths([tree / "essential"], cache=ModelCache(tmp_path / "cache"))
    parts: dict[str, object] = {}
    render_report(procedure_set, "md", options=AnalysisOptions(as_of=dt.date(2026, 11, 28)), parts=parts)
    analyzed = _counting_analyses(monkeypatch)
    for output_format, lang, options in (
        ("md", "en", AnalysisOptions(as_of=dt.date(2026, 11, 27))),
        ("md", "en", AnalysisOptions(as_of=dt.date(2026, 11, 28), rules=frozenset({"once-only"}))),
        ("text", "en", AnalysisOptions(as_of=dt.date(2026, 11, 28))),
        ("md", "vi", AnalysisOptions(as_of=dt.date(2026, 11, 28))),
    ):
        kept = dict(parts)
        render_report(procedure_set, output_format, lang, options=options, parts=kept)
    assert len(analyzed) == 8


def test_a_damaged_or_unkeyed_part_is_made_again(tree: Path, tmp_path: Path, monkeypatch):
    procedure_set = load_paths([tree / "essential"], cache=ModelCache(tmp_path / "cache"))
    options = AnalysisOptions(as_of=dt.date(2026, 11, 28))
    parts: dict[str, object] = {}
    first = render_report(procedure_set, "md", options=options, parts=parts)
    damaged = dict.fromkeys(parts, ("not", "a part"))
    analyzed = _counting_analyses(monkeypatch)
    assert render_report(procedure_set, "md", options=options, parts=damaged) == first
    assert len(analyzed) == 2
    unkeyed = load_paths([tree / "essential"])  # loaded without a cache: no content keys
    assert render_report(unkeyed, "md", options=options, parts=parts) == first
    assert len(analyzed) == 4


def test_a_part_store_round_trips_and_a_damaged_one_is_dropped(tmp_path: Path):
    store = PartStore(tmp_path / "parts")
    key = PartStore.key("analyze", "md", "/some/folder")
    assert store.load(key) == {}
    store.save(key, {"a": ("part", None)})
    assert store.load(key) == {"a": ("part", None)}
    (entry,) = (tmp_path / "parts").glob("*.parts")
    entry.write_bytes(entry.read_bytes()[:-2] + b"xx")
    assert store.load(key) == {}
    assert not entry.exists()
    store.save(key, ["not", "a mapping"])  # type: ignore[arg-type]
    assert store.load(key) == {}
    assert PartStore.key("analyze", "json", "/some/folder") != key


def test_the_cli_analyzes_only_the_edited_file_and_writes_what_a_fresh_run_writes(
    tree: Path, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("THUTUC_CACHE_DIR", str(tmp_path / "cli-cache"))
    command = ["analyze", str(tree / "essential"), "--format", "md", "--as-of", "2026-11-28"]
    assert CliRunner().invoke(cli, command).exit_code == 0
    assert len(list((tmp_path / "cli-cache" / "parts").glob("*.parts"))) == 1
    birth = tree / "essential" / "09-birth-registration.yaml"
    _rename_in_english(birth)
    analyzed = _counting_analyses(monkeypatch)
    edited = CliRunner().invoke(cli, command)
    assert edited.exit_code == 0
    assert analyzed == ["birth-registration"]
    fresh = CliRunner().invoke(cli, ["--no-cache", *command])
    assert fresh.output == edited.output
    saved = []
    monkeypatch.setattr(PartStore, "save", lambda self, key, entries: saved.append(key))
    for output in (tmp_path / "cli-cache" / "outputs").rglob("*.out"):
        output.unlink()  # the whole output is made again, every part reused
    assert CliRunner().invoke(cli, command).output == edited.output
    assert saved == [], "with no part made or dropped, the store is not written again"
    birth.write_text(birth.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")  # new bytes: a new part
    assert CliRunner().invoke(cli, command).exit_code == 0
    assert len(saved) == 1


def _aged(folder: Path, pattern: str) -> None:
    """Give the entries in ``folder`` distinct times of last use, oldest first by name of creation."""
    for age, entry in enumerate(sorted(folder.rglob(pattern), key=lambda p: p.stat().st_mtime_ns)):
        os.utime(entry, (1_000_000 + age, 1_000_000 + age))


def test_the_output_cache_keeps_its_most_recently_used_entries_only(tmp_path: Path):
    outputs = OutputCache(tmp_path / "outputs", keep=2)
    first, second, third = (OutputCache.key("analyze", f"inputs-{n}") for n in range(3))
    outputs.put(first, "một\n")
    outputs.put(second, "hai\n")
    _aged(tmp_path / "outputs", "*.out")
    assert outputs.get(first) is not None  # used again: now the most recent
    outputs.put(third, "ba\n")
    assert [outputs.get(k) is not None for k in (first, second, third)] == [True, False, True]
    assert len(list((tmp_path / "outputs").rglob("*.out"))) == 2


def test_the_part_store_keeps_the_files_of_its_most_recently_used_kinds_of_run_only(tmp_path: Path):
    store = PartStore(tmp_path / "parts", keep=2)
    first, second, third = (PartStore.key("analyze", f"options-{n}") for n in range(3))
    store.save(first, {"a": 1})
    store.save(second, {"b": 2})
    _aged(tmp_path / "parts", "*.parts")
    assert store.load(first) == {"a": 1}
    store.save(third, {"c": 3})
    assert [store.load(k) for k in (first, second, third)] == [{"a": 1}, {}, {"c": 3}]


def test_a_cache_that_cannot_be_cleaned_up_is_left_as_it_is(tmp_path: Path, monkeypatch):
    outputs = OutputCache(tmp_path / "outputs", keep=1)
    outputs.put(OutputCache.key("one"), "một\n")
    (entry,) = (tmp_path / "outputs").rglob("*.out")
    entry.write_bytes(entry.read_bytes() + b"damaged")

    def refused(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(f"cannot delete {self}")

    monkeypatch.setattr(Path, "unlink", refused)
    outputs.put(OutputCache.key("two"), "hai\n")  # one entry too many, which cannot be deleted
    assert outputs.get(OutputCache.key("one")) is None  # damaged, and cannot be deleted either
    assert outputs.get(OutputCache.key("two")) is not None


def test_a_pickled_model_comes_back_equal_frozen_and_without_its_cached_properties(shipped_set):
    # The model cache pickles models with their fields only, and restores them without validating again.
    for procedure in shipped_set.procedures:
        assert procedure.step  # a cached property, kept in the instance's __dict__
        restored = pickle.loads(pickle.dumps(procedure, protocol=pickle.HIGHEST_PROTOCOL))
        assert restored == procedure
        assert restored.model_dump(mode="json") == procedure.model_dump(mode="json")
        assert restored.model_fields_set == procedure.model_fields_set
        assert "step" not in restored.__dict__
        assert restored.step.keys() == procedure.step.keys()
    with pytest.raises(ValidationError):
        restored.id = "changed"  # still frozen
    catalogue = pickle.loads(pickle.dumps(shipped_set.catalogue))
    assert catalogue == shipped_set.catalogue
