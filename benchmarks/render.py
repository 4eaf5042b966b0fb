"""Rendering the PDFs: one scorecard against bare WeasyPrint on the same HTML, and the whole country.

Run: .venv/bin/python benchmarks/render.py [ROUNDS] [--serial]
Reads outputs/2022/scores.json when it exists (else builds a synthetic 32-unit report with
tests/reportdata.py). Prints, measured in this run:

* per scorecard (median over ROUNDS, warm process): ours = context, chart, template and PDF/A-3b
  with the attachment; bare = ``weasyprint.HTML(string=html).write_pdf()`` on the very HTML we
  produce, with the same font configuration; the ratio ours / bare (target ≤ 1.3);
* the whole country (32 scorecards + summary) with the worker pool, process start-up included
  (target ≤ 30 s on 2 cores); with ``--serial`` also in one process, and the speed-up.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from scoring.indicators.store import load_indicator_set
from scoring.report.pdf import font_configuration
from scoring.report.render import render_reports, scorecard_pdf, summary_pdf
from scoring.report.scorecard import scorecard_html
from scoring.report.summary import summary_html
from scoring.scores.models import ScoreReport

ROOT = Path(__file__).resolve().parent.parent
MOMENT = datetime(2023, 2, 1, 8, tzinfo=UTC)


def load_report() -> tuple[ScoreReport, str]:
    """The real 2022 results when present, else a synthetic report of all 32 units."""
    scores = ROOT / "outputs" / "2022" / "scores.json"
    if scores.is_file():
        return ScoreReport.model_validate_json(scores.read_bytes()), str(scores.relative_to(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from reportdata import sample_report

    from scoring.indicators.units import load_units

    codes = [u.code for u in load_units().units]
    return sample_report(codes, not_scored=None, missing=None), "synthetic (tests/reportdata.py)"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(args[0]) if args else 5
    serial = "--serial" in sys.argv
    report, source = load_report()
    indicator_set = load_indicator_set(str(report.year))
    unit = report.scored()[len(report.scored()) // 2]
    from weasyprint import HTML

    fonts = font_configuration()
    html = scorecard_html(report, indicator_set, unit, MOMENT)
    scorecard_pdf(report, indicator_set, unit, generated_at=MOMENT)  # warm both paths
    HTML(string=html).write_pdf(font_config=fonts)
    ours: list[float] = []
    bare: list[float] = []
    for _ in range(rounds):  # interleaved, so drift hits both alike
        ours.append(timed(lambda: scorecard_pdf(report, indicator_set, unit, generated_at=MOMENT)))
        bare.append(timed(lambda: HTML(string=html).write_pdf(font_config=fonts)))
    med_ours, med_bare = statistics.median(ours), statistics.median(bare)
    print(f"source: {source}; {len(report.units)} units, {len(report.scored())} scored; "
          f"sample card: {unit.name}; {rounds} rounds")
    print(f"one scorecard, ours (context + chart + template + PDF/A-3b + attachment) "
          f"median {med_ours:6.3f} s   max {max(ours):6.3f} s")
    print(f"one scorecard, bare WeasyPrint on the same HTML                       "
          f"median {med_bare:6.3f} s   max {max(bare):6.3f} s")
    print(f"ratio ours / bare: {med_ours / med_bare:.2f} (target ≤ 1.3: "
          f"{'met' if med_ours / med_bare <= 1.3 else 'NOT met'}); "
          f"≤ 1.5 s per card: {'met' if med_ours <= 1.5 else 'NOT met'}")
    notice_html = summary_html(report, indicator_set, MOMENT)
    notice_ours = [timed(lambda: summary_pdf(report, indicator_set, generated_at=MOMENT)) for _ in range(2)]
    notice_bare = [timed(lambda: HTML(string=notice_html).write_pdf(font_config=fonts)) for _ in range(2)]
    ratio = min(notice_ours) / min(notice_bare)
    print(f"the 通报 (summary.pdf), ours {min(notice_ours):6.3f} s, bare WeasyPrint on the same HTML "
          f"{min(notice_bare):6.3f} s, ratio {ratio:.2f} "
          f"(target ≤ 1.3: {'met' if ratio <= 1.3 else 'NOT met'})")
    with tempfile.TemporaryDirectory() as tmp:
        pooled = timed(lambda: render_reports(report, indicator_set, Path(tmp) / "pool", generated_at=MOMENT))
        count = len(report.units) + 1
        print(f"whole country ({count} PDFs), worker pool                          "
              f"{pooled:6.2f} s   (target ≤ 30 s: {'met' if pooled <= 30 else 'NOT met'})")
        if serial:
            alone = timed(lambda: render_reports(report, indicator_set, Path(tmp) / "one",
                                                 generated_at=MOMENT, workers=1))
            print(f"whole country ({count} PDFs), one process                          "
                  f"{alone:6.2f} s   speed-up ×{alone / pooled:.2f}")


if __name__ == "__main__":
    main()
