"""Every route × every role: allowed, 403 or 404 exactly as designed, on SQLite and PostgreSQL.

The table below must list every route the app has (checked first), so a new route cannot be added
without saying who may use it. "other" is a province asking for 上海's objects from 北京's account:
it gets 404, exactly as for an object that does not exist.
"""

from __future__ import annotations

import pytest
from portal_fixtures import Client, sample, version_id

from scoring.portal.app import route_table

ROLES = ("anonymous", "province", "other", "central", "auditor", "admin")
SIGN_IN = {"province": "sh", "other": "bj", "central": "central", "auditor": "auditor", "admin": "admin"}


def _row(anonymous: int, province: int, other: int, staff: int) -> dict[str, int]:
    return {"anonymous": anonymous, "province": province, "other": other, "central": staff,
            "auditor": staff, "admin": staff}


# (method, path) → expected status per role; {id} is a version of 上海 (310000) without errors
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/login"): _row(200, 303, 303, 303),
    ("POST", "/login"): _row(403, 403, 403, 403),  # without the sign-in page's own token
    ("POST", "/logout"): _row(303, 303, 303, 303),
    ("GET", "/"): _row(303, 200, 200, 200),
    ("GET", "/health"): _row(200, 200, 200, 200),
    ("GET", "/static/portal.css"): _row(200, 200, 200, 200),
    ("GET", "/favicon.ico"): _row(204, 204, 204, 204),
    ("GET", "/template"): _row(303, 200, 200, 403),
    ("POST", "/upload"): _row(303, 303, 303, 403),
    ("GET", "/versions/{version_id}"): _row(303, 200, 404, 403),
    ("GET", "/versions/{version_id}/file"): _row(303, 200, 404, 403),
    ("GET", "/versions/{version_id}/preview"): _row(303, 200, 404, 403),
    ("POST", "/versions/{version_id}/submit"): _row(303, 303, 404, 403),
}


def test_the_table_lists_every_route() -> None:
    assert set(EXPECTED) == set(route_table())


def _call(client: Client, method: str, path: str) -> int:
    if path == "/upload":
        return int(client.upload(sample("310000") if client.csrf else sample("310000")).status_code)
    if method == "GET":
        return int(client.get(path).status_code)
    return int(client.post(path).status_code)


@pytest.mark.parametrize("method, path", sorted(EXPECTED), ids=[f"{m} {p}" for m, p in sorted(EXPECTED)])
def test_route_answers_each_role_as_designed(portal_app, method: str, path: str) -> None:
    owner = Client(portal_app, "sh")
    own = version_id(owner.upload(sample("310000")))
    concrete = path.replace("{version_id}", str(own))
    got = {}
    for role in ROLES:
        client = Client(portal_app, SIGN_IN.get(role))
        got[role] = _call(client, method, concrete)
    assert got == EXPECTED[(method, path)]


@pytest.mark.parametrize("path", ["/versions/{id}", "/versions/{id}/file", "/versions/{id}/preview"])
def test_missing_and_foreign_versions_look_the_same(portal_app, path: str) -> None:
    owner = Client(portal_app, "sh")
    own = version_id(owner.upload(sample("310000")))
    other = Client(portal_app, "bj")
    foreign = other.get(path.replace("{id}", str(own)))
    missing = other.get(path.replace("{id}", str(own + 1000)))
    garbage = other.get(path.replace("{id}", "abc"))
    assert foreign.status_code == missing.status_code == garbage.status_code == 404
    assert foreign.text == missing.text
    assert other.post(f"/versions/{own}/submit").status_code == 404
    assert owner.get(f"/versions/{own}").status_code == 200
