"""Builders for workbook tests: small valid workbooks and every kind of broken or hostile file."""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from scoring.workbook import broken


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


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def legacy_xls(path: Path) -> Path:
    return _write(path, broken.legacy_xls())


def encrypted_xlsx(path: Path) -> Path:
    return _write(path, broken.encrypted())


def csv_renamed(path: Path) -> Path:
    return _write(path, broken.csv_renamed())


def html_renamed(path: Path) -> Path:
    return _write(path, broken.html_renamed())


def truncated(source: Path, path: Path) -> Path:
    return _write(path, broken.truncated(source.read_bytes()))


def zip_bomb(source: Path, path: Path) -> Path:
    return _write(path, broken.zip_bomb(source.read_bytes()))


def many_entries(source: Path, path: Path) -> Path:
    return _write(path, broken.many_entries(source.read_bytes()))


def entity_attack(source: Path, path: Path) -> Path:
    return _write(path, broken.entity_attack(source.read_bytes()))


def docx_renamed(path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return _write(path, buffer.getvalue())


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
    fill(wb, Filling(cover={"contact": "张三", "phone": "010-12345678", "filled_on": date(year + 1, 1, 10)},
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
    "dens_destroyed": 95, "prosecuted_people": 310, "court_criminal_cases": 150,
    "goods_destroyed_value": 1200.75, "software_checked_units": 860, "special_campaigns": 12,
    "publicity_events": 240, "training_attendance": 5600,
}


def ods_like(path: Path) -> Path:
    """The shape of an OpenDocument spreadsheet: a zip whose first entry names its type."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return _write(path, buffer.getvalue())


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB v3) holding ``streams``, each padded to 4,096 bytes so it
    lives in regular sectors: the container a .doc, .ppt, .msg or .xls comes in."""
    import struct

    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fat_sector, end]
    bodies: list[bytes] = []
    entries = [("Root Entry", 5, end, 0)]
    next_sector = 2
    for name, body in streams.items():
        body = body.ljust(4096, b"\0")
        count = len(body) // 512
        fat += [next_sector + k + 1 for k in range(count - 1)] + [end]
        entries.append((name, 2, next_sector, len(body)))
        bodies.append(body)
        next_sector += count
    directory = b""
    for name, kind, start, size in entries:
        encoded = (name + "\0").encode("utf-16-le")
        directory += (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                      + struct.pack("<III", free, free, free) + b"\0" * 36
                      + struct.pack("<III", start, size, 0))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    assert len(header) == 512
    fat_block = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    return header + fat_block + directory.ljust(512, b"\0") + b"".join(bodies)
def slow_workbook(source: Path, code_len: int = 300_000, styles: int = 20_000) -> bytes:
    """A workbook whose styles.xml holds one long, incompressible number-format code used by many
    cell styles (the reader processed the code once per style: about 90 s here)."""
    rnd = random.Random(7)
    code = "".join(rnd.choice("0#,.;_ ?") for _ in range(code_len))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/styles.xml":
                text = re.sub(r"<numFmts[^>]*>.*?</numFmts>|<numFmts[^>]*/>", "", data.decode(), flags=re.S)
                fmts = f'<numFmts count="1"><numFmt numFmtId="200" formatCode="{code}"/></numFmts>'
                text = re.sub(r"(<styleSheet[^>]*>)", lambda m, f=fmts: m.group(1) + f, text, count=1)
                xfs = '<xf numFmtId="200" fontId="0" fillId="0" borderId="0" xfId="0"/>' * styles
                text = re.sub(r"(<cellXfs[^>]*>)", lambda m, x=xfs: m.group(1) + x, text, count=1)
                data = text.encode()
            dst.writestr(info, data)
    return out.getvalue()


def large_workbook(source: Path, rows: int = 2000, columns: int = 10, strings: int = 200_000,
                   runs: int = 3) -> bytes:
    """``source`` with every sheet filled to ``rows`` × ``columns`` cells of shared strings and a
    shared-string table of ``strings`` rich-text entries: within every cap of the reader (2,000 rows,
    20,000 cells a sheet, 200,000 strings, 10 MB), and seconds of CPU to read (about 5 s here)."""
    rnd = random.Random(11)

    def row(number: int) -> str:
        cells = "".join(f'<c r="{chr(65 + column)}{number}" t="s"><v>{rnd.randrange(strings)}</v></c>'
                        for column in range(columns))
        return f'<row r="{number}">{cells}</row>'

    def entry() -> str:
        return "<si>" + "".join(f"<r><t>{rnd.randrange(10 ** 9)}</t></r>" for _ in range(runs)) + "</si>"

    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                text = re.sub(r"<dimension [^>]*/>", "", data.decode())
                text = text.replace("<sheetData/>", "<sheetData></sheetData>")
                first = max((int(r) for r in re.findall(r'<row r="(\d+)"', text)), default=0) + 1
                added = "".join(row(number) for number in range(first, rows + 1))
                data = text.replace("</sheetData>", f"{added}</sheetData>").encode()
            dst.writestr(info, data)
        table = "".join(entry() for _ in range(strings))
        dst.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                                             f' count="{strings}" uniqueCount="{strings}">{table}</sst>')
    return out.getvalue()
