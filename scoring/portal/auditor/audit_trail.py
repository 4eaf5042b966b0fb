"""The audit log as auditors read it: filtered by unit, account, action and dates, and as CSV or
an Excel workbook.

The filters only narrow the query (``store.audit.filtered``); rows are shown exactly as written. No
exported cell is ever a formula: the CSV puts an apostrophe before text a spreadsheet would run, the
workbook stores every text as a string cell (openpyxl would make any text starting with "=" a formula).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.datastructures import QueryParams

from scoring.portal.settings import china_time
from scoring.portal.store.accounts import ROLE_LABELS
from scoring.portal.store.models import AuditEntry
from scoring.report.formatting import BEIJING
from scoring.workbook.template import workbook_bytes

ACTION_LABELS = {
    "sign-in": "登录", "sign-in-failed": "登录失败", "sign-in-throttled": "登录被暂停",
    "sign-out": "退出登录",
    "upload": "上传", "submit": "提交", "accept": "接受", "return": "退回", "reopen": "重新开放",
    "task-adjust": "审核调整", "task-restore": "恢复自报状态", "central-form": "中央记录（表单）",
    "central-upload": "中央记录（上传工作簿）", "run-start": "开始评分", "run-succeeded": "评分完成",
    "run-failed": "评分失败", "publish": "发布结果", "verify": "复核", "account-add": "新增账号",
    "account-disable": "停用账号", "account-password": "重设密码", "year-open": "开放年度",
    "year-deadline": "设定截止日期", "demo-seed": "演示数据",
    "draft-upload": "上传配置草稿", "draft-compare": "开始比较配置", "draft-compared": "配置比较完成",
    "draft-compare-failed": "配置比较失败", "config-adopt": "采用指标配置",
    "sign-in-2fa-failed": "动态验证码错误", "recovery-code-used": "使用恢复码", "totp-enrol": "启用双因素",
    "totp-reset": "重置双因素", "password-change": "更换密码", "account-unlock": "解除登录限制",
    "audit-prune": "清理审计日志",
}


@dataclass(frozen=True)
class LogFilter:
    """What the auditor asked for; empty fields do not filter."""

    unit: str = ""
    user: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def moments(self) -> tuple[datetime | None, datetime | None]:
        """The dates (Beijing, inclusive) as a half-open range of moments."""
        start = datetime.combine(self.since, time(), BEIJING) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(), BEIJING) if self.until else None
        return start, end

    def query_string(self) -> str:
        """The filter as URL query parameters (for the CSV link)."""
        from urllib.parse import urlencode

        pairs = {"unit": self.unit, "user": self.user, "action": self.action,
                 "since": self.since.isoformat() if self.since else "",
                 "until": self.until.isoformat() if self.until else ""}
        return urlencode({k: v for k, v in pairs.items() if v})


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse_filter(params: QueryParams) -> LogFilter:
    """The filter from a page's query parameters (malformed dates and codes are ignored)."""
    unit = (params.get("unit") or "").strip()
    return LogFilter(unit=unit[:20],
                     user=(params.get("user") or "").strip()[:64],
                     action=(params.get("action") or "").strip()[:32],
                     since=_day(params.get("since")), until=_day(params.get("until")))


CSV_HEADER = ("编号", "时间（北京时间）", "账号", "角色", "账号所属单位", "动作代码", "动作", "对象",
              "变化前", "变化后", "客户端地址")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _texts(row: AuditEntry) -> list[str]:
    """The row's text columns, from 账号 to 客户端地址, exactly as stored ("" for none)."""
    return [row.account_name or "", ROLE_LABELS.get(row.role or "", row.role or ""), row.unit_code or "",
            row.action, ACTION_LABELS.get(row.action, ""), row.object or "", row.before or "",
            row.after or "", row.client or ""]


def _cell(text: str) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(rows: list[AuditEntry]) -> bytes:
    """The rows as UTF-8 CSV with a byte-order mark (Excel opens it as Chinese text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([row.id, china_time(row.at), *map(_cell, _texts(row))])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"  # as ``china_time`` writes it
MAX_WIDTH = 60
# when no row gives a moment, the document's properties still must not say "now"
NO_MOMENT = datetime(2000, 1, 1)


def _width(text: str) -> int:
    """How many columns of a Latin font the text needs: two for each Chinese (wide) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _beijing(moment: datetime) -> datetime:
    """A moment as Beijing wall-clock time to the second (a spreadsheet has no time zones)."""
    return moment.astimezone(BEIJING).replace(tzinfo=None, microsecond=0)


def xlsx_bytes(rows: list[AuditEntry]) -> bytes:
    """The rows as an Excel workbook: the CSV's columns under a bold, frozen header row, times as
    Beijing time, every text a string cell (never a formula), and the same bytes for the same rows."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "审计日志"
    ws.append(CSV_HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [_width(name) for name in CSV_HEADER]
    widths[1] = max(widths[1], len(TIME_FORMAT))
    for number, row in enumerate(rows, 2):
        ws.cell(number, 1, row.id)
        ws.cell(number, 2, _beijing(row.at)).number_format = TIME_FORMAT
        for column, text in enumerate(_texts(row), 3):
            # XML cannot hold most control characters: they are shown as U+FFFD
            text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
            cell = ws.cell(number, column, text)
            cell.data_type = "s"  # openpyxl makes "=..." a formula and "#N/A" an error
            if text.startswith(FORMULA_STARTS):
                cell.quotePrefix = True  # as Excel marks text typed after an apostrophe
            widths[column - 1] = max(widths[column - 1], _width(text))
    for column, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(column)].width = min(width, MAX_WIDTH) + 2
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(CSV_HEADER))}{len(rows) + 1}"
    moment = max((r.at.astimezone(UTC).replace(tzinfo=None, microsecond=0) for r in rows),
                 default=NO_MOMENT)
    wb.properties.creator = wb.properties.lastModifiedBy = "scoring"
    wb.properties.created = wb.properties.modified = moment
    wb.properties.title = "审计日志"
    return workbook_bytes(wb)
