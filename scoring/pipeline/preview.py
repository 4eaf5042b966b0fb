"""A preliminary score from already-validated submissions, without writing anything.

The portal shows a province a self-score by section as soon as its workbook validates without
errors; it is marked as not official. The same engine scores it (``score_year``), against
whichever other units' validated submissions the caller passes as peers for relative rules; the
central office's records are not part of a preview, so indicators that need them count as missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from scoring.pipeline.inputs import YearFiles, load_year_files
from scoring.problems import Problem, Severity
from scoring.scores.collect import Collected
from scoring.scores.models import ScoreReport
from scoring.scores.year import score_year
from scoring.workbook.submission import Submission


def preview_scores(year: int, submissions: Mapping[str, Submission], *, config: Path | None = None,
                   units: Path | None = None, files: YearFiles | None = None) -> ScoreReport:
    """Score ``submissions`` (by unit code) as the engine would, without central records and
    without the robustness analysis (a preview has no published rank to test). ``files``: the
    year's configuration already loaded (else read from ``config``/``units``)."""
    files = files or load_year_files(year, config, units)
    collected = Collected(by_unit={code: s for code, s in submissions.items() if code in files.config.units})
    note = Problem(code="preview-not-official", severity=Severity.INFO,
                   message="预评分：未含全国办中央记录，仅供自查，不是正式考核结果")
    return score_year(files.config, collected, {}, findings=[note], robustness_samples=0)
