"""Files a real office produces are read as Excel reads them (issue 19 item 5, issue 20 item 1):
an embedded object or check box in a task sheet (``xdr:row`` inside the anchor is not a sheet row),
Strict Open XML, backslash and upper-case part names; a number-format code past Excel's limit is
refused at once with its reason."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

from conftest import ROOT
from openpyxl import Workbook

from scoring.workbook.validate import validate_bytes, validate_submission
from scoring.workbook.years import load_year_config

SAMPLE = (ROOT / "sample_inputs" / "2022" / "110000-北京.xlsx").read_bytes()
TASK_SHEET = "xl/worksheets/sheet3.xml"
OLE_OBJECT = (
    '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
    '<mc:Choice Requires="x14"><oleObjects>'
    '<oleObject progId="Acrobat.Document.DC" shapeId="1025" r:id="rId9"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<objectPr defaultSize="0">'
    '<anchor moveWithCells="1">'
    '<from xmlns="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">'
    '<col>6</col><colOff>0</colOff><row>3</row><rowOff>0</rowOff></from>'
    '<to xmlns="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"><col>7</col><colOff>0</colOff>'
    '<row>5</row><rowOff>0</rowOff></to></anchor></objectPr></oleObject></oleObjects></mc:Choice>'
    '</mc:AlternateContent>')


def rezip(data: bytes, change: dict[str, bytes] | None = None,
          rename: dict[str, str] | None = None, edit: object = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = (change or {}).get(info.filename, source.read(info))
            if callable(edit):
                body = edit(info.filename, body)
            target.writestr((rename or {}).get(info.filename, info.filename), body)
    return out.getvalue()


def validated(data: bytes) -> tuple[list[str], float]:
    read = validate_bytes(data, "110000-北京.xlsx", load_year_config)
    assert read.read is not None, [f.render() for f in read.findings]
    return [f.code for f in read.findings if f.severity == "error"], \
        sum(1 for t in read.tasks.values() if t.evidence)


BASE_ERRORS, BASE_EVIDENCE = validated(SAMPLE)


def test_an_embedded_object_in_the_task_sheet_does_not_disturb_reading() -> None:
    sheet = zipfile.ZipFile(io.BytesIO(SAMPLE)).read(TASK_SHEET).decode()
    with_object = re.sub(r"(</sheetData>.*?)(</worksheet>)", lambda m: m[1] + OLE_OBJECT + m[2], sheet,
                         flags=re.S)
    assert OLE_OBJECT in with_object
    assert validated(rezip(SAMPLE, {TASK_SHEET: with_object.encode()})) == (BASE_ERRORS, BASE_EVIDENCE)


def test_strict_open_xml_is_read_as_excel_reads_it() -> None:
    def strict(name: str, body: bytes) -> bytes:
        return (body.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                             b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                .replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                         b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    data = rezip(SAMPLE, edit=strict)
    assert b"purl.oclc.org" in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    assert validated(data) == (BASE_ERRORS, BASE_EVIDENCE)


def test_backslash_and_upper_case_part_names_are_read_as_excel_reads_them() -> None:
    names = zipfile.ZipFile(io.BytesIO(SAMPLE)).namelist()
    rename = {n: n.replace("/", "\\").replace("worksheets", "Worksheets").replace("xl", "XL")
              for n in names if n.startswith("xl/")}
    assert validated(rezip(SAMPLE, rename=rename)) == (BASE_ERRORS, BASE_EVIDENCE)


def test_a_long_number_format_code_is_refused_fast_with_its_reason() -> None:
    # one 600 KB format code used by many cell styles made the reader take minutes (issue 20)
    styles = zipfile.ZipFile(io.BytesIO(SAMPLE)).read("xl/styles.xml").decode()
    code = "0" * 600_000
    styles = re.sub(r"<numFmts[^>]*>.*?</numFmts>|(?=<fonts)",
                    f'<numFmts count="1"><numFmt numFmtId="200" formatCode="{code}"/></numFmts>', styles,
                    count=1, flags=re.S)
    styles = re.sub(r"<cellXfs[^>]*>.*?</cellXfs>",
                    '<cellXfs count="2000">'
                    + '<xf numFmtId="200" fontId="0" fillId="0" borderId="0"/>' * 2000
                    + "</cellXfs>", styles, count=1, flags=re.S)
    started = time.perf_counter()
    read = validate_bytes(rezip(SAMPLE, {"xl/styles.xml": styles.encode()}), "x.xlsx", load_year_config)
    assert time.perf_counter() - started < 20  # generous: minutes before the cap
    assert [(f.code, "数字格式代码长达 600000 个字符" in f.message) for f in read.findings] \
        == [("file-corrupt", True)]


def test_a_57_mb_sheet_is_too_big_not_a_bomb(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r * 7919 % 100003}</v></c>'
                   f'<c r="B{r}" t="inlineStr"><is><t>第{r}行记录</t></is></c></row>'
                   for r in range(1, 640_000))
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             f"{rows}</sheetData></worksheet>").encode()
    assert len(sheet) > 57 * 1024 * 1024
    path = tmp_path / "110000-北京.xlsx"
    path.write_bytes(rezip(SAMPLE, {"xl/worksheets/sheet1.xml": sheet}))
    findings = validate_submission(path, load_year_config).findings
    assert [f.code for f in findings] == ["part-too-large"]
    assert "工作表部件" in findings[0].message and "MB" in findings[0].message
    assert not any(word in findings[0].message for word in ("炸弹", "恶意"))


def test_a_340_sheet_workbook_is_told_it_has_too_many_sheets(tmp_path: Path) -> None:
    wb = Workbook()
    for k in range(339):
        wb.create_sheet(f"表{k}")["A1"] = k
    path = tmp_path / "340.xlsx"
    wb.save(path)
    findings = validate_submission(path, load_year_config).findings
    assert [f.code for f in findings] == ["workbook-too-many-sheets"]
    assert "340 个工作表" in findings[0].message
    assert not any(word in findings[0].message for word in ("炸弹", "恶意"))


def test_a_number_excel_cannot_hold_is_a_finding_on_its_cell() -> None:
    # a hand-made file may write inf, nan or 1e999 as a cell's number; Excel writes none of them.
    # Each is reported on its cell as not a number (it crashed the count check), and 1e999 without
    # an example to copy
    data_sheet = "xl/worksheets/sheet4.xml"
    sheet = zipfile.ZipFile(io.BytesIO(SAMPLE)).read(data_sheet).decode()
    assert '<c r="D2" s="9" t="n"><v>5863</v>' in sheet  # 行政执法部门查处侵权假冒案件数, a count
    for written, said in [("inf", "“inf”不是数字"), ("-inf", "“-inf”不是数字"), ("nan", "“nan”不是数字"),
                          ("1e999", "“1e999”是科学计数法写法：请填写完整的数字；没有请填 0")]:
        changed = sheet.replace("<v>5863</v>", f"<v>{written}</v>", 1)
        read = validate_bytes(rezip(SAMPLE, {data_sheet: changed.encode()}), "x.xlsx", load_year_config)
        assert read.read is not None, [f.render() for f in read.findings]
        found = [f for f in read.findings if f.cell == "D2"]
        assert [(f.code, f.sheet) for f in found] == [("value-not-number", "工作数据")], written
        assert said in found[0].message, found[0].message
