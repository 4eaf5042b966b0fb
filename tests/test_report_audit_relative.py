"""``scoring audit YEAR --scores DIR``: every relative indicator's reference figures, each unit's raw and
normalised value, rank and points, so that an auditor recomputes the points from the table alone; a
run of another year or config, a missing folder or a broken scores.json is refused in Chinese."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, pdf_text, squeeze
from typer.testing import CliRunner

from scoring.cli import app
from scoring.indicators.rules import GoalpostsRule, RankRule
from scoring.indicators.rules.base import fmt_sig
from scoring.indicators.store import load_indicator_set
from scoring.indicators.units import load_units

runner = CliRunner()
BEIJING = "110000"
ROW = re.compile(r'<tr data-unit="(\d{6})">(.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2022 samples scored once (no PDFs): the folder with scores.json and manifest.json."""
    out = tmp_path_factory.mktemp("run") / "2022"
    result = runner.invoke(app, ["score", "2022", str(ROOT / "sample_inputs" / "2022"), "--central",
                                 str(ROOT / "sample_inputs" / "central-2022.xlsx"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def audit_html(run_dir: Path) -> str:
    target = run_dir.parent / "audit.html"
    result = runner.invoke(app, ["audit", "2022", "--scores", str(run_dir), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "相对指标复算" in result.output and "得分与评分结果一致" in result.output
    return target.read_text(encoding="utf-8")


def table(html: str, indicator: str) -> dict[str, list[str]]:
    """The 复算 table of ``indicator``: unit code → its cells as text."""
    start = html.index(f'data-indicator="{indicator}"')
    body = html[start:html.index("</table>", start)]
    return {code: [re.sub(r"<[^>]+>", "", c).strip() for c in CELL.findall(row)]
            for code, row in ROW.findall(body)}


def number(cell: str) -> float:
    """The number at the start of a cell (``41610.9 亿元`` → 41610.9)."""
    match = re.match(r"-?\d+(?:\.\d+)?", cell)
    assert match, cell
    return float(match[0])


def half_up(value: float, decimals: int = 2) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def scores(run_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((run_dir / "scores.json").read_text(encoding="utf-8"))
    return data


def unit_entry(run_dir: Path, code: str) -> dict[str, Any]:
    return next(u for u in scores(run_dir)["units"] if u["code"] == code)


def test_goalposts_points_are_recomputed_from_the_table(run_dir: Path, audit_html: str) -> None:
    indicator_set = load_indicator_set("2022")
    indicator = next(i for _, i in indicator_set.indicators() if isinstance(i.rule, GoalpostsRule)
                     and i.rule.normalise == "gdp")
    rows = table(audit_html, indicator.id)
    assert len(rows) == 32
    name, raw, reference, normalised, points = rows[BEIJING]
    entry = unit_entry(run_dir, BEIJING)["indicators"][indicator.id]
    gdp = load_units().by_code()[BEIJING].gdp_100m_yuan
    # the reference figure as units.yaml states it, the raw value as scores.json records it
    assert name == "北京" and reference == f"{gdp:g} 亿元"
    assert number(raw) == entry["inputs"][0]["value"]
    x = number(normalised)
    assert x == pytest.approx(number(raw) / gdp, rel=1e-5)
    assert f" {fmt_sig(x)}，" in entry["explanation"]  # the scorecard's figure, to its 4 digits
    # the formula stated in the report, applied to the table's own figures
    assert "得分 = 满分 × (x − 最低值) / (最高值 − 最低值)" in audit_html
    values = [number(r[1]) / number(r[2]) for r in rows.values()]
    lo, hi = min(values), max(values)
    again = half_up(indicator.points * (number(raw) / gdp - lo) / (hi - lo))
    assert again == number(points) == entry["points"]


def test_rank_points_are_recomputed_from_the_table(run_dir: Path, audit_html: str) -> None:
    indicator_set = load_indicator_set("2022")
    indicator = next(i for _, i in indicator_set.indicators() if isinstance(i.rule, RankRule)
                     and i.rule.method == "shares")
    rule = indicator.rule
    assert isinstance(rule, RankRule)
    rows = table(audit_html, indicator.id)
    assert "折算值相同的单位并列，取较前名次" in audit_html
    values = {code: number(cells[3]) for code, cells in rows.items()}
    for code, cells in rows.items():
        rank = 1 + sum(1 for v in values.values() if v > values[code])
        assert int(cells[4]) == rank, code
        band = next((s for s in sorted(rule.shares, key=lambda s: s.up_to_share)
                     if rank / len(values) <= s.up_to_share), None)
        expected = min(band.points if band else 0.0, indicator.points)
        assert number(cells[5]) == expected == unit_entry(run_dir, code)["indicators"][indicator.id]["points"]


def test_every_relative_indicator_has_a_table_and_its_reference_source(audit_html: str) -> None:
    indicator_set = load_indicator_set("2022")
    relative = [i.id for _, i in indicator_set.indicators() if i.rule.relative() is not None]
    assert relative and all(f'data-indicator="{i}"' in audit_html for i in relative)
    units = load_units()
    for source in units.figures.values():
        assert source.source in audit_html and f"{source.year} 年数据" in audit_html
    assert "未评分（工作簿有错误）和未报送的单位不参与比较" in audit_html


def test_without_scores_the_report_has_no_recomputation(tmp_path: Path) -> None:
    target = tmp_path / "audit.html"
    result = runner.invoke(app, ["audit", "2022", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "相对指标的复算依据" not in target.read_text(encoding="utf-8")


def test_the_pdf_carries_the_tables(run_dir: Path) -> None:
    target = run_dir.parent / "audit.pdf"
    result = runner.invoke(app, ["audit", "2022", "--scores", str(run_dir / "scores.json"),
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    flat = squeeze(pdf_text(target))
    assert "相对指标的复算依据" in flat and "计分公式" in flat
    gdp = load_units().by_code()[BEIJING].gdp_100m_yuan
    assert f"北京{squeeze(str(unit_entry(run_dir, BEIJING)['indicators']['A6']['inputs'][0]['value']))}件" \
           f"{gdp:g}亿元" in flat
    attached = subprocess.run(["pdfdetach", "-list", str(target)], check=True, capture_output=True,
                              text=True).stdout
    assert "audit-2022-relative.json" in attached


def refused(*args: str) -> str:
    result = runner.invoke(app, ["audit", *args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "错误" in result.output
    return squeeze(result.output)


def test_scores_of_another_year_are_refused(run_dir: Path, tmp_path: Path) -> None:
    output = refused("2020", "--scores", str(run_dir), "-o", str(tmp_path / "a.html"))
    assert "是2022年度的评分结果，不是2020年度的" in output
    assert not (tmp_path / "a.html").exists()


def test_scores_of_another_config_are_refused(run_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "2022.yaml"
    config.write_text((ROOT / "indicators" / "2022.yaml").read_text(encoding="utf-8") + "# 改动\n",
                      encoding="utf-8")
    assert "与本次审计的配置" in refused(str(config), "--scores", str(run_dir))


def test_a_missing_folder_or_broken_scores_is_refused(run_dir: Path, tmp_path: Path) -> None:
    assert "路径不存在" in refused("2022", "--scores", str(tmp_path / "nowhere"))
    assert "文件不存在" in refused("2022", "--scores", str(tmp_path))
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    (broken / "scores.json").write_text('{"year": 2022, "units": [', encoding="utf-8")
    assert "不是有效的评分结果" in refused("2022", "--scores", str(broken))


def test_reference_figures_changed_after_the_run_are_refused(run_dir: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "indicators", project / "indicators")
    out = project / "outputs" / "2022"
    result = runner.invoke(app, ["score", "2022", str(ROOT / "sample_inputs" / "2022"),
                                 "--units", str(project / "indicators" / "units.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    units = project / "indicators" / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("41610.9", "41611.9"), encoding="utf-8")
    assert "单位参考数据在评分后已修改" in refused("2022", "--scores", str(out))


def edited_run(run_dir: Path, tmp_path: Path, edit: Any) -> Path:
    """A copy of the run whose scores.json ``edit`` changed (the manifest kept as it was)."""
    copy = tmp_path / "2022"
    shutil.copytree(run_dir, copy)
    data = scores(copy)
    edit(data)
    (copy / "scores.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return copy


def test_a_blank_value_is_shown_and_left_out_of_the_comparison(run_dir: Path, tmp_path: Path) -> None:
    def blank(data: dict[str, Any]) -> None:
        entry = next(u for u in data["units"] if u["code"] == BEIJING)["indicators"]["A6"]
        entry["inputs"][0]["value"] = None
        entry.update(points=0.0, flagged=True)

    copy = edited_run(run_dir, tmp_path, blank)
    target = tmp_path / "audit.html"
    result = runner.invoke(app, ["audit", "2022", "--scores", str(copy), "-o", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    rows = table(html, "A6")
    assert rows[BEIJING][1:] == ["未填报", f"{load_units().by_code()[BEIJING].gdp_100m_yuan:g} 亿元", "—",
                                 "0.00", "数据缺失，计 0 分并标记待核"]
    assert list(rows)[-1] == BEIJING  # after every unit with a value
    assert "填报了该数据项的 31 个单位" in html and "得分与评分结果一致" in result.output


def test_published_points_the_table_does_not_give_are_listed(run_dir: Path, tmp_path: Path) -> None:
    def inflate(data: dict[str, Any]) -> None:
        next(u for u in data["units"] if u["code"] == BEIJING)["indicators"]["A6"]["points"] = 5.0

    copy = edited_run(run_dir, tmp_path, inflate)
    target = tmp_path / "audit.html"
    result = runner.invoke(app, ["audit", "2022", "--scores", str(copy), "-o", str(target)])
    assert result.exit_code == 1 and "1 项指标的得分与评分结果不同" in result.output
    expected = unit_entry(run_dir, BEIJING)["indicators"]["A6"]["points"]
    assert f"北京：评分结果 5.00 分，按上表数字复算 {expected:.2f} 分" in target.read_text(encoding="utf-8")
