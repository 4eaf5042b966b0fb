"""等保 2.0 level-3 account controls through HTTP and the command line: the password policy, the
TOTP second step (enrolment, recovery codes, refused reuse), idle timeout, the last sign-in shown,
the administrators' separate duties and the inactive-account report; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
from portal_fixtures import CSRF, PASSWORD, Client, fresh_totp_code, seed
from sqlalchemy import select
from typer.testing import CliRunner

from scoring.cli import app as cli
from scoring.portal.store.models import Account, AuditEntry, RecoveryCode

runner = CliRunner()
GOOD = "Neues-Kennwort-2026"


def _account(app, name: str) -> Account:
    with app.state.portal.db.transaction(writes=False) as db:
        found = db.scalar(select(Account).where(Account.name == name))
        assert found is not None
        db.expunge(found)
        return found


def _actions(app) -> list[str]:
    with app.state.portal.db.transaction(writes=False) as db:
        return [row.action for row in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def _form_token(client: Client, path: str) -> str:
    match = CSRF.search(client.get(path).text)
    assert match is not None
    return match.group(1)


def _password_step(client: Client, name: str, password: str = PASSWORD):
    """Only the first sign-in step (``Client.login`` also answers the second with the test secret)."""
    return client.http.post("/login", data={"name": name, "password": password,
                                            "csrf_token": _form_token(client, "/login")})


# —— password policy ——


def test_cli_refuses_a_weak_password_saying_what_is_missing(db_url: str) -> None:
    import pytest

    from scoring.errors import ScoringError
    from scoring.portal.admin import add_user, set_password

    seed(db_url)
    # what ``scoring users add`` / ``users password`` call with the password typed at the prompt
    with pytest.raises(ScoringError) as weak:
        add_user(db_url, "zj", "province", "330000", "short")
    assert "长度至少 12 个字符（现为 5 个）" in str(weak.value)
    assert "缺少：大写字母、数字、其他字符" in str(weak.value)
    set_password(db_url, "sh", GOOD)
    with pytest.raises(ScoringError, match="不得与最近 5 次使用过的密码相同"):
        set_password(db_url, "sh", GOOD)
    generated = runner.invoke(cli, ["users", "add", "zj", "--role", "province", "--unit", "330000",
                                    "--generate-password", "--db", db_url])
    assert generated.exit_code == 0, generated.output


def test_password_change_in_the_portal_checks_policy_and_the_last_five(portal_app, clock) -> None:
    sh = Client(portal_app, "sh")

    def change(current: str, new: str):
        return sh.post("/account/password", {"current": current, "password": new, "password_again": new})

    weak = change(PASSWORD, "alllowercase-only")
    assert weak.status_code == 400 and "至少 3 类" in weak.text and "缺少：大写字母、数字" in weak.text
    assert "不得包含用户名" in change(PASSWORD, "Xsh-Secret-2026").text
    assert "当前密码不正确" in change("wrong", GOOD).text
    passwords = [PASSWORD] + [f"Kennwort-{i}-Abc" for i in range(6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        clock.moment += timedelta(minutes=1)
        assert change(old, new).status_code == 303
    # the last five (the current one and four before it) are refused; the sixth back is allowed
    refused = change(passwords[-1], passwords[2])
    assert refused.status_code == 400 and "不得与最近 5 次使用过的密码相同" in refused.text
    assert change(passwords[-1], passwords[1]).status_code == 303
    assert _actions(portal_app).count("password-change") == 7


def test_an_expired_password_must_be_changed_at_the_next_sign_in(portal_app, clock) -> None:
    clock.moment = datetime.now(UTC) + timedelta(days=91)  # the test passwords were set "today"
    client = Client(portal_app)
    response = client.login("sh")
    assert response.status_code == 303 and response.headers["location"] == "/login/password"
    page = client.get("/login/password")
    assert "已使用超过 90 天" in page.text
    assert client.get("/").status_code == 303  # no session yet
    token = CSRF.search(page.text)
    assert token is not None
    weak = client.http.post("/login/password", data={"csrf_token": token[1], "password": "short",
                                                     "password_again": "short"})
    assert weak.status_code == 400 and "长度至少 12 个字符" in weak.text
    token = CSRF.search(weak.text)
    assert token is not None
    done = client.http.post("/login/password", data={"csrf_token": token[1], "password": GOOD,
                                                     "password_again": GOOD})
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert client.get("/").status_code == 200
    assert Client(portal_app).login("sh", GOOD).headers["location"] == "/"


def test_a_password_reset_by_the_system_administrator_is_changed_at_next_sign_in(portal_app) -> None:
    admin = Client(portal_app, "sysadmin")
    page = admin.post("/admin/accounts/sh/password")
    assert page.status_code == 200
    shown = re.search(r'id="shown-password">.*?<code>([^<]+)</code>', page.text)
    assert shown is not None
    assert Client(portal_app).login("sh").status_code == 401
    response = Client(portal_app).login("sh", shown[1])
    assert response.headers["location"] == "/login/password"
    assert _account(portal_app, "sh").must_change_password


# —— the second factor ——


def test_central_office_without_an_authenticator_enrols_right_after_the_password(portal_app) -> None:
    from sqlalchemy import update

    with portal_app.state.portal.db.transaction() as db:
        db.execute(update(Account).where(Account.name == "central")
                   .values(totp_secret=None, totp_enabled_at=None))
    client = Client(portal_app)
    response = client.login("central")
    assert response.headers["location"] == "/login/enrol"
    page = client.get("/login/enrol")
    assert page.status_code == 200 and "<svg" in page.text and "<script" not in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret is not None
    token = CSRF.search(page.text)
    assert token is not None
    wrong = client.http.post("/login/enrol", data={"csrf_token": token[1], "code": "000000"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.text
    token = CSRF.search(wrong.text)
    assert token is not None
    code = pyotp.TOTP(secret[1]).now()
    shown = client.http.post("/login/enrol", data={"csrf_token": token[1], "code": code})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]{14})</code></li>", shown.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    with portal_app.state.portal.db.transaction(writes=False) as db:
        stored = list(db.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not any(code in h for code in codes for h in stored)
    token = CSRF.search(shown.text)
    assert token is not None
    done = client.http.post("/login/continue", data={"csrf_token": token[1]})
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert client.get("/central").status_code == 200
    # a recovery code stands in for the phone once
    again = Client(portal_app)
    assert _password_step(again, "central").headers["location"] == "/login/totp"
    assert again.second_factor("central", codes[0]).headers["location"] == "/"
    once_more = Client(portal_app)
    _password_step(once_more, "central")
    assert once_more.second_factor("central", codes[0]).status_code == 401


def test_a_code_is_accepted_once_and_wrong_codes_are_throttled(portal_app) -> None:
    first = Client(portal_app)
    first.login("auditor")
    assert first.get("/audit").status_code == 200
    code = pyotp.TOTP(_account(portal_app, "auditor").totp_secret or "").now()
    replay = Client(portal_app)
    assert _password_step(replay, "auditor").status_code == 303
    refused = replay.second_factor("auditor", code)
    assert refused.status_code == 401 and "已经使用过" in refused.text
    assert replay.get("/audit").status_code == 303
    for _ in range(5):
        replay.second_factor("auditor", "123456")
    throttled = replay.second_factor("auditor", fresh_totp_code(portal_app.state.portal.db, "auditor"))
    assert throttled.status_code == 429
    assert "sign-in-2fa-failed" in _actions(portal_app)


def test_no_session_before_the_second_step(portal_app) -> None:
    client = Client(portal_app)
    response = _password_step(client, "central")
    assert response.headers["location"] == "/login/totp"
    assert client.get("/central").status_code == 303
    forged = Client(portal_app)
    forged.http.cookies.set("scoring_pending", "1:password", path="/login")
    assert forged.get("/login/totp").status_code == 303


def test_a_province_may_enrol_and_then_signs_in_with_a_code(portal_app) -> None:
    sh = Client(portal_app, "sh")
    page = sh.get("/account/second-factor")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert page.status_code == 200 and secret is not None
    shown = sh.post("/account/second-factor", {"code": pyotp.TOTP(secret[1]).now()})
    assert shown.status_code == 200 and len(re.findall(r"<li><code>", shown.text)) == 10
    later = Client(portal_app)
    assert _password_step(later, "sh").headers["location"] == "/login/totp"
    # the province's code is the one its own authenticator shows (the reuse marker is cleared first)
    from sqlalchemy import update

    with portal_app.state.portal.db.transaction() as db:
        db.execute(update(Account).where(Account.name == "sh").values(totp_last_step=None))
    assert later.second_factor("sh", pyotp.TOTP(secret[1]).now()).headers["location"] == "/"


def test_the_security_administrator_resets_a_lost_authenticator(portal_app) -> None:
    office = Client(portal_app, "central")
    security = Client(portal_app, "secadmin")
    assert security.post("/security/accounts/central/second-factor/reset").status_code == 303
    assert office.get("/central").status_code == 303  # its sessions ended
    assert _password_step(Client(portal_app), "central").headers["location"] == "/login/enrol"
    assert "totp-reset" in _actions(portal_app)


# —— sessions ——


def test_idle_sessions_end_after_thirty_minutes(portal_app, clock) -> None:
    sh = Client(portal_app, "sh")
    clock.moment += timedelta(minutes=29)
    assert sh.get("/").status_code == 200
    clock.moment += timedelta(minutes=29)  # active a moment ago: still signed in
    assert sh.get("/").status_code == 200
    clock.moment += timedelta(minutes=31)
    assert sh.get("/").status_code == 303
    with portal_app.state.portal.db.transaction(writes=False) as db:
        last = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == "sign-out" and "空闲超过 30 分钟" in (last.after or "")


def test_the_last_sign_in_and_failures_since_are_shown(portal_app, clock) -> None:
    first = Client(portal_app, "sh")
    assert "这是此账号的首次登录" in first.get("/").text
    clock.moment += timedelta(hours=1)
    assert Client(portal_app).login("sh", "wrong").status_code == 401
    second = Client(portal_app, "sh")
    text = second.get("/").text
    assert "上次登录：2023年1月10日 10:00（北京时间），地址 127.0.0.1；此后有 1 次失败的登录尝试" in text


# —— the administrators, and inactive accounts ——


def test_the_system_administrator_adds_and_disables_accounts(portal_app) -> None:
    admin = Client(portal_app, "sysadmin")
    added = admin.post("/admin/accounts", {"name": "zj", "role": "province", "unit": "330000"})
    assert added.status_code == 200 and "zj 的初始密码" in added.text
    bad = admin.post("/admin/accounts", {"name": "x", "role": "province", "unit": "330000"})
    assert bad.status_code == 400 and "用户名“x”无效" in bad.text
    assert admin.post("/admin/accounts/sysadmin/disable").status_code == 409
    assert admin.post("/admin/accounts/zj/disable").status_code == 303
    assert _account(portal_app, "zj").disabled_at is not None


def test_inactive_accounts_are_reported_to_the_security_administrator_and_on_the_cli(portal_app, clock,
                                                                                     db_url: str) -> None:
    Client(portal_app, "sh")  # signs in on 2023-01-10; the others never did (created 2022-12-01)
    clock.moment += timedelta(days=60)
    page = Client(portal_app, "secadmin").get("/security").text
    inactive = page.split('id="inactive"')[1].split("</section>")[0]
    assert "bj（省级单位 110000）：从未登录" in inactive and "sh（" not in inactive
    assert "密码有效期" in page and "90 天" in page
    listed = runner.invoke(cli, ["users", "inactive", "--days", "30", "--db", db_url])
    assert listed.exit_code == 0 and "bj" in listed.output and "超过 30 天未登录的账号共" in listed.output


def test_existing_administrators_become_audit_administrators(tmp_path) -> None:
    from alembic import command
    from sqlalchemy import text

    from scoring.portal.store import Database
    from scoring.portal.store.migrate import _config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db = Database(url)
    try:
        config = _config()
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
            conn.execute(text("INSERT INTO accounts (name, role, password_hash, created_at) "
                              "VALUES ('old-admin', 'admin', 'x', '2022-01-01 00:00:00')"))
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        with db.transaction(writes=False) as session:
            from scoring.portal.store.accounts import role_of

            account = session.scalar(select(Account).where(Account.name == "old-admin"))
            assert account is not None and role_of(account) == "auditadmin"
            assert account.password_changed_at is not None
    finally:
        db.dispose()
