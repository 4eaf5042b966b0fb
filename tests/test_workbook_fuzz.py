"""Damaged workbooks never raise: random byte flips, truncations and edited XML give findings."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

VALID = (ROOT / "sample_inputs" / "2022" / "110000-北京.xlsx").read_bytes()
with zipfile.ZipFile(io.BytesIO(VALID)) as _archive:
    PARTS = {name: _archive.read(name) for name in _archive.namelist()}
XML_PARTS = sorted(n for n in PARTS if n.endswith(".xml"))

fuzz = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _check(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    submission = validate_submission(path, load_year_config)
    assert submission.sha256 and isinstance(submission.findings, list)
    if data != VALID:
        assert submission.findings


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
    _check(tmp_path_factory.mktemp("t") / "s.xlsx", VALID[:length])


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
    assert isinstance(submission.findings, list)
