"""The task reports of a unit's submitted version as the central office reviews them: grouped by
the status the unit declared (the groups that need attention first), compared with the unit's
previous version, and narrowed to what the reviewer chose to see (需关注, 与上一版本不同, 全部)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from scoring.indicators.models import Intake
from scoring.indicators.rules.base import TaskStatus
from scoring.workbook.submission import TaskReport


class Group(StrEnum):
    """What a unit declared for a task, as the review sorts it."""

    DONE_NO_EVIDENCE = "done-no-evidence"
    PARTLY = "partly"
    NOT_STARTED = "not-started"
    UNFILLED = "unfilled"
    NOT_APPLICABLE = "not-applicable"
    DONE = "done"

    @property
    def label(self) -> str:
        """The group's sub-heading."""
        return GROUP_LABELS[self]


GROUP_LABELS = {Group.DONE_NO_EVIDENCE: "声明已完成但无佐证材料", Group.PARTLY: "部分完成",
                Group.NOT_STARTED: "未开展", Group.UNFILLED: "未填落实情况", Group.NOT_APPLICABLE: "不适用",
                Group.DONE: "已完成（有佐证材料）"}
ORDER = tuple(Group)  # problem groups first, as the page shows them
NEEDS_ATTENTION = frozenset({Group.DONE_NO_EVIDENCE, Group.PARTLY, Group.NOT_STARTED, Group.UNFILLED})
BY_STATUS = {TaskStatus.PARTLY: Group.PARTLY, TaskStatus.NOT_STARTED: Group.NOT_STARTED,
             TaskStatus.NOT_APPLICABLE: Group.NOT_APPLICABLE}

ATTENTION, CHANGED, ALL = "attention", "changed", "all"
SHOWS = {ATTENTION: "需关注", CHANGED: "与上一版本不同", ALL: "全部"}
SHOW_HINTS = {ATTENTION: "声明完成但无佐证材料、部分完成、未开展、未填", CHANGED: "", ALL: ""}
DEFAULT_SHOW = ATTENTION


def _text(value: str | None) -> str:
    return (value or "").strip()


def group_of(report: TaskReport, intake: Intake) -> Group:
    """The group of a task report; 已完成 without evidence is a group of its own, evidence that
    is only a placeholder (无, /, 暂无 … as the config's intake lists them) counting as none, as
    the scoring counts it."""
    if report.status is None:
        return Group.UNFILLED
    if report.status is TaskStatus.DONE:
        return Group.DONE_NO_EVIDENCE if intake.placeholder(report.evidence) else Group.DONE
    return BY_STATUS[report.status]


@dataclass(frozen=True)
class Change:
    """How a task report differs from the same task in the unit's previous version."""

    fields: tuple[str, ...]  # 落实情况, 工作举措, 佐证材料: the parts that differ
    before: TaskReport | None  # None: the previous version had no report on the task

    @property
    def text(self) -> str:
        """The change in words, for the row."""
        if self.before is None:
            return "上一版本无此任务"
        parts = []
        for name in self.fields:
            if name == "落实情况":
                was = self.before.status.value if self.before.status else "未填"
                parts.append(f"落实情况（原为{was}）")
            else:
                parts.append(name)
        return "、".join(parts) + "有改动"


def change(report: TaskReport, before: TaskReport | None) -> Change | None:
    """What differs between a task's report and its report in the previous version (None: nothing).
    Blank text and no text are the same; surrounding spaces do not count."""
    if before is None:
        return Change(fields=(), before=None)
    fields = tuple(name for name, now, was in (
        ("落实情况", report.status, before.status),
        ("工作举措", _text(report.practice), _text(before.practice)),
        ("佐证材料", _text(report.evidence), _text(before.evidence))) if now != was)
    return Change(fields=fields, before=before) if fields else None


def changes(current: Mapping[str, TaskReport],
            previous: Mapping[str, TaskReport] | None) -> dict[str, Change]:
    """The tasks of ``current`` that differ from ``previous`` (no previous version: none differ)."""
    if previous is None:
        return {}
    found = {task_id: change(report, previous.get(task_id)) for task_id, report in current.items()}
    return {task_id: c for task_id, c in found.items() if c is not None}


class Row(Protocol):
    """A task row of the review page, as far as the grouping reads it."""

    @property
    def group(self) -> Group: ...

    @property
    def change(self) -> Change | None: ...


R = TypeVar("R", bound=Row)
T = TypeVar("T")


def parse_show(raw: str | None) -> str:
    """The chosen view; anything unknown (or nothing) is the default."""
    return raw if raw in SHOWS else DEFAULT_SHOW


def in_view(row: Row, show: str) -> bool:
    """Whether the row belongs to the view ``show``."""
    if show == ATTENTION:
        return row.group in NEEDS_ATTENTION
    if show == CHANGED:
        return row.change is not None
    return True


def counts(rows: Sequence[Row]) -> dict[str, int]:
    """How many rows each view shows, by view."""
    return {show: sum(1 for r in rows if in_view(r, show)) for show in SHOWS}


@dataclass(frozen=True)
class Section(Generic[T]):
    """The rows of one group in the chosen view, in catalogue order."""

    group: Group
    rows: list[T]


def sections(rows: Sequence[R], show: str) -> list[Section[R]]:
    """The rows the view ``show`` holds, by group (problem groups first; empty groups left out)."""
    shown = [r for r in rows if in_view(r, show)]
    found = [Section(group, [r for r in shown if r.group is group]) for group in ORDER]
    return [s for s in found if s.rows]
