"""The audit log exported as .xlsx: the CSV's rows and filters, no cell ever a formula (as openpyxl
and LibreOffice read it), Chinese intact, and the same bytes for the same rows — on SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from portal_fixtures import CONFIRM, Client, sample, version_id

from scoring.portal.auditor.audit_trail import CSV_HEADER
from scoring.portal.store.audit import Actor, record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the hostile texts of issue 20, and a spreadsheet error value openpyxl would store as an error
HOSTILE = ['=HYPERLINK("http://203.0.113.9/","点此")', "+1+1", "-2+3", "@SUM(1,1)", "\t=1+1", "#N/A"]


def _soffice(tmp_path: Path, source: Path, target: str, folder: str) -> Path:
    """Convert a file with LibreOffice into ``tmp_path/folder`` and return the converted file."""
    out = tmp_path / folder
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", target, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    converted = list(out.iterdir())
    assert len(converted) == 1, converted
    return converted[0]


def _cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _plant_hostile(portal_app) -> None:
    with portal_app.state.portal.db.transaction() as db:
        for text in HOSTILE:
            actor = Actor(None, text, role=text[:16], unit_code="310000")
            record(db, datetime(2023, 1, 9, tzinfo=UTC), actor, text[:32], obj=text, before=text, after=text,
                   client=text[:64])


def test_hostile_texts_stay_text_in_openpyxl_and_libreoffice(portal_app, tmp_path: Path) -> None:
    _plant_hostile(portal_app)
    response = Client(portal_app, "auditor").get("/audit/log.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    source = tmp_path / "log.xlsx"
    source.write_bytes(response.content)
    cells = _cells(source)
    assert not [c.coordinate for c in cells if c.data_type not in ("s", "n", "d")]
    sheet = openpyxl.load_workbook(source).active
    assert sheet is not None
    for text in HOSTILE:  # account, action code, object, before, after, client: exactly as written
        row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2] == text)
        assert row[5] == text[:32] and row[7:10] == (text, text, text) and row[10] == text
    assert sheet["A2"].quotePrefix is False  # a number is not marked
    assert all(c.quotePrefix for c in cells if str(c.value).startswith(("=", "+", "-", "@", "\t")))

    again = _cells(_soffice(tmp_path, source, "xlsx:Calc MS Excel 2007 XML", "round-trip"))
    assert not [c.coordinate for c in again if c.data_type in ("f", "e")]
    assert sum(c.value == HOSTILE[0] for c in again) == 5  # account, object, before, after, client
    assert {c.value for c in again} >= set(HOSTILE)

    as_csv = _soffice(tmp_path, source, "csv:Text - txt - csv (StarCalc):44,34,76", "csv")
    lines = list(csv.reader(io.StringIO(as_csv.read_text(encoding="utf-8"))))
    assert {text for line in lines for text in line} >= set(HOSTILE)  # literal, not a computed value
    assert not {"2", "1", "点此"} & {text for line in lines for text in line[2:]}


def test_control_characters_become_a_replacement_mark(portal_app) -> None:
    with portal_app.state.portal.db.transaction() as db:
        record(db, datetime(2023, 1, 9, tzinfo=UTC), Actor(None, "bell\x07", role="province"),
               "sign-in-failed", obj="a\x01b")
    response = Client(portal_app, "auditor").get("/audit/log.xlsx?action=sign-in-failed")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2] == "bell\ufffd")
    assert row[7] == "a\ufffdb"


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_shanghai_filter_gives_the_csv_rows_with_chinese_intact_in_libreoffice(portal_app,
                                                                                tmp_path: Path) -> None:
    sh = Client(portal_app, "sh")
    assert sh.post(f"/versions/{version_id(sh.upload(sample('310000')))}/submit", CONFIRM).status_code == 303
    Client(portal_app, "bj").upload(sample("110000"))
    with portal_app.state.portal.db.transaction() as db:
        record(db, datetime(2023, 1, 10, 2, 30, 15, 600000, tzinfo=UTC),
               Actor(None, "上海市知识产权局 张三", role="province", unit_code="310000"), "upload",
               obj="上海市 2022 年度报送表（修订）.xlsx", before="草稿", after="已上传：“第二版”")
    auditor = Client(portal_app, "auditor")
    expected = _csv_rows(auditor.get("/audit/log.csv?unit=上海"))
    assert len(expected) > 3 and all(r[4] == "310000" or "unit:310000" in r[7] for r in expected[1:])
    assert "110000" in {r[4] for r in _csv_rows(auditor.get("/audit/log.csv"))}  # 北京 has rows

    response = auditor.get("/audit/log.xlsx?unit=上海")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert 'filename="audit-log.xlsx"' in disposition
    assert "filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97.xlsx" in disposition
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None and sheet.title == "审计日志" and sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["B"].width >= 19 and sheet.column_dimensions["H"].width > 30
    rows = [[str(v) if isinstance(v, int) else v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime)
             else v or "" for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == expected and list(CSV_HEADER) == rows[0]
    assert "2023-01-10 10:30:15" in {r[1] for r in rows}  # Beijing time, to the second, as the CSV

    source = tmp_path / "上海.xlsx"
    source.write_bytes(response.content)
    converted = _soffice(tmp_path, source, "csv:Text - txt - csv (StarCalc):44,34,76", "csv")
    assert list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8")))) == expected
    assert "上海市 2022 年度报送表（修订）.xlsx" in converted.read_text(encoding="utf-8")


def test_two_downloads_are_the_same_bytes(portal_app, tmp_path: Path) -> None:
    _plant_hostile(portal_app)
    auditor = Client(portal_app, "auditor")
    first = auditor.get("/audit/log.xlsx?unit=310000").content
    second = auditor.get("/audit/log.xlsx?unit=310000").content
    assert first == second and first.startswith(b"PK")
    empty = auditor.get("/audit/log.xlsx?unit=abc")  # an unknown unit: the header row only
    sheet = openpyxl.load_workbook(io.BytesIO(empty.content)).active
    assert sheet is not None and sheet.max_row == 1


def test_the_log_page_links_the_xlsx_with_the_filters(portal_app) -> None:
    page = Client(portal_app, "auditor").get("/audit/log?unit=310000&action=return").text
    assert "导出 Excel（.xlsx）" in page and "/audit/log.xlsx?unit=310000&amp;action=return" in page
    assert "/audit/log.csv?unit=310000&amp;action=return" in page
