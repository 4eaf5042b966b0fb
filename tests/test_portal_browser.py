"""End to end in a real browser: Playwright from PyPI driving Debian's chromium (nothing downloaded).

A provincial office signs in, uploads a workbook with errors, sees the finding with its cell,
uploads a fixed one, looks at the preliminary score, submits and signs out. A screenshot of each
page is kept in ``test-artifacts/portal/``.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import ROOT
from portal_fixtures import PASSWORD, LiveServer, Person, invalid, sample

from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

ARTIFACTS = ROOT / "test-artifacts" / "portal"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_province_uploads_fixes_submits_and_signs_out(browser: Any, live_server: LiveServer) -> None:
    province = Person(browser, live_server, ARTIFACTS)
    page, shot = province.page, province.shot

    page.goto(f"{live_server.base}/")  # signing in step by step, as that is what this test is about
    assert page.url.endswith("/login")
    shot("01-login")
    page.fill("#name", "bj")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_url(f"{live_server.base}/")
    assert "北京市" in page.inner_text("h1") and "未开始" in page.inner_text("main")
    shot("02-home")

    expected = validate_submission(invalid("value-missing"), load_year_config, expected_year=2022)
    finding = next(f for f in expected.findings if f.code == "value-missing")
    page.set_input_files("#file", str(invalid("value-missing")))
    page.click("button:has-text('上传并校验')")
    page.wait_for_url("**/versions/*")
    row = page.locator("table.findings tr", has_text=finding.message)
    assert row.count() == 1 and row.locator("td.cell").inner_text() == f"“{finding.sheet}” {finding.cell}"
    assert "不能提交" in page.inner_text("main")
    shot("03-findings-with-errors")

    page.click("text=返回本单位报送")
    page.set_input_files("#file", str(sample("110000")))
    page.click("button:has-text('上传并校验')")
    page.wait_for_url("**/versions/*")
    assert "通过" in page.inner_text("main") and page.locator("a.button:has-text('提交第 2 版')").count() == 1
    shot("04-findings-fixed")

    page.click("text=查看预评分（非正式）")
    assert "不是正式考核结果" in page.inner_text("main")
    shot("05-preview")
    page.go_back()

    page.click("a.button:has-text('提交第 2 版')")
    page.wait_for_url("**/versions/*/submit")
    assert "除非全国双打办将其退回" in page.inner_text("main")
    shot("05a-confirm-submit")
    page.click("button:has-text('确认提交')")
    page.wait_for_url(f"{live_server.base}/")
    assert "已提交" in page.inner_text("main") and "等待全国双打办审核" in page.inner_text("main")
    shot("06-submitted")

    page.click("button:has-text('退出登录')")
    page.wait_for_url("**/login?out=1")
    assert "您已退出登录" in page.inner_text("main")
    shot("07-signed-out")
    page.goto(f"{live_server.base}/")
    assert page.url.endswith("/login")
    assert province.errors == []  # no console errors: nothing blocked by the CSP, no script at all
    province.context.close()
