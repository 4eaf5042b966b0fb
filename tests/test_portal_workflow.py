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
    published_notice,
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
         summary: bool = True, published: bool = False, rendering: bool = False) -> RunHistory:
    return RunHistory(state=state, published=published, supersedes_run_id=supersedes, current_run_id=current,
                      has_summary=summary, rendering=rendering)


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
    (_run(RunState.RUNNING, summary=False, rendering=True), "PDF）还在生成，生成完成后才能发布"),
    (_run(RunState.RUNNING, rendering=True, published=True), "已经发布"),
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


def test_review_steps_stay_allowed_after_publication_and_say_they_need_a_correction() -> None:
    accepted = _unit(["submit", "accept"])
    published = UnitHistory(name="上海", year=2022, standing=accepted.standing, deadline=DEADLINE,
                            today=AFTER, published_on=date(2023, 1, 18))
    assert next_steps(published) == next_steps(accepted) == {Step.RETURN, Step.REVIEW}
    for step in (Step.ACCEPT, Step.RETURN, Step.REOPEN, Step.REVIEW):
        notice = published_notice(step, published.year, published.published_on)
        assert notice is not None and notice.startswith("2022 年度结果已于2023年1月18日发布")
        assert "不改变已发布的结果" in notice and "须重新评分" in notice
        assert published_notice(step, 2022, None) is None  # nothing published yet
    assert published_notice(Step.UPLOAD, 2022, date(2023, 1, 18)) is None  # the unit's own steps
    assert published_notice(Step.SUBMIT, 2022, date(2023, 1, 18)) is None
