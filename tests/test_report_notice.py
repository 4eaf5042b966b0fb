"""The national summary is a 公文 to GB/T 9704-2012: measured on the PDF the pipeline wrote
(margins, 3号 body, 22 lines × 28 characters, "— n —" page numbers), with its 版头, 主送, 附件,
署名, 公开属性 and 版记, and none of the tool's own words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from conftest import pdf_page_text, pdf_text
from reportdata import EngineRun, Rendered

from scoring.report.formatting import plain_text
from scoring.report.notice_config import load_notice_config

MM = 72 / 25.4
EM_CENTRE = 0.38  # a CJK ideograph's em box runs from 0.12 em below the baseline to 0.88 em above


def squeeze(text: str) -> str:
    """``text`` without any white space."""
    return re.sub(r"\s+", "", text)


def body_lines(page: Any) -> dict[float, list[dict[str, Any]]]:
    """The page's 16 pt characters grouped by baseline (pt from the page top), left to right."""
    lines: dict[float, list[dict[str, Any]]] = {}
    for c in page.chars:
        if round(c["size"], 1) == 16.0:
            lines.setdefault(round(page.height - c["matrix"][5], 1), []).append(c)
    return {k: sorted(v, key=lambda c: c["x0"]) for k, v in sorted(lines.items())}


@pytest.fixture(scope="module")
def pages(engine_outputs: EngineRun) -> Iterator[list[Any]]:
    """The summary's pages (pdfplumber)."""
    with pdfplumber.open(engine_outputs.summary) as pdf:
        yield list(pdf.pages)


def full_page(pages: list[Any]) -> int:
    """The index of the first page past the 版头 filled with body text (22 lines)."""
    return next(i for i, p in enumerate(pages[1:], 1) if len(body_lines(p)) >= 20)


def test_the_body_is_3hao_on_22_lines_of_28_characters(pages: list[Any]) -> None:
    page = pages[full_page(pages)]
    sizes = Counter(round(c["size"], 1) for c in page.chars)
    assert sizes.most_common(1)[0][0] == 16.0
    lines = body_lines(page)
    assert len(lines) == 22
    full_width = [ln for ln in lines.values() if all(ord(c["text"]) > 0x2E80 for c in ln)]
    assert max(len(ln) for ln in full_width) == 28
    assert all(len([c for c in ln if ord(c["text"]) > 0x2E80]) <= 28 for ln in lines.values())


@pytest.mark.parametrize("which", ["front", "body"])
def test_margins_are_the_standards_within_a_millimetre(pages: list[Any], which: str) -> None:
    index = 0 if which == "front" else full_page(pages)
    page = pages[index]
    lines = body_lines(page)
    odd = index % 2 == 0  # page 1 is a right-hand page: 订口 (28 mm) on the left
    left, right = (28.0, 26.0) if odd else (26.0, 28.0)
    assert min(c["x0"] for ln in lines.values() for c in ln) / MM == pytest.approx(left, abs=1)
    right_edge = max(c["x1"] for ln in lines.values() for c in ln)
    assert (page.width - right_edge) / MM == pytest.approx(right, abs=1)
    if which == "body":
        pitch = 225 / 22
        baselines = list(lines)
        first = (baselines[0] - EM_CENTRE * 16) / MM
        last = (baselines[-1] - EM_CENTRE * 16) / MM
        assert first - pitch / 2 == pytest.approx(37, abs=1)  # 天头
        assert 297 - (last + pitch / 2) == pytest.approx(35, abs=1)  # 版心 225 mm high
        assert (baselines[1] - baselines[0]) / MM == pytest.approx(pitch, abs=0.05)


def test_page_numbers_are_dashed_odd_right_even_left(pages: list[Any], engine_outputs: EngineRun) -> None:
    numbered = 0
    for n, page in enumerate(pages, 1):
        marks = [c for c in page.chars if round(c["size"], 1) == 14.0 and page.height - c["top"] < 35 * MM]
        if not marks:
            continue
        numbered += 1
        text = "".join(c["text"] for c in sorted(marks, key=lambda c: c["x0"]))
        assert squeeze(text) == f"—{n}—"
        x0, x1 = min(c["x0"] for c in marks) / MM, max(c["x1"] for c in marks) / MM
        if n % 2:
            assert 184 - x1 == pytest.approx(14 / MM, abs=1.5)  # right, one 4号 character in
        else:
            assert x0 - 26 == pytest.approx(14 / MM, abs=1.5)
    assert numbered >= len(pages) - 2
    assert "生成于" not in pdf_text(engine_outputs.summary)
    assert "第1页" not in squeeze(pdf_text(engine_outputs.summary))


def page_number_marks(page: Any) -> str:
    """The 4号 characters in the page's foot: its page number, if it has one."""
    return squeeze("".join(c["text"] for c in sorted(page.chars, key=lambda c: c["x0"])
                           if round(c["size"], 1) == 14.0 and page.height - c["top"] < 35 * MM))


def test_the_colophon_after_a_blank_page_is_not_numbered(engine_outputs: EngineRun,
                                                         rendered_reports: Rendered) -> None:
    # GB/T 9704-2012 7.5.1: where a blank page comes before the 版记, neither is numbered; the
    # 版记 starts an even page, so the text ending on an even page leaves one blank. The engine's
    # summary ends its text on an even page, the sample report's on an odd one: both cases
    seen = set()
    for path in (engine_outputs.summary, rendered_reports.summary):
        with pdfplumber.open(path) as pdf:
            pages = list(pdf.pages)
            assert len(pages) % 2 == 0 and "印发" in squeeze(pages[-1].extract_text())
            blank_before = not pages[-2].chars
            seen.add(blank_before)
            assert page_number_marks(pages[-1]) == ("" if blank_before else f"—{len(pages)}—"), path
            assert page_number_marks(pages[-3 if blank_before else -2]) == (
                f"—{len(pages) - (2 if blank_before else 1)}—")  # the text's last page keeps its own
    assert seen == {True, False}


def test_the_front_page_has_masthead_number_title_and_recipients(engine_outputs: EngineRun,
                                                                 pages: list[Any]) -> None:
    notice = load_notice_config(2022)
    first = squeeze(pdf_page_text(engine_outputs.summary, 1))
    assert first.startswith(squeeze(notice.masthead or ""))
    assert squeeze(notice.doc_number(2022)) in first
    assert "关于2022年度各省、自治区、直辖市和新疆生产建设兵团打击侵权假冒工作绩效考核结果的通报" in first
    assert "各省、自治区、直辖市和新疆生产建设兵团打击侵权假冒工作领导小组办公室：" in first
    black = (None, (0,), [0], (0, 0, 0), [0, 0, 0])
    red = [c for c in pages[0].chars if c.get("non_stroking_color") not in black]
    assert red and all(round(c["size"]) >= 22 for c in red)  # the red masthead, larger than the title


def test_attachments_one_per_line_each_on_its_own_page(engine_outputs: EngineRun, pages: list[Any]) -> None:
    text = pdf_text(engine_outputs.summary)
    listed = re.findall(r"^(?:附件：)?\s*(\d)\. (\S+)$", text, flags=re.M)
    assert [n for n, _ in listed] == ["1", "2", "3", "4"]
    starts = []
    for n in range(1, len(pages) + 1):
        page = [ln for ln in pdf_page_text(engine_outputs.summary, n).splitlines() if ln.strip()]
        if page and re.fullmatch(r"附件\d", page[0].strip()):
            starts.append((page[0].strip(), squeeze(page[1])))
    assert starts == [(f"附件{n}", title) for n, title in listed]


def test_signature_date_and_colophon_come_from_the_config(engine_outputs: EngineRun,
                                                          pages: list[Any]) -> None:
    text = squeeze(pdf_text(engine_outputs.summary))
    notice = load_notice_config(2022)
    assert notice.date is None
    assert "2023年2月2日" not in text  # the run's date is never the 成文日期
    assert f"{notice.issuer}年月日（{notice.openness}）" in text
    last = squeeze(pdf_page_text(engine_outputs.summary, len(pages)))
    assert last.startswith("抄送：" + "，".join(notice.copy_to) + "。")
    assert last.endswith("印发")


def test_the_notice_states_the_veto_as_a_fact_without_tool_words(engine_outputs: EngineRun) -> None:
    text = squeeze(pdf_text(engine_outputs.summary))
    assert "上海市经全国双打办认定，存在区域性、系统性重大事件的情形，依据" in text
    for word in ("触发", "等次最高为", "稳健区间", "随机种子", "百分位", "技术信息", "SHA-256", "极差法",
                 "标记待核", "中央记录", "～"):
        assert word not in text, word
    assert not re.search(r"(?<![A-Za-z0-9])[A-F]\d{1,2}(?![0-9])|20\d\d-\d+\.\d", text)
    assert "考核指标、各部分分值和定档规则不同，比较仅供参考" in text


def test_a_malformed_notice_file_is_reported_with_its_line(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring.errors import ScoringError

    (tmp_path / "indicators" / "notices").mkdir(parents=True)
    (tmp_path / "indicators" / "notices" / "2022.yaml").write_text(
        "schema_version: 1\nnotice:\n  openness: 公开\n", "utf-8")
    monkeypatch.setenv("SCORING_ROOT", str(tmp_path))
    with pytest.raises(ScoringError) as caught:
        load_notice_config(2022)
    assert "2022.yaml" in str(caught.value) and "openness" in str(caught.value)


def test_quoted_items_side_by_side_may_break_between_them() -> None:
    # without a break opportunity between ”“ the line breaker ended the line early and left a gap
    text = plain_text("佐证材料只填‘无’“/”“暂无”等占位文字的，按无佐证材料计")
    assert text == "佐证材料只填“无”\u200b“/”\u200b“暂无”等占位文字的，按无佐证材料计"
