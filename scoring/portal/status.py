"""A unit's state in a year, and whether it may still upload and submit, from its recorded decisions.

States: 未开始 (no version yet) → 草稿 (versions, not submitted) → 已提交 (the province submitted a
version without errors); the central office can then return it (已退回, with a reason: the unit
uploads and submits again) or accept it (已接受). After the deadline a unit may upload and submit
only while a return or a reopen by the central office is in force (until its date, if it has one,
or until the unit's next submit). Pure functions: the store reads the rows, this decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from scoring.report.formatting import chinese_date


class UnitState(StrEnum):
    """Where a unit's submission stands."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


STATE_LABELS: dict[UnitState, str] = {
    UnitState.NOT_STARTED: "未开始", UnitState.DRAFT: "草稿", UnitState.SUBMITTED: "已提交",
    UnitState.RETURNED: "已退回", UnitState.ACCEPTED: "已接受",
}


@dataclass(frozen=True)
class Decision:
    """One recorded decision on a unit (a ``unit_events`` row)."""

    seq: int
    action: str  # submit | return | reopen | accept
    at: datetime
    version_id: int | None = None
    reason: str | None = None
    until: date | None = None


@dataclass(frozen=True)
class Standing:
    """A unit's state and what explains it."""

    state: UnitState
    last_seq: int
    submitted: Decision | None  # the latest submit (its time is what timeliness reads)
    returned: Decision | None  # the return in force, if the state is 已退回
    reopened: Decision | None  # the latest return or reopen after the latest submit

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def standing(has_versions: bool, decisions: list[Decision]) -> Standing:
    """The state that follows from a unit's versions and decisions (in ``seq`` order)."""
    ordered = sorted(decisions, key=lambda d: d.seq)
    state = UnitState.DRAFT if has_versions else UnitState.NOT_STARTED
    submitted = returned = reopened = None
    for decision in ordered:
        if decision.action == "submit":
            state, submitted, returned, reopened = UnitState.SUBMITTED, decision, None, None
        elif decision.action == "return":
            state, returned, reopened = UnitState.RETURNED, decision, decision
        elif decision.action == "accept":
            state = UnitState.ACCEPTED
        elif decision.action == "reopen":
            reopened = decision
    return Standing(state=state, last_seq=ordered[-1].seq if ordered else 0, submitted=submitted,
                    returned=returned, reopened=reopened)


def refusal(unit: Standing, deadline: date | None, today: date) -> str | None:
    """Why the unit may not upload or submit today, in Chinese; None when it may."""
    if unit.state is UnitState.SUBMITTED:
        return "本单位已提交，不能再上传或提交；如需修改，请联系全国双打办退回"
    if unit.state is UnitState.ACCEPTED:
        return "全国双打办已接受本单位的报送，不能再上传或提交"
    if deadline is None or today <= deadline:
        return None
    window = unit.reopened
    if window is not None and (window.until is None or today <= window.until):
        return None
    if window is not None and window.until is not None:
        return (f"已过报送截止日期（{chinese_date(deadline)}），全国双打办重新开放的期限"
                f"（{chinese_date(window.until)}）也已过，不能再上传或提交；如需补报，请联系全国双打办")
    return (f"已过报送截止日期（{chinese_date(deadline)}），不能再上传或提交；"
            "如需补报，请联系全国双打办重新开放")


def next_step(unit: Standing, blocked: str | None, latest_errors: int | None) -> str:
    """What the provincial office should do next, in one sentence."""
    if unit.state is UnitState.ACCEPTED:
        return "报送已被接受，无需其他操作。"
    if unit.state is UnitState.SUBMITTED:
        return "已提交，等待全国双打办审核。"
    if blocked is not None:
        return blocked + "。"
    if unit.state is UnitState.RETURNED:
        return "报送已被退回，请按退回理由修改后上传新版本并重新提交。"
    if latest_errors is None:
        return "请下载本单位的报送模板，填写后上传。"
    if latest_errors:
        return f"最新版本有 {latest_errors} 个错误，请修正后重新上传。"
    return "最新版本未发现错误，请核对后提交；提交后不能再修改。"
