"""The grouping of a unit's task reports on the central office's review page: groups by declared
status (problems first), the comparison with the previous version, and the three views."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from scoring.indicators.models import Intake
from scoring.indicators.rules.base import TaskStatus
from scoring.portal.review import task_groups as tg
from scoring.workbook.submission import TaskReport


def report(task_id: str, status: TaskStatus | None, practice: str | None = "开展专项行动",
           evidence: str | None = "工作方案") -> TaskReport:
    return TaskReport(task_id=task_id, status=status, practice=practice, evidence=evidence, sheet="任务",
                      cell="C5")


@dataclass(frozen=True)
class Row:
    task_id: str
    group: tg.Group
    change: tg.Change | None


@pytest.mark.parametrize(("status", "evidence", "group"), [
    (TaskStatus.DONE, "工作方案", tg.Group.DONE),
    (TaskStatus.DONE, None, tg.Group.DONE_NO_EVIDENCE),
    (TaskStatus.DONE, "   ", tg.Group.DONE_NO_EVIDENCE),
    (TaskStatus.DONE, "暂无", tg.Group.DONE_NO_EVIDENCE),  # a placeholder names no document
    (TaskStatus.DONE, " / ", tg.Group.DONE_NO_EVIDENCE),
    (TaskStatus.PARTLY, None, tg.Group.PARTLY),
    (TaskStatus.NOT_STARTED, None, tg.Group.NOT_STARTED),
    (TaskStatus.NOT_APPLICABLE, None, tg.Group.NOT_APPLICABLE),
    (None, "工作方案", tg.Group.UNFILLED),
])
def test_each_declared_status_has_its_group(status: TaskStatus | None, evidence: str | None,
                                            group: tg.Group) -> None:
    assert tg.group_of(report("t", status, evidence=evidence), Intake()) is group


def test_a_change_names_what_differs_and_ignores_blank_and_spaces() -> None:
    before = report("t", TaskStatus.PARTLY, practice=None, evidence="工作方案")
    assert tg.change(report("t", TaskStatus.PARTLY, practice="", evidence=" 工作方案 "), before) is None
    moved = tg.change(report("t", TaskStatus.DONE, practice="新做法", evidence="工作方案"), before)
    assert moved is not None and moved.fields == ("落实情况", "工作举措")
    assert moved.text == "落实情况（原为部分完成）、工作举措有改动"
    new = tg.change(report("t", TaskStatus.DONE), None)
    assert new is not None and new.text == "上一版本无此任务"


def test_without_a_previous_version_nothing_has_changed() -> None:
    current = {"a": report("a", TaskStatus.DONE), "b": report("b", None)}
    assert tg.changes(current, None) == {}
    found = tg.changes(current, {"a": report("a", TaskStatus.DONE, evidence=None)})
    assert sorted(found) == ["a", "b"] and found["a"].fields == ("佐证材料",) and found["b"].before is None


def test_views_count_and_group_rows_problems_first_in_catalogue_order() -> None:
    changed = tg.Change(fields=("落实情况",), before=report("x", TaskStatus.DONE))
    rows = [Row("1", tg.Group.DONE, None), Row("2", tg.Group.PARTLY, changed),
            Row("3", tg.Group.DONE_NO_EVIDENCE, None), Row("4", tg.Group.NOT_APPLICABLE, changed),
            Row("5", tg.Group.PARTLY, None), Row("6", tg.Group.UNFILLED, None)]
    assert tg.counts(rows) == {"attention": 4, "changed": 2, "all": 6}
    shown = [(s.group, [r.task_id for r in s.rows]) for s in tg.sections(rows, tg.ATTENTION)]
    assert shown == [(tg.Group.DONE_NO_EVIDENCE, ["3"]), (tg.Group.PARTLY, ["2", "5"]),
                     (tg.Group.UNFILLED, ["6"])]
    assert [s.group for s in tg.sections(rows, tg.CHANGED)] == [tg.Group.PARTLY, tg.Group.NOT_APPLICABLE]
    assert [s.group for s in tg.sections(rows, tg.ALL)] == [
        tg.Group.DONE_NO_EVIDENCE, tg.Group.PARTLY, tg.Group.UNFILLED, tg.Group.NOT_APPLICABLE, tg.Group.DONE]


@pytest.mark.parametrize(("raw", "show"), [
    ("attention", "attention"), ("changed", "changed"), ("all", "all"),
    (None, "attention"), ("", "attention"), ("ALL", "attention"), ("<script>", "attention")])
def test_an_unknown_view_is_the_default(raw: str | None, show: str) -> None:
    assert tg.parse_show(raw) == show
