"""The central office reviews one unit's tasks in a real browser (Playwright driving Debian's
chromium): 上海 uploads twice, the office opens the unit, sees what needs attention, switches to what
changed since the first version by a link, adjusts a task there and lands back in that view at the
row. Every page goes through axe-core, the 320 px reflow check and the Nu Html Checker. Screenshots
go to ``test-artifacts/portal/review/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from portal_fixtures import ACCOUNTS, LiveServer, Person, running_portal
from workbooks import filled_submission

from scoring.report.formatting import BEIJING
from scoring.workbook.filling import Filling, fill

ARTIFACTS = ROOT / "test-artifacts" / "portal" / "review"
BEFORE = datetime(2023, 1, 13, 9, 0, tzinfo=BEIJING)  # the configured deadline is 2023-01-15
NO_EVIDENCE, LOWERED = "2022-1.1.3", "2022-1.1.4"
REASON = "会议纪要不能证明已落实"
OTHERS = ("110000", "440000")  # with 上海, the three units whose task the office adjusts on the task page
TASK_REASON = "佐证材料只有转发通知，未见本地落实"


def _second_version(wb) -> None:
    fill(wb, Filling(tasks={NO_EVIDENCE: ("已完成", "开展专项行动", None),
                            LOWERED: ("部分完成", "开展专项行动", "会议纪要")}))


@pytest.fixture()
def review_server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    accounts = {**ACCOUNTS, **{f"u{code}": ("province", code) for code in OTHERS + ("310000",)}}
    with running_portal(db_url, tmp_path, accounts, BEFORE) as server:
        yield server


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_office_filters_a_units_tasks_and_adjusts_one_in_place(
        browser: Any, review_server: LiveServer, tmp_path: Path) -> None:
    province, office = Person(browser, review_server, ARTIFACTS), Person(browser, review_server, ARTIFACTS)
    province.sign_in("u310000")
    province.page.set_input_files("#file", str(filled_submission(tmp_path / "first.xlsx", unit="310000")))
    province.page.click("button:has-text('上传并校验')")
    province.page.wait_for_url("**/versions/*")
    province.go("/")
    province.upload_and_submit(filled_submission(tmp_path / "second.xlsx", unit="310000",
                                                 change=_second_version))

    office.sign_in("central")
    office.go("/central/units/310000")
    filters = office.page.locator("nav[aria-label='按落实情况筛选任务']")
    assert "需关注" in filters.locator("[aria-current=page]").inner_text()
    assert office.page.locator("tr[id^='task-']").count() == 2
    office.shot("01-needs-attention")

    filters.locator("a:has-text('与上一版本不同')").click()
    office.page.wait_for_url("**/central/units/310000?tasks=changed#tasks")
    row = office.page.locator(f"[id='task-{LOWERED}']")
    assert "落实情况（原为已完成）" in row.inner_text()
    row.locator("select[name=status]").select_option("未开展")
    row.locator("input[name=reason]").first.fill(REASON)
    row.locator("button:has-text('调整')").click()
    office.page.wait_for_url(f"**/central/units/310000?tasks=changed&done={LOWERED}#task-{LOWERED}")
    assert REASON in office.page.locator(f"[id='task-{LOWERED}']").inner_text()
    assert "与上一版本不同" in office.page.locator("nav [aria-current=page]").inner_text()
    assert "已保存任务" in office.text()
    office.shot("02-adjusted-in-the-changed-view")

    # one task across three units, on the task's own page: each adjustment returns to its row
    for code in OTHERS:
        other = Person(browser, review_server, ARTIFACTS)
        other.sign_in(f"u{code}")
        other.upload_and_submit(filled_submission(tmp_path / f"{code}.xlsx", unit=code))
        assert not other.errors, other.errors
        other.context.close()
    office.go(f"/central/units/310000?tasks=all#task-{NO_EVIDENCE}")
    office.page.click(f"[id='task-{NO_EVIDENCE}'] a[href='/central/tasks/{NO_EVIDENCE}']")
    office.page.wait_for_url(f"**/central/tasks/{NO_EVIDENCE}")
    assert office.page.locator("tr[id^='unit-']").count() == 3
    for code in ("110000", "310000", "440000"):
        row = office.page.locator(f"[id='unit-{code}']")
        row.locator("select[name=status]").select_option("部分完成")
        row.locator("input[name=reason]").first.fill(TASK_REASON)
        row.locator("button:has-text('调整')").click()
        office.page.wait_for_url(f"**/central/tasks/{NO_EVIDENCE}?done={code}#unit-{code}")
        saved = office.page.locator(f"[id='unit-{code}']").inner_text()
        assert "已保存" in office.text() and TASK_REASON in saved
    office.page.select_option("#show", "adjusted")
    office.page.click("form.filters button[type=submit]")
    office.page.wait_for_url(f"**/central/tasks/{NO_EVIDENCE}?show=adjusted")
    assert office.page.locator("tr[id^='unit-']").count() == 3
    office.shot("03-one-task-across-three-units")

    office.page.set_viewport_size({"width": 320, "height": 800})
    office.go("/central/units/310000?tasks=all")
    office.shot("04-all-tasks-320px")
    assert not province.errors and not office.errors, province.errors + office.errors
