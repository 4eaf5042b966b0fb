"""All of a year's PDFs: one scorecard per unit and the national summary, rendered in worker processes.

Each worker imports WeasyPrint itself and keeps one ``FontConfiguration`` (see ``pdf.py``); the
parent only builds the job list and writes the files it gets back, in a fixed order, so the same
run always writes the same bytes. Workers ignore SIGINT: on Ctrl-C the parent terminates them and
waits for them, so none is left behind.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from scoring.files import write_bytes_atomically
from scoring.indicators.models import IndicatorSet
from scoring.report.fonts import check_fonts
from scoring.report.pdf import PdfAttachment, font_configuration, html_to_pdf, laid_out
from scoring.report.scorecard import scorecard_html
from scoring.report.summary import summary_html, technical_html
from scoring.report.views import json_bytes, unit_slice
from scoring.scores.models import ScoreReport, UnitScore

SCORECARDS_DIR = "scorecards"
SUMMARY_FILE = "summary.pdf"
NOTICE_DOCX_FILE = "summary.docx"
TECHNICAL_FILE = "technical.pdf"


@dataclass(frozen=True)
class Job:
    """One PDF to render: a unit's scorecard (by code) or the summary."""

    kind: Literal["scorecard", "summary", "technical"]
    code: str = ""


def scorecard_file(out_dir: Path, unit: UnitScore) -> Path:
    """``out_dir/scorecards/CODE-NAME.pdf`` (path separators in a name become full-width, so a
    name can never point outside the folder)."""
    name = unit.name.replace("/", "／").replace("\\", "＼")
    return out_dir / SCORECARDS_DIR / f"{unit.code}-{name}.pdf"


def scorecard_pdf(report: ScoreReport, indicator_set: IndicatorSet, unit: UnitScore, *,
                  generated_at: datetime) -> bytes:
    """One unit's scorecard as PDF/A-3b bytes, with the unit's scores.json slice attached."""
    html = scorecard_html(report, indicator_set, unit, generated_at)
    attachment = PdfAttachment(name=f"{unit.code}-scores.json", data=json_bytes(unit_slice(report, unit)),
                               description=f"{unit.name} {report.year} 年度评分结果（scores.json 片段）")
    return html_to_pdf(html, generated_at=generated_at, attachments=(attachment,))


def summary_pdf(report: ScoreReport, indicator_set: IndicatorSet, *, generated_at: datetime) -> bytes:
    """The national summary, a 公文 to GB/T 9704-2012, as PDF/A-3b bytes (nothing attached: the
    data and fingerprints go to the 技术说明). The 版记 starts an even page; when the text ends on
    an even page the page between is blank, and then (7.5.1) neither it nor the 版记 page is
    numbered: laid out once to see which, again without the 版记's number when so."""
    html = summary_html(report, indicator_set, generated_at)
    pages = laid_out(html)
    if _page_of(pages, "colophon") - _page_of(pages, "text-end") > 1:
        html = summary_html(report, indicator_set, generated_at, colophon_numbered=False)
        pages = laid_out(html)
    return html_to_pdf(html, generated_at=generated_at, pages=pages)


def _page_of(document: Any, anchor: str) -> int:
    """The index of the page on which the element ``id=anchor`` starts."""
    return next(i for i, page in enumerate(document.pages) if anchor in page.anchors)


def technical_pdf(report: ScoreReport, indicator_set: IndicatorSet, *, generated_at: datetime) -> bytes:
    """The 技术说明 beside the 通报: fingerprints, versions, rank intervals, with the whole
    scores.json attached."""
    html = technical_html(report, indicator_set, generated_at)
    attachment = PdfAttachment(name="scores.json", data=json_bytes(report.model_dump(mode="json")),
                               description=f"{report.year} 年度全部单位评分结果（scores.json）")
    return html_to_pdf(html, generated_at=generated_at, attachments=(attachment,))


def summary_docx(report: ScoreReport, indicator_set: IndicatorSet, *, generated_at: datetime) -> bytes:
    """The 通报 as a .docx for the office to number, sign and seal in WPS or Word."""
    from scoring.report.notice_docx import notice_docx
    from scoring.report.summary import summary_context

    return notice_docx(summary_context(report, indicator_set, generated_at), generated_at)


def render_job(job: Job, report: ScoreReport, indicator_set: IndicatorSet, generated_at: datetime) -> bytes:
    """The PDF bytes of one job."""
    if job.kind == "summary":
        return summary_pdf(report, indicator_set, generated_at=generated_at)
    if job.kind == "technical":
        return technical_pdf(report, indicator_set, generated_at=generated_at)
    unit = next(u for u in report.units if u.code == job.code)
    return scorecard_pdf(report, indicator_set, unit, generated_at=generated_at)


_STATE: tuple[ScoreReport, IndicatorSet, datetime] | None = None


def _start_worker(report: ScoreReport, indicator_set: IndicatorSet, generated_at: datetime) -> None:
    """Worker set-up: keep the inputs, import WeasyPrint and create this worker's font configuration."""
    global _STATE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it terminates us on Ctrl-C
    _STATE = (report, indicator_set, generated_at)
    font_configuration()


def _run_job(job: Job) -> bytes:
    assert _STATE is not None, "worker not initialised"
    return render_job(job, *_STATE)


def _pool_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a clean server that has loaded this module but not WeasyPrint."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def plan_jobs(report: ScoreReport, out_dir: Path) -> list[tuple[Job, Path]]:
    """Every PDF of the year and where it goes: the summary (the longest, so it starts first), its
    技术说明, then each unit's card (a short one saying why for units not scored)."""
    jobs = [(Job("summary"), out_dir / SUMMARY_FILE), (Job("technical"), out_dir / TECHNICAL_FILE)]
    jobs += [(Job("scorecard", u.code), scorecard_file(out_dir, u)) for u in report.units]
    return jobs


def render_reports(report: ScoreReport, indicator_set: IndicatorSet, out_dir: Path, *,
                   generated_at: datetime, workers: int | None = None,
                   on_written: Callable[[Path], None] | None = None) -> list[Path]:
    """Write ``out_dir/scorecards/CODE-NAME.pdf`` for every unit, ``out_dir/summary.pdf`` (the
    通报), ``summary.docx`` (the same 通报 to edit) and ``technical.pdf`` (its 技术说明).

    Returns the paths written.

    ``generated_at`` (fixed per run, from the manifest) dates every PDF and attachment, so the same
    run renders byte-identical files. ``workers``: processes to use (default: one per CPU).
    ``on_written``: called with each file's path once it is written (for a progress display).
    """
    check_fonts()
    docx = out_dir / NOTICE_DOCX_FILE
    write_bytes_atomically(docx, summary_docx(report, indicator_set, generated_at=generated_at))
    jobs = plan_jobs(report, out_dir)
    count = min(workers or os.cpu_count() or 1, len(jobs))
    if count <= 1:
        for job, path in jobs:
            write_bytes_atomically(path, render_job(job, report, indicator_set, generated_at))
            if on_written is not None:
                on_written(path)
        return [path for _, path in jobs]
    pool = _pool_context().Pool(processes=count, initializer=_start_worker,
                                initargs=(report, indicator_set, generated_at))
    try:
        for (_, path), data in zip(jobs, pool.imap(_run_job, [job for job, _ in jobs]), strict=True):
            write_bytes_atomically(path, data)
            if on_written is not None:
                on_written(path)
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()
    return [docx] + [path for _, path in jobs]
