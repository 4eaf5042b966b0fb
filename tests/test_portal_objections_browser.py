"""Feedback and objections in a real browser (issue 22): the central office feeds a run back instead
of publishing it, 上海 objects to one indicator with a file, the deadline passes, the central office
accepts the objection with a record correction, scores again (上海's score changes) and publishes;
the publication lists the answered objection, 上海 sees the answer, and the auditor's 复核 says 一致.
Screenshots go to ``test-artifacts/portal/objections/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from portal_fixtures import ACCOUNTS, SAMPLES, LiveServer, Person, running_portal, sample
from test_portal_evidence_content import image_bytes

from scoring.report.formatting import BEIJING

ARTIFACTS = ROOT / "test-artifacts" / "portal" / "objections"
BEFORE = datetime(2023, 1, 10, 10, 0, tzinfo=BEIJING)  # a Tuesday
AFTER = datetime(2023, 1, 18, 9, 0, tzinfo=BEIJING)  # the day after the default deadline (17 January)
REASON = "本单位报送的数据无必填项缺漏，请核实"
ANSWER = "经核实，上海市必填数据无缺漏，已更正全国双打办记录"


def _run_scoring(office: Person) -> str:
    """Start a run and follow the run page until its results are there; the run page's address."""
    office.go("/runs")
    office.page.click("button:has-text('开始评分')")
    office.page.wait_for_url("**/runs/*")
    for _ in range(900):  # the page never refreshes itself: follow its 刷新 link until the run is done
        refresh = office.page.locator("main a:text-is('刷新')")
        if office.page.locator(".downloads").count() or not refresh.count():
            break
        office.page.wait_for_timeout(1000)
        office.page.click("main a:text-is('刷新')")
        office.page.wait_for_load_state()
    office.page.wait_for_selector("h2:has-text('排名与定档')")
    return str(office.page.url)


def _total(person: Person) -> str:
    row = person.page.locator("table.ranking tr", has=person.page.locator("td", has_text="上海市"))
    return str(row.locator("td.num").first.inner_text())


@pytest.fixture()
def clocked_server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with running_portal(db_url, tmp_path, ACCOUNTS, BEFORE) as server:
        yield server


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_objection_is_accepted_corrected_and_answered_by_the_publication(
        browser: Any, clocked_server: LiveServer, tmp_path: Path) -> None:
    server = clocked_server
    receipt = tmp_path / "数据报送回执.png"
    receipt.write_bytes(image_bytes("PNG", (240, 160)))
    province, office = Person(browser, server, ARTIFACTS), Person(browser, server, ARTIFACTS)

    province.sign_in("sh")
    province.upload_and_submit(sample("310000"))

    office.sign_in("central")
    office.upload_records(SAMPLES / "central-2022.xlsx")
    office.accept("310000")

    # the first run is fed back instead of published, with the default deadline
    first = _run_scoring(office)
    before = _total(office)
    assert office.page.input_value("#deadline") == "2023-01-17"
    office.page.click("button:has-text('反馈征求意见（不发布）')")
    office.page.wait_for_url("**/objections")
    assert "异议截止 2023年1月17日" in office.text()
    office.shot("01-fed-back")

    # 上海 sees its preliminary result and objects to indicator C2 with a file
    province.go("/")
    province.page.click("text=反馈征求意见与异议")
    province.page.wait_for_url("**/feedback")
    assert "总分（初步）" in province.text() and "征求意见稿" in province.text()
    province.page.select_option("#subject", label="指标 C2 数据完整性")
    province.page.fill("#reason", REASON)
    province.page.set_input_files("#file", str(receipt))
    province.page.click("button:has-text('提出异议')")
    province.page.wait_for_url("**/feedback")
    assert REASON in province.text() and "待答复" in province.text() and "数据报送回执.png" in province.text()
    province.shot("02-objection-lodged")

    # the deadline passes; the central office accepts it with a record correction
    server.set_clock(AFTER)
    office.sign_in("central")
    office.go(first.removeprefix(server.base) + "/objections")
    assert "异议期已截止" in office.text() and REASON in office.text()
    office.page.check("input[name=decision][value=accept]")
    office.page.select_option("select[name=correction]", "record")
    office.page.fill("textarea[name=text]", ANSWER)
    office.shot("03-answering")
    office.page.click("button:has-text('提交答复')")
    office.page.wait_for_url("**/objections*")
    assert "采纳" in office.text() and ANSWER in office.text()
    office.go("/central/records/310000")
    office.page.fill("#item-data_blank_fields", "0")
    office.page.click("button:has-text('校验并保存')")
    office.page.wait_for_url("**/central/records*")

    # a new run takes the correction; publishing it lists the answered objection
    second = _run_scoring(office)
    assert second != first and _total(office) != before
    assert "异议及答复" in office.text()  # an input of the run, in its manifest
    office.page.click("a.button:has-text('发布本次结果')")
    office.page.wait_for_url(f"{second}/publish")
    office.page.click("button:has-text('确认发布')")
    office.page.wait_for_url(second)
    assert "已发布" in office.text() and "本次发布答复的异议" in office.text() and ANSWER in office.text()
    office.shot("04-published")

    province.sign_in("sh")
    province.go("/feedback")
    assert ANSWER in province.text() and "采纳" in province.text()
    province.shot("05-answer-seen")

    auditor = Person(browser, server, ARTIFACTS)
    auditor.sign_in("auditor")
    auditor.go(second.removeprefix(server.base))
    auditor.page.click("button:has-text('复核')")
    auditor.page.wait_for_load_state()
    assert "一致" in auditor.text() and "不一致" not in auditor.text()
    auditor.shot("06-verified")
    assert province.errors + office.errors + auditor.errors == []  # nothing blocked by the CSP
