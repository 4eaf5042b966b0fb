"""The provinces' template prints legibly: every sheet at 9 pt or more on A4, through LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pdfplumber
from typer.testing import CliRunner

from scoring.cli import app

A4_SHORT, A4_LONG = 595, 842  # points


def test_template_prints_at_nine_points_or_more_on_a4(tmp_path: Path) -> None:
    template = tmp_path / "template.xlsx"
    result = CliRunner().invoke(app, ["template", "2022", "--unit", "110000", "-o", str(template)])
    assert result.exit_code == 0, result.output
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None, "LibreOffice is part of the test set-up (./dev test installs it)"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(template)],
        capture_output=True, text=True, timeout=180, check=False)
    printed = tmp_path / "template.pdf"
    assert done.returncode == 0 and printed.exists(), done.stderr
    seen: set[str] = set()
    with pdfplumber.open(printed) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            assert sorted((round(page.width), round(page.height))) == [A4_SHORT, A4_LONG], number
            sizes = [c["size"] for c in page.chars]
            assert sizes and min(sizes) >= 9, (number, min(sizes))
            seen.add(page.extract_text().split("\n", 1)[0])
    assert any("任务内容" in line for line in seen) and any("填报值" in line for line in seen)
