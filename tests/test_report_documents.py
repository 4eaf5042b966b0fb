"""The documents officials act on, checked against a real engine run (the 2022 samples with one unit
broken and one left out, 2020 as the previous year): every number on a scorecard's first page is
recomputed here from scores.json, and the wording rules hold on every page."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from statistics import fmean
from typing import Any

import pytest
from conftest import pdf_page_text, pdf_text, squeeze
from openpyxl import load_workbook
from reportdata import RUN_BOTTOM, RUN_MISSING, RUN_NOT_SCORED, RUN_VETOED, EngineRun

IDENTIFIER = re.compile(r"[a-z]+(?:-|_)[a-z]+")
ISO_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")
SAME_RANKS = re.compile(r"第\s*(\d+)\s*[–-]\s*\1\s*名")
MINUS = "−"


def two(value: float) -> str:
    """A score as the documents must print it: two decimals, half up, a real minus sign."""
    text = f"{Decimal(repr(float(value))).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return "0.00" if text == "-0.00" else text.replace("-", MINUS)


def plain(value: float) -> str:
    """A reported figure: at most two decimals, no trailing zeros."""
    text = f"{Decimal(repr(float(value))).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def numbers(line: str) -> list[str]:
    return re.findall(rf"[{MINUS}+-]?\d+(?:\.\d+)?", line)


@pytest.fixture(scope="module")
def scores(engine_outputs: EngineRun) -> dict[str, Any]:
    """scores.json as the pipeline wrote it, read as plain JSON (not through the engine's models)."""
    data: dict[str, Any] = json.loads((engine_outputs.out_dir / "scores.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def texts(engine_outputs: EngineRun) -> dict[str, str]:
    """Every scorecard's and the summary's text, by unit code ("summary" for the summary)."""
    out = {u.code: pdf_text(engine_outputs.card(u.code)) for u in engine_outputs.report.units}
    out["summary"] = pdf_text(engine_outputs.summary)
    return out


def scored(scores: dict[str, Any]) -> list[dict[str, Any]]:
    return [u for u in scores["units"] if u["status"] == "scored"]


def signed(value: float, kind: str) -> float:
    return -value if kind == "deduction" else value


def test_the_run_has_every_kind_of_unit(scores: dict[str, Any]) -> None:
    status = {u["code"]: u["status"] for u in scores["units"]}
    assert status[RUN_NOT_SCORED] == "not_scored" and status[RUN_MISSING] == "missing"
    vetoed = next(u for u in scores["units"] if u["code"] == RUN_VETOED)
    assert vetoed["vetoes"] and vetoed["vetoes"][0]["rank"] == "last"


def test_no_code_identifiers_or_tool_words_in_front_of_officials(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        assert IDENTIFIER.findall(text) == [], name
        for word in ("scores.json", "pdfdetach", "UTC", "scoring "):
            assert word not in text, (name, word)


def test_dates_are_chinese_and_in_beijing_time(texts: dict[str, str], engine_outputs: EngineRun) -> None:
    # 18:30 UTC on 1 February is 02:30 on 2 February in Beijing
    for name, text in texts.items():
        assert ISO_DATE.findall(text) == [], name
        assert "生成于" not in text, name  # documents sent to the units carry no running date header
        if name == "summary":  # a 公文: dated by the config, never by the run
            assert "北京时间" not in text
            continue
        assert "2023年2月2日02:30（北京时间）" in squeeze(text), name  # the run's time, in 复核说明


def test_scorecard_headline_and_sections_match_scores_json(engine_outputs: EngineRun,
                                                          scores: dict[str, Any]) -> None:
    units = scored(scores)
    sections = [s for s in scores["sections"] if s["kind"] != "veto"]
    for unit in units:
        page = pdf_page_text(engine_outputs.card(unit["code"]), 1, layout=True)
        flat = squeeze(page)
        assert f"{two(unit['total'])}分" in flat, unit["name"]
        assert f"等次：{unit['grade']}" in flat and f"折算{plain(unit['tier_points'])}分" in flat
        assert f"第{unit['rank']}名/共{len(units)}个单位" in flat and unit["tier"] in flat
        for section in sections:
            values = [signed(u["sections"][section["id"]], section["kind"]) for u in units]
            row = next(line for line in page.splitlines()  # the table row, not the chart's label
                       if re.match(rf"\s*{section['name']}\s+\S+\s+[{MINUS}\d]", line))
            shown = numbers(row.split(section["name"], 1)[1])[:4]
            expected = [two(signed(unit["sections"][section["id"]], section["kind"])),
                        plain(section["max"]), two(fmean(values)), two(max(values))]
            assert shown == expected, (unit["name"], section["id"], row)


def test_every_value_carries_its_unit(engine_outputs: EngineRun, scores: dict[str, Any],
                                      texts: dict[str, str]) -> None:
    units = {i.code: i.unit for i in engine_outputs.indicator_set.items}
    for unit in scored(scores):
        flat = squeeze(texts[unit["code"]])
        for indicator in unit["indicators"].values():
            for ref in indicator["inputs"]:
                value = ref["value"]
                if isinstance(value, bool):
                    shown = "是" if value else "否"
                elif isinstance(value, int | float):
                    assert units[ref["item"]], ref["item"]
                    shown = f"{plain(value)}{units[ref['item']]}"
                else:
                    day = date.fromisoformat(value)
                    shown = f"{day.year}年{day.month}月{day.day}日"
                assert f"{ref['name']}：{shown}" in flat, (unit["name"], ref["name"], shown)


def test_the_veto_is_named_on_the_vetoed_units_first_page(engine_outputs: EngineRun) -> None:
    unit = engine_outputs.unit(RUN_VETOED)
    first = squeeze(pdf_page_text(engine_outputs.card(RUN_VETOED), 1))
    [veto] = unit.vetoes
    assert "不合格（一票否决）" in first
    assert f"一票否决：{squeeze(veto.name)}" in first
    assert f"等次为{veto.grade_cap}" in first and f"列{veto.tier}" in first and "等次最高为" not in first
    assert "一票否决，列于所有未被否决的单位之后" in first


def _gaps(text: str) -> str:
    flat = squeeze(text)
    return flat[flat.index("二、存在问题与整改建议"):flat.index("三、指标得分明细")]


def test_every_scored_card_says_where_points_were_lost(engine_outputs: EngineRun, scores: dict[str, Any],
                                                       texts: dict[str, str]) -> None:
    units = scored(scores)
    kinds = {s["id"]: s["kind"] for s in scores["sections"]}
    averages = {i: fmean(u["indicators"][i]["points"] for u in units) for i in units[0]["indicators"]}
    for unit in units:
        part = _gaps(texts[unit["code"]])
        counted = {i: s for i, s in unit["indicators"].items()
                   if kinds[s["section"]] == "score" and not s["excluded"]}
        worst = max(counted, key=lambda i: (counted[i]["max"] - counted[i]["points"], i))
        lagging = max(counted, key=lambda i: averages[i] - counted[i]["points"])
        assert squeeze(counted[worst]["name"]) in part, unit["name"]
        assert squeeze(counted[lagging]["name"]) in part, unit["name"]
        assert "考核：" in part and "建议：" in part
    assert "存在问题与整改建议" not in texts[RUN_NOT_SCORED] + texts[RUN_MISSING]


def test_deductions_are_negative_in_every_document(engine_outputs: EngineRun, scores: dict[str, Any],
                                                   texts: dict[str, str]) -> None:
    deduction = next(s for s in scores["sections"] if s["kind"] == "deduction")
    shown = [s for s in scores["sections"] if s["kind"] != "veto"]
    deducted = [u for u in scored(scores) if u["sections"][deduction["id"]] > 0]
    assert deducted
    summary = pdf_text(engine_outputs.summary).replace("\f", "\n")
    table = summary[summary.index("附件2"):summary.index("各部分全国平均与领先单位")]
    layout_summary = pdf_text(engine_outputs.summary, layout=True)
    workbook = load_workbook(engine_outputs.ranking)
    sheet = workbook["总表"]
    header = [c.value for c in sheet[3]]
    column = next(i for i, h in enumerate(header) if str(h).startswith(f"{deduction['id']} "))
    rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    for unit in deducted:
        points = unit["sections"][deduction["id"]]
        card = pdf_page_text(engine_outputs.card(unit["code"]), 1, layout=True)
        row = next(line for line in card.splitlines()
                   if re.match(rf"\s*{deduction['name']}\s+\S+\s+{MINUS}", line))
        assert numbers(row.split(deduction["name"], 1)[1])[0] == f"{MINUS}{two(points)}"
        line = next(line for line in layout_summary.splitlines()
                    if re.match(rf"\s*{unit['rank']}\s+{unit['name']}\s+[{MINUS}\d]", line))
        assert numbers(line.split(unit["name"], 1)[1]) == [
            *[two(signed(unit["sections"][s["id"]], s["kind"])) for s in shown], two(unit["total"])]
        assert rows[unit["code"]][column] == pytest.approx(-points)
    assert f"{MINUS}{two(deducted[0]['sections'][deduction['id']])}" in table


def test_wording_a_reader_asked_for(engine_outputs: EngineRun, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        flat = squeeze(text)
        assert not SAME_RANKS.search(text), name
        for wrong in ("未报状态", "无相关记录", "上年", "一票否决（一票否决）"):
            assert wrong not in flat, (name, wrong)
    with_trend = [u for u in engine_outputs.report.scored() if u.trend is not None]
    assert with_trend and all("与2020年度比较" in squeeze(texts[u.code]) for u in with_trend)


@pytest.mark.parametrize("code", ["430000", RUN_VETOED, RUN_BOTTOM])
def test_names_never_break_inside_a_word(engine_outputs: EngineRun, code: str) -> None:
    unit = engine_outputs.unit(code)
    lines = pdf_text(engine_outputs.card(code), layout=True)
    assert re.search(rf"{unit.region}地区第\s*{unit.rank_in_region}\s*名", lines)
    for _, indicator in engine_outputs.indicator_set.indicators():
        for phrase in re.split(r"(?<=[、与和及，])", indicator.name):
            if phrase:
                assert phrase in lines, (indicator.id, phrase)


def test_the_summary_is_a_notice_then_the_ranking(engine_outputs: EngineRun, scores: dict[str, Any]) -> None:
    publication = engine_outputs.indicator_set.publication
    assert publication is not None
    first = squeeze(pdf_text(engine_outputs.summary)).split("附件：1.")[0]  # the notice before its 附件
    units = scored(scores)
    totals = [u["total"] for u in units]
    assert squeeze(publication.issuer) in first
    assert "关于2022年度各省、自治区、直辖市和新疆生产建设兵团打击侵权假冒工作绩效考核结果的通报" in first
    assert f"全国平均{two(fmean(totals))}分" in first and f"相差{two(max(totals) - min(totals))}分" in first
    for tier in engine_outputs.indicator_set.tiers.tiers:
        assert f"{tier.name}{sum(u['tier'] == tier.name for u in units)}个" in first
    for region in ("东部", "中部", "西部", "东北"):
        mine = [u["total"] for u in units if u["region"] == region]
        assert f"{region}地区平均{two(fmean(mine))}分" in first
    text = squeeze(pdf_text(engine_outputs.summary))
    assert "与2020年度比较" in text and "名次上升较多的有" in text
    assert "上海市经全国双打办认定" in text and "北京市未评分" in text and "海南省未报送" in text
    assert scores["config_sha256"] not in text and "技术信息" not in text
    assert text.index("附件1") < text.index("附件4") < text.index("抄送：")


def test_the_summary_marks_the_veto_and_gives_changes_and_averages(engine_outputs: EngineRun,
                                                                    scores: dict[str, Any]) -> None:
    text = squeeze(pdf_text(engine_outputs.summary))
    assert "上海市※" in text and "※上海市经全国双打办认定，存在区域性、系统性重大事件的情形" in text
    vetoed = next(u for u in scores["units"] if u["code"] == RUN_VETOED)
    assert "上海※" in text and f"{two(vetoed['total'])}（一票否决）" in text  # the chart's labels, as text
    units = scored(scores)
    assert f"全国{len(units)}{two(fmean(u['total'] for u in units))}" in text
    moved = next(u for u in units if u["trend"] and u["trend"]["rank_change"])
    change = moved["trend"]["total_change"]
    sign = "+" if change > 0 else ""
    assert f"{moved['name']}" in text and f"{sign}{two(change)}" in text
    assert "计分规则" in text and "工作要点原文" in text
    assert "舍入规则：" in text and "平安建设档次及其与等次的关系" in text


def test_ranking_xlsx_prints_and_explains_the_veto(engine_outputs: EngineRun) -> None:
    workbook = load_workbook(engine_outputs.ranking)
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.scale >= 90
        assert sheet.print_title_rows in ("3:3", "$3:$3") and sheet.print_title_cols in ("A:C", "$A:$C")
        assert "2022年度" in str(sheet["A1"].value)
        deadline = engine_outputs.report.deadline
        assert deadline is not None  # the title is dated by the data's date, stable across runs
        assert f"报送截止日期：{deadline.year}年{deadline.month}月{deadline.day}日" in str(sheet["A1"].value)
        fonts = {c.font.name for row in sheet.iter_rows(min_row=1, max_row=6) for c in row if c.value}
        assert fonts == {"宋体"}
    sheet = workbook["总表"]
    header = [c.value for c in sheet[3]]
    assert header[:2] == ["名次", "单位代码"] and sheet.column_dimensions["B"].width >= 10
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=4, values_only=True)}
    veto = engine_outputs.unit(RUN_VETOED).vetoes[0]
    assert rows[RUN_VETOED]["说明"] == f"一票否决：{veto.indicator} {veto.name}——{veto.effect}"
    assert all(not SAME_RANKS.search(f"第 {r['名次稳健区间（5%–95%）']} 名") for r in rows.values())
    assert rows[RUN_NOT_SCORED]["名次"] is None and "未评分" in str(rows[RUN_NOT_SCORED]["说明"])


def test_ranking_xlsx_scores_carry_the_configs_decimals(engine_outputs: EngineRun) -> None:
    sheet = load_workbook(engine_outputs.ranking)["总表"]
    header = [c.value for c in sheet[3]]
    total = header.index("总分") + 1
    assert sheet.cell(4, total).number_format.startswith("0.00")


def test_unscored_cards_say_why(engine_outputs: EngineRun, texts: dict[str, str]) -> None:
    broken = squeeze(texts[RUN_NOT_SCORED])
    assert "北京市：未评分" in broken and "移送公安机关案件数不能大于行政执法部门查处案件数" in broken
    assert "错误" in broken and "工作数据!" in broken
    assert "未收到报送工作簿" in squeeze(texts[RUN_MISSING])
    assert Path(engine_outputs.card(RUN_MISSING)).is_file()


def test_no_scorecard_says_zhongyang_or_chufa(texts: dict[str, str]) -> None:
    # 中央 means the Party Centre: the office's records are 全国双打办记录; a veto applies, not "triggers"
    cards = {code: squeeze(text) for code, text in texts.items() if code != "summary"}
    assert len(cards) == 32
    for code, flat in cards.items():
        assert "中央记录" not in flat and "触发" not in flat, code
    assert any("全国双打办记录!" in flat for flat in cards.values())


def test_ranking_xlsx_prints_at_9pt_or_more_with_whole_titles(engine_outputs: EngineRun,
                                                              tmp_path: Path) -> None:
    import shutil
    import subprocess

    import pdfplumber

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None, "LibreOffice is part of the test set-up (./dev test installs it)"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(engine_outputs.ranking)],
        capture_output=True, text=True, timeout=180, check=False)
    printed = tmp_path / "ranking.pdf"
    assert done.returncode == 0 and printed.is_file(), done.stderr
    titles = [str(ws["A1"].value) for ws in load_workbook(engine_outputs.ranking).worksheets]
    with pdfplumber.open(printed) as pdf:
        assert len(pdf.pages) >= len(titles)
        for n, page in enumerate(pdf.pages, 1):
            assert min(c["size"] for c in page.chars) >= 9 - 0.05, n  # 9 pt on A4, as printed
            assert (page.width, page.height) == pytest.approx((841.9, 595.3), abs=1)
            flat = squeeze(page.extract_text())
            assert any(squeeze(t) in flat for t in titles), n  # the sheet's title, whole, on every page
            names = [u.name for u in engine_outputs.report.units]
            assert sum(name in flat for name in names) >= 3, n  # the unit columns repeat on every page


def test_every_task_to_act_on_is_named_on_its_card_by_text(engine_outputs: EngineRun, texts: dict[str, str],
                                                           scores: dict[str, Any]) -> None:
    # read from the workbooks the run scored, not from the engine's result
    from scoring.catalogue.store import load_plan
    from scoring.workbook.validate import validate_submission
    from scoring.workbook.years import load_year_config

    titles = {t.id: t.title for t in load_plan("2022").tasks()}
    named = 0
    for unit in scored(scores):
        workbook = next((engine_outputs.out_dir.parent.parent / "in").glob(f"{unit['code']}-*.xlsx"))
        submission = validate_submission(workbook, load_year_config, expected_year=2022)
        card = squeeze(texts[unit["code"]])
        lagging = [tid for tid, task in submission.tasks.items() if task.status in ("部分完成", "未开展")]
        for tid in lagging:
            assert squeeze(titles[tid]) in card, (unit["name"], tid)
            named += 1
        assert tid_free(card), unit["name"]
    assert named > 0  # the samples do have such tasks


def tid_free(text: str) -> bool:
    """No task number (2022-1.1.3) in a card's text."""
    return re.search(r"20\d\d-\d+\.\d+(?:\.\d+)?", text) is None


def test_printed_parts_add_up_to_the_printed_total(scores: dict[str, Any]) -> None:
    # rounding.method printed_parts: indicators add up to their part, parts (deductions negative)
    # to the total, in the two decimals every document prints
    kinds = {s["id"]: s["kind"] for s in scores["sections"]}
    cents = lambda value: int(Decimal(two(value).replace(MINUS, "-")) * 100)  # noqa: E731
    checked = 0
    for unit in scored(scores):
        by_section: dict[str, list[dict[str, Any]]] = {}
        for indicator in unit["indicators"].values():
            by_section.setdefault(indicator["section"], []).append(indicator)
        parts = 0
        for section, points in unit["sections"].items():
            if kinds[section] == "veto":
                continue
            members = by_section.get(section, [])
            if not any(i["excluded"] for i in members):  # a re-weighted part is rounded once it is scaled
                total = sum(cents(i["points"]) for i in members)
                capped = min(total, cents(next(s["max"] for s in scores["sections"] if s["id"] == section)))
                assert cents(points) == capped, (unit["name"], section)
                checked += 1
            parts += -cents(points) if kinds[section] == "deduction" else cents(points)
        if not unit["vetoes"]:
            assert cents(unit["total"]) == max(0, min(parts, 10000)), unit["name"]
    assert checked > 32
