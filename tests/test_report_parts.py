"""The pieces behind the PDFs: rules in words, deterministic charts, dates, the job plan."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from reportdata import sample_report

from scoring.errors import ScoringError
from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.indicators.store import load_indicator_set
from scoring.report.charts import Bar, Series, distribution_chart, section_chart
from scoring.report.methodology import describe_rule, methodology
from scoring.report.moment import run_moment
from scoring.report.palette import WARNING
from scoring.report.render import plan_jobs, scorecard_file
from scoring.report.summary import summary_html


@pytest.mark.parametrize("year", ["2020", "2022"])
def test_every_indicator_is_described(year: str) -> None:
    indicator_set = load_indicator_set(year)
    sections = methodology(indicator_set)
    assert [r.id for s in sections for r in s.rows] == [i.id for _, i in indicator_set.indicators()]
    assert all(r.rule and r.basis for s in sections for r in s.rows)


def test_rule_words_carry_the_numbers() -> None:
    s = load_indicator_set("2022")
    by_id = {i.id: i for _, i in s.indicators()}
    items = s.item_map()
    assert "0.25" in describe_rule(by_id["B1"], items) and "每 1 件" in describe_rule(by_id["B1"], items)
    assert "≥ 95%" in describe_rule(by_id["B2"], items) and "得 3 分" in describe_rule(by_id["B2"], items)
    assert "2023年1月15日" in describe_rule(by_id["C1"], items) and "0.5" in describe_rule(by_id["C1"], items)
    assert "达到 90%" in describe_rule(by_id["A7"], items) and "60%" in describe_rule(by_id["A7"], items)
    assert "每亿元GDP" in describe_rule(by_id["A6"], items)
    assert "前 25%" in describe_rule(by_id["C5"], items)
    e1 = describe_rule(by_id["E1"], items, SectionKind.DEDUCTION)
    assert "被通报次数每 1 次 2 分（其中被通报后按期整改到位次数每 1 次 1 分）" in e1 and "累计扣分" in e1
    assert "累计加分" in describe_rule(by_id["D1"], items, SectionKind.BONUS)
    assert "等次最高为不合格" in describe_rule(by_id["F1"], items)
    assert "已完成 1、部分完成 0.5" in describe_rule(by_id["A1"], items)


def test_charts_are_deterministic_svg_with_text() -> None:
    args = (["A 日常工作成效", "B 行刑衔接"],
            [Series("本单位", (80.0, 50.0)), Series("全国平均", (70.0, 60.0))])
    first = section_chart(*args, title="各部分得分率")
    assert first == section_chart(*args, title="各部分得分率")
    assert first.startswith("<svg") and "<text" in first and "日常工作成效" in first
    assert "<dc:date>" not in first and "width=" not in first.split(">")[0]
    bars = [Bar("广东", 80.5, "良好"), Bar("北京", 70.0, "合格"), Bar("上海", 79.7, "不合格", vetoed=True)]
    data = (bars, ["优秀", "良好", "合格", "不合格"], [("合格", 60.0), ("良好", 80.0)])
    other = distribution_chart(*data, title="总分")
    assert other == distribution_chart(*data, title="总分")
    assert "广东" in other and "上海※" in other and "79.70（一票否决）" in other


def _texts(svg: str) -> list[str]:
    return [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.strip()]


def test_distribution_legend_follows_the_grades_and_warns_in_red() -> None:
    bars = [Bar("甲", 91.0, "优秀"), Bar("乙", 55.0, "不合格"), Bar("丙", 70.0, "合格")]
    svg = distribution_chart(bars, ["优秀", "良好", "合格", "不合格"], [("合格", 60.0)], title="总分")
    texts = _texts(svg)
    assert texts[-4:] == ["优秀", "良好", "合格", "不合格"]  # the legend, drawn last, in grade order
    assert WARNING.lower() in svg.lower()


def test_run_moment_prefers_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scores = tmp_path / "scores.json"
    scores.write_text("{}", encoding="utf-8")
    os.utime(scores, (1_700_000_000, 1_700_000_000))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert run_moment(scores) == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    assert run_moment(scores) == datetime.fromtimestamp(1_600_000_000, tz=UTC)
    (tmp_path / "manifest.json").write_text(json.dumps({"generated_at": "2023-02-01T08:00:00"}),
                                            encoding="utf-8")
    assert run_moment(scores) == datetime(2023, 2, 1, 8, tzinfo=UTC)
    (tmp_path / "manifest.json").write_text(json.dumps({"generated_at": "yesterday"}), encoding="utf-8")
    with pytest.raises(ScoringError, match="ISO 8601"):
        run_moment(scores)


def test_jobs_put_the_summary_first_and_name_cards_by_code_and_name(tmp_path: Path) -> None:
    jobs = plan_jobs(sample_report(), tmp_path)
    assert [p for _, p in jobs[:2]] == [tmp_path / "summary.pdf", tmp_path / "technical.pdf"]
    assert [p.name for _, p in jobs[2:]] == [
        "440000-广东省.pdf", "110000-北京市.pdf", "540000-西藏自治区.pdf", "660000-新疆生产建设兵团.pdf",
        "460000-海南省.pdf"]


def test_card_names_stay_inside_the_folder(tmp_path: Path) -> None:
    unit = sample_report(("110000",), not_scored=None, missing=None).units[0]
    hostile = unit.model_copy(update={"name": "../../etc/x\\y"})
    path = scorecard_file(tmp_path, hostile)
    assert path.parent == tmp_path / "scorecards" and path.name == "110000-..／..／etc／x＼y.pdf"


def _summary_text(indicator_set: IndicatorSet) -> str:
    html = summary_html(sample_report(), indicator_set, datetime(2023, 3, 1, tzinfo=UTC))
    return re.sub(r"[\s\u200b]+", "", re.sub(r"<[^>]+>", "", html))  # as read: zero-width breaks unseen


def _variant(indicator_set: IndicatorSet, change: Callable[[dict[str, Any]], None]) -> IndicatorSet:
    data = indicator_set.model_dump()
    change(data)
    return IndicatorSet.model_validate(data)


def test_the_method_annex_states_the_rules_the_config_chose() -> None:
    s = load_indicator_set("2022")
    text = _summary_text(s)
    assert "百分比格式的单元格按其存储值评分" in text and "佐证材料只填“无”“/”" in text
    assert "总分相同的单位跨越档次界线时一起列入较高一档" in text
    assert "因等次调整档次的单位仍占其名次所在档的名额" in text
    assert "所涉任务均不适用时本项不计入，按本部分其余指标折算" in text

    def chosen(data: dict[str, Any]) -> None:
        data["intake"]["percent_cells"] = "displayed"
        data["tiers"].update(boundary_ties="together_in_worse", demoted_slot="release")
        data["sections"][0]["indicators"][0]["rule"]["when_all_not_applicable"] = "zero"

    text = _summary_text(_variant(s, chosen))
    assert "百分比格式的单元格按其显示值（按格式的小数位四舍五入）评分" in text
    assert "一起列入较低一档" in text and "因等次调整档次的单位不占名额，其余单位重新按名次比例划档" in text
    assert "所涉任务均不适用时得0分" in text
