"""How numbers, values, signs and dates read in every document (scorecards, summary, audit, ranking.xlsx).

One convention throughout:

* scores (totals, section and indicator points, averages) carry the config's decimals, rounded
  half up (``79.70``); configured constants (maxima, caps, thresholds) are shown as written (``66``);
* deductions are negative wherever a score is shown (``−5.00``), so a unit's parts add up to its
  total; a cap is a plain positive limit (上限 10);
* a reported value carries its unit (``5863 件``, ``396.76 万元``, ``89.3%``), a date reads
  ``2023年1月15日``; moments are given in Beijing time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

# The rules word their method text with these too; defined there (rules never import the report
# layer) and given on from here, where the documents and the portal look for them.
from scoring.indicators.rules.words import chinese_date as chinese_date
from scoring.indicators.rules.words import with_unit as with_unit

BEIJING = timezone(timedelta(hours=8), "北京时间")  # China keeps UTC+8 all year
MINUS = "−"
_ISO_DATE = re.compile(r"(?<![\d.])(\d{4})-(\d{2})-(\d{2})(?![\d.])")


def fixed(value: float | None, decimals: int = 2) -> str:
    """A score with exactly ``decimals`` decimals, half up (``79.7`` → ``79.70``); blank for ``None``."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # no "−0.00"
    return f"{number:f}".replace("-", MINUS)


def signed_score(value: float | None, kind: str, decimals: int = 2) -> str:
    """A section's or indicator's points as they count towards the total: deductions negative."""
    if value is None:
        return ""
    if kind == "deduction" and value:
        return f"{MINUS}{fixed(abs(value), decimals)}"
    return fixed(value, decimals)


def counted(value: float, kind: str) -> float:
    """The signed contribution of a section's points to the total (deductions negative)."""
    return -value if kind == "deduction" else value


def change(value: float | None, decimals: int = 2) -> str:
    """A change with its sign: ``+2.10`` / ``−1.50`` / ``0.00``."""
    if value is None:
        return ""
    text = fixed(abs(value), decimals)
    if Decimal(text) == 0:
        return text
    return f"+{text}" if value > 0 else f"{MINUS}{text}"


def rank_change(value: int | None) -> str:
    """``上升 3 位`` / ``下降 2 位`` / ``持平``."""
    if value is None:
        return ""
    if value > 0:
        return f"上升 {value} 位"
    if value < 0:
        return f"下降 {-value} 位"
    return "持平"


def value_text(value: float | int | bool | date | str | None, unit: str | None = None) -> str:
    """A reported value as a reader reads it: 是/否, numbers with their unit, Chinese dates."""
    if value is None:
        return "未填报"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return with_unit(float(value), unit)
    if isinstance(value, datetime):
        return chinese_date(value.date())
    if isinstance(value, date):
        return chinese_date(value)
    return chinese_dates(value)


def chinese_dates(text: str) -> str:
    """Every ISO date in ``text`` (``2023-01-15``) written the Chinese way (``2023年1月15日``)."""
    return _ISO_DATE.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)


def beijing(moment: datetime) -> datetime:
    """``moment`` in Beijing time (naive values are taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING)


def beijing_date(moment: datetime) -> str:
    """The Beijing calendar day of ``moment``: ``2026年11月25日``."""
    return chinese_date(beijing(moment).date())


def beijing_time(moment: datetime) -> str:
    """``2026年11月25日 12:55（北京时间）``."""
    local = beijing(moment)
    return f"{chinese_date(local.date())} {local:%H:%M}（北京时间）"


def rank_range(low: int, high: int) -> str:
    """``第 3 名`` or ``第 3–7 名`` (never ``第 1–1 名``)."""
    return f"第 {low} 名" if low == high else f"第 {low}–{high} 名"


_TASK_CODE = re.compile(r"(?:[（(]\s*)?\b(?:\d{3,6}-)?20\d\d-\d+(?:\.\d+)*\b(?:\s*[)）])?")
_INDICATOR_CODE = re.compile(r"[（(]\s*[A-Z]\d{1,2}\s*[)）]"
                             r"|(?<![A-Za-z0-9_])[A-Z]\d{1,2}(?![A-Za-z0-9_.])\s*")
_OFFICIAL_WORDS = (("即触发一票否决", "的，实行一票否决"), ("触发一票否决", "实行一票否决"), ("触发", "发生"),
                   ("等次最高为", "等次为"), ("（全国极差法）", ""),
                   ("全国极差法", "按全国最高与最低值折算"), ("并标记待核", "，由全国双打办核实"),
                   ("标记待核", "由全国双打办核实"), ("中央记录", "全国双打办记录"))
_PLAIN = str.maketrans({"～": "至", "‘": "“", "’": "”"})


def plain_text(text: str | None) -> str:
    """``text`` for an official document: task and indicator codes dropped, ``～`` written 至 and
    single quotes as double."""
    if not text:
        return ""
    return official_text(_INDICATOR_CODE.sub("", _TASK_CODE.sub("", text)))


def official_text(text: str | None) -> str:
    """``text`` in the office's words: 全国双打办记录 for the records (中央 is the Party Centre), no
    tool words (触发, 等次最高为, 极差法, 标记待核), 至 for ``～``, double quotes only, and a
    zero-width break opportunity between two quoted items."""
    if not text:
        return ""
    out = text
    for tool, official in _OFFICIAL_WORDS:
        out = out.replace(tool, official)
    # quoted items side by side (“无”“/”“暂无”, without 顿号 as GB/T 15834 has them) may break
    # between them: the line breaker finds no place there and left gaps at the line before
    return out.translate(_PLAIN).replace("”“", "”\u200b“")
