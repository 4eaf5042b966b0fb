"""A whole assessment year in a real browser (Playwright from PyPI driving Debian's chromium):

three provinces submit (北京 on time; 上海 is returned with a reason and submits again; 广东 after the
deadline, once the central office has reopened it), the central office adjusts one of 上海's tasks,
enters a 通报, accepts all three, runs scoring and publishes; 上海 downloads its scorecard and sees the
adjustment and its reason; an auditor verifies the published run and sees 一致. The published
scores.json and ranking.xlsx are then compared byte for byte with what ``scoring score`` writes from
the inputs the portal exports. Screenshots of every step are kept in ``test-artifacts/portal/year/``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from portal_fixtures import ACCOUNTS, SAMPLES, LiveServer, Person, running_portal, sample
from typer.testing import CliRunner

from scoring.cli import app as cli
from scoring.report.formatting import BEIJING

ARTIFACTS = ROOT / "test-artifacts" / "portal" / "year"
BEFORE = datetime(2023, 1, 13, 9, 0, tzinfo=BEIJING)  # the configured deadline is 2023-01-15
AFTER = datetime(2023, 1, 16, 9, 30, tzinfo=BEIJING)
TASK = "2022-1.1.3"
REASON = "佐证材料只有转发通知，未见具体落实情况"
RETURNED = "案件办结数大于立案数，请核实后重新报送"


@pytest.fixture()
def year_server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A live portal with the 2022 configuration's own deadline and a clock the test moves."""
    accounts = {**ACCOUNTS, "u110000": ("province", "110000"), "u310000": ("province", "310000"),
                "u440000": ("province", "440000")}
    with running_portal(db_url, tmp_path, accounts, BEFORE) as server:
        yield server


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_whole_year_from_upload_to_verified_publication(
        browser: Any, year_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live_server = year_server
    province, office = Person(browser, live_server, ARTIFACTS), Person(browser, live_server, ARTIFACTS)

    # 北京 and 上海 submit before the deadline
    province.sign_in("u110000")
    province.upload_and_submit(sample("110000"))
    province.sign_in("u310000")
    province.upload_and_submit(sample("310000"))
    province.shot("01-shanghai-submitted")

    # the central office returns 上海's submission with a reason
    office.sign_in("central")
    assert office.page.url.endswith("/central")
    office.shot("02-dashboard")
    office.go("/central/units/310000")
    office.page.fill("#return-reason", RETURNED)
    office.page.click("button:has-text('退回')")
    office.page.wait_for_url("**/central/units/310000")
    assert "已退回" in office.text() and RETURNED in office.text()

    # 上海 sees the reason and submits again
    province.go("/")
    assert "已退回" in province.text() and RETURNED in province.text()
    province.shot("03-shanghai-returned")
    province.upload_and_submit(sample("310000"))

    # the deadline passes; 广东 is refused until the central office reopens it
    live_server.set_clock(AFTER)
    province.sign_in("u440000")
    assert "已过报送截止日期" in province.text() and province.page.locator("#file").count() == 0
    province.shot("04-guangdong-after-deadline")
    office.sign_in("central")  # three days later: a new session
    office.go("/central/units/440000")
    office.page.fill("#reopen-reason", "广东省报送系统升级，延期报送")
    office.page.click("button:has-text('重新开放')")
    office.page.wait_for_url("**/central/units/440000")
    province.go("/")
    province.upload_and_submit(sample("440000"))
    office.go("/central")
    rows = {name: office.page.locator("tr", has=office.page.locator("a", has_text=name)).inner_text()
            for name in ("北京市", "上海市", "广东省")}
    assert "逾期提交" in rows["广东省"] and "逾期" not in rows["北京市"] + rows["上海市"]
    office.shot("05-dashboard-late")

    # 审核调整 of one of 上海's tasks, with a reason
    office.go("/central/units/310000")  # the tasks needing attention first; this one is done with evidence
    assert office.page.locator(f"[id='task-{TASK}']").count() == 0
    office.page.click("nav[aria-label='按落实情况筛选任务'] a[href*='tasks=all']")
    task_row = office.page.locator(f"[id='task-{TASK}']")
    task_row.locator("select[name=status]").select_option("部分完成")
    task_row.locator("input[name=reason]").first.fill(REASON)
    task_row.locator("button:has-text('调整')").click()
    office.page.wait_for_url(f"**/central/units/310000?tasks=all&done={TASK}#task-{TASK}")  # back to its row
    assert REASON in office.page.locator(f"[id='task-{TASK}']").inner_text()
    office.shot("06-task-adjusted")

    # central records: the office's workbook, then a 通报 for 上海 entered in the form
    office.upload_records(SAMPLES / "central-2022.xlsx")
    office.go("/central/records/310000")
    assert "门户提交时间" in office.text()
    office.page.fill("#item-notified_count", "1")
    office.page.fill("#item-notified_fixed", "0")
    office.shot("07-record-form")
    office.page.click("button:has-text('校验并保存')")
    office.page.wait_for_url("**/central/records*")
    assert "第 2 版" in office.text()
    office.shot("08-records")

    # accept all three
    for code in ("110000", "310000", "440000"):
        office.accept(code)
    office.go("/central?state=accepted")
    office.shot("09-dashboard-accepted")

    # run scoring in the background, watch it, publish
    office.go("/runs")
    office.page.click("button:has-text('开始评分')")
    office.page.wait_for_url("**/runs/*")
    run_url = office.page.url

    def progress() -> str:
        """The progress line after following the page's own 刷新 link (it never refreshes itself)."""
        label = office.page.locator(".progress-label")
        if not label.count():
            return ""
        office.page.click("main a:text-is('刷新')")
        office.page.wait_for_url(run_url)
        label = office.page.locator(".progress-label")
        return str(label.inner_text()) if label.count() else ""

    for _ in range(1500):  # a moment well into the PDFs, for the picture
        line = progress()
        if not line or ("PDF" in line and int((re.findall(r"(\d+) / \d+", line) or ["0"])[0]) >= 8):
            break
        office.page.wait_for_timeout(200)
    if office.page.locator(".progress-label").count():  # the ranking is there while the PDFs render
        assert "已评分，正在生成 PDF" in office.text() and "排名与定档" in office.text()
        assert office.page.locator("meta[http-equiv='refresh']").count() == 0
        office.shot("10-run-progress")
    for _ in range(4500):
        if not progress():
            break
        office.page.wait_for_timeout(200)
    office.page.wait_for_selector("h2:has-text('排名与定档')")
    assert "3 个单位已评分" in office.text() and "未报送" in office.text()
    office.shot("11-run-results")
    office.page.click("a.button:has-text('发布本次结果')")
    office.page.wait_for_url(f"{run_url}/publish")
    assert "发布是最终的" in office.text() and "3 个单位已评分" in office.text()
    office.shot("11a-confirm-publish")
    office.page.click("button:has-text('确认发布')")
    office.page.wait_for_url(run_url)
    assert "已发布" in office.text()
    office.shot("12-published")

    # 上海 downloads its scorecard and sees the adjustment and its reason
    province.sign_in("u310000")
    home = province.text()
    assert "考核结果（已发布）" in home and "审核调整" in home and REASON in home
    province.shot("13-shanghai-result")
    with province.page.expect_download() as download:
        province.page.click("text=下载本单位成绩单（PDF）")
    card = tmp_path / "scorecard.pdf"
    download.value.save_as(card)
    card_text = "".join(subprocess.run(["pdftotext", "-enc", "UTF-8", str(card), "-"], check=True,
                                       capture_output=True, text=True).stdout.split())
    assert "上海市2022年度" in card_text and "审核调整" in card_text and REASON in card_text
    assert "自报已完成，审核调整为部分完成" in card_text

    # an auditor verifies the published run
    auditor = Person(browser, live_server, ARTIFACTS)
    auditor.sign_in("auditor")
    assert auditor.page.url.endswith("/audit")
    auditor.shot("14-auditor-home")
    auditor.go("/audit/config/2022")
    auditor.shot("15-auditor-config")
    auditor.page.goto(run_url)
    auditor.shot("16-auditor-run")
    auditor.page.click("button:has-text('复核')")
    auditor.page.wait_for_selector(".verdict", timeout=600_000)
    assert auditor.page.inner_text(".verdict") == "一致"
    auditor.shot("17-verified")
    auditor.go("/audit/log")
    auditor.page.fill("#unit", "上海")  # a name, as a person types it
    auditor.page.click("form.filters button[type=submit]")
    auditor.page.wait_for_url(re.compile(r"/audit/log\?.*unit="))
    units = auditor.page.locator("table.log tbody tr td:nth-child(4)").all_inner_texts()
    objects = auditor.page.locator("table.log tbody tr td:nth-child(6)").all_inner_texts()
    assert units and all(u == "310000" or "310000" in o for u, o in zip(units, objects, strict=True))
    auditor.shot("18-audit-log")
    with auditor.page.expect_download() as download:
        auditor.page.click("a:has-text('导出 Excel')")
    exported = tmp_path / "audit-log.xlsx"
    download.value.save_as(exported)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path),
                    str(exported)],
                   check=True, capture_output=True, timeout=180)
    as_text = (tmp_path / "audit-log.csv").read_text(encoding="utf-8")  # LibreOffice reads the Chinese
    rows = list(csv.reader(io.StringIO(as_text)))
    assert "审核调整" in as_text and "全国双打办" in as_text and len(rows) == len(units) + 1

    # the published files are what scoring score writes from the exported inputs
    run = run_url.rstrip("/")
    inputs = auditor.context.request.get(f"{run}/inputs.zip")
    assert inputs.ok
    folder = tmp_path / "exported"
    with zipfile.ZipFile(io.BytesIO(inputs.body())) as archive:
        archive.extractall(folder)
    manifest = json.loads(auditor.context.request.get(f"{run}/files/outputs/manifest.json").body())
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, manifest["command"][1:])
    assert result.exit_code == 0, result.output
    for name in ("scores.json", "ranking.xlsx"):
        published = auditor.context.request.get(f"{run}/files/outputs/{name}").body()
        assert (folder / "outputs" / name).read_bytes() == published, name
    for person in (province, office, auditor):
        assert person.errors == []  # nothing blocked by the CSP, no script anywhere
        person.context.close()
