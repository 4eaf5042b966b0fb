"""The central office's side of the portal on loopback: the dashboard with 32 units × 10 versions,
and a scoring run over 32 accepted units with every PDF while the portal keeps answering pages.

Run: .venv/bin/python benchmarks/bench_portal_central.py [--db URL] [--no-baseline]
Starts `scoring serve` (2 validation workers, its runs with 2 PDF workers) on a fresh database
(default: SQLite in a temporary folder) holding 32 units with 10 versions each, every unit's latest
submitted and accepted, and the central records. Measures:
  1. the central dashboard, 300 requests one after another (target p95 ≤ 150 ms), beside the
     province status page (part 1's page, the baseline in the same run);
  2. a run started from the runs page until its row says succeeded (target ≤ 20 s on 2 cores),
     while a client requests a page every 0.1 s (dashboard, the run's progress page, a province's
     status page in turn; target p95 ≤ 300 ms), with the status page before the run as baseline;
  3. unless --no-baseline: the same pipeline run in this process (`run_pipeline`, PDFs, 2 workers),
     so the portal's overhead shows as a ratio.
Prints the machine's load average at the start and end: the figures depend on what else runs.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
from sqlalchemy import select

from scoring.indicators.units import load_units
from scoring.pipeline import PipelineRequest, run_pipeline
from scoring.portal.admin import upgrade_database
from scoring.portal.auth import hash_password
from scoring.portal.records import central_values
from scoring.portal.store import Database
from scoring.portal.store.accounts import add_account
from scoring.portal.store.models import Account, Run
from scoring.portal.store.reviews import add_central_record
from scoring.portal.store.submissions import NewVersion, UnitScope, add_year_event
from scoring.portal.validation import validate_upload
from scoring.problems import Severity

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark-password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSIONS = 10
PACE_S = 0.1  # during the run a client asks for a page every 0.1 s (far more than 32 offices do)


def _seed(url: str, codes: list[str], samples: dict[str, Path]) -> None:
    upgrade_database(url)
    db = Database(url)
    hashed = hash_password(PASSWORD)
    start = datetime(2023, 1, 2, tzinfo=UTC)
    with db.transaction() as session:
        office = add_account(session, "central", "central", None, hashed, start)
        for code in codes:
            add_account(session, f"u{code}", "province", code, hashed, start)
        add_year_event(session, 2022, "open", start, None)
        add_year_event(session, 2022, "deadline", start, None, deadline=datetime(2099, 12, 31).date())
        for code in codes:
            data = samples[code].read_bytes()
            submission = validate_upload(data, samples[code].name, 2022)
            severities = [f.severity for f in submission.findings]
            new = NewVersion(file_name=samples[code].name, data=data, sha256=hashlib.sha256(data).hexdigest(),
                             errors=severities.count(Severity.ERROR),
                             warnings=severities.count(Severity.WARNING),
                             notes=severities.count(Severity.INFO),
                             submission_json=submission.model_dump_json())
            scope = UnitScope(session, 2022, code)
            account = session.scalar(select(Account).where(Account.name == f"u{code}"))
            assert account is not None
            for number in range(VERSIONS):
                version = scope.add_version(new, account.id, start + timedelta(hours=number))
            scope.add_decision(scope.standing().last_seq, "submit", start + timedelta(hours=VERSIONS),
                               account.id, version_id=version.id)
            scope.add_decision(scope.standing().last_seq, "accept", start + timedelta(hours=VERSIONS + 1),
                               office.id, version_id=version.id)
        book = ROOT / "sample_inputs" / "central-2022.xlsx"
        checked = validate_upload(book.read_bytes(), book.name, 2022)
        values_json = central_values.values_json(central_values.from_submission(checked))
        add_central_record(session, 2022, source="workbook", values_json=values_json, warnings=0, at=start,
                           account_id=office.id, after_number=0)
    db.dispose()


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sign_in(base: str, name: str) -> tuple[httpx2.Client, str]:
    client = httpx2.Client(base_url=base, follow_redirects=False, timeout=120)
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token[1]})
    assert response.status_code == 303
    page = client.get("/")
    if page.status_code == 303:
        page = client.get(page.headers["location"])
    found = CSRF.search(page.text)
    assert found is not None
    return client, found[1]


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n = {len(ordered)})"


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _timed(client: httpx2.Client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - start) * 1000


def _run_state(url: str, run_id: int) -> str:
    db = Database(url)
    try:
        with db.transaction(writes=False) as session:
            run = session.get(Run, run_id)
            return run.state if run else "missing"
    finally:
        db.dispose()


def main() -> None:
    args = sys.argv[1:]
    url = None
    if "--db" in args:
        url = args[args.index("--db") + 1]
    baseline_run = "--no-baseline" not in args
    folder = Path(tempfile.mkdtemp(prefix="scoring-bench-"))
    url = url or f"sqlite:///{folder / 'portal.sqlite3'}"
    codes = sorted(load_units().by_code())
    samples = {code: next((ROOT / "sample_inputs" / "2022").glob(f"{code}-*.xlsx")) for code in codes}
    load_before = os.getloadavg()
    _seed(url, codes, samples)

    port = _port()
    command = [sys.executable, "-c", "from scoring.cli import main; main()", "serve", "--db", url,
               "--port", str(port), "--workers", "2", "--data-dir", str(folder / "data")]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        office, csrf = _sign_in(base, "central")
        province, _ = _sign_in(base, "u310000")
        dashboard = [_timed(office, "/central") for _ in range(300)]
        status = [_timed(province, "/") for _ in range(300)]

        started = time.perf_counter()
        response = office.post("/runs", data={"csrf_token": csrf})
        assert response.status_code == 303, response.text[:300]
        run_path = response.headers["location"]
        run_id = int(run_path.rsplit("/", 1)[-1])
        during: list[float] = []
        done = threading.Event()

        def browse() -> None:
            pages = ["/central", run_path, "/"]
            clients = [office, office, province]
            index = 0
            while not done.is_set():
                during.append(_timed(clients[index % 3], pages[index % 3]))
                index += 1
                done.wait(PACE_S)

        poller = threading.Thread(target=browse)
        poller.start()
        while _run_state(url, run_id) in ("queued", "running"):
            time.sleep(0.1)
        run_seconds = time.perf_counter() - started
        done.set()
        poller.join()
        state = _run_state(url, run_id)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    direct = None
    if baseline_run:
        start = time.perf_counter()
        run_pipeline(PipelineRequest(year=2022, input_dir=ROOT / "sample_inputs" / "2022",
                                     output=folder / "direct",
                                     central=ROOT / "sample_inputs" / "central-2022.xlsx", pdf=True,
                                     workers=2))
        direct = time.perf_counter() - start
    load_after = os.getloadavg()
    print(f"database: {url.split(':')[0]}   32 units × {VERSIONS} versions, all accepted")
    before = " ".join(f"{x:.1f}" for x in load_before)
    after = " ".join(f"{x:.1f}" for x in load_after)
    print(f"load average (1, 5, 15 min) before: {before}   after: {after}   (2 cores)")
    print(f"province status page (baseline)        {_percentiles(status)}")
    print(f"central dashboard                      {_percentiles(dashboard)}")
    print(f"ratio dashboard p95 / status page p95: {_p95(dashboard) / _p95(status):.1f}")
    print(f"run over 32 accepted units with all PDFs: {run_seconds:.1f} s ({state})")
    if direct is not None:
        print(f"the same pipeline in process (baseline): {direct:.1f} s   ratio {run_seconds / direct:.2f}")
    print(f"pages during the run                   {_percentiles(during)}")
    print(f"ratio p95 during the run / p95 before (status page): {_p95(during) / _p95(status):.1f}")


if __name__ == "__main__":
    main()
