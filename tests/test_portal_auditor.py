"""The auditors' pages: the year's configuration with its audit report and the comparison with the
previous year, and the audit log filtered and exported — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from portal_fixtures import CONFIRM, Client, Clock, sample, version_id

from scoring.indicators.report import build_report
from scoring.indicators.rules import RULE_KIND_LABELS
from scoring.indicators.store import load_located


def test_config_page_report_diff_and_file(portal_app) -> None:
    auditor = Client(portal_app, "auditor")
    expected = build_report(load_located("2022"), load_located("2020"))
    page = auditor.get("/audit/config/2022").text
    assert expected.config_sha256 in page and "审计结论" in page and "通过" in page
    assert all(s.name in page for s in expected.sections)
    report = auditor.get("/audit/config/2022/report")
    assert report.status_code == 200 and "<script" not in report.text
    assert "指标配置审计" in report.text and expected.config_sha256 in report.text
    csp = report.headers["content-security-policy"]
    assert "style-src 'unsafe-inline'" in csp and "script" not in csp and "default-src 'none'" in csp
    diff = auditor.get("/audit/config/2022/diff").text
    assert expected.diff is not None and "与 2020 年度比较" in diff
    assert all(i.name in diff for i in expected.diff.added)
    kinds = {i.kind for i in expected.diff.added} | {i.new_kind for i in expected.diff.rule_changed}
    assert kinds  # named as the config page names them, not by their YAML code
    assert all(f"<td>{RULE_KIND_LABELS[k]}</td>" in diff and f"<td>{k}</td>" not in diff for k in kinds)
    assert auditor.get("/audit/config/2022/yaml").content == load_located("2022").file.read_bytes()
    assert auditor.get("/audit/config/2020/diff").status_code == 404  # no earlier year to compare with
    assert auditor.get("/audit/config/2031").status_code == 404
    assert auditor.get("/audit/config/x").status_code == 404


def _csv(response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_audit_log_filters_and_csv(portal_app, clock: Clock) -> None:
    sh = Client(portal_app, "sh")
    version = version_id(sh.upload(sample("310000")))
    assert sh.post(f"/versions/{version}/submit", CONFIRM).status_code == 303
    clock.moment = datetime(2023, 1, 12, 3, 0, tzinfo=UTC)
    office = Client(portal_app, "central")
    reason = "=HYPERLINK(\"http://example.invalid\")：请核实"
    assert office.post("/central/units/310000/return", {"reason": reason}).status_code == 303
    Client(portal_app, "bj").upload(sample("110000"))
    auditor = Client(portal_app, "auditor")
    everything = auditor.get("/audit/log").text
    assert "上传" in everything and "退回" in everything and "登录" in everything
    shanghai = _csv(auditor.get("/audit/log.csv?unit=310000"))
    assert shanghai[0][:3] == ["编号", "时间（北京时间）", "账号"]
    assert {row[5] for row in shanghai[1:]} >= {"upload", "submit", "return", "sign-in"}
    assert all(row[4] == "310000" or "unit:310000" in row[7] for row in shanghai[1:])
    returned = next(row for row in shanghai[1:] if row[5] == "return")
    assert returned[2] == "central" and returned[9] == f"已退回：{reason}"
    by_user = _csv(auditor.get("/audit/log.csv?user=bj"))
    assert {row[2] for row in by_user[1:]} == {"bj"}
    assert {row[5] for row in by_user[1:]} == {"sign-in", "upload"}
    uploads = _csv(auditor.get("/audit/log.csv?action=upload"))
    assert sorted(row[4] for row in uploads[1:]) == ["110000", "310000"]
    on_the_12th = _csv(auditor.get("/audit/log.csv?since=2023-01-12&until=2023-01-12"))
    assert {row[5] for row in on_the_12th[1:]} == {"sign-in", "return", "upload"}
    assert all(row[1].startswith("2023-01-12") for row in on_the_12th[1:])
    before = _csv(auditor.get("/audit/log.csv?until=2023-01-11"))
    assert {row[5] for row in before[1:]} == {"sign-in", "upload", "submit"}
    page = auditor.get("/audit/log?unit=310000&action=return").text
    assert page.count("<tr>") == 2 and "请核实" in page
    assert "导出为 CSV" in page and "/audit/log.csv?unit=310000&amp;action=return" in page
    assert len(_csv(auditor.get("/audit/log.csv?unit=abc"))) == 1  # an unknown unit matches no row


def test_csv_cells_never_start_a_formula() -> None:
    from scoring.portal.auditor.audit_trail import csv_bytes
    from scoring.portal.store.models import AuditEntry

    entry = AuditEntry(id=1, at=datetime(2023, 1, 1, tzinfo=UTC), account_name="x", role="central",
                       unit_code=None, action="return", object="@unit", before="+1", after="=1+1", client="")
    row = _csv_text(csv_bytes([entry]))[1]
    assert row[7:10] == ["'@unit", "'+1", "'=1+1"]


def _csv_text(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
