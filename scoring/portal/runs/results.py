"""A run's results as pages show them: its scores.json (read once per process) as ranking rows.

Nothing is computed here: ranks, tiers, grades, robustness and vetoes are what the pipeline wrote
(a running run's scores as soon as its job stored them, before the PDFs);
the rows only add the portal's reason for each unit that was left out of the run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from scoring.portal.store.models import Publication, Run
from scoring.portal.store.runs import SCORES_KEY, current_publication, run_file, stored_scores
from scoring.portal.workflow import RunState
from scoring.report.render import SUMMARY_FILE, scorecard_file
from scoring.scores.models import ScoreReport, UnitScore, UnitStatus

OUTPUTS = Path("outputs")
STATUS_LABELS = {UnitStatus.SCORED: "已评分", UnitStatus.NOT_SCORED: "未评分", UnitStatus.MISSING: "未报送"}


_PARSED: dict[str, ScoreReport] = {}


def _parsed(sha256: str, data: bytes) -> ScoreReport:
    report = _PARSED.get(sha256)
    if report is None:
        report = ScoreReport.model_validate_json(data)
        if len(_PARSED) >= 8:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[sha256] = report
    return report


def report_of(db: Session, run_id: int) -> ScoreReport | None:
    """A finished run's scores.json, parsed (None when the run stored none)."""
    found = run_file(db, run_id, "outputs/scores.json")
    if found is None:
        return None
    return _parsed(hashlib.sha256(found[1]).hexdigest(), found[1])


def rendering(run: Run) -> bool:
    """Whether a run has stored its scores and is still rendering its PDFs."""
    return run.state == RunState.RUNNING and run.pdf and SCORES_KEY in json.loads(run.summary or "{}")


def early_report(db: Session, run: Run) -> ScoreReport | None:
    """The scores a running run stored before its PDFs, parsed (None before they exist)."""
    data = stored_scores(db, run)
    return None if data is None else _parsed(hashlib.sha256(data).hexdigest(), data)


def scorecard_path(unit: UnitScore) -> str:
    """Where a unit's scorecard lies among a run's files (``outputs/scorecards/CODE-NAME.pdf``)."""
    return scorecard_file(OUTPUTS, unit).as_posix()


def summary_path() -> str:
    """The national summary among a run's files."""
    return (OUTPUTS / SUMMARY_FILE).as_posix()


def run_units(run: Run) -> tuple[dict[str, int], dict[str, str]]:
    """The accepted version each unit of a run came from, and why each other unit was left out."""
    units = json.loads(run.units or "{}")
    return ({k: int(v) for k, v in units.get("included", {}).items()},
            {k: str(v) for k, v in units.get("excluded", {}).items()})


@dataclass(frozen=True)
class RankRow:
    """One unit in a results table."""

    unit: UnitScore
    status: str
    interval: str
    vetoes: str
    reason: str
    scorecard: str | None


def _interval(unit: UnitScore) -> str:
    r = unit.robustness
    if r is None:
        return "—"
    return f"第 {r.p05} 名" if r.p05 == r.p95 else f"第 {r.p05}–{r.p95} 名"


def ranking_rows(report: ScoreReport, excluded: dict[str, str], paths: set[str]) -> list[RankRow]:
    """Every unit in the report's order (ranked, then not scored, then missing)."""
    rows = []
    for unit in report.units:
        reason = unit.reason or ""
        if unit.status is UnitStatus.MISSING and unit.code in excluded:
            reason = f"{excluded[unit.code]}（未纳入本次评分）"
        path = scorecard_path(unit)
        rows.append(RankRow(unit=unit, status=STATUS_LABELS[unit.status], interval=_interval(unit),
                            vetoes="；".join(f"{v.name}：{v.effect}" for v in unit.vetoes), reason=reason,
                            scorecard=path if path in paths else None))
    return rows


def unit_result(report: ScoreReport, unit_code: str) -> UnitScore | None:
    """One unit's result in a report."""
    return next((u for u in report.units if u.code == unit_code), None)


@dataclass(frozen=True)
class Published:
    """A unit's result in the year's publication in force."""

    publication: Publication
    report: ScoreReport
    unit: UnitScore
    scorecard: str


def published_result(db: Session, year: int, unit_code: str) -> Published | None:
    """The unit's published result of ``year`` (None before publication)."""
    publication = current_publication(db, year)
    if publication is None:
        return None
    report = report_of(db, publication.run_id)
    unit = unit_result(report, unit_code) if report else None
    if report is None or unit is None:
        return None
    return Published(publication=publication, report=report, unit=unit, scorecard=scorecard_path(unit))
