"""The 通报 as a Word document the office opens in WPS or Word to fill the 文号, sign and seal:
the same elements as the PDF, on styles that name the faces offices have (方正小标宋简体,
仿宋_GB2312, 黑体, 楷体_GB2312 as the East Asian font), with GB/T 9704-2012's margins, a 22-line
grid and "— 1 —" page numbers outside (odd right, even left).

The bytes are fixed by the inputs: every zip entry and the core properties carry one date.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime
from typing import Any

from scoring.report import gongwen

EPOCH = (2000, 1, 1, 0, 0, 0)
RED = "E60012"
FACE_ROLES = {"xiaobiaosong": "方正小标宋简体", "fangsong": "仿宋_GB2312", "heiti": "黑体",
              "kaiti": "楷体_GB2312", "songti": "宋体"}
# style name → (role, size in pt, alignment, first-line indent in characters, bold, colour)
STYLES: dict[str, tuple[str, float, str, int]] = {
    "发文机关标志": ("xiaobiaosong", 0, "center", 0),
    "发文字号": ("fangsong", 16, "center", 0),
    "公文标题": ("xiaobiaosong", 22, "center", 0),
    "主送机关": ("fangsong", 16, "left", 0),
    "公文正文": ("fangsong", 16, "justify", 2),
    "一级标题": ("heiti", 16, "left", 2),
    "附件说明": ("fangsong", 16, "left", 2),
    "发文机关署名": ("fangsong", 16, "right", 0),
    "成文日期": ("fangsong", 16, "right", 0),
    "附注": ("fangsong", 16, "left", 2),
    "附件标签": ("heiti", 16, "left", 0),
    "附件标题": ("xiaobiaosong", 22, "center", 0),
    "附件表格": ("fangsong", 10.5, "left", 0),
    "附件注释": ("fangsong", 12, "justify", 2),
    "版记": ("fangsong", 14, "left", 0),
}


def _east_asian(target: Any, face: str) -> None:
    """Name ``face`` for every script of a style's or run's font (w:eastAsia included)."""
    from docx.oxml.ns import qn

    target.font.name = face
    element = target.element if hasattr(target.element, "get_or_add_rPr") else target._r
    r_pr = element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), face)


def _styles(document: Any, masthead_pt: float) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    align = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
             "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
    for name, (role, size, side, indent) in STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        _east_asian(style, FACE_ROLES[role])
        style.font.size = Pt(size or masthead_pt)
        fmt = style.paragraph_format
        fmt.alignment = align[side]
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(max(gongwen.LINE_PT, (size or masthead_pt) * 1.2))
        if indent:
            fmt.first_line_indent = Pt(size * indent)
        if name == "发文机关标志":
            style.font.color.rgb = RGBColor.from_string(RED)
    level2 = document.styles.add_style("二级标题", WD_STYLE_TYPE.CHARACTER)
    _east_asian(level2, FACE_ROLES["kaiti"])


def _page(document: Any) -> None:
    """A4, GB/T 9704-2012's margins mirrored for two-sided printing, a 22-line grid."""
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(gongwen.PAGE_WIDTH_MM), Mm(gongwen.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(gongwen.TOP_MM), Mm(gongwen.BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(gongwen.INNER_MM), Mm(gongwen.OUTER_MM)
    section.footer_distance = Mm(gongwen.BOTTOM_MM - 7 - 5)
    settings = document.settings.element
    settings.append(settings.makeelement(qn("w:mirrorMargins"), {}))
    document.settings.odd_and_even_pages_header_footer = True
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = section._sectPr.makeelement(qn("w:docGrid"), {})
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(gongwen.LINE_PT * 20)))
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        _page_number(footer.paragraphs[0], side)


def _page_number(paragraph: Any, side: str) -> None:
    """``— PAGE —`` in 4号 宋体, one character in from the edge of the 版心."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if side == "right" else WD_ALIGN_PARAGRAPH.LEFT
    fmt = paragraph.paragraph_format
    if side == "right":
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)

    def run(text: str = "", field: str | None = None) -> None:
        r = paragraph.add_run(text)
        _east_asian(r, "宋体")
        r.font.size = Pt(14)
        if field:
            for kind, instr in (("begin", None), (None, field), ("end", None)):
                if kind:
                    el = r._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
                else:
                    el = r._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
                    el.text = instr
                r._r.append(el)

    run("— ")
    run(field=" PAGE ")
    run(" —")


def _rule(paragraph: Any, colour: str, size_eighths: int, where: str = "bottom") -> None:
    """A line the width of the 版心 under (or over) ``paragraph``."""
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.makeelement(qn("w:pBdr"), {})
    line = {qn("w:val"): "single", qn("w:sz"): str(size_eighths), qn("w:space"): "1", qn("w:color"): colour}
    borders.append(borders.makeelement(qn(f"w:{where}"), line))
    p_pr.append(borders)


TABLE_CHAR_MM = 10.5 * gongwen.MM_PER_PT  # a 附件表格 character (10.5 pt)
CELL_PADDING_MM = 4.0  # Word's default left and right cell margins, with a little room
SHORT_COLUMN = 8  # characters: a column whose texts are no longer is kept on one line


def _text_width(text: str) -> float:
    """A text's width in CJK characters (Latin letters and digits are about half as wide)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def column_widths(head: list[str], rows: list[list[str]], total_mm: float) -> list[float]:
    """Widths (mm) summing to ``total_mm``: a column of short values (名次, 地区, 总分, 分值 …) as wide
    as its longest value on one line; the columns of long texts (rules, quotations) share the rest,
    each after its longest text (counted as 24 characters at most)."""
    # the values decide (a heading may wrap: 日常工作成效（满分66） over a column of 55.28)
    longest = [max([2.0] + [_text_width(row[k]) for row in rows]) for k in range(len(head))]
    fixed = {k: n * TABLE_CHAR_MM + CELL_PADDING_MM for k, n in enumerate(longest) if n <= SHORT_COLUMN}
    flexible = {k: min(n, 24.0) for k, n in enumerate(longest) if k not in fixed}
    room = total_mm - sum(fixed.values())
    if not flexible or room < len(flexible) * 4 * TABLE_CHAR_MM:  # nothing to share, or too little room
        widths = [fixed.get(k, 4 * TABLE_CHAR_MM + CELL_PADDING_MM) for k in range(len(head))]
        return [total_mm * w / sum(widths) for w in widths]
    share = sum(flexible.values())
    return [fixed[k] if k in fixed else room * flexible[k] / share for k in range(len(head))]


def _table(document: Any, head: list[str], rows: list[list[str]]) -> None:
    from docx.shared import Mm

    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.autofit = False  # Word and WPS keep the widths below; LibreOffice reads them from the grid
    widths = [Mm(w) for w in column_widths(head, rows, gongwen.TYPE_WIDTH_MM)]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, text, width in zip(table.rows[0].cells, head, widths, strict=True):
        cell.text, cell.width = text, width
        cell.paragraphs[0].style = document.styles["附件表格"]
    for row in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, row, widths, strict=True):
            cell.text, cell.width = text, width
            cell.paragraphs[0].style = document.styles["附件表格"]


def notice_docx(context: dict[str, Any], created: datetime) -> bytes:
    """The 通报 (as ``summary_context`` describes it) as .docx bytes."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    _page(document)
    _styles(document, context["masthead_pt"])
    add = document.add_paragraph
    add(context["masthead"], style="发文机关标志")
    add("", style="发文字号")
    add(context["doc_number"], style="发文字号")
    _rule(add("", style="发文字号"), RED, 12)
    add("", style="公文标题")
    for line in context["title_lines"]:
        add(line, style="公文标题")
    add("", style="主送机关")
    add(context["notice"].recipients + "：", style="主送机关")
    for p in context["paragraphs"]:
        if p.level == 1:
            add(p.head, style="一级标题")
            continue
        para = add("", style="公文正文")
        if p.head:
            para.add_run(p.head, style="二级标题")
        para.add_run(p.text)
    add("", style="公文正文")
    for i, annex in enumerate(context["annexes"]):
        para = add(("附件：" if i == 0 else "　　　") + f"{annex.number}. {annex.title}", style="附件说明")
    add("", style="公文正文")
    add("", style="公文正文")
    add(context["notice"].issuer + "　　　　", style="发文机关署名")
    add(context["signed_date"] + "　　　　", style="成文日期")
    add(f"（{context['notice'].openness}）", style="附注")
    for annex in context["annexes"]:
        add("", style="公文正文").runs and None
        document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        add(f"附件{annex.number}", style="附件标签")
        add("", style="附件标签")
        add(annex.title, style="附件标题")
        add("", style="附件标签")
        for note in annex_notes(annex.partial, context):
            add(note, style="附件注释")
        head, rows = annex_table(annex.partial, context)
        _table(document, head, rows)
    # after the table, in a paragraph of its own: the last paragraph is the one before the table
    add("", style="公文正文").add_run().add_break(WD_BREAK.PAGE)
    record = add("", style="版记")
    _rule(record, "000000", 8, "top")
    if context["notice"].copy_to:
        add("抄送：" + "，".join(context["notice"].copy_to) + "。", style="版记")
    add(f"{context['printer']}\t{context['print_date']}印发", style="版记")
    _rule(document.paragraphs[-1], "000000", 8)
    core = document.core_properties
    core.created = core.modified = created.replace(tzinfo=None)
    core.title, core.author, core.last_modified_by = context["title"], context["notice"].issuer, ""
    core.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def annex_notes(partial: str, context: dict[str, Any]) -> list[str]:
    """The paragraphs an annex has before its table: the method annex's rounding, reading and tier
    rules, as the PDF's annex states them (the other annexes have none)."""
    if partial != "_notice_method.html":
        return []
    return [f"舍入规则：{context['rounding_text']}", f"数据读取：{context['intake_text']}",
            f"平安建设档次及其与等次的关系：{context['tier_rule_text']}"]


def annex_table(partial: str, context: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """An attachment's table as header and rows of text."""
    from scoring.report.formatting import change, fixed, rank_change

    d = context["decimals"]
    if partial == "_notice_ranking.html":
        head = ["名次", "单位", "地区", "总分", "等次", "档次", "平安建设得分"]
        compared = bool(context["compared"])
        if compared:
            head += ["总分变化", "名次变化"]
        rows = []
        for row in context["rows"]:
            u, t = row.unit, row.unit.trend
            cells = [str(u.rank or "—"), u.name + (context["veto_mark"] if row.vetoed else ""), u.region,
                     fixed(u.total, d), u.grade or "—", u.tier or "—", f"{u.tier_points or 0:g}"]
            if compared:
                cells += [change(t.total_change, d) if t and t.total_change is not None else "—",
                          rank_change(t.rank_change) if t and t.rank_change is not None else "—"]
            rows.append(cells)
        return head, rows
    if partial == "_notice_sections.html":
        head = ["名次", "单位", *[s.name for s in context["columns"]], "总分"]
        return head, [[str(r.unit.rank or "—"), r.unit.name, *[fixed(v, d) for v in r.sections],
                       fixed(r.unit.total, d)] for r in context["rows"]]
    if partial == "_notice_unscored.html":
        return ["单位", "状态", "原因"], [[u.unit.name, u.status, u.reason] for u in context["unscored"]]
    from scoring.report.formatting import plain_text

    rows = [[r.name, f"{r.points:g}", plain_text(r.rule)] for sec in context["methodology"] for r in sec.rows]
    return ["指标", "分值", "计分规则"], rows


def _fixed_zip(data: bytes) -> bytes:
    """``data`` re-zipped with one date on every entry, in the same order (same inputs, same bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
