"""PDF/A-3b with the scores attached, dated by the run: the same run renders byte-identical files."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from reportdata import SCORED, Rendered

from scoring.report.render import scorecard_pdf, summary_pdf
from scoring.report.views import unit_slice
from scoring.scores.models import ScoreReport, UnitScore


def pdfinfo(path: Path, *flags: str) -> str:
    return subprocess.run(["pdfinfo", *flags, str(path)], check=True, capture_output=True,
                          text=True).stdout


def detach(path: Path, into: Path) -> dict[str, bytes]:
    """Every embedded file, by name."""
    into.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(into), str(path)], check=True, capture_output=True)
    return {p.name: p.read_bytes() for p in into.iterdir()}


def test_same_inputs_render_byte_identical_pdfs(rendered_reports: Rendered) -> None:
    r = rendered_reports
    code = SCORED[0]
    unit = next(u for u in r.report.units if u.code == code)
    again = scorecard_pdf(r.report, r.indicator_set, unit, generated_at=r.generated_at)
    assert again == r.card(code).read_bytes()  # in-process render == worker-process render
    assert summary_pdf(r.report, r.indicator_set, generated_at=r.generated_at) == r.summary.read_bytes()


def test_pdfs_are_pdf_a_3b_dated_by_the_run(rendered_reports: Rendered) -> None:
    for path in [p for p in rendered_reports.paths if p.suffix == ".pdf"]:
        meta = pdfinfo(path, "-meta")
        assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', meta), path.name
        assert re.search(r'pdfaid:conformance="B"|<pdfaid:conformance>B</pdfaid:conformance>', meta)
        assert "2023-02-01T08:00:00Z" in meta
        info = pdfinfo(path)
        assert re.search(r"CreationDate:\s+Wed Feb  1 08:00:00 2023 UTC", info)
        assert re.search(r"ModDate:\s+Wed Feb  1 08:00:00 2023 UTC", info)
        assert re.search(r"Page size:\s+595.276 x 841.89 pts \(A4\)", info)
        assert re.search(r"PDF version:\s+1.7", info)


def test_scorecards_carry_the_units_scores_slice(rendered_reports: Rendered, tmp_path: Path) -> None:
    r = rendered_reports
    for unit in r.report.units:
        files = detach(r.card(unit.code), tmp_path / unit.code)
        assert list(files) == [f"{unit.code}-scores.json"]
        data = json.loads(files[f"{unit.code}-scores.json"])
        assert data == unit_slice(r.report, unit)
        assert UnitScore.model_validate_json(json.dumps(data["unit"])) == unit
        assert data["config_sha256"] == r.report.config_sha256
    listing = subprocess.run(["pdfdetach", "-list", str(r.card(SCORED[0]))], check=True,
                             capture_output=True, text=True).stdout
    assert listing.startswith("1 embedded files")


def test_the_technical_note_not_the_notice_carries_the_whole_scores_json(rendered_reports: Rendered,
                                                                        tmp_path: Path) -> None:
    assert detach(rendered_reports.summary, tmp_path / "summary") == {}
    files = detach(rendered_reports.out_dir / "technical.pdf", tmp_path / "technical")
    assert ScoreReport.model_validate_json(files["scores.json"]) == rendered_reports.report
    text = subprocess.run(["pdftotext", str(rendered_reports.out_dir / "technical.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert rendered_reports.report.config_sha256 in text and "名次稳健区间" in text
    assert "通报所用字体" in text and "仿宋_GB2312" in text  # which faces the 通报 was set in
