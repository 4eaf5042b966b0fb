"""Runs and publication under a real server (uvicorn in a subprocess, the real job process):
two clicks start one run; the server killed during a run, or during publish, leaves nothing
partial; a publish retried after the crash publishes once. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest
from portal_fixtures import CONFIRM, SAMPLES, LiveClient, LiveServer, PostgresServer, sample
from sqlalchemy import create_engine, select, text

from scoring.pipeline.staging import pid_alive
from scoring.portal import jobs
from scoring.portal.store import Database
from scoring.portal.store.models import AuditEntry, Publication, Run, RunFile


def _rows(url: str, model: type) -> list:
    db = Database(url)
    try:
        with db.transaction(writes=False) as session:
            return list(session.scalars(select(model).order_by(model.id)))  # type: ignore[attr-defined]
    finally:
        db.dispose()


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _run(url: str, run_id: int) -> Run:
    return next(r for r in _rows(url, Run) if r.id == run_id)


def _rendering(url: str, run_id: int) -> bool:
    run = _run(url, run_id)
    return run.state == "running" and "PDF" in run.stage and run.done >= 2


@contextmanager
def _publications_locked(url: str) -> Iterator[None]:
    """Hold the database so that a publish blocks inside its transaction."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(text("LOCK TABLE publications IN ACCESS EXCLUSIVE MODE"))
            yield
    finally:
        engine.dispose()


def _start(office: LiveClient) -> int:
    started = office.post("/runs")
    assert started.status_code == 303, started.text[:500]
    return int(started.headers["location"].rsplit("/", 1)[-1])


def test_a_killed_server_leaves_no_partial_run_or_publication(live_server: LiveServer) -> None:
    url = live_server.db_url
    sh, office = LiveClient(live_server, "sh"), LiveClient(live_server, "central")
    version = int(sh.upload(sample("310000")).headers["location"].rsplit("/", 1)[-1])
    assert sh.post(f"/versions/{version}/submit", CONFIRM).status_code == 303
    assert office.post("/central/units/310000/accept", {"version_id": str(version)}).status_code == 303
    assert office.upload(SAMPLES / "central-2022.xlsx", "/central/records/upload").status_code == 303

    # 1. the whole server (and its job) killed while the PDFs are being rendered
    office = LiveClient(live_server, "central")
    first = _start(office)
    _wait(lambda: _rendering(url, first), 120, "the first run to render PDFs")
    page = office.http.get(f"/runs/{first}").text  # the job process stored the scores first
    assert "已评分，正在生成 PDF" in page and "排名与定档" in page
    runs_dir = next(p for p in (live_server.data_dir or Path()).joinpath("runs").iterdir() if p.is_dir())
    assert (runs_dir / str(first)).is_dir()
    live_server.kill()
    live_server.start()
    run = _run(url, first)
    assert (run.state, run.active, run.message, run.summary) == ("failed", None, jobs.INTERRUPTED, None)
    assert _rows(url, RunFile) == [] and not (runs_dir / str(first)).exists()

    # 2. only the server process killed: its job stops with it, and the run is failed
    office = LiveClient(live_server, "central")
    second = _start(office)
    _wait(lambda: _rendering(url, second), 120, "the second run to render PDFs")
    job = int((_run(url, second).owner or "").rsplit(":", 1)[1])
    assert live_server.process is not None
    os.kill(live_server.process.pid, 9)
    live_server.process.wait(10)
    _wait(lambda: not pid_alive(job), 30, "the job to stop with its server")
    live_server.kill()  # whatever else was in the group
    live_server.start()
    assert _run(url, second).state == "failed" and _rows(url, RunFile) == []
    assert not (runs_dir / str(second)).exists()

    # 3. two clicks at once start one run
    office = LiveClient(live_server, "central")
    other = LiveClient(live_server, "central")
    barrier = threading.Barrier(2)

    def click(client: LiveClient) -> int:
        barrier.wait()
        return client.post("/runs").status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(click, (office, other)))
    assert statuses == [303, 409]
    third = max(r.id for r in _rows(url, Run))
    _wait(lambda: _run(url, third).state not in ("queued", "running"), 600,  # one read: not two
          "the third run to finish")
    assert _run(url, third).state == "succeeded"
    assert any(f.path == "outputs/summary.pdf" for f in _rows(url, RunFile))

    # 4. killed while publishing (the publish waits inside its transaction): nothing published
    with _publications_locked(url):
        sender = threading.Thread(
            target=lambda: _ignore(lambda: office.post(f"/runs/{third}/publish", CONFIRM)))
        sender.start()
        time.sleep(2.0)
        live_server.kill()
        sender.join(30)
    live_server.start()
    assert _rows(url, Publication) == []
    office = LiveClient(live_server, "central")
    # the retried publish publishes once, and a second retry changes nothing
    assert office.post(f"/runs/{third}/publish", CONFIRM).status_code == 303
    assert office.post(f"/runs/{third}/publish", CONFIRM).status_code == 303
    [publication] = _rows(url, Publication)
    assert publication.run_id == third and publication.seq == 1
    assert [a.action for a in _rows(url, AuditEntry)].count("publish") == 1
    card = LiveClient(live_server, "sh").http.get("/results/scorecard")
    assert card.status_code == 200 and card.content.startswith(b"%PDF")


OUTAGE_S = 20.0  # the database restart of the review


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_running_job_outlives_a_database_restart(live_server: LiveServer, postgres: PostgresServer) -> None:
    """A run whose database goes away for 20 s while it renders its PDFs waits for it and finishes:
    progress it could not write is skipped, the result is stored once the server is back."""
    url = live_server.db_url
    sh, office = LiveClient(live_server, "sh"), LiveClient(live_server, "central")
    version = int(sh.upload(sample("310000")).headers["location"].rsplit("/", 1)[-1])
    assert sh.post(f"/versions/{version}/submit", CONFIRM).status_code == 303
    assert office.post("/central/units/310000/accept", {"version_id": str(version)}).status_code == 303
    run_id = _start(office)
    _wait(lambda: _rendering(url, run_id), 120, "the run to render PDFs")
    postgres.stop()
    try:
        time.sleep(OUTAGE_S)
    finally:
        postgres.start()
    back = datetime.now(UTC)

    def finished() -> bool:  # watched on its page, as the office does (the page reaps a dead job)
        return office.http.get(f"/runs/{run_id}").status_code == 200 and \
            _run(url, run_id).state not in ("queued", "running")

    _wait(finished, 180, "the run to finish")
    run = _run(url, run_id)
    assert (run.state, run.message) == ("succeeded", None)
    assert run.finished_at is not None and run.finished_at.replace(tzinfo=UTC) >= back  # it did wait
    assert any(f.path == "outputs/summary.pdf" for f in _rows(url, RunFile) if f.run_id == run_id)
    actions = [a.action for a in _rows(url, AuditEntry) if a.object == f"run:{run_id}"]
    assert actions == ["run-start", "run-succeeded"]
    assert office.http.get(f"/runs/{run_id}").status_code == 200


def _ignore(call: Callable[[], object]) -> None:
    try:
        call()
    except httpx2.HTTPError:
        pass

