"""Plans that are not the national one: a province's 工作要点 and a task-division excerpt that
starts at a subsection. Their ids carry a prefix, and nothing they produce replaces the
national catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, codes, registry
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from scoring.catalogue.extract import Extraction, extract_plan
from scoring.catalogue.issuer import issuer_scope
from scoring.catalogue.models import (
    TASK_ID_PATTERN,
    Plan,
    Role,
    han_characters,
    split_task_id,
    text_in_order,
)
from scoring.catalogue.store import (
    catalogue_path,
    default_catalogue_file,
    load_plan,
    plan_to_yaml,
    replacement_problems,
)
from scoring.errors import NotAPlanError
from scoring.indicators.models import Exclusion
from scoring.indicators.units import load_units
from scoring.problems import Severity

DATA = ROOT / "tests" / "data" / "catalogue"
ZHEJIANG = DATA / "zhejiang-2022-plan.txt"
EXCERPT = DATA / "shanghai-2022-division-excerpt.txt"
UNITS = {unit.name: unit.code for unit in load_units(ROOT / "indicators" / "units.yaml").units}


def extract(text: str, *, year: int | None = None, prefix: str | None = None) -> Extraction:
    """Extract as the CLI does: with the registry and the 32 units."""
    return extract_plan(text, source_name="local.txt", raw=text.encode("utf-8"), encoding="utf-8",
                        registry=registry(), year=year, units=UNITS, id_prefix=prefix)


def national_ids() -> set[str]:
    return {t.id for year in (2020, 2022) for t in load_plan(str(year)).tasks()}


# —— a province's own 工作要点 ——

def test_provincial_plan_ids_carry_the_unit_code() -> None:
    result = extract(ZHEJIANG.read_text(encoding="utf-8"))
    plan = result.plan
    assert plan.issuer == "浙江省打击侵犯知识产权和制售假冒伪劣商品工作领导小组"
    assert plan.doc_number == "浙打假发〔2022〕2号"
    assert plan.title == "2022年浙江省打击侵犯知识产权和制售假冒伪劣商品工作要点"
    assert result.id_prefix == "330000" and plan.id_prefix() == "330000"
    ids = [t.id for t in plan.tasks()]
    assert ids[:4] == ["330000-2022-1.1.1", "330000-2022-1.1.2", "330000-2022-1.1.3",
                       "330000-2022-1.2.1"]
    assert ids[-1] == "330000-2022-4.3"  # 健全考核评价机制: a subsection without items
    assert len(ids) == len(set(ids)) == 25
    assert [len(s.subsections) for s in plan.sections] == [4, 3, 2, 3]
    assert not set(ids) & national_ids()
    # the same numbers as the national plan's tasks, never the same ids
    assert {split_task_id(i)[2] for i in ids} & {split_task_id(i)[2] for i in national_ids()}


def test_provincial_plan_is_lossless_and_quiet() -> None:
    source = ZHEJIANG.read_text(encoding="utf-8")
    result = extract(source)
    lines = source.split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("# 2022年浙江省"))
    footer = next(i for i, line in enumerate(lines) if line.startswith("抄送"))
    assert han_characters("".join(text_in_order(result.plan))) == \
        han_characters("".join(lines[title:footer]))
    assert sorted(set(codes(result))) == ["back-matter", "front-matter", "local-departments",
                                          "local-plan"]
    assert all(p.severity is Severity.INFO for p in result.problems)
    local = next(p for p in result.problems if p.code == "local-plan")
    assert "330000" in local.message and "浙江省" in local.message


def test_provincial_departments_are_kept_as_written_with_roles() -> None:
    plan = extract(ZHEJIANG.read_text(encoding="utf-8")).plan
    task = plan.task("330000-2022-1.2.1")
    assert task is not None
    assert [(d.name, d.role, d.known) for d in task.clauses[0].departments] == [
        ("省农业农村厅", Role.LEAD, False), ("省公安厅", Role.JOINT, False),
        ("省市场监管局", Role.JOINT, False)]
    broken = plan.task("330000-2022-1.1.2")  # cut by a page break in the source
    assert broken is not None and "严厉查处虚假违法广告。" in broken.text
    summary = next(p for p in extract(ZHEJIANG.read_text(encoding="utf-8")).problems
                   if p.code == "local-departments")
    assert summary.value is not None and "省公安厅" in summary.value.split("、")


def test_unknown_department_in_the_national_plan_still_warns_per_occurrence() -> None:
    text = (ROOT / "sample_inputs" / "plans" / "plan-2022.txt").read_text(encoding="utf-8")
    result = extract(text.replace("(邮政局负责)", "(邮政局、某某管理局按职责分工负责)", 1))
    assert result.id_prefix is None
    assert "unknown-department" in codes(result) and "local-departments" not in codes(result)


# —— a task-division excerpt that starts at （三） ——

def test_excerpt_starting_at_a_subsection_is_extracted_under_it() -> None:
    source = EXCERPT.read_text(encoding="utf-8")
    assert source.startswith("（三）")
    result = extract(source, year=2022, prefix="310000")
    plan = result.plan
    assert len(plan.sections) == 1
    section = plan.sections[0]
    assert (section.number, section.label, section.title) == (0, "", "")
    assert [(s.label, s.title) for s in section.subsections] == [
        ("（三）", "加强重点领域和重点产品监管"), ("（四）", "强化进出口和寄递环节治理")]
    assert [t.id for t in plan.tasks()] == [
        "310000-2022-0.3.1", "310000-2022-0.3.2", "310000-2022-0.3.3", "310000-2022-0.3.4",
        "310000-2022-0.4.1", "310000-2022-0.4.2"]
    assert plan.tasks()[0].path == ["", "（三）", "1"]
    first = plan.tasks()[0].clauses[0]
    assert first.responsibility == "（责任单位：市市场监管局、市公安局、市农业农村委、市商务委）"
    assert [d.as_written for d in first.departments] == ["市市场监管局", "市公安局", "市农业农村委",
                                                         "市商务委"]
    warning = next(p for p in result.problems if p.code == "no-section-heading")
    assert warning.severity is Severity.WARNING and warning.line == 1
    assert "（三）加强重点领域和重点产品监管" in warning.message
    assert han_characters("".join(text_in_order(plan)[1:])) == han_characters(source)
    assert "lossless-check-failed" not in codes(result) and "unplaced-text" not in codes(result)


def test_excerpt_with_a_division_title_is_placed_by_its_title() -> None:
    title = "2022年上海市打击侵权假冒工作要点任务分工（节选）"
    result = extract(f"{title}\n\n" + EXCERPT.read_text(encoding="utf-8"))
    assert result.plan.title == title and result.plan.year == 2022
    assert result.id_prefix == "310000"
    assert result.plan.tasks()[-1].id == "310000-2022-0.4.2"
    assert "no-section-heading" in codes(result) and "title-missing" not in codes(result)


def test_excerpt_followed_by_a_section_keeps_both() -> None:
    text = EXCERPT.read_text(encoding="utf-8") + (
        "\n五、强化宣传教育\n\n（一）加强宣传引导\n\n"
        "1. 集中开展“4·26”知识产权宣传周活动。（责任单位：市知识产权局）\n")
    plan = extract(text, year=2022, prefix="310000").plan
    assert [(s.number, s.label) for s in plan.sections] == [(0, ""), (5, "五")]
    assert plan.tasks()[-1].id == "310000-2022-5.1.1"


def test_subsection_without_any_responsibility_is_still_not_a_plan() -> None:
    with pytest.raises(NotAPlanError, match="部分标题"):
        extract("（三）关于会议安排的说明\n\n请各单位准时参加。\n", year=2022)


# —— who issued it, and the prefix that follows ——

@pytest.mark.parametrize("issuer, title, prefix", [
    ("全国打击侵犯知识产权和制售假冒伪劣商品工作领导小组", "", None),
    ("全国打击侵权假冒工作领导小组办公室", "", None),
    ("国务院办公厅", "2014年全国打击侵犯知识产权和制售假冒伪劣商品工作要点", None),
    ("上海市打击侵权假冒工作领导小组", "", "310000"),
    ("浙江省打击侵犯知识产权和制售假冒伪劣商品工作领导小组", "", "330000"),
    ("上海市市场监督管理局", "", "310000"),
    ("新疆生产建设兵团打击侵权假冒工作领导小组办公室", "", "660000"),
    ("新疆维吾尔自治区打击侵权假冒工作领导小组", "", "650000"),
    ("杭州市打击侵权假冒工作领导小组", "", "杭州市"),
    ("浙江省杭州市打击侵权假冒工作领导小组", "", "杭州市"),
    ("吉林市打击侵权假冒工作领导小组", "", "吉林市"),  # a city, not 吉林省 (220000)
    ("上海市浦东新区打击侵权假冒工作领导小组", "", "浦东新区"),
    ("国家知识产权局", "", "知识产权局"),
    (None, "2022年上海市打击侵权假冒工作要点", "310000"),
    (None, "2021年全国打击侵犯知识产权和制售假冒伪劣商品工作要点", None),
    (None, "2021年工作要点", None),
])
def test_issuer_scope(issuer: str | None, title: str, prefix: str | None) -> None:
    scope = issuer_scope(issuer, title, units=UNITS, registry=registry())
    assert scope.prefix == prefix
    assert scope.national is (prefix is None)


@pytest.mark.parametrize("issuer, title", [
    ("某某行业协会", "2022年打击侵权假冒工作要点"),
    (None, "2022年全省打击侵权假冒工作要点"),
])
def test_issuer_that_cannot_be_placed_has_no_prefix(issuer: str | None, title: str) -> None:
    scope = issuer_scope(issuer, title, units=UNITS, registry=registry())
    assert not scope.national and scope.prefix is None


UNPLACED_ISSUER = """某某行业协会办公室
2022年3月1日

2022年打击侵权假冒工作要点

一、加强行业自律

（一）开展会员单位自查。（协会秘书处负责）
"""


def test_unplaced_issuer_is_an_error_until_a_prefix_is_given() -> None:
    result = extract(UNPLACED_ISSUER)
    error = next(p for p in result.problems if p.code == "id-prefix-unknown")
    assert error.severity is Severity.ERROR and "--prefix" in error.message
    named = extract(UNPLACED_ISSUER, prefix="XH")
    assert "id-prefix-unknown" not in codes(named)
    assert [t.id for t in named.plan.tasks()] == ["XH-2022-1.1"]


def test_a_bad_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="前缀"):
        extract(EXCERPT.read_text(encoding="utf-8"), year=2022, prefix="31-00")


# —— the id scheme ——

prefixes = st.text(st.sampled_from("0123456789ABCXYZ上海杭州市浦东新区兵团"), min_size=1, max_size=20)
numbers = st.lists(st.integers(0, 99), min_size=1, max_size=3).map(lambda n: ".".join(map(str, n)))


@given(prefixes, st.integers(2000, 2100), numbers)
def test_prefixed_ids_are_valid_and_never_national(prefix: str, year: int, tail: str) -> None:
    prefixed, national = f"{prefix}-{year}-{tail}", f"{year}-{tail}"
    assert split_task_id(prefixed) == (prefix, year, tail)
    assert split_task_id(national) == (None, year, tail)
    assert prefixed != national
    assert Exclusion(task=prefixed, reason="地方任务").task == prefixed  # indicator configs accept it


def test_a_catalogue_has_one_prefix() -> None:
    plan = extract(ZHEJIANG.read_text(encoding="utf-8")).plan
    data = plan.model_dump(mode="json")
    data["sections"][1]["tasks"][0]["id"] = "2022-2.1.1"  # one national id among prefixed ones
    with pytest.raises(ValidationError, match="前缀不一致（“330000”、无前缀）"):
        Plan.model_validate(data)
    data["sections"][1]["tasks"][0]["id"] = "310000-2022-2.1.1"
    with pytest.raises(ValidationError, match="前缀不一致"):
        Plan.model_validate(data)
    data["sections"][1]["tasks"][0]["id"] = "330000-2022-2.1.1"
    assert Plan.model_validate(data).id_prefix() == "330000"
    with pytest.raises(ValidationError):
        Exclusion(task="330000-2022", reason="x")
    assert TASK_ID_PATTERN.startswith("^") and TASK_ID_PATTERN.endswith("$")


# —— where catalogues go, and what may replace them ——

def test_default_paths_keep_local_catalogues_apart(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("SCORING_ROOT", str(tmp_path))
    tasks = tmp_path / "indicators" / "tasks"
    assert default_catalogue_file(2022, None) == tasks / "2022.yaml"
    assert default_catalogue_file(2022, "330000") == tasks / "330000-2022.yaml"
    assert default_catalogue_file(2022, "杭州市") == tasks / "杭州市-2022.yaml"
    assert catalogue_path("330000-2022") == tasks / "330000-2022.yaml"
    assert catalogue_path("2022") == tasks / "2022.yaml"
    assert catalogue_path("other.yaml") == Path("other.yaml")


def test_replacement_problems(tmp_path: Path) -> None:
    national = load_plan("2022")
    provincial = extract(ZHEJIANG.read_text(encoding="utf-8")).plan
    target = tmp_path / "2022.yaml"
    assert replacement_problems(provincial, target) == []  # nothing there yet
    target.write_text(plan_to_yaml(national), encoding="utf-8")
    assert replacement_problems(national, target) == []  # its own catalogue
    [problem] = replacement_problems(provincial, target)
    assert problem.code == "catalogue-of-other-plan" and problem.severity is Severity.ERROR
    assert problem.file == str(target)
    for field in ("标题", "发文机关", "文号", "打假发〔2022〕1号", "浙打假发〔2022〕2号"):
        assert field in problem.message
    # only the title differs: only the title is named
    renamed = national.model_copy(update={"title": "2022年全国打击侵权假冒工作要点（修订）"})
    [problem] = replacement_problems(renamed, target)
    assert "标题" in problem.message and "文号" not in problem.message
    # an older catalogue of the same plan (a field this version does not know) may be replaced
    target.write_text(plan_to_yaml(national) + "retired_field: 1\n", encoding="utf-8")
    assert replacement_problems(national, target) == []
    target.write_text("schema_version: 1\nyear: 2022\nsections: {broken\n", encoding="utf-8")
    assert [p.code for p in replacement_problems(national, target)] == ["output-not-a-catalogue"]
