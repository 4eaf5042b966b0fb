"""One broken workbook per class of problem validation catches, for sample_inputs/invalid/.

Each entry names its file, what is wrong (Chinese, for the README), the finding code that
validation must report, and how to build it from a valid submission. Tests validate every file
and check its code; ``scoring sample YEAR --invalid DIR`` writes them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook

from scoring.workbook import layout as L
from scoring.workbook.template import workbook_bytes

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

BILLION_LAUGHS_DTD = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                      b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')


def rezip(data: bytes, replace: dict[str, bytes] | None = None,
          extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of a zip with entries replaced or added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zout.writestr(entry, replace.get(info.filename, zin.read(info.filename)),
                          zipfile.ZIP_DEFLATED)
        for name, payload in (extra or {}).items():
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zout.writestr(entry, payload, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def legacy_xls() -> bytes:
    return OLE_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 512


def encrypted() -> bytes:
    return (OLE_MAGIC + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
            + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)


def csv_renamed() -> bytes:
    return "单位,立案数,结案数\n北京市,120,110\n天津市,80,76\n".encode()


def html_renamed() -> bytes:
    return ("<html><head><meta charset='utf-8'></head><body><table><tr><td>北京</td></tr>"
            "</table></body></html>").encode()


def truncated(valid: bytes) -> bytes:
    return valid[: len(valid) // 2]


def zip_bomb(valid: bytes, megabytes: int = 40) -> bytes:
    return rezip(valid, extra={"xl/media/padding.bin": b"\x00" * (megabytes * 1024 * 1024)})


def many_entries(valid: bytes, count: int = 400) -> bytes:
    return rezip(valid, extra={f"xl/media/image{i}.png": b"x" for i in range(count)})


def entity_attack(valid: bytes) -> bytes:
    """The first sheet's XML with a DTD declaring nested entities (billion laughs)."""
    with zipfile.ZipFile(io.BytesIO(valid)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    body = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    row = b'<row r="99"><c r="A99" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
    attacked = (b'<?xml version="1.0"?>\n' + BILLION_LAUGHS_DTD + b"\n"
                + body.replace(b"<sheetData>", b"<sheetData>" + row, 1))
    return rezip(valid, replace={"xl/worksheets/sheet1.xml": attacked})


def edited(valid: bytes, change: Callable[[Workbook], None]) -> bytes:
    """The valid workbook opened in openpyxl, changed as a user might, and saved."""
    wb = load_workbook(io.BytesIO(valid))
    change(wb)
    return workbook_bytes(wb)


def _value_row(wb: Workbook, code: str) -> int:
    ws = wb[L.DATA]
    return next(r for r in range(L.FIRST_ROW, ws.max_row + 1) if ws[f"{L.DATA_CODE_COL}{r}"].value == code)


def _set_value(code: str, value: object) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb[L.DATA][f"{L.DATA_VALUE_COL}{_value_row(wb, code)}"] = value
    return change


def _set(sheet: str, ref: str, value: object) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb[sheet][ref] = value
    return change


def _swap_data_rows(wb: Workbook) -> None:
    ws = wb[L.DATA]
    first = [c.value for c in ws[L.FIRST_ROW]]
    second = [c.value for c in ws[L.FIRST_ROW + 1]]
    for column, (a, b) in enumerate(zip(first, second, strict=True), 1):
        ws.cell(L.FIRST_ROW, column, b)
        ws.cell(L.FIRST_ROW + 1, column, a)


def _row_below(wb: Workbook) -> None:
    ws = wb[L.DATA]
    row = ws.max_row + 2
    ws[f"{L.DATA_NAME_COL}{row}"] = "自行增加的数据项"
    ws[f"{L.DATA_VALUE_COL}{row}"] = 5


def _column_inserted(wb: Workbook) -> None:
    """A column of last year's figures inserted before 填报值, as a province did."""
    ws = wb[L.DATA]
    ws.insert_cols(4)
    ws["D1"] = "2021年数"
    for row in range(L.FIRST_ROW, ws.max_row + 1):
        if ws[f"E{row}"].value is not None:
            ws[f"D{row}"] = 1


def _date_formatted(code: str) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        cell = wb[L.DATA][f"{L.DATA_VALUE_COL}{_value_row(wb, code)}"]
        cell.value = 44928
        cell.number_format = "yyyy-mm-dd"
    return change


def _sheet_extra(wb: Workbook) -> None:
    wb.create_sheet("我的汇总")["A1"] = "自行添加的工作表"


@dataclass(frozen=True)
class Broken:
    """One invalid sample: file name, what is wrong, the code validation reports, its builder."""

    name: str
    description: str
    code: str
    build: Callable[[bytes], bytes]
    expect_year: int | None = None


def catalogue(other_year_template: Callable[[], bytes]) -> list[Broken]:
    """Every invalid sample, built from a valid submission's bytes."""
    first_task_row = L.FIRST_ROW
    return [
        Broken("empty.xlsx", "空文件（0 字节）", "file-empty", lambda v: b""),
        Broken("legacy.xlsx", "旧版 .xls 文件改名为 .xlsx", "file-legacy-xls", lambda v: legacy_xls()),
        Broken("encrypted.xlsx", "设有打开密码的加密工作簿", "file-encrypted", lambda v: encrypted()),
        Broken("csv.xlsx", "CSV 文本改名为 .xlsx", "file-csv", lambda v: csv_renamed()),
        Broken("html.xlsx", "网页（HTML）改名为 .xlsx", "file-html", lambda v: html_renamed()),
        Broken("truncated.xlsx", "传输中断、只剩一半的文件", "file-corrupt", truncated),
        Broken("zip-bomb.xlsx", "内含 40 MB 全零数据的压缩炸弹", "zip-bomb", zip_bomb),
        Broken("many-entries.xlsx", "压缩包内塞入 400 个文件", "zip-too-many-entries", many_entries),
        Broken("xml-entity.xlsx", "工作表 XML 含实体声明（billion laughs）", "xml-entity", entity_attack),
        Broken("other-year.xlsx", "用 2020 年度模板报送 2022 年度（校验时指定 --year 2022）",
               "template-year", lambda v: other_year_template(), expect_year=2022),
        Broken("old-version.xlsx", "模板版本号被改动", "template-version",
               lambda v: edited(v, _set(L.META, "B3", "0"))),
        Broken("config-changed.xlsx", "模板生成后指标配置已变更（SHA-256 不符）", "template-config-changed",
               lambda v: edited(v, _set(L.META, "B2", "0" * 64))),
        Broken("no-meta.xlsx", "隐藏的模板信息表被删除", "template-unknown",
               lambda v: edited(v, lambda wb: wb.remove(wb[L.META]))),
        Broken("wrong-unit.xlsx", "封面单位代码改成了其他单位", "unit-mismatch",
               lambda v: edited(v, _set(L.COVER, "B2", "120000"))),
        Broken("sheet-deleted.xlsx", "删除了“任务落实”工作表", "sheet-missing",
               lambda v: edited(v, lambda wb: wb.remove(wb[L.TASKS]))),
        Broken("sheet-added.xlsx", "自行增加了一个工作表", "sheet-extra", lambda v: edited(v, _sheet_extra)),
        Broken("sheets-reordered.xlsx", "工作表顺序被调整", "sheet-order",
               lambda v: edited(v, lambda wb: wb.move_sheet(L.DATA, offset=-2))),
        Broken("row-deleted.xlsx", "“工作数据”中删除了一行", "row-missing",
               lambda v: edited(v, lambda wb: wb[L.DATA].delete_rows(L.FIRST_ROW + 1))),
        Broken("row-added.xlsx", "“工作数据”表格下方自行增加了一行数据（提示，不读取）",
               "content-outside-table",
               lambda v: edited(v, _row_below)),
        Broken("column-inserted.xlsx", "“填报值”前插入一列上年数（按表头读取，提示）", "columns-moved",
               lambda v: edited(v, _column_inserted)),
        Broken("header-changed.xlsx", "“填报值”列的表头被改写", "header-missing",
               lambda v: edited(v, _set(L.DATA, f"{L.DATA_VALUE_COL}{L.HEADER_ROW}", "2022年数"))),
        Broken("count-as-date.xlsx", "数量单元格被 Excel 变成了日期", "value-is-date",
               lambda v: edited(v, _date_formatted("special_campaigns"))),
        Broken("out-of-range.xlsx", "查处案件数填了 2e15，超出硬性上限", "value-out-of-range",
               lambda v: edited(v, _set_value("admin_cases_opened", 2e15))),
        Broken("implausible.xlsx", "查处案件数约为本单位经济规模合理范围的 5 倍（警告）", "value-implausible",
               lambda v: edited(v, _set_value("admin_cases_opened", 500_000))),
        Broken("rows-reordered.xlsx", "“工作数据”前两行互换位置（可读取，提示）", "rows-reordered",
               lambda v: edited(v, _swap_data_rows)),
        Broken("merged-cells.xlsx", "填报值单元格被合并", "merged-cells",
               lambda v: edited(v, lambda wb: wb[L.DATA].merge_cells("D2:D3"))),
        Broken("value-missing.xlsx", "必填数据留空", "value-missing",
               lambda v: edited(v, _set_value("admin_cases_closed", None))),
        Broken("text-in-number.xlsx", "数量填成了“五千余件”", "value-not-number",
               lambda v: edited(v, _set_value("admin_cases_opened", "五千余件"))),
        Broken("negative-count.xlsx", "数量为负数", "value-negative",
               lambda v: edited(v, _set_value("police_cases_cracked", -5))),
        Broken("formula-no-cache.xlsx", "填写了公式且未保存计算结果", "formula-no-value",
               lambda v: edited(v, _set_value("admin_cases_closed", "=D2*0.9"))),
        Broken("cross-check.xlsx", "移送公安机关案件数多于立案数", "cross-check",
               lambda v: edited(v, _set_value("cases_transferred_police", 60_000))),
        Broken("task-status.xlsx", "落实情况填了下拉列表以外的文字", "task-status-invalid",
               lambda v: edited(v, _set(L.TASKS, f"{L.TASK_STATUS_COL}{first_task_row}", "基本完成"))),
    ]
