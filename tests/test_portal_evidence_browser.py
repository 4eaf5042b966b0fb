"""Evidence files in a real browser: a province uploads workbook and two evidence files, one bad file
is refused with its message, and the central office opens the unit's evidence page with the image in
the page and the PDF in place. Screenshots go to ``test-artifacts/portal/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from portal_fixtures import TASK_ADJUSTED, LiveServer, Person, sample
from test_portal_evidence_content import image_bytes, pdf_bytes

ARTIFACTS = ROOT / "test-artifacts" / "portal"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_evidence_is_attached_and_opened_in_place(browser: Any, live_server: LiveServer,
                                                  tmp_path: Path) -> None:
    files = {"工作方案.pdf": pdf_bytes("上海市2022年网售药品专项整治工作方案"),
             "现场照片.png": image_bytes("PNG", (320, 200)), "伪装.pdf": b"MZ" + b"\x00" * 200}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    province = Person(browser, live_server, ARTIFACTS)
    province.sign_in("sh")
    page = province.page
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
    province.shot("evidence-01-province", full_page=False)
    row.locator("input[type=file]").set_input_files(str(tmp_path / "伪装.pdf"))
    row.locator("button:has-text('上传')").click()
    page.wait_for_load_state()
    assert "可执行程序" in page.inner_text("main")
    province.shot("evidence-02-refused", full_page=False)

    office = Person(browser, live_server, ARTIFACTS)
    office.sign_in("central")
    office.go("/central/units/310000/evidence")
    central = office.page
    image = central.locator(f'[id="task-{TASK_ADJUSTED}"] img.evidence-image')
    assert image.evaluate("img => img.naturalWidth") == 320  # shown in the page, not downloaded
    office.shot("evidence-03-central", full_page=False)
    with central.expect_response(lambda r: "/central/evidence/" in r.url) as opened:
        central.locator(f'[id="task-{TASK_ADJUSTED}"] a', has_text="工作方案.pdf").click()
    response = opened.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
