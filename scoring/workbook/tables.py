"""Finding a table in a sheet by its header text, its rows by their codes, and what lies outside it.

Columns are located by header text (a column inserted before 填报值 moves 填报值, and the
validator follows it with a warning; a header that was changed or duplicated is an error with
its cell), never by position alone. Rows are located by their code. Content in no template row
or column is reported (and grouped by area), merged cells are errors where they can hide a
value and warnings elsewhere, and a sheet whose reading stopped at a cap is an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scoring.problems import Severity
from scoring.workbook import layout as L
from scoring.workbook.findings import AREA_GAP_ROWS, Findings
from scoring.workbook.reader import Cell, Sheet, column_index, column_letters, split_ref
from scoring.workbook.values import shown

_RANGE = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")
_SPACES = re.compile(r"\s+")


def text_of(value: object) -> str | None:
    """A cell's value as trimmed, NFKC-normalised text (counts without ``.0``); None when blank."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", shown(value) or "").strip()
    return text or None


def _header_key(value: object) -> str | None:
    text = text_of(value)
    return None if text is None else _SPACES.sub("", text)


@dataclass(frozen=True)
class Table:
    """A table as found in a sheet: the header row, each column's letter by role, and the
    columns whose header is not the template's (reported once, by their header cell)."""

    sheet: str
    header_row: int
    columns: dict[str, str]
    extra: frozenset[int] = frozenset()

    def ref(self, key: str, row: int) -> str | None:
        """The cell of column ``key`` in ``row`` (None when the column was not found)."""
        letter = self.columns.get(key)
        return None if letter is None else f"{letter}{row}"


def _best_header_row(sheet: Sheet, spec: Sequence[L.Column]) -> tuple[int, int]:
    wanted = {c.header for c in spec}
    best, score = L.HEADER_ROW, 0
    for row in range(1, L.HEADER_SEARCH_ROWS + 1):
        texts = {_header_key(c.value) for c in sheet.cells.values() if c.row == row}
        hits = len(wanted & texts)
        if hits > score:
            best, score = row, hits
    return best, score


def locate_table(sheet: Sheet, spec: Sequence[L.Column], found: Findings) -> Table | None:
    """The table's columns found by header text; None (with errors) when a required column's
    header is missing or appears twice, so that nothing is read by position alone."""
    header_row, hits = _best_header_row(sheet, spec)
    names = "、".join(c.header for c in spec)
    if hits == 0:
        found.add("header-missing", Severity.ERROR,
                  f"找不到表头行（应在第 {L.HEADER_ROW} 行：{names}），无法读取；请使用原模板，不要修改表头",
                  sheet=sheet.name, cell=f"A{L.HEADER_ROW}")
        return None
    if header_row != L.HEADER_ROW:
        found.add("header-row-moved", Severity.WARNING,
                  f"表头在第 {header_row} 行（模板为第 {L.HEADER_ROW} 行），表格上方插入了行，已按表头读取",
                  sheet=sheet.name, cell=f"A{header_row}")
    cells = sorted((c for c in sheet.cells.values() if c.row == header_row), key=lambda c: c.column)
    columns: dict[str, str] = {}
    complete = True
    known = {c.header for c in spec}
    for column in spec:
        matches = [c for c in cells if _header_key(c.value) == column.header]
        expected = f"{column.letter}{header_row}"
        if len(matches) > 1:
            where = "、".join(c.ref for c in matches)
            found.add("header-duplicate", Severity.ERROR,
                      f"表头“{column.header}”出现了 {len(matches)} 次（{where}），无法确定读取哪一列；"
                      "请删除多余的列", sheet=sheet.name, cell=matches[1].ref, value=column.header)
            complete = False
        elif not matches:
            now = text_of(sheet.value(expected))
            instead = f"，现为“{now}”" if now else "，现为空白"
            if column.required:
                found.add("header-missing", Severity.ERROR,
                          f"找不到“{column.header}”列的表头（模板在 {expected}{instead}），无法读取此表；"
                          "请恢复模板的表头，不要修改、插入或删除列",
                          sheet=sheet.name, cell=expected, value=now)
                complete = False
            else:
                found.add("column-missing", Severity.WARNING,
                          f"找不到“{column.header}”列（模板在 {expected}{instead}），该列被删除或表头被修改",
                          sheet=sheet.name, cell=expected, value=now)
        else:
            columns[column.key] = column_letters(matches[0].column)
    extra: set[int] = set()
    for cell in cells:
        key = _header_key(cell.value)
        if key is not None and key not in known:
            extra.add(cell.column)
            letter = column_letters(cell.column)
            found.add("column-extra", Severity.WARNING,
                      f"多出一列“{text_of(cell.value)}”（{letter} 列），其内容不会被读取",
                      sheet=sheet.name, cell=cell.ref, value=cell.value)
    if not complete:
        return None
    # the hidden code column follows any insertion; people are told about the columns they see
    moved = [(c, columns[c.key]) for c in spec
             if c.key in columns and columns[c.key] != c.letter and c.key != "code"]
    if moved:
        first = next((m for m in moved if m[0].required), moved[0])
        found.add("columns-moved", Severity.WARNING,
                  "列的位置与模板不同（"
                  + "；".join(f"“{c.header}”{c.letter} 列 → {now} 列" for c, now in moved)
                  + "），可能插入或删除了列，已按表头读取；请核对读取的数值",
                  sheet=sheet.name, cell=f"{first[1]}{header_row}")
    return Table(sheet=sheet.name, header_row=header_row, columns=columns, extra=frozenset(extra))


def _label_key(value: object) -> str:
    return _SPACES.sub("", text_of(value) or "")


def _check_labels(sheet: Sheet, table: Table, rows: dict[str, int], wanted: set[str], what: str,
                  labels: Mapping[str, str], label_key: str, found: Findings) -> set[str]:
    """Rows whose visible label is not their code's (a sort that left the hidden code column
    behind): errors at the label cell; those codes are not read. Returns them."""
    letter = table.columns[label_key]
    unsure: set[str] = set()
    for code, row in rows.items():
        if code not in wanted or code not in labels:
            continue
        shown_label = _label_key(sheet.value(f"{letter}{row}"))
        if shown_label and not shown_label.startswith(_label_key(labels[code])):
            found.add("row-label-mismatch", Severity.ERROR,
                      f"第 {row} 行的“{text_of(sheet.value(f'{letter}{row}'))}”与该行{what}“{code}”对应的"
                      f"“{labels[code]}”不符（排序或移动时漏掉了部分列？），无法确定这一行的数值属于哪一项；"
                      "请恢复模板的行", sheet=sheet.name, cell=f"{letter}{row}", value=code)
            unsure.add(code)
    return unsure


def _by_label(sheet: Sheet, table: Table, key: str, missing: list[str], taken: set[int], what: str,
              labels: Mapping[str, str], label_key: str, found: Findings) -> dict[str, int]:
    """Rows found by their visible label when their code was deleted or mistyped (with a warning)."""
    code_letter, letter = table.columns[key], table.columns[label_key]
    candidates = sorted({c.row for c in sheet.cells.values()
                         if c.row > table.header_row and c.row not in taken
                         and column_letters(c.column) == letter})
    out: dict[str, int] = {}
    for code in missing:
        label = _label_key(labels.get(code, ""))
        row = next((r for r in candidates if label and r not in out.values()
                    and _label_key(sheet.value(f"{letter}{r}")).startswith(label)), None)
        if row is None:
            continue
        out[code] = row
        now = text_of(sheet.value(f"{code_letter}{row}"))
        found.add("row-code-missing", Severity.WARNING,
                  f"第 {row} 行“{labels[code]}”的{what}" + (f"被改成了“{now}”" if now else "被删除")
                  + f"（应为“{code}”），已按名称读取",
                  sheet=sheet.name, cell=f"{code_letter}{row}", value=now)
    return out


def rows_by_code(sheet: Sheet, table: Table, key: str, expected: list[str], what: str,
                 found: Findings, labels: Mapping[str, str] | None = None,
                 label_key: str | None = None) -> dict[str, int]:
    """Map each expected code to its row; report missing, extra, duplicated and moved rows.

    With ``labels`` (each code's visible name or text, in column ``label_key``), a row whose
    label is not its code's is an error and is not read, and a row whose code was deleted or
    mistyped is found by its label, with a warning.
    """
    letter = table.columns[key]
    rows: dict[str, int] = {}
    order: list[str] = []
    for cell in sorted(sheet.cells.values(), key=lambda c: c.row):
        if cell.column != column_index(letter) or cell.row <= table.header_row:
            continue
        code = text_of(cell.value)
        if code is None:
            continue
        if code in rows:
            found.add("row-duplicate", Severity.ERROR, f"{what}“{code}”重复出现（另见第 {rows[code]} 行）",
                      sheet=sheet.name, cell=cell.ref, value=code)
            continue
        rows[code] = cell.row
        order.append(code)
    wanted = set(expected)
    for code in order:
        if code not in wanted:
            found.add("row-extra", Severity.WARNING, f"多出的行：{what}“{code}”不在本年度模板中，已忽略",
                      sheet=sheet.name, cell=f"{letter}{rows[code]}", value=code)
    labelled = labels is not None and label_key is not None and label_key in table.columns
    unsure: set[str] = set()
    if labelled:
        assert labels is not None and label_key is not None
        unsure = _check_labels(sheet, table, rows, wanted, what, labels, label_key, found)
        missing = [c for c in expected if c not in rows]
        taken = {r for c, r in rows.items() if c in wanted}
        rows.update(_by_label(sheet, table, key, missing, taken, what, labels, label_key, found))
    for code in expected:
        if code not in rows:
            found.add("row-missing", Severity.ERROR,
                      f"缺少{what}“{code}”所在的行（行被删除或{what}被改动？）",
                      sheet=sheet.name, value=code)
    kept = [c for c in order if c in wanted]
    if kept != [c for c in expected if c in kept]:
        found.add("rows-reordered", Severity.INFO, f"{what}的行顺序被调整，已按{what}逐行读取",
                  sheet=sheet.name)
    return {c: r for c, r in rows.items() if c in wanted and c not in unsure}


def report_outside(sheet: Sheet, table: Table, rows: set[int], found: Findings) -> None:
    """Content the table does not read: cells in rows without a known code, in columns without a
    known header, or above the header. One finding per area of touching rows (gaps of at most
    ``AREA_GAP_ROWS``), with its range and how many cells it holds."""
    columns = {column_index(letter) for letter in table.columns.values()}
    areas: list[list[Cell]] = []
    last_row = -AREA_GAP_ROWS - 1
    for cell in sorted(sheet.cells.values(), key=lambda c: (c.row, c.column)):
        if cell.row == table.header_row:
            continue
        if cell.row in rows and (cell.column in columns or cell.column in table.extra):
            continue
        if not areas or cell.row - last_row > AREA_GAP_ROWS:
            areas.append([])
        areas[-1].append(cell)
        last_row = cell.row
    for area in areas:
        first = area[0]
        if first.row in rows:
            why = "所在列不是模板中的列"
        elif first.row < table.header_row:
            why = "位于表头上方"
        else:
            why = "所在行不是模板中的行（没有代码）"
        left, right = min(c.column for c in area), max(c.column for c in area)
        ref = first.ref if len(area) == 1 else \
            f"{column_letters(left)}{first.row}:{column_letters(right)}{area[-1].row}"
        more = f"（此区域共 {len(area)} 个有内容的单元格，位于 {ref}）" if len(area) > 1 else ""
        found.add("content-outside-table", Severity.WARNING,
                  f"{first.ref} 有内容“{text_of(first.value) or ''}”，{why}，不会被读取；"
                  f"请核对是否填错了位置{more}", sheet=sheet.name, cell=ref, value=first.value)


def cells_in(range_ref: str) -> tuple[int, int, int, int] | None:
    """(first column, first row, last column, last row) of ``B2:C5``; None when malformed."""
    match = _RANGE.match(range_ref)
    if match is None:
        return None
    c1, r1 = column_index(match[1]), int(match[2])
    c2, r2 = (column_index(match[3]), int(match[4])) if match[3] else (c1, r1)
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


def check_merged(sheet: Sheet, header_row: int, vital: set[str], found: Findings) -> None:
    """Merged ranges below the header: an error where they cover a column that is read (a merge
    keeps only the top-left value), a warning elsewhere."""
    vital_indexes = {column_index(letter) for letter in vital}
    for merged in sheet.merged:
        box = cells_in(merged)
        if box is None or box[3] <= header_row:
            continue
        first = merged.split(":")[0]
        if any(box[0] <= col <= box[2] for col in vital_indexes):
            found.add("merged-cells", Severity.ERROR,
                      f"单元格 {merged} 被合并，合并后只保留左上角的值；请取消合并后逐格填写",
                      sheet=sheet.name, cell=first, value=merged)
        else:
            found.add("merged-cells", Severity.WARNING,
                      f"单元格 {merged} 被合并（不是填报列，不影响读取）；建议取消合并",
                      sheet=sheet.name, cell=merged if ":" in merged else first, value=merged)


def check_overflow(sheet: Sheet, found: Findings) -> None:
    """An error when reading the sheet stopped at a cap: what follows was not read."""
    if sheet.overflow is None:
        return
    column, row = split_ref(sheet.overflow.ref)
    found.add("sheet-too-large", Severity.ERROR,
              f"工作表“{sheet.name}”的内容{sheet.overflow.reason}（到 {column}{row} 为止），远超模板范围，"
              "已停止读取；请删除表格以外的多余内容后重新保存", sheet=sheet.name, cell=sheet.overflow.ref)
