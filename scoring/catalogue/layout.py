"""Plan text → clean lines → logical paragraphs, each tagged with the heading marker it opens with.

Markup (Markdown headings, bold marks, rules), page artefacts (page numbers) and whitespace
between Chinese characters are removed here; paragraphs broken by page breaks or blank lines are
joined back when the text before the break does not end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2018-\u201d\u2026\u00b7"
_WIDE = re.compile(f"[{CJK}]")
_SPACE_AROUND_WIDE = re.compile(f"\\s+(?=[{CJK}])|(?<=[{CJK}])\\s+")
_SPACES = re.compile(r"\s+")
_HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}\s*")
_QUOTE_MARK = re.compile(r"^\s*>\s?")
_EMPHASIS = re.compile(r"\*\*|__|<\s*/?\s*(?:br|b|strong|p|span)\s*/?\s*>", re.IGNORECASE)
_RULE = re.compile(r"^\s*([-*_=])(\s*\1){2,}\s*$")
_PAGE_ARTEFACT = re.compile(
    r"^(?:[-—–－~～_\s]*\d{1,4}[-—–－~～_\s]*"
    r"|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})$"
)

CN_DIGITS = "零〇一二三四五六七八九十百两"
SECTION_RE = re.compile(r"^(?P<label>[一二三四五六七八九十]{1,3})\s*[、．.]\s*(?P<rest>.*)$")
L2_RE = re.compile(
    r"^[（(]\s*(?P<label>[零〇一二三四五六七八九十百]{1,4})\s*[）)]\s*[、．.]?\s*(?P<rest>.*)$"
)
L3_RE = re.compile(
    r"^(?:(?P<label>\d{1,3})\s*[.．、](?![\d.．])|[（(]\s*(?P<plabel>\d{1,3})\s*[）)])\s*(?P<rest>.*)$"
)
# a plan's title; a task-division document's (…工作要点任务分工, 节选) counts as one
TITLE_RE = re.compile(
    r"^(?!关于)[^《》。，,]{0,60}工作要点(?:及?(?:重点)?任务分工(?:方案|表)?)?(?:[（(]节选[）)])?$"
)

TERMINATORS = "。！？；!?;"
_TITLE_FIRST_HALF = re.compile(r"^\d{4}\s*年(?!\s*\d{1,2}\s*月)[^。；，,《》]{2,40}$")  # not a date
_STANDALONE_NOTE = re.compile(r"^[（(]此件[^（()）]*[）)]$")
_TRAILING_CLOSERS = "”’」』》\"' "
RESPONSIBILITY_RE = re.compile(
    r"[（(](?P<body>责任单位\s*[:：][^（()）]*|[^（()）]*?(?:负责|牵头|配合|参与))[。.]?\s*[）)]"
)


def cn_number(label: str) -> int:
    """A Chinese numeral up to the hundreds (一 → 1, 十四 → 14, 三十五 → 35) or Arabic digits."""
    if label.isdigit():
        return int(label)
    values = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
    total, current = 0, 0
    for ch in label:
        if ch in values:
            current = values[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            raise ValueError(f"不是中文数字：{label}")
    return total + current


def squeeze(text: str) -> str:
    """Drop whitespace next to Chinese characters and punctuation; collapse the rest to one space."""
    return _SPACES.sub(" ", _SPACE_AROUND_WIDE.sub("", text)).strip()


def join_lines(parts: list[str]) -> str:
    """Join wrapped lines: no space beside Chinese text, one space between Latin words."""
    out = ""
    for part in parts:
        if not part:
            continue
        if out and not (_WIDE.match(part[0]) or _WIDE.match(out[-1])):
            out += " "
        out += part
    return out


class LineKind(StrEnum):
    TEXT = "text"
    BLANK = "blank"
    RULE = "rule"
    ARTEFACT = "artefact"


@dataclass(frozen=True)
class Line:
    number: int
    raw: str
    text: str
    kind: LineKind


def clean_line(number: int, raw: str) -> Line:
    """Strip markup from one source line and say what kind of line it is."""
    if not raw.strip():
        return Line(number, raw, "", LineKind.BLANK)
    if _RULE.match(raw):
        return Line(number, raw, "", LineKind.RULE)
    text = _QUOTE_MARK.sub("", raw)
    text = _HEADING_MARK.sub("", text)
    text = squeeze(_EMPHASIS.sub("", text))
    if not text:
        return Line(number, raw, "", LineKind.BLANK)
    if _PAGE_ARTEFACT.match(text):
        return Line(number, raw, text, LineKind.ARTEFACT)
    return Line(number, raw, text, LineKind.TEXT)


def split_lines(text: str) -> list[Line]:
    """Every line of the document, cleaned and classified (line numbers from 1)."""
    return [clean_line(i, raw) for i, raw in enumerate(text.replace("\f", "\n").split("\n"), 1)]


class Level(StrEnum):
    TITLE = "title"
    SECTION = "section"
    L2 = "l2"
    ITEM = "item"


@dataclass(frozen=True)
class Marker:
    """The heading marker a paragraph opens with: 一、 / （一） / 1. or the plan title."""

    level: Level
    label: str
    number: int


def find_marker(text: str) -> tuple[Marker | None, str]:
    """The marker a line opens with and the text after it."""
    if m := SECTION_RE.match(text):
        if m["rest"]:
            return Marker(Level.SECTION, m["label"], cn_number(m["label"])), m["rest"]
    if m := L2_RE.match(text):
        return Marker(Level.L2, m["label"], cn_number(m["label"])), m["rest"]
    if m := L3_RE.match(text):
        label = m["label"] or m["plabel"]
        if m["rest"]:
            return Marker(Level.ITEM, label, int(label)), m["rest"]
    if TITLE_RE.match(text.replace(" ", "")):
        return Marker(Level.TITLE, "", 0), text
    return None, text


@dataclass
class Paragraph:
    """A logical paragraph: source lines joined, with the marker it starts with."""

    first: int
    last: int
    marker: Marker | None
    parts: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # the source line of each part

    @property
    def text(self) -> str:
        """The paragraph's text after its marker."""
        return join_lines(self.parts)


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends a sentence or a responsibility parenthetical."""
    stripped = text.rstrip(_TRAILING_CLOSERS)
    if not stripped:
        return False
    if stripped[-1] in TERMINATORS:
        return True
    if stripped[-1] not in "）)":
        return False
    duties = list(RESPONSIBILITY_RE.finditer(stripped))
    return bool(duties) and duties[-1].end() == len(stripped)


def is_heading_only(text: str) -> bool:
    """A short heading with at most one sentence and no responsibility parenthetical."""
    body = text.rstrip("。.：: ")
    return (len(body) <= 40 and not any(t in body for t in TERMINATORS)
            and not RESPONSIBILITY_RE.search(text))


def _closed(paragraph: Paragraph) -> bool:
    """A paragraph that no following line may continue."""
    marker = paragraph.marker
    if marker is not None and marker.level in (Level.TITLE, Level.SECTION):
        return True
    if _STANDALONE_NOTE.match(paragraph.text):  # （此件公开发布） stands on its own
        return True
    if marker is not None and marker.level is Level.L2 and len(paragraph.parts) == 1:
        return is_heading_only(paragraph.text)
    return False


def paragraphs(lines: list[Line]) -> list[Paragraph]:
    """Join lines into logical paragraphs across wraps, blank lines and page breaks."""
    out: list[Paragraph] = []
    current: Paragraph | None = None
    hard_break = False
    for line in lines:
        if line.kind is LineKind.RULE:
            hard_break = True
            continue
        if line.kind is not LineKind.TEXT:
            continue
        marker, rest = find_marker(line.text)
        # a parenthetical belongs to the sentence before it, even when a page break cut it open
        starts_with_duty = line.text[0] in "（(" and not _STANDALONE_NOTE.match(line.text)
        continues = (
            current is not None and marker is None and not hard_break and not _closed(current)
            and (starts_with_duty or not ends_sentence(current.text))
        )
        if continues and current is not None:
            current.parts.append(rest)
            current.numbers.append(line.number)
            current.last = line.number
        else:
            opening = Paragraph(line.number, line.number, marker, [rest], [line.number])
            if marker is not None and marker.level is Level.TITLE and current is not None \
                    and _TITLE_FIRST_HALF.match(current.parts[-1]):
                # a title wrapped over two lines: 2022年全国打击…和 / 制售假冒伪劣商品工作要点
                opening.parts.insert(0, current.parts.pop())
                opening.first = current.numbers.pop()
                opening.numbers.insert(0, opening.first)
                if current.parts:
                    current.last = current.numbers[-1]
                else:
                    out.pop()
            current = opening
            out.append(current)
        hard_break = False
    return out
