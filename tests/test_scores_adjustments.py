"""Review adjustments (审核调整) checked against the year's units, tasks and the units' own declared
statuses: every record that does not fit is one located problem, the file as a whole refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import ConfigError
from scoring.indicators.rules.base import TaskStatus
from scoring.pipeline import load_year_files
from scoring.problems import Severity
from scoring.scores.adjustments import check_adjustments, read_adjustments
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import Submission, TaskReport

DONE, PARTLY, NOT_STARTED, NOT_APPLICABLE = (TaskStatus.DONE, TaskStatus.PARTLY, TaskStatus.NOT_STARTED,
                                             TaskStatus.NOT_APPLICABLE)


@pytest.fixture(scope="module")
def config() -> YearConfig:
    return load_year_files(2022).config


def _beijing(statuses: dict[str, TaskStatus | None]) -> Submission:
    """北京's validated submission with these task rows (a status of None: the row left blank)."""
    tasks = {task: TaskReport(task_id=task, status=status, sheet="工作任务", cell=f"D{row}")
             for row, (task, status) in enumerate(statuses.items(), start=5)}
    return Submission(file="110000-北京.xlsx", sha256="0" * 64, size=1, year=2022, unit_code="110000",
                      unit_name="北京市", tasks=tasks)


# 北京 declared: 1.1.1 done, 1.1.2 partly, 1.1.3 not applicable, 1.1.4 left blank, 1.2.1 done;
# 1.2.2 has no row at all
BEIJING = _beijing({"2022-1.1.1": DONE, "2022-1.1.2": PARTLY, "2022-1.1.3": NOT_APPLICABLE,
                    "2022-1.1.4": None, "2022-1.2.1": DONE})


def _file(year: int, *records: str, name: str = "adjustments.yaml") -> bytes:
    text = f"schema_version: 1\nyear: {year}\nadjustments:\n" + "".join(f"  - {r}\n" for r in records)
    return text.encode("utf-8")


def test_lowering_restoring_and_setting_a_not_applicable_task_fit(config: YearConfig) -> None:
    adjustments = read_adjustments(_file(
        2022,
        "{unit: '110000', task: 2022-1.1.1, status: 部分完成, reason: 佐证材料只有通知}",  # lowered
        "{unit: '110000', task: 2022-1.1.2, status: 部分完成, reason: 恢复自报状态}",  # restored
        "{unit: '110000', task: 2022-1.1.3, status: 已完成, reason: 本地有此项工作}",  # 不适用 → any
        "{unit: '110000', task: 2022-1.2.1, status: 未开展, reason: 未见落实材料}",
        # 天津 sent nothing that was scored: recorded, nothing to apply it to
        "{unit: '120000', task: 2022-1.1.1, status: 已完成, reason: 无}",
    ), Path("reviews/adjustments-2022.yaml"))
    assert adjustments.source.file == "adjustments-2022.yaml"
    check_adjustments(adjustments, config, {"110000": BEIJING})  # no problem: nothing raised


def test_every_adjustment_that_does_not_fit_is_located(config: YearConfig) -> None:
    adjustments = read_adjustments(_file(
        2021,  # the wrong year
        "{unit: '110000', task: 2022-1.1.1, status: 部分完成, reason: 佐证不足}",
        "{unit: '110000', task: 2022-1.1.1, status: 未开展, reason: 再次审核}",  # the same task again
        "{unit: '999999', task: 2022-1.1.1, status: 未开展, reason: 无}",  # no such unit
        "{unit: '110000', task: 2022-9.9.9, status: 未开展, reason: 无}",  # no such task this year
        "{unit: '120000', task: 2022-1.1.1, status: 未开展, reason: 未评分单位}",  # not scored: not checked
        "{unit: '110000', task: 2022-1.1.4, status: 未开展, reason: 无}",  # 北京 left the status blank
        "{unit: '110000', task: 2022-1.1.2, status: 已完成, reason: 提高}",  # raised above 部分完成
        "{unit: '110000', task: 2022-1.1.3, status: 已完成, reason: 有此项工作}",  # 不适用 → 已完成: fits
        "{unit: '110000', task: 2022-1.2.1, status: 不适用, reason: 改为不适用}",  # 已完成 → 不适用
        "{unit: '110000', task: 2022-1.2.2, status: 未开展, reason: 无}",  # 北京 has no row for it
    ), Path("adjustments-2021.yaml"))
    with pytest.raises(ConfigError) as raised:
        check_adjustments(adjustments, config, {"110000": BEIJING})
    assert str(raised.value) == "adjustments-2021.yaml: 审核调整有 8 处问题"
    problems = raised.value.problems
    assert {(p.code, p.severity, p.file) for p in problems} == {
        ("adjustment-invalid", Severity.ERROR, "adjustments-2021.yaml")}
    assert [(p.path, p.message) for p in problems] == [
        ("year", "是 2021 年度的审核调整，不是 2022 年度的"),
        ("adjustments[1]", "单位 110000 的任务 2022-1.1.1 重复调整"),
        ("adjustments[2]", "单位代码 999999 不是考核单位"),
        ("adjustments[3]", "任务 2022-9.9.9 不是本年度考核的任务"),
        ("adjustments[5]", "北京市未填报任务 2022-1.1.4 的落实情况，无可调整的自报状态"),
        ("adjustments[6]", "北京市任务 2022-1.1.2 自报部分完成，审核调整只能降低或恢复，不能改为已完成"),
        ("adjustments[8]", "北京市任务 2022-1.2.1 自报已完成，审核调整只能降低或恢复，不能改为不适用"),
        ("adjustments[9]", "北京市未填报任务 2022-1.2.2 的落实情况，无可调整的自报状态"),
    ]


def test_a_broken_adjustments_file_is_named_in_its_problems() -> None:
    with pytest.raises(ConfigError) as raised:
        read_adjustments(_file(2022, "{unit: '110000', task: 2022-1.1.1, status: 部分完成}"),
                         Path("adjustments.yaml"))  # no reason given
    assert raised.value.problems and {p.file for p in raised.value.problems} == {"adjustments.yaml"}


def test_an_adjustments_file_not_in_utf8_is_refused_with_its_path() -> None:
    gbk = "schema_version: 1\nyear: 2022\nadjustments: []  # 审核调整\n".encode("gbk")
    with pytest.raises(ConfigError) as raised:
        read_adjustments(gbk, Path("reviews/adjustments.yaml"))
    assert str(raised.value) == "reviews/adjustments.yaml: 不是 UTF-8 编码的文本"
    problems = [(p.code, p.file) for p in raised.value.problems]
    assert problems == [("yaml-encoding", "reviews/adjustments.yaml")]
