"""The collectors and test items of the pytest plugin, imported only once a procedure file is collected.

Each item checks one procedure: it validates, the analysis runs, its simplification is sound, the
burden gate passes against the baseline, and the scenario properties hold in every drawn scenario.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from thutuc.errors import ErrorCode, Problem, ThutucError
from thutuc.io import FileReport, ValidationReport, loads, validate_paths
from thutuc.io.loader import parse
from thutuc.io.reader import YamlTree
from thutuc.model import Catalogue, Procedure
from thutuc.scenarios import PROPERTIES, Scenario, ScenarioProblem, ScenarioRun, check_scenario, walk
from thutuc.testing.plugin import ThutucSettings, settings_of

__all__ = ["ProcedureCheckError", "ProcedureFile", "ProcedureItem"]

CustomProperty = Callable[[ScenarioRun], Iterable[str] | None]
_REPORT_KEY = pytest.StashKey[ValidationReport]()
_BLOB = re.compile(r"@reproduce_failure\('[^']+', (b'[^']+')\)")


class ProcedureCheckError(Exception):
    """A procedure failed a check: the lines of the readable report."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class _FalsifiedError(Exception):
    """Raised inside the hypothesis search: the scenario and what it broke."""

    def __init__(self, scenario: Scenario, problems: tuple[ScenarioProblem, ...]) -> None:
        super().__init__(scenario.describe())
        self.scenario = scenario
        self.problems = problems


def _validation(config: pytest.Config, settings: ThutucSettings) -> ValidationReport:
    """Every configured path validated once per session, so the catalogue is read once."""
    report = config.stash.get(_REPORT_KEY, None)
    if report is None:
        report = validate_paths(settings.paths, catalogue_folder=settings.catalogue)
        config.stash[_REPORT_KEY] = report
    return report


class ProcedureFile(pytest.File):
    """A YAML file under the configured paths: one item for the procedure it holds."""

    def collect(self) -> Iterator[ProcedureItem]:
        settings = settings_of(self.config)
        if settings is None:
            return
        report = _validation(self.config, settings)
        resolved = self.path.resolve()
        file_report = next((f for f in report.files if Path(f.path).resolve() == resolved), None)
        if file_report is None:  # a file outside the validated paths: validate it on its own
            single = validate_paths([self.path], catalogue_folder=settings.catalogue)
            file_report, report = single.files[0], single
        if file_report.kind == "catalogue":
            return
        procedure = next((p for p in report.procedures if p.id == file_report.id), None)
        # The catalogue is not an item of its own: its problems are shown with the procedures it fails.
        catalogue_problems = tuple(p for f in report.files if f.kind == "catalogue" for p in f.problems)
        yield ProcedureItem.from_parent(
            self,
            name=file_report.id or self.path.stem,
            file_report=file_report,
            procedure=procedure,
            catalogue=report.catalogue,
            catalogue_problems=catalogue_problems,
        )


class ProcedureItem(pytest.Item):
    """One procedure and every check the plugin makes of it."""

    def __init__(
        self,
        *,
        file_report: FileReport,
        procedure: Procedure | None,
        catalogue: Catalogue | None,
        catalogue_problems: tuple[Problem, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.file_report = file_report
        self.catalogue_problems = catalogue_problems
        self.procedure = procedure
        self.catalogue = catalogue
        self.add_marker("thutuc")

    @property
    def head(self) -> str:
        """``file: procedure 'id'``, the start of every failure line."""
        return f"{self.file_report.path}: procedure '{self.name}'"

    def runtest(self) -> None:
        settings = settings_of(self.config)
        assert settings is not None  # the item exists only when the plugin is on
        if self.file_report.problems or self.procedure is None or self.catalogue is None:
            problems = list(self.file_report.problems)
            if any(p.code is ErrorCode.NO_CATALOGUE for p in problems):
                problems += self.catalogue_problems
            raise ProcedureCheckError([f"{self.head}: does not validate", *(p.format() for p in problems)])
        procedure, catalogue = self.procedure, self.catalogue
        lines = self._analysis_and_simplification(procedure, catalogue)
        if settings.baseline and settings.gate:
            lines += self._gate(procedure, catalogue, settings)
        known = set(settings.known_failures.get(procedure.id, ()))
        custom = _custom_properties(settings)
        names = {*PROPERTIES, *custom}
        unknown_names = known - names
        if unknown_names:
            lines.append(
                f"{self.head}: known-failures names unknown properties: {', '.join(sorted(unknown_names))} "
                f"(known: {', '.join(sorted(names))})"
            )
        failure = self._search(settings, exclude=known, custom=custom)
        if failure is not None:
            lines += failure
        if lines:
            raise ProcedureCheckError(lines)
        confirmed = []
        for name in sorted(known & names):
            found = self._search(settings, exclude=names - {name}, custom=custom, shrink=False)
            if found is None:
                raise ProcedureCheckError(
                    [
                        f"{self.head}: the known failure '{name}' no longer fails: "
                        "remove it from [tool.thutuc] known-failures"
                    ]
                )
            confirmed.append(found[0].removeprefix(f"{self.head}: "))
        if confirmed:
            pytest.xfail("known failures: " + " | ".join(confirmed))

    def _analysis_and_simplification(self, procedure: Procedure, catalogue: Catalogue) -> list[str]:
        from thutuc.analysis import analyze
        from thutuc.soundness import check
        from thutuc.transform import simplify

        try:
            analyze(procedure, catalogue)
        except Exception as exc:  # the check is that analysis runs: any error is the finding
            return [f"{self.head}: the analysis fails: {type(exc).__name__}: {exc}"]
        try:
            simplified = simplify(procedure, catalogue=catalogue).procedure
        except Exception as exc:  # likewise for the simplification
            return [f"{self.head}: the simplification fails: {type(exc).__name__}: {exc}"]
        return [
            f"{self.head}: the simplification is unsound: {violation}"
            for violation in check(procedure, simplified, catalogue)
        ]

    def _gate(self, procedure: Procedure, catalogue: Catalogue, settings: ThutucSettings) -> list[str]:
        from thutuc.diff import diff, gate

        try:
            baseline = _baseline_version(self.path, procedure.id, catalogue, settings)
        except ThutucError as exc:
            return [f"{self.head}: the baseline {settings.baseline} does not load", *(p.format() for p in exc.problems)]
        if baseline is None:
            return []  # a new procedure: nothing to compare with
        try:
            reasons = gate(diff(baseline, procedure, catalogue=catalogue), settings.gate)
        except ValueError as exc:
            return [f"{self.head}: {exc}"]
        return [f"{self.head}: gate against {settings.baseline}: {reason}" for reason in reasons]

    def _search(
        self,
        settings: ThutucSettings,
        *,
        exclude: Iterable[str],
        custom: dict[str, CustomProperty],
        shrink: bool = True,
    ) -> list[str] | None:
        """Search the scenarios for one that breaks a selected property; its report lines, or ``None``."""
        import hypothesis
        from hypothesis import Phase, given, reproduce_failure
        from hypothesis.errors import DidNotReproduce, InvalidArgument
        from hypothesis.reporting import with_reporter

        from thutuc.testing._profiles import register_profiles
        from thutuc.testing._scenarios import scenarios
        from thutuc.transform import simplify

        procedure, catalogue = self.procedure, self.catalogue
        assert procedure is not None
        assert catalogue is not None
        excluded = set(exclude)
        built_in = [p for p in PROPERTIES if p not in excluded]
        own = {name: prop for name, prop in custom.items() if name not in excluded}
        if not built_in and not own:
            return None
        register_profiles()
        try:
            profile = hypothesis.settings.get_profile(settings.profile)
        except InvalidArgument:
            return [f"{self.head}: unknown hypothesis profile '{settings.profile}'"]
        chosen = hypothesis.settings(profile, report_multiple_bugs=False)
        if settings.max_examples is not None:
            chosen = hypothesis.settings(chosen, max_examples=settings.max_examples)
        if not shrink:
            chosen = hypothesis.settings(chosen, phases=[Phase.explicit, Phase.reuse, Phase.generate])
        simplified: dict[dt.date, Procedure] = {}

        def simplified_on(day: dt.date) -> Procedure:
            if day not in simplified:
                simplified[day] = simplify(procedure, catalogue=catalogue, as_of=day).procedure
            return simplified[day]

        def every_property_holds(scenario: Scenario) -> None:
            problems = check_scenario(
                procedure,
                catalogue,
                scenario,
                simplified=simplified_on(scenario.as_of) if "simplification-sound" in built_in else None,
                properties=built_in,
            )
            if own:
                problems += _custom_problems(own, walk(procedure, catalogue, scenario))
            if problems:
                raise _FalsifiedError(scenario, tuple(problems))

        test = given(scenarios(procedure, catalogue, outages=settings.outages))(every_property_holds)
        test = chosen(test)
        if settings.reproduce:
            test = reproduce_failure(hypothesis.__version__, _blob_bytes(settings.reproduce))(test)
        reported: list[str] = []
        try:
            with with_reporter(reported.append):
                test()
        except (DidNotReproduce, InvalidArgument) as exc:
            return [f"{self.head}: --thutuc-reproduce: {str(exc).splitlines()[0]}"]
        except _FalsifiedError as falsified:
            # Hypothesis reports the reproduction blob through its reporter or as a note on the error.
            return self._failure_lines(falsified, reported + list(getattr(falsified, "__notes__", [])))
        return None

    def _failure_lines(self, falsified: _FalsifiedError, reported: list[str]) -> list[str]:
        tree = _tree(self.path)
        lines = []
        for problem in falsified.problems:
            lines.append(f"{self.head}: {problem}")
            where = _locate(tree, self.procedure, problem.target, self.file_report.path)
            if where:
                lines.append(f"    at {where}")
        lines.append(f"    in scenario: {falsified.scenario.describe()}")
        blob = next((m.group(1) for line in reported for m in [_BLOB.search(line)] if m), None)
        if blob is not None:
            lines.append(f'    reproduce: pytest "{self.nodeid}" --thutuc-reproduce="{blob}"')
        return lines

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, ProcedureCheckError):
            return str(excinfo.value)
        if isinstance(excinfo.value, pytest.xfail.Exception):  # a known failure: its message, no traceback
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"procedure '{self.name}'"


def _blob_bytes(text: str) -> bytes:
    """The blob a failure printed, given with or without its ``b'...'`` quoting."""
    text = text.strip()
    if text.startswith(("b'", 'b"')):
        text = text[2:-1]
    return text.encode("ascii")


def _tree(path: Path) -> YamlTree | None:
    try:
        tree, _ = parse(path.read_bytes(), str(path))
    except (ThutucError, OSError):
        return None
    return tree


def _locate(tree: YamlTree | None, procedure: Procedure | None, target: str, shown: str) -> str | None:
    """``file:line:col`` of the step or document a problem names (the time limit for the procedure)."""
    if tree is None or procedure is None:
        return None
    if target in procedure.step:
        place: tuple[str | int, ...] = ("steps", procedure.steps.index(procedure.step[target]))
    elif target in procedure.document:
        place = ("documents", procedure.documents.index(procedure.document[target]))
    elif target == procedure.id and procedure.time_limit is not None:
        place = ("time_limit",)
    else:
        return None
    line, column = tree.locate(place)
    return f"{shown}:{line}:{column}"


def _custom_properties(settings: ThutucSettings) -> dict[str, CustomProperty]:
    """Your own properties, ``module:function``, imported with the project folder on the path."""
    found: dict[str, CustomProperty] = {}
    root = str(settings.root)
    if settings.properties and root not in sys.path:
        sys.path.insert(0, root)
    for spec in settings.properties:
        module_name, _, function_name = spec.partition(":")
        try:
            function = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError) as exc:
            raise ProcedureCheckError([f"[tool.thutuc] properties: cannot import '{spec}': {exc}"]) from None
        found[function_name.replace("_", "-")] = function
    return found


def _custom_problems(properties: dict[str, CustomProperty], run: ScenarioRun) -> list[ScenarioProblem]:
    problems = []
    for name, prop in properties.items():
        try:
            messages = list(prop(run) or [])
        except AssertionError as exc:
            messages = [str(exc) or "assertion failed"]
        problems += [ScenarioProblem(name, run.procedure.id, message) for message in messages]
    return problems


def _baseline_version(
    path: Path, procedure_id: str, catalogue: Catalogue, settings: ThutucSettings
) -> Procedure | None:
    """The procedure as it is in the baseline folder, file or git revision; ``None`` when it is new there."""
    from thutuc.io import load_paths, read_revision

    assert settings.baseline is not None
    on_disk = settings.root / settings.baseline
    if on_disk.exists():  # a folder or a file of earlier versions; otherwise a git revision
        earlier = load_paths([on_disk], catalogue_folder=settings.catalogue)
        return next((p for p in earlier.procedures if p.id == procedure_id), None)
    text = read_revision(settings.baseline, path)
    if text is None:
        return None
    return loads(text, catalogue=catalogue, filename=f"{settings.baseline}:{path.name}")
