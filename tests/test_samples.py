"""The committed sample inputs: current, valid, realistic; the invalid ones yield their codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from scoring.cli import app
from scoring.workbook.layout import central_file_name
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

SAMPLES = ROOT / "sample_inputs"
INVALID = SAMPLES / "invalid"
runner = CliRunner()


@pytest.mark.parametrize("year", [2020, 2022])
def test_committed_samples_are_current(tmp_path: Path, year: int) -> None:
    result = runner.invoke(app, ["sample", str(year), "-o", str(tmp_path / str(year))])
    assert result.exit_code == 0, result.output
    fresh = sorted(p.name for p in (tmp_path / str(year)).iterdir())
    assert fresh == sorted(p.name for p in (SAMPLES / str(year)).iterdir())
    assert len(fresh) == 32
    for name in fresh:
        assert (tmp_path / str(year) / name).read_bytes() == (SAMPLES / str(year) / name).read_bytes(), (
            f"{name} is stale: regenerate with `scoring sample {year} -o sample_inputs/{year}`")
    central = central_file_name(year)
    assert (tmp_path / central).read_bytes() == (SAMPLES / central).read_bytes()


@pytest.mark.parametrize("year", [2020, 2022])
def test_samples_validate_without_errors(year: int) -> None:
    sizes = {}
    for path in sorted((SAMPLES / str(year)).glob("*.xlsx")):
        submission = validate_submission(path, load_year_config)
        assert submission.valid, [f.render() for f in submission.findings if f.severity == "error"]
        assert path.name.startswith(f"{submission.unit_code}-")
        sizes[submission.unit_code] = submission.values["admin_cases_opened"].value
    # the largest coastal provinces report tens of times more than 西藏 or 兵团
    assert sizes["440000"] > 20 * sizes["540000"]  # type: ignore[operator]
    assert sizes["440000"] > 20 * sizes["660000"]  # type: ignore[operator]
    central = validate_submission(SAMPLES / central_file_name(year), load_year_config)
    assert central.valid and central.unit_code == "central" and len(central.central) == 32


def test_invalid_samples_are_current(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sample", "2022", "-o", str(tmp_path / "2022"), "--invalid",
                                 str(tmp_path / "invalid")])
    assert result.exit_code == 0, result.output
    for path in sorted((tmp_path / "invalid").iterdir()):
        assert path.read_bytes() == (INVALID / path.name).read_bytes(), (
            f"{path.name} is stale: regenerate with "
            "`scoring sample 2022 -o sample_inputs/2022 --invalid sample_inputs/invalid`")


def _readme_rows() -> list[tuple[str, str, int | None]]:
    rows = []
    for line in (INVALID / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| (\S+\.xlsx) \| (.+) \| `([a-z-]+)` \|$", line)
        if match:
            year = re.search(r"--year (\d{4})", match[2])
            rows.append((match[1], match[3], int(year[1]) if year else None))
    return rows


def test_every_invalid_sample_is_listed_once() -> None:
    listed = [name for name, _, _ in _readme_rows()]
    assert len(listed) == len(set(listed)) >= 25
    assert sorted(listed) == sorted(p.name for p in INVALID.glob("*.xlsx"))


@pytest.mark.parametrize("name, code, year", _readme_rows())
def test_invalid_sample_yields_its_code(name: str, code: str, year: int | None) -> None:
    submission = validate_submission(INVALID / name, load_year_config, expected_year=year)
    finding = next((f for f in submission.findings if f.code == code), None)
    assert finding is not None, [f.render() for f in submission.findings]
    # an error stops the unit from being scored; a warning or a note leaves it valid
    assert submission.valid is (finding.severity != "error")
