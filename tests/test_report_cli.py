"""``scoring audit YEAR -o FILE.pdf`` and ``scoring render``, in-process."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from conftest import pdf_text, squeeze
from reportdata import sample_report
from typer.testing import CliRunner

from scoring.cli import app

runner = CliRunner()


def test_audit_pdf(tmp_path: Path) -> None:
    target = tmp_path / "x.pdf"
    result = runner.invoke(app, ["audit", "2022", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = squeeze(pdf_text(target))
    assert "指标配置审计" in text and "任务覆盖矩阵" in text and "审计通过" in text
    assert "2022-1.1.1" in text and "第1页共" in text
    meta = subprocess.run(["pdfinfo", "-meta", str(target)], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', meta)
    files = subprocess.run(["pdfdetach", "-list", str(target)], check=True, capture_output=True,
                           text=True).stdout
    assert "audit-2022.json" in files


def test_audit_rejects_other_formats(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "2022", "-o", str(tmp_path / "a.docx")])
    assert result.exit_code == 2 and not (tmp_path / "a.docx").exists()


def _scores(tmp_path: Path, manifest: bool) -> Path:
    year_dir = tmp_path / "2022"
    year_dir.mkdir()
    report = sample_report(("110000",), not_scored=None, missing=None)
    scores = year_dir / "scores.json"
    scores.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    if manifest:
        (year_dir / "manifest.json").write_text(json.dumps({"generated_at": "2023-03-05T06:07:08Z"}),
                                                encoding="utf-8")
    return scores


def test_render_writes_cards_and_summary_dated_by_the_manifest(tmp_path: Path) -> None:
    scores = _scores(tmp_path, manifest=True)
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", "2022", "-i", str(scores), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    card = out / "scorecards" / "110000-北京市.pdf"
    assert card.is_file() and (out / "summary.pdf").is_file()
    info = subprocess.run(["pdfinfo", str(card)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"CreationDate:\s+Sun Mar  5 06:07:08 2023 UTC", info)
    assert "北京市" in squeeze(pdf_text(card))


def test_render_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["render", "2022", "-i", str(tmp_path / "none.json")])
    assert missing.exit_code == 1 and "文件不存在" in missing.output and "Traceback" not in missing.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"year": 2022}', encoding="utf-8")
    invalid = runner.invoke(app, ["render", "2022", "-i", str(broken)])
    assert invalid.exit_code == 1 and "不是有效的评分结果" in invalid.output
    scores = _scores(tmp_path, manifest=False)
    wrong_year = runner.invoke(app, ["render", "2020", "-i", str(scores), "-o", str(tmp_path / "o")])
    assert wrong_year.exit_code == 1 and "是 2022 年度的评分结果" in wrong_year.output
