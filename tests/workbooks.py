"""Builders for workbook tests: small valid workbooks and every kind of broken or hostile file."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from openpyxl import Workbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def small_xlsx(path: Path) -> Path:
    """A plain two-sheet workbook with a formula and a merged range."""
    wb = Workbook()
    ws = wb.active
    ws.title = "工作数据"
    ws["A1"], ws["B1"], ws["D1"] = "代码", "名称", "数值"
    for row in range(2, 12):
        ws.cell(row, 1, f"item_{row}")
        ws.cell(row, 4, row * 10)
    ws["D12"] = "=SUM(D2:D11)"
    ws.merge_cells("F2:G3")
    wb.create_sheet("任务落实")["A1"] = "任务编号"
    wb.save(path)
    return path


def rezip(source: Path, target: Path, replace: dict[str, bytes] | None = None,
          extra: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, replacing or adding entries."""
    replace = replace or {}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return target


def legacy_xls(path: Path) -> Path:
    path.write_bytes(OLE_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 512)
    return path


def encrypted_xlsx(path: Path) -> Path:
    path.write_bytes(OLE_MAGIC + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
                     + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)
    return path


def csv_renamed(path: Path) -> Path:
    path.write_text("单位,立案数,结案数\n北京市,120,110\n天津市,80,76\n", encoding="utf-8")
    return path


def html_renamed(path: Path) -> Path:
    path.write_text("<html><head><meta charset='utf-8'></head><body><table><tr><td>北京</td></tr>"
                    "</table></body></html>", encoding="utf-8")
    return path


def truncated(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_bomb(source: Path, path: Path, megabytes: int = 40) -> Path:
    return rezip(source, path, extra={"xl/media/padding.xml": b"\x00" * (megabytes * 1024 * 1024)})


def many_entries(source: Path, path: Path, count: int = 400) -> Path:
    return rezip(source, path, extra={f"xl/media/image{i}.png": b"x" for i in range(count)})


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol2;</t></si></sst>"""


def entity_attack(source: Path, path: Path) -> Path:
    """The first sheet's XML with a DTD declaring nested entities (billion laughs)."""
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    declaration = BILLION_LAUGHS.split(b"\n")[1]
    body = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    row = b'<row r="99"><c r="A99" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
    attacked = b'<?xml version="1.0"?>\n' + declaration + b"\n" + body.replace(
        b"<sheetData>", b"<sheetData>" + row, 1)
    return rezip(source, path, replace={"xl/worksheets/sheet1.xml": attacked})


def docx_renamed(path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    path.write_bytes(buffer.getvalue())
    return path


def filled_submission(path: Path, year: int = 2022, unit: str = "110000",
                      change: Callable[[Workbook], None] | None = None,
                      values: dict[str, object] | None = None) -> Path:
    """A valid, fully filled submission for ``unit``; ``change`` edits it like a user would."""
    from openpyxl import load_workbook

    from scoring.workbook.filling import Filling, fill
    from scoring.workbook.template import build_template
    from scoring.workbook.years import load_year_config

    config = load_year_config(year)
    assert config is not None
    wb = build_template(config.source, config.units[unit])
    buffer = io.BytesIO()
    wb.save(buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    base: dict[str, object] = dict(VALID_VALUES)
    base.update(values or {})
    tasks = {t.id: ("已完成", "开展专项行动", f"文件{i}") for i, t in
             enumerate(config.source.assessed_tasks())}
    items = {i.code for i in config.source.province_items()}
    fill(wb, Filling(cover={"contact": "张三", "phone": "010-12345678", "filled_on": date(2023, 1, 10)},
                     tasks=tasks, values={k: v for k, v in base.items() if k in items}))  # type: ignore[misc]
    if change is not None:
        change(wb)
    wb.save(path)
    return path


VALID_VALUES: dict[str, object] = {
    "admin_cases_opened": 5200, "admin_cases_closed": 5000, "admin_case_value": 8600.5,
    "admin_fines": 3200.25, "cases_transferred_police": 61, "cases_entered_linkage": 55,
    "police_cases_cracked": 410, "police_suspects_arrested": 720, "penalty_decisions": 4800,
    "penalty_decisions_disclosed": 4700, "disclosure_on_time_rate": 96.5,
}
