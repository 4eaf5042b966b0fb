"""Data items' hard and plausible bounds: checked when the config is read, worded for the audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from scoring.cli import app
from scoring.indicators.items import DataItem

runner = CliRunner()


def item(**extra: object) -> DataItem:
    return DataItem.model_validate({"code": "x", "name": "测试项", "unit": "件", "kind": "count", **extra})


def test_bounds_are_worded_in_chinese() -> None:
    bounded = item(min=0, max=1000, plausible={"size": {"per": "population", "low": 0.5, "high": 20},
                                               "previous_factor": 10})
    assert bounded.describe_bounds() == (
        "允许范围 0～1,000 件，超出为错误；须为整数；"
        "合理范围为每万人 0.5～20 件（按单位规模折算），超出为警告；"
        "超过上一考核年度数的 10 倍或不足其 1/10 时警告")
    assert item().describe_bounds() == "不得小于 0 件，超出为错误；须为整数"
    ratio = DataItem.model_validate({"code": "r", "name": "比率", "unit": "%", "kind": "ratio"})
    assert ratio.describe_bounds() == "允许范围 0～100%，超出为错误"
    text = DataItem.model_validate({"code": "t", "name": "说明", "kind": "text"})
    assert text.describe_bounds() == "无数值范围"


@pytest.mark.parametrize("plausible", [
    {"size": {"per": "gdp", "low": 5, "high": 1}},     # low above high
    {"size": {"per": "gdp"}},                          # no bound at all
    {"size": {"per": "area", "high": 1}},              # no such size
    {"previous_factor": 1},                            # a factor must be above 1
    {"previous_factor": 10, "extra": 1},               # unknown field
])
def test_broken_plausibility_is_refused(plausible: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        item(plausible=plausible)


def test_plausibility_only_for_figures() -> None:
    with pytest.raises(ValidationError):
        DataItem.model_validate({"code": "d", "name": "日期", "kind": "date",
                                 "plausible": {"previous_factor": 2}})


def test_size_range_for_a_unit() -> None:
    bounds = item(plausible={"size": {"per": "gdp", "low": 0.01, "high": 2}}).plausible
    assert bounds is not None and bounds.size is not None
    assert bounds.size.range_for(2189.31, 41610.9) == pytest.approx((416.109, 83221.8))
    assert bounds.size.range_for(2189.31, None) is None


@pytest.mark.parametrize("year", ["2020", "2022"])
def test_audit_json_lists_every_items_bounds(year: str) -> None:
    result = runner.invoke(app, ["audit", year, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    items = {i["code"]: i for i in report["items"]}
    opened = items["admin_cases_opened"]
    assert opened["max"] == 1_000_000 and opened["plausible"]["size"]["per"] == "gdp"
    assert "超出为错误" in opened["bounds"] and "超出为警告" in opened["bounds"]
    # every count or amount a province reports has a hard upper bound and a year-on-year factor
    for code, entry in items.items():
        if entry["source"] == "province" and entry["kind"] in ("数量", "金额（万元）"):
            assert entry["max"] is not None and entry["plausible"]["previous_factor"] == 10, code


def test_audit_html_shows_the_bounds(tmp_path: Path) -> None:
    out = tmp_path / "audit.html"
    assert runner.invoke(app, ["audit", "2022", "-o", str(out)]).exit_code == 0
    html = out.read_text("utf-8")
    assert "数据项定义与校验规则" in html and "每亿元地区生产总值 0.01～2 件" in html
