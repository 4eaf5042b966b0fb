"""Indicator files: every YAML in indicators/ loads and audits clean; units; schema; broken files."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT
from pydantic import ValidationError

from scoring.errors import ConfigError
from scoring.indicators.evaluate import (
    FinalResult,
    IndicatorOutcome,
    evaluate_indicator,
    final_result,
)
from scoring.indicators.items import CrossCheck
from scoring.indicators.models import IndicatorSet, MissingPolicy, SectionKind
from scoring.indicators.report import build_report
from scoring.indicators.rules import RULE_CLASSES, ReferenceFigures, RuleContext, TaskState, TaskStatus
from scoring.indicators.schema import schema_text
from scoring.indicators.store import indicator_path, load_indicator_set, load_located
from scoring.indicators.units import load_units

INDICATORS = ROOT / "indicators"
YEARS = ("2020", "2022")
BROKEN = ROOT / "tests" / "data" / "indicators" / "broken"
SCHEMA_LINE = "# yaml-language-server: $schema=./schema.json"


@pytest.mark.parametrize("year", YEARS)
def test_indicator_set_loads_and_audits_clean(year: str) -> None:
    report = build_report(load_located(year))
    assert [p.render() for p in report.findings] == []  # reference_years states the figures' years
    assert report.total_points == 100
    assert sum(s.points for s in report.sections if s.kind is SectionKind.SCORE) == 100
    assert all(s.max_attainable == s.points for s in report.sections)


@pytest.mark.parametrize("year", YEARS)
def test_every_task_is_covered_or_excluded_with_a_reason(year: str) -> None:
    report = build_report(load_located(year))
    assert report.coverage, "catalogue not read"
    for row in report.coverage:
        assert row.indicators or row.excluded, row.id


@pytest.mark.parametrize("name", [*YEARS])
def test_files_start_with_the_schema_comment(name: str) -> None:
    text = (INDICATORS / f"{name}.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    assert "\nschema_version: 1\n" in text


def test_mechanism_passages_shape_the_sets() -> None:
    s2020, s2022 = load_indicator_set("2020"), load_indicator_set("2022")
    names = {sec.name for sec in s2022.sections}
    assert {"日常工作成效", "报送信息数据", "行刑衔接"} <= names
    assert {"案件信息公开", "行刑衔接", "报送信息数据"} <= {sec.name for sec in s2020.sections}
    assert s2022.basis.doc_number == "打假发〔2022〕1号"
    for s in (s2020, s2022):
        kinds = {sec.kind for sec in s.sections}
        assert {SectionKind.BONUS, SectionKind.DEDUCTION, SectionKind.VETO} <= kinds
        central = {i.code for i in s.items if i.source == "central"}
        assert {"notified_count", "interviewed_count", "supervised_count", "submission_date",
                "info_reports_adopted", "national_typical_cases", "major_incident"} <= central


def test_every_rule_kind_is_used_by_a_real_config() -> None:
    used = {ind.rule.kind for y in YEARS for _, ind in load_indicator_set(y).indicators()}
    assert used == set(RULE_CLASSES)


def test_year_or_path() -> None:
    assert indicator_path("2022") == INDICATORS / "2022.yaml"
    assert indicator_path("drafts/x.yaml") == Path("drafts/x.yaml")
    assert load_indicator_set(str(INDICATORS / "2020.yaml")).year == 2020


# -- units ----------------------------------------------------------------------------------------

def test_units_match_the_reference_data() -> None:
    units = load_units(INDICATORS / "units.yaml")
    assert len(units.units) == 32
    # a copy of the shared reference table (data/units-reference.csv beside the domain brief)
    with (ROOT / "tests" / "data" / "indicators" / "units-reference.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["code"] for r in rows] == [u.code for u in units.units]
    for row in rows:
        unit = units.by_code()[row["code"]]
        assert (unit.name, unit.short_name, unit.region) == (row["name"], row["short_name"], row["region"])
        assert unit.population_10k == float(row["population_2020_10k"])
        assert unit.gdp_100m_yuan == float(row["gdp_2022_100m_yuan"])
    regions = [u.region for u in units.units]
    assert (regions.count("东部"), regions.count("中部"), regions.count("西部"),
            regions.count("东北")) == (10, 6, 13, 3)
    bingtuan = units.by_code()["660000"]
    assert bingtuan.short_name == "兵团" and bingtuan.note and "660000" in bingtuan.note
    assert units.figures["population_10k"].year == 2020
    assert units.figures["gdp_100m_yuan"].year == 2022
    assert all(f.source for f in units.figures.values())


# -- schema ---------------------------------------------------------------------------------------

def test_committed_schemas_match_the_models() -> None:
    assert (INDICATORS / "schema.json").read_text(encoding="utf-8") == schema_text("indicators"), (
        "indicators/schema.json is stale: run `scoring schema -o indicators/schema.json`")
    assert (INDICATORS / "units.schema.json").read_text(encoding="utf-8") == schema_text("units"), (
        "indicators/units.schema.json is stale: run `scoring schema --units -o indicators/units.schema.json`")


def test_schema_describes_the_closed_rule_kinds() -> None:
    schema = json.loads(schema_text())
    assert schema["title"] and schema["properties"]["schema_version"]["const"] == 1
    text = json.dumps(schema)
    for kind in RULE_CLASSES:
        assert f'"const": "{kind}"' in text
    assert schema["additionalProperties"] is False
    assert IndicatorSet.model_config.get("extra") == "forbid"


# -- broken files ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "line", "path", "words"), [
    ("syntax.yaml", 6, None, "YAML 语法错误"),
    ("unknown-field.yaml", 6, "weight_total", "未知字段"),
    ("wrong-type.yaml", 41, "sections[0].indicators[0].points", "应为数字"),
    ("unknown-kind.yaml", 44, "sections[0].indicators[0].rule", "规则类型"),
])
def test_broken_yaml_is_located(name: str, line: int, path: str | None, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_indicator_set(str(BROKEN / name))
    first = caught.value.problems[0]
    assert (first.file, first.line, first.path) == (str(BROKEN / name), line, path)
    assert words in first.message


# -- evaluation end to end ------------------------------------------------------------------------

def _unit_values(s: IndicatorSet, **overrides: object) -> dict[str, object]:
    """A model unit: everything done, nothing late, no central-office records against it."""
    values: dict[str, object] = {}
    for item in s.items:
        if item.kind == "date":
            values[item.code] = date(s.year + 1, 1, 10)
        elif item.kind == "yes_no":
            values[item.code] = False
        elif item.kind == "ratio":
            values[item.code] = 100.0
        elif item.source == "central" and item.code != "info_reports_sent":
            values[item.code] = 10 if item.code == "info_reports_adopted" else 0
        else:
            values[item.code] = 50
    values.update(overrides)
    return values


def _evaluate(s: IndicatorSet, values: dict[str, object]) -> FinalResult:
    others = ("540000", "630000", "660000")  # small units reporting less than the model unit
    peers = {code: {"110000": value, **{u: 1 if isinstance(value, int) else value for u in others}}
             for code, value in values.items()}
    refs = {"110000": ReferenceFigures(2189.31, 41610.9), "540000": ReferenceFigures(364.81, 2132.6),
            "630000": ReferenceFigures(592.40, 3610.1), "660000": ReferenceFigures(324.9, 3800)}
    tasks = {t: TaskState(TaskStatus.DONE, evidence=True) for _, i in s.indicators() for t in i.tasks}
    outcomes: dict[str, IndicatorOutcome] = {}
    for section in s.sections:
        for indicator in section.indicators:
            ctx = RuleContext(max_points=indicator.points, values=values, tasks=tasks,  # type: ignore[arg-type]
                              task_ids=tuple(indicator.tasks), peers=peers, unit="110000",  # type: ignore[arg-type]
                              reference=refs["110000"], references=refs)
            outcomes[indicator.id] = evaluate_indicator(indicator, ctx)
    return final_result(s, outcomes)


@pytest.mark.parametrize("year", YEARS)
def test_a_model_unit_gets_full_marks(year: str) -> None:
    s = load_indicator_set(year)
    result = _evaluate(s, _unit_values(s))
    assert result.total == 100 and result.grade == "优秀" and not result.vetoes


def test_adjustments_and_vetoes_apply() -> None:
    s = load_indicator_set("2022")
    late = _evaluate(s, _unit_values(s, submission_date=date(2023, 1, 19), notified_count=1,
                                     national_typical_cases=5))
    # 4 days late: −2 on C1; notified once: −2; typical cases: +3 (cap) → 100 − 2 − 2 + 3, capped at 100
    assert late.sections["C"] == 20 and late.sections["E"] == 2 and late.sections["D"] == 3
    assert late.total == 99
    incident = _evaluate(s, _unit_values(s, major_incident=True))
    assert incident.total == 100 and incident.grade == "不合格"
    falsified = _evaluate(s, _unit_values(s, data_falsified=True))
    assert falsified.sections["C"] == 0 and falsified.total == 78 and falsified.grade == "合格"


def test_missing_policies() -> None:
    s = load_indicator_set("2022")
    blank = _evaluate(s, _unit_values(s, admin_cases_closed=None))  # A7 (zero): 0 of 4 points
    assert blank.sections["A"] == 62
    indicator = next(i for _, i in s.indicators() if i.id == "A8")  # missing: flag
    flagged = evaluate_indicator(indicator, RuleContext(max_points=8, values={}))
    assert flagged.flagged and flagged.points == 0 and not flagged.excluded
    excluded = evaluate_indicator(indicator.model_copy(update={"missing": MissingPolicy.EXCLUDE}),
                                  RuleContext(max_points=8, values={}))
    assert excluded.excluded
    # every other A indicator at full marks, A8 excluded: A is re-weighted over the rest → 66 of 66
    full = {i.id: IndicatorOutcome(indicator=i.id, outcome=excluded.outcome, points=i.points,
                                   max_points=i.points) for _, i in s.indicators()}
    full["A8"] = excluded
    assert final_result(s, full).sections["A"] == 66


def test_cross_checks_compare_sums_and_skip_blanks() -> None:
    s = load_indicator_set("2022")
    check = next(c for c in s.checks if c.id == "transferred-le-opened")
    assert check.holds({"cases_transferred_police": 3, "admin_cases_opened": 10}) is True
    assert check.holds({"cases_transferred_police": 11, "admin_cases_opened": 10}) is False
    assert check.holds({"cases_transferred_police": 11, "admin_cases_opened": None}) is None
    total = CrossCheck.model_validate({"id": "sum", "left": {"items": ["a", "b"]}, "op": "<=",
                                      "right": {"constant": 5}, "message": "合计不超过 5"})
    assert total.holds({"a": 2, "b": 3}) is True and total.holds({"a": 2, "b": 4}) is False
    with pytest.raises(ValidationError):
        CrossCheck.model_validate({"id": "x", "left": {}, "op": "<=", "right": {"constant": 1},
                                   "message": "空"})
    with pytest.raises(ValidationError):
        CrossCheck.model_validate({"id": "x", "left": {"items": ["a"]}, "op": "__import__",
                                   "right": {"constant": 1}, "message": "不执行表达式"})
