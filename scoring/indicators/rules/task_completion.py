"""``task_completion``: credit per task status, averaged over the applicable tasks.

Points = max × mean(credit) over the indicator's tasks; 不适用 tasks leave the denominator. When
every task is 不适用, ``when_all_not_applicable`` decides: ``exclude`` (the default) leaves the
indicator out, its points spread over the rest of its section; ``full`` gives full points; ``zero``
none; ``missing`` treats the tasks as not reported, so the indicator's ``missing`` policy applies
(the same words as a ratio's ``when_nothing_due``). Without evidence a 已完成 task
earns at most ``without_evidence`` (full credit needs evidence when ``evidence_required``). A task
with no status at all counts as missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field

from scoring.indicators.items import DataItem, ItemKind, Strict
from scoring.indicators.rules.base import (
    LintContext,
    RuleBase,
    RuleContext,
    RuleFinding,
    RuleOutcome,
    TaskStatus,
    clamp,
    fmt,
    unscorable_outcome,
)
from scoring.indicators.rules.words import UNSCORABLE_WORDS, Advice, RuleWords, Unscorable
from scoring.problems import Severity


def _credit_words(credit: float) -> str:
    """``计全分``, ``计 50%``, ``不计分``: what a status earns, as the advice says it."""
    if credit >= 1:
        return "计全分"
    return f"计 {fmt(credit * 100)}%" if credit > 0 else "不计分"


class TaskCredit(Strict):
    """Credit (0–1) for each status, keyed by the status as written in the submission."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    done: float = Field(default=1.0, ge=0, le=1, alias="已完成")
    partly: float = Field(default=0.5, ge=0, le=1, alias="部分完成")
    not_started: float = Field(default=0.0, ge=0, le=1, alias="未开展")

    def of(self, status: TaskStatus) -> float:
        """The credit for ``status`` (不适用 never reaches here)."""
        return {TaskStatus.DONE: self.done, TaskStatus.PARTLY: self.partly}.get(status, self.not_started)


class TaskCompletionRule(RuleBase):
    """Status → credit, averaged over the indicator's applicable tasks."""

    kind: Literal["task_completion"]
    credit: TaskCredit = Field(default_factory=TaskCredit)
    evidence_required: bool = True
    without_evidence: float = Field(default=0.5, ge=0, le=1,
                                    description="无佐证材料时单项任务的最高得分比例")
    when_all_not_applicable: Unscorable = Field(
        default="exclude",
        description="所涉任务均不适用时：exclude（默认）本项不计入，分值在本部分其余指标间折算；"
                    "full 得满分；zero 得 0 分；missing 按缺失处理（依指标的 missing 策略）")
    label: ClassVar[str] = "任务完成情况"

    def method_text(self, words: RuleWords) -> str:
        """The method annex's sentence: credit per status, the evidence cap."""
        c = self.credit
        text = (f"所涉任务按报送状态计完成度：已完成 {fmt(c.done)}、部分完成 {fmt(c.partly)}、"
                f"未开展 {fmt(c.not_started)}，不适用的任务不计入；满分 × 平均完成度；"
                f"所涉任务均不适用时{UNSCORABLE_WORDS[self.when_all_not_applicable]}")
        if self.evidence_required:
            text += (f"；无佐证材料的任务完成度最高按 {fmt(self.without_evidence * 100)}% 计"
                     "（佐证材料只填“无”“/”“—”“暂无”“0”等占位文字或显示错误值的，按无佐证材料计）")
        return text

    def advice(self, words: RuleWords) -> Advice:
        """Which statuses earn what, and to finish the unfinished tasks with evidence."""
        evidence = (f"；无佐证材料的最多计 {fmt(self.without_evidence * 100)}%" if self.evidence_required
                    else "")
        c = self.credit
        rewards = (f"工作要点 {words.task_count} 项任务的落实：已完成{_credit_words(c.done)}，"
                   f"部分完成{_credit_words(c.partly)}，未开展{_credit_words(c.not_started)}{evidence}")
        per_task = words.points / words.task_count if words.task_count else 0.0
        from_partly = per_task * (self.credit.done - self.credit.partly)
        from_nothing = per_task * (self.credit.done - self.credit.not_started)
        action = (f"每项任务由部分完成推进到已完成可多得 {fmt(from_partly)} 分，"
                  f"由未开展推进到已完成可多得 {fmt(from_nothing)} 分")
        if self.evidence_required:
            action += "；报送时为已完成的任务列明佐证材料"
        return Advice(rewards, action)

    def _credit(self, status: TaskStatus, evidence: bool) -> float:
        credit = self.credit.of(status)
        if self.evidence_required and not evidence:
            credit = min(credit, self.without_evidence)
        return credit

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """Mean credit over applicable tasks, times the maximum."""
        earned, counted, missing, skipped, unproven = 0.0, 0, [], 0, 0
        for task_id in ctx.task_ids:
            state = ctx.tasks.get(task_id)
            if state is None:
                missing.append(task_id)
                counted += 1
                continue
            if state.status is TaskStatus.NOT_APPLICABLE:
                skipped += 1
                continue
            credit = self._credit(state.status, state.evidence)
            unproven += credit < self.credit.of(state.status)
            earned += credit
            counted += 1
        if counted == 0:
            return unscorable_outcome(self.when_all_not_applicable, ctx.max_points, (), tuple(ctx.task_ids),
                                      "所涉任务均不适用")
        points = clamp(ctx.max_points * earned / counted, ctx.max_points)
        text = (f"{counted} 项任务完成度合计 {fmt(earned)}，{fmt(ctx.max_points)} × {fmt(earned)} / "
                f"{counted} = {fmt(points)} 分")
        if skipped:
            text += f"（{skipped} 项不适用，不计入）"
        if unproven:
            text += f"；{unproven} 项无佐证材料，按最高 {fmt(self.without_evidence * 100)}% 计"
        if missing:
            text += f"；未填报落实情况：{'、'.join(missing)}"
        for task_id in ctx.task_ids:
            state = ctx.tasks.get(task_id)
            if state is not None and state.declared is not None and state.declared is not state.status:
                text += (f"；任务 {task_id} 自报{state.declared.value}，审核调整为{state.status.value}："
                         f"理由：{state.reason or '未说明'}")
        return RuleOutcome(points=points, max_points=ctx.max_points, items=(), explanation=text,
                           missing=tuple(missing))

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """Full credit: every task done, with evidence."""
        best = max(self.credit.done, self.credit.partly, self.credit.not_started)
        return clamp(max_points * best, max_points)

    def referenced_items(self) -> list[str]:
        """No data items: it reads task statuses."""
        return []

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """No data items."""
        return {}

    def lint(self, ctx: LintContext) -> list[RuleFinding]:
        """Credits should fall from 已完成 to 未开展."""
        c = self.credit
        if not c.done >= c.partly >= c.not_started:
            return [RuleFinding("rule-not-monotone", Severity.WARNING,
                                "任务完成度赋分应满足 已完成 ≥ 部分完成 ≥ 未开展", ("credit",))]
        return []
