"""Each file in fixtures/invalid/ gives exactly its own code, at the line marked '# <- CODE'."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from thutuc.errors import ErrorCode
from thutuc.io import reader, validate_paths

from .conftest import FIXTURES

INVALID = sorted((FIXTURES / "invalid").iterdir())
SHARED_CATALOGUE = FIXTURES / "shared-catalogue"
MARKER = re.compile(rb"# <- (THT\d{3})")


def expected_line(path: Path) -> int | None:
    if not path.is_file():
        return None
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if MARKER.search(line):
            return number
    return None


def test_every_code_has_a_fixture():
    fixture_codes = {path.name[:6] for path in INVALID}
    assert fixture_codes == {code.code for code in ErrorCode}


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_fixture_gives_exactly_its_code_at_the_marked_line(path: Path, monkeypatch: pytest.MonkeyPatch):
    code = path.name[:6]
    if code == "THT003":
        monkeypatch.setattr(reader, "MAX_FILE_BYTES", 200)
    catalogue = None if code == "THT029" else SHARED_CATALOGUE
    report = validate_paths([path], catalogue_folder=catalogue)
    problems = [p for f in report.files if Path(f.path).absolute() == path.absolute() for p in f.problems]
    assert problems, "the fixture raised no problem"
    assert {p.code.code for p in problems} == {code}
    assert all(Path(p.file).absolute() == path.absolute() for p in problems)
    line = expected_line(path)
    if line is None:  # a problem with the whole file or path
        assert {p.line for p in problems} == {None}
    else:
        assert line in {p.line for p in problems}


def test_valid_fixture_is_valid():
    report = validate_paths([FIXTURES / "valid"], catalogue_folder=SHARED_CATALOGUE)
    assert report.ok, report.problems
    assert [p.id for p in report.procedures] == ["fixture-procedure"]
