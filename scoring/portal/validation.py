"""Uploads are checked with the very validator of ``scoring validate``, away from the event loop.

``validate_upload`` is the one place the portal calls the validator, on the uploaded bytes (the
uploaded file name is only a label, never a path). ``preview_sections`` is the one place it asks
the pipeline for a preliminary score. Both run in a small pool of worker processes (``Workers``),
so a hostile workbook costs a worker, never the server's responsiveness, and at most ``workers``
run at once; the rest wait their turn.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from scoring.pipeline import YearFiles, load_year_files, preview_scores
from scoring.problems import Problem, Severity
from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_bytes

T = TypeVar("T")
log = logging.getLogger(__name__)
WARM_HOLD_S = 0.2


@lru_cache(maxsize=4)
def year_files(year: int) -> YearFiles:
    """A year's configuration, read once per process."""
    return load_year_files(year)


def validate_upload(data: bytes, file_name: str, year: int, unit: str | None = None) -> Submission:
    """Every finding about uploaded bytes, exactly as ``scoring validate --year YEAR`` reports them
    (the validator's bytes door: same caps, same messages; the name is never used as a path), and,
    for a unit's upload, an error when the workbook is another unit's."""
    loader = year_files(year).loader()
    submission = validate_bytes(data, file_name, loader, expected_year=year)
    if unit is not None and submission.unit_code is not None and submission.unit_code != unit:
        config = loader(year)
        names = {code: u.name for code, u in config.units.items()} if config else {}
        own, holds = names.get(unit, unit), names.get(submission.unit_code, submission.unit_code)
        submission.findings = [*submission.findings, Problem(
            code="upload-unit-mismatch", severity=Severity.ERROR,
            message=f"本账号属于{own}，但上传的工作簿（封面和模板信息）是{holds}的报送；"
                    f"不能作为{own}的报送提交，也不会计入{holds}。请下载并填写本单位的模板")]
    return submission


@dataclass(frozen=True)
class SectionPoints:
    """One section of a preliminary score."""

    name: str
    kind: str
    points: float
    max: float


@dataclass(frozen=True)
class Preview:
    """A preliminary self-score: section points, the total, and how many peers it was scored with."""

    sections: list[SectionPoints]
    total: float | None
    peers: int


def preview_sections(year: int, unit_code: str, own: str, peers: dict[str, str]) -> Preview:
    """The unit's section points as the engine scores them now (no central records: not official)."""
    submissions = {code: Submission.model_validate_json(text) for code, text in peers.items()}
    submissions[unit_code] = Submission.model_validate_json(own)
    report = preview_scores(year, submissions, files=year_files(year))
    unit = next(u for u in report.units if u.code == unit_code)
    sections = [SectionPoints(name=s.name, kind=s.kind, points=unit.sections.get(s.id, 0.0), max=s.max)
                for s in report.sections if s.kind != "veto"]
    return Preview(sections=sections, total=unit.total, peers=len(peers))


def _warm(years: list[int]) -> None:
    """A worker's start: each year's configuration read; held long enough that every worker of
    the pool gets one of these calls."""
    for year in years:
        year_files(year)
    time.sleep(WARM_HOLD_S)


def timed_out(file_name: str, seconds: float) -> Submission:
    """What a workbook that could not be checked in time is recorded with."""
    problem = Problem(code="validation-timeout", severity=Severity.ERROR,
                      message=f"文件未能在 {seconds:.0f} 秒内校验完毕，已拒绝；"
                              "请确认文件是用本年度模板填写后保存的")
    return Submission(file=file_name, sha256="", size=0, findings=[problem])


class Workers:
    """A bounded pool that runs validation and previews off the event loop."""

    def __init__(self, workers: int, timeout_s: float) -> None:
        self.workers = workers
        self.timeout_s = timeout_s
        self._executor: Executor | None = None

    def _pool(self) -> Executor:
        if self._executor is None:
            if self.workers <= 0:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate")
            else:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["scoring.portal.validation"])
                self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self._executor

    async def validate(self, data: bytes, file_name: str, year: int, unit: str | None = None) -> Submission:
        """Validate in a worker (as ``unit``'s upload when given); a file that takes too long is
        refused with a finding."""
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._pool(), validate_upload, data, file_name, year, unit)
            return await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:
            return timed_out(file_name, self.timeout_s)
        except BrokenProcessPool:
            self.close()
            raise

    async def preview(self, year: int, unit_code: str, own: str, peers: dict[str, str]) -> Preview:
        """A preliminary score computed in a worker."""
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._pool(), preview_sections, year, unit_code, own, peers)
            return await asyncio.wait_for(future, self.timeout_s)
        except BrokenProcessPool:
            self.close()
            raise

    async def call(self, work: Callable[..., T], *args: object, timeout_s: float) -> T:
        """Any other CPU-bound work of a page (a verification re-run) in a worker."""
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._pool(), work, *args)
            return await asyncio.wait_for(future, timeout_s)
        except BrokenProcessPool:
            self.close()
            raise

    async def warm(self, years: list[int]) -> None:
        """Start every worker and have it read the open years' configuration now, so that the
        first uploads after a (re)start do not wait for processes to start and import (a cold
        pool made the first 32 simultaneous uploads about 0.5 s slower at p95)."""
        if not years:
            return
        loop = asyncio.get_running_loop()
        pool = self._pool()
        try:
            await asyncio.gather(*(loop.run_in_executor(pool, _warm, years)
                                   for _ in range(max(self.workers, 1))))
        except Exception:  # a configuration that fails to load is reported at upload, in Chinese
            log.warning("validation workers could not read a year's configuration in advance", exc_info=True)

    def close(self) -> None:
        """Stop the workers."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
