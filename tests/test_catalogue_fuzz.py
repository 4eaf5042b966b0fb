"""The extractor on arbitrary text: it returns a catalogue or says it is not a plan, nothing else."""

from __future__ import annotations

import re

from conftest import extract_text, seed_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.catalogue.models import han_characters, text_in_order
from scoring.errors import NotAPlanError

PIECES = ["一、", "二、", "十、", "（一）", "(二)", "（十四）", "1.", "2．", "3、", "(1)", "\n", "\n\n",
          "。", "，", "；", "（公安部负责）", "（市场监管总局牵头，有关部门按职责分工负责）", "(责任单位：",
          "）", ")", "**", "## ", "— 3 —", "工作要点", "2023年", "加强", "治理", "任务", " ",
          "打假发〔2023〕2号", "抄送：", "2023年4月1日", "全国双打办", "某某局"]

text_strategy = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
seed_lines = seed_path(2022).read_text(encoding="utf-8").split("\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_strategy)
def test_arbitrary_text_gives_a_catalogue_or_not_a_plan(text: str) -> None:
    try:
        result = extract_text(text, year=2023)
    except NotAPlanError:
        return
    placed = han_characters("".join(text_in_order(result.plan)))
    assert len(placed) <= len(han_characters(text)) + len(han_characters(result.plan.title))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, len(seed_lines) - 1), min_size=1, max_size=40, unique=True))
def test_seed_with_lines_removed_still_extracts(dropped: list[int]) -> None:
    kept = "\n".join(line for i, line in enumerate(seed_lines) if i not in set(dropped))
    try:
        result = extract_text(kept, year=2022)
    except NotAPlanError:
        return
    assert result.plan.sections
    assert "lossless-check-failed" not in [p.code for p in result.problems]


footer_at = next(i for i, line in enumerate(seed_lines) if line.startswith("抄报"))
subsection_starts = [i for i, line in enumerate(seed_lines[:footer_at])
                     if re.match(r"^#*\s*[（(][一二三四五六七八九十]+[）)]", line)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(subsection_starts), st.integers(1, 120))
def test_excerpt_starting_at_any_subsection_is_extracted_losslessly(start: int, length: int) -> None:
    excerpt = "\n".join(seed_lines[start: min(start + length, footer_at)])
    try:
        result = extract_text(excerpt, year=2022)
    except NotAPlanError:  # the excerpt holds no responsibility parenthetical yet
        assert "负责" not in excerpt and "牵头" not in excerpt
        return
    assert result.plan.sections[0].number == 0 and result.plan.sections[0].subsections
    assert "no-section-heading" in [p.code for p in result.problems]
    unplaced = "".join(p.value or "" for p in result.problems if p.code == "unplaced-text")
    placed = han_characters("".join(text_in_order(result.plan)[1:]))  # [0]: the default title
    assert len(placed) + len(han_characters(unplaced)) == len(han_characters(excerpt))
