"""Draft configurations in the portal, through HTTP: upload → audit → comparison (the pipeline's
``compare_configs`` in a background job) → adoption (a decision with a reason, before the year
opens), and the refusals: hostile files, an opened year, a draft with tasks left to decide,
the auditors' read-only access, and opening a year with a configuration other than the adopted one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from portal_fixtures import CONFIRM, Client, sample, version_id, wait_for_a_lock_waiter
from typer.testing import CliRunner

from scoring.cli import app as cli_app
from scoring.settings import get_settings


def _config_text(year: int) -> str:
    return (get_settings().indicators_dir / f"{year}.yaml").read_text(encoding="utf-8")


def coming_year_config(note: str = "") -> bytes:
    """The installed 2022 configuration, uploaded while only 2020 is open (2022 is the coming
    year); ``note`` adds a comment line (another file, same rules)."""
    return (_config_text(2022) + (f"# {note}\n" if note else "")).encode("utf-8")


@pytest.fixture()
def coming_app(db_url: str, tmp_path: Path):
    """A portal where 2020 is the open year (before its deadline) and 2022 has not been opened."""
    from datetime import UTC, datetime

    from portal_fixtures import Clock, portal_settings, seed

    from scoring.portal.app import create_app

    seed(db_url, open_year=2020)
    app = create_app(portal_settings(db_url, tmp_path / "data", Clock(datetime(2021, 1, 10, 2, tzinfo=UTC))))
    yield app
    app.state.portal.jobs.close()
    app.state.portal.workers.close()
    app.state.portal.db.dispose()


def upload_draft(client: Client, data: bytes, name: str = "草稿.yaml"):
    return client.http.post("/drafts", data={"csrf_token": client.csrf},
                            files={"file": (name, data, "application/yaml")})


def draft_id(response) -> int:
    assert response.status_code == 303, response.text[:800]
    return int(response.headers["location"].rsplit("/", 1)[-1])


def accept(app, unit: str = "310000", name: str = "sh", year: int = 2022) -> None:
    province, office = Client(app, name), Client(app, "central")
    number = version_id(province.upload(sample(unit, year)))
    assert province.post(f"/versions/{number}/submit", CONFIRM).status_code == 303
    assert office.post(f"/central/units/{unit}/accept", {"version_id": str(number)}).status_code == 303


def stored_counts(app) -> tuple[int, int]:
    from sqlalchemy import func, select

    from scoring.portal.store.models import Blob, ConfigDraft

    with app.state.portal.db.transaction(writes=False) as db:
        return (int(db.scalar(select(func.count()).select_from(ConfigDraft)) or 0),
                int(db.scalar(select(func.count()).select_from(Blob)) or 0))


@pytest.fixture()
def cli_draft(tmp_path: Path) -> bytes:
    """``scoring indicators draft 2022 --from 2020``: a draft with tasks left to decide."""
    out = tmp_path / "草稿.yaml"
    result = CliRunner().invoke(cli_app, ["indicators", "draft", "2022", "--plan",
                                          str(get_settings().indicators_dir / "tasks" / "2022.yaml"),
                                          "--from", "2020", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _wait_for_comparisons() -> None:
    import threading

    for thread in threading.enumerate():
        if thread.name.startswith("compare-"):
            thread.join(300)


def test_upload_audit_compare_a_draft_with_todo(portal_app, cli_draft: bytes) -> None:
    accept(portal_app)
    office = Client(portal_app, "central")
    # a draft with tasks left to decide: its audit names them, it can be compared, not adopted
    todo_id = draft_id(upload_draft(office, cli_draft))
    page = office.get(f"/drafts/{todo_id}")
    assert page.status_code == 200
    assert "task-todo" in page.text and "2022-1.2.3" in page.text and "basis-not-in-plan" in page.text
    assert "年" in page.text and "（北京时间）" in page.text
    started = office.post(f"/drafts/{todo_id}/compare")
    assert started.status_code == 303
    _wait_for_comparisons()
    page = office.get(f"/drafts/{todo_id}")
    assert "已完成" in page.text and "上海市" in page.text, page.text[-3000:]
    from sqlalchemy import select

    from scoring.portal.store.models import DraftComparison

    with portal_app.state.portal.db.transaction(writes=False) as db:
        job = db.scalars(select(DraftComparison)).one()
    result = json.loads(job.result or "{}")
    shanghai = next(u for u in result["units"] if u["code"] == "310000")
    # the change is B minus A, and the drivers' changes are the indicators' points moved
    assert shanghai["total_a"] is not None and shanghai["total_b"] is not None
    assert shanghai["total_change"] == round(shanghai["total_b"] - shanghai["total_a"], 2)
    assert shanghai["total_change"] != 0 and shanghai["drivers"]
    # the year is open: adopting is refused, whatever the draft
    refused = office.post(f"/drafts/{todo_id}/adopt", {"reason": "试用"})
    assert refused.status_code == 409 and "2022 年度已经开放报送" in refused.text


def test_coming_year_compare_and_adopt(coming_app) -> None:
    import hashlib

    accept(coming_app, year=2020)
    office = Client(coming_app, "central")
    number = draft_id(upload_draft(office, coming_year_config(), "2022.yaml"))
    page = office.get(f"/drafts/{number}")
    assert "通过" in page.text and "采用为 2022 年度指标配置" in page.text
    assert "草稿属于 2022 年度，试算时按 2020 年度计" in page.text
    assert office.post(f"/drafts/{number}/compare").status_code == 303
    _wait_for_comparisons()
    page = office.get(f"/drafts/{number}")
    assert "已完成" in page.text and "上海市" in page.text, page.text[-3000:]
    assert "另有 31 个单位在两种配置下都未评分" in page.text and "北京市" not in page.text
    assert office.post(f"/drafts/{number}/adopt", {"reason": ""}).status_code == 400
    assert office.post(f"/drafts/{number}/adopt", {"reason": "按 2022 年工作要点更新"}).status_code == 303
    listing = office.get("/drafts")
    assert "按 2022 年工作要点更新" in listing.text and "第 1 次" in listing.text
    log = Client(coming_app, "auditor").get("/audit/log?action=config-adopt")
    assert log.status_code == 200 and "按 2022 年工作要点更新" in log.text and "采用指标配置" in log.text
    assert hashlib.sha256(coming_year_config()).hexdigest() in log.text
    page = office.get(f"/drafts/{number}")
    assert "第 1 次采用" in page.text


def test_a_year_opens_only_with_the_adopted_configuration(coming_app) -> None:
    from scoring.errors import ScoringError
    from scoring.portal import admin

    office = Client(coming_app, "central")
    url = coming_app.state.portal.settings.database_url
    other = draft_id(upload_draft(office, coming_year_config("另一份文件")))
    assert office.post(f"/drafts/{other}/adopt", {"reason": "先用这一份"}).status_code == 303
    with pytest.raises(ScoringError, match="indicators/2022.yaml"):
        admin.open_year(url, 2022)  # the installed file is not the adopted one
    same = draft_id(upload_draft(office, coming_year_config()))
    assert office.post(f"/drafts/{same}/adopt", {"reason": "改用安装的文件"}).status_code == 303
    admin.open_year(url, 2022)
    refused = office.post(f"/drafts/{same}/adopt", {"reason": "再采用一次"})
    assert refused.status_code == 409 and "2022 年度已经开放报送" in refused.text


def test_adoption_is_refused_once_the_year_is_open(portal_app) -> None:
    office = Client(portal_app, "central")
    open_year_draft = draft_id(upload_draft(office, _config_text(2022).encode("utf-8"), "2022.yaml"))
    refused = office.post(f"/drafts/{open_year_draft}/adopt", {"reason": "更换配置"})
    assert refused.status_code == 409
    assert "2022 年度已经开放报送" in refused.text


def test_a_draft_with_todo_cannot_be_adopted(coming_app, cli_draft: bytes) -> None:
    office = Client(coming_app, "central")
    number = draft_id(upload_draft(office, cli_draft))
    refused = office.post(f"/drafts/{number}/adopt", {"reason": "先采用"})
    assert refused.status_code == 409 and "17 项待决定的任务" in refused.text


def test_comparison_needs_accepted_submissions(portal_app) -> None:
    office = Client(portal_app, "central")
    number = draft_id(upload_draft(office, coming_year_config()))
    refused = office.post(f"/drafts/{number}/compare")
    assert refused.status_code == 409 and "还没有接受任何单位的报送" in refused.text


def test_auditors_see_drafts_and_change_nothing(portal_app) -> None:
    office, auditor = Client(portal_app, "central"), Client(portal_app, "auditor")
    number = draft_id(upload_draft(office, coming_year_config()))
    assert auditor.get(f"/drafts/{number}").status_code == 200
    assert auditor.get(f"/drafts/{number}/report").status_code == 200
    assert auditor.get(f"/drafts/{number}/yaml").content == coming_year_config()
    assert upload_draft(auditor, coming_year_config()).status_code == 403
    assert auditor.post(f"/drafts/{number}/adopt", {"reason": "x"}).status_code == 403
    assert auditor.post(f"/drafts/{number}/compare").status_code == 403
    assert "采用理由" not in auditor.get(f"/drafts/{number}").text
    assert Client(portal_app, "sh").get("/drafts").status_code == 403


BOMB = ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n")


@pytest.mark.parametrize("data, words", [
    (b"schema_version: 1\nyear: 2023\nsections: [\n  - a\n", ["第 ", "行", "YAML 格式错误"]),
    (BOMB.encode(), ["第 1 行第 4 列", "锚点或别名"]),
    ("schema_version: 1\ntitle: 考核\n".encode("gbk"), ["第 2 行", "不是 UTF-8"]),
    (b"schema_version: 1\nyear: 2023\n" + b"# " + b"x" * (1024 * 1024) + b"\n", ["文件过大"]),
    (b"", ["文件为空"]),
    (b"schema_version: 1\nyear: 2023\ntitle: x\n", ["不是有效的指标配置"]),
    (b"- just\n- a list\n", ["不是有效的指标配置"]),
], ids=["broken-yaml", "alias-bomb", "gbk", "huge", "empty", "not-a-config", "a-list"])
def test_hostile_uploads_get_a_chinese_page_and_store_nothing(portal_app, data: bytes,
                                                              words: list[str]) -> None:
    office = Client(portal_app, "central")
    before = stored_counts(portal_app)
    response = upload_draft(office, data, "坏文件.yaml")
    assert response.status_code in (400, 413), response.text[:500]
    assert "Traceback" not in response.text
    for word in words:
        assert word in response.text, (word, response.text[-1500:])
    assert stored_counts(portal_app) == before


@pytest.mark.parametrize("table", ["config_drafts", "config_adoptions"])
def test_drafts_and_adoptions_are_append_only(coming_app, table: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from scoring.portal.store import Database

    office = Client(coming_app, "central")
    number = draft_id(upload_draft(office, coming_year_config()))
    assert office.post(f"/drafts/{number}/adopt", {"reason": "按新要点"}).status_code == 303
    db = Database(coming_app.state.portal.settings.database_url)
    try:
        for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
                session.execute(text(statement))
    finally:
        db.dispose()


def test_a_draft_for_a_past_year_is_refused_and_not_stored(portal_app) -> None:
    office = Client(portal_app, "central")
    before = stored_counts(portal_app)
    response = upload_draft(office, _config_text(2020).encode("utf-8"), "2020.yaml")
    assert response.status_code == 400 and "2020 年度早于当前开放的 2022 年度" in response.text
    assert stored_counts(portal_app) == before


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_comparison_whose_result_a_database_restart_breaks_is_stored_after_it(
        portal_app, postgres, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """As a scoring run's job does: the job is held inside the transaction that stores its result
    (the test locks the comparisons' table once the comparison is computed); the cluster is then
    stopped for 5 s, the job's connection dies in that transaction, and it stores the result again
    once the server is back."""
    import threading
    import time

    from sqlalchemy import create_engine, select, text

    from scoring.portal.drafts import views
    from scoring.portal.store.models import AuditEntry, DraftComparison

    computed, locked = threading.Event(), threading.Event()
    real = views.compare_configs

    def compare_then_wait(*args, **kwargs):
        done = real(*args, **kwargs)
        computed.set()
        assert locked.wait(120)
        return done

    monkeypatch.setattr(views, "compare_configs", compare_then_wait)
    accept(portal_app)
    office = Client(portal_app, "central")
    number = draft_id(upload_draft(office, coming_year_config("重启")))
    url = portal_app.state.portal.settings.database_url
    holder = create_engine(url)
    conn = holder.connect()
    try:
        assert office.post(f"/drafts/{number}/compare").status_code == 303
        assert computed.wait(120), "the comparison was never computed"
        conn.begin()
        conn.execute(text("LOCK TABLE draft_comparisons IN ACCESS EXCLUSIVE MODE"))
        locked.set()
        wait_for_a_lock_waiter(url, "draft_comparisons", 60)
        postgres.stop()  # the lock holder and the job's connection go with the server
        time.sleep(5)
    finally:
        locked.set()
        postgres.start()
        conn.invalidate()  # its server is gone: dropped, not rolled back when it is collected
        holder.dispose()
    _wait_for_comparisons()
    with portal_app.state.portal.db.transaction(writes=False) as db:
        job = db.scalars(select(DraftComparison)).one()
        actions = [a.action for a in db.scalars(select(AuditEntry).order_by(AuditEntry.id))
                   if a.object == f"comparison:{job.id}"]
    assert (job.state, job.message) == ("succeeded", None) and job.result
    assert actions == ["draft-compare", "draft-compared"]
    assert any(f"comparison {job.id}: store the result: database unreachable" in r.getMessage()
               for r in caplog.records)
    page = office.get(f"/drafts/{number}")
    assert "已完成" in page.text and "上海市" in page.text
