"""What the feedback and objection pages read: the year's subjects, a feedback period's history
for the workflow, and what a unit or the central office sees of a fed-back run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from scoring.portal.runs import results
from scoring.portal.store import objections as store
from scoring.portal.store.models import Feedback, Run
from scoring.portal.store.runs import current_publication, get_run, publication_of, run_file
from scoring.portal.workflow import FeedbackHistory, ObjectionState, RunState
from scoring.scores.models import ScoreReport, UnitScore
from scoring.workbook.source import YearConfig

REASON_MAX = 1000  # characters; a multipart field holds at most 4096 bytes
CORRECTIONS = {"record": "全国双打办记录更正", "review": "审核调整"}


@dataclass(frozen=True)
class Subject:
    """Something an objection may be about: an indicator or a task of the year."""

    kind: str
    id: str
    name: str  # the indicator's name or the task's text, as users know it

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def code(self) -> str:
        """The kind and code, for a hint beside the name: 指标 C2, 任务 2022-1.1.3."""
        return f"{store.SUBJECT_KINDS[self.kind]} {self.id}"

    @property
    def label(self) -> str:
        """The form's option and the stored label: 指标 C2 数据完整性."""
        return f"{self.code} {self.name}"


def subjects(config: YearConfig) -> list[Subject]:
    """The year's indicators, then its assessed tasks, as the objection form lists them."""
    indicators = config.indicator_set.indicators()
    found = [Subject("indicator", i.id, i.name) for _, i in indicators]
    found += [Subject("task", t.id, t.title) for t in config.source.assessed_tasks()]
    return found


def subject_index(config: YearConfig) -> dict[str, Subject]:
    """The year's subjects by ``kind:id``, for the lists to show an objection's subject by name
    (an objection whose subject the year no longer has shows the label stored with it)."""
    return {s.value: s for s in subjects(config)}


def history(db: Session, run: Run, feedback: Feedback | None, today: date,
            state: ObjectionState | None = None, *, proposed: date | None = None) -> FeedbackHistory:
    """A run's feedback period as the workflow reads it (``proposed``: the deadline a feedback not
    yet given would have)."""
    return FeedbackHistory(run_succeeded=run.state == RunState.SUCCEEDED, fed_back=feedback is not None,
                           published=publication_of(db, run.id) is not None,
                           deadline=feedback.deadline if feedback else proposed, today=today, objection=state)


def open_until(db: Session, year: int, today: date) -> date | None:
    """The last day of the year's objection period still open (None when none is)."""
    days = [f.deadline for f in store.year_feedbacks(db, year) if f.deadline >= today]
    return max(days) if days else None


@dataclass(frozen=True)
class UnitFeedback:
    """A unit's view of the year's latest fed-back run: its preliminary result and objections."""

    feedback: Feedback | None
    run: Run | None
    report: ScoreReport | None
    unit: UnitScore | None
    scorecard: str | None
    superseded: bool  # the year has published a result since
    objections: list[store.ObjectionView]


def unit_feedback(db: Session, scope_year: int, unit_code: str,
                  objections: list[store.ObjectionView]) -> UnitFeedback:
    """The latest feedback of the year and the unit's result in that run."""
    feedbacks = store.year_feedbacks(db, scope_year)
    feedback = feedbacks[0] if feedbacks else None
    run = get_run(db, feedback.run_id) if feedback else None
    report = results.report_of(db, run.id) if run else None
    unit = results.unit_result(report, unit_code) if report else None
    scorecard = None
    if run is not None and unit is not None:
        path = results.scorecard_path(unit)
        scorecard = path if run_file(db, run.id, path) is not None else None
    published = current_publication(db, scope_year)
    superseded = feedback is not None and published is not None and published.at >= feedback.at
    return UnitFeedback(feedback=feedback, run=run, report=report, unit=unit, scorecard=scorecard,
                        superseded=superseded, objections=objections)
