"""Validate an uploaded submission workbook and return every finding at once.

Order of work: the upload (a regular file within the size limit, read with a cap), the guard
(is it a safe .xlsx?), the bounded reader, the hidden metadata (year, indicator set, template
version, unit), the sheets, the cover, the task table and the data table (columns found by
header text, rows by code), their values, the indicator set's cross-item checks, then the soft
plausibility bounds (unit size, previous year). Only a refused file and an unreadable package
stop early; everything else is collected, and repeated findings about one area are grouped.

``validate_bytes`` is the door for bytes already in memory (the portal's uploads);
``validate_submission`` reads a path first, with the same limits and messages.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from defusedxml import DefusedXmlException

from scoring.indicators.items import DataItem, Value
from scoring.indicators.models import IndicatorSet, Intake
from scoring.indicators.rules.base import TaskStatus
from scoring.problems import Problem, Severity, make
from scoring.workbook import layout as L
from scoring.workbook.central import read_central
from scoring.workbook.findings import Findings, group_repeated
from scoring.workbook.guard import DEFAULT_LIMITS, Limits, UnsafeEntry, check_bytes
from scoring.workbook.plausibility import previous_year_findings, size_findings, wrong_unit_findings
from scoring.workbook.reader import RawWorkbook, Sheet, UnreadablePart, column_index, read_workbook
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import ItemValue, ReadSummary, Submission, TaskReport
from scoring.workbook.tables import (
    Table,
    check_merged,
    check_overflow,
    locate_table,
    report_outside,
    rows_by_code,
    text_of,
)
from scoring.workbook.upload import Upload, read_upload
from scoring.workbook.values import Note, choice_value, date_in, is_error_value, item_at, shown

ConfigLoader = Callable[[int], YearConfig | None]

log = logging.getLogger(__name__)
# the sheets whose cells are read; the others are only listed (names and visibility)
READ_SHEETS = frozenset({L.COVER, L.TASKS, L.DATA, L.META, L.CENTRAL})


def _meta(book: RawWorkbook) -> dict[str, str]:
    sheet = book.sheet(L.META)
    if sheet is None:
        return {}
    out: dict[str, str] = {}
    for row in range(1, len(L.META_KEYS) + 5):
        key, value = text_of(sheet.value(f"A{row}")), text_of(sheet.value(f"B{row}"))
        if key and value:
            out[key] = value
    return out


def _meta_cell(key: str) -> str:
    return f"B{L.META_KEYS.index(key) + 1}"


def _check_sheets(book: RawWorkbook, found: Findings) -> None:
    names = book.names
    for name in L.VISIBLE_SHEETS:
        if name in names:
            continue
        if name == L.INSTRUCTIONS:
            found.add("sheet-missing", Severity.WARNING,
                      f"工作表“{name}”被删除（不含填报数据，不影响读取）", sheet=name)
        else:
            found.add("sheet-missing", Severity.ERROR, f"缺少工作表“{name}”，请使用原模板填写", sheet=name)
    visible = [s.name for s in book.sheets if s.state == "visible"]
    for name in visible:
        if name not in L.ALL_SHEETS:
            found.add("sheet-extra", Severity.WARNING, f"多出工作表“{name}”，其内容不会被读取", sheet=name)
    present = [n for n in names if n in L.VISIBLE_SHEETS]
    if present != [n for n in L.VISIBLE_SHEETS if n in present]:
        found.add("sheet-order", Severity.WARNING,
                  f"工作表顺序被调整（{'、'.join(present)}），已按名称读取")


def _located(found: Findings, notes: list[Note], sheet: str, cell: str, label: str, value: object) -> None:
    for note in notes:
        found.add(note.code, note.severity, f"{label}：{note.message}", sheet=sheet, cell=cell, value=value)


def _cover(book: RawWorkbook, meta: dict[str, str], config: YearConfig | None, year: int | None,
           found: Findings) -> tuple[str | None, dict[str, str | None]]:
    sheet = book.sheet(L.COVER)
    contact: dict[str, str | None] = {}
    unit_code = meta.get("unit_code")
    if sheet is None:
        return unit_code, contact
    check_overflow(sheet, found)
    check_merged(sheet, L.HEADER_ROW, {"B"}, found)
    written = text_of(sheet.value(L.cover_cell("unit_code")))
    if written is None and unit_code is None:
        found.add("unit-missing", Severity.ERROR, "未填写单位代码", sheet=L.COVER,
                  cell=L.cover_cell("unit_code"))
    elif written is not None and unit_code is not None and written != unit_code:
        found.add("unit-mismatch", Severity.ERROR,
                  f"封面单位代码 {written} 与模板所属单位 {unit_code} 不一致，请使用本单位的模板",
                  sheet=L.COVER, cell=L.cover_cell("unit_code"), value=written)
    unit_code = unit_code or written
    if config is not None and unit_code is not None and unit_code not in config.units:
        found.add("unit-unknown", Severity.ERROR, f"单位代码 {unit_code} 不是 32 个考核单位之一",
                  sheet=L.COVER, cell=L.cover_cell("unit_code"), value=unit_code)
    for key, label in L.COVER_FIELDS:
        if key in L.COVER_LOCKED:
            continue
        ref = L.cover_cell(key)
        cell = sheet.get(ref)
        if cell is None or cell.value is None:
            contact[key] = None
            found.add("cover-missing", Severity.ERROR, f"封面“{label}”未填写", sheet=L.COVER, cell=ref)
        elif key == "filled_on":
            notes: list[Note] = []
            filled = date_in(cell, notes, year)
            contact[key] = None if filled is None else filled.isoformat()
            _located(found, [n for n in notes if n.severity is not Severity.INFO], L.COVER, ref,
                     f"封面“{label}”", cell.value)
        else:
            contact[key] = text_of(cell.value)
    return unit_code, contact


def _table(book: RawWorkbook, name: str, spec: tuple[L.Column, ...],
           found: Findings) -> tuple[Table | None, set[str]]:
    """The sheet's table (None when its headers cannot be trusted) and the letters read from it."""
    sheet = book.sheet(name)
    if sheet is None:
        return None, set()
    check_overflow(sheet, found)
    table = locate_table(sheet, spec, found)
    if table is None:
        check_merged(sheet, L.HEADER_ROW, {c.letter for c in spec if c.input or c.required}, found)
        return None, set()
    vital = {table.columns[c.key] for c in spec if (c.input or c.required) and c.key in table.columns}
    check_merged(sheet, table.header_row, vital, found)
    return table, vital


def _tasks(book: RawWorkbook, config: YearConfig, found: Findings) -> dict[str, TaskReport]:
    intake = config.indicator_set.intake
    table, _ = _table(book, L.TASKS, L.TASK_COLUMNS, found)
    sheet = book.sheet(L.TASKS)
    if table is None or sheet is None:
        return {}
    expected = [t.id for t in config.source.assessed_tasks()]
    texts = {t.id: t.text for t in config.source.assessed_tasks()}
    rows = rows_by_code(sheet, table, "id", expected, "任务编号", found, texts, "text")
    report_outside(sheet, table, set(rows.values()) | _coded_rows(sheet, table, "id"), found)
    statuses = [s.value for s in TaskStatus]
    reports: dict[str, TaskReport] = {}
    for task_id in expected:
        row = rows.get(task_id)
        if row is None:
            continue
        status_cell = table.ref("status", row) or ""
        raw = sheet.value(status_cell)
        status: TaskStatus | None = None
        if text_of(raw) is None:
            found.add("task-status-missing", Severity.ERROR, f"任务 {task_id} 未选择落实情况",
                      sheet=L.TASKS, cell=status_cell)
        else:
            notes: list[Note] = []
            chosen = choice_value(raw, statuses, "task-status-invalid", notes)
            status = None if chosen is None else TaskStatus(chosen)
            _located(found, notes, L.TASKS, status_cell, f"任务 {task_id} 的落实情况", raw)
        evidence_cell = table.ref("evidence", row) or ""
        evidence = _document(sheet, evidence_cell, task_id, "佐证材料", intake, found)
        if status is TaskStatus.DONE and evidence is None and text_of(sheet.value(evidence_cell)) is None:
            found.add("task-evidence-missing", Severity.WARNING,
                      f"任务 {task_id} 填报“已完成”但未列佐证材料，不能得满分",
                      sheet=L.TASKS, cell=evidence_cell)
        practice_cell = table.ref("practice", row)
        practice = None if practice_cell is None else _document(sheet, practice_cell, task_id, "主要做法",
                                                                 intake, found)
        reports[task_id] = TaskReport(
            task_id=task_id, status=status, evidence=evidence, sheet=L.TASKS, cell=status_cell,
            practice=practice)
    return reports


def _document(sheet: Sheet, ref: str, task_id: str, label: str, intake: Intake,
              found: Findings) -> str | None:
    """The text of a 佐证材料 or 主要做法 cell; None when blank, an error value (reported by
    ``_error_values``) or a placeholder such as 无 or / (a warning: it names no document)."""
    cell = sheet.get(ref)
    if cell is None or cell.value is None or is_error_value(cell):
        return None
    text = text_of(cell.value)
    if text is not None and intake.placeholder(text):
        found.add("task-evidence-placeholder", Severity.WARNING,
                  f"任务 {task_id} 的{label}只填了“{text}”，不是材料或做法的名称，按未填写计"
                  f"（“{label}”请写明文件或做法，如“××专项行动方案”）",
                  sheet=sheet.name, cell=ref, value=text)
        return None
    return text


def _error_values(book: RawWorkbook, found: Findings) -> None:
    """Every cell of a read sheet showing an error value (#N/A, #REF!, … or a picture in a cell that
    an older reader shows as #VALUE!) is an error on its cell, text columns as much as numbers;
    cells already reported with an error are not repeated."""
    reported = {(p.sheet, p.cell) for p in found.items if p.severity is Severity.ERROR}
    for name in (L.COVER, L.TASKS, L.DATA):
        sheet = book.sheet(name)
        if sheet is None:
            continue
        for cell in sorted(sheet.cells.values(), key=lambda c: (c.row, c.column)):
            if is_error_value(cell) and (name, cell.ref) not in reported:
                found.add("cell-error-value", Severity.ERROR,
                          f"{cell.ref} 显示错误值 {text_of(cell.value)}，不是有效内容；"
                          "请改为正确的文字或数值（图片、附件请另行报送，单元格内写明材料名称）",
                          sheet=name, cell=cell.ref, value=cell.value)


def _coded_rows(sheet: Sheet, table: Table, key: str) -> set[int]:
    """Rows holding any code in the key column (extra codes are reported as rows of their own)."""
    column = column_index(table.columns[key])
    return {c.row for c in sheet.cells.values() if c.column == column and c.row > table.header_row}


def _data(book: RawWorkbook, items: list[DataItem], year: int | None, intake: Intake,
          found: Findings) -> dict[str, ItemValue]:
    table, _ = _table(book, L.DATA, L.DATA_COLUMNS, found)
    sheet = book.sheet(L.DATA)
    if table is None or sheet is None:
        return {}
    names = {i.code: i.name for i in items}
    rows = rows_by_code(sheet, table, "code", [i.code for i in items], "数据项代码", found, names, "name")
    report_outside(sheet, table, set(rows.values()) | _coded_rows(sheet, table, "code"), found)
    values: dict[str, ItemValue] = {}
    for item in items:
        row = rows.get(item.code)
        ref = table.ref("value", row) if row is not None else None
        if ref is None:
            continue
        values[item.code], problems = item_at(sheet, ref, item, item.name, year, intake.percent_cells)
        found.extend(problems)
        _check_measure(sheet, table, row, item, found)
    return values


def _check_measure(sheet: Sheet, table: Table, row: int | None, item: DataItem, found: Findings) -> None:
    """An error when the row's 计量单位 is not the template's: the figure may be in another unit."""
    ref = table.ref("unit", row) if row is not None else None
    if ref is None:
        return
    written = text_of(sheet.value(ref))
    if (written or "") != (item.unit or ""):
        found.add("measure-unit-changed", Severity.ERROR,
                  f"{item.name}的计量单位被改成了“{written or '空白'}”（模板为“{item.unit or '空白'}”），"
                  f"无法确定填报值的单位；请恢复为“{item.unit or '空白'}”，并按该单位填写数值",
                  sheet=sheet.name, cell=ref, value=written)


def _cross_checks(indicator_set: IndicatorSet, values: dict[str, ItemValue],
                  found: Findings, sheet: str = L.DATA, who: str = "") -> None:
    plain: dict[str, Value | None] = {code: v.value for code, v in values.items()}
    names = indicator_set.item_map()
    for check in indicator_set.checks:
        codes = check.referenced_items()
        if any(code not in values for code in codes):
            continue
        if check.holds(plain) is False:
            shown_values = "；".join(f"{names[c].name}（{values[c].cell}）={shown(plain[c])}"
                                     for c in codes if c in names)
            first = values[codes[0]] if codes else None
            found.add("cross-check", check.severity, f"{who}{check.message}（{shown_values}）", sheet=sheet,
                      cell=first.cell if first else None, value=check.id)


def _read(data: bytes, file_name: str, limits: Limits, found: Findings) -> RawWorkbook | None:
    """The workbook's sheets, or None with the reason found; a reader bug is an internal error."""
    try:
        return read_workbook(data, limits, READ_SHEETS)
    except DefusedXmlException:
        found.extend([make("xml-entity", part="工作表")])
    except UnsafeEntry as exc:
        found.extend([make("zip-bomb", what=f"“{exc}”超过 {limits.max_entry_bytes} 字节")])
    except UnreadablePart as exc:
        found.extend([make("file-corrupt", reason=str(exc))])
    except Exception as exc:  # a bug in the reader, not a damaged file: say so and log it
        log.exception("reading %s failed inside the reader", file_name)
        found.extend([make("internal-error", reason=type(exc).__name__)])
    return None


def validate_bytes(data: bytes, file_name: str, load_config: ConfigLoader, *,
                   expected_year: int | None = None, previous: Mapping[str, float] | None = None,
                   limits: Limits = DEFAULT_LIMITS) -> Submission:
    """Every finding about one uploaded workbook held in memory, with the values it holds.

    ``previous`` is the unit's previous-year figures by item code, for the plausibility check
    against last year (optional). Bytes over ``limits.max_file_bytes`` are refused unread.
    """
    submission = Submission(file=file_name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    blocking = check_bytes(data, file_name, limits)
    if blocking:
        submission.findings = [p.model_copy(update={"file": None}) for p in blocking]
        return submission
    found = Findings()
    book = _read(data, file_name, limits, found)
    if book is not None:
        _validate_book(book, submission, load_config, expected_year, previous, found)
    submission.findings = group_repeated(found.items)
    return submission


def validate_upload(upload: Upload, load_config: ConfigLoader, *, expected_year: int | None = None,
                    previous: Mapping[str, float] | None = None,
                    limits: Limits = DEFAULT_LIMITS) -> Submission:
    """Validate what ``read_upload`` returned: the file's own findings when it was refused."""
    if upload.data is None:
        return Submission(file=upload.name, sha256="", size=upload.size,
                          findings=[p.model_copy(update={"file": None}) for p in upload.problems])
    return validate_bytes(upload.data, upload.name, load_config, expected_year=expected_year,
                          previous=previous, limits=limits)


def validate_submission(path: Path, load_config: ConfigLoader, expected_year: int | None = None, *,
                        previous: Mapping[str, float] | None = None,
                        limits: Limits = DEFAULT_LIMITS) -> Submission:
    """Every finding about one workbook on disk; the path may be anything (a folder, a pipe, a
    device, a file without permission), which then becomes a finding, never an exception."""
    return validate_upload(read_upload(path, limits), load_config, expected_year=expected_year,
                           previous=previous, limits=limits)


def _template(meta: dict[str, str], load_config: ConfigLoader, expected_year: int | None,
              found: Findings) -> tuple[int | None, YearConfig | None]:
    year_text = meta.get("year")
    year = int(year_text) if year_text and year_text.isdigit() else None
    if year is None:
        found.add("template-unknown", Severity.ERROR,
                  "不是本系统生成的报送模板（缺少模板信息），请下载本年度模板填写", sheet=L.META)
        year = expected_year
    elif expected_year is not None and year != expected_year:
        found.add("template-year", Severity.ERROR,
                  f"这是 {year} 年度的模板，不是 {expected_year} 年度的，请下载本年度模板", sheet=L.META,
                  cell=_meta_cell("year"), value=year)
    config = load_config(year) if year is not None else None
    if year is not None and config is None:
        found.add("template-year", Severity.ERROR, f"没有 {year} 年度的指标配置，无法校验", sheet=L.META,
                  cell=_meta_cell("year") if year_text else None, value=year)
    if meta and meta.get("template_version") != L.TEMPLATE_VERSION:
        found.add("template-version", Severity.ERROR,
                  f"模板版本 {meta.get('template_version')} 与当前版本 {L.TEMPLATE_VERSION} 不符，"
                  "请下载新模板",
                  sheet=L.META, cell=_meta_cell("template_version"), value=meta.get("template_version"))
    if config is not None and meta.get("indicator_sha256") not in (None, config.source.sha256):
        found.add("template-config-changed", Severity.ERROR,
                  "模板生成后指标配置已更新，数据项可能不同，请下载最新模板重新填写", sheet=L.META,
                  cell=_meta_cell("indicator_sha256"), value=meta.get("indicator_sha256"))
    return year, config


def _validate_book(book: RawWorkbook, submission: Submission, load_config: ConfigLoader,
                   expected_year: int | None, previous: Mapping[str, float] | None,
                   found: Findings) -> None:
    meta = _meta(book)
    year, config = _template(meta, load_config, expected_year, found)
    submission.year = year
    submission.indicator_sha256 = meta.get("indicator_sha256")
    if meta.get("unit_code") == L.CENTRAL_UNIT:
        submission.unit_code = L.CENTRAL_UNIT
        submission.unit_name = "全国打击侵权假冒工作领导小组办公室"
        submission.read = ReadSummary()
        if config is not None:
            records = read_central(book, config.source, config.units, year,
                                   config.indicator_set.intake.percent_cells)
            found.extend(records.findings)
            submission.central = records.values
            submission.read = ReadSummary(central_units=len(records.values))
            for code, values in records.values.items():
                _cross_checks(config.indicator_set, values, found, sheet=L.CENTRAL,
                              who=f"{config.units[code].name}：")
        return
    _check_sheets(book, found)
    unit_code, submission.contact = _cover(book, meta, config, year, found)
    submission.unit_code = unit_code
    if config is None:
        submission.read = ReadSummary()
        return
    unit = config.units.get(unit_code or "")
    submission.unit_name = unit.name if unit else None
    submission.tasks = _tasks(book, config, found)
    items = config.source.province_items()
    submission.values = _data(book, items, year, config.indicator_set.intake, found)
    _error_values(book, found)
    submission.read = ReadSummary(tasks=len(submission.tasks), values=len(submission.values))
    _cross_checks(config.indicator_set, submission.values, found)
    wrong_unit = wrong_unit_findings(items, submission.values, unit, previous,
                                     config.indicator_set.intake.wrong_unit_factor)
    found.extend(wrong_unit)
    flagged = {p.cell for p in wrong_unit}
    found.extend(p for p in size_findings(items, submission.values, unit) if p.cell not in flagged)
    found.extend(p for p in previous_year_findings(items, submission.values, previous)
                 if p.cell not in flagged)


def add_previous_year_findings(submission: Submission, config: YearConfig,
                               previous: Mapping[str, float] | None) -> list[Problem]:
    """Compare an already validated submission with the unit's previous-year figures, adding
    (and returning) the warnings; for callers that learn the unit only after validation."""
    items = config.source.province_items()
    unit = config.units.get(submission.unit_code or "")
    added = wrong_unit_findings(items, submission.values, unit, previous,
                                config.indicator_set.intake.wrong_unit_factor)
    flagged = {p.cell for p in added}
    added += [p for p in previous_year_findings(items, submission.values, previous) if p.cell not in flagged]
    submission.findings = [*submission.findings, *added]
    return added
