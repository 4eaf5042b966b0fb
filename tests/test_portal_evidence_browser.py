"""Evidence files in a real browser: a province uploads workbook and two evidence files, one bad file
is refused with its message, and the central office opens the unit's evidence page with the image in
the page and the PDF in place. Screenshots go to ``test-artifacts/portal/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from portal_fixtures import PASSWORD, TASK_ADJUSTED, LiveServer, sample
from test_portal_evidence_content import image_bytes, pdf_bytes

ARTIFACTS = ROOT / "test-artifacts" / "portal"


def _sign_in(page: Any, server: LiveServer, name: str) -> None:
    page.goto(f"{server.base}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('登录')")
    page.wait_for_load_state()
    if page.url.endswith("/login/totp"):  # the central office signs in with its authenticator's code
        page.fill("#code", server.totp(name))
        page.click("button:has-text('验证')")
        page.wait_for_load_state()
    assert "退出登录" in page.inner_text("header"), page.url


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_evidence_is_attached_and_opened_in_place(browser: Any, live_server: LiveServer,
                                                  tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    files = {"工作方案.pdf": pdf_bytes("上海市2022年网售药品专项整治工作方案"),
             "现场照片.png": image_bytes("PNG", (320, 200)), "伪装.pdf": b"MZ" + b"\x00" * 200}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, live_server, "sh")
    page.set_input_files("#file", str(sample("310000")))
    page.click("button:has-text('上传并校验')")
    page.wait_for_url("**/versions/*")
    page.click("text=各任务佐证材料（上传与查看）")
    row = page.locator(f'[id="task-{TASK_ADJUSTED}"]')
    for name in ("工作方案.pdf", "现场照片.png"):
        row.locator("input[type=file]").set_input_files(str(tmp_path / name))
        row.locator("button:has-text('上传')").click()
        page.wait_for_url("**/evidence*")
        row = page.locator(f'[id="task-{TASK_ADJUSTED}"]')
    assert "已上传 2 份" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "evidence-01-province.png"), full_page=False)
    row.locator("input[type=file]").set_input_files(str(tmp_path / "伪装.pdf"))
    row.locator("button:has-text('上传')").click()
    page.wait_for_load_state()
    assert "可执行程序" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "evidence-02-refused.png"))

    central = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(central, live_server, "central")
    central.goto(f"{live_server.base}/central/units/310000/evidence")
    image = central.locator(f'[id="task-{TASK_ADJUSTED}"] img.evidence-image')
    assert image.evaluate("img => img.naturalWidth") == 320  # shown in the page, not downloaded
    central.screenshot(path=str(ARTIFACTS / "evidence-03-central.png"))
    with central.expect_response(lambda r: "/central/evidence/" in r.url) as opened:
        central.locator(f'[id="task-{TASK_ADJUSTED}"] a', has_text="工作方案.pdf").click()
    response = opened.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
