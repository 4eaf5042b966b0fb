"""The extractor on variants other years' plans use: snippets written for these tests."""

from __future__ import annotations

import pytest
from conftest import codes, extract_text, seed_path

from scoring.catalogue.decoding import decode_plan
from scoring.catalogue.models import Role, han_characters, text_in_order
from scoring.errors import InputError, NotAPlanError

NO_HEADER_HALF_WIDTH = """2019年全国打击侵犯知识产权和制售假冒伪劣商品工作要点

做好2019年工作，要坚持依法治理。

一.深化重点领域治理
(一)加强互联网领域侵权假冒治理。加强网络市场监管，严厉打击在线销售侵权假冒商品。(工业和信息化部、公安部、市场监管总局按职责分工负责)
(二)加强农村市场治理。集中开展农资打假。(农业农村部牵头，公安部、市场监管总局按职责分工负责)

二.强化知识产权保护
(三)加强商标保护。组织开展“铁拳”专项行动。(市场监管总局负责)
"""


def test_half_width_markers_without_header_and_continuous_numbering() -> None:
    result = extract_text(NO_HEADER_HALF_WIDTH)
    plan = result.plan
    assert plan.year == 2019 and plan.doc_number is None and plan.issuer is None
    assert [t.id for t in plan.tasks()] == ["2019-01", "2019-02", "2019-03"]
    assert [t.title for t in plan.tasks()] == [
        "加强互联网领域侵权假冒治理", "加强农村市场治理", "加强商标保护"]
    second = plan.tasks()[1].clauses[0].departments
    assert [(d.name, d.role) for d in second] == [
        ("农业农村部", Role.LEAD), ("公安部", Role.JOINT), ("市场监管总局", Role.JOINT)]
    assert codes(result) == []


def test_no_title_line_needs_a_year_and_says_so() -> None:
    text = NO_HEADER_HALF_WIDTH.split("\n", 2)[2]
    with pytest.raises(NotAPlanError, match="--year"):
        extract_text(text)
    result = extract_text(text, year=2019)
    assert "title-missing" in codes(result)
    assert len(result.plan.tasks()) == 3
    assert result.plan.preamble == "做好2019年工作，要坚持依法治理。"


PAGE_BREAK = """2021年全国打击侵犯知识产权和制售假冒伪劣商品工作要点

一、扎实开展重点治理

（一）开展互联网领域治理。

1．加强互联网广告监测监管，严厉查处

- 3 -

虚假违法广告。（市场监管总局负责）

2、加强寄递环节监管。
（邮政局负责）

（二）开展农村地区治理。

1. 开展农资打假。（责任单位：农业农村部、公安部）
"""


def test_item_broken_by_a_page_break_and_full_width_dots() -> None:
    result = extract_text(PAGE_BREAK)
    plan = result.plan
    assert [t.id for t in plan.tasks()] == ["2021-1.1.1", "2021-1.1.2", "2021-1.2.1"]
    first = plan.tasks()[0]
    assert first.text == "加强互联网广告监测监管，严厉查处虚假违法广告。（市场监管总局负责）"
    assert first.clauses[0].departments[0].role is Role.SOLE
    assert plan.tasks()[1].clauses[0].departments[0].name == "邮政局"
    assert codes(result) == []


def test_responsibility_unit_clause() -> None:
    task = extract_text(PAGE_BREAK).plan.tasks()[2]
    clause = task.clauses[0]
    assert clause.responsibility == "（责任单位：农业农村部、公安部）"
    assert [(d.name, d.role) for d in clause.departments] == [
        ("农业农村部", Role.JOINT), ("公安部", Role.JOINT)]


UNNUMBERED = """2018年全国打击侵犯知识产权和制售假冒伪劣商品工作要点

一、加大重点领域治理力度

（一）互联网领域

加强网络市场监管。落实网络交易平台主体责任。（市场监管总局牵头，网信办、公安部按职责分工分别负责）

打击网络侵权盗版。开展“剑网”专项行动。（中央宣传部负责）

（二）农村和城乡结合部市场

开展农村假冒伪劣食品治理。（市场监管总局、农业农村部、商务部按职责分工负责）
"""


def test_unnumbered_subsection_paragraphs_become_tasks() -> None:
    result = extract_text(UNNUMBERED)
    plan = result.plan
    section = plan.sections[0]
    assert [s.title for s in section.subsections] == ["互联网领域", "农村和城乡结合部市场"]
    assert [t.id for t in plan.tasks()] == ["2018-1.1.1", "2018-1.1.2", "2018-1.2"]
    assert [t.title for t in plan.tasks()[:2]] == ["加强网络市场监管", "打击网络侵权盗版"]
    assert plan.tasks()[0].path == ["一", "（一）", "¶1"]
    roles = [(d.name, d.role) for d in plan.tasks()[0].clauses[0].departments]
    assert roles == [("市场监管总局", Role.LEAD), ("中央网信办", Role.JOINT), ("公安部", Role.JOINT)]
    assert plan.tasks()[2].title == "农村和城乡结合部市场"
    assert codes(result) == []
    assert han_characters("".join(text_in_order(plan))) == han_characters(UNNUMBERED)


def test_gbk_encoded_plan_is_detected_and_read() -> None:
    original = seed_path(2022).read_text(encoding="utf-8")
    text, encoding = decode_plan(original.encode("gb18030"), "plan-gbk.txt")
    assert encoding == "gb18030"
    assert text == original
    utf8 = extract_text(original).plan
    gbk = extract_text(original, encoding="gb18030").plan
    assert gbk.model_dump(exclude={"source"}) == utf8.model_dump(exclude={"source"})
    assert gbk.source is not None and gbk.source.encoding == "gb18030"


def test_truncated_plan_is_extracted_and_flagged() -> None:
    original = seed_path(2022).read_text(encoding="utf-8")
    cut = original[: original.index("2. 推进著作权法实施条例") + len("2. 推进著作权法实施条例、著作权集体")]
    result = extract_text(cut)
    plan = result.plan
    assert plan.tasks()[-1].id == "2022-4.1.2"
    assert plan.tasks()[-1].text == "推进著作权法实施条例、著作权集体"
    assert len(plan.sections) == 4
    assert "truncated-text" in codes(result)


def test_text_that_cannot_be_placed_is_reported() -> None:
    text = PAGE_BREAK.replace("一、扎实开展重点治理\n", "一、扎实开展重点治理\n\n本部分说明文字。\n")
    result = extract_text(text)
    unplaced = [p for p in result.problems if p.code == "unplaced-text"]
    assert len(unplaced) == 1
    assert unplaced[0].line == 5 and unplaced[0].value == "本部分说明文字。"
    placed = han_characters("".join(text_in_order(result.plan)))
    assert len(placed) + len(han_characters("本部分说明文字")) == len(han_characters(text))


def test_unknown_department_is_reported_not_dropped() -> None:
    text = PAGE_BREAK.replace("（邮政局负责）", "（邮政局、某某管理局按职责分工负责）")
    result = extract_text(text)
    refs = result.plan.tasks()[1].clauses[0].departments
    assert [(d.name, d.known) for d in refs] == [("邮政局", True), ("某某管理局", False)]
    problem = next(p for p in result.problems if p.code == "unknown-department")
    assert problem.value == "某某管理局" and problem.line == 13


def test_numbering_problems_are_reported() -> None:
    text = PAGE_BREAK.replace("2、加强寄递", "3、加强寄递")
    assert "numbering-gap" in codes(extract_text(text))
    doubled = PAGE_BREAK.replace("2、加强寄递", "1、加强寄递")
    result = extract_text(doubled)
    assert "duplicate-task-id" in codes(result)


@pytest.mark.parametrize("data, message", [
    (b"", "为空"),
    (b"   \n\n", "为空"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是文本文件"),
    (bytes(range(128, 256)) * 4, "无法识别文本编码"),
])
def test_unreadable_bytes_raise_input_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_plan(data, "bad.txt")


def test_text_that_is_not_a_plan() -> None:
    with pytest.raises(NotAPlanError, match="部分标题"):
        extract_text("这是一封普通的信。\n\n祝好！\n")


def test_utf16_with_bom_is_read() -> None:
    text, encoding = decode_plan("一、标题\n".encode("utf-16"), "u16.txt")
    assert text == "一、标题\n" and encoding == "utf-16"


HEADING_SENTENCES = """全国打击侵犯知识产权和制售假冒伪劣商品工作领导小组

2021年5月16日

（此件公开发布）

2021年全国打击侵犯知识产权和制售假冒伪劣商品工作要点

做好2021年工作，要坚持依法治理。

一、深化重点治理

（一）深化重点领域和市场治理。

互联网领域侵权假冒治理。以食品、药品为重点，强化线上线下一体化监管打击。

（公安部、海关总署、市场监管总局、中央网信办按职责分工

— 2 —

负责）开展“剑网2021”专项行动。（中央宣传部牵头，公安部按职责分工负责）

农村和城乡结合部市场治理。开展农村假冒伪劣食品治理。（市场监管总局、农业农村部按职责分工负责）
"""


def test_paragraphs_opening_with_a_heading_sentence_and_a_parenthetical_cut_by_a_page() -> None:
    result = extract_text(HEADING_SENTENCES)
    plan = result.plan
    assert plan.issued_on is not None and plan.issued_on.isoformat() == "2021-05-16"
    assert [t.title for t in plan.tasks()] == ["互联网领域侵权假冒治理", "农村和城乡结合部市场治理"]
    first = plan.tasks()[0]
    assert [len(c.departments) for c in first.clauses] == [4, 2]
    assert first.clauses[1].departments[0].role is Role.LEAD
    assert codes(result) == ["front-matter"]


PDF_TEXT = """全国打击侵犯知识产权和制售

假冒伪劣商品工作领导小组 文件

— 1 —

2022年全国打击侵犯知识产权和

制售假冒伪劣商品工作要点

做好2022年全国打击侵犯知识产权和制售假冒伪劣商品工

作,要坚持以习近平新时代中国特色社会主义思想为指导。

一、扎实开展重点难点治理

(一)开展互联网领域治理。

1. 开展“剑网2022”专项行动,严厉打击网络侵权盗版行为。

(中央宣传部、中央网信办、公安部、工业和信息化部按职责分工

负责)
"""


def test_text_copied_from_a_pdf_line_by_line() -> None:
    result = extract_text(PDF_TEXT)
    plan = result.plan
    assert plan.title == "2022年全国打击侵犯知识产权和制售假冒伪劣商品工作要点" and plan.year == 2022
    assert plan.preamble == ("做好2022年全国打击侵犯知识产权和制售假冒伪劣商品工作,"
                             "要坚持以习近平新时代中国特色社会主义思想为指导。")
    task = plan.tasks()[0]
    assert task.id == "2022-1.1.1"
    assert [d.name for d in task.clauses[0].departments] == [
        "中央宣传部", "中央网信办", "公安部", "工业和信息化部"]
    assert codes(result) == ["front-matter"]


def test_announced_counts_are_checked() -> None:
    news = "《要点》涉及2方面、4项任务。\n\n" + NO_HEADER_HALF_WIDTH
    result = extract_text(news)
    mismatch = [p for p in result.problems if p.code == "announced-count-mismatch"]
    assert len(mismatch) == 1 and mismatch[0].severity == "error"
    assert "2 个部分、3 项任务" in mismatch[0].message
    agreed = extract_text("《要点》涉及2方面、3项任务。\n\n" + NO_HEADER_HALF_WIDTH)
    assert "announced-count-mismatch" not in codes(agreed)
