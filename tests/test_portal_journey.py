"""The provincial office's journey through the portal, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from portal_fixtures import CONFIRM, Client, Clock, invalid, sample, version_id
from sqlalchemy import select

from scoring.pipeline import load_year_files
from scoring.portal.store import Database
from scoring.portal.store.models import AuditEntry, Blob, UnitEvent, Version
from scoring.portal.store.submissions import UnitScope, submitted_on
from scoring.problems import kind
from scoring.workbook.template import build_template, workbook_bytes
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config


def _rows(app, model):
    with app.state.portal.db.transaction(writes=False) as db:
        return list(db.scalars(select(model).order_by(model.id if hasattr(model, "id") else model.sha256)))


def test_home_page_shows_year_deadline_status_and_next_step(portal_app) -> None:
    page = Client(portal_app, "sh").get("/").text
    assert "上海市" in page and "2022 年度" in page
    assert "2023年1月15日" in page and "未开始" in page
    assert "请下载本单位的报送模板" in page


def test_template_is_the_same_bytes_as_scoring_template(portal_app) -> None:
    response = Client(portal_app, "sh").get("/template")
    config = load_year_files(2022).config
    assert response.status_code == 200
    assert response.content == workbook_bytes(build_template(config.source, config.units["310000"]))
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="template-2022-310000.xlsx"; filename*=UTF-8\'\'')


def test_upload_with_errors_then_fixed_then_submit(portal_app, clock: Clock) -> None:
    bj = Client(portal_app, "bj")
    bad = version_id(bj.upload(invalid("value-missing")))
    page = bj.get(f"/versions/{bad}").text
    expected = validate_submission(invalid("value-missing"), load_year_config, expected_year=2022)
    error = next(f for f in expected.findings if f.code == "value-missing")
    assert error.cell and error.cell in page and error.message in page
    assert "“工作数据”" in page and "不能提交" in page
    assert page.index("错误") < page.index("警告") if "警告" in page else True
    assert bj.post(f"/versions/{bad}/submit", CONFIRM).status_code == 409
    home = bj.get("/").text
    assert "草稿" in home and "个错误，请修正后重新上传" in home

    good = version_id(bj.upload(sample("110000")))
    assert "提交第 2 版" in bj.get(f"/versions/{good}").text
    clock.moment = datetime(2023, 1, 14, 9, 30, tzinfo=UTC)
    bj.login("bj")  # the session of four days ago has expired
    link = f'<a class="button" href="/versions/{good}/submit">提交第 2 版</a>'
    assert link in bj.get(f"/versions/{good}").text
    unconfirmed = bj.post(f"/versions/{good}/submit")  # e.g. an old page's one-click form
    assert (unconfirmed.status_code, unconfirmed.headers["location"]) == (303, f"/versions/{good}/submit")
    confirm = bj.get(f"/versions/{good}/submit")
    assert confirm.status_code == 200
    for said in ("确认提交：2022 年度第 2 版", "110000-北京.xlsx", "没有错误", "除非全国双打办将其退回",
                 'name="confirm" value="1"', "确认提交</button>",
                 f'<a class="button secondary" href="/versions/{good}">返回</a>'):
        assert said in confirm.text, said
    assert bj.get(f"/versions/{bad}/submit").status_code == 409  # refused as the submit would be
    assert bj.post(f"/versions/{good}/submit", CONFIRM).status_code == 303  # not submitted before
    home = bj.get("/").text
    assert "已提交" in home and "2023年1月14日 17:30（北京时间）" in home  # Beijing time
    refused = bj.upload(sample("110000"))
    assert refused.status_code == 409 and "已提交" in refused.text
    assert bj.post(f"/versions/{good}/submit", CONFIRM).status_code == 409
    assert bj.get(f"/versions/{good}/submit").status_code == 409

    versions = _rows(portal_app, Version)
    assert [(v.number, v.errors > 0) for v in versions] == [(1, True), (2, False)]
    assert versions[1].file_name == "110000-北京.xlsx"
    assert versions[1].blob_sha256 == hashlib.sha256(sample("110000").read_bytes()).hexdigest()
    with portal_app.state.portal.db.transaction(writes=False) as db:
        assert submitted_on(db, 2022) == {"110000": clock.moment}
    events = _rows(portal_app, UnitEvent)
    assert [(e.action, e.version_id) for e in events] == [("submit", good)]
    assert events[0].at.replace(tzinfo=UTC) == clock.moment
    actions = [(a.action, a.account_name, a.before) for a in _rows(portal_app, AuditEntry)]
    assert ("upload", "bj", "未开始") in actions and ("submit", "bj", "草稿") in actions
    assert all(a.client for a in _rows(portal_app, AuditEntry))


def test_findings_are_grouped_by_sheet_with_errors_first(portal_app) -> None:
    bj = Client(portal_app, "bj")
    page = bj.get(f"/versions/{version_id(bj.upload(invalid('merged-cells')))}").text
    stored = json.loads(_rows(portal_app, Version)[0].submission)
    assert {f["code"] for f in stored["findings"]} >= {"merged-cells"}
    for group in page.split("<h3>")[1:]:
        severities = [s for s in ("sev-error", "sev-warning", "sev-info") if s in group]
        positions = [group.index(s) for s in severities]
        assert positions == sorted(positions)


def test_preview_is_by_section_and_marked_not_official(portal_app) -> None:
    bj = Client(portal_app, "bj")
    assert bj.post(f"/versions/{version_id(bj.upload(sample('110000')))}/submit", CONFIRM).status_code == 303
    sh = Client(portal_app, "sh")
    own = version_id(sh.upload(sample("310000")))
    page = sh.get(f"/versions/{own}/preview").text
    assert "预评分（非正式）" in page and "不是正式考核结果" in page
    assert "日常工作成效" in page and "其他 1 个单位" in page
    bad = version_id(sh.upload(invalid("value-missing")))  # 北京's workbook: also an error for 上海
    assert sh.get(f"/versions/{bad}/preview").status_code == 409


def _preview_table(client: Client, version: int) -> str:
    page = client.get(f"/versions/{version}/preview")
    assert page.status_code == 200
    return page.text[page.text.index('<table class="preview">'):page.text.index("</table>")]


def test_preview_never_uses_another_units_unsubmitted_uploads(portal_app) -> None:
    """Peers for relative indicators are what the central office would score today: other units'
    submitted or accepted versions, never a draft another province is still working on."""
    sh, bj = Client(portal_app, "sh"), Client(portal_app, "bj")
    own = version_id(sh.upload(sample("310000")))
    alone = _preview_table(sh, own)
    assert "其他 0 个单位" in sh.get(f"/versions/{own}/preview").text

    draft = version_id(bj.upload(sample("110000")))  # 北京 uploads and does not submit
    assert _preview_table(sh, own) == alone
    assert "其他 0 个单位" in sh.get(f"/versions/{own}/preview").text

    assert bj.post(f"/versions/{draft}/submit", CONFIRM).status_code == 303  # now it counts
    assert "其他 1 个单位" in sh.get(f"/versions/{own}/preview").text
    assert _preview_table(sh, own) != alone

    with portal_app.state.portal.db.transaction() as session:
        scope = UnitScope(session, 2022, "110000")
        scope.add_decision(scope.standing().last_seq, "return", datetime(2023, 1, 11, tzinfo=UTC), None,
                           reason="请核实")
    bj.upload(sample("110000"), name="修改中.xlsx")  # returned, a new draft: neither version counts
    assert _preview_table(sh, own) == alone
    assert "其他 0 个单位" in sh.get(f"/versions/{own}/preview").text


HOSTILE = ["zip-bomb", "xml-entity", "encrypted", "csv", "html", "truncated", "legacy", "many-entries",
           "empty"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_refused_with_the_validators_messages(portal_app, name: str) -> None:
    bj = Client(portal_app, "bj")
    response = bj.upload(invalid(name))
    page = bj.get(response.headers["location"]).text
    expected = validate_submission(invalid(name), load_year_config, expected_year=2022)
    assert expected.findings and not expected.valid
    for finding in expected.findings:
        assert finding.message in page and kind(finding.code).fix in page
    stored = json.loads(_rows(portal_app, Version)[0].submission)
    assert [(f["code"], f["message"]) for f in stored["findings"]] == \
        [(f.code, f.message) for f in expected.findings]


def test_after_the_deadline_uploads_are_refused_until_reopened(portal_app, clock: Clock) -> None:
    sh = Client(portal_app, "sh")
    first = version_id(sh.upload(sample("310000")))
    clock.moment = datetime(2023, 1, 15, 16, 30, tzinfo=UTC)  # 16 January 00:30 in Beijing
    sh.login("sh")
    refused = sh.upload(sample("310000"))
    assert refused.status_code == 409 and "已过报送截止日期（2023年1月15日）" in refused.text
    assert sh.post(f"/versions/{first}/submit", CONFIRM).status_code == 409
    assert "已过报送截止日期" in sh.get("/").text
    db = Database(portal_app.state.portal.settings.database_url)
    try:
        with db.transaction() as session:
            scope = UnitScope(session, 2022, "310000")
            scope.add_decision(scope.standing().last_seq, "reopen", clock.moment, None, reason="补报",
                               until=date(2023, 1, 20))
    finally:
        db.dispose()
    assert sh.upload(sample("310000")).status_code == 303
    assert sh.post(f"/versions/{first}/submit", CONFIRM).status_code == 303
    assert "已提交" in sh.get("/").text
    clock.moment += timedelta(days=10)
    sh.login("sh")
    assert sh.upload(sample("310000")).status_code == 409


def test_a_returned_submission_shows_the_reason_and_takes_a_new_version(portal_app, clock: Clock) -> None:
    sh = Client(portal_app, "sh")
    first = version_id(sh.upload(sample("310000")))
    assert sh.post(f"/versions/{first}/submit", CONFIRM).status_code == 303
    clock.moment = datetime(2023, 2, 1, tzinfo=UTC)  # after the deadline
    sh.login("sh")
    db = Database(portal_app.state.portal.settings.database_url)
    try:
        with db.transaction() as session:
            scope = UnitScope(session, 2022, "310000")
            scope.add_decision(scope.standing().last_seq, "return", clock.moment, None,
                               reason="行刑衔接数据与公安部统计不一致，请核实")
    finally:
        db.dispose()
    home = sh.get("/").text
    assert "已退回" in home and "行刑衔接数据与公安部统计不一致" in home
    with portal_app.state.portal.db.transaction(writes=False) as db:
        assert submitted_on(db, 2022) == {}  # returned: no submit date until it is submitted again
    second = version_id(sh.upload(sample("310000")))
    assert sh.post(f"/versions/{second}/submit", CONFIRM).status_code == 303
    assert "已提交" in sh.get("/").text


def test_the_same_bytes_are_stored_once(portal_app) -> None:
    sh = Client(portal_app, "sh")
    sh.upload(sample("310000"))
    sh.upload(sample("310000"), name="再传一次.xlsx")
    assert len(_rows(portal_app, Version)) == 2 and len(_rows(portal_app, Blob)) == 1


def test_no_open_year_is_explained(db_url: str) -> None:
    from portal_fixtures import seed

    from scoring.portal.app import create_app
    from scoring.portal.settings import PortalSettings

    seed(db_url, open_year=None)
    app = create_app(PortalSettings(database_url=db_url, validation_workers=0))
    try:
        sh = Client(app, "sh")
        assert "当前没有开放的考核年度" in sh.get("/").text
        assert sh.get("/template").status_code == 409
        assert sh.upload(sample("310000")).status_code == 409
    finally:
        app.state.portal.db.dispose()
