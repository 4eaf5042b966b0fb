"""Damaged workbooks never raise and are never half-read: random byte flips, truncations and
edited XML give a located Chinese finding, or the workbook reads exactly as it was written."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.problems import Severity
from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

VALID_PATH = ROOT / "sample_inputs" / "2022" / "110000-北京.xlsx"
VALID = VALID_PATH.read_bytes()
with zipfile.ZipFile(io.BytesIO(VALID)) as _archive:
    PARTS = {name: _archive.read(name) for name in _archive.namelist()}
XML_PARTS = sorted(n for n in PARTS if n.endswith(".xml"))
BASE = validate_submission(VALID_PATH, load_year_config)
CODE = re.compile(r"^[a-z]+(-[a-z0-9]+)*$")
# what a file that cannot be opened is refused with
FILE_CODES = {"file-empty", "file-corrupt", "file-not-xlsx", "file-csv", "file-html", "file-legacy-xls",
              "file-encrypted", "zip-bomb", "zip-too-many-entries", "xml-entity", "file-pdf", "file-ods",
              "part-too-large", "workbook-too-many-sheets", "file-ole-other", "file-word-doc"}

fuzz = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def test_the_base_workbook_is_complete_and_clean() -> None:
    assert BASE.valid and BASE.findings == [] and BASE.read is not None
    assert len(BASE.values) == 15 and len(BASE.tasks) == 71


def _well_formed(submission: Submission) -> None:
    """Every finding has a stable code, a severity, a Chinese message; an error is located (a
    file-level code, or a sheet)."""
    for finding in submission.findings:
        assert CODE.match(finding.code), finding.code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in finding.message), finding.message
        if finding.severity is Severity.ERROR:
            assert finding.code in FILE_CODES or finding.sheet is not None or finding.code == "cross-check", \
                finding.render()


def _same_as_base(submission: Submission) -> bool:
    return (submission.values == BASE.values and submission.tasks == BASE.tasks
            and submission.contact == BASE.contact and submission.unit_code == BASE.unit_code)


def _check(path: Path, data: bytes) -> Submission:
    path.write_bytes(data)
    submission = validate_submission(path, load_year_config)
    _well_formed(submission)
    # a damaged file is refused with a finding, or read exactly as the original: never half-read
    assert not submission.valid or _same_as_base(submission), [f.render() for f in submission.findings]
    return submission


@fuzz
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=12))
def test_flipped_bytes(tmp_path_factory: pytest.TempPathFactory, flips: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for position, value in flips:
        data[position] = value
    _check(tmp_path_factory.mktemp("f") / "s.xlsx", bytes(data))


@fuzz
@given(st.integers(0, len(VALID) - 1))
def test_truncated(tmp_path_factory: pytest.TempPathFactory, length: int) -> None:
    submission = _check(tmp_path_factory.mktemp("t") / "s.xlsx", VALID[:length])
    assert not submission.valid and submission.read is None
    assert [f.code for f in submission.findings if f.severity is Severity.ERROR][0] in FILE_CODES


@fuzz
@given(st.sampled_from(XML_PARTS), st.integers(0, 10_000), st.binary(max_size=40))
def test_edited_xml(tmp_path_factory: pytest.TempPathFactory, name: str, offset: int, junk: bytes) -> None:
    body = PARTS[name]
    cut = offset % max(1, len(body))
    edited = body[:cut] + junk + body[cut:]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part, data in PARTS.items():
            archive.writestr(part, edited if part == name else data)
    path = tmp_path_factory.mktemp("x") / "s.xlsx"
    path.write_bytes(buffer.getvalue())
    submission = validate_submission(path, load_year_config)
    _well_formed(submission)
    # junk may change what a cell says, but a workbook that passes is complete: every item and
    # every task was read, none silently dropped
    if submission.valid:
        assert set(submission.values) == set(BASE.values)
        assert all(v.value is not None for v in submission.values.values())
        assert set(submission.tasks) == set(BASE.tasks)
        assert all(t.status is not None for t in submission.tasks.values())
