"""What may happen next to a unit, a version, a run and a publication, from their stored decisions.

Pure functions: the routes read the rows into a history, ask ``check(step, history)`` (which raises
``WorkflowRefused`` with the Chinese reason, shown as a 409 page) or ``next_steps(history)``, then
write. A unit's state itself follows from its decisions in ``status``; this says which steps it allows.

Unit steps: upload and submit (the provincial office; submit also needs a version without errors of
the open year), accept, return, reopen and review (the central office; after the year's results
are published they stay allowed and ``published_notice`` says they take effect only through a
correction run). Run steps: publish (not while a run's PDFs are still rendering, nor while the
year's objection period is open or an objection of it is unanswered).
Objections to a publication (issue 22) get their steps and history here, next to ``PublicationHistory``.
Draft steps: adopt (the central office, before the year opens, a draft with nothing left to decide).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from scoring.portal.status import Standing, UnitState, refusal

# deadlines are written as every document writes a date; the objection routes take it from here
from scoring.report.formatting import chinese_date as chinese_date


class Step(StrEnum):
    """Something a person may ask the portal to do."""

    UPLOAD = "upload"
    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    REOPEN = "reopen"
    REVIEW = "review"
    PUBLISH = "publish"
    ADOPT = "adopt"


class RunState(StrEnum):
    """Where a scoring run stands (the stored ``runs.state`` strings)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WorkflowRefused(Exception):
    """A step the stored decisions do not allow; ``reason`` says why, in Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VersionFacts:
    """The version a submit is about."""

    number: int
    year: int
    errors: int


@dataclass(frozen=True)
class UnitHistory:
    """A unit in the open year: its standing, the deadline and today (Beijing), the version a
    submit names (if any), and the day (Beijing) the year's results in force were published."""

    name: str
    year: int
    standing: Standing
    deadline: date | None
    today: date
    version: VersionFacts | None = None
    published_on: date | None = None


@dataclass(frozen=True)
class RunHistory:
    """A run as publishing reads it: its state, what it was started to replace and what is
    published now; ``rendering``: its scores are stored and its PDFs are still being rendered."""

    state: RunState
    published: bool
    supersedes_run_id: int | None
    current_run_id: int | None
    has_summary: bool
    rendering: bool = False
    # the year's feedback (issue 22): objections lodged and not yet answered, and the last day on
    # which units may still lodge one (None: no feedback period open), as of ``today``
    unanswered: int = 0
    feedback_until: date | None = None
    today: date | None = None


@dataclass(frozen=True)
class PublicationHistory:
    """A publication of a year's results; no step acts on one yet (objections will)."""

    run_id: int
    current: bool


@dataclass(frozen=True)
class DraftHistory:
    """A draft configuration as adopting reads it: the year it is for, whether that year has ever
    been opened, and what its audit left to decide."""

    year: int
    year_opened: bool
    errors: int
    todo: int


History = UnitHistory | RunHistory | PublicationHistory | DraftHistory

UNIT_STEPS = (Step.UPLOAD, Step.SUBMIT, Step.ACCEPT, Step.RETURN, Step.REOPEN, Step.REVIEW)
RUN_STEPS = (Step.PUBLISH,)
DRAFT_STEPS = (Step.ADOPT,)
DECIDED = (UnitState.SUBMITTED, UnitState.ACCEPTED)


def _submit(unit: UnitHistory) -> str | None:
    version = unit.version
    if version is None:
        return "请先上传报送文件"
    if version.year != unit.year:
        return f"该版本属于 {version.year} 年度，当前开放的是 {unit.year} 年度"
    blocked = refusal(unit.standing, unit.deadline, unit.today)
    if blocked:
        return blocked
    if version.errors:
        return f"第 {version.number} 版有 {version.errors} 个错误，不能提交；请修正后重新上传"
    return None


def _unit_refusal(step: Step, unit: UnitHistory) -> str | None:
    standing = unit.standing
    if step is Step.UPLOAD:
        return refusal(standing, unit.deadline, unit.today)
    if step is Step.SUBMIT:
        return _submit(unit)
    if step is Step.ACCEPT:
        if standing.state is not UnitState.SUBMITTED or standing.submitted is None:
            return f"只能接受已提交的报送（{unit.name}当前状态：{standing.label}）"
        return None
    if step is Step.RETURN:
        if standing.state not in DECIDED or standing.submitted is None:
            return f"只能退回已提交或已接受的报送（{unit.name}当前状态：{standing.label}）"
        return None
    if step is Step.REOPEN:
        if standing.state in DECIDED:
            return f"{unit.name}{standing.label}，无需重新开放；如需修改请退回"
        if unit.deadline is None or unit.today <= unit.deadline:
            return "报送截止日期未过，单位仍可上传和提交，无需重新开放"
        return None
    if step is Step.REVIEW:
        if standing.state not in DECIDED or standing.submitted is None:
            return f"{unit.name}没有已提交的报送，无可审核的任务落实情况"
        return None
    return "这一操作不适用于单位的报送"


# the central office's review steps stay allowed after publication: they are how a correction
# begins (a published result is frozen; runs read the decisions in force when they start)
REVIEW_STEPS = (Step.ACCEPT, Step.RETURN, Step.REOPEN, Step.REVIEW)


def published_notice(step: Step, year: int, published_on: date | None) -> str | None:
    """What a review step means once ``year``'s results are published (on ``published_on``, Beijing;
    None before, and for the unit's own steps): it changes nothing published, only the next run,
    whose result must be published as a correction."""
    if step not in REVIEW_STEPS or published_on is None:
        return None
    return (f"{year} 年度结果已于{chinese_date(published_on)}发布；此处的改动不改变已发布的结果，"
            "只在新的评分中生效：须重新评分（更正评分）并发布更正的结果")


def _run_refusal(step: Step, run: RunHistory) -> str | None:
    if step is not Step.PUBLISH:
        return "这一操作不适用于评分"
    if run.published:
        return "这次评分的结果已经发布"
    if run.rendering and run.state is RunState.RUNNING:
        return ("这次评分的成绩单和全国汇总（PDF）还在生成，生成完成后才能发布；"
                "排名、等次和档次已可在评分页上查看")
    if run.state is not RunState.SUCCEEDED:
        return "只能发布已完成的评分"
    if run.supersedes_run_id != run.current_run_id:
        return "这次评分开始后，本年度已发布的结果发生了变化；请重新评分后再发布"
    if not run.has_summary:
        return "这次评分没有生成成绩单和全国汇总（PDF），不能发布"
    if run.feedback_until is not None and run.today is not None and run.today <= run.feedback_until:
        return (f"本年度反馈征求意见的异议期至{chinese_date(run.feedback_until)}（北京时间）截止，"
                "各单位仍可提出异议；请在异议期截止后再发布")
    if run.unanswered:
        return f"本年度反馈征求意见中还有 {run.unanswered} 条异议未答复；请逐条答复后再发布"
    return None


# —— draft configurations (issue 24): adopting one for a year ——


def _draft_refusal(step: Step, draft: DraftHistory) -> str | None:
    if step is not Step.ADOPT:
        return "这一操作不适用于指标配置草稿"
    if draft.year_opened:
        return f"{draft.year} 年度已经开放报送，不能再更换其指标配置；采用配置须在年度开放之前"
    if draft.todo:
        return f"草稿还有 {draft.todo} 项待决定的任务（todo），不能采用；请逐项列入指标或排除后重新上传"
    if draft.errors:
        return f"草稿的审计有 {draft.errors} 个错误，不能采用；请修正后重新上传"
    return None


def opening_refused(year: int, adopted_sha256: str | None, installed_sha256: str) -> str | None:
    """Why ``year`` may not open with the installed configuration: after an adoption, only the
    adopted file (same SHA-256) may be the year's configuration, so the year scores by it."""
    if adopted_sha256 is None or adopted_sha256 == installed_sha256:
        return None
    return (f"{year} 年度已在门户中采用了另一份指标配置（SHA-256 {adopted_sha256[:16]}…），"
            f"而安装的 indicators/{year}.yaml 是 {installed_sha256[:16]}…；"
            f"请把采用的配置（门户“配置草稿”页可下载）安装为 indicators/{year}.yaml 后再开放，或重新采用")


def refused(step: Step, history: History) -> str | None:
    """Why ``step`` is not allowed after ``history``, in Chinese; None when it is."""
    if isinstance(history, UnitHistory):
        return _unit_refusal(step, history)
    if isinstance(history, RunHistory):
        return _run_refusal(step, history)
    if isinstance(history, DraftHistory):
        return _draft_refusal(step, history)
    return "发布的结果上暂无可进行的操作"


def check(step: Step, history: History) -> None:
    """Raise ``WorkflowRefused`` with the reason unless ``step`` is allowed after ``history``."""
    reason = refused(step, history)
    if reason is not None:
        raise WorkflowRefused(reason)


def next_steps(history: History) -> set[Step]:
    """Every step allowed after ``history``."""
    if isinstance(history, UnitHistory):
        candidates: tuple[Step, ...] = UNIT_STEPS
    elif isinstance(history, RunHistory):
        candidates = RUN_STEPS
    elif isinstance(history, DraftHistory):
        candidates = DRAFT_STEPS
    else:
        candidates = ()
    return {step for step in candidates if refused(step, history) is None}


# —— feedback (反馈征求意见) and objections (issue 22) ——
#
# After a run the central office may feed its results back to the units instead of publishing; a
# unit may then lodge objections (per indicator or task) until the feedback deadline, and withdraw
# one not yet answered; the central office answers each once (accepted or not, always with a
# reason). Feedback closes at the end of its deadline day (Beijing); answering is allowed after it.


class ObjectionStep(StrEnum):
    """Something a unit or the central office may ask about feedback and objections."""

    FEED_BACK = "feedback"
    LODGE = "lodge"
    WITHDRAW = "withdraw"
    ANSWER = "answer"


class ObjectionState(StrEnum):
    """Where one objection stands (follows from its append-only events)."""

    LODGED = "lodged"
    WITHDRAWN = "withdrawn"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class FeedbackHistory:
    """A run's feedback period as an objection step reads it; ``objection`` is the one the step is
    about (None for lodging a new one or opening the period)."""

    run_succeeded: bool
    fed_back: bool
    published: bool
    deadline: date | None
    today: date
    objection: ObjectionState | None = None


def feedback_deadline(start: date, working_days: int) -> date:
    """The day ``working_days`` working days (Monday to Friday) after ``start``."""
    if working_days < 1:
        raise ValueError("a feedback period has at least one working day")
    day, left = start, working_days
    while left:
        day = date.fromordinal(day.toordinal() + 1)
        if day.weekday() < 5:
            left -= 1
    return day


def objection_refused(step: ObjectionStep, history: FeedbackHistory) -> str | None:
    """Why ``step`` is not allowed now, in Chinese; None when it is."""
    if step is ObjectionStep.FEED_BACK:
        if not history.run_succeeded:
            return "只能对已完成的评分反馈征求意见"
        if history.published:
            return "这次评分的结果已经发布，不能再反馈征求意见"
        if history.fed_back:
            return "这次评分已经反馈征求意见"
        if history.deadline is not None and history.deadline < history.today:
            return f"异议截止日期{chinese_date(history.deadline)}已经过去，请选择今天或以后的日期"
        return None
    if not history.fed_back or history.deadline is None:
        return "这次评分的结果未反馈征求意见，不能提出或答复异议"
    open_now = history.today <= history.deadline
    if step is ObjectionStep.LODGE:
        if not open_now:
            return f"异议期已于{chinese_date(history.deadline)}（北京时间）截止，不能再提出异议"
        return None
    if history.objection is None:
        return "没有这条异议"
    if history.objection is not ObjectionState.LODGED:
        return "这条异议已经撤回" if history.objection is ObjectionState.WITHDRAWN else "这条异议已经答复"
    if step is ObjectionStep.WITHDRAW and not open_now:
        return f"异议期已于{chinese_date(history.deadline)}截止，异议不能再撤回"
    return None


def check_objection(step: ObjectionStep, history: FeedbackHistory) -> None:
    """Raise ``WorkflowRefused`` with the reason unless ``step`` is allowed."""
    reason = objection_refused(step, history)
    if reason is not None:
        raise WorkflowRefused(reason)


def objection_next_steps(history: FeedbackHistory) -> set[ObjectionStep]:
    """Every objection step allowed now."""
    return {step for step in ObjectionStep if objection_refused(step, history) is None}
