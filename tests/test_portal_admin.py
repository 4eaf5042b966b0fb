"""The portal's command line and schema: db upgrade, users, years, serve's refusals, the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from portal_fixtures import CONFIRM, Client, Clock, before_deadline, sample, version_id
from sqlalchemy import select, text
from typer.testing import CliRunner

from scoring.cli import app as cli
from scoring.errors import ScoringError
from scoring.portal.admin import prepare_for_serving
from scoring.portal.app import create_app
from scoring.portal.settings import PortalSettings
from scoring.portal.store import Database
from scoring.portal.store.models import Account, AuditEntry, Base

runner = CliRunner()


def test_the_migrated_schema_is_the_models(db_url: str) -> None:
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        db.dispose()


def test_serve_creates_an_empty_database_and_refuses_a_newer_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'portal.sqlite3'}"
    assert prepare_for_serving(url) == "已创建数据库并完成初始化"
    assert prepare_for_serving(url) == "数据库结构为当前版本"
    db = Database(url)
    try:
        with db.transaction() as session:
            session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        db.dispose()
    with pytest.raises(ScoringError, match="比本程序新"):
        prepare_for_serving(url)
    with pytest.raises(ScoringError, match="数据库结构不是当前版本"):
        create_app(PortalSettings(database_url=url))
    result = runner.invoke(cli, ["db", "upgrade", "--db", url])
    assert result.exit_code == 1 and "比本程序新" in result.output


def test_users_add_list_disable_import(db_url: str, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["db", "upgrade", "--db", db_url]).exit_code == 0
    added = runner.invoke(cli, ["users", "add", "zj", "--role", "province", "--unit", "330000",
                                "--db", db_url])
    assert added.exit_code == 0, added.output
    password = added.output.split("：")[-1].strip()
    assert len(password) >= 10
    bad = runner.invoke(cli, ["users", "add", "x1", "--role", "province", "--unit", "999999", "--db", db_url])
    assert bad.exit_code == 1 and "不是 32 个考核单位之一" in bad.output
    assert runner.invoke(cli, ["users", "add", "zj", "--role", "central", "--db", db_url]).exit_code == 1
    csv = tmp_path / "accounts.csv"
    csv.write_text("name,role,unit\nsx,province,140000\nboss,central,\n", encoding="utf-8")
    imported = runner.invoke(cli, ["users", "import", str(csv), "--db", db_url])
    assert imported.exit_code == 0 and "sx" in imported.output and "boss" in imported.output
    listed = runner.invoke(cli, ["users", "list", "--db", db_url])
    assert listed.exit_code == 0 and "330000" in listed.output and "共 3 个账号" in listed.output
    db = Database(db_url)
    try:
        with db.transaction(writes=False) as session:
            hashes = [a.password_hash for a in session.scalars(select(Account))]
            audit = [(a.action, a.object) for a in session.scalars(select(AuditEntry))]
    finally:
        db.dispose()
    assert all(h.startswith("$argon2id$") and password not in h for h in hashes)
    assert ("account-add", "account:zj") in audit
    settings = PortalSettings(database_url=db_url, validation_workers=0, clock=Clock(before_deadline()))
    app = create_app(settings)
    try:
        assert Client(app).login("zj", password).status_code == 303
        assert runner.invoke(cli, ["users", "disable", "zj", "--db", db_url]).exit_code == 0
        assert Client(app).login("zj", password).status_code == 401
    finally:
        app.state.portal.db.dispose()
    assert "已停用" in runner.invoke(cli, ["users", "list", "--db", db_url]).output


def test_years_open_sets_the_deadline(db_url: str) -> None:
    assert runner.invoke(cli, ["db", "upgrade", "--db", db_url]).exit_code == 0
    opened = runner.invoke(cli, ["years", "open", "2022", "--db", db_url])
    assert opened.exit_code == 0 and "2023-01-15" in opened.output
    moved = runner.invoke(cli, ["years", "open", "2022", "--deadline", "2023-02-01", "--db", db_url])
    assert moved.exit_code == 0 and "2023-02-01" in moved.output
    assert runner.invoke(cli, ["years", "open", "2031", "--db", db_url]).exit_code == 1


def test_demo_is_refused_off_loopback() -> None:
    result = runner.invoke(cli, ["serve", "--demo", "--host", "0.0.0.0"])
    assert result.exit_code == 1 and "演示模式只能在本机地址上运行" in result.output


def test_demo_lets_every_role_play_the_year(tmp_path: Path) -> None:
    from scoring.portal.demo import DEMO_START, demo_clock, seed_demo
    from scoring.portal.store.models import Publication, Run, UnitEvent

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    settings = PortalSettings(database_url=url, validation_workers=0, demo=True, data_dir=tmp_path,
                              clock=demo_clock(), jobs_in_threads=True, run_pdf=False)
    logins = seed_demo(url, settings)
    assert len(logins.provinces) == 32 and [n for n, _ in logins.staff] == [
        "demo-central", "demo-auditor", "demo-sysadmin", "demo-secadmin", "demo-auditadmin"]
    assert set(logins.totp_secrets) == {n for n, _ in logins.staff}
    app = create_app(settings)
    try:
        with app.state.portal.db.transaction(writes=False) as db:
            runs = list(db.scalars(select(Run)))
            assert [(r.year, r.state) for r in runs] == [(2020, "succeeded")]
            assert [p.year for p in db.scalars(select(Publication))] == [2020]
            accepted = [e for e in db.scalars(select(UnitEvent)) if e.year == 2022 and e.action == "accept"]
            assert len(accepted) == 26
        sh = Client(app)
        assert sh.login("demo-310000", logins.password).status_code == 303
        sh.refresh()
        home = sh.get("/").text
        assert "未开始" in home and "2023年1月15日" in home and "2026" not in home
        own = version_id(sh.upload(sample("310000")))
        assert sh.post(f"/versions/{own}/submit", CONFIRM).status_code == 303
        assert f"{DEMO_START.year}年{DEMO_START.month}月{DEMO_START.day}日" in sh.get("/").text
        bj = Client(app)
        bj.login("demo-110000", logins.password)
        bj.refresh()
        assert "第 2 版" in bj.get("/").text and "草稿" in bj.get("/").text
        office = Client(app)
        office.login("demo-central", logins.password, secret=logins.totp_secrets["demo-central"])
        office.refresh()
        dashboard = office.get("/central").text
        assert "已提交 <strong>3</strong>" in dashboard and "已接受 <strong>26</strong>" in dashboard
        assert "unit: '330000'" in office.get("/central/adjustments.yaml").text
        assert office.post("/central/units/310000/accept", {"version_id": str(own)}).status_code == 303
        started = office.post("/runs")
        assert started.status_code == 303
        app.state.portal.jobs.wait()
        run_id = started.headers["location"].rsplit("/", 1)[-1]
        page = office.get(f"/runs/{run_id}").text
        assert "27 个单位已评分" in page
        scores = office.get(f"/runs/{run_id}/files/outputs/scores.json").text
        assert '"previous_year": 2020' in scores
        auditor = Client(app)
        auditor.login("demo-auditor", logins.password, secret=logins.totp_secrets["demo-auditor"])
        auditor.refresh()
        assert "2022 年度" in auditor.get("/audit").text
        assert "一致" in auditor.post(f"/runs/{run_id}/verify").text
    finally:
        app.state.portal.jobs.close()
        app.state.portal.db.dispose()
