"""The audit report reproduces a number: every indicator's rule parameters, grades, tiers, data items
with units, the checks that ran, and the config's hash, engine version and date."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, pdf_text, squeeze
from typer.testing import CliRunner

import scoring.indicators.audit as audit_module
from scoring import __version__
from scoring.cli import app
from scoring.indicators.report import AUDIT_CHECKS
from scoring.indicators.store import load_indicator_set

runner = CliRunner()


def flow(value: Any) -> str:
    """A value in YAML flow style, written here independently of the report's own formatter."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@pytest.fixture(scope="module", params=["2020", "2022"])
def audited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    """(year, text, layout text) of ``scoring audit YEAR -o FILE.pdf``."""
    year = request.param
    target = tmp_path_factory.mktemp(f"audit{year}") / "audit.pdf"
    result = runner.invoke(app, ["audit", year, "-o", str(target)])
    assert result.exit_code == 0, result.output
    return year, pdf_text(target), pdf_text(target, layout=True)


def test_every_indicators_parameters_are_printed(audited: tuple[str, str, str]) -> None:
    year, text, _ = audited
    flat = squeeze(text)
    indicator_set = load_indicator_set(year)
    for _, indicator in indicator_set.indicators():
        parameters = squeeze(flow(indicator.rule.model_dump(mode="json")))
        assert f"参数：{parameters}" in flat, indicator.id


def test_grades_tiers_items_and_checks_are_printed(audited: tuple[str, str, str]) -> None:
    year, text, _ = audited
    flat = squeeze(text)
    indicator_set = load_indicator_set(year)
    for grade in indicator_set.grades:
        assert grade.name in flat
        if grade.at_least is not None:
            assert f"≥{grade.at_least:g}分" in flat
    for tier in indicator_set.tiers.tiers:
        assert tier.name in flat
    assert "舍入规则：" in flat and "等次与档次的关系" in flat
    for item in indicator_set.items:
        row = squeeze(f"{item.code}{item.name}{item.unit or '—'}")
        assert row in flat, item.code
    for name, _, _, _ in AUDIT_CHECKS:
        assert name in flat
    assert "下列检查均已运行，未发现问题" in flat and flat.count("通过") >= len(AUDIT_CHECKS)


def test_the_report_is_tied_to_the_config_and_the_engine(audited: tuple[str, str, str]) -> None:
    year, text, layout = audited
    flat = squeeze(layout)
    config = ROOT / "indicators" / f"{year}.yaml"
    assert hashlib.sha256(config.read_bytes()).hexdigest() in flat
    assert f"评分系统版本{__version__}" in flat
    assert re.search(r"报告日期\d{4}年\d{1,2}月\d{1,2}日", flat)
    assert f"indicators/{year}.yaml" in flat and str(ROOT) not in text


def test_the_coverage_matrix_headers_do_not_run_together(audited: tuple[str, str, str]) -> None:
    _, text, layout = audited
    assert "A10A11" not in squeeze(text) and "…" not in layout
    assert re.search(r"\b1\s+2\s+3\s+4\s+5\s+6\s+7\s+8\s+9\s+10\s+11\b", layout)


def test_the_listed_checks_cover_every_audit_code() -> None:
    documented = set(re.findall(r"``([a-z]+(?:-[a-z]+)+)``", audit_module.__doc__ or ""))
    listed = {code for _, _, codes, _ in AUDIT_CHECKS for code in codes}
    assert documented and documented <= listed


def test_html_report_has_the_same_content(tmp_path: Path) -> None:
    target = tmp_path / "audit.html"
    result = runner.invoke(app, ["audit", "2022", "-o", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert "各项指标的计分规则与参数" in html and "数据项定义与校验规则" in html
    assert hashlib.sha256((ROOT / "indicators" / "2022.yaml").read_bytes()).hexdigest() in html
    assert str(ROOT) not in html


def _copies(tmp_path: Path, text: str) -> list[Path]:
    """Two copies of a config in different folders, with modification times a year apart."""
    copies = []
    for k, folder in enumerate(("a", "b")):
        path = tmp_path / folder / "2022.yaml"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        os.utime(path, (1_600_000_000 + k * 31_536_000,) * 2)
        copies.append(path)
    return copies


def _audit_bytes(config: Path, suffix: str) -> bytes:
    target = config.parent / f"audit{suffix}"
    result = runner.invoke(app, ["audit", str(config), "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def test_the_report_depends_on_the_configs_content_only(tmp_path: Path) -> None:
    text = (ROOT / "indicators" / "2022.yaml").read_text(encoding="utf-8")
    issued = load_indicator_set("2022").issued_on
    assert issued is not None
    first, second = _copies(tmp_path, text)
    assert first.stat().st_mtime != second.stat().st_mtime
    for suffix in (".html", ".pdf"):
        assert _audit_bytes(first, suffix) == _audit_bytes(second, suffix), suffix
    html = squeeze((first.parent / "audit.html").read_text(encoding="utf-8"))
    assert f"报告日期</dt><dd>{issued.year}年{issued.month}月{issued.day}日" in html
    flat = squeeze(pdf_text(first.parent / "audit.pdf"))
    assert f"报告日期{issued.year}年{issued.month}月{issued.day}日" in flat and "印发日期" in flat
    info = subprocess.run(["pdfinfo", "-isodates", str(first.parent / "audit.pdf")], check=True,
                          capture_output=True, text=True).stdout
    assert re.search(rf"CreationDate:\s+{issued.isoformat()}T", info), info


def test_a_config_that_states_no_date_says_so_and_is_still_dated_by_its_content(tmp_path: Path) -> None:
    text = (ROOT / "indicators" / "2022.yaml").read_text(encoding="utf-8")
    undated = re.sub(r"(?m)^issued_on:.*\n", "", text)
    assert undated != text
    first, second = _copies(tmp_path, undated)
    assert _audit_bytes(first, ".html") == _audit_bytes(second, ".html")
    html = (first.parent / "audit.html").read_text(encoding="utf-8")
    assert "指标配置未写明印发日期" in html
    assert _audit_bytes(first, ".pdf") == _audit_bytes(second, ".pdf")
    info = subprocess.run(["pdfinfo", "-isodates", str(first.parent / "audit.pdf")], check=True,
                          capture_output=True, text=True).stdout
    assert re.search(r"CreationDate:\s+2022-01-01T", info), info
