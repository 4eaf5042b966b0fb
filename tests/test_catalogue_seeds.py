"""The catalogue extracted from the two seed plans: structure, text, departments, losslessness."""

from __future__ import annotations

import re
from datetime import date

from conftest import seed_path

from scoring.catalogue.extract import Extraction
from scoring.catalogue.models import Role, han_characters, text_in_order
from scoring.problems import Severity


def test_2020_structure_matches_the_plans_own_count(seed_extractions: dict[int, Extraction]) -> None:
    plan = seed_extractions[2020].plan
    # the news preamble announces 涉及7方面、35项任务
    assert "涉及7方面、35项任务" in seed_path(2020).read_text(encoding="utf-8")
    assert len(plan.sections) == 7
    assert [len(s.tasks) for s in plan.sections] == [7, 8, 3, 5, 6, 3, 3]
    assert [t.id for t in plan.tasks()] == [f"2020-{n:02d}" for n in range(1, 36)]
    assert all(not s.subsections for s in plan.sections)
    assert plan.tasks()[13].path == ["二", "（十四）"]  # written with half-width brackets
    assert plan.tasks()[13].title == "健全无害化销毁"


def test_2020_metadata(seed_extractions: dict[int, Extraction]) -> None:
    plan = seed_extractions[2020].plan
    assert plan.year == 2020
    assert plan.title == "2020年全国打击侵犯知识产权和制售假冒伪劣商品工作要点"
    assert plan.doc_number is None
    assert plan.issued_on == date(2020, 5, 27)
    assert plan.issuer == "全国打击侵犯知识产权和制售假冒伪劣商品工作领导小组"
    assert plan.preamble.startswith("做好2020年全国打击侵犯知识产权")


def test_2022_structure(seed_extractions: dict[int, Extraction]) -> None:
    plan = seed_extractions[2022].plan
    # counted by hand in plan-2022.txt
    assert [len(s.subsections) for s in plan.sections] == [4, 6, 3, 4, 3, 4, 3]
    assert [len(s.tasks) for s in plan.sections] == [20, 17, 8, 15, 11, 14, 6]
    ids = [t.id for t in plan.tasks()]
    assert len(ids) == len(set(ids)) == 91
    assert ids[:5] == ["2022-1.1.1", "2022-1.1.2", "2022-1.1.3", "2022-1.1.4", "2022-1.2.1"]
    assert [s.title for s in plan.sections][4] == "聚力增强社会保护意识"  # was wrapped in bold marks


def test_2022_subsection_without_items_is_one_task(seed_extractions: dict[int, Extraction]) -> None:
    plan = seed_extractions[2022].plan
    task = plan.sections[6].tasks[-1]
    assert task.id == "2022-7.3"
    assert task.path == ["七", "（三）"]
    assert task.title == "健全考核评价机制"
    assert task.text.startswith("将打击侵权假冒违法犯罪活动纳入平安建设考核评价体系")
    assert "日常工作成效、报送信息数据" in task.text


def test_2022_metadata(seed_extractions: dict[int, Extraction]) -> None:
    plan = seed_extractions[2022].plan
    assert plan.doc_number == "打假发〔2022〕1号"
    assert plan.issued_on == date(2022, 4, 25)
    assert plan.issuer == "全国打击侵犯知识产权和制售假冒伪劣商品工作领导小组"
    assert plan.title == "2022年全国打击侵犯知识产权和制售假冒伪劣商品工作要点"


def test_items_broken_across_page_breaks_are_joined(seed_extractions: dict[int, Extraction]) -> None:
    plan = seed_extractions[2022].plan
    assert "严厉查处虚假违法广告。" in plan.task("2022-1.1.2").text  # type: ignore[union-attr]
    assert "实施办法(试行)》" in plan.task("2022-2.1.3").text  # type: ignore[union-attr]
    assert "坚持正版化与信息化、信息安全相结合" in plan.task("2022-2.6.1").text  # type: ignore[union-attr]
    old = seed_extractions[2020].plan
    assert "加强中欧班列陆路运输" in old.task("2020-03").text  # type: ignore[union-attr]
    # a responsibility parenthetical after a page break still belongs to its sentence
    first = old.task("2020-01")
    assert first is not None and len(first.clauses) == 4
    assert first.clauses[2].text.endswith("全面清理整治网上涉侵权假冒违法违规信息。")


def test_seeds_extract_without_warnings(seed_extractions: dict[int, Extraction]) -> None:
    for extraction in seed_extractions.values():
        assert [p.render() for p in extraction.problems if p.severity is not Severity.INFO] == []
        assert {p.code for p in extraction.problems} == {"front-matter", "back-matter"}


def _lines_han(path_text: str, start: int, stop: int | None) -> str:
    lines = path_text.split("\n")
    return han_characters("".join(lines[start:stop]))


def test_lossless_every_han_character_lands_once_in_order(
    seed_extractions: dict[int, Extraction],
) -> None:
    for year, extraction in seed_extractions.items():
        source = seed_path(year).read_text(encoding="utf-8")
        lines = source.split("\n")
        title_line = next(i for i, line in enumerate(lines)
                          if re.sub(r"[#\s]", "", line) == extraction.plan.title)
        footer_line = next(i for i, line in enumerate(lines) if line.startswith(("抄报", "出所先")))
        placed = han_characters("".join(text_in_order(extraction.plan)))
        # numbering labels (一、（一）) count too: they are kept as section and task labels
        assert placed == _lines_han(source, title_line, footer_line)
        assert _lines_han(source, 0, title_line) + placed + _lines_han(source, footer_line, None) \
            == han_characters(source)


def test_departments_are_normalised(seed_extractions: dict[int, Extraction]) -> None:
    plan = seed_extractions[2020].plan
    first = plan.task("2020-01")
    assert first is not None
    refs = first.clauses[0].departments
    web = next(d for d in refs if d.as_written == "网信办")
    assert web.name == "中央网信办" and web.known and web.role is Role.JOINT
    assert [(d.name, d.role) for d in plan.task("2020-06").clauses[0].departments] == [  # type: ignore[union-attr]
        ("邮政局", Role.SOLE)]
    market = plan.task("2020-05").clauses[0].departments  # type: ignore[union-attr]
    assert market[0].name == "市场监管总局" and market[0].role is Role.LEAD
    assert {d.role for d in market[1:]} == {Role.JOINT}
    credit = plan.task("2020-20").clauses[0].departments  # type: ignore[union-attr]
    assert [(d.name, d.role) for d in credit] == [("发展改革委", Role.LEAD), ("市场监管总局", Role.LEAD)]
    others = plan.task("2020-35").clauses[0].departments  # type: ignore[union-attr]
    assert others[-1].as_written == "相关成员单位" and others[-1].name == "领导小组有关成员单位"
    newer = seed_extractions[2022].plan.task("2022-6.4.2")
    assert newer is not None
    assert [d.name for d in newer.clauses[0].departments] == [
        "商务部", "海关总署", "贸促会", "领导小组成员单位"]
    everyone = [d for t in plan.tasks() + seed_extractions[2022].plan.tasks()
                for c in t.clauses for d in c.departments]
    assert everyone and all(d.known for d in everyone)


def test_every_clause_text_is_part_of_its_task(seed_extractions: dict[int, Extraction]) -> None:
    for extraction in seed_extractions.values():
        for task in extraction.plan.tasks():
            rebuilt = "".join(c.text + (c.responsibility or "") for c in task.clauses)
            assert han_characters(rebuilt) == han_characters(task.text), task.id
            assert task.clauses[-1].departments or task.clauses[-1].responsibility is None
