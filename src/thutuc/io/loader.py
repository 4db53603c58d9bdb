"""Loading procedure and catalogue files into models, with every problem located.

``load``, ``loads``, ``load_catalogue``, ``load_all`` raise ``LoadError``; ``validate_paths`` reports.
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property, partial
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from thutuc._gc import paused_gc, settle
from thutuc.checks import check_catalogue, check_procedure
from thutuc.errors import ErrorCode, LoadError, Problem, did_you_mean
from thutuc.io.cache import ModelCache
from thutuc.io.files import (
    CATALOGUE_FOLDER,
    catalogue_fingerprint,
    expand_paths,
    find_catalogue,
    shown_path,
    yaml_files,
)
from thutuc.io.reader import YamlTree, read_yaml
from thutuc.model import Actor, Catalogue, CatalogueFile, DocumentRequirement, Procedure, Result, Role, Step

__all__ = [
    "CATALOGUE_FOLDER",
    "FileReport",
    "ProcedureSet",
    "StoredProcedureSet",
    "ValidationReport",
    "changed_since",
    "find_catalogue",
    "load",
    "load_all",
    "load_catalogue",
    "load_paths",
    "load_paths_on_demand",
    "loads",
    "parse",
    "read_revision",
    "validate_paths",
]

_MODELS: dict[str, type[BaseModel]] = {"procedure": Procedure, "catalogue": CatalogueFile}
_ID_HINT = "ids are kebab-case: lower-case letters, digits and single hyphens, e.g. 'birth-registration'"
_FACT_HINT = "fact ids are 'subject.attribute' in snake_case, e.g. 'person.marital_status'"


# --- pydantic errors -> located problems -------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """The model or container type inside ``Optional``/``Annotated``."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            annotation = options[0]
        else:
            return annotation


def _type_at(root: type[BaseModel], loc: Sequence[str | int]) -> Any:
    """The annotated type found at ``loc`` under ``root``, or ``None`` if the walk fails."""
    current: Any = root
    for item in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            model_field = current.model_fields.get(str(item))
            if model_field is None:
                return None
            current = model_field.annotation
        elif get_origin(current) in (list, tuple):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    return _unwrap(current)


def _field_name(loc: Sequence[str | int]) -> str:
    """A readable name for a location: ``steps[2].actor``."""
    text = ""
    for item in loc:
        text += f"[{item}]" if isinstance(item, int) else (f".{item}" if text else str(item))
    return text or "the file"


def _problem_from_error(error: Any, root: type[BaseModel], tree: YamlTree, filename: str) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    where = _field_name(loc)
    if kind == "extra_forbidden":
        parent = _type_at(root, loc[:-1])
        allowed = list(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
        line, column = tree.locate_key(loc)
        hint = did_you_mean(str(loc[-1]), allowed)
        if hint is None and allowed:
            hint = "allowed here: " + ", ".join(allowed)
        return Problem(ErrorCode.UNKNOWN_FIELD, f"unknown field '{loc[-1]}'", filename, line, column, hint, loc)
    if kind == "missing":
        line, column = tree.locate(loc[:-1])
        owner = _field_name(loc[:-1])
        return Problem(
            ErrorCode.MISSING_FIELD, f"missing field '{loc[-1]}' in {owner}", filename, line, column, None, loc
        )
    line, column = tree.locate(loc)
    hint = None
    expected = _type_at(root, loc)
    value = error.get("input")
    if kind == "string_pattern_mismatch":
        hint = _FACT_HINT if "\\." in str(error.get("ctx", {}).get("pattern", "")) else _ID_HINT
    elif isinstance(expected, type) and issubclass(expected, Enum) and isinstance(value, str):
        choices = [m.value for m in expected]
        hint = did_you_mean(value, choices) or "one of: " + ", ".join(choices)
    message = error["msg"]
    if isinstance(value, (str, int, float)) and not isinstance(value, bool) and len(str(value)) < 60:
        message = f"{message} (got '{value}')"
    return Problem(ErrorCode.INVALID_VALUE, f"{where}: {message}", filename, line, column, hint, loc)


# --- parsing one file --------------------------------------------------------------------


@dataclass(frozen=True)
class _ParsedFile:
    """A file read as far as its schema allows: the model, or the schema problems."""

    tree: YamlTree
    kind: str
    model: Procedure | CatalogueFile | None
    problems: tuple[Problem, ...] = ()


@paused_gc()
def _parse(source: str | bytes, filename: str) -> _ParsedFile:
    """Read a file; YAML problems and an unknown ``kind`` raise, schema problems are kept."""
    tree = read_yaml(source, filename)
    if not isinstance(tree.value, dict):
        raise LoadError(
            [
                Problem(
                    ErrorCode.INVALID_VALUE,
                    "a thutuc file is a mapping of fields",
                    filename,
                    *tree.locate(()),
                    hint="start with 'kind: procedure' or 'kind: catalogue'",
                )
            ]
        )
    kind = tree.value.get("kind")
    if kind not in _MODELS:
        if kind is None:
            code, message, at = ErrorCode.MISSING_FIELD, "missing field 'kind'", ()
        else:
            code, message, at = ErrorCode.INVALID_VALUE, f"unknown kind '{kind}'", ("kind",)
        hint = (did_you_mean(str(kind), _MODELS) if kind else None) or "use 'kind: procedure' or 'kind: catalogue'"
        raise LoadError([Problem(code, message, filename, *tree.locate(at), hint=hint, path=at)])
    model = _MODELS[kind]
    try:
        return _ParsedFile(tree, kind, model.model_validate(tree.value))  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = tuple(_problem_from_error(e, model, tree, filename) for e in exc.errors(include_url=False))
        return _ParsedFile(tree, kind, None, problems)


def parse(source: str | bytes, filename: str = "<string>") -> tuple[YamlTree, Procedure | CatalogueFile]:
    """Read one file's text into its model (a procedure or a catalogue file), schema only.

    Raises
    ------
    LoadError
        With every YAML and schema problem of the file, located.
    """
    parsed = _parse(source, filename)
    if parsed.model is None:
        raise LoadError(parsed.problems)
    return parsed.tree, parsed.model


# --- checking a procedure, even one with schema problems --------------------------------

_SECTIONS: dict[str, type[BaseModel]] = {
    "roles": Role,
    "actors": Actor,
    "documents": DocumentRequirement,
    "steps": Step,
    "results": Result,
}
# What a reference check reports when the entry it looks for failed the schema.
_CASCADES = {
    ErrorCode.UNKNOWN_ROLE: "roles",
    ErrorCode.UNKNOWN_ACTOR: "actors",
    ErrorCode.UNKNOWN_DOCUMENT: "documents",
    ErrorCode.UNKNOWN_STEP: "steps",
    ErrorCode.UNKNOWN_RESULT: "results",
}
_FLOW_CODES = frozenset(
    {
        ErrorCode.NO_START,
        ErrorCode.SEVERAL_STARTS,
        ErrorCode.UNREACHABLE_STEP,
        ErrorCode.DEAD_END,
        ErrorCode.UNDECLARED_CYCLE,
    }
)


def _value_at(data: Any, path: Sequence[str | int]) -> Any:
    for item in path:
        try:
            data = data[item]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _salvaged_problems(data: dict[str, Any], catalogue: Catalogue) -> list[Problem]:
    """Reference and flow problems of a procedure whose schema failed somewhere.

    Entries that validate on their own are checked as usual; problems that only repeat a
    schema problem (a reference to an entry that failed, a flow with a broken step) are dropped.
    """
    kept: dict[str, list[Any]] = {}
    origin: dict[str, list[int]] = {}
    failed: dict[str, set[Any]] = {}
    for section, model in _SECTIONS.items():
        raw = data.get(section)
        kept[section], origin[section], failed[section] = [], [], set()
        if not isinstance(raw, list):
            failed[section].add(None)
            continue
        for index, item in enumerate(raw):
            try:
                kept[section].append(model.model_validate(item))
                origin[section].append(index)
            except ValidationError:
                item_id = item.get("id") if isinstance(item, dict) else None
                failed[section].add(item_id if isinstance(item_id, str) else None)
    agency, procedure_id = data.get("agency"), data.get("id")
    procedure = Procedure.model_construct(
        id=procedure_id if isinstance(procedure_id, str) else "",
        agency=agency if isinstance(agency, str) else "",
        **kept,
    )
    salvaged_data = {section: [m.model_dump() for m in models] for section, models in kept.items()}
    problems = []
    for problem in check_procedure(procedure, catalogue):
        section = _CASCADES.get(problem.code)
        if section is not None and failed[section]:
            name = _value_at(salvaged_data, problem.path)
            if None in failed[section] or (isinstance(name, str) and name in failed[section]):
                continue
        if problem.code is ErrorCode.UNKNOWN_ACTOR and problem.path == ("agency",) and not isinstance(agency, str):
            continue
        if problem.code in _FLOW_CODES and failed["steps"]:
            continue
        if problem.code in (ErrorCode.UNSUPPLIED_FACT, ErrorCode.SUBJECT_MISMATCH) and any(failed.values()):
            continue
        path = problem.path
        if len(path) > 1 and path[0] in origin and isinstance(path[1], int):
            path = (path[0], origin[str(path[0])][path[1]], *path[2:])
        problems.append(replace(problem, path=path))
    return problems


@paused_gc()
def _procedure_problems(parsed: _ParsedFile, catalogue: Catalogue, filename: str) -> list[Problem]:
    """Every problem of a parsed procedure file: schema, references, flow and fact supply."""
    if isinstance(parsed.model, Procedure):
        found = check_procedure(parsed.model, catalogue)
    else:
        found = _salvaged_problems(parsed.tree.value, catalogue)
    return sorted([*parsed.problems, *_locate_all(found, parsed.tree, filename)], key=lambda p: p.sort_key)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LoadError([Problem(ErrorCode.UNREADABLE, exc.strerror or str(exc), str(path))]) from None


def _locate_all(problems: Iterable[Problem], tree: YamlTree, filename: str) -> list[Problem]:
    return [p.located(filename, *tree.locate(p.path)) for p in problems]


def loads(text: str | bytes, *, catalogue: Catalogue, filename: str = "<string>") -> Procedure:
    """A procedure from YAML text, checked against ``catalogue``.

    Raises
    ------
    LoadError
        With every problem in the text: YAML, schema, references and flow.

    Examples
    --------
    >>> from thutuc.io import dumps
    >>> from thutuc.testing.examples import tiny_catalogue, tiny_procedure
    >>> text = dumps(tiny_procedure()).replace("actor: office", "actor: ofice")
    >>> loads(text, catalogue=tiny_catalogue())
    Traceback (most recent call last):
    ...
    thutuc.errors.LoadError: <string>:44:10: error THT011 unknown-actor: unknown actor 'ofice'
        hint: did you mean 'office'?
    ...
    """
    parsed = _parse(text, filename)
    if parsed.kind != "procedure":
        raise LoadError(
            [Problem(ErrorCode.INVALID_VALUE, "expected a procedure, found a catalogue file", filename, 1, 1)]
        )
    problems = _procedure_problems(parsed, catalogue, filename)
    if problems:
        raise LoadError(problems)
    return parsed.model  # type: ignore[return-value]


def changed_since(revision: str, paths: Iterable[str | Path]) -> set[Path] | None:
    """The files under ``paths`` whose content differs from their version in git revision ``revision``, resolved;
    files git does not track are not listed. ``None`` when git cannot tell from the working folder (git missing,
    not a repository, an unknown revision): then ask file by file with ``read_revision``, which says why.

    One call of git for a whole folder, where reading every file's earlier version took one call each.
    """
    import subprocess

    def git(*arguments: str) -> bytes | None:
        try:
            done = subprocess.run(["git", *arguments], capture_output=True, check=False)
        except OSError:
            return None
        return done.stdout if done.returncode == 0 else None

    # Names come relative to the repository's root, wherever in it the working folder is.
    root = git("rev-parse", "--show-toplevel")
    listed = git("diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", revision, "--", *map(str, paths))
    if root is None or listed is None:
        return None
    top = Path(root.decode("utf-8", "surrogateescape").strip())
    return {(top / name).resolve() for name in listed.decode("utf-8", "surrogateescape").split("\0") if name}


def read_revision(revision: str, path: str | Path) -> str | None:
    """The text of ``path`` as it is in git revision ``revision``; ``None`` when the file is not in it.

    ``path`` is read relative to the working folder, so it need not start at the repository root.

    Raises
    ------
    LoadError
        When git cannot be run, the folder is not in a repository, or the revision is unknown.
    """
    import subprocess

    target = Path(path)
    spec = f"{revision}:{target}"
    try:
        shown = subprocess.run(
            ["git", "-C", str(target.parent), "show", f"{revision}:./{target.name}"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise LoadError([Problem(ErrorCode.UNREADABLE, f"cannot run git ({exc.strerror or exc})", spec)]) from None
    if shown.returncode == 0:
        return shown.stdout
    message = shown.stderr.strip()
    if "exists on disk, but not in" in message or "does not exist in" in message:
        return None
    reason = message.splitlines()[-1] if message else "git show failed"
    raise LoadError([Problem(ErrorCode.UNREADABLE, reason.removeprefix("fatal: "), spec)])


def load(path: str | Path, *, catalogue: Catalogue | None = None) -> Procedure:
    """The procedure in ``path``; the catalogue is found beside it unless given.

    Raises
    ------
    LoadError
        With every problem in the file, or when no catalogue can be found.
    """
    path = Path(path)
    if catalogue is None:
        catalogue = _catalogue_for(path)
    return loads(_read(path), catalogue=catalogue, filename=str(path))


def _catalogue_for(path: Path) -> Catalogue:
    folder = find_catalogue(path)
    if folder is None:
        raise LoadError(
            [
                Problem(
                    ErrorCode.NO_CATALOGUE,
                    "no 'catalogue' folder beside the file or its parents",
                    str(path),
                    hint="pass the catalogue folder explicitly (--catalogue)",
                )
            ]
        )
    return load_catalogue(folder)


def _catalogue_problems(folder: Path) -> tuple[Catalogue | None, dict[str, list[Problem]]]:
    """The merged catalogue of a folder, and the problems of each of its files."""
    problems: dict[str, list[Problem]] = {}
    parsed: list[tuple[str, CatalogueFile, YamlTree]] = []
    for path in yaml_files(folder):
        name = str(path)
        problems[name] = []
        try:
            tree, model = parse(_read(path), name)
        except LoadError as exc:
            problems[name] += exc.problems
            continue
        if isinstance(model, CatalogueFile):
            parsed.append((name, model, tree))
        else:
            problems[name].append(
                Problem(
                    ErrorCode.INVALID_VALUE,
                    "a procedure file inside the catalogue folder",
                    name,
                    *tree.locate(("kind",)),
                    hint="move procedures out of the catalogue folder",
                    path=("kind",),
                )
            )
    trees = {name: tree for name, _, tree in parsed}
    for name, problem in check_catalogue([(name, model) for name, model, _ in parsed]):
        problems[name].append(problem.located(name, *trees[name].locate(problem.path)))
    if not parsed and not any(problems.values()):
        problems[str(folder)] = [
            Problem(ErrorCode.NO_CATALOGUE, "the catalogue folder holds no catalogue file", str(folder))
        ]
    catalogue = Catalogue.merge([model for _, model, _ in parsed])
    return (None if any(problems.values()) else catalogue), problems


def load_catalogue(folder: str | Path) -> Catalogue:
    """The catalogue merged from every YAML file under ``folder``.

    Raises
    ------
    LoadError
        With every problem of every file: YAML, schema, duplicate ids, undefined references.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LoadError([Problem(ErrorCode.UNREADABLE, "not a folder", str(folder))])
    catalogue, problems = _catalogue_problems(folder)
    if catalogue is None:
        raise LoadError(p for file_problems in problems.values() for p in file_problems)
    return catalogue


@dataclass(frozen=True)
class ProcedureSet:
    """A catalogue and the procedures that refer to it, with the file each came from."""

    catalogue: Catalogue
    procedures: tuple[Procedure, ...]
    files: dict[str, str] = field(default_factory=dict)
    content_keys: dict[str, str] = field(default_factory=dict)
    """For each procedure loaded through a ``ModelCache``, the key of its file's bytes, catalogue and validating
    code: what a later stage may key its own results by."""

    @property
    def ids(self) -> tuple[str, ...]:
        """The procedures' ids, in the set's order."""
        return tuple(p.id for p in self.procedures)

    def __getitem__(self, procedure_id: str) -> Procedure:
        """The procedure with ``procedure_id``; ``KeyError`` if there is none."""
        return self._by_id[procedure_id]

    @cached_property
    def _by_id(self) -> dict[str, Procedure]:
        return {p.id: p for p in self.procedures}


@dataclass(frozen=True)
class StoredProcedureSet:
    """Valid procedures known by id, file and model-cache key, each model read from the cache when asked for.

    The set holds no model: after one file of a large folder changes, a report needs the models of that file and
    of the few procedures it compares, and reading the others back from the cache cost most of such a run; a
    report of a whole national catalogue held them all, 1.4 GiB for 10,000. Made by ``load_paths_on_demand``.
    """

    catalogue: Catalogue
    files: dict[str, str]
    """Each procedure's file, in path order."""
    content_keys: dict[str, str]
    cache: ModelCache
    catalogue_folder: str | Path | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        """The procedures' ids, in path order."""
        return tuple(self.files)

    def __getitem__(self, procedure_id: str) -> Procedure:
        """The procedure with ``procedure_id``, read from the cache; ``KeyError`` if there is none.

        Raises
        ------
        LoadError
            When its cache entry went since the set was made and its file no longer holds what was validated.
        """
        return self.cache.get(self.content_keys[procedure_id]) or self._validated_again(procedure_id)

    def _validated_again(self, procedure_id: str) -> Procedure:
        # The entry was deleted or damaged since the set was made: the file is validated again, and must be the same.
        path = self.files[procedure_id]
        report = _validate([path], catalogue_folder=self.catalogue_folder, cache=self.cache, models=True)
        if not report.ok:
            raise LoadError(report.problems)
        if report.content_keys.get(procedure_id) != self.content_keys[procedure_id]:
            raise LoadError(
                [Problem(ErrorCode.UNREADABLE, "the file changed while thutuc was reading it", path, hint="run again")]
            )
        return next(p for p in report.procedures if p.id == procedure_id)


@dataclass(frozen=True)
class FileReport:
    """The outcome of validating one file."""

    path: str
    kind: str | None = None
    id: str | None = None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating files and folders: one report per file, in path order."""

    files: tuple[FileReport, ...]
    procedures: tuple[Procedure, ...] = ()
    catalogue: Catalogue | None = None
    content_keys: dict[str, str] = field(default_factory=dict)
    """With a cache: for each procedure id, the cache key of its file."""

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in file, line and column order."""
        return sorted((p for f in self.files for p in f.problems), key=lambda p: p.sort_key)

    @property
    def ok(self) -> bool:
        """Whether no file has a problem."""
        return not any(f.problems for f in self.files)


def _expand(paths: Iterable[str | Path]) -> Iterator[tuple[Path, Problem | None]]:
    for path, exists in expand_paths(paths):
        yield path, None if exists else Problem(ErrorCode.UNREADABLE, "no such file or folder", str(path))


# Below this many files per process, starting the processes costs more than they save.
_FILES_PER_WORKER = 100


def validate_paths(
    paths: Iterable[str | Path],
    *,
    catalogue_folder: str | Path | None = None,
    cache: ModelCache | None = None,
    models: bool = True,
    workers: int | None = None,
) -> ValidationReport:
    """Validate files and folders (recursively); never raises for a problem in a file.

    Each procedure is checked against ``catalogue_folder``, or else the nearest
    ``catalogue/`` folder beside it or its parents. With a ``cache``, a procedure file whose
    bytes, catalogue and validating code are unchanged since it last validated is not parsed again.
    With ``models=False`` the report holds verdicts only (``procedures`` is empty), whether read or found.

    With ``models=False`` and many files, the files the cache does not hold are validated in ``workers`` processes
    (default: one per core); the verdicts are small to send back, where models cost as much to send as to make
    again.
    """
    paths = list(paths)
    if not models:
        files = [path for path, _ in _expand(paths)]
        workers = workers if workers is not None else os.cpu_count() or 1
        if min(workers, len(files) // _FILES_PER_WORKER) > 1:
            return _validate_in_parallel(files, catalogue_folder, cache, workers)
    return _validate(paths, catalogue_folder=catalogue_folder, cache=cache, models=models)


def _validate_in_parallel(
    files: list[Path], catalogue_folder: str | Path | None, cache: ModelCache | None, workers: int
) -> ValidationReport:
    """Verdicts of the files the cache holds, read here (a line each), and of the others from separate processes
    in contiguous chunks when there are enough of them, merged in path order.

    Starting the processes cost more than reading the verdicts of 10,000 unchanged files. A procedure id used by
    two files is reported on the later one, as one process would have.
    """
    reports: list[ValidationReport] = []
    rest = files
    if cache is not None:
        rest = []
        reports.append(_validate_chunk(files, catalogue_folder=catalogue_folder, cache=cache, deferred=rest))
    workers = min(workers, len(rest) // _FILES_PER_WORKER)
    if workers > 1:
        size = -(-len(rest) // (workers * 4))
        chunks = [rest[i : i + size] for i in range(0, len(rest), size)]
        task = partial(_validate_chunk, catalogue_folder=catalogue_folder, cache=cache)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            reports += pool.map(task, chunks)
    elif rest:
        reports.append(_validate_chunk(rest, catalogue_folder=catalogue_folder, cache=cache))
    merged: dict[str, FileReport] = {}
    for report in reports:
        for file in report.files:
            merged.setdefault(file.path, file)  # a catalogue file is reported by every chunk that used it
    first_file_of: dict[str, str] = {}
    for path in sorted(merged):
        file = merged[path]
        if file.kind == "procedure" and file.id is not None:
            owner = first_file_of.setdefault(file.id, path)
            already = any(p.code is ErrorCode.DUPLICATE_ID for p in file.problems)
            if owner != path and not already:
                merged[path] = replace(file, problems=_with_duplicate_id(file, owner))
    return ValidationReport(tuple(merged[k] for k in sorted(merged)))


def _validate_chunk(
    files: list[Path],
    *,
    catalogue_folder: str | Path | None,
    cache: ModelCache | None,
    deferred: list[Path] | None = None,
) -> ValidationReport:
    report = _validate(files, catalogue_folder=catalogue_folder, cache=cache, models=False, deferred=deferred)
    return ValidationReport(report.files)  # the verdicts only: the catalogue stays in the worker


def _with_duplicate_id(file: FileReport, owner: str) -> tuple[Problem, ...]:
    try:
        line, column = _parse(_read(Path(file.path)), file.path).tree.locate(("id",))
    except LoadError:
        line, column = 1, 1
    problem = Problem(
        ErrorCode.DUPLICATE_ID,
        f"procedure id '{file.id}' is already used by {owner}",
        file.path,
        line,
        column,
        hint="give each procedure its own id",
    )
    return tuple(sorted((*file.problems, problem), key=lambda p: p.sort_key))


# One pause for the whole load, settled file by file: the collector's passes over a growing set of models
# cost as much as reading it, and the cycles of one file's checks are freed before the next.
@paused_gc(long_lived=True)
def _validate(
    paths: Iterable[str | Path],
    *,
    catalogue_folder: str | Path | None,
    cache: ModelCache | None,
    models: bool,
    deferred: list[Path] | None = None,
) -> ValidationReport:
    """Without ``models``, the report holds verdicts only: the models of the files read are in the cache, if any.
    With ``deferred``, a procedure file the cache does not hold is added to it, not read: another process will."""
    reports: dict[str, FileReport] = {}
    catalogues: dict[Path, Catalogue | None] = {}
    fingerprints: dict[Path, str] = {}
    procedures: list[Procedure] = []
    ids: dict[str, str] = {}
    content_keys: dict[str, str] = {}
    used_catalogue: Catalogue | None = None

    shown_folders: dict[Path, Path] = {}

    def shown_folder(folder: Path) -> Path:
        # Once per folder, not per file: pathlib's arithmetic cost more than a cache hit's read on 10,000 files.
        if folder not in shown_folders:
            shown_folders[folder] = shown_path(folder)
        return shown_folders[folder]

    def catalogue_at(folder: Path) -> Catalogue | None:
        folder = shown_folder(folder)
        if folder not in catalogues:
            catalogue, problems = _catalogue_problems(folder)
            catalogues[folder] = catalogue
            for name, file_problems in problems.items():
                reports[name] = FileReport(name, "catalogue", None, tuple(file_problems))
        return catalogues[folder]

    explicit = Path(catalogue_folder) if catalogue_folder is not None else None
    found_beside: dict[Path, Path | None] = {}

    def catalogue_folder_of(path: Path) -> Path | None:
        if explicit is not None:
            return explicit
        if path.parent not in found_beside:  # the files of a folder share it
            found_beside[path.parent] = find_catalogue(path)
        return found_beside[path.parent]

    for path, missing in _expand(paths):
        settle()
        name = str(path)
        if missing is not None:
            reports[name] = FileReport(name, None, None, (missing,))
            continue
        if name in reports:
            continue
        try:
            content = _read(path)
        except LoadError as exc:
            reports[name] = FileReport(name, None, None, exc.problems)
            continue
        key = None
        if cache is not None and path.parent.name != CATALOGUE_FOLDER:
            folder = catalogue_folder_of(path)
            if folder is not None and folder.is_dir() and catalogue_at(folder) is not None:
                shown = shown_folder(folder)
                if shown not in fingerprints:
                    fingerprints[shown] = catalogue_fingerprint(list(yaml_files(folder)))
                key = ModelCache.key(content, fingerprints[shown])
                known = cache.validated_id(key) if not models else None
                if known is not None and known not in ids:
                    ids[known] = name
                    used_catalogue = catalogues[shown]
                    content_keys[known] = key
                    reports[name] = FileReport(name, "procedure", known, ())
                    continue
                hit = cache.get(key) if models else None
                if hit is not None and hit.id not in ids:
                    ids[hit.id] = name
                    used_catalogue = catalogues[shown]
                    procedures.append(hit)
                    content_keys[hit.id] = key
                    reports[name] = FileReport(name, "procedure", hit.id, ())
                    continue
                if deferred is not None:
                    deferred.append(path)
                    continue
        try:
            parsed = _parse(content, name)
        except LoadError as exc:
            reports[name] = FileReport(name, None, None, exc.problems)
            continue
        if parsed.kind == "catalogue":
            catalogue_at(path.parent)
            reports.setdefault(name, FileReport(name, "catalogue"))
            continue
        raw_id = parsed.tree.value.get("id")
        procedure_id = raw_id if isinstance(raw_id, str) else None
        folder = catalogue_folder_of(path)
        catalogue = catalogue_at(folder) if folder is not None and folder.is_dir() else None
        if catalogue is None:
            hint = "fix the catalogue first" if folder is not None else "pass the catalogue folder (--catalogue)"
            problem = Problem(ErrorCode.NO_CATALOGUE, "no valid catalogue to check against", name, hint=hint)
            reports[name] = FileReport(name, "procedure", procedure_id, (*parsed.problems, problem))
            continue
        used_catalogue = catalogue
        problems = _procedure_problems(parsed, catalogue, name)
        if procedure_id is not None and procedure_id in ids:
            problems.append(
                Problem(
                    ErrorCode.DUPLICATE_ID,
                    f"procedure id '{procedure_id}' is already used by {ids[procedure_id]}",
                    name,
                    *parsed.tree.locate(("id",)),
                    hint="give each procedure its own id",
                )
            )
        elif procedure_id is not None:
            ids[procedure_id] = name
        if not problems and isinstance(parsed.model, Procedure):
            if models:
                procedures.append(parsed.model)
            if cache is not None and key is not None:
                cache.put(key, parsed.model)
                content_keys[parsed.model.id] = key
        reports[name] = FileReport(name, "procedure", procedure_id, tuple(sorted(problems, key=lambda p: p.sort_key)))
    ordered = tuple(reports[k] for k in sorted(reports))
    return ValidationReport(ordered, tuple(procedures), used_catalogue, content_keys)


def load_all(folder: str | Path) -> ProcedureSet:
    """Every procedure under ``folder`` with the catalogue beside them.

    Raises
    ------
    LoadError
        With every problem of every file.
    """
    return load_paths([folder])


def load_paths(
    paths: Iterable[str | Path], *, catalogue_folder: str | Path | None = None, cache: ModelCache | None = None
) -> ProcedureSet:
    """Every procedure in ``paths`` (files or folders) with their catalogue.

    Raises
    ------
    LoadError
        With every problem of every file.
    """
    paths = list(paths)
    report = validate_paths(paths, catalogue_folder=catalogue_folder, cache=cache)
    if not report.ok:
        raise LoadError(report.problems)
    catalogue = _catalogue_of(report, paths, catalogue_folder)
    files = {f.id: f.path for f in report.files if f.kind == "procedure" and f.id}
    return ProcedureSet(catalogue, report.procedures, files, report.content_keys)


def load_paths_on_demand(
    paths: Iterable[str | Path], *, catalogue_folder: str | Path | None = None, cache: ModelCache
) -> StoredProcedureSet:
    """Every procedure in ``paths``, validated as ``load_paths`` does, its model left in ``cache`` until asked for.

    A file found in the cache is checked by its entry's first line; only the others are read and validated, and
    their models stored in the cache.

    Raises
    ------
    LoadError
        With every problem of every file.
    """
    paths = list(paths)
    report = _validate(paths, catalogue_folder=catalogue_folder, cache=cache, models=False)
    if not report.ok:
        raise LoadError(report.problems)
    files = {f.id: f.path for f in report.files if f.kind == "procedure" and f.id}
    return StoredProcedureSet(
        _catalogue_of(report, paths, catalogue_folder), files, report.content_keys, cache, catalogue_folder
    )


def _catalogue_of(report: ValidationReport, paths: list[str | Path], catalogue_folder: str | Path | None) -> Catalogue:
    """The catalogue the procedures were checked against; with no procedure, the one given or found beside."""
    if report.catalogue is not None:
        return report.catalogue
    found = (
        Path(catalogue_folder)
        if catalogue_folder
        else next((c for c in (find_catalogue(p) for p in paths) if c is not None), None)
    )
    return load_catalogue(found) if found else Catalogue()
