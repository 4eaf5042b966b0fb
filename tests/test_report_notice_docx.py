"""The 通报 as a .docx: opened with python-docx, its styles name the faces offices have (East
Asian font included), its page is GB/T 9704-2012's, and it carries the same elements as the PDF."""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from reportdata import Rendered

from scoring.report.notice_config import load_notice_config
from scoring.report.render import summary_docx

FACES = {"发文机关标志": "方正小标宋简体", "公文标题": "方正小标宋简体", "发文字号": "仿宋_GB2312",
         "公文正文": "仿宋_GB2312", "一级标题": "黑体", "二级标题": "楷体_GB2312", "附件标签": "黑体",
         "版记": "仿宋_GB2312"}


def document(r: Rendered) -> docx.document.Document:
    return docx.Document(str(r.out_dir / "summary.docx"))


def east_asian(style: docx.styles.style.BaseStyle) -> str | None:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_styles_name_the_licensed_faces_for_east_asian_text(rendered_reports: Rendered) -> None:
    d = document(rendered_reports)
    for name, face in FACES.items():
        style = d.styles[name]
        assert east_asian(style) == face and style.font.name == face, name
    assert d.styles["公文正文"].font.size.pt == 16 and d.styles["公文标题"].font.size.pt == 22
    assert str(d.styles["发文机关标志"].font.color.rgb) == "E60012"


def test_the_page_is_the_standards(rendered_reports: Rendered) -> None:
    d = document(rendered_reports)
    section = d.sections[0]
    for got, want in ((section.top_margin, 37), (section.bottom_margin, 35), (section.left_margin, 28),
                      (section.right_margin, 26), (section.page_width, 210), (section.page_height, 297)):
        assert got is not None and abs(got - Mm(want)) < Mm(0.1)
    assert d.settings.element.find(qn("w:mirrorMargins")) is not None
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid is not None
    assert int(grid.get(qn("w:linePitch"))) == pytest.approx(225 / 22 / 25.4 * 1440, abs=1)
    assert d.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, "RIGHT"), (section.even_page_footer, "LEFT")):
        p = footer.paragraphs[0]
        assert p.text.replace(" ", "") == "——" and "PAGE" in p._p.xml and side in str(p.alignment)


def test_it_carries_the_notices_elements(rendered_reports: Rendered) -> None:
    d = document(rendered_reports)
    notice = load_notice_config(2022)
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == notice.masthead and notice.doc_number(2022) in texts
    assert "各省、自治区、直辖市和新疆生产建设兵团打击侵权假冒工作领导小组办公室：" in texts
    annexes = [t.strip("　") for t in texts if t.startswith(("附件：", "　　　"))]
    assert annexes[0].startswith("附件：1. ") and annexes[1].startswith("2. ")  # one per line
    assert any(t.startswith(notice.issuer) for t in texts) and f"（{notice.openness}）" in texts
    assert any(t.startswith("抄送：") for t in texts) and texts[-1].endswith("印发")
    headings = [p.text for p in d.paragraphs if p.style.name == "一级标题"]
    assert headings[0] == "一、总体情况"
    assert len(d.tables) >= 3 and d.tables[0].rows[0].cells[1].text == "单位"


def test_the_method_annex_states_the_rules_the_pdf_states(rendered_reports: Rendered) -> None:
    """The Word file's method annex carries the rounding, reading and tier rules of the config the
    scores were made with, not only its table of indicators."""
    from scoring.report.methodology import intake_text, rounding_text, tier_rule_text

    indicator_set = rendered_reports.indicator_set
    notes = [p.text for p in document(rendered_reports).paragraphs if p.style.name == "附件注释"]
    assert notes == [f"舍入规则：{rounding_text(indicator_set)}", f"数据读取：{intake_text(indicator_set)}",
                     f"平安建设档次及其与等次的关系：{tier_rule_text(indicator_set)}"]
    assert "百分比格式的单元格按其存储值评分" in notes[1]
    assert ("跨越档次界线" in notes[2]) == (indicator_set.tiers.method == "rank_share")


def test_each_annex_table_follows_its_title_without_a_page_break(rendered_reports: Rendered) -> None:
    """A page break between an annex's title and its table left the title alone on its page (the
    break meant for the 版记 went into the last paragraph before the method table)."""
    body = document(rendered_reports).element.body
    titles = tables = 0
    between: list[str] = []
    for element in body.iterchildren():
        if element.tag == qn("w:p") and element.xpath("string(.//w:pStyle/@w:val)") == "附件标题":
            titles, between = titles + 1, []
        elif element.tag == qn("w:tbl"):
            assert "page" not in between, f"附件 {titles} 的标题与表格之间有分页"
            tables += 1
        elif element.tag == qn("w:p"):
            between += [br.get(qn("w:type")) for br in element.iter(qn("w:br"))]
    assert titles >= 3 and tables == titles


def test_the_same_inputs_give_the_same_bytes(rendered_reports: Rendered, tmp_path: Path) -> None:
    r = rendered_reports
    again = summary_docx(r.report, r.indicator_set, generated_at=r.generated_at)
    assert again == (r.out_dir / "summary.docx").read_bytes()


def test_libreoffice_opens_it_with_its_tables_readable(rendered_reports: Rendered, tmp_path: Path) -> None:
    """Through LibreOffice Writer (as many offices open it): every unit's total stands whole on its
    line in the ranking (equal column widths wrapped 86.28 into 86.2 / 8 and the rules into a narrow
    strip), and the columns fill the 版心."""
    r = rendered_reports
    source = tmp_path / "通报.docx"
    source.write_bytes((r.out_dir / "summary.docx").read_bytes())
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "通报.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    ranked = [u for u in r.report.units if u.total is not None]
    decimals = r.report.total_decimals
    lines = text.splitlines()
    for unit in ranked:  # its row in 附件1 and in 附件2: the name and the total on one line
        total = f"{unit.total:.{decimals}f}"
        rows = [line for line in lines if total in line.split()
                and any(word.startswith(unit.name) for word in line.split())]  # 上海市※: vetoed
        assert len(rows) >= 2, (unit.name, total, [line for line in lines if unit.name in line])
    for table in docx.Document(str(source)).tables:
        widths = [cell.width for cell in table.rows[0].cells]
        assert all(w is not None for w in widths)
        assert sum(widths) == pytest.approx(Mm(156), rel=0.01)
