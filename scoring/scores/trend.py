"""Change since the previous assessed year, from that year's published scores.json.

The previous results are an explicit input (the pipeline reads the file it is given and records
it in the manifest). Only what the trend needs is read — year, and each unit's code, status, total
and rank — so results published by an earlier engine version still serve.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, ValidationError

from scoring.errors import InputError
from scoring.scores.models import SubmissionRef, Trend, UnitScore, UnitStatus


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PreviousInput(_Lenient):
    """A figure an indicator used."""

    item: str
    value: object = None


class PreviousIndicator(_Lenient):
    """The figures one indicator used."""

    inputs: list[PreviousInput] = []


class PreviousUnit(_Lenient):
    """A unit's published result in the previous year."""

    code: str
    status: UnitStatus
    total: float | None = None
    rank: int | None = None
    indicators: dict[str, PreviousIndicator] = {}

    def figures(self) -> dict[str, float]:
        """The numeric figures the unit reported, by item code (those an indicator used)."""
        out: dict[str, float] = {}
        for indicator in self.indicators.values():
            for used in indicator.inputs:
                if isinstance(used.value, int | float) and not isinstance(used.value, bool):
                    out[used.item] = float(used.value)
        return out


class PreviousReport(_Lenient):
    """The parts of a previous scores.json the trend reads."""

    year: int
    units: list[PreviousUnit]
    total_decimals: int = 2


class PreviousResults(BaseModel):
    """A previous year's results and the file they came from."""

    report: PreviousReport
    source: SubmissionRef

    def figures(self) -> dict[str, dict[str, float]]:
        """Each scored unit's previous-year figures (unit code → item code → value), for the
        plausibility warning on a figure that changed by more than its item allows."""
        return {u.code: u.figures() for u in self.report.units if u.status is UnitStatus.SCORED}


def read_previous(data: bytes, name: str, year: int) -> PreviousResults:
    """Parse a previous scores.json; anything unusable is an ``InputError`` naming where."""
    try:
        report = PreviousReport.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "（根）"
        raise InputError(f"{name}: 不是有效的上年度评分结果（{where}: {first['msg']}，"
                         f"共 {exc.error_count()} 处）") from None
    if report.year >= year:
        raise InputError(f"{name}: 是 {report.year} 年度的评分结果，不早于 {year} 年度，不能作为上年度结果")
    source = SubmissionRef(file=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    return PreviousResults(report=report, source=source)


def apply_trend(units: list[UnitScore], previous: PreviousResults | None, decimals: int) -> None:
    """Set each scored unit's change in total and rank since ``previous``; the change in total is
    the difference of the two published totals, so it has the decimals of the finer of the two
    (``decimals``: this year's)."""
    if previous is None:
        return
    places = max(decimals, previous.report.total_decimals)
    before = {u.code: u for u in previous.report.units}
    for unit in units:
        old = before.get(unit.code)
        if unit.status is not UnitStatus.SCORED or old is None:
            continue
        scored_before = old.status is UnitStatus.SCORED and old.total is not None
        unit.trend = Trend(
            previous_year=previous.report.year,
            previous_total=old.total if scored_before else None,
            previous_rank=old.rank if scored_before else None,
            total_change=(round((unit.total or 0.0) - (old.total or 0.0), places) if scored_before else None),
            rank_change=(old.rank - unit.rank) if scored_before and old.rank and unit.rank else None,
        )
