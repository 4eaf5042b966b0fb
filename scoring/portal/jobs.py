"""Scoring runs as background jobs; the job row (``runs``) is the truth.

``queue_run`` (in a request) gathers the run's inputs from the database, writes them into
``runs/<id>/`` and inserts the row: only one run can be queued or running at a time (a unique
constraint, not a check). ``JobRunner.launch`` starts ``python -m scoring.portal.jobs <id>``: a
process of its own at a lower priority, so page requests stay fast. It claims the row, runs the
pipeline with its progress written to the row, stores the scores as soon as they are computed
(the run's page shows the ranking, grades and tiers while the PDFs render; publishing waits for
them), and then in one transaction stores every input and output as a blob and marks the run
succeeded; on any error, or SIGTERM, it marks the run failed, which keeps no file of it and no
longer names its early scores. The folder is removed either way. The job dies with the server
(PR_SET_PDEATHSIG); at the next start, and whenever runs are listed, ``reap`` marks a run whose
process is gone (or whose heartbeat stopped) as failed and removes its folder, so no partial
result ever remains. A database restart during a run does not end it: progress that cannot be
written is skipped, and claiming, storing the early scores, finishing and recording a failure wait
for the database (``outlasting_outage``). A draft comparison's job (``scoring.portal.drafts``) is
started, claimed and failed by the same functions (``start_job``, ``claiming``, ``job_failed``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from scoring.errors import ConfigError, ScoringError
from scoring.pipeline import YearFiles, run_pipeline
from scoring.pipeline.staging import pid_alive
from scoring.portal.runs import run_inputs
from scoring.portal.settings import PortalSettings, utc_now
from scoring.portal.store import Database
from scoring.portal.store import runs as run_store
from scoring.portal.store.audit import Actor, record
from scoring.portal.store.db import OUTAGE_BUDGET_S, is_outage, outlasting_outage
from scoring.portal.store.models import Run
from scoring.portal.workflow import RunState
from scoring.scores.models import ScoreReport, UnitStatus

log = logging.getLogger("scoring.portal.jobs")

JOB = Actor(account_id=None, name="评分任务")
INTERRUPTED = "评分进程已中断（服务器停止、重启或进程被终止），未产生任何结果；请重新开始评分"
TERMINATED = "评分进程被终止（服务器停止或重启），未产生任何结果；请重新开始评分"
DATABASE_GONE = (f"数据库在 {OUTAGE_BUDGET_S:.0f} 秒内没有恢复连接，评分结果未能保存；"
                 "请在数据库恢复后重新开始评分")
HEARTBEAT_S = 5.0
PROGRESS_EVERY_S = 0.5

Clock = Callable[[], datetime]
T = TypeVar("T")


def owner_here() -> str:
    """This process as a run's owner: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(run: Run, now: datetime, stale_after: timedelta) -> bool:
    """Whether the process working on an unfinished run is gone."""
    host, _, pid = (run.owner or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and not pid_alive(int(pid)):
        return True
    last = run.heartbeat_at or run.started_at
    return last < now - stale_after


def run_folder(settings: PortalSettings, run_id: int) -> Path:
    """Where run ``run_id`` works."""
    return settings.runs_dir / str(run_id)


def reap(db: Session, settings: PortalSettings, now: datetime) -> list[int]:
    """Mark every unfinished run whose job is gone as failed (in the caller's transaction) and
    remove its folder; returns their ids."""
    reaped = []
    for run in run_store.unfinished(db):
        if _gone(run, now, settings.run_stale_after) and run_store.fail(db, run.id, now, INTERRUPTED):
            record(db, now, JOB, "run-failed", obj=f"run:{run.id}", before="评分中", after=INTERRUPTED)
            shutil.rmtree(run_folder(settings, run.id), ignore_errors=True)
            reaped.append(run.id)
    return reaped


def reap_stale(db: Database, settings: PortalSettings, now: datetime) -> None:
    """``reap`` in a write transaction of its own, taken only when some unfinished run's job is gone
    (pages that list runs call this first; most of the time it only reads)."""
    with db.transaction(writes=False) as session:
        if not any(_gone(run, now, settings.run_stale_after) for run in run_store.unfinished(session)):
            return
    with db.transaction() as session:
        reap(session, settings, now)


def sweep_folders(settings: PortalSettings, active: set[int]) -> None:
    """Remove run folders left by runs that are no longer active (a crash between writing and
    recording); the database holds everything a finished run produced."""
    if not settings.runs_dir.is_dir():
        return
    for path in settings.runs_dir.iterdir():
        if path.is_dir() and path.name.isdigit() and int(path.name) not in active:
            shutil.rmtree(path, ignore_errors=True)


class NothingToScore(ScoringError):
    """No unit has been accepted: a run would score nobody."""


def queue_run(db: Session, settings: PortalSettings, files: YearFiles, *, year: int, account_id: int,
              at: datetime, supersedes_run_id: int | None,
              note: str | None) -> tuple[Run, run_inputs.RunInputs]:
    """Gather a run's inputs, queue its row (``IntegrityError`` when a run is already active) and
    write the inputs into its folder, all before the caller commits."""
    inputs = run_inputs.gather(db, year, files)
    if not inputs.included:
        raise NothingToScore("还没有接受任何单位的报送，无法评分")
    units = json.dumps({"included": inputs.included, "excluded": inputs.excluded}, ensure_ascii=False,
                       sort_keys=True)
    run = run_store.start_run(db, year, account_id, at, pdf=settings.run_pdf,
                              supersedes_run_id=supersedes_run_id, note=note, units_json=units)
    run.owner = owner_here()
    folder = run_folder(settings, run.id)
    shutil.rmtree(folder, ignore_errors=True)
    run_inputs.write_files(folder, inputs.files)
    return run, inputs


class RowProgress:
    """The pipeline's progress, written to the run's row (at most twice a second within a stage)."""

    def __init__(self, db: Database, run_id: int, clock: Clock) -> None:
        self.db, self.run_id, self.clock = db, run_id, clock
        self.label, self.done = "", 0
        self.total: int | None = None
        self.written = 0.0
        self.unwritten_stage = False  # a new stage's total still to be written
        self.unreachable = False

    def _write(self, new_stage: bool) -> None:
        """Write the progress; while the database is unreachable, skip it (the work goes on, the
        next write carries it) rather than end the run."""
        new_stage = new_stage or self.unwritten_stage
        try:
            with self.db.transaction() as session:
                run_store.report_progress(session, self.run_id, self.clock(), stage=self.label,
                                          done=self.done, total=self.total, new_stage=new_stage)
        except Exception as exc:
            if not is_outage(exc):
                raise
            if not self.unreachable:
                log.warning("run %s: progress not written, the database is unreachable", self.run_id)
            self.unreachable, self.unwritten_stage = True, new_stage
        else:
            if self.unreachable:
                log.info("run %s: the database is reachable again", self.run_id)
            self.unreachable = self.unwritten_stage = False
        self.written = time.monotonic()

    def stage(self, label: str, total: int | None = None) -> None:
        self.label, self.done, self.total = label, 0, total
        self._write(True)

    def advance(self, label: str) -> None:
        self.done += 1
        if time.monotonic() - self.written >= PROGRESS_EVERY_S or (self.total and self.done >= self.total):
            self._write(False)


class Heartbeat(threading.Thread):
    """Touches the run's row every few seconds while the job works (the PDF stage is long)."""

    def __init__(self, db: Database, run_id: int, clock: Clock) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{run_id}")
        self.db, self.run_id, self.clock = db, run_id, clock
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_S):
            try:
                with self.db.transaction() as session:
                    run_store.report_progress(session, self.run_id, self.clock())
            except Exception:  # noqa: BLE001 - a missed beat is retried; the job itself decides
                log.warning("heartbeat of run %s failed", self.run_id)


def summary(report: ScoreReport) -> dict[str, int]:
    """Counts a run's page shows before opening its scores."""
    statuses = [u.status for u in report.units]
    return {"units": len(statuses), "scored": statuses.count(UnitStatus.SCORED),
            "not_scored": statuses.count(UnitStatus.NOT_SCORED),
            "missing": statuses.count(UnitStatus.MISSING),
            "errors": sum(f.severity.value == "error" for f in report.findings)}


class EarlyScores:
    """Stores a run's scores the moment the pipeline has them, before it renders the PDFs."""

    def __init__(self, db: Database, run_id: int, clock: Clock) -> None:
        self.db, self.run_id, self.clock = db, run_id, clock

    def __call__(self, report: ScoreReport, outputs: dict[str, bytes]) -> None:
        data = outputs["scores.json"]
        scores = run_store.StoredFile("outputs/scores.json", "output", hashlib.sha256(data).hexdigest(), data)

        def once() -> None:
            with self.db.transaction() as session:
                run_store.store_scores(session, self.run_id, self.clock(), scores, summary(report))

        outlasting_outage(once, what=f"run {self.run_id}: store the early scores")


def failure_text(exc: BaseException) -> str:
    """A failed run's message in Chinese."""
    if isinstance(exc, ConfigError) and exc.problems:
        return f"{exc}：" + "；".join(p.message for p in exc.problems[:5])
    if isinstance(exc, ScoringError):
        return str(exc)
    if isinstance(exc, SystemExit | KeyboardInterrupt):
        return TERMINATED
    if is_outage(exc):
        return DATABASE_GONE
    return f"评分时发生内部错误（{type(exc).__name__}），未产生任何结果；详见服务器日志"


class Queued(Protocol):
    """A job's stored row, as claiming reads it."""

    @property
    def year(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def owner(self) -> str | None: ...


def claiming(what: str, find: Callable[[Session], Queued | None], take: Callable[[Session, str], bool],
             db: Database, running: str) -> int | None:
    """Take a job's queued row (a scoring run's or a draft comparison's) in one transaction, waiting
    out a database outage: ``find`` reads the row, ``take`` claims it for an owner. The row's year,
    or None when it is gone or another worker's. On every try after the first the earlier one's
    commit may have gone through with its answer lost with the connection, and a row found
    ``running`` under this worker's own owner is then its own."""
    owner = owner_here()
    tries = 0

    def once() -> int | None:
        nonlocal tries
        tries += 1
        with db.transaction() as session:
            row = find(session)
            if row is None:
                return None
            if take(session, owner):
                return row.year
            mine = tries > 1 and row.state == running and row.owner == owner
            return row.year if mine else None

    return outlasting_outage(once, what=f"{what}: claim")


def _claim(db: Database, run_id: int, clock: Clock) -> int | None:
    """Take the queued run; its year, or None when it is not ours."""
    return claiming(f"run {run_id}", lambda session: run_store.get_run(session, run_id),
                    lambda session, owner: run_store.claim(session, run_id, owner, clock()),
                    db, RunState.RUNNING)


def _finish(db: Database, run_id: int, clock: Clock, files: list[run_store.StoredFile], moment: datetime,
            report: ScoreReport) -> bool:
    """Store the run's files and mark it succeeded in one transaction (waiting out an outage)."""
    counts = summary(report)

    def once() -> bool:
        with db.transaction() as session:
            now = clock()
            if run_store.finish(session, run_id, now, files, generated_at=moment,
                                summary_json=json.dumps(counts, sort_keys=True)):
                record(session, now, JOB, "run-succeeded", obj=f"run:{run_id}", before="评分中",
                       after=f"完成：{counts['scored']} 个单位评分，{len(files)} 个文件已保存")
                return True
            run = run_store.get_run(session, run_id)  # only this job marks its run succeeded:
            return run is not None and run.state == RunState.SUCCEEDED  # a lost answer, not a loss

    return outlasting_outage(once, what=f"run {run_id}: store the result")


def job_failed(exc: BaseException, what: str, message: str, mark_failed: Callable[[str], None]) -> bool:
    """The way out of a background job (a scoring run's or a draft comparison's) other than success:
    an unexpected error is logged with its traceback, and ``mark_failed(message)`` (one transaction
    marking the job's row failed) is done again after a database outage, except when the server is
    stopping the job (it must end at once; the reaper marks the row later). True when it is being
    stopped: the caller raises the stop again."""
    stopping = isinstance(exc, SystemExit | KeyboardInterrupt)
    if not isinstance(exc, ScoringError) and not stopping:
        log.error("%s failed:\n%s", what, traceback.format_exc())
    try:
        outlasting_outage(lambda: mark_failed(message), what=f"{what}: record its failure",
                          budget_s=0 if stopping else OUTAGE_BUDGET_S)
    except Exception:  # noqa: BLE001 - the reaper marks it failed later
        log.exception("could not record the failure of %s", what)
    return stopping


def _record_failure(db: Database, run_id: int, clock: Clock, message: str) -> None:
    """Mark the run failed with its reason."""
    with db.transaction() as session:
        now = clock()
        if run_store.fail(session, run_id, now, message):
            record(session, now, JOB, "run-failed", obj=f"run:{run_id}", before="评分中", after=message)


def execute(url: str, settings: PortalSettings, run_id: int, clock: Clock) -> bool:
    """Do run ``run_id`` (its inputs are in its folder); True when it succeeded."""
    db = Database(url)
    folder = run_folder(settings, run_id)
    beat: Heartbeat | None = None
    try:
        year = _claim(db, run_id, clock)
        if year is None:
            return False
        beat = Heartbeat(db, run_id, clock)
        beat.start()
        inputs = run_inputs.load_inputs(folder, year)
        moment = clock().replace(microsecond=0)
        request = run_inputs.request(folder, inputs, pdf=settings.run_pdf, workers=settings.run_workers,
                                    generated_at=moment)
        result = run_pipeline(request, RowProgress(db, run_id, clock), EarlyScores(db, run_id, clock))
        return _finish(db, run_id, clock, run_inputs.stored_files(folder), moment, result.report)
    except BaseException as exc:  # noqa: BLE001 - every way out of a run is recorded on its row
        if job_failed(exc, f"run {run_id}", failure_text(exc),
                      lambda message: _record_failure(db, run_id, clock, message)):
            raise
        return False
    finally:
        if beat is not None:
            beat.stopped.set()
        shutil.rmtree(folder, ignore_errors=True)
        db.dispose()


class JobRunner:
    """Starts scoring jobs for a server and stops them when it stops."""

    def __init__(self, settings: PortalSettings) -> None:
        self.settings = settings
        self.children: dict[int, subprocess.Popen[bytes]] = {}
        self.threads: dict[int, threading.Thread] = {}

    def launch(self, run_id: int) -> None:
        """Start the job of a queued run: call from the event loop's own thread (the child is told
        to die with the thread that started it)."""
        self._collect()
        settings = self.settings
        if settings.jobs_in_threads:
            thread = threading.Thread(target=execute, daemon=True, name=f"run-{run_id}",
                                      args=(settings.database_url, settings, run_id, settings.clock))
            self.threads[run_id] = thread
            thread.start()
            return
        self.children[run_id] = start_job("scoring.portal.jobs", run_id, settings, f"{run_id}.log")

    def _collect(self) -> None:
        for run_id, child in list(self.children.items()):
            if child.poll() is not None:
                del self.children[run_id]
                if child.returncode == 0:  # a run that succeeded keeps everything in the database
                    (self.settings.runs_dir / f"{run_id}.log").unlink(missing_ok=True)
        for run_id, thread in list(self.threads.items()):
            if not thread.is_alive():
                del self.threads[run_id]

    def wait(self, timeout: float = 600.0) -> None:
        """Wait for every started job to end (tests)."""
        end = time.monotonic() + timeout
        for child in list(self.children.values()):
            child.wait(max(0.0, end - time.monotonic()))
        for thread in list(self.threads.values()):
            thread.join(max(0.0, end - time.monotonic()))
        self._collect()

    def close(self) -> None:
        """Stop running jobs (they mark their runs failed) and wait for them briefly."""
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        for child in self.children.values():
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(5)
        for thread in self.threads.values():
            thread.join(60)
        self.children.clear()
        self.threads.clear()


PARENT_CHECK_S = 2.0  # how often a job looks whether its server is still there


def _die_with_parent(parent: int) -> None:
    """Ask Linux to send SIGTERM when the server that started us dies; leave if it already has.
    A watcher thread sends the same SIGTERM once the server is gone, for when the kernel's signal
    does not come (seen under load: a job rendering on for minutes after its server was killed)."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is not None:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        if hasattr(libc, "prctl"):
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        raise SystemExit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        log.warning("the server (pid %s) is gone: stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="watching the server").start()


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(143)


def start_job(module: str, job_id: int, settings: PortalSettings, log_name: str) -> subprocess.Popen[bytes]:
    """Start ``python -m MODULE JOB_ID`` (a scoring run's or a draft comparison's job) as a process
    of its own, given the server's settings and clock, its output added to ``runs/LOG_NAME``; call
    from the thread that should outlive it (the child dies with it). ``job_process`` is its other half."""
    env = {**os.environ, "SCORING_DB_URL": settings.database_url, "SCORING_JOB_PARENT": str(os.getpid()),
           "SCORING_ROOT": str(settings.root),
           "SCORING_JOB_SETTINGS": json.dumps({
               "data_dir": str(settings.data_dir) if settings.data_dir else None,
               "instance": settings.instance, "pdf": settings.run_pdf,
               "workers": settings.run_workers, "root": str(settings.root),
               "clock_offset_s": (settings.clock() - utc_now()).total_seconds()})}
    settings.runs_dir.mkdir(parents=True, exist_ok=True)
    with (settings.runs_dir / log_name).open("ab") as log_file:
        return subprocess.Popen([sys.executable, "-m", module, str(job_id)], env=env,
                                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                close_fds=True)


def job_process(argv: list[str]) -> tuple[int, PortalSettings, Clock]:
    """The start of a job process started by ``start_job``: log lines with their time, SIGTERM ends
    it (SIGINT is the server's to handle), it dies with the server, runs at a lower priority; returns
    the job's id (``argv[0]``) and the server's settings and clock."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    job_id = int(argv[0])
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(int(os.environ["SCORING_JOB_PARENT"]))
    os.nice(5)  # the server's page requests come first
    options = json.loads(os.environ["SCORING_JOB_SETTINGS"])
    settings = PortalSettings(database_url=os.environ["SCORING_DB_URL"], root=Path(options["root"]),
                              data_dir=Path(options["data_dir"]) if options["data_dir"] else None,
                              instance=options["instance"], run_pdf=options["pdf"],
                              run_workers=options["workers"])
    offset = timedelta(seconds=options["clock_offset_s"])
    return job_id, settings, lambda: utc_now() + offset


def main(argv: list[str]) -> int:
    """``python -m scoring.portal.jobs RUN_ID``: the job of one run, started by the server."""
    run_id, settings, clock = job_process(argv)
    return 0 if execute(settings.database_url, settings, run_id, clock) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
