"""A corpus of workbooks filled the way provincial staff fill them, each with what it must produce.

Every variant starts from a committed valid sample (北京, 2022 or 2020) and is changed as people
change workbooks: opened and re-saved by LibreOffice, columns and rows inserted, deleted or
sorted, values pasted with their formats or typed as text, rows hidden, filters, frozen panes
and comments added, data validation removed, cells merged, headers renamed, dropdowns typed by
hand, a count turned into a date by Excel, figures out of all proportion, files saved as .ods
or .xls, strings written inline as other spreadsheet programs do. Each names the findings
(sheet, cell, code) it must produce; ``tests/test_workbook_corpus.py`` checks them and that no
value is read differently from the original without an error or warning naming its cell.

Run ``python tests/corpus.py OUT_DIR`` to write the corpus with a README listing every variant.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidationList

ROOT = Path(__file__).resolve().parent.parent
BASES = {2022: ROOT / "sample_inputs" / "2022" / "110000-北京.xlsx",
         2020: ROOT / "sample_inputs" / "2020" / "110000-北京.xlsx"}
DATA, TASKS, COVER = "工作数据", "任务落实", "封面"

Expect = tuple[tuple[str | None, str | None, str], ...]
Edit = Callable[[Workbook], None]


@dataclass(frozen=True)
class Variant:
    """One realistic workbook: how it is made, and the findings it must produce.

    ``edit`` changes the workbook in openpyxl; ``raw`` rewrites the saved package's bytes;
    ``resave`` is the format LibreOffice saves it to afterwards (None: not opened in LibreOffice).
    """

    name: str
    description: str
    expect: Expect = ()
    edit: Edit | None = None
    raw: Callable[[bytes], bytes] | None = None
    resave: str | None = None
    year: int = 2022

    @property
    def file_name(self) -> str:
        suffix = self.resave if self.resave in ("ods", "xls") else "xlsx"
        return f"110000-{self.name}.{suffix}"


def _row_of(ws: object, code: str) -> int:
    sheet = ws  # a worksheet; the code sits in the hidden column F
    return next(r for r in range(2, sheet.max_row + 1)  # type: ignore[attr-defined]
                if sheet[f"F{r}"].value == code)  # type: ignore[index]


def _set_item(code: str, value: object, number_format: str | None = None) -> Edit:
    def edit(wb: Workbook) -> None:
        cell = wb[DATA][f"D{_row_of(wb[DATA], code)}"]
        cell.value = value
        if number_format is not None:
            cell.number_format = number_format
    return edit


def _set(sheet: str, ref: str, value: object) -> Edit:
    def edit(wb: Workbook) -> None:
        wb[sheet][ref] = value
    return edit


def _all(*edits: Edit) -> Edit:
    def edit(wb: Workbook) -> None:
        for each in edits:
            each(wb)
    return edit


def _insert_last_year_column(wb: Workbook) -> None:
    ws = wb[DATA]
    ws.insert_cols(4)
    ws["D1"] = "2021年数"
    for row in range(2, ws.max_row + 1):
        if isinstance(ws[f"E{row}"].value, int | float):
            ws[f"D{row}"] = round(float(ws[f"E{row}"].value) * 0.8)


def _insert_blank_row(wb: Workbook) -> None:
    wb[DATA].insert_rows(5)


def _insert_own_item(wb: Workbook) -> None:
    ws = wb[DATA]
    ws.insert_rows(5)
    ws["B5"], ws["C5"], ws["D5"] = "知识产权纠纷调解数", "件", 120


def _sort_rows_by_name(wb: Workbook) -> None:
    ws = wb[DATA]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=ws.max_row)]
    for index, values in enumerate(sorted(rows, key=lambda r: str(r[1])), 2):
        for column, value in enumerate(values, 1):
            ws.cell(index, column).value = value  # ws.cell(…, None) would keep the old value


def _sort_visible_columns_only(wb: Workbook) -> None:
    """Sorted by name with only the visible columns A:E selected: the hidden codes stay put."""
    ws = wb[DATA]
    rows = [[c.value for c in row[:5]] for row in ws.iter_rows(min_row=2, max_row=ws.max_row)]
    for index, values in enumerate(sorted(rows, key=lambda r: str(r[1])), 2):
        for column, value in enumerate(values, 1):
            ws.cell(index, column).value = value  # ws.cell(…, None) would keep the old value


def _sort_tasks_by_status(wb: Workbook) -> None:
    """Task rows sorted by 落实情况 with the whole table selected (the ids move along)."""
    ws = wb[TASKS]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=ws.max_row)]
    for index, values in enumerate(sorted(rows, key=lambda r: (str(r[3]), str(r[0]))), 2):
        for column, value in enumerate(values, 1):
            ws.cell(index, column).value = value  # ws.cell(…, None) would keep the old value


def _pasted_with_formats(wb: Workbook) -> None:
    ws = wb[DATA]
    for row in range(2, ws.max_row + 1):
        cell = ws[f"D{row}"]
        if isinstance(cell.value, int | float):
            cell.value = float(cell.value)
            cell.number_format = "#,##0.00_ ;[Red]-#,##0.00 "


def _typed_as_text(wb: Workbook) -> None:
    ws = wb[DATA]
    for row in range(2, ws.max_row + 1):
        cell = ws[f"D{row}"]
        if isinstance(cell.value, int | float):
            cell.value, cell.number_format = f"{cell.value}", "@"


def _full_width(wb: Workbook) -> None:
    cell = wb[DATA][f"D{_row_of(wb[DATA], 'admin_cases_opened')}"]
    cell.value = str(cell.value).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})


def _hidden_rows(wb: Workbook) -> None:
    for row in (3, 4, 5):
        wb[DATA].row_dimensions[row].hidden = True
    wb[TASKS].row_dimensions[4].hidden = True


def _filtered(wb: Workbook) -> None:
    wb[DATA].auto_filter.ref = f"A1:F{wb[DATA].max_row}"
    wb[TASKS].auto_filter.ref = f"A1:F{wb[TASKS].max_row}"


def _frozen_elsewhere(wb: Workbook) -> None:
    wb[DATA].freeze_panes = "B2"
    wb[TASKS].freeze_panes = None


def _comments(wb: Workbook) -> None:
    wb[DATA]["D2"].comment = Comment("含海关查处案件 120 件", "张三")
    wb[TASKS]["D2"].comment = Comment("已报送总结", "张三")


def _validation_removed(wb: Workbook) -> None:
    for name in (DATA, TASKS, COVER):
        wb[name].data_validations = DataValidationList()


def _merge_names(wb: Workbook) -> None:
    wb[DATA].merge_cells("B2:B3")
    wb[TASKS].merge_cells("B2:B3")


def _column_swap_value_note(wb: Workbook) -> None:
    """填报值 and 备注 swapped, headers and all (a user dragging a column)."""
    ws = wb[DATA]
    for row in range(1, ws.max_row + 1):
        ws[f"D{row}"].value, ws[f"E{row}"].value = ws[f"E{row}"].value, ws[f"D{row}"].value


def _value_in_note(wb: Workbook) -> None:
    ws = wb[DATA]
    row = _row_of(ws, "dens_destroyed")
    ws[f"E{row}"], ws[f"D{row}"] = ws[f"D{row}"].value, None


def _pasted_list_below(wb: Workbook) -> None:
    ws = wb[DATA]
    for row in range(25, 325):
        ws[f"A{row}"], ws[f"B{row}"], ws[f"D{row}"] = row - 24, f"案件明细 {row - 24}", row % 17


def _sheet_renamed(wb: Workbook) -> None:
    wb[DATA].title = "工作数据(2)"


def _title_row(wb: Workbook) -> None:
    ws = wb[DATA]
    ws.insert_rows(1)
    ws["A1"] = "北京市 2022 年度打击侵权假冒工作数据"


def _formula_closed(wb: Workbook) -> None:
    ws = wb[DATA]
    opened = _row_of(ws, "admin_cases_opened")
    closed = _row_of(ws, "admin_cases_closed")
    difference = int(ws[f"D{opened}"].value) - int(ws[f"D{closed}"].value)
    ws[f"D{closed}"] = f"=D{opened}-{difference}"


_INLINE = re.compile(rb'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)
_SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def shared_strings(data: bytes) -> bytes:
    """Every inline-string cell (as openpyxl writes them) moved to a shared-string table, as
    Excel and WPS write workbooks."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    table: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        index = table.setdefault(match[3], len(table))
        return b"<c " + match[1] + b't="s"' + match[2] + b"><v>" + str(index).encode() + b"</v></c>"

    for name in list(parts):
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = _INLINE.sub(shared, parts[name])
    parts["xl/sharedStrings.xml"] = _SST + b"".join(b"<si>" + s + b"</si>" for s in table) + b"</sst>"
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + _SST_TYPE + b'"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdSST" Type="' + _SST_REL
        + b'" Target="sharedStrings.xml"/></Relationships>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def variants() -> list[Variant]:
    """Every variant in the corpus."""
    return [
        Variant("lo-resave", "在 LibreOffice 中打开后直接保存", resave="xlsx"),
        Variant("lo-resave-2020", "2020 年（含百分比格式的比率）在 LibreOffice 中保存",
                resave="xlsx", year=2020),
        Variant("column-inserted", "填报值前插入一列“2021年数”（上年数）",
                ((DATA, "E1", "columns-moved"), (DATA, "D1", "column-extra")), _insert_last_year_column),
        Variant("column-inserted-lo", "插入上年数一列后在 LibreOffice 中保存",
                ((DATA, "E1", "columns-moved"),), _insert_last_year_column, resave="xlsx"),
        Variant("note-column-deleted", "删除了“备注”列", ((DATA, "E1", "column-missing"),),
                lambda wb: wb[DATA].delete_cols(5)),
        Variant("value-column-deleted", "删除了“填报值”列", ((DATA, "D1", "header-missing"),),
                lambda wb: wb[DATA].delete_cols(4)),
        Variant("columns-swapped", "“填报值”和“备注”两列对调（连同表头）", ((DATA, "E1", "columns-moved"),),
                _column_swap_value_note),
        Variant("header-renamed", "“填报值”表头改成了“本年数”", ((DATA, "D1", "header-missing"),),
                _set(DATA, "D1", "本年数")),
        Variant("title-row-inserted", "表格上方插入标题行", ((DATA, "A2", "header-row-moved"),), _title_row),
        Variant("blank-row-inserted", "表格中间插入一个空行", (), _insert_blank_row),
        Variant("own-item-inserted", "表格中间插入一行自定义数据项",
                ((DATA, "B5:D5", "content-outside-table"),), _insert_own_item),
        Variant("row-deleted", "删除了一行数据项", ((DATA, None, "row-missing"),),
                lambda wb: wb[DATA].delete_rows(4)),
        Variant("rows-sorted", "按数据项名称排序", ((DATA, None, "rows-reordered"),), _sort_rows_by_name),
        Variant("rows-sorted-lo", "按名称排序后在 LibreOffice 中保存", ((DATA, None, "rows-reordered"),),
                _sort_rows_by_name, resave="xlsx"),
        Variant("sorted-visible-columns", "只选中可见列按名称排序，隐藏的代码列没有跟着动",
                ((DATA, "B2", "row-label-mismatch"),), _sort_visible_columns_only),
        Variant("tasks-sorted-by-status", "任务按落实情况排序（整表选中）",
                ((TASKS, None, "rows-reordered"),), _sort_tasks_by_status, resave="xlsx"),
        Variant("code-cleared", "隐藏列中的一个代码被清除", ((DATA, "F3", "row-code-missing"),),
                _set(DATA, "F3", None)),
        Variant("pasted-with-formats", "从其他表格粘贴数值（带千位分隔格式）", (), _pasted_with_formats),
        Variant("typed-as-text", "全部数字以文本格式填写", ((DATA, "D2", "normalised-text-number"),),
                _typed_as_text),
        Variant("full-width-digits", "全角数字", ((DATA, "D2", "normalised-fullwidth"),), _full_width),
        Variant("thousands", "带千位分隔符的文本", ((DATA, "D2", "normalised-thousands"),),
                _set_item("admin_cases_opened", "5,863")),
        Variant("hidden-rows", "隐藏了几行", (), _hidden_rows),
        Variant("filters", "加了筛选", (), _filtered, resave="xlsx"),
        Variant("frozen-panes", "改动了冻结窗格", (), _frozen_elsewhere),
        Variant("comments", "加了批注", (), _comments, resave="xlsx"),
        Variant("validation-removed", "删除了数据有效性", (), _validation_removed),
        Variant("validation-removed-words", "删除数据有效性后填了“5863件”",
                ((DATA, "D2", "value-not-number"),),
                _all(_validation_removed, _set_item("admin_cases_opened", "5863件"))),
        Variant("dash-for-none", "没有的填了“—”", ((DATA, "D6", "value-not-number"),),
                _set_item("cases_transferred_police", "—")),
        Variant("scientific", "粘贴成科学计数法文本“5.863E+3”", ((DATA, "D2", "value-not-number"),),
                _set_item("admin_cases_opened", "5.863E+3")),
        Variant("count-as-date", "Excel 把数量变成了日期", ((DATA, "D14", "value-is-date"),),
                _set_item("special_campaigns", 44928, "yyyy/m/d")),
        Variant("count-as-date-lo", "数量变成日期后在 LibreOffice 中保存", ((DATA, "D14", "value-is-date"),),
                _set_item("special_campaigns", 44928, "yyyy-mm-dd"), resave="xlsx"),
        Variant("ratio-as-fraction", "比率填成小数 0.921（百分数单元格）",
                ((DATA, "D12", "ratio-ambiguous"),), _set_item("disclosure_on_time_rate", 0.921, "0.0"),
                year=2020),
        Variant("ratio-percent-typed", "比率写成“92.1%”", ((DATA, "D12", "normalised-percent"),),
                _set_item("disclosure_on_time_rate", "92.1%", "0.0"), year=2020),
        Variant("huge-figure", "查处案件数填了 2e15", ((DATA, "D2", "value-out-of-range"),),
                _all(_set_item("admin_cases_opened", 2e15), _set_item("admin_cases_closed", 1e15))),
        Variant("implausible-figure", "查处案件数多填了两个零（586300）",
                ((DATA, "D2", "value-implausible"),), _set_item("admin_cases_opened", 586_300)),
        Variant("merged-names", "合并了名称列的单元格", ((DATA, "B2:B3", "merged-cells"),), _merge_names),
        Variant("merged-values", "合并了填报值单元格", ((DATA, "D2", "merged-cells"),),
                lambda wb: wb[DATA].merge_cells("D2:D3")),
        Variant("value-in-note", "数值填到了“备注”列", ((DATA, "D9", "value-missing"),), _value_in_note),
        Variant("space-only", "空白单元格里只有一个空格", (),
                _all(_set(DATA, "E3", " "), _set(TASKS, "E2", "\u3000"))),
        Variant("status-spaced", "落实情况手工输入“已 完成”", ((TASKS, "D2", "choice-normalised"),),
                _set(TASKS, "D2", "已 完成")),
        Variant("status-other-word", "落实情况手工输入“完成”", ((TASKS, "D2", "task-status-invalid"),),
                _set(TASKS, "D2", "完成")),
        Variant("status-sentence-end", "落实情况后加了句号“部分完成。”",
                ((TASKS, "D3", "choice-normalised"),), _set(TASKS, "D3", "部分完成。")),
        Variant("instructions-deleted", "删除了“填报说明”工作表", (("填报说明", None, "sheet-missing"),),
                lambda wb: wb.remove(wb["填报说明"])),
        Variant("extra-sheet", "增加了一个自用工作表", (("草稿", None, "sheet-extra"),),
                lambda wb: wb.create_sheet("草稿").__setitem__("A1", 1)),
        Variant("sheet-renamed", "“工作数据”工作表被改名", ((DATA, None, "sheet-missing"),), _sheet_renamed),
        Variant("pasted-list-below", "表格下方粘贴了 300 行明细",
                ((DATA, "A25:D324", "content-outside-table"),), _pasted_list_below),
        Variant("formula-lo", "办结数写成公式，LibreOffice 保存了计算结果", ((DATA, "D3", "formula-used"),),
                _formula_closed, resave="xlsx"),
        Variant("cover-date-words", "封面填报日期写成“下周一”", ((COVER, "B7", "date-invalid"),),
                _set(COVER, "B7", "下周一")),
        Variant("cover-date-old", "封面填报日期早了几年", ((COVER, "B7", "date-out-of-range"),),
                _set(COVER, "B7", "2019-12-30")),
        Variant("shared-strings", "文字存入共享字符串表（Excel、WPS 的写法）", (), raw=shared_strings),
        Variant("saved-as-ods", "另存为 .ods", ((None, None, "file-ods"),), resave="ods"),
        Variant("saved-as-xls", "另存为 .xls", ((None, None, "file-legacy-xls"),), resave="xls"),
    ]


def _edited(variant: Variant) -> bytes:
    data = BASES[variant.year].read_bytes()
    if variant.edit is not None:
        wb = load_workbook(io.BytesIO(data))
        variant.edit(wb)
        buffer = io.BytesIO()
        wb.save(buffer)
        data = buffer.getvalue()
    if variant.raw is not None:
        data = variant.raw(data)
    return data


def _libreoffice(batch: dict[str, list[Path]], out_dir: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is needed to build the corpus (./dev test installs it)")
    with tempfile.TemporaryDirectory() as profile:
        for target, files in batch.items():
            filters = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods"}
            done = subprocess.run(
                [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                 "--convert-to", filters[target], "--outdir", str(out_dir), *map(str, files)],
                capture_output=True, text=True, timeout=300, check=False)
            if done.returncode != 0:
                raise RuntimeError(done.stderr)


def build(out_dir: Path) -> dict[str, Path]:
    """Write every variant into ``out_dir``; returns each variant's file by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / "before-libreoffice"
    staging.mkdir(exist_ok=True)
    batch: dict[str, list[Path]] = {}
    paths: dict[str, Path] = {}
    for variant in variants():
        data = _edited(variant)
        if variant.resave is None:
            path = out_dir / variant.file_name
            path.write_bytes(data)
        else:
            source = staging / f"110000-{variant.name}.xlsx"
            source.write_bytes(data)
            batch.setdefault(variant.resave, []).append(source)
            path = out_dir / variant.file_name
        paths[variant.name] = path
    _libreoffice(batch, out_dir)
    shutil.rmtree(staging)
    missing = [p.name for p in paths.values() if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
    return paths


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus")
    build(out_dir)
    lines = ["| 文件 | 变化 | 应有的问题 |", "|---|---|---|"]
    for variant in variants():
        expected = "、".join(f"{s or ''}!{c or ''} {code}".strip("!") for s, c, code in variant.expect)
        expected = expected or "按原值读取"
        lines.append(f"| {variant.file_name} | {variant.description} | {expected} |")
    (out_dir / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(variants())} variants written to {out_dir}/")


if __name__ == "__main__":
    main()
