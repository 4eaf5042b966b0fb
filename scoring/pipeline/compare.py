"""What a change of rules does: the same inputs scored under two configs through ``run_pipeline``.

Both runs go to temporary folders (nothing under outputs/ is touched). The second config may be a
draft (``todo`` not empty); the inputs are validated against the first, the config their templates
were made from. A unit's drivers are the indicators whose signed points (deductions negative)
changed most, an indicator matched by id and name, else counted whole on its own side.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from scoring.pipeline.run import PipelineRequest, run_pipeline
from scoring.scores.models import ScoreReport, UnitScore

DRIVERS = 3


class Driver(BaseModel):
    """An indicator's part in a unit's change of total."""

    model_config = ConfigDict(extra="forbid")

    indicator: str
    name: str
    points_a: float
    points_b: float
    change: float


class UnitChange(BaseModel):
    """One unit under both configs."""

    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    total_a: float | None
    total_b: float | None
    total_change: float | None
    rank_a: int | None
    rank_b: int | None
    rank_change: int | None
    grade_a: str | None
    grade_b: str | None
    tier_a: str | None
    tier_b: str | None
    drivers: list[Driver]


class Comparison(BaseModel):
    """Every unit, those whose tier or grade changes first, then by the size of the change."""

    model_config = ConfigDict(extra="forbid")

    units: list[UnitChange]


def _signed(report: ScoreReport, unit: UnitScore) -> dict[tuple[str, str], float]:
    kinds = {s.id: s.kind for s in report.sections}
    return {(key, score.name): (-score.points if kinds.get(score.section) == "deduction" else score.points)
            for key, score in unit.indicators.items() if kinds.get(score.section) != "veto"}


def _drivers(a: ScoreReport, ua: UnitScore | None, b: ScoreReport, ub: UnitScore | None) -> list[Driver]:
    pa = _signed(a, ua) if ua else {}
    pb = _signed(b, ub) if ub else {}
    rows = [Driver(indicator=key[0], name=key[1], points_a=round(pa.get(key, 0.0), 4),
                   points_b=round(pb.get(key, 0.0), 4), change=round(pb.get(key, 0.0) - pa.get(key, 0.0), 4))
            for key in sorted(set(pa) | set(pb))]
    rows = [r for r in rows if abs(r.change) > 1e-9]
    rows.sort(key=lambda r: (-abs(r.change), r.indicator))
    return rows[:DRIVERS]


def compare_reports(a: ScoreReport, b: ScoreReport) -> Comparison:
    """Unit by unit, the two reports side by side."""
    by_b = {u.code: u for u in b.units}
    decimals = max(a.total_decimals, b.total_decimals)
    units = []
    for ua in a.units:
        ub = by_b.get(ua.code)
        total_b = ub.total if ub else None
        change = (round(total_b - ua.total, decimals)
                  if total_b is not None and ua.total is not None else None)
        rank_b = ub.rank if ub else None
        units.append(UnitChange(
            code=ua.code, name=ua.name, total_a=ua.total, total_b=total_b, total_change=change,
            rank_a=ua.rank, rank_b=rank_b,
            rank_change=ua.rank - rank_b if ua.rank is not None and rank_b is not None else None,
            grade_a=ua.grade, grade_b=ub.grade if ub else None,
            tier_a=ua.tier, tier_b=ub.tier if ub else None,
            drivers=_drivers(a, ua, b, ub)))
    units.sort(key=lambda u: (u.grade_a == u.grade_b and u.tier_a == u.tier_b,
                              -abs(u.total_change or 0.0), u.code))
    return Comparison(units=units)


def compare_configs(request: PipelineRequest, config_a: Path, config_b: Path
                    ) -> tuple[Comparison, ScoreReport, ScoreReport]:
    """Score ``request``'s inputs under both configs (outputs in temporary folders) and compare."""
    with tempfile.TemporaryDirectory(prefix="scoring-compare-") as tmp:
        a = run_pipeline(replace(request, config=config_a, output=Path(tmp) / "a", pdf=False))
        b = run_pipeline(replace(request, config=config_b, output=Path(tmp) / "b", pdf=False,
                                 what_if=True, templates_config=config_a))
    return compare_reports(a.report, b.report), a.report, b.report
