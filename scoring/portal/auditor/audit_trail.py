"""The audit log as auditors read it: filtered by unit, account, action and dates, and as CSV.

The filters only narrow the query (``store.audit.filtered``); rows are shown exactly as written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from starlette.datastructures import QueryParams

from scoring.portal.settings import CHINA, china_time
from scoring.portal.store.accounts import ROLE_LABELS
from scoring.portal.store.models import AuditEntry

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
        start = datetime.combine(self.since, time(), CHINA) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(), CHINA) if self.until else None
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


def _cell(value: str | None) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(rows: list[AuditEntry]) -> bytes:
    """The rows as UTF-8 CSV with a byte-order mark (Excel opens it as Chinese text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([row.id, china_time(row.at), _cell(row.account_name),
                         _cell(ROLE_LABELS.get(row.role or "", row.role or "")), _cell(row.unit_code),
                         _cell(row.action), _cell(ACTION_LABELS.get(row.action, "")), _cell(row.object),
                         _cell(row.before), _cell(row.after), _cell(row.client)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
