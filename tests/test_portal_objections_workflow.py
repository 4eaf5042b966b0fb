"""The feedback and objection steps of ``workflow``: who may do what, when, with which reason."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.portal.workflow import (
    FeedbackHistory,
    ObjectionState,
    ObjectionStep,
    WorkflowRefused,
    check_objection,
    chinese_date,
    feedback_deadline,
    objection_next_steps,
)

DEADLINE = date(2023, 1, 15)


def period(today: date, objection: ObjectionState | None = None, **changes: object) -> FeedbackHistory:
    values: dict[str, object] = {"run_succeeded": True, "fed_back": True, "published": False,
                                 "deadline": DEADLINE, "today": today, "objection": objection}
    values.update(changes)
    return FeedbackHistory(**values)  # type: ignore[arg-type]


def test_deadline_is_written_in_chinese_and_counts_working_days() -> None:
    assert chinese_date(DEADLINE) == "2023年1月15日"
    assert feedback_deadline(date(2023, 1, 6), 5) == date(2023, 1, 13)  # Friday + 5 working days
    assert feedback_deadline(date(2023, 1, 9), 1) == date(2023, 1, 10)
    with pytest.raises(ValueError):
        feedback_deadline(DEADLINE, 0)


def test_feeding_back_needs_a_finished_unpublished_run_once() -> None:
    fresh = period(date(2023, 1, 5), fed_back=False, deadline=None)
    assert ObjectionStep.FEED_BACK in objection_next_steps(fresh)
    assert ObjectionStep.LODGE not in objection_next_steps(fresh)
    for changes in ({"run_succeeded": False}, {"published": True}, {}):
        history = period(date(2023, 1, 5), fed_back=not changes, deadline=None, **changes)
        with pytest.raises(WorkflowRefused):
            check_objection(ObjectionStep.FEED_BACK, history)


def test_lodging_closes_after_the_deadline_day() -> None:
    assert objection_next_steps(period(DEADLINE)) == {ObjectionStep.LODGE}
    with pytest.raises(WorkflowRefused) as refused:
        check_objection(ObjectionStep.LODGE, period(date(2023, 1, 16)))
    assert "2023年1月15日" in refused.value.reason and "北京时间" in refused.value.reason


def test_an_objection_is_answered_or_withdrawn_once() -> None:
    lodged = period(date(2023, 1, 10), ObjectionState.LODGED)
    assert objection_next_steps(lodged) == {ObjectionStep.LODGE, ObjectionStep.WITHDRAW, ObjectionStep.ANSWER}
    late = period(date(2023, 1, 20), ObjectionState.LODGED)
    assert objection_next_steps(late) == {ObjectionStep.ANSWER}  # answering goes on after the deadline
    for state, said in ((ObjectionState.ACCEPTED, "已经答复"), (ObjectionState.REJECTED, "已经答复"),
                        (ObjectionState.WITHDRAWN, "已经撤回")):
        for step in (ObjectionStep.ANSWER, ObjectionStep.WITHDRAW):
            with pytest.raises(WorkflowRefused) as refused:
                check_objection(step, period(date(2023, 1, 10), state))
            assert said in refused.value.reason


def test_feeding_back_needs_a_deadline_not_yet_past() -> None:
    proposed = period(date(2023, 1, 16), fed_back=False)
    with pytest.raises(WorkflowRefused, match="异议截止日期2023年1月15日已经过去"):
        check_objection(ObjectionStep.FEED_BACK, proposed)
    check_objection(ObjectionStep.FEED_BACK, period(DEADLINE, fed_back=False))  # today is allowed


def test_publishing_waits_for_the_objection_period_and_every_answer() -> None:
    from scoring.portal.workflow import RunHistory, RunState, Step, check, next_steps

    def run(**changes: object) -> RunHistory:
        values: dict[str, object] = {"state": RunState.SUCCEEDED, "published": False,
                                     "supersedes_run_id": None, "current_run_id": None, "has_summary": True}
        values.update(changes)
        return RunHistory(**values)  # type: ignore[arg-type]

    assert next_steps(run()) == {Step.PUBLISH}
    with pytest.raises(WorkflowRefused, match="异议期至2023年1月15日（北京时间）截止"):
        check(Step.PUBLISH, run(feedback_until=DEADLINE, today=DEADLINE))
    with pytest.raises(WorkflowRefused, match="还有 2 条异议未答复"):
        check(Step.PUBLISH, run(unanswered=2, feedback_until=None, today=date(2023, 1, 16)))
    check(Step.PUBLISH, run(unanswered=0, feedback_until=None, today=date(2023, 1, 16)))
