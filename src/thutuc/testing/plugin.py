"""The pytest plugin: one test item per procedure file under the paths ``[tool.thutuc]`` names.

It loads in every pytest run of every project that installs thutuc, so it imports only the standard
library here; the models, the analysis and hypothesis are imported when a procedure file is collected.
Without a ``[tool.thutuc]`` table (or ``--thutuc-paths``) it does nothing.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest  # already imported by the time pytest loads a plugin

__all__ = ["KEYS", "SettingsError", "ThutucSettings", "read_settings"]

KEYS = ("paths", "catalogue", "baseline", "gate", "profile", "max-examples", "outages", "properties", "known-failures")
"""The keys of ``[tool.thutuc]``."""
PROFILE_ENVIRONMENT = "THUTUC_HYPOTHESIS_PROFILE"
PROFILES = ("thutuc-ci", "thutuc-deep")


@dataclass(frozen=True)
class ThutucSettings:
    """What the plugin checks, from ``[tool.thutuc]`` in ``pyproject.toml`` and the command line."""

    root: Path
    """The folder relative paths are read from: the one holding ``pyproject.toml``."""
    paths: tuple[Path, ...]
    catalogue: Path | None = None
    baseline: str | None = None
    """A git revision (``main``), or a folder or file of earlier versions, for the burden gate."""
    gate: tuple[str, ...] = ()
    profile: str = "thutuc-ci"
    max_examples: int | None = None
    """Scenarios a procedure, instead of the profile's budget."""
    outages: bool = False
    known_failures: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Scenario properties a procedure is known to break, by procedure id: reported as xfail."""
    properties: tuple[str, ...] = ()
    """Your own scenario properties, as ``module:function``."""
    reproduce: str | None = None

    def covers(self, path: Path) -> bool:
        """Whether ``path`` is a procedure file under the configured paths (catalogue files are not)."""
        if path.suffix not in (".yaml", ".yml"):
            return False
        resolved = path.resolve()
        if self.catalogue is not None and resolved.is_relative_to(self.catalogue.resolve()):
            return False
        if "catalogue" in resolved.parent.parts[len(self.root.resolve().parts) :]:
            return False
        return any(resolved == p.resolve() or resolved.is_relative_to(p.resolve()) for p in self.paths)


def _comma_list(values: Any) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(item.strip() for value in values for item in str(value).split(",") if item.strip())


def _pyproject(config: pytest.Config) -> Path:
    inipath = getattr(config, "inipath", None)
    if inipath is not None and Path(inipath).name == "pyproject.toml":
        return Path(inipath)
    return Path(config.rootpath) / "pyproject.toml"


class SettingsError(ValueError):
    """``[tool.thutuc]`` or a ``--thutuc-*`` option is wrong."""


def read_settings(config: pytest.Config) -> ThutucSettings | None:
    """The plugin's settings, or ``None`` when the project does not use it.

    Raises
    ------
    SettingsError
        If ``[tool.thutuc]`` is not valid TOML or a key has the wrong type.
    """
    import tomllib

    pyproject = _pyproject(config)
    table: dict[str, Any] = {}
    if pyproject.is_file():
        try:
            document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{pyproject}: {exc}") from None
        table = document.get("tool", {}).get("thutuc", {})
        if not isinstance(table, dict):
            raise SettingsError(f"{pyproject}: [tool.thutuc] must be a table")
        for key in table:
            if key not in KEYS:
                close = difflib.get_close_matches(key, KEYS, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; the keys are {', '.join(KEYS)}"
                raise SettingsError(f"{pyproject}: [tool.thutuc] has no key '{key}'{hint}")
    option = config.getoption
    paths = _comma_list(option("thutuc_paths")) or _comma_list(table.get("paths"))
    if option("thutuc_disable") or not paths:
        return None
    root = pyproject.parent if pyproject.is_file() else Path(config.rootpath)
    known = table.get("known-failures", {})
    if not isinstance(known, dict) or not all(isinstance(v, list) for v in known.values()):
        raise SettingsError(f"{pyproject}: [tool.thutuc] known-failures maps procedure ids to lists of properties")
    catalogue = option("thutuc_catalogue") or table.get("catalogue")
    profile = option("thutuc_profile") or os.environ.get(PROFILE_ENVIRONMENT) or table.get("profile") or "thutuc-ci"
    max_examples = option("thutuc_max_examples") or table.get("max-examples")
    if max_examples is not None and (not isinstance(max_examples, int) or max_examples < 1):
        raise SettingsError(f"{pyproject}: [tool.thutuc] max-examples must be a whole number of at least 1")
    return ThutucSettings(
        root=root,
        paths=tuple(root / p for p in paths),
        catalogue=root / catalogue if catalogue else None,
        baseline=option("thutuc_baseline") or table.get("baseline"),
        gate=_comma_list(option("thutuc_gate")) or _comma_list(table.get("gate")),
        profile=str(profile),
        max_examples=max_examples,
        outages=bool(option("thutuc_outages") or table.get("outages", False)),
        known_failures={str(k): tuple(str(p) for p in v) for k, v in known.items()},
        properties=_comma_list(table.get("properties")),
        reproduce=option("thutuc_reproduce"),
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("thutuc", "thutuc procedure checks")
    group.addoption(
        "--thutuc-paths",
        action="append",
        metavar="PATHS",
        help="Procedure files or folders to check, comma-separated (overrides [tool.thutuc] paths).",
    )
    group.addoption("--thutuc-catalogue", metavar="FOLDER", help="The catalogue folder (default: the nearest).")
    group.addoption(
        "--thutuc-baseline",
        metavar="REV_OR_PATH",
        help="A git revision, or a folder or file of earlier versions, to gate the burden against.",
    )
    group.addoption(
        "--thutuc-gate",
        action="append",
        metavar="CONDITIONS",
        help="Gate conditions, comma-separated, as for 'thutuc diff --fail-on'.",
    )
    group.addoption(
        "--thutuc-profile",
        metavar="NAME",
        help=f"Hypothesis profile for the scenario properties: {', '.join(PROFILES)} "
        f"(or ${PROFILE_ENVIRONMENT}; default thutuc-ci).",
    )
    group.addoption(
        "--thutuc-max-examples", type=int, metavar="N", help="Scenarios a procedure, instead of the profile's budget."
    )
    group.addoption("--thutuc-outages", action="store_true", help="Let scenarios take whole data sources down.")
    group.addoption("--thutuc-reproduce", metavar="BLOB", help="Replay the failing scenario a failure printed.")
    group.addoption("--no-thutuc", dest="thutuc_disable", action="store_true", help="Do not check procedures.")


SETTINGS_KEY = pytest.StashKey[ThutucSettings]()


def settings_of(config: pytest.Config) -> ThutucSettings | None:
    """The settings ``pytest_configure`` read, or ``None`` when the plugin is off."""
    return config.stash.get(SETTINGS_KEY, None)


def pytest_configure(config: pytest.Config) -> None:
    try:
        settings = read_settings(config)
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None
    if settings is None:
        return
    config.stash[SETTINGS_KEY] = settings
    config.addinivalue_line("markers", "thutuc: a procedure checked by the thutuc plugin")
    # Run bare, pytest collects its testpaths or the current folder: add the procedures when they lie elsewhere.
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        walked = [Path(a).resolve() for a in config.args]
        for path in settings.paths:
            if not any(path.resolve().is_relative_to(w) for w in walked):
                config.args.append(str(path))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    settings = settings_of(parent.config)
    if settings is None or not settings.covers(file_path):
        return None
    from thutuc.testing._plugin import ProcedureFile

    return ProcedureFile.from_parent(parent, path=file_path)


def pytest_report_header(config: pytest.Config) -> str | None:
    settings = settings_of(config)
    if settings is None:
        return None
    shown = ", ".join(os.path.relpath(p, config.rootpath) for p in settings.paths)
    gate = (
        f"; gate {','.join(settings.gate)} against {settings.baseline}" if settings.baseline and settings.gate else ""
    )
    return f"thutuc: procedures in {shown}; profile {settings.profile}{gate}"
