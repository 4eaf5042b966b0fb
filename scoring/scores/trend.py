"""Change since the previous assessed year, read from that year's published scores.json."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from scoring.scores.models import ScoreReport, Trend, UnitScore, UnitStatus


def previous_report(outputs_dir: Path, year: int) -> ScoreReport | None:
    """The most recent earlier year with results under ``outputs_dir`` (e.g. 2020 for 2022)."""
    candidates = sorted((int(p.name) for p in outputs_dir.iterdir()
                         if p.is_dir() and p.name.isdigit() and int(p.name) < year), reverse=True) \
        if outputs_dir.is_dir() else []
    for candidate in candidates:
        path = outputs_dir / str(candidate) / "scores.json"
        if not path.is_file():
            continue
        try:
            return ScoreReport.model_validate_json(path.read_bytes())
        except ValidationError:
            continue
    return None


def apply_trend(units: list[UnitScore], previous: ScoreReport | None) -> None:
    """Set each scored unit's change in total and rank since ``previous``."""
    if previous is None:
        return
    before = {u.code: u for u in previous.units}
    for unit in units:
        old = before.get(unit.code)
        if unit.status is not UnitStatus.SCORED or old is None:
            continue
        scored_before = old.status is UnitStatus.SCORED
        unit.trend = Trend(
            previous_year=previous.year,
            previous_total=old.total if scored_before else None,
            previous_rank=old.rank if scored_before else None,
            total_change=round((unit.total or 0.0) - (old.total or 0.0), 2) if scored_before else None,
            rank_change=(old.rank - unit.rank) if scored_before and old.rank and unit.rank else None,
        )
