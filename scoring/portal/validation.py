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
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from scoring.errors import ScoringError
from scoring.limits import CpuLimitExceeded, cpu_limited, die_with, limit_memory
from scoring.pipeline import YearFiles, load_year_files, preview_scores
from scoring.problems import Problem, Severity
from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_bytes

T = TypeVar("T")
log = logging.getLogger(__name__)


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
    """A worker's start: each year's configuration read."""
    for year in years:
        year_files(year)


def _start_worker(server: int, memory_bytes: int) -> None:
    """A validation worker's first act: cap its memory, and die with the server."""
    limit_memory(memory_bytes)
    die_with(server)


def _bounded(cpu_s: float, work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` in a worker, within its CPU-time allowance; a file that exhausts CPU or
    memory is reported as ``WorkerLimit``, not as a crash."""
    try:
        with cpu_limited(cpu_s):
            return work(*args)
    except (CpuLimitExceeded, MemoryError):
        raise WorkerLimit("超出校验进程的 CPU 时间或内存限制") from None


class WorkerLimit(ScoringError):
    """The work exceeded a worker's hard limit (CPU time, memory) or killed the worker."""


def timed_out(file_name: str, seconds: float) -> Submission:
    """What a workbook that could not be checked in time is recorded with."""
    problem = Problem(code="validation-timeout", severity=Severity.ERROR,
                      message=f"文件未能在 {seconds:.0f} 秒内校验完毕，已拒绝；"
                              "请确认文件是用本年度模板填写后保存的")
    return Submission(file=file_name, sha256="", size=0, findings=[problem])


def over_limit(file_name: str) -> Submission:
    """What a workbook that exhausted a worker's CPU time or memory is recorded with."""
    problem = Problem(code="validation-timeout", severity=Severity.ERROR,
                      message="文件校验超出了允许的计算时间或内存，已拒绝；"
                              "请确认文件是用本年度模板填写后保存的")
    return Submission(file=file_name, sha256="", size=0, findings=[problem])


class _Slot:
    """One worker process of the pool (a one-process executor), replaced when it is killed."""

    def __init__(self, workers: Workers) -> None:
        self.owner = workers
        self.executor: Executor | None = None

    def pool(self) -> Executor:
        if self.executor is None:
            self.executor = self.owner.new_executor()
        return self.executor

    def kill(self) -> None:
        """End this slot's process now (a file that took too long) and start afresh next time."""
        executor, self.executor = self.executor, None
        if isinstance(executor, ProcessPoolExecutor):
            for process in list(executor._processes.values()):
                process.kill()
            executor.shutdown(wait=False, cancel_futures=True)


class Workers:
    """A bounded pool that runs validation and previews off the event loop, one worker process
    per slot: at most ``workers`` files at once, the others wait in arrival order. A worker runs
    under a memory cap and a CPU-time allowance per file, dies with the server, and is killed and
    replaced when its file takes longer than ``timeout_s``, so a slow file costs one worker for
    that long and never blocks another unit's upload beyond it. One unit holds at most
    ``per_unit`` workers at once (all but one): its further files wait while another unit's
    file takes the next free worker, so a unit that keeps uploading files that cost seconds
    cannot hold every worker."""

    def __init__(self, workers: int, timeout_s: float, *, cpu_s: float | None = None,
                 memory_bytes: int = 4 << 30) -> None:
        self.workers = workers
        self.timeout_s = timeout_s
        self.cpu_s = cpu_s if cpu_s is not None else timeout_s
        self.memory_bytes = memory_bytes
        self._lock = threading.Lock()
        self._slots = [_Slot(self) for _ in range(max(workers, 1))]
        self._free = list(self._slots)
        self.per_unit = max(1, len(self._slots) - 1)
        self._held: dict[str, int] = {}  # unit → workers it holds now
        self._waiting: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[_Slot], str | None]] = deque()

    def new_executor(self) -> Executor:
        """A worker: a thread of the server (``workers`` 0, tests) or a limited process."""
        if self.workers <= 0:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate")
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["scoring.portal.validation"])
        return ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start_worker,
                                   initargs=(os.getpid(), self.memory_bytes))

    def _may_hold(self, unit: str | None) -> bool:
        return unit is None or self._held.get(unit, 0) < self.per_unit

    def _hold(self, unit: str | None, slot: _Slot) -> _Slot:
        if unit is not None:
            self._held[unit] = self._held.get(unit, 0) + 1
        return slot

    async def _take(self, unit: str | None) -> _Slot:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._free and self._may_hold(unit):
                return self._hold(unit, self._free.pop())
            waiter: asyncio.Future[_Slot] = loop.create_future()
            self._waiting.append((loop, waiter, unit))
        try:
            return await waiter
        except asyncio.CancelledError:
            with self._lock:
                if (loop, waiter, unit) in self._waiting:
                    self._waiting.remove((loop, waiter, unit))
                elif waiter.done() and not waiter.cancelled():
                    self._drop(unit)
                    self._give(waiter.result())
            raise

    def _drop(self, unit: str | None) -> None:
        if unit is not None:
            self._held[unit] -= 1
            if not self._held[unit]:
                del self._held[unit]

    def _give(self, slot: _Slot) -> None:
        """Hand a slot to the oldest waiter whose unit may hold one more, or back to the free
        list (lock held)."""
        for entry in list(self._waiting):
            loop, waiter, unit = entry
            if waiter.done() or loop.is_closed():
                self._waiting.remove(entry)
                continue
            if self._may_hold(unit):
                self._waiting.remove(entry)
                self._hold(unit, slot)
                loop.call_soon_threadsafe(_hand, waiter, slot, self, unit)
                return
        self._free.append(slot)

    def _release(self, slot: _Slot, unit: str | None) -> None:
        with self._lock:
            self._drop(unit)
            self._give(slot)

    async def _in_worker(self, timeout_s: float, work: Callable[..., T], *args: object,
                         unit: str | None = None) -> T:
        """``work(*args)`` in a free worker (for ``unit``: within its share); on timeout the
        worker is killed and replaced."""
        slot = await self._take(unit)
        try:
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(slot.pool(), _bounded, self.cpu_s, work, *args)
            try:
                return await asyncio.wait_for(future, timeout_s)
            except TimeoutError:
                slot.kill()
                raise
            except BrokenProcessPool:  # killed by the kernel (CPU hard limit, out of memory)
                slot.kill()
                raise WorkerLimit("校验进程超出限制后被终止") from None
        finally:
            self._release(slot, unit)

    async def validate(self, data: bytes, file_name: str, year: int, unit: str | None = None) -> Submission:
        """Validate in a worker (as ``unit``'s upload when given); a file that takes too long or
        exhausts a worker's limits is refused with a finding."""
        try:
            return await self._in_worker(self.timeout_s, validate_upload, data, file_name, year, unit,
                                         unit=unit)
        except TimeoutError:
            return timed_out(file_name, self.timeout_s)
        except WorkerLimit:
            return over_limit(file_name)

    async def preview(self, year: int, unit_code: str, own: str, peers: dict[str, str]) -> Preview:
        """A preliminary score computed in a worker."""
        return await self._in_worker(self.timeout_s, preview_sections, year, unit_code, own, peers,
                                     unit=unit_code)

    async def call(self, work: Callable[..., T], *args: object, timeout_s: float,
                   unit: str | None = None) -> T:
        """Any other CPU-bound work of a page (a verification re-run) in a worker (as ``unit``'s)."""
        return await self._in_worker(timeout_s, work, *args, unit=unit)

    async def warm(self, years: list[int]) -> None:
        """Start every worker and have it read the open years' configuration now, so that the
        first uploads after a (re)start do not wait for processes to start and import (a cold
        pool made the first 32 simultaneous uploads about 0.5 s slower at p95)."""
        if not years:
            return
        loop = asyncio.get_running_loop()
        try:
            await asyncio.gather(*(loop.run_in_executor(slot.pool(), _warm, years) for slot in self._slots))
        except Exception:  # a configuration that fails to load is reported at upload, in Chinese
            log.warning("validation workers could not read a year's configuration in advance", exc_info=True)

    def processes(self) -> list[int]:
        """The pids of the worker processes now running."""
        return [pid for slot in self._slots if isinstance(slot.executor, ProcessPoolExecutor)
                for pid in slot.executor._processes]

    def close(self) -> None:
        """Stop the workers."""
        for slot in self._slots:
            executor, slot.executor = slot.executor, None
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)


def _hand(waiter: asyncio.Future[_Slot], slot: _Slot, workers: Workers, unit: str | None) -> None:
    """In the waiter's loop: give it the slot, or pass the slot on if it stopped waiting."""
    if waiter.done():
        workers._release(slot, unit)
    else:
        waiter.set_result(slot)
