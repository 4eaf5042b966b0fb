"""One account cannot flood the validators: past ``uploads_per_minute`` in a minute its uploads are
refused (429, in Chinese, with Retry-After) before anything is validated or stored, while other
accounts upload as usual; a minute later it may upload again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from portal_fixtures import Client, Clock, portal_settings, sample, seed
from sqlalchemy import select

from scoring.portal.store import Database
from scoring.portal.store.models import Version


@pytest.fixture()
def limited_app(db_url: str, clock: Clock, tmp_path: Path):
    from scoring.portal.app import create_app

    seed(db_url)
    app = create_app(replace(portal_settings(db_url, tmp_path / "data", clock), uploads_per_minute=3))
    yield app
    app.state.portal.jobs.close()
    app.state.portal.workers.close()
    app.state.portal.db.dispose()


def _versions(url: str) -> list[tuple[str, int]]:
    db = Database(url)
    try:
        with db.transaction(writes=False) as session:
            return [(v.unit_code, v.number) for v in session.scalars(select(Version).order_by(Version.id))]
    finally:
        db.dispose()


def test_an_account_past_its_uploads_per_minute_is_refused_until_the_minute_has_passed(
        limited_app, db_url: str, clock: Clock) -> None:
    sh, bj = Client(limited_app, "sh"), Client(limited_app, "bj")
    workbook = sample("310000")
    assert [sh.upload(workbook).status_code for _ in range(3)] == [303, 303, 303]

    refused = sh.upload(workbook)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
    assert "上传过于频繁：本账号一分钟内已上传 3 次，请一分钟后再上传" in refused.text
    assert _versions(db_url) == [("310000", 1), ("310000", 2), ("310000", 3)]  # nothing stored

    assert bj.upload(sample("110000")).status_code == 303  # another account is not held back

    clock.moment += timedelta(seconds=59)
    assert sh.upload(workbook).status_code == 429
    clock.moment += timedelta(seconds=2)
    assert sh.upload(workbook).status_code == 303
    assert _versions(db_url)[-1] == ("310000", 4)


def test_an_account_kept_at_its_limit_is_refused_without_a_query_until_its_earliest_upload_leaves(
        limited_app, db_url: str, clock: Clock) -> None:
    from sqlalchemy import event

    sh = Client(limited_app, "sh")
    workbook = sample("310000")
    assert [sh.upload(workbook).status_code for _ in range(2)] == [303, 303]
    clock.moment += timedelta(seconds=30)
    assert sh.upload(workbook).status_code == 303  # the third, half a minute after the first two
    statements: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:
        statements.append(statement)

    engine = limited_app.state.portal.db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert sh.upload(workbook).status_code == 429  # counted once
        counted = [s for s in statements if "versions" in s]
        assert len(counted) == 1, statements
        statements.clear()
        for _ in range(3):  # a client that keeps sending: refused from memory
            refused = sh.upload(workbook)
            assert refused.status_code == 429 and "一分钟内已上传 3 次" in refused.text
        assert not [s for s in statements if "versions" in s], statements
        # the first two leave the minute 60 s after they were made, not 60 s after the refusal
        clock.moment += timedelta(seconds=31)
        assert sh.upload(workbook).status_code == 303
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert _versions(db_url)[-1] == ("310000", 4)
