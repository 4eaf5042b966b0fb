"""The central office's dashboard and review: accept, return, reopen, 审核调整 and central records,
on SQLite and PostgreSQL. Every decision is a row and an audit entry; the checks are the engine's."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from portal_fixtures import (
    CONFIRM,
    SAMPLES,
    TASK_ADJUSTED,
    Client,
    Clock,
    central_workbook_upload,
    invalid,
    sample,
    version_id,
)
from sqlalchemy import select
from workbooks import filled_submission

from scoring.pipeline import load_year_files
from scoring.portal.settings import china_date
from scoring.portal.store.models import AuditEntry, CentralRecord, Publication, TaskReview, Version
from scoring.scores.adjustments import read_adjustments
from scoring.workbook.filling import Filling, fill
from scoring.workbook.validate import validate_bytes, validate_submission
from scoring.workbook.years import load_year_config

UNIT_LINK = re.compile(r'href="/central/units/(\d{6})"')
AFTER_DEADLINE = datetime(2023, 1, 20, 2, 0, tzinfo=UTC)


def _rows(app, model):
    with app.state.portal.db.transaction(writes=False) as db:
        return list(db.scalars(select(model).order_by(model.id)))


def _row_of(page: str, code: str) -> str:
    """The dashboard's table row of one unit."""
    start = page.index(f'href="/central/units/{code}"')
    return page[start:page.index("</tr>", start)]


def _units_listed(page: str) -> list[str]:
    return sorted(set(UNIT_LINK.findall(page)))


def _submit(client: Client, path: Path) -> int:
    version = version_id(client.upload(path))
    assert client.post(f"/versions/{version}/submit", CONFIRM).status_code == 303
    return version


def test_dashboard_shows_every_unit_with_counts_filters_and_lateness(portal_app, clock: Clock) -> None:
    _submit(Client(portal_app, "sh"), sample("310000"))
    version_id(Client(portal_app, "bj").upload(invalid("value-missing")))
    office = Client(portal_app, "central")
    page = office.get("/central").text
    assert len(_units_listed(page)) == 32
    assert re.search(r"已提交 <strong>1</strong>", page) and re.search(r"草稿 <strong>1</strong>", page)
    assert re.search(r"未开始 <strong>30</strong>", page) and "逾期" not in page.split("<tbody>")[1]
    assert "个错误" in _row_of(page, "110000")
    assert _units_listed(office.get("/central?state=submitted").text) == ["310000"]
    east = _units_listed(office.get("/central?region=东部").text)
    assert "310000" in east and "510000" not in east and len(east) == 10
    assert _units_listed(office.get("/central?state=draft&region=东部").text) == ["110000"]
    clock.moment = AFTER_DEADLINE
    office.login("central")
    office.refresh()
    late = office.get("/central").text
    assert "31 个单位逾期" in late and late.count("逾期未交") == 31
    assert "逾期" not in _row_of(late, "310000") and "逾期未交" in _row_of(late, "110000")


def test_a_step_the_workflow_refuses_is_a_409_page_with_its_reason(portal_app) -> None:
    version = version_id(Client(portal_app, "sh").upload(sample("310000")))  # a draft, not submitted
    office = Client(portal_app, "central")
    refused = office.post("/central/units/310000/accept", {"version_id": str(version)})
    assert refused.status_code == 409
    assert "只能接受已提交的报送（上海市当前状态：草稿）" in refused.text and "<html" in refused.text
    assert office.post("/central/units/310000/reopen", {"reason": "延期"}).status_code == 409
    assert [e.action for e in _rows(portal_app, AuditEntry) if e.action in ("accept", "reopen")] == []


def test_return_resubmit_and_accept(portal_app) -> None:
    sh, office = Client(portal_app, "sh"), Client(portal_app, "central")
    first = _submit(sh, sample("310000"))
    assert office.post("/central/units/310000/return", {"reason": ""}).status_code == 400
    returned = {"reason": "办结数与立案数不符，请核实"}
    assert office.post("/central/units/310000/return", returned).status_code == 303
    home = sh.get("/").text
    assert "已退回" in home and "办结数与立案数不符，请核实" in home
    assert office.post("/central/units/310000/accept", {"version_id": str(first)}).status_code == 409
    second = _submit(sh, sample("310000"))
    assert office.post("/central/units/310000/accept", {"version_id": str(first)}).status_code == 409  # stale
    assert office.post("/central/units/310000/accept", {"version_id": str(second)}).status_code == 303
    assert "已接受" in sh.get("/").text and "已接受" in office.get("/central/units/310000").text
    assert office.post("/central/units/310000/accept", {"version_id": str(second)}).status_code == 409
    assert office.post("/central/units/120000/accept", {"version_id": "1"}).status_code == 409
    assert office.get("/central/units/999999").status_code == 404
    audit = [(a.action, a.object, a.account_name) for a in _rows(portal_app, AuditEntry)]
    assert ("return", "unit:310000", "central") in audit and ("accept", "unit:310000", "central") in audit


def test_reopen_after_the_deadline_lets_a_unit_submit_late(portal_app, clock: Clock) -> None:
    office = Client(portal_app, "central")
    assert office.post("/central/units/110000/reopen", {"reason": "系统故障"}).status_code == 409
    clock.moment = AFTER_DEADLINE
    bj = Client(portal_app, "bj")
    office.login("central")
    office.refresh()
    refused = bj.upload(sample("110000"))
    assert refused.status_code == 409 and "已过报送截止日期" in refused.text
    past = {"reason": "系统故障", "until": "2023-01-19"}
    assert office.post("/central/units/110000/reopen", past).status_code == 400
    assert office.post("/central/units/110000/reopen",
                       {"reason": "北京市报送系统故障，延期三天", "until": "2023-01-23"}).status_code == 303
    _submit(bj, sample("110000"))
    assert "逾期提交" in _row_of(office.get("/central").text, "110000")
    reopen = next(a for a in _rows(portal_app, AuditEntry) if a.action == "reopen")
    assert reopen.object == "unit:110000" and "北京市报送系统故障" in (reopen.after or "")


def test_task_review_lowers_restores_and_exports_the_adjustments_file(portal_app) -> None:
    sh, office = Client(portal_app, "sh"), Client(portal_app, "central")
    version = _submit(sh, sample("310000"))
    page = office.get("/central/units/310000?tasks=all").text
    assert "任务落实情况审核" in page and "2022-1.1.3" in page

    def review(**form: str) -> int:
        return int(office.post("/central/units/310000/review", form).status_code)

    assert review(task="2022-1.1.3", action="adjust", status="部分完成", reason="佐证材料只有通知") == 303
    assert review(task="2022-1.1.2", action="adjust", status="已完成", reason="不能调高") == 409
    assert review(task="2022-1.1.2", action="adjust", status="未开展", reason="") == 400
    assert review(task="2022-9.9.9", action="adjust", status="未开展", reason="没有这项") == 409
    assert review(task="2022-1.1.2", action="restore", reason="没有调整可恢复") == 409
    assert review(task="2022-1.1.4", action="adjust", status="未开展", reason="未见任何落实材料") == 303
    assert review(task="2022-1.1.4", action="restore", reason="补充材料后核实已落实") == 303
    assert "佐证材料只有通知" in office.get("/central/units/310000").text
    # exported only for accepted units: none yet
    assert "adjustments: []" in office.get("/central/adjustments.yaml").text
    assert office.post("/central/units/310000/accept", {"version_id": str(version)}).status_code == 303
    exported = office.get("/central/adjustments.yaml")
    records = read_adjustments(exported.content, Path("adjustments-2022.yaml")).records
    assert [(a.unit, a.task, a.status.value, a.reason) for a in records.adjustments] == [
        ("310000", "2022-1.1.3", "部分完成", "佐证材料只有通知"),
        ("310000", "2022-1.1.4", "已完成", "补充材料后核实已落实")]
    assert all(a.reviewer == "central" for a in records.adjustments)
    reviews = _rows(portal_app, TaskReview)
    assert [(r.task_id, r.action, r.seq) for r in reviews] == [
        ("2022-1.1.3", "adjust", 1), ("2022-1.1.4", "adjust", 1), ("2022-1.1.4", "restore", 2)]
    actions = [(a.action, a.object) for a in _rows(portal_app, AuditEntry) if a.action.startswith("task-")]
    assert actions == [("task-adjust", "unit:310000/task:2022-1.1.3"),
                       ("task-adjust", "unit:310000/task:2022-1.1.4"),
                       ("task-restore", "unit:310000/task:2022-1.1.4")]
    # a returned and resubmitted workbook is reviewed afresh: the old adjustments no longer apply
    assert office.post("/central/units/310000/return", {"reason": "请补充佐证"}).status_code == 303
    newer = _submit(sh, sample("310000"))
    assert office.post("/central/units/310000/accept", {"version_id": str(newer)}).status_code == 303
    assert "adjustments: []" in office.get("/central/adjustments.yaml").text


RECORD = {"data_blank_fields": "0", "data_errors": "1", "info_reports_sent": "40",
          "info_reports_adopted": "9",
          "linkage_entry_rate": "96.5", "national_typical_cases": "1", "notified_count": "1",
          "notified_fixed": "0", "interviewed_count": "0", "interviewed_fixed": "0", "supervised_count": "0",
          "supervised_fixed": "0", "major_incident": "否", "data_falsified": "否"}


def _form(**changes: str) -> dict[str, str]:
    return {f"item-{k}": v for k, v in {**RECORD, **changes}.items()}


def test_central_records_form_is_checked_like_the_central_workbook(portal_app) -> None:
    sh, office = Client(portal_app, "sh"), Client(portal_app, "central")
    _submit(sh, sample("310000"))
    assert "报送日期" in office.get("/central/records/310000").text
    bad = office.post("/central/records/310000", _form(info_reports_sent="四十篇", notified_count="1000"))
    assert bad.status_code == 400 and "未保存" in bad.text
    assert "“四十篇”不是数字" in bad.text and "1000" in bad.text
    assert _rows(portal_app, CentralRecord) == []
    saved = office.post("/central/records/310000", _form(submission_date="2022-12-01"))
    assert saved.status_code == 303
    [record] = _rows(portal_app, CentralRecord)
    assert record.number == 1 and record.source == "form" and record.unit_code == "310000"
    assert '"notified_count": 1' in record.values and "2022-12-01" not in record.values
    log = next(a for a in _rows(portal_app, AuditEntry) if a.action == "central-form")
    assert log.object == "unit:310000" and "被通报次数 1" in (log.after or "")
    # the workbook a run reads: the typed values, and 上海's submit date from the portal
    workbook = office.get("/central/records/workbook").content
    loader = load_year_files(2022).loader()
    checked = validate_bytes(workbook, "central-2022.xlsx", loader, expected_year=2022)
    row = checked.central["310000"]
    assert row["notified_count"].value == 1
    assert row["submission_date"].value == datetime(2023, 1, 10).date()
    assert "门户提交" in office.get("/central/records").text


def test_central_workbook_upload_whole_or_not_at_all(portal_app, tmp_path: Path) -> None:
    office = Client(portal_app, "central")
    province = central_workbook_upload(office, sample("310000"))
    assert province.status_code == 400 and "不是全国办中央记录工作簿" in province.text
    book = load_workbook(SAMPLES / "central-2022.xlsx")
    sheet = book.worksheets[0]
    sheet["J5"] = "两次"
    broken = tmp_path / "central-broken.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    broken.write_bytes(buffer.getvalue())
    refused = central_workbook_upload(office, broken)
    assert refused.status_code == 400 and "J5" in refused.text and "现行记录没有改变" in refused.text
    assert _rows(portal_app, CentralRecord) == []
    assert central_workbook_upload(office).status_code == 303
    [record] = _rows(portal_app, CentralRecord)
    assert record.source == "workbook" and record.file_name == "central-2022.xlsx" and record.blob_sha256
    page = office.get("/central/records").text
    assert "第 1 版" in page and "记录不完整" not in page
    upload = next(a for a in _rows(portal_app, AuditEntry) if a.action == "central-upload")
    assert "32 个单位" in (upload.after or "")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_unit_page_shows_versions_findings_and_decisions(portal_app) -> None:
    bj, office = Client(portal_app, "bj"), Client(portal_app, "central")
    bad = version_id(bj.upload(invalid("value-missing")))
    page = office.get("/central/units/110000").text
    assert "第 1 版" in page and "尚未提交" in page
    findings = office.get(f"/central/versions/{bad}").text
    assert "问题列表" in findings and "value-missing" in findings
    assert office.get(f"/central/versions/{bad}/file").content == invalid("value-missing").read_bytes()
    assert office.get("/central/versions/99999").status_code == 404


def test_another_units_workbook_is_an_error_and_cannot_be_submitted(portal_app) -> None:
    bj = Client(portal_app, "bj")
    version = version_id(bj.upload(sample("310000")))  # 北京's account, 上海's workbook
    page = bj.get(f"/versions/{version}").text
    assert "upload-unit-mismatch" in page or "本账号属于北京市" in page
    assert "北京市" in page and "上海市的报送" in page
    refused = bj.post(f"/versions/{version}/submit", CONFIRM)
    assert refused.status_code == 409 and "不能提交" in refused.text
    office = Client(portal_app, "central")
    assert _units_listed(office.get("/central?state=submitted").text) == []
    own = version_id(bj.upload(sample("110000")))  # its own workbook still goes through
    assert bj.post(f"/versions/{own}/submit", CONFIRM).status_code == 303


def test_findings_list_errors_first_without_codes_and_name_deleted_rows(portal_app) -> None:
    bj = Client(portal_app, "bj")
    for name in ("row-deleted", "cross-check"):
        page = bj.get(bj.upload(invalid(name)).headers["location"]).text
        assert "<code>" not in page and "处理办法" in page
        if "错误（必须修改）" in page and "警告（请核对）" in page:
            assert page.index("错误（必须修改）") < page.index("警告（请核对）")
    deleted = validate_submission(invalid("row-deleted"), load_year_config, expected_year=2022)
    missing = next(f for f in deleted.findings if f.code == "row-missing")
    office = Client(portal_app, "central")
    version = _rows(portal_app, Version)[0]
    shown = office.get(f"/central/versions/{version.id}").text
    items = load_year_files(2022).config.source.province_items()
    name = next(i.name for i in items if i.code == missing.value)
    assert f"“{name}”" in shown and f"“{missing.value}”" not in shown
    assert "恢复模板中的该行" in shown


def test_one_task_across_units_adjusted_in_place_returns_to_the_row(portal_app) -> None:
    _submit(Client(portal_app, "sh"), sample("310000"))
    _submit(Client(portal_app, "bj"), sample("110000"))
    office = Client(portal_app, "central")
    page = office.get("/central/tasks/2022-1.1.3").text
    assert 'id="unit-310000"' in page and 'id="unit-110000"' in page and "上海市" in page
    assert "尚未提交的 30 个单位" in page
    assert 'href="/central/tasks/2022-1.1.3"' in office.get("/central/units/310000?tasks=all").text
    moved = office.post("/central/units/110000/review", {"task": "2022-1.1.3", "action": "adjust",
                                                         "status": "部分完成", "reason": "只见通知，未见落实",
                                                         "back": "task"})
    assert moved.status_code == 303
    assert moved.headers["location"] == "/central/tasks/2022-1.1.3?done=110000#unit-110000"
    back = office.get(moved.headers["location"]).text
    assert "已保存北京市的审核调整" in back and "只见通知，未见落实" in back
    adjusted = office.get("/central/tasks/2022-1.1.3?show=adjusted").text
    assert 'id="unit-110000"' in adjusted and 'id="unit-310000"' not in adjusted
    reviews = _rows(portal_app, TaskReview)
    assert [(r.unit_code, r.task_id, r.status) for r in reviews] == [("110000", "2022-1.1.3", "部分完成")]
    assert office.get("/central/tasks/2022-9.9.9").status_code == 404
    assert "开始更正评分" not in back + office.get("/central/units/110000").text  # nothing published yet
    assert Client(portal_app, "sh").get("/central/tasks/2022-1.1.3").status_code == 403


def test_auditor_filters_the_log_by_unit_name_and_says_when_nothing_matches(portal_app) -> None:
    _submit(Client(portal_app, "sh"), sample("310000"))
    _submit(Client(portal_app, "bj"), sample("110000"))
    auditor = Client(portal_app, "auditor")
    by_name = auditor.get("/audit/log?unit=上海").text
    by_code = auditor.get("/audit/log?unit=310000").text
    assert "310000" in by_name and "110000" not in by_name.split("<tbody>")[1]
    assert by_name.split("<tbody>")[1] == by_code.split("<tbody>")[1]
    nothing = auditor.get("/audit/log?unit=火星").text
    assert "没有名称或代码为“火星”的单位" in nothing and "310000" not in nothing.split("<tbody>")[1]


def test_after_publication_review_actions_say_so_and_lead_to_a_correction_run(year_app) -> None:
    publication = _rows(year_app, Publication)[-1]
    day = china_date(publication.at)
    published = f"2022 年度结果已于{day.year}年{day.month}月{day.day}日发布；此处的改动不改变已发布的结果"
    office = Client(year_app, "central")
    for path in ("/central/units/310000", "/central/units/110000", f"/central/tasks/{TASK_ADJUSTED}"):
        page = office.get(path).text
        assert published in page and "须重新评分（更正评分）并发布更正的结果" in page, path
        assert '<a href="/runs">开始更正评分</a>' in page, path
    unit = office.get("/central/units/310000").text
    assert unit.count(published) == 2  # beside 退回 and beside 审核调整
    assert "退回</button>" in unit  # still allowed: a correction starts here
    assert office.post("/central/units/310000/return", {"reason": "补充佐证材料"}).status_code == 303
    returned = [a for a in _rows(year_app, AuditEntry) if a.action == "return"][-1]
    assert returned.after == "已退回：补充佐证材料（本年度结果已发布，此改动在更正评分中生效）"
    assert "本年度已发布第 1 次评分的结果" in office.get("/runs").text  # where the link leads


def test_the_unit_page_shows_the_submitted_figures_with_their_bounds_and_flags(portal_app) -> None:
    # 北京 submits a workbook whose case count is about five times what its size makes plausible
    _submit(Client(portal_app, "bj"), invalid("implausible"))
    office = Client(portal_app, "central")
    page = office.get("/central/units/110000").text
    expected = validate_submission(invalid("implausible"), load_year_config, expected_year=2022)
    warning = next(f for f in expected.findings if f.code == "value-implausible")
    section = page[page.index('id="figures"'):page.index("</section>", page.index('id="figures"'))]
    assert "报送数据（第 1 版）" in section and "有 1 项数据有提示" in section
    rows = re.findall(r"<tr( class=\"flagged\")?>(.*?)</tr>", section, re.S)
    config = load_year_config(2022)
    assert config is not None
    reported = [i for i in config.indicator_set.items if i.source.value == "province"]
    assert len(rows) == len(reported) + 1  # the header row, then one row per figure the province reports
    flagged = [body for mark, body in rows if mark]
    assert len(flagged) == 1 and warning.message in flagged[0]
    assert f"{warning.sheet}” {warning.cell}" in flagged[0]
    value = expected.values[next(i.code for i in reported if i.name in flagged[0])].value
    assert f'<td class="num">{int(value) if float(value).is_integer() else value}</td>' in flagged[0]
    # the page puts the decision before the figures, and the figures before the 71 task rows
    assert page.index("<h2>审核</h2>") < page.index('id="figures"') < page.index("任务落实情况审核")


NO_EVIDENCE, LOWERED, UNCHANGED = "2022-1.1.3", "2022-1.1.4", "2022-1.1.2"
TASK_ROW = re.compile(r'<tr id="task-([^"]+)"')
VIEW_LINK = re.compile(r'<a href="/central/units/310000\?tasks=(\w+)#tasks"'
                       r'( class="current" aria-current="page")?>[^<]*<strong>(\d+)</strong>')


def _second_version(wb) -> None:
    """上海's second upload: one task declared done with no evidence, one lowered to 部分完成."""
    fill(wb, Filling(tasks={NO_EVIDENCE: ("已完成", "开展专项行动", None),
                            LOWERED: ("部分完成", "开展专项行动", "会议纪要")}))


def _views(page: str) -> tuple[dict[str, int], list[str]]:
    """The filter links' counts, and which of them is the current one."""
    found = VIEW_LINK.findall(page)
    return {key: int(n) for key, _, n in found}, [key for key, current, _ in found if current]


def _submitted_twice(portal_app, tmp_path: Path) -> Client:
    sh = Client(portal_app, "sh")
    version_id(sh.upload(filled_submission(tmp_path / "first.xlsx", unit="310000")))
    _submit(sh, filled_submission(tmp_path / "second.xlsx", unit="310000", change=_second_version))
    return Client(portal_app, "central")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_unit_page_shows_what_needs_attention_first_and_what_changed_since_the_last_version(
        portal_app, tmp_path: Path) -> None:
    office = _submitted_twice(portal_app, tmp_path)
    page = office.get("/central/units/310000").text
    tasks = len(load_year_files(2022).config.source.assessed_tasks())
    assert _views(page) == ({"attention": 2, "changed": 2, "all": tasks}, ["attention"])
    assert '<nav aria-label="按落实情况筛选任务"' in page
    assert "需关注（声明完成但无佐证材料、部分完成、未开展、未填）" in page
    assert TASK_ROW.findall(page) == [NO_EVIDENCE, LOWERED]  # the problem group first
    at = [page.index(text) for text in ("声明已完成但无佐证材料（1 项）", NO_EVIDENCE, "部分完成（1 项）")]
    assert at == sorted(at)
    changed = office.get("/central/units/310000?tasks=changed").text
    assert _views(changed)[1] == ["changed"] and "与第 1 版相比" in changed
    assert sorted(TASK_ROW.findall(changed)) == [NO_EVIDENCE, LOWERED]
    row = changed[changed.index(f'id="task-{LOWERED}"'):]
    assert "落实情况（原为已完成）、佐证材料有改动" in row[:row.index("</tr>")]
    everything = office.get("/central/units/310000?tasks=all").text
    assert len(TASK_ROW.findall(everything)) == tasks and UNCHANGED in TASK_ROW.findall(everything)
    assert everything.index("声明已完成但无佐证材料") < everything.index("已完成（有佐证材料）")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_adjustment_returns_to_the_view_and_row_it_was_made_from(portal_app, tmp_path: Path) -> None:
    office = _submitted_twice(portal_app, tmp_path)
    page = office.get("/central/units/310000?tasks=changed").text
    assert 'name="tasks" value="changed"' in page  # the forms carry the view back
    moved = office.post("/central/units/310000/review", {
        "task": LOWERED, "action": "adjust", "status": "未开展", "reason": "会议纪要不能证明落实",
        "back": "unit", "tasks": "changed"})
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/central/units/310000?tasks=changed&done={LOWERED}#task-{LOWERED}"
    back = office.get(moved.headers["location"]).text
    assert _views(back)[1] == ["changed"]
    assert f'已保存任务 <a href="#task-{LOWERED}">{LOWERED}</a> 的审核调整' in back
    row = back[back.index(f'id="task-{LOWERED}"'):]
    assert "会议纪要不能证明落实" in row[:row.index("</tr>")]
    restored = office.post("/central/units/310000/review", {  # an unknown view returns to the default
        "task": LOWERED, "action": "restore", "reason": "补充材料后核实", "back": "unit",
        "tasks": "nonsense"})
    location = restored.headers["location"]
    assert location == f"/central/units/310000?tasks=attention&done={LOWERED}#task-{LOWERED}"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_unknown_view_falls_back_to_what_needs_attention(portal_app, tmp_path: Path) -> None:
    office = _submitted_twice(portal_app, tmp_path)
    default = office.get("/central/units/310000").text
    for odd in ("%3Cscript%3Ealert(1)%3C/script%3E", "ALL", "", "changed%20"):
        page = office.get(f"/central/units/310000?tasks={odd}&done=%3Cb%3E")
        assert page.status_code == 200 and _views(page.text)[1] == ["attention"]
        assert TASK_ROW.findall(page.text) == TASK_ROW.findall(default)
        assert "script" not in page.text.split("<main", 1)[1].lower() and "&lt;b&gt;" not in page.text
        assert "已保存任务" not in page.text
