"""Change since the previous assessed year: 2020 then 2022 through `scoring score --previous`.

The seven units of tests/data/scores/units.yaml get generated submissions for both years (the
sample generator, on this unit list); 2022 is scored with 2020's scores.json as ``--previous``. The
expected change of each unit is read off the two published scores.json files: rank change =
2020 rank − 2022 rank (positive = moved up), total change = 2022 total − 2020 total.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import pdf_text, squeeze
from handworked import SMALL_UNITS
from typer.testing import CliRunner

from scoring.cli import app
from scoring.errors import InputError
from scoring.pipeline import load_year_files
from scoring.scores.models import Trend, UnitScore, UnitStatus
from scoring.scores.trend import PreviousReport, PreviousResults, apply_trend, read_previous
from scoring.workbook.sample import write_samples

runner = CliRunner()


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated 2020 and 2022 submissions (and central records) for the small unit list."""
    folder = tmp_path_factory.mktemp("two-years")
    for year in (2020, 2022):
        write_samples(load_year_files(year, None, SMALL_UNITS).config, folder / str(year))
    return folder


@pytest.fixture()
def two_years(samples: Path, tmp_path: Path) -> Path:
    """2020 scored, then 2022 with 2020's scores.json as --previous (in each test that needs them)."""
    out = tmp_path / "out"
    for year, previous in ((2020, []), (2022, ["--previous", str(out / "2020" / "scores.json")])):
        result = runner.invoke(app, ["score", str(year), str(samples / str(year)), "--central",
                                     str(samples / f"central-{year}.xlsx"), "--units", str(SMALL_UNITS),
                                     "-o", str(out / str(year)), *previous])
        assert result.exit_code == 0, result.output
    return out


def _units(out: Path, year: int) -> dict[str, dict[str, Any]]:
    report = json.loads((out / str(year) / "scores.json").read_text(encoding="utf-8"))
    assert report["year"] == year
    return {u["code"]: u for u in report["units"]}


def _moves(out: Path) -> dict[str, int]:
    before, after = _units(out, 2020), _units(out, 2022)
    return {code: before[code]["rank"] - unit["rank"] for code, unit in after.items()}


def test_each_trend_is_the_difference_of_the_two_published_results(two_years: Path) -> None:
    before, after = _units(two_years, 2020), _units(two_years, 2022)
    assert len(after) == 7 and all(u["status"] == "scored" and u["rank"] for u in after.values())
    for code, unit in after.items():
        old = before[code]
        change = float(Decimal(str(unit["total"])) - Decimal(str(old["total"])))  # both have 2 decimals
        assert unit["trend"] == {"previous_year": 2020, "previous_total": old["total"],
                                 "previous_rank": old["rank"], "total_change": change,
                                 "rank_change": old["rank"] - unit["rank"]}, code
    moves = _moves(two_years).values()
    assert any(m > 0 for m in moves) and any(m < 0 for m in moves)  # the example has both directions
    assert all(u["trend"] is None for u in before.values())  # nothing before 2020 was given
    manifest = json.loads((two_years / "2022" / "manifest.json").read_text(encoding="utf-8"))
    previous = [e["path"] for e in manifest["inputs"] if e["role"] == "previous"]
    assert len(previous) == 1 and previous[0].endswith("2020/scores.json")


def test_the_scorecard_says_up_or_down_by_how_many_places(two_years: Path) -> None:
    result = runner.invoke(app, ["render", "2022", "-i", str(two_years / "2022" / "scores.json"),
                                 "--workers", "2"])
    assert result.exit_code == 0, result.output
    after = _units(two_years, 2022)
    checked = set()
    for code, move in _moves(two_years).items():
        card = next((two_years / "2022" / "scorecards").glob(f"{code}-*.pdf"))
        text = squeeze(pdf_text(card))
        previous = after[code]["trend"]["previous_rank"]
        assert after[code]["trend"]["previous_year"] == 2020
        # the year compared with is named (2020, not 上年: 2021 was not assessed)
        if move > 0:
            assert f"2020年度第{previous}名，名次上升{move}位" in text, code
        elif move < 0:
            assert f"2020年度第{previous}名，名次下降{-move}位" in text, code
        else:
            assert f"2020年度第{previous}名，名次持平" in text, code
        assert ("上升" in text) == (move > 0) and ("下降" in text) == (move < 0), code
        checked.add((move > 0) - (move < 0))
    assert {1, -1} <= checked


def _scored(code: str, total: float | None, rank: int | None) -> UnitScore:
    return UnitScore(code=code, name=code, short_name=code, region="东部", status=UnitStatus.SCORED,
                     total=total, rank=rank)


def test_units_without_a_comparable_previous_result() -> None:
    previous = PreviousResults.model_validate({
        "report": {"year": 2020, "units": [
            {"code": "a", "status": "scored", "total": 80.5, "rank": 2},
            {"code": "b", "status": "not_scored"},
            {"code": "c", "status": "scored", "total": 90.0, "rank": None},
            {"code": "d", "status": "scored", "total": 70.25, "rank": 3},
            {"code": "f", "status": "not_scored", "total": 50.0, "rank": 9},
            {"code": "g", "status": "scored", "total": 0.0, "rank": 9},
            {"code": "h", "status": "scored", "total": 4.0, "rank": 8}]},
        "source": {"file": "scores.json", "sha256": "0" * 64, "size": 1}})
    units = [_scored("e", 50.0, 7),
             UnitScore(code="a2", name="x", short_name="x", region="东部", status=UnitStatus.MISSING),
             _scored("a", 78.0, 5), _scored("b", 60.0, 6), _scored("c", 91.0, 1),
             _scored("d", 75.5, None), _scored("f", 40.0, 8), _scored("g", 5.0, 8),
             _scored("h", 0.0, 9)]
    apply_trend(units, previous, 2)
    trends = {u.code: u.trend for u in units}
    # a fell from 2 to 5 (−3) and lost 80.5 − 78 = 2.5; b was not scored: no previous figures;
    # c and d: one of the two years has no rank, so no rank change; e did not exist before; f was
    # not scored (whatever figures its entry carries); 0 is a total like any other: g rose from 0
    # to 5, h fell from 4 to 0
    assert trends == {
        "a": Trend(previous_year=2020, previous_total=80.5, previous_rank=2, total_change=-2.5,
                   rank_change=-3),
        "b": Trend(previous_year=2020, previous_total=None, previous_rank=None, total_change=None,
                   rank_change=None),
        "c": Trend(previous_year=2020, previous_total=90.0, previous_rank=None, total_change=1.0,
                   rank_change=None),
        "d": Trend(previous_year=2020, previous_total=70.25, previous_rank=3, total_change=5.25,
                   rank_change=None),
        "f": Trend(previous_year=2020, previous_total=None, previous_rank=None, total_change=None,
                   rank_change=None),
        "g": Trend(previous_year=2020, previous_total=0.0, previous_rank=9, total_change=5.0, rank_change=1),
        "h": Trend(previous_year=2020, previous_total=4.0, previous_rank=8, total_change=-4.0,
                   rank_change=-1),
        "e": None, "a2": None}
    apply_trend(units, None, 2)  # no previous results: nothing changes
    assert trends == {u.code: u.trend for u in units}


def test_the_change_in_total_keeps_the_finer_of_the_two_years_decimals() -> None:
    def previous(decimals: int, total: float) -> PreviousResults:
        return PreviousResults.model_validate({
            "report": {"year": 2020, "total_decimals": decimals,
                       "units": [{"code": "a", "status": "scored", "total": total, "rank": 1}]},
            "source": {"file": "scores.json", "sha256": "0" * 64, "size": 1}})

    # published 80.125 (3 decimals) this year against 80.5 (2 decimals): −0.375, not −0.38
    unit = _scored("a", 80.125, 1)
    apply_trend([unit], previous(2, 80.5), decimals=3)
    assert unit.trend is not None and unit.trend.total_change == -0.375
    # the other way round: last year published 70.125, this year 75.5 with 2 decimals: +5.375
    unit = _scored("a", 75.5, 1)
    apply_trend([unit], previous(3, 70.125), decimals=2)
    assert unit.trend is not None and unit.trend.total_change == 5.375
    # both with 2 decimals: the binary noise of 0.1 + 0.2-style differences is rounded away
    unit = _scored("a", 80.3, 1)
    apply_trend([unit], previous(2, 80.1), decimals=2)
    assert unit.trend is not None and unit.trend.total_change == 0.2


def test_previous_results_are_checked() -> None:
    good = json.dumps({"year": 2020, "engine_version": "0.0.1", "units": [
        {"code": "a", "status": "scored", "total": 1.5, "rank": 1, "extra": "ignored"}]}).encode()
    read = read_previous(good, "old.json", 2022)
    assert read.report == PreviousReport(year=2020, units=[{"code": "a", "status": "scored", "total": 1.5,
                                                             "rank": 1}])  # type: ignore[list-item]
    assert (read.source.file, read.source.size) == ("old.json", len(good))
    assert read.source.sha256 == hashlib.sha256(good).hexdigest()
    not_earlier = r"^old\.json: 是 2022 年度的评分结果，不早于 2022 年度，不能作为上年度结果$"
    with pytest.raises(InputError, match=not_earlier):
        read_previous(good.replace(b"2020", b"2022"), "old.json", 2022)
    with pytest.raises(InputError, match=r"^old\.json: 是 2023 年度"):
        read_previous(good.replace(b"2020", b"2023"), "old.json", 2022)
    assert read_previous(good, "old.json", 2021).report.year == 2020
    with pytest.raises(InputError) as broken:
        read_previous(b'{"year": 2020, "units": [{"code": "a"}, {"status": "scored"}]}', "x.json", 2022)
    assert str(broken.value) == "x.json: 不是有效的上年度评分结果（units.0.status: Field required，共 2 处）"
    with pytest.raises(InputError, match=r"^y\.json: 不是有效的上年度评分结果（（根）: Invalid JSON"):
        read_previous(b"not json", "y.json", 2022)


def test_previous_figures_are_the_numbers_scored_units_reported() -> None:
    def unit(code: str, status: str, inputs: list[dict[str, object]]) -> dict[str, object]:
        return {"code": code, "status": status, "indicators": {"A1": {"inputs": inputs}}}

    data = json.dumps({"year": 2021, "units": [
        # counts and ratios are figures; a yes/no answer, a date and a blank are not
        unit("110000", "scored", [
            {"item": "cases", "value": 12}, {"item": "rate", "value": 96.5},
            {"item": "incident", "value": False}, {"item": "filed", "value": "2022-01-10"},
            {"item": "blank", "value": None}]),
        # a unit not scored last year has no figures to compare with
        unit("120000", "not_scored", [{"item": "cases", "value": 40}]),
        unit("130000", "missing", []),
    ]}).encode()
    figures = read_previous(data, "scores-2021.json", 2022).figures()
    assert figures == {"110000": {"cases": 12.0, "rate": 96.5}}
