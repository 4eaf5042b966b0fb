"""Where a plan's body begins and ends, and what the lines before it say.

Before the body: front matter (a news text, the 通知 header with its document number, issuer and
date, the title). The body opens with the first section heading 一、, or with a subsection
heading （三） when the document starts below section level. After it: the distribution footer
(抄送、印发), source lines, and the signature (issuer and date) that some plans end with.
"""

from __future__ import annotations

import re
from datetime import date

from scoring.catalogue.layout import RESPONSIBILITY_RE, Level, Line, LineKind, Paragraph, join_lines
from scoring.catalogue.models import han_characters
from scoring.errors import NotAPlanError

_FOOTER_START = re.compile(
    r"^(?:抄报|抄送|主送|分送|发送|印发|出所先|来源[:：]|Source\b|附件[:：]?$|<?https?://"
    r"|[（(]此件\S*[）)]$)"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$",
    re.IGNORECASE,
)
_KANA = re.compile(r"[\u3040-\u30ff]")
DATE_LINE = re.compile(r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$")
_ISSUER_LINE = re.compile(r"^[^。；，,：:（）()《》]{2,40}(?:小组|办公室|委员会|办公厅|国务院|部|局|总署)$")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}\s*[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
NOTICE_END = re.compile(r"印发给你们|请认真贯彻|请结合实际|此件公开发布|通知$|文件$|〔\d{4}〕")


def _level(paragraph: Paragraph) -> Level | None:
    return paragraph.marker.level if paragraph.marker is not None else None


def _is_footer(paragraph: Paragraph, lines: dict[int, Line]) -> bool:
    first = lines[paragraph.first].text
    if _FOOTER_START.search(first) or _KANA.search(first):
        return True
    return not han_characters(paragraph.text) and len(paragraph.text) > 0


def _is_signature(paragraph: Paragraph) -> bool:
    text = paragraph.text
    return bool(DATE_LINE.match(text) or _ISSUER_LINE.match(text))


def front_matter_details(lines: list[Line]) -> tuple[str | None, str | None, date | None]:
    """Document number, issuer and date of issue from the lines before the plan title."""
    text_lines = [line for line in lines if line.kind is LineKind.TEXT]
    doc_number = None
    for line in text_lines:
        if m := _DOC_NUMBER.search(line.text):
            doc_number = re.sub(r"\s+", "", m.group(0))
            break
    issuer: str | None = None
    issued: date | None = None
    for index, line in enumerate(lines):
        m = DATE_LINE.match(line.text) if line.kind is LineKind.TEXT else None
        if m is None:
            continue
        try:
            issued = date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
        block: list[str] = []
        cursor = index - 1
        while cursor >= 0 and lines[cursor].kind is not LineKind.TEXT:
            cursor -= 1
        while cursor >= 0 and lines[cursor].kind is LineKind.TEXT:
            block.insert(0, lines[cursor].text)
            cursor -= 1
        candidate = join_lines(block)
        if candidate and _ISSUER_LINE.match(candidate):
            issuer = candidate
        break
    return doc_number, issuer, issued


def is_title(paragraph: Paragraph) -> bool:
    """True when the paragraph is a plan title (…工作要点)."""
    return _level(paragraph) is Level.TITLE


def _body_start(paras: list[Paragraph], name: str) -> int:
    """Index of the paragraph the plan body opens with: the first section heading, or a
    subsection heading (（三）) before it when the document starts below section level and
    responsibility parentheticals follow it."""
    section_at = next((i for i, p in enumerate(paras) if _level(p) is Level.SECTION), None)
    limit = len(paras) if section_at is None else section_at
    title_at = next((i for i in range(limit - 1, -1, -1) if is_title(paras[i])), None)
    start = 0 if title_at is None else title_at + 1
    sub_at = next((i for i in range(start, limit) if _level(paras[i]) is Level.L2), None)
    if sub_at is not None and any(RESPONSIBILITY_RE.search(p.text) for p in paras[sub_at:limit]):
        return sub_at
    if section_at is None:
        raise NotAPlanError(f"{name}: 未找到任何“一、……”形式的部分标题，也没有带责任分工括注的"
                            "“（一）……”小标题，这不像是一份工作要点")
    return section_at


def body_bounds(paras: list[Paragraph], lines: dict[int, Line], name: str) -> tuple[int, int]:
    """Index of the first paragraph of the body and of the first back-matter paragraph."""
    first = _body_start(paras, name)
    end = next((i for i in range(first + 1, len(paras)) if _is_footer(paras[i], lines)), len(paras))
    while end > first + 1 and _is_signature(paras[end - 1]):
        end -= 1
    return first, end
