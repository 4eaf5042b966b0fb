"""Sessions, CSRF, throttling, disabled accounts, headers, error pages, names and sizes."""

from __future__ import annotations

import pytest
from portal_fixtures import CONFIRM, PASSWORD, Client, Clock, before_deadline, sample, seed, version_id
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from scoring.portal.app import create_app
from scoring.portal.settings import PortalSettings, Throttle
from scoring.portal.store import Database
from scoring.portal.store.models import AuditEntry, Version


def _audit(app) -> list[AuditEntry]:
    with app.state.portal.db.transaction(writes=False) as db:
        return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_pages_carry_the_security_headers(portal_app) -> None:
    for response in (Client(portal_app).get("/login"), Client(portal_app, "sh").get("/")):
        csp = response.headers["content-security-policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert "<script" not in response.text and " style=" not in response.text


def test_session_cookie_is_signed_httponly_samesite_with_expiry(portal_app) -> None:
    client = Client(portal_app)
    response = client.login("sh")
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    cookie = next(v for v in cookies if "scoring_session" in v)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    assert "Secure" not in cookie
    value = client.http.cookies["scoring_session"]
    client.http.cookies.clear()
    client.http.cookies.set("scoring_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert client.get("/").status_code == 303  # a tampered cookie is no session


def test_secure_cookies(db_url: str) -> None:
    seed(db_url)
    app = create_app(PortalSettings(database_url=db_url, validation_workers=0, secure_cookies=True))
    try:
        response = Client(app, https=True).login("sh")
        assert response.status_code == 303
        cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "session" in v)
        assert cookie.startswith("__Host-scoring_session=") and "Secure" in cookie
        assert "strict-transport-security" in response.headers
    finally:
        app.state.portal.db.dispose()


def test_every_form_needs_its_csrf_token(portal_app) -> None:
    sh = Client(portal_app, "sh")
    own = version_id(sh.upload(sample("310000")))
    forged = sh.http.post(f"/versions/{own}/submit", data={"csrf_token": "forged"})
    assert forged.status_code == 403 and "页面已过期或来源不明" in forged.text
    assert sh.http.post("/logout").status_code == 403
    upload = sh.http.post("/upload", files={"file": ("a.xlsx", sample("310000").read_bytes())})
    assert upload.status_code == 403
    other = Client(portal_app, "bj")
    assert sh.http.post(f"/versions/{own}/submit", data={"csrf_token": other.csrf}).status_code == 403
    page = sh.get("/").text
    assert page.count("<form") == page.count('name="csrf_token"') >= 2


def test_sign_in_attempts_are_audited_and_throttled_per_account(portal_app) -> None:
    client = Client(portal_app)
    for _ in range(5):
        assert client.login("sh", "wrong-password").status_code == 401
    refused = client.login("sh")  # the right password, but too many failures
    assert refused.status_code == 429 and "登录失败次数过多" in refused.text
    assert Client(portal_app).login("bj").status_code == 303  # another account is not affected
    rows = _audit(portal_app)
    failed = [r for r in rows if r.action == "sign-in-failed"]
    assert len(failed) == 5 and all(r.account_name == "sh" and r.client and r.unit_code == "310000"
                                    for r in failed)
    assert failed[0].after == "失败：密码错误"
    assert [r.account_name for r in rows if r.action == "sign-in-throttled"] == ["sh"]
    assert [r.account_name for r in rows if r.action == "sign-in"] == ["bj"]
    unknown = Client(portal_app).login("nobody")
    assert unknown.status_code == 401 and "用户名或密码不正确" in unknown.text


def test_failures_from_one_address_never_lock_other_accounts_behind_it(db_url: str) -> None:
    seed(db_url)
    app = create_app(PortalSettings(database_url=db_url, validation_workers=0,
                                    throttle=Throttle(per_account=3)))
    try:  # an office behind one NAT: 40 failures on other names do not keep sh out
        for number in range(40):
            Client(app).login(f"a{number % 4}", "x")
        assert Client(app).login("sh", PASSWORD).status_code == 303
    finally:
        app.state.portal.db.dispose()


def test_a_disabled_account_is_signed_out_at_its_next_request(portal_app) -> None:
    from scoring.portal.admin import disable_user

    sh = Client(portal_app, "sh")
    assert sh.get("/").status_code == 200
    disable_user(portal_app.state.portal.settings.database_url, "sh")
    assert sh.get("/").status_code == 303
    assert Client(portal_app).login("sh").status_code == 401
    actions = [(r.action, r.account_name) for r in _audit(portal_app)]
    assert ("account-disable", "命令行") in actions


def test_sign_out_ends_the_session(portal_app) -> None:
    sh = Client(portal_app, "sh")
    cookie = sh.http.cookies["scoring_session"]
    assert sh.post("/logout").status_code == 303
    replay = Client(portal_app)
    replay.http.cookies.set("scoring_session", cookie)
    assert replay.get("/").status_code == 303


def test_uploaded_names_are_never_paths_and_downloads_are_safe(portal_app) -> None:
    sh = Client(portal_app, "sh")
    own = version_id(sh.upload(sample("310000"), name='../../etc/"上海"\r\n;x.xlsx'))
    with portal_app.state.portal.db.transaction(writes=False) as db:
        stored = db.get(Version, own)
    assert stored is not None and "/" not in stored.file_name and "\n" not in stored.file_name
    response = sh.get(f"/versions/{own}/file")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="version-2022-310000-1.xlsx"; filename*=UTF-8\'\'')
    assert "\r" not in disposition and '"上海"' not in disposition and "/" not in disposition.split("''")[1]
    assert response.content == sample("310000").read_bytes()
    assert response.headers["content-security-policy"].startswith("sandbox")


def test_oversized_uploads_are_refused_before_storage(db_url: str) -> None:
    seed(db_url)
    app = create_app(PortalSettings(database_url=db_url, validation_workers=0, max_upload_bytes=50_000,
                                    clock=Clock(before_deadline())))
    try:
        sh = Client(app, "sh")
        response = sh.upload(data=b"PK\x03\x04" + b"\0" * 200_000, name="big.xlsx")
        assert response.status_code == 413 and "文件过大" in response.text and "MB" in response.text
        with app.state.portal.db.transaction(writes=False) as db:
            assert db.scalars(select(Version)).first() is None
        assert sh.upload(sample("310000")).status_code == 303
    finally:
        app.state.portal.db.dispose()


def test_errors_show_a_chinese_page_without_a_stack_trace(portal_app,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from scoring.portal.province import routes as province

    def broken(*_args: object) -> object:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(province, "home_view", broken)
    response = Client(portal_app, "sh").get("/")
    assert response.status_code == 500 and "系统内部错误" in response.text
    assert "Traceback" not in response.text and "secret internals" not in response.text
    missing = Client(portal_app).get("/no/such/page")
    assert missing.status_code == 404 and "页面不存在" in missing.text


@pytest.mark.parametrize("table", ["audit_log", "versions", "blobs", "unit_events", "year_events"])
def test_append_only_tables_refuse_update_and_delete(portal_app, table: str) -> None:
    sh = Client(portal_app, "sh")
    sh.post(f"/versions/{version_id(sh.upload(sample('310000')))}/submit", CONFIRM)
    db = Database(portal_app.state.portal.settings.database_url)
    try:
        column = "sha256" if table == "blobs" else "id"
        for statement in (f"UPDATE {table} SET {column} = {column}", f"DELETE FROM {table}"):
            with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
                session.execute(text(statement))
    finally:
        db.dispose()
