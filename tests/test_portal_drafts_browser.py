"""Drafting the coming year's configuration in a real browser (Playwright driving Debian's chromium):
while 2020 is open and 上海's submission accepted, the central office uploads the configuration for
2022, reads its audit, compares it with 2020's on the accepted submission (a background job the page
shows finished), and adopts it with a reason; an auditor then sees the decision. Screenshots go to
``test-artifacts/portal/drafts/``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from portal_fixtures import ACCOUNTS, LiveServer, Person, running_portal, sample

from scoring.report.formatting import BEIJING
from scoring.settings import get_settings

ARTIFACTS = ROOT / "test-artifacts" / "portal" / "drafts"
BEFORE = datetime(2021, 1, 12, 9, 0, tzinfo=BEIJING)  # 2020's configured deadline is 2021-01-15
REASON = "依据 2022 年工作要点（打假发〔2022〕1号）重新编制"


@pytest.fixture()
def coming_server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A live portal with 2020 open and 2022 not yet opened."""
    with running_portal(db_url, tmp_path, {**ACCOUNTS, "u310000": ("province", "310000")}, BEFORE,
                        open_year=2020) as server:
        yield server


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_upload_audit_compare_and_adopt_the_coming_years_configuration(
        browser: Any, coming_server: LiveServer) -> None:
    province, office = Person(browser, coming_server, ARTIFACTS), Person(browser, coming_server, ARTIFACTS)
    province.sign_in("u310000")
    province.upload_and_submit(sample("310000", 2020))
    office.sign_in("central")
    office.accept("310000")

    office.go("/drafts")
    office.page.set_input_files("input[name=file]", str(get_settings().indicators_dir / "2022.yaml"))
    office.page.click("button:has-text('上传并审计')")
    office.page.wait_for_url("**/drafts/*")
    assert "审计结论" in office.text() and "通过" in office.text()
    office.page.click("button:has-text('开始比较')")
    office.page.wait_for_url("**/drafts/*")
    for _ in range(240):
        if "已完成" in office.text() or "失败" in office.text():
            break
        time.sleep(1)
        office.page.reload()
    assert "已完成" in office.text(), office.text()[-1500:]
    assert "上海市" in office.text() and "北京时间" in office.text() and "2021年1月12日" in office.text()
    office.shot("01-draft-compared")
    office.page.fill("textarea[name=reason]", REASON)
    office.page.click("button:has-text('采用为 2022 年度指标配置')")
    office.page.wait_for_url("**/drafts/*")
    assert "第 1 次采用" in office.text()

    auditor = Person(browser, coming_server, ARTIFACTS)
    auditor.sign_in("auditor")
    auditor.go("/drafts")
    assert REASON in auditor.text() and "上传并审计" not in auditor.text()
    auditor.shot("02-auditor-adoptions")
    assert province.errors + office.errors + auditor.errors == []
