"""Sign-in throttling an attacker cannot turn against a real user: per (account, address) pair,
growing delays, an unlock, atomic under parallel guesses, one audit row per burst."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx2
import pytest
from portal_fixtures import CSRF, PASSWORD, Client, Clock, before_deadline, free_port, seed
from sqlalchemy import select
from starlette.testclient import TestClient
from test_portal_hardening import _serve, _stop
from typer.testing import CliRunner

from scoring.cli import app as cli
from scoring.portal.app import create_app
from scoring.portal.settings import PortalSettings
from scoring.portal.store import Database
from scoring.portal.store.models import AuditEntry


def _from(app, address: str) -> Client:
    client = Client(app)
    client.http = TestClient(app, follow_redirects=False, raise_server_exceptions=False,
                             client=(address, 5000))
    return client


def _actions(url: str) -> list[str]:
    db = Database(url)
    try:
        with db.transaction(writes=False) as session:
            return [r.action for r in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    finally:
        db.dispose()


def test_waits_grow_per_pair_and_never_lock_the_real_user_out(db_url: str) -> None:
    seed(db_url)
    clock = Clock(before_deadline())
    app = create_app(PortalSettings(database_url=db_url, validation_workers=0, clock=clock))
    try:
        attacker = _from(app, "203.0.113.66")
        for _ in range(5):
            assert attacker.login("sh", "guess").status_code == 401
        refused = attacker.login("sh", PASSWORD)
        assert refused.status_code == 429 and "30 秒后再试" in refused.text
        for _ in range(20):  # a burst of refused attempts: one audit row, no password checked
            assert attacker.login("sh", "guess").status_code == 429
        assert _from(app, "198.51.100.20").login("sh").status_code == 303  # the real user, elsewhere
        clock.moment += timedelta(seconds=31)
        assert attacker.login("sh", "guess").status_code == 401  # one more try, then a longer wait
        assert "60 秒后再试" in attacker.login("sh", "guess").text
        clock.moment += timedelta(seconds=61)
        assert attacker.login("sh", "guess").status_code == 401
        assert "2 分钟后再试" in attacker.login("sh", "guess").text
        actions = _actions(db_url)
        assert actions.count("sign-in-failed") == 7 and actions.count("sign-in-throttled") == 3
        result = CliRunner().invoke(cli, ["users", "unlock", "sh", "--db", db_url])
        assert result.exit_code == 0 and "1 个地址曾受限" in result.output
        assert attacker.login("sh", PASSWORD).status_code == 303
        assert "account-unlock" in _actions(db_url)
        assert CliRunner().invoke(cli, ["users", "unlock", "nobody", "--db", db_url]).exit_code == 1
    finally:
        app.state.portal.db.dispose()


def test_parallel_guesses_get_at_most_the_limit_of_password_checks(db_url: str) -> None:
    seed(db_url)
    port = free_port()
    process = _serve(db_url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        clients = [httpx2.Client(base_url=base, timeout=120) for _ in range(64)]
        tokens = []
        for http in clients:
            match = CSRF.search(http.get("/login").text)
            assert match is not None
            tokens.append(match.group(1))
        statuses: list[int] = []
        start = threading.Barrier(64)

        def guess(http: httpx2.Client, token: str) -> None:
            start.wait()
            response = http.post("/login", data={"name": "sh", "password": "guess", "csrf_token": token})
            statuses.append(response.status_code)

        threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
        for http in clients:
            http.close()
    finally:
        _stop(process)
    assert len(statuses) == 64 and statuses.count(401) == 5 and statuses.count(429) == 59
    actions = _actions(db_url)
    assert actions.count("sign-in-failed") == 5 and actions.count("sign-in-throttled") == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_unknown_names_from_one_address_share_one_pair(db_url: str) -> None:
    seed(db_url)
    settings = PortalSettings(database_url=db_url, validation_workers=0, clock=Clock(before_deadline()))
    app = create_app(settings)
    try:
        client = _from(app, "203.0.113.9")
        statuses = [client.login(f"nobody{n}", "x").status_code for n in range(8)]
        assert statuses == [401] * 5 + [429] * 3
        assert client.login("sh").status_code == 303  # a real account from there is its own pair
    finally:
        app.state.portal.db.dispose()
