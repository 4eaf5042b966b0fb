"""The extractor: plan text → ``Plan`` plus every problem found, nothing silently dropped.

One pass over logical paragraphs (see ``layout``): front matter (news text, 通知 header) before
the plan title, the preamble, the sections, and back matter (distribution footer, source lines).
A document that starts below section level (an excerpt opening at （三）) is read as one section
without a heading. Plans not issued by the national leading group get prefixed task ids (``issuer``).
Every Chinese character of the plan body ends up in exactly one title, preamble or task text; what
cannot be placed is reported as ``unplaced-text``; the extractor checks this itself.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from scoring.catalogue.bounds import DATE_LINE, NOTICE_END, body_bounds, front_matter_details, is_title
from scoring.catalogue.clauses import split_clauses
from scoring.catalogue.departments import Registry
from scoring.catalogue.issuer import NATIONAL, IssuerScope, default_title, issuer_scope, scope_problems
from scoring.catalogue.layout import (
    TERMINATORS,
    Level,
    Paragraph,
    cn_number,
    ends_sentence,
    is_heading_only,
    join_lines,
    paragraphs,
    split_lines,
)
from scoring.catalogue.models import (
    ID_PREFIX_PATTERN,
    Plan,
    Section,
    Source,
    Subsection,
    Task,
    han_characters,
    id_base,
    text_in_order,
)
from scoring.errors import NotAPlanError
from scoring.problems import Problem, Severity

_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_ANNOUNCED = re.compile(
    r"(?P<areas>\d+|[一二三四五六七八九十]+)\s*个?(?:方面|部分)\s*[、，,]?\s*(?:共\s*)?"
    r"(?P<tasks>\d+|[一二三四五六七八九十百]+)\s*项(?:重点)?(?:工作)?任务"
)


@dataclass
class Extraction:
    """What the extractor returns: the plan, every problem in source order, and whose plan it is."""

    plan: Plan
    problems: list[Problem] = field(default_factory=list)
    scope: IssuerScope = NATIONAL

    @property
    def id_prefix(self) -> str | None:
        """The prefix of the plan's task ids (None for the national plan)."""
        return self.scope.prefix


@dataclass
class _Block:
    """An （一） block of a section: its heading paragraph, free paragraphs and numbered items."""

    head: Paragraph
    paragraphs: list[Paragraph] = field(default_factory=list)
    items: list[Paragraph] = field(default_factory=list)
    loose: list[Paragraph] = field(default_factory=list)


@dataclass
class _RawSection:
    head: Paragraph | None  # None: the document starts below section level
    first: int
    intro: list[Paragraph] = field(default_factory=list)
    items: list[Paragraph] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)


class _Collector:
    """Problems with a file name filled in."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, code: str, severity: Severity, message: str, line: int | None = None,
            value: str | None = None) -> None:
        self.problems.append(Problem(code=code, severity=severity, message=message,
                                     file=self.file, line=line, value=value))


def _excerpt(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _lead_phrase(text: str) -> str:
    """A task's title: its first sentence, or its first phrase when the sentence is long."""
    body = re.sub(r"[（(][^（()）]*[）)]\s*$", "", text).strip()
    sentence = re.split(f"[{TERMINATORS}]", body, maxsplit=1)[0].strip()
    if len(sentence) > 24:
        phrase = re.split(r"[，,：:]", sentence, maxsplit=1)[0].strip()
        if len(phrase) >= 4:
            sentence = phrase
    sentence = sentence.rstrip("。.：: ") or body
    return sentence if len(sentence) <= 32 else sentence[:31] + "…"


def _split_heading(text: str) -> tuple[str, str]:
    """``健全无害化销毁。加大……`` → (``健全无害化销毁``, ``加大……``)."""
    match = re.match(f"^([^{TERMINATORS}]*?)[{TERMINATORS}](.*)$", text)
    if match is None or len(match[1]) > 40:
        return text.rstrip("：: "), ""
    return match[1].strip(), match[2].strip()


def _check_announced(text: str, plan: Plan, out: _Collector) -> None:
    """Compare the counts the plan announces (涉及7方面、35项任务) with what was extracted."""
    m = _ANNOUNCED.search(text)
    if m is None:
        return
    areas, tasks = cn_number(m["areas"]), cn_number(m["tasks"])
    found_areas, found_tasks = len(plan.sections), len(plan.tasks())
    if (areas, tasks) != (found_areas, found_tasks):
        out.add("announced-count-mismatch", Severity.ERROR,
                f"文中称“{m.group(0)}”，但提取到 {found_areas} 个部分、{found_tasks} 项任务",
                value=m.group(0))


class _Builder:
    """Turns the body's paragraphs into sections, subsections and tasks."""

    def __init__(self, base: str, registry: Registry, out: _Collector, *, local: bool) -> None:
        self.base = base  # what every task id starts with: 2022 or 310000-2022
        self.registry = registry
        self.out = out
        # a local plan names local departments, which the (central) registry cannot know
        self.local = local
        self.local_names: dict[str, int] = {}

    def unplaced(self, paragraph: Paragraph, why: str) -> None:
        text = _label(paragraph) + paragraph.text  # the numbering is part of what was not placed
        self.out.add("unplaced-text", Severity.WARNING,
                     f"{why}，未归入任何任务：“{_excerpt(text)}”", line=paragraph.first, value=text)

    def group(self, body: list[Paragraph]) -> list[_RawSection]:
        sections: list[_RawSection] = []
        for para in body:
            level = para.marker.level if para.marker else None
            if level is Level.SECTION:
                sections.append(_RawSection(para, para.first))
                continue
            if not sections:  # the body opens with a subsection: no section heading above it
                self.out.add("no-section-heading", Severity.WARNING,
                             f"未找到部分标题（一、……），原文从小标题“{_excerpt(_display(para), 20)}”开始；"
                             "其下任务归入该小标题，部分编号记为 0", line=para.first)
                sections.append(_RawSection(None, para.first))
            section = sections[-1]
            if level is Level.L2:
                section.blocks.append(_Block(para))
            elif level is Level.ITEM:
                if section.blocks:
                    section.blocks[-1].items.append(para)
                else:
                    section.items.append(para)
            elif level is Level.TITLE:
                self.unplaced(para, "正文中出现疑似标题的文字")
            else:
                self._append_text(section, para)
        return sections

    @staticmethod
    def _append_text(section: _RawSection, para: Paragraph) -> None:
        if section.blocks:
            block = section.blocks[-1]
            if block.items:
                block.items[-1].parts.append(para.text)
                block.items[-1].last = para.last
            else:
                block.paragraphs.append(para)
        elif section.items:
            section.items[-1].parts.append(para.text)
            section.items[-1].last = para.last
        else:
            section.intro.append(para)

    def task(self, task_id: str, path: list[str], title: str | None, text: str,
             first: int, last: int) -> Task:
        clauses, unknown = split_clauses(text, self.registry)
        for name in unknown:
            if self.local:
                self.local_names.setdefault(name.name, first)
                continue
            self.out.add("unknown-department", Severity.WARNING,
                         f"部门名称“{name.name}”不在部门名录（indicators/departments.yaml）中，"
                         f"已按原文保留：{name.responsibility}", line=first, value=name.name)
        if not text:
            self.out.add("empty-task", Severity.WARNING, f"任务 {task_id} 没有正文", line=first)
        return Task(id=task_id, path=path, title=title or _lead_phrase(text), text=text,
                    clauses=clauses, lines=(first, last))

    def check_numbers(self, numbers: list[int], where: str, line: int) -> None:
        expected = list(range(1, len(numbers) + 1))
        if numbers != expected and sorted(set(numbers)) != numbers:
            self.out.add("numbering-out-of-order", Severity.WARNING,
                         f"{where}的编号不连续或重复：{numbers}", line=line)
        elif numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
            self.out.add("numbering-gap", Severity.WARNING,
                         f"{where}的编号有缺号：{numbers}", line=line)

    def build(self, body: list[Paragraph]) -> list[Section]:
        raw_sections = self.group(body)
        self.check_numbers([s.head.marker.number for s in raw_sections if s.head and s.head.marker],
                           "部分（一、二、……）", raw_sections[0].first)
        l2_numbers = [b.head.marker.number for s in raw_sections for b in s.blocks if b.head.marker]
        continuous = (
            len([s for s in raw_sections if s.blocks]) > 1
            and l2_numbers == list(range(1, len(l2_numbers) + 1))
        )
        seen: set[str] = set()
        sections = [self.section(raw, continuous) for raw in raw_sections]
        for section in sections:
            for task in section.tasks:
                if task.id in seen:
                    self.out.add("duplicate-task-id", Severity.ERROR,
                                 f"任务编号 {task.id} 重复（原文编号重复）", line=task.lines[0])
                seen.add(task.id)
        if self.local_names:
            names = list(self.local_names)
            self.out.add("local-departments", Severity.INFO,
                         f"地方要点的责任单位 {len(names)} 个不在部门名录（只收中央部门）中，"
                         f"已按原文保留：{'、'.join(names)}",
                         line=min(self.local_names.values()), value="、".join(names))
        return sections

    def section(self, raw: _RawSection, continuous: bool) -> Section:
        if raw.head is None:
            number, label, title = 0, "", ""
        else:
            assert raw.head.marker is not None
            number, label = raw.head.marker.number, raw.head.marker.label
            title = raw.head.text.rstrip("。.")
        part = f"第{label}部分" if label else "正文开头（无部分标题）"
        result = Section(number=number, label=label, title=title)
        items: list[Paragraph] = raw.items
        if items or raw.blocks:
            before = "第一个编号条目" if items else "第一个小标题"
            for para in raw.intro:
                self.unplaced(para, f"{part}开头、{before}之前的文字")
        else:
            items = raw.intro  # unnumbered paragraphs directly under the section are its tasks
        if raw.items:
            self.check_numbers([p.marker.number for p in items if p.marker],
                               f"{part}的条目", raw.first)
            if raw.blocks:
                self.out.add("item-outside-subsection", Severity.WARNING,
                             f"{part}有 {len(items)} 个编号条目不在任何小标题之下（小标题缺失？）",
                             line=items[0].first)
        for index, para in enumerate(items, 1):
            n = para.marker.number if para.marker else index
            item_label = para.marker.label if para.marker else f"¶{index}"
            result.tasks.append(self.task(
                f"{self.base}-{number}.{n}", [label, item_label], None, para.text,
                para.first, para.last))
        if raw.blocks and not continuous:
            self.check_numbers([b.head.marker.number for b in raw.blocks if b.head.marker],
                               f"{part}的小标题", raw.first)
        for block in raw.blocks:
            self.block(result, block, continuous)
        if not result.tasks:
            self.out.add("empty-section", Severity.WARNING, f"{part}没有任何任务", line=raw.first)
        return result

    def block(self, section: Section, block: _Block, continuous: bool) -> None:
        head = block.head
        assert head.marker is not None
        n = head.marker.number
        l2_label = f"（{head.marker.label}）"
        base = f"{self.base}-{n:02d}" if continuous else f"{self.base}-{section.number}.{n}"
        path = [section.label, l2_label]
        heading_only = is_heading_only(head.text)
        last = max([head.last] + [p.last for p in block.paragraphs + block.items])
        if block.items:
            title, rest = _split_heading(head.text) if not heading_only else (
                head.text.rstrip("。.：: "), "")
            section.subsections.append(Subsection(number=n, label=l2_label, title=title,
                                                  line=head.first))
            if rest:
                self.unplaced(Paragraph(head.first, head.last, None, [rest]),
                              f"小标题{l2_label}之后、第一个编号条目之前的文字")
            for para in block.paragraphs:
                self.unplaced(para, f"小标题{l2_label}之后、第一个编号条目之前的文字")
            self.check_numbers([p.marker.number for p in block.items if p.marker],
                               f"小标题{l2_label}下的条目", head.first)
            for item in block.items:
                assert item.marker is not None
                section.tasks.append(self.task(
                    f"{base}.{item.marker.number}", [*path, item.marker.label], None,
                    item.text, item.first, item.last))
            return
        if heading_only and len(block.paragraphs) > 1:
            title = head.text.rstrip("。.：: ")
            section.subsections.append(Subsection(number=n, label=l2_label, title=title,
                                                  line=head.first))
            for index, para in enumerate(block.paragraphs, 1):
                section.tasks.append(self.task(
                    f"{base}.{index}", [*path, f"¶{index}"], None, para.text,
                    para.first, para.last))
            return
        texts = [head.text] + [p.text for p in block.paragraphs]
        if continuous:
            text = join_lines(texts) if len(texts) == 1 else "\n".join(texts)
            title = _split_heading(head.text)[0] if not heading_only else head.text.rstrip("。.：: ")
            section.tasks.append(self.task(base, path, title, text, head.first, last))
            return
        title, rest = _split_heading(head.text) if not heading_only else (
            head.text.rstrip("。.：: "), "")
        section.subsections.append(Subsection(number=n, label=l2_label, title=title,
                                                  line=head.first))
        body = "\n".join([t for t in [rest] + texts[1:] if t])
        section.tasks.append(self.task(base, path, title, body, head.first, last))


def _label(paragraph: Paragraph) -> str:
    """The numbering label a paragraph opened with (一 / 十四 / 3), as written."""
    marker = paragraph.marker
    return marker.label if marker is not None and marker.level is not Level.TITLE else ""


def _display(paragraph: Paragraph) -> str:
    """A paragraph with its numbering as written: （三）开展重点产品治理。"""
    marker = paragraph.marker
    if marker is None or marker.level is Level.TITLE:
        return paragraph.text
    if marker.level is Level.SECTION:
        return f"{marker.label}、{paragraph.text}"
    if marker.level is Level.L2:
        return f"（{marker.label}）{paragraph.text}"
    return f"{marker.label}. {paragraph.text}"


def extract_plan(text: str, *, source_name: str, raw: bytes, encoding: str,
                 registry: Registry, year: int | None = None,
                 units: Mapping[str, str] | None = None, id_prefix: str | None = None) -> Extraction:
    """Extract a plan from its text. Raises ``NotAPlanError`` when it is not a plan at all.

    ``units`` maps the full names of the province-level units to their codes (indicators/units.yaml)
    so that a province's plan gets its code as task id prefix; ``id_prefix`` names the prefix
    outright (see ``issuer``).
    """
    if id_prefix is not None and not re.match(ID_PREFIX_PATTERN, id_prefix):
        raise ValueError(f"任务编号前缀“{id_prefix}”无效：只能由 1–20 个汉字、字母或数字组成")
    out = _Collector(source_name)
    lines = split_lines(text)
    by_number = {line.number: line for line in lines}
    paras = paragraphs(lines)
    first, end = body_bounds(paras, by_number, source_name)

    title_index = next((i for i in range(first - 1, -1, -1) if is_title(paras[i])), None)
    if title_index is not None:
        preamble_start = title_index + 1
        title = paras[title_index].text.replace(" ", "")
    else:
        notice_end = max((i for i in range(first) if NOTICE_END.search(paras[i].text)
                          or DATE_LINE.match(paras[i].text)), default=-1)
        preamble_start = notice_end + 1
        title = ""
    front_end = title_index if title_index is not None else preamble_start
    front_lines = [line for line in lines if line.number < paras[front_end].first] \
        if front_end < len(paras) else lines
    doc_number, issuer, issued = front_matter_details(front_lines)

    title_year = _YEAR_IN_TITLE.search(title)
    number_year = re.search(r"\d{4}", doc_number or "")
    found_year = int(title_year[1]) if title_year else (int(number_year[0]) if number_year else None)
    if year is None:
        if found_year is None:
            raise NotAPlanError(f"{source_name}: 无法从标题或文号确定年份，请用 --year 指定")
        year = found_year
    elif found_year is not None and found_year != year:
        out.add("year-mismatch", Severity.WARNING,
                f"指定的年份 {year} 与文中年份 {found_year} 不一致，按指定年份处理")
    if id_prefix is not None:
        unit = next((name for name, code in (units or {}).items() if code == id_prefix), None)
        scope = IssuerScope(national=False, prefix=id_prefix, name=unit)
    else:
        scope = issuer_scope(issuer, title, units=units or {}, registry=registry)
    base = id_base(year, scope.prefix)
    if not title:
        title = default_title(year, scope, issuer)
        out.add("title-missing", Severity.WARNING,
                f"未找到要点标题（以“工作要点”结尾的一行），使用“{title}”")

    if front_end > 0:
        out.add("front-matter", Severity.INFO,
                f"第 {paras[0].first}–{paras[front_end - 1].last} 行是要点正文之前的文字"
                "（新闻稿、通知等），不属于要点正文", line=paras[0].first)
    if end < len(paras):
        out.add("back-matter", Severity.INFO,
                f"第 {paras[end].first}–{paras[-1].last} 行是要点正文之后的文字"
                "（抄送、印发、来源等），不属于要点正文", line=paras[end].first)

    # headings or items before the first section heading (one missing?) are no preamble
    stray = next((i for i in range(preamble_start, first)
                  if _label(paras[i]) and not is_title(paras[i])), first)
    preamble = "\n".join(p.text for p in paras[preamble_start:stray])
    # what the catalogue must account for (title aside), taken before building joins paragraphs
    expected = han_characters("".join(_label(p) + p.text for p in paras[preamble_start:end]))
    builder = _Builder(base, registry, out, local=not scope.national)
    body = paras[first:end]
    for para in paras[stray:first]:
        builder.unplaced(para, "第一个部分标题（一、）之前出现小标题或编号条目（部分标题缺失？）")
    sections = builder.build(body)
    last_text = sections[-1].tasks[-1].text if sections[-1].tasks else ""
    if last_text and not ends_sentence(last_text):
        out.add("truncated-text", Severity.WARNING,
                f"正文在句中结束（“…{last_text[-20:]}”），要点可能不完整", line=body[-1].last)

    plan = Plan(
        year=year, title=title, doc_number=doc_number, issuer=issuer, issued_on=issued,
        preamble=preamble,
        source=Source(name=source_name.rsplit("/", 1)[-1], sha256=hashlib.sha256(raw).hexdigest(),
                      encoding=encoding),
        sections=sections,
    )
    _check_announced(text, plan, out)
    example = plan.tasks()[0].id if plan.tasks() else f"{base}-1.1"
    out.problems.extend(scope_problems(scope, issuer=issuer, title=title, example=example,
                                       explicit=id_prefix is not None, file=source_name))

    unplaced = "".join(p.value or "" for p in out.problems if p.code == "unplaced-text")
    placed = han_characters("".join(text_in_order(plan)[1:]))  # [0] is the title
    if len(placed) + len(han_characters(unplaced)) != len(expected):
        out.add("lossless-check-failed", Severity.ERROR,
                f"内部校验失败：正文 {len(expected)} 个汉字，目录中 {len(placed)} 个、"
                f"未归入 {len(han_characters(unplaced))} 个")
    out.problems.sort(key=lambda p: (p.line or 0))
    return Extraction(plan=plan, problems=out.problems, scope=scope)
