"""Validate an uploaded submission workbook and return every finding at once.

Order of work: the guard (is it a safe .xlsx?), the reader, the hidden metadata (year, indicator
set, template version, unit), the sheets, the cover, merged cells, the task rows, the data rows
and their values, the indicator set's cross-item checks. Only the guard and an unreadable
package stop early; everything else is collected.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from scoring.indicators.items import DataItem, Value
from scoring.indicators.models import IndicatorSet
from scoring.indicators.rules.base import TaskStatus
from scoring.problems import Problem, Severity
from scoring.workbook import layout as L
from scoring.workbook.central import read_central
from scoring.workbook.guard import CORRUPT_ERRORS, UnsafeEntry, check_file
from scoring.workbook.reader import RawWorkbook, Sheet, column_index, read_workbook
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import ItemValue, Submission, TaskReport
from scoring.workbook.values import EXCEL_EPOCH, item_at

_RANGE = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")


ConfigLoader = Callable[[int], YearConfig | None]

# a package that passed the guard can still hold XML or values the reader cannot use
READ_ERRORS: tuple[type[BaseException], ...] = (*CORRUPT_ERRORS, ParseError, IndexError, TypeError)


class _Findings:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: str, severity: Severity, message: str, sheet: str | None = None,
            cell: str | None = None, value: object = None) -> None:
        shown = None if value is None else str(value)
        self.items.append(Problem(code=code, severity=severity, message=message, sheet=sheet,
                                  cell=cell, value=shown))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def _meta(book: RawWorkbook) -> dict[str, str]:
    sheet = book.sheet(L.META)
    if sheet is None:
        return {}
    out: dict[str, str] = {}
    for row in range(1, len(L.META_KEYS) + 5):
        key, value = _text(sheet.value(f"A{row}")), _text(sheet.value(f"B{row}"))
        if key and value:
            out[key] = value
    return out


def _check_sheets(book: RawWorkbook, found: _Findings) -> None:
    names = book.names
    for name in L.VISIBLE_SHEETS:
        if name not in names:
            found.add("sheet-missing", Severity.ERROR, f"缺少工作表“{name}”，请使用原模板填写", sheet=name)
    visible = [s.name for s in book.sheets if s.state == "visible"]
    for name in visible:
        if name not in L.ALL_SHEETS:
            found.add("sheet-extra", Severity.WARNING, f"多出工作表“{name}”，其内容不会被读取", sheet=name)
    present = [n for n in names if n in L.VISIBLE_SHEETS]
    if present != [n for n in L.VISIBLE_SHEETS if n in present]:
        found.add("sheet-order", Severity.WARNING,
                  f"工作表顺序被调整（{'、'.join(present)}），已按名称读取")


def _cells_in(range_ref: str) -> tuple[int, int, int, int] | None:
    match = _RANGE.match(range_ref)
    if match is None:
        return None
    c1, r1 = column_index(match[1]), int(match[2])
    c2, r2 = (column_index(match[3]), int(match[4])) if match[3] else (c1, r1)
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


def _check_merged(sheet: Sheet, found: _Findings) -> None:
    for merged in sheet.merged:
        box = _cells_in(merged)
        if box is not None and box[3] >= L.HEADER_ROW + 1:
            found.add("merged-cells", Severity.ERROR,
                      f"单元格 {merged} 被合并，请取消合并后逐格填写", sheet=sheet.name,
                      cell=merged.split(":")[0], value=merged)


def _rows_by_code(sheet: Sheet, column: str, expected: list[str], what: str,
                  found: _Findings) -> dict[str, int]:
    """Map each expected code to its row; report missing, extra, duplicated and moved rows."""
    rows: dict[str, int] = {}
    order: list[str] = []
    for row in range(L.FIRST_ROW, sheet.max_row + 1):
        code = _text(sheet.value(f"{column}{row}"))
        if code is None:
            continue
        if code in rows:
            found.add("row-duplicate", Severity.ERROR, f"{what}“{code}”重复出现（另见第 {rows[code]} 行）",
                      sheet=sheet.name, cell=f"{column}{row}", value=code)
            continue
        rows[code] = row
        order.append(code)
    wanted = set(expected)
    for code in order:
        if code not in wanted:
            found.add("row-extra", Severity.WARNING, f"多出的行：{what}“{code}”不在本年度模板中，已忽略",
                      sheet=sheet.name, cell=f"{column}{rows[code]}", value=code)
    for code in expected:
        if code not in rows:
            found.add("row-missing", Severity.ERROR, f"缺少{what}“{code}”所在的行（行被删除？）",
                      sheet=sheet.name, value=code)
    kept = [c for c in order if c in wanted]
    if kept != [c for c in expected if c in rows]:
        found.add("rows-reordered", Severity.INFO, f"{what}的行顺序被调整，已按{what}逐行读取",
                  sheet=sheet.name)
    return {c: r for c, r in rows.items() if c in wanted}


def _cover(book: RawWorkbook, meta: dict[str, str], config: YearConfig | None,
           found: _Findings) -> tuple[str | None, dict[str, str | None]]:
    sheet = book.sheet(L.COVER)
    contact: dict[str, str | None] = {}
    unit_code = meta.get("unit_code")
    if sheet is None:
        return unit_code, contact
    _check_merged(sheet, found)
    written = _text(sheet.value(L.cover_cell("unit_code")))
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
        cell = sheet.get(L.cover_cell(key))
        value = None if cell is None else cell.value
        if key == "filled_on" and isinstance(value, float) and 36526 <= value <= 73415:
            contact[key] = (EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
        else:
            contact[key] = _text(value)
        if contact[key] is None:
            found.add("cover-missing", Severity.ERROR, f"封面“{label}”未填写", sheet=L.COVER,
                      cell=L.cover_cell(key))
    return unit_code, contact


def _tasks(book: RawWorkbook, config: YearConfig, found: _Findings) -> dict[str, TaskReport]:
    sheet = book.sheet(L.TASKS)
    if sheet is None:
        return {}
    _check_merged(sheet, found)
    expected = [t.id for t in config.source.assessed_tasks()]
    rows = _rows_by_code(sheet, L.TASK_ID_COL, expected, "任务编号", found)
    statuses = {s.value: s for s in TaskStatus}
    reports: dict[str, TaskReport] = {}
    for task_id in expected:
        row = rows.get(task_id)
        if row is None:
            continue
        status_cell = f"{L.TASK_STATUS_COL}{row}"
        raw = _text(sheet.value(status_cell))
        status = statuses.get(raw) if raw else None
        if raw is None:
            found.add("task-status-missing", Severity.ERROR, f"任务 {task_id} 未选择落实情况",
                      sheet=L.TASKS, cell=status_cell)
        elif status is None:
            found.add("task-status-invalid", Severity.ERROR,
                      f"任务 {task_id} 的落实情况“{raw}”无效，应为：{'、'.join(statuses)}",
                      sheet=L.TASKS, cell=status_cell, value=raw)
        evidence = _text(sheet.value(f"{L.TASK_EVIDENCE_COL}{row}"))
        if status is TaskStatus.DONE and evidence is None:
            found.add("task-evidence-missing", Severity.WARNING,
                      f"任务 {task_id} 填报“已完成”但未列佐证材料，不能得满分",
                      sheet=L.TASKS, cell=f"{L.TASK_EVIDENCE_COL}{row}")
        reports[task_id] = TaskReport(
            task_id=task_id, status=status, practice=_text(sheet.value(f"{L.TASK_PRACTICE_COL}{row}")),
            evidence=evidence, sheet=L.TASKS, cell=status_cell)
    return reports


def _data(book: RawWorkbook, items: list[DataItem], found: _Findings) -> dict[str, ItemValue]:
    sheet = book.sheet(L.DATA)
    if sheet is None:
        return {}
    _check_merged(sheet, found)
    rows = _rows_by_code(sheet, L.DATA_CODE_COL, [i.code for i in items], "数据项代码", found)
    values: dict[str, ItemValue] = {}
    for item in items:
        row = rows.get(item.code)
        if row is None:
            continue
        values[item.code], problems = item_at(sheet, f"{L.DATA_VALUE_COL}{row}", item, item.name)
        found.items.extend(problems)
    return values


def _central_checks(indicator_set: IndicatorSet, records: dict[str, dict[str, ItemValue]],
                    found: _Findings) -> None:
    """Cross-item checks between central items, unit by unit."""
    for values in records.values():
        _cross_checks(indicator_set, values, found, sheet=L.CENTRAL)


def _cross_checks(indicator_set: IndicatorSet, values: dict[str, ItemValue],
                  found: _Findings, sheet: str = L.DATA) -> None:
    plain: dict[str, Value | None] = {code: v.value for code, v in values.items()}
    names = indicator_set.item_map()
    for check in indicator_set.checks:
        if any(code not in values for code in check.referenced_items()):
            continue
        if check.holds(plain) is False:
            shown = "；".join(f"{names[c].name}={plain[c]}" for c in check.referenced_items() if c in names)
            first = values[check.referenced_items()[0]] if check.referenced_items() else None
            found.add("cross-check", check.severity, f"{check.message}（{shown}）", sheet=sheet,
                      cell=first.cell if first else None, value=check.id)


def validate_submission(path: Path, load_config: ConfigLoader,
                        expected_year: int | None = None) -> Submission:
    """Every finding about one uploaded workbook, with the values it holds."""
    data = path.read_bytes()
    submission = Submission(file=path.name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    found = _Findings()
    blocking = check_file(path)
    if blocking:
        submission.findings = [p.model_copy(update={"file": None}) for p in blocking]
        return submission
    try:
        book = read_workbook(path)
    except DefusedXmlException:
        found.add("xml-entity", Severity.ERROR, "文件含有 DTD/实体声明，疑似 XML 实体攻击，已拒绝")
    except UnsafeEntry as exc:
        found.add("zip-bomb", Severity.ERROR, f"“{exc}”解压后过大，疑似压缩炸弹，已拒绝")
    except READ_ERRORS as exc:
        found.add("file-corrupt", Severity.ERROR,
                  f"文件内容已损坏，无法读取（{type(exc).__name__}），请重新保存后上传")
    else:
        _validate_book(book, submission, load_config, expected_year, found)
    submission.findings = found.items
    return submission


def _validate_book(book: RawWorkbook, submission: Submission, load_config: ConfigLoader,
                   expected_year: int | None, found: _Findings) -> None:
    meta = _meta(book)
    year_text = meta.get("year")
    year = int(year_text) if year_text and year_text.isdigit() else None
    if year is None:
        found.add("template-unknown", Severity.ERROR,
                  "不是本系统生成的报送模板（缺少模板信息），请下载本年度模板填写", sheet=L.META)
        year = expected_year
    elif expected_year is not None and year != expected_year:
        found.add("template-year", Severity.ERROR,
                  f"这是 {year} 年度的模板，不是 {expected_year} 年度的，请下载本年度模板", sheet=L.META,
                  value=year)
    config = load_config(year) if year is not None else None
    if year is not None and config is None:
        found.add("template-year", Severity.ERROR, f"没有 {year} 年度的指标配置，无法校验", sheet=L.META,
                  value=year)
    submission.year = year
    if meta and meta.get("template_version") != L.TEMPLATE_VERSION:
        found.add("template-version", Severity.ERROR,
                  f"模板版本 {meta.get('template_version')} 与当前版本 {L.TEMPLATE_VERSION} 不符，"
                  "请下载新模板",
                  sheet=L.META, value=meta.get("template_version"))
    if config is not None and meta.get("indicator_sha256") not in (None, config.source.sha256):
        found.add("template-config-changed", Severity.ERROR,
                  "模板生成后指标配置已更新，数据项可能不同，请下载最新模板重新填写", sheet=L.META,
                  value=meta.get("indicator_sha256"))
    submission.indicator_sha256 = meta.get("indicator_sha256")
    if meta.get("unit_code") == L.CENTRAL_UNIT:
        submission.unit_code = L.CENTRAL_UNIT
        submission.unit_name = "全国打击侵权假冒工作领导小组办公室"
        if config is not None:
            records = read_central(book, config.source, config.units)
            found.items.extend(records.findings)
            submission.central = records.values
            _central_checks(config.indicator_set, records.values, found)
        return
    _check_sheets(book, found)
    unit_code, submission.contact = _cover(book, meta, config, found)
    submission.unit_code = unit_code
    if config is None:
        return
    unit = config.units.get(unit_code or "")
    submission.unit_name = unit.name if unit else None
    submission.tasks = _tasks(book, config, found)
    submission.values = _data(book, config.source.province_items(), found)
    _cross_checks(config.indicator_set, submission.values, found)
    errors = sum(f.severity is Severity.ERROR for f in found.items)
    found.add("submission-read", Severity.INFO,
              f"已读取{submission.unit_name or unit_code or '未知单位'} {year} 年度报送："
              f"{len(submission.tasks)} 项任务、{len(submission.values)} 项数据，"
              + (f"{errors} 个错误" if errors else "未发现错误"))

