"""Portal fixtures: a real PostgreSQL server started in a temporary folder, fresh databases on
SQLite and PostgreSQL, portal apps with a settable clock, signed-in test clients, live servers with
their signed-in HTTP clients, and people signed in to one in a real browser."""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_inputs"
PASSWORD = "correct-horse-battery"
ACCOUNTS = {  # name: (role, unit)
    "sh": ("province", "310000"), "bj": ("province", "110000"), "central": ("central", None),
    "auditor": ("auditor", None), "sysadmin": ("sysadmin", None), "secadmin": ("secadmin", None),
    "auditadmin": ("auditadmin", None),
}
SECOND_FACTOR_ROLES = ("central", "auditor", "sysadmin", "secadmin", "auditadmin")
DEADLINE = date(2023, 1, 15)  # 2022's configured deadline


def sample(unit: str, year: int = 2022) -> Path:
    """The bundled sample workbook of a unit."""
    return next((SAMPLES / str(year)).glob(f"{unit}-*.xlsx"))


def invalid(name: str) -> Path:
    """A bundled bad workbook (all of them are 北京's, 110000)."""
    return SAMPLES / "invalid" / f"{name}.xlsx"


# —— PostgreSQL: Debian's server, started as root through runuser, on a unix socket only ——


@dataclass
class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, reached over its unix socket."""

    bin_dir: Path
    folder: Path
    counter: int = 0

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _as_postgres(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        options = f"-k {self.folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off " \
                  "-c full_page_writes=off -c max_connections=200"
        self._as_postgres("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
                          "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.folder}"

    def admin(self, sql: str) -> None:
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(sql))
        finally:
            engine.dispose()

    def new_database(self, template: str | None = None) -> str:
        self.counter += 1
        name = f"portal_{self.counter}"
        self.admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)


def wait_for_a_lock_waiter(url: str, table: str, seconds: float) -> None:
    """Return once a session of the database at ``url`` waits for a lock on ``table`` (the job has
    reached the write the test's lock holds back); AssertionError after ``seconds``."""
    waiting = text("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                   "WHERE NOT l.granted AND c.relname = :table")
    watcher = create_engine(url)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with watcher.connect() as look:
                if look.execute(waiting, {"table": table}).scalar():
                    return
            time.sleep(0.2)
        raise AssertionError("the job never reached the storing of its result")
    finally:
        watcher.dispose()


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail("没有找到 PostgreSQL（Debian 的 postgresql 软件包）：请用 ./dev test 运行，它会安装")
    return Path(found[-1]).parent


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session, removed afterwards."""
    bin_dir = _postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="scoring-pg-"))
    os.chmod(folder, 0o755)
    server = PostgresServer(bin_dir=bin_dir, folder=folder)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server._as_postgres("initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                        "--no-sync", "--locale=C")
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


# —— fresh migrated databases, from a template migrated once per session ——


@dataclass
class Templates:
    sqlite_file: Path | None = None
    postgres_name: str | None = None
    year_sqlite: Path | None = None
    year_postgres: str | None = None
    year: YearState | None = None


@pytest.fixture(scope="session")
def _templates() -> Templates:
    return Templates()


def _migrated(url: str) -> None:
    from scoring.portal.admin import upgrade_database

    upgrade_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, _templates: Templates) -> str:
    """A fresh, migrated, empty portal database on SQLite or on the session's PostgreSQL."""
    if request.param == "sqlite":
        if _templates.sqlite_file is None:
            folder = Path(tempfile.mkdtemp(prefix="scoring-sqlite-"))
            _templates.sqlite_file = folder / "template.sqlite3"
            _migrated(f"sqlite:///{_templates.sqlite_file}")
        target = tmp_path / "portal.sqlite3"
        shutil.copyfile(_templates.sqlite_file, target)
        return f"sqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres")
    if _templates.postgres_name is None:
        url = server.new_database()
        _migrated(url)
        from sqlalchemy.engine import make_url

        _templates.postgres_name = make_url(url).database
    return server.new_database(template=_templates.postgres_name)


def _template_copy(request: pytest.FixtureRequest, tmp_path: Path, templates: Templates, *,
                   sqlite: Path | None, postgres: str | None) -> str:
    if request.param == "sqlite":
        assert sqlite is not None
        target = tmp_path / "portal.sqlite3"
        shutil.copyfile(sqlite, target)
        return f"sqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database(template=postgres)


# —— accounts, the open year, the app ——


class Clock:
    """A settable clock for deadlines (UTC)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def before_deadline() -> datetime:
    return datetime(2023, 1, 10, 2, 0, tzinfo=UTC)


_HASH: list[str] = []


def password_hash() -> str:
    """One argon2 hash of the test password, computed once."""
    if not _HASH:
        from scoring.portal.auth import hash_password

        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


def totp_secret(name: str) -> str:
    """The authenticator secret the test accounts of staff roles are enrolled with."""
    import base64
    import hashlib

    return base64.b32encode(hashlib.sha256(f"totp:{name}".encode()).digest()[:20]).decode()


def totp_now(secret: str) -> str:
    """The current code of an authenticator secret (the portal checks codes on the real time)."""
    import pyotp

    return str(pyotp.TOTP(secret).now())


def fresh_totp_code(database: Any, name: str) -> str:
    """A code for ``name`` now that the portal will take: tests sign the same account in several
    times within one 30-second step, so the record of the step last used is cleared first;
    refusing a reused code is tested on its own."""
    from sqlalchemy import update

    from scoring.portal.store import Database
    from scoring.portal.store.models import Account

    db = Database(database) if isinstance(database, str) else database
    try:
        with db.transaction() as session:
            session.execute(update(Account).where(Account.name == name).values(totp_last_step=None))
    finally:
        if isinstance(database, str):
            db.dispose()
    return totp_now(totp_secret(name))


def seed(url: str, accounts: dict[str, tuple[str, str | None]] | None = None, open_year: int | None = 2022,
         disabled: tuple[str, ...] = ()) -> None:
    """Accounts with the test password, and the open year."""
    from scoring.portal.store import Database
    from scoring.portal.store.accounts import add_account
    from scoring.portal.store.submissions import add_year_event

    db = Database(url)
    now = datetime(2022, 12, 1, tzinfo=UTC)
    try:
        with db.transaction() as session:
            for name, (role, unit) in (accounts or ACCOUNTS).items():
                account = add_account(session, name, role, unit, password_hash(), now)
                # passwords set "today", so that live servers on the real clock do not find them expired
                account.password_changed_at = max(now, datetime.now(UTC))
                if role in SECOND_FACTOR_ROLES:
                    account.totp_secret, account.totp_enabled_at = totp_secret(name), now
                if name in disabled:
                    account.disabled_at = now
            if open_year:
                add_year_event(session, open_year, "open", now, None)
    finally:
        db.dispose()


@pytest.fixture()
def clock() -> Clock:
    return Clock(before_deadline())


@pytest.fixture()
def portal_app(db_url: str, clock: Clock, tmp_path: Path):
    """A portal on a fresh database with the test accounts and 2022 open; validation and scoring
    jobs (without PDFs) in threads."""
    from scoring.portal.app import create_app

    seed(db_url)
    app = create_app(portal_settings(db_url, tmp_path / "data", clock))
    yield app
    app.state.portal.jobs.close()
    app.state.portal.workers.close()
    app.state.portal.db.dispose()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Client:
    """A test client that signs in and keeps the page's CSRF token."""

    def __init__(self, app, name: str | None = None, https: bool = False) -> None:
        from starlette.testclient import TestClient

        self.http = TestClient(app, follow_redirects=False, raise_server_exceptions=False,
                               client=("127.0.0.1", 50000),
                               base_url="https://testserver" if https else "http://testserver")
        self.csrf = ""
        if name is not None:
            self.login(name)

    def login(self, name: str, password: str = PASSWORD, secret: str | None = None):
        """Sign in with the password and, where the portal asks for it, the authenticator's code
        (of the test secret, or of ``secret``)."""
        page = self.http.get("/login")
        token = CSRF.search(page.text)
        response = self.http.post("/login", data={"name": name, "password": password,
                                                  "csrf_token": token.group(1) if token else ""})
        if response.status_code == 303 and response.headers["location"] == "/login/totp":
            response = self.second_factor(name, totp_now(secret) if secret else None)
        if response.status_code == 303 and response.headers["location"] == "/":
            self.refresh()
        return response

    def second_factor(self, name: str, code: str | None = None):
        """Answer the second step with ``code`` (by default the current one of the test secret)."""
        portal = self.http.app.state.portal  # type: ignore[attr-defined]
        page = self.http.get("/login/totp")
        token = CSRF.search(page.text)
        code = code or fresh_totp_code(portal.db, name)
        return self.http.post("/login/totp",
                              data={"code": code, "csrf_token": token.group(1) if token else ""})

    def refresh(self) -> None:
        page = self.http.get("/")
        if page.status_code == 303:  # the central office's and the auditors' home pages are elsewhere
            page = self.http.get(page.headers["location"])
        match = CSRF.search(page.text)
        self.csrf = match.group(1) if match else ""

    def get(self, path: str):
        return self.http.get(path)

    def post(self, path: str, data: dict[str, str] | None = None):
        return self.http.post(path, data={"csrf_token": self.csrf, **(data or {})})

    def upload(self, path: Path | None = None, *, data: bytes | None = None, name: str | None = None):
        content = data if data is not None else path.read_bytes()
        file_name = name or (path.name if path else "upload.xlsx")
        return self.http.post("/upload", data={"csrf_token": self.csrf},
                              files={"file": (file_name, content, "application/octet-stream")})


CONFIRM = {"confirm": "1"}  # the hidden field of the confirmation pages of submit and publish


def version_id(response) -> int:
    """The version a successful upload redirected to."""
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].rsplit("/", 1)[-1])


# —— a live server in a subprocess (uvicorn, the real worker pool) ——


def cli_refused(result: Any, *words: str) -> None:
    """A command-line refusal as users must see it: exit 1, a Chinese 错误 line naming ``words``, and a
    message rather than a crash (no traceback, the exception a plain SystemExit)."""
    assert result.exit_code == 1, result.output
    assert "错误：" in result.output and "Traceback" not in result.output, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    for word in words:
        assert word in result.output, result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# the portal under uvicorn as ``scoring serve`` starts it, but with a clock the test can move
CLOCKED_SERVER = """
import sys
from datetime import timedelta
from pathlib import Path
from scoring.portal.admin import prepare_for_serving
from scoring.portal.server import run_server
from scoring.portal.settings import PortalSettings, utc_now
url, port, workers, data, offsets = sys.argv[1:6]
def clock():
    return utc_now() + timedelta(seconds=float(Path(offsets).read_text()))
prepare_for_serving(url)
settings = PortalSettings(database_url=url, validation_workers=int(workers), data_dir=Path(data), clock=clock)
run_server(settings, "127.0.0.1", int(port))
"""


@dataclass
class LiveServer:
    """``scoring serve`` in a subprocess on loopback."""

    url: str
    db_url: str
    port: int
    process: subprocess.Popen[bytes] | None = None
    data_dir: Path | None = None
    clock_file: Path | None = None  # the server's time is now + the seconds in this file

    def totp(self, name: str) -> str:
        """A code the server will take for ``name`` now."""
        return fresh_totp_code(self.db_url, name)

    def set_clock(self, moment: datetime) -> None:
        """Move the server's clock (and its future scoring jobs') to ``moment``."""
        assert self.clock_file is not None
        self.clock_file.write_text(str((moment - datetime.now(UTC)).total_seconds()))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workers: int = 2) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.clock_file is not None:
            command = [sys.executable, "-c", CLOCKED_SERVER, self.db_url, str(self.port), str(workers),
                       str(self.data_dir), str(self.clock_file)]
        else:
            command = [sys.executable, "-c", "from scoring.cli import main; main()", "serve", "--db",
                       self.db_url, "--port", str(self.port), "--workers", str(workers),
                       *(["--data-dir", str(self.data_dir)] if self.data_dir else [])]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("portal server exited at start") from None
                time.sleep(0.1)
        raise RuntimeError("portal server did not start")

    def kill(self) -> None:
        """SIGKILL the server and its worker processes (its whole process group)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None


_LIVE_CLIENTS: list[Any] = []


@pytest.fixture(autouse=True)
def _close_live_clients() -> Iterator[None]:
    yield
    while _LIVE_CLIENTS:
        _LIVE_CLIENTS.pop().close()


def live_http(server: LiveServer, **options: Any) -> Any:
    """An HTTP client of a live portal (httpx2, no redirects followed), closed after the test."""
    import httpx2

    client = httpx2.Client(**{"base_url": server.base, "follow_redirects": False, "timeout": 120, **options})
    _LIVE_CLIENTS.append(client)
    return client


class LiveClient:
    """An HTTP client signed in to a live portal as ``name`` (with the authenticator's code for staff),
    keeping the CSRF token of its pages; closed after the test."""

    def __init__(self, server: LiveServer, name: str) -> None:
        self.http = live_http(server)
        token = CSRF.search(self.http.get("/login").text)
        assert token is not None
        signed = self.http.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token[1]})
        assert signed.status_code == 303, signed.text[:300]
        if signed.headers["location"] == "/login/totp":  # staff: the second step, code from pyotp
            step = CSRF.search(self.http.get("/login/totp").text)
            assert step is not None
            signed = self.http.post("/login/totp", data={"code": server.totp(name), "csrf_token": step[1]})
            assert signed.status_code == 303, signed.text[:300]
        page = self.http.get("/")
        if page.status_code == 303:  # the central office's and the auditors' home pages are elsewhere
            page = self.http.get(page.headers["location"])
        found = CSRF.search(page.text)
        assert found is not None
        self.csrf = found[1]

    def post(self, path: str, data: dict[str, str] | None = None, **options: Any) -> Any:
        return self.http.post(path, data={"csrf_token": self.csrf, **(data or {})}, **options)

    def upload(self, file: Path, path: str = "/upload") -> Any:
        return self.http.post(path, data={"csrf_token": self.csrf},
                              files={"file": (file.name, file.read_bytes(), "application/octet-stream")})


@contextmanager
def running_portal(db_url: str, tmp_path: Path, accounts: dict[str, tuple[str, str | None]],
                   moment: datetime, open_year: int | None = 2022) -> Iterator[LiveServer]:
    """A running portal with ``accounts`` and a clock the test moves, set to ``moment``."""
    seed(db_url, accounts, open_year=open_year)
    server = LiveServer(url="", db_url=db_url, port=free_port(), data_dir=tmp_path / "data",
                        clock_file=tmp_path / "clock")
    server.set_clock(moment)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def live_server(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A running portal (open year 2022 with a deadline ahead) with one account per unit."""
    from scoring.indicators.units import load_units

    accounts = dict(ACCOUNTS)
    for code in load_units().by_code():
        accounts[f"u{code}"] = ("province", code)
    seed(db_url, accounts)
    _far_deadline(db_url)
    server = LiveServer(url="", db_url=db_url, port=free_port(), data_dir=tmp_path / "data")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _far_deadline(url: str) -> None:
    from scoring.portal.store import Database
    from scoring.portal.store.submissions import add_year_event

    db = Database(url)
    try:
        with db.transaction() as session:
            add_year_event(session, 2022, "deadline", datetime.now(UTC), None, deadline=date(2099, 12, 31))
    finally:
        db.dispose()


# —— a whole year: submitted, reviewed, scored with every PDF and published, once per database ——

TASK_ADJUSTED = "2022-1.1.3"  # 上海 declares it 已完成 in the sample workbook


@dataclass(frozen=True)
class YearState:
    """What the published year holds: 上海 accepted (one task adjusted), scored and published;
    北京 submitted afterwards and not yet reviewed."""

    run_id: int
    sh_version: int
    bj_version: int


def portal_settings(url: str, data_dir: Path, clock: Clock, *, pdf: bool = False):
    """Settings of an in-process test portal: validation and scoring jobs in threads."""
    from scoring.portal.settings import PortalSettings

    return PortalSettings(database_url=url, validation_workers=0, clock=clock, data_dir=data_dir,
                          jobs_in_threads=True, run_pdf=pdf, run_workers=2)


def central_workbook_upload(client: Client, path: Path | None = None):
    """Upload the central office's workbook (the bundled 2022 sample unless given)."""
    path = path or SAMPLES / "central-2022.xlsx"
    return client.http.post("/central/records/upload", data={"csrf_token": client.csrf},
                            files={"file": (path.name, path.read_bytes(), "application/octet-stream")})


def run_to_end(app, client: Client, note: str | None = None) -> int:
    """Start a run as the central office and wait for its job; the run's id."""
    response = client.post("/runs", {"note": note} if note else {})
    assert response.status_code == 303, response.text[:800]
    app.state.portal.jobs.wait()
    return int(response.headers["location"].rsplit("/", 1)[-1])


def build_year(url: str, data_dir: Path) -> YearState:
    """Fill a migrated database with the published year (see ``YearState``)."""
    from scoring.portal.app import create_app

    seed(url)
    app = create_app(portal_settings(url, data_dir, Clock(before_deadline()), pdf=True))
    try:
        sh, bj, office = Client(app, "sh"), Client(app, "bj"), Client(app, "central")
        sh_version = version_id(sh.upload(sample("310000")))
        assert sh.post(f"/versions/{sh_version}/submit", CONFIRM).status_code == 303
        assert office.post("/central/units/310000/accept", {"version_id": str(sh_version)}).status_code == 303
        assert office.post("/central/units/310000/review", {
            "task": TASK_ADJUSTED, "action": "adjust", "status": "部分完成",
            "reason": "佐证材料只有通知，未见落实情况"}).status_code == 303
        assert central_workbook_upload(office).status_code == 303
        run_id = run_to_end(app, office)
        assert office.post(f"/runs/{run_id}/publish", CONFIRM).status_code == 303
        bj_version = version_id(bj.upload(sample("110000")))
        assert bj.post(f"/versions/{bj_version}/submit", CONFIRM).status_code == 303
        return YearState(run_id=run_id, sh_version=sh_version, bj_version=bj_version)
    finally:
        app.state.portal.jobs.close()
        app.state.portal.db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def year_url(request: pytest.FixtureRequest, tmp_path: Path, _templates: Templates) -> str:
    """A fresh copy of the published year (built once per database per session)."""
    if request.param == "sqlite" and _templates.year_sqlite is None:
        folder = Path(tempfile.mkdtemp(prefix="scoring-year-"))
        _templates.year_sqlite = folder / "year.sqlite3"
        url = f"sqlite:///{_templates.year_sqlite}"
        _migrated(url)
        state = build_year(url, folder)
        assert _templates.year in (None, state)
        _templates.year = state
    if request.param == "postgresql" and _templates.year_postgres is None:
        from sqlalchemy.engine import make_url

        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.new_database()
        _migrated(url)
        state = build_year(url, Path(tempfile.mkdtemp(prefix="scoring-year-")))
        assert _templates.year in (None, state)
        _templates.year = state
        _templates.year_postgres = make_url(url).database
    return _template_copy(request, tmp_path, _templates, sqlite=_templates.year_sqlite,
                          postgres=_templates.year_postgres)


@pytest.fixture()
def year_state(year_url: str, _templates: Templates) -> YearState:
    """The ids in the published year."""
    assert _templates.year is not None
    return _templates.year


@pytest.fixture()
def year_app(year_url: str, clock: Clock, tmp_path: Path):
    """A portal on a copy of the published year (scoring jobs without PDFs, in threads)."""
    from scoring.portal.app import create_app

    app = create_app(portal_settings(year_url, tmp_path / "data", clock))
    yield app
    app.state.portal.jobs.close()
    app.state.portal.workers.close()
    app.state.portal.db.dispose()


# —— a real browser: Debian's chromium under Playwright from PyPI (nothing downloaded) ——

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Debian's chromium under Playwright, once per test module: Playwright's synchronous API
    keeps its event loop marked as running in this thread while it is open, so a session-wide
    browser would make every later test's asyncio.run() fail.

    Every page the module's tests are served is recorded; once they are done, each is checked
    with axe-core (WCAG 2.1 AA), for reflow at 320 px and with the Nu Html Checker, and any
    problem fails the module (see page_checks)."""
    from page_checks import CheckedBrowser, axe_and_reflow, html_validity, report, screenshots
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("没有找到 chromium（Debian 的 chromium 软件包）：请用 ./dev test 运行，它会安装")
    with sync_playwright() as playwright:
        browser = CheckedBrowser(playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS))
        yield browser
        if not browser.record.pages:
            browser.close()
            return
        problems = axe_and_reflow(browser.raw, browser.record)
        if os.environ.get("SCORING_SCREENSHOTS"):
            screens = ROOT / "test-artifacts" / "screens" / request.module.__name__
            screenshots(browser.raw, browser.record, screens)
        browser.close()
    saved = ROOT / "test-artifacts" / "html" / request.module.__name__
    validity = html_validity(browser.record, saved)
    if validity is None:
        print(f"没有 Java：未用 Nu Html Checker 检查 {len(browser.record.pages)} 个页面")
    problems += validity or []
    assert not problems, f"{len(browser.record.distinct_pages())} 个页面中发现问题：\n{report(problems)}"


class Person:
    """One person at the portal in their own browser context of the ``browser`` fixture (so every page
    they are served is recorded for the page checks): signs in with the password and, for staff, the
    authenticator's code; keeps the console errors the pages raise and screenshots into ``artifacts``."""

    def __init__(self, browser: Any, server: LiveServer, artifacts: Path) -> None:
        self.server = server
        self.artifacts = artifacts
        self.errors: list[str] = []
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"{message.type}: {message.text}")

    def sign_in(self, name: str) -> None:
        """Sign in as ``name`` (signing out whoever was signed in here before)."""
        self.page.goto(f"{self.server.base}/login")
        if self.page.locator("button:has-text('退出登录')").count():
            self.page.click("button:has-text('退出登录')")
            self.page.wait_for_url("**/login?out=1")
        self.page.fill("#name", name)
        self.page.fill("#password", PASSWORD)
        self.page.click("button:has-text('登录')")
        self.page.wait_for_load_state()
        if self.page.url.endswith("/login/totp"):  # staff sign in with the authenticator's code (pyotp)
            self.shot(f"00-second-factor-{name}")
            self.page.fill("#code", self.server.totp(name))
            self.page.click("button:has-text('验证')")
            self.page.wait_for_load_state()
            assert "上次登录" in self.text() or "首次登录" in self.text()
        assert "退出登录" in self.page.inner_text("header"), self.page.url

    def go(self, path: str) -> None:
        self.page.goto(f"{self.server.base}{path}")

    def text(self) -> str:
        return str(self.page.inner_text("main"))

    def shot(self, name: str, *, full_page: bool = True) -> None:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=full_page)

    def upload_and_submit(self, workbook: Path) -> None:
        """Upload a unit's workbook from its home page and submit it through the confirmation page."""
        self.page.set_input_files("#file", str(workbook))
        self.page.click("button:has-text('上传并校验')")
        self.page.wait_for_url("**/versions/*")
        self.page.click("a.button:has-text('提交第')")
        self.page.wait_for_url("**/versions/*/submit")
        self.page.click("button:has-text('确认提交')")
        self.page.wait_for_url(f"{self.server.base}/")
        assert "已提交" in self.text()

    def accept(self, unit: str) -> None:
        """The central office accepts the unit's submitted version."""
        self.go(f"/central/units/{unit}")
        self.page.click("button:has-text('接受第')")
        self.page.wait_for_url(f"**/central/units/{unit}")
        assert "已接受" in self.text()

    def upload_records(self, workbook: Path) -> None:
        """The central office uploads its own records workbook."""
        self.go("/central/records")
        self.page.set_input_files("#file", str(workbook))
        self.page.click("button:has-text('上传并校验')")
        self.page.wait_for_url("**/central/records")
