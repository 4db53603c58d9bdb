"""The pytest plugin on fixture repositories: one that passes, and ones that fail for each reason it checks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # noqa: F401 - see below

# pytester's in-process runs drop the modules first imported inside them; a module imported there
# and kept by another would then meet a second copy of yaml. Importing them here keeps one copy.
import thutuc.analysis
import thutuc.diff
import thutuc.testing._plugin
import thutuc.transform  # noqa: F401

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "examples" / "reform-repo"
ID_NUMBER = "procedures/01-id-number-confirmation.yaml"
RESIDENCE = "procedures/04-temporary-residence-registration.yaml"

# A small budget keeps the self-tests quick; every failure they provoke is found within it.
CONFIG = """
[tool.thutuc]
paths = ["procedures"]
catalogue = "procedures/catalogue"
max-examples = 20
"""

DROPS_THE_RELATIONSHIP_PAPERS = """
import thutuc.transform as transform
from thutuc.model import Procedure

_simplify = transform.simplify


def simplify_without_the_fallback(procedure, *args, **kwargs):
    result = _simplify(procedure, *args, **kwargs)
    data = result.procedure.model_dump(mode="json", exclude_defaults=True)
    data["documents"] = [d for d in data.get("documents", []) if d["id"] != "relationship-proof"]
    for step in data["steps"]:
        if "relationship-proof" in step.get("consumes", []):
            step["consumes"].remove("relationship-proof")
    return transform.Simplified(Procedure.model_validate(data), result.trace)


# pytester runs in this process: patch for this run only.
def pytest_configure(config):
    transform.simplify = simplify_without_the_fallback


def pytest_unconfigure(config):
    transform.simplify = _simplify
"""


def make_repository(pytester: pytest.Pytester, *files: str, config: str = CONFIG) -> Path:
    """A reform repository in the pytester folder: the template's catalogue and the named procedures."""
    root = pytester.path
    shutil.copytree(TEMPLATE / "procedures" / "catalogue", root / "procedures" / "catalogue")
    for name in files:
        shutil.copy(TEMPLATE / name, root / name)
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    return root


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the fixture edit expects {old!r} in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def failure_text(result: pytest.RunResult) -> str:
    return "\n".join(result.outlines)


def add_a_document(path: Path) -> None:
    """The applicant is asked for one more paper: a copy of the ID card at submission."""
    extra = "  - id: extra-paper\n    document_type: citizen-id-card\n    form: plain_copy\n"
    edit(path, "documents:\n", "documents:\n" + extra)
    edit(path, "consumes: [", "consumes: [extra-paper, ")


def remove_the_archive_fallback(root: Path) -> None:
    """The old number is no longer searched in the archive, nor shown on the old card: no fallback is left."""
    path = root / ID_NUMBER
    edit(path, "{to: search-archive, condition: Old", "{to: refuse, condition: Old")
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("  - id: search-archive")] + text[text.index("  - id: refuse") :]
    text = text[: text.index("  - id: old-card")] + text[text.index("steps:") :]
    path.write_text(text.replace("consumes: [request, current-card, old-card]", "consumes: [request, current-card]"))


class TestAPassingRepository:
    def test_one_item_per_procedure_and_every_one_passes(self, pytester: pytest.Pytester):
        make_repository(pytester, ID_NUMBER, RESIDENCE)
        result = run(pytester, "-v")
        result.assert_outcomes(passed=2)
        result.stdout.fnmatch_lines(
            [
                "thutuc: procedures in procedures; profile thutuc-ci",
                "*01-id-number-confirmation.yaml::id-number-confirmation PASSED*",
                "*04-temporary-residence-registration.yaml::temporary-residence-registration PASSED*",
            ]
        )

    def test_the_paths_can_come_from_the_command_line_alone(self, pytester: pytest.Pytester):
        make_repository(pytester, RESIDENCE, config="")
        run(pytester).assert_outcomes()
        run(pytester, "--thutuc-paths=procedures").assert_outcomes(passed=1)

    def test_without_configuration_the_plugin_does_nothing(self, pytester: pytest.Pytester):
        make_repository(pytester, RESIDENCE, config="[tool.other]\nx = 1\n")
        pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
        result = run(pytester)
        result.assert_outcomes(passed=1)
        assert "thutuc:" not in result.stdout.str()

    def test_the_plugin_module_loads_without_the_models_or_hypothesis(self):
        probe = "import sys, thutuc.testing.plugin; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        probe += "('pydantic', 'hypothesis', 'networkx', 'yaml') or m.startswith('thutuc.model')))"
        shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        assert shown.stdout.strip() == "[]"

    def test_a_misspelt_key_is_a_usage_error_with_a_hint(self, pytester: pytest.Pytester):
        make_repository(pytester, RESIDENCE, config=CONFIG.replace("paths =", "path ="))
        result = run(pytester)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert "[tool.thutuc] has no key 'path'; did you mean 'paths'?" in result.stderr.str()

    def test_a_property_that_does_not_import_fails_the_item_clearly(self, pytester: pytest.Pytester):
        make_repository(pytester, RESIDENCE, config=CONFIG + 'properties = ["no_such_module:rule"]\n')
        result = run(pytester)
        result.assert_outcomes(failed=1)
        assert "[tool.thutuc] properties: cannot import 'no_such_module:rule'" in failure_text(result)

    def test_the_profile_comes_from_the_environment_and_must_exist(
        self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
    ):
        make_repository(pytester, RESIDENCE)
        monkeypatch.setenv("THUTUC_HYPOTHESIS_PROFILE", "thutuc-nightly")
        result = run(pytester)
        result.assert_outcomes(failed=1)
        assert "unknown hypothesis profile 'thutuc-nightly'" in failure_text(result)
        run(pytester, "--thutuc-profile=thutuc-deep", "--thutuc-max-examples=5").assert_outcomes(passed=1)

    def test_a_bad_configuration_is_a_usage_error(self, pytester: pytest.Pytester):
        make_repository(pytester, RESIDENCE, config=CONFIG + "\n[tool.thutuc.known-failures]\nx = 'lookup-fallback'\n")
        result = run(pytester)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert "known-failures maps procedure ids to lists of properties" in result.stderr.str()


class TestFailures:
    def test_a_broken_reference_names_the_file_the_procedure_and_the_place(self, pytester: pytest.Pytester):
        root = make_repository(pytester, RESIDENCE)
        edit(root / RESIDENCE, "consumes: [", "consumes: [declaratoin, ")
        result = run(pytester)
        result.assert_outcomes(failed=1)
        text = failure_text(result)
        line = line_of(root / RESIDENCE, "declaratoin")
        assert f"{RESIDENCE}: procedure 'temporary-residence-registration': does not validate" in text
        assert re.search(rf"{RESIDENCE}:{line}:\d+: error THT012 unknown-document: .*'declaratoin'", text)
        assert "did you mean 'declaration'?" in text
        assert "Traceback" not in text
        assert "def runtest" not in text

    def test_a_broken_catalogue_is_shown_with_the_procedures_it_fails(self, pytester: pytest.Pytester):
        root = make_repository(pytester, RESIDENCE)
        catalogue = root / "procedures" / "catalogue" / "document-types.yaml"
        edit(catalogue, "- person.identity", "- person.identiti")
        result = run(pytester)
        result.assert_outcomes(failed=1)
        text = failure_text(result)
        assert "no valid catalogue to check against" in text
        line = line_of(catalogue, "person.identiti")
        assert re.search(rf"procedures/catalogue/document-types\.yaml:{line}:\d+: error THT013", text)

    def test_a_lookup_without_fallback_names_the_lookup_and_the_scenario(self, pytester: pytest.Pytester):
        root = make_repository(pytester, ID_NUMBER)
        remove_the_archive_fallback(root)
        result = run(pytester)
        result.assert_outcomes(failed=1)
        text = failure_text(result)
        line = line_of(root / ID_NUMBER, "- id: lookup-population")
        assert (
            f"{ID_NUMBER}: procedure 'id-number-confirmation': lookup-fallback: lookup 'lookup-population' fails "
            "(population-db lacks person.old_id_number for this applicant)"
        ) in text
        assert f"    at {ID_NUMBER}:{line}:5" in text
        assert re.search(
            r"in scenario: as of \d{4}-\d\d-\d\d; .*lookups failing: population-db lacks person\.old_id", text
        )
        assert re.search(r'reproduce: pytest ".*::id-number-confirmation" --thutuc-reproduce="b\'[^\']+\'"', text)
        assert "Traceback" not in text

    def test_the_reproduction_blob_replays_the_same_scenario(self, pytester: pytest.Pytester):
        root = make_repository(pytester, ID_NUMBER)
        remove_the_archive_fallback(root)
        first = failure_text(run(pytester))
        blob = re.search(r'--thutuc-reproduce="([^"]+)"', first)
        assert blob is not None
        scenario = re.search(r"in scenario: (.*)", first)
        assert scenario is not None
        replayed = run(pytester, "--thutuc-profile=thutuc-deep", f"--thutuc-reproduce={blob.group(1)}")
        replayed.assert_outcomes(failed=1)
        assert f"in scenario: {scenario.group(1)}" in failure_text(replayed)
        shutil.copy(TEMPLATE / ID_NUMBER, root / ID_NUMBER)
        fixed = run(pytester, f"--thutuc-reproduce={blob.group(1)}")
        fixed.assert_outcomes(failed=1)
        assert "--thutuc-reproduce: " in failure_text(fixed)
        assert "Traceback" not in failure_text(fixed)

    def test_a_time_limit_exceeded_names_the_days_and_the_limit(self, pytester: pytest.Pytester):
        root = make_repository(pytester, RESIDENCE)
        edit(root / RESIDENCE, "    kind: check\n", "    kind: check\n    duration: {working_days: 2}\n")
        edit(root / RESIDENCE, "    kind: decide\n", "    kind: decide\n    duration: {working_days: 2}\n")
        result = run(pytester)
        result.assert_outcomes(failed=1)
        text = failure_text(result)
        line = line_of(root / RESIDENCE, "time_limit:")
        assert (
            f"{RESIDENCE}: procedure 'temporary-residence-registration': within-time-limit: the path takes 4 "
            "working days (steps with a duration: examine-dossier, decide), over the time limit of 3"
        ) in text
        assert f"    at {RESIDENCE}:{line}:1" in text
        assert "in scenario: as of" in text

    def test_an_unsound_simplification_names_the_lost_fact_and_the_scenario(self, pytester: pytest.Pytester):
        # A simplifier that drops the relationship papers of the permanent residence registration, as
        # thutuc once did: the population lookup before them establishes the relationship, so the check
        # over the whole procedure passes, but the database holds it for part of the population only.
        root = pytester.path
        shutil.copytree(ROOT / "procedures" / "catalogue", root / "procedures" / "catalogue")
        name = "procedures/03-permanent-residence-registration.yaml"
        shutil.copy(ROOT / "procedures" / "essential" / Path(name).name, root / name)
        (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
        pytester.makeconftest(DROPS_THE_RELATIONSHIP_PAPERS)
        result = run(pytester)
        result.assert_outcomes(failed=1)
        text = failure_text(result)
        assert (
            f"{name}: procedure 'permanent-residence-registration': simplification-sound: after simplification, "
            "step 'examine-dossier' lacks applicant:person.family_relationship"
        ) in text
        assert f"at {name}:{line_of(root / name, '- id: examine-dossier')}:5" in text
        assert "lookups failing: population-db lacks person.family_relationship" in text

    def test_the_gate_against_a_baseline_folder_refuses_an_added_document(self, pytester: pytest.Pytester):
        root = make_repository(
            pytester, RESIDENCE, config=CONFIG + 'baseline = "baseline"\ngate = ["document-added"]\n'
        )
        (root / "baseline").mkdir()
        shutil.copy(root / RESIDENCE, root / "baseline" / Path(RESIDENCE).name)
        shutil.copytree(root / "procedures" / "catalogue", root / "baseline" / "catalogue")
        run(pytester).assert_outcomes(passed=1)
        add_a_document(root / RESIDENCE)
        result = run(pytester)
        result.assert_outcomes(failed=1)
        assert (
            f"{RESIDENCE}: procedure 'temporary-residence-registration': gate against baseline: "
            "document-added: document 'extra-paper'"
        ) in failure_text(result)

    def test_the_gate_against_a_git_revision(self, pytester: pytest.Pytester):
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        root = make_repository(pytester, RESIDENCE, config=CONFIG + 'gate = ["document-added"]\n')
        for command in (
            ["git", "init", "-q"],
            ["git", "add", "."],
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "procedures"],
        ):
            subprocess.run(command, cwd=root, check=True, capture_output=True)
        add_a_document(root / RESIDENCE)
        run(pytester).assert_outcomes(passed=1)  # no baseline given: no gate
        result = run(pytester, "--thutuc-baseline=HEAD")
        result.assert_outcomes(failed=1)
        assert "gate against HEAD: document-added: document 'extra-paper'" in failure_text(result)
        unknown = run(pytester, "--thutuc-baseline=nosuchrev")
        unknown.assert_outcomes(failed=1)
        assert "the baseline nosuchrev does not load" in failure_text(unknown)


class TestKnownFailuresAndOwnProperties:
    def test_a_known_failure_is_an_xfail_and_fails_once_fixed(self, pytester: pytest.Pytester):
        known = CONFIG + '\n[tool.thutuc.known-failures]\nid-number-confirmation = ["lookup-fallback"]\n'
        root = make_repository(pytester, ID_NUMBER, config=known)
        remove_the_archive_fallback(root)
        result = run(pytester, "-rx")
        result.assert_outcomes(xfailed=1)
        result.stdout.fnmatch_lines(["*XFAIL*id-number-confirmation - known failures: lookup-fallback: lookup*"])
        shutil.copy(TEMPLATE / ID_NUMBER, root / ID_NUMBER)
        fixed = run(pytester)
        fixed.assert_outcomes(failed=1)
        assert "the known failure 'lookup-fallback' no longer fails" in failure_text(fixed)

    def test_your_own_property_runs_in_every_scenario(self, pytester: pytest.Pytester):
        config = CONFIG + 'properties = ["team_rules:no_refusal"]\n'
        make_repository(pytester, ID_NUMBER, config=config)
        pytester.makepyfile(
            team_rules="def no_refusal(run):\n"
            "    return ['the path ends in a refusal'] if run.path[-1] == 'refuse' else []\n"
        )
        result = run(pytester)
        result.assert_outcomes(failed=1)
        text = failure_text(result)
        assert "procedure 'id-number-confirmation': no-refusal: the path ends in a refusal" in text
        assert "branches: " in text


def test_the_template_ci_script_gates_a_change_against_main(tmp_path: Path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repository = tmp_path / "reform-repo"
    shutil.copytree(TEMPLATE, repository, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "."],
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "procedures"],
        ["git", "checkout", "-q", "-b", "reform"],
    ):
        subprocess.run(command, cwd=repository, check=True, capture_output=True)
    add_a_document(repository / RESIDENCE)
    scripts = str(Path(sys.executable).parent)
    result = subprocess.run(
        ["bash", str(repository / "ci.sh")],
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        f"{RESIDENCE}: procedure 'temporary-residence-registration': gate against main: document-added: "
        "document 'extra-paper'"
    ) in result.stdout
