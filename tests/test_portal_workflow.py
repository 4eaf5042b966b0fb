"""The workflow rules as pure functions: which steps a unit's decisions and a run's state allow."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scoring.portal.status import Decision, standing
from scoring.portal.workflow import (
    PublicationHistory,
    RunHistory,
    RunState,
    Step,
    UnitHistory,
    VersionFacts,
    WorkflowRefused,
    check,
    next_steps,
)

DEADLINE = date(2023, 1, 15)
BEFORE, AFTER = date(2023, 1, 10), date(2023, 1, 20)
AT = datetime(2023, 1, 10, 2, 0, tzinfo=UTC)


def _unit(actions: list[str], today: date = BEFORE, version: VersionFacts | None = None,
          until: date | None = None) -> UnitHistory:
    decisions = [Decision(seq=n, action=a, at=AT, version_id=1, until=until)
                 for n, a in enumerate(actions, 1)]
    return UnitHistory(name="上海", year=2022, standing=standing(True, decisions), deadline=DEADLINE,
                       today=today, version=version)


def _run(state: RunState = RunState.SUCCEEDED, *, supersedes: int | None = None, current: int | None = None,
         summary: bool = True, published: bool = False) -> RunHistory:
    return RunHistory(state=state, published=published, supersedes_run_id=supersedes, current_run_id=current,
                      has_summary=summary)


CLEAN = VersionFacts(number=2, year=2022, errors=0)


@pytest.mark.parametrize(("actions", "today", "allowed"), [
    ([], BEFORE, {Step.UPLOAD, Step.SUBMIT}),
    ([], AFTER, {Step.REOPEN}),
    (["submit"], BEFORE, {Step.ACCEPT, Step.RETURN, Step.REVIEW}),
    (["submit", "accept"], AFTER, {Step.RETURN, Step.REVIEW}),
    (["submit", "return"], BEFORE, {Step.UPLOAD, Step.SUBMIT}),
    (["submit", "return"], AFTER, {Step.UPLOAD, Step.SUBMIT, Step.REOPEN}),
    (["reopen"], AFTER, {Step.UPLOAD, Step.SUBMIT, Step.REOPEN}),
])
def test_next_steps_of_a_unit_follow_its_decisions_and_the_deadline(actions, today, allowed) -> None:
    assert next_steps(_unit(actions, today, CLEAN)) == allowed


@pytest.mark.parametrize(("step", "history", "reason"), [
    (Step.ACCEPT, _unit([]), "只能接受已提交的报送（上海当前状态：草稿）"),
    (Step.RETURN, _unit([]), "只能退回已提交或已接受的报送（上海当前状态：草稿）"),
    (Step.REOPEN, _unit(["submit"], AFTER), "上海已提交，无需重新开放；如需修改请退回"),
    (Step.REOPEN, _unit([], BEFORE), "报送截止日期未过，单位仍可上传和提交，无需重新开放"),
    (Step.REVIEW, _unit([]), "上海没有已提交的报送，无可审核的任务落实情况"),
    (Step.UPLOAD, _unit(["submit", "accept"]), "全国双打办已接受本单位的报送，不能再上传或提交"),
    (Step.UPLOAD, _unit(["reopen"], AFTER, until=date(2023, 1, 18)), "重新开放的期限（2023年1月18日）也已过"),
    (Step.SUBMIT, _unit([], version=VersionFacts(number=3, year=2022, errors=4)),
     "第 3 版有 4 个错误，不能提交；请修正后重新上传"),
    (Step.SUBMIT, _unit([], version=VersionFacts(number=1, year=2021, errors=0)),
     "该版本属于 2021 年度，当前开放的是 2022 年度"),
    (Step.PUBLISH, _unit([]), "这一操作不适用于单位的报送"),
])
def test_a_refused_unit_step_says_why_in_chinese(step, history, reason) -> None:
    with pytest.raises(WorkflowRefused) as refused:
        check(step, history)
    assert reason in refused.value.reason


@pytest.mark.parametrize(("history", "reason"), [
    (_run(RunState.FAILED), "只能发布已完成的评分"),
    (_run(RunState.RUNNING), "只能发布已完成的评分"),
    (_run(supersedes=None, current=4), "本年度已发布的结果发生了变化"),
    (_run(summary=False), "没有生成成绩单和全国汇总（PDF）"),
    (_run(published=True), "已经发布"),
])
def test_publish_is_refused_with_its_reason(history, reason) -> None:
    assert next_steps(history) == set()
    with pytest.raises(WorkflowRefused, match=reason):
        check(Step.PUBLISH, history)


def test_a_finished_run_that_replaces_what_is_published_may_be_published() -> None:
    check(Step.PUBLISH, _run(supersedes=4, current=4))
    assert next_steps(_run(supersedes=4, current=4)) == {Step.PUBLISH}


def test_no_step_acts_on_a_publication_yet() -> None:
    assert next_steps(PublicationHistory(run_id=1, current=True)) == set()
    with pytest.raises(WorkflowRefused):
        check(Step.PUBLISH, PublicationHistory(run_id=1, current=True))


def test_run_states_keep_the_stored_strings() -> None:
    assert [s.value for s in RunState] == ["queued", "running", "succeeded", "failed"]
