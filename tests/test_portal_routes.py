"""Every route × every role: allowed, 403 or 404 exactly as designed, on SQLite and PostgreSQL.

The table below must list every route the app has (checked first), so a new route cannot be added
without saying who may use it. It runs on a copy of a published year (``year_app``): 上海 accepted,
scored and published, 北京 submitted and waiting for review. "other" is 北京's account asking for
上海's objects: it gets 404, exactly as for an object that does not exist. The auditors are
read-only: every write route answers them 403.
"""

from __future__ import annotations

import pytest
from portal_fixtures import CONFIRM, TASK_ADJUSTED, Client, YearState, central_workbook_upload, sample

from scoring.portal.app import route_table

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

ROLES = ("anonymous", "province", "other", "central", "auditor", "auditadmin", "sysadmin", "secadmin")
SIGN_IN = {"province": "sh", "other": "bj", "central": "central", "auditor": "auditor",
           "auditadmin": "auditadmin", "sysadmin": "sysadmin", "secadmin": "secadmin"}


def _row(anonymous: int, province: int, other: int, central: int, auditor: int, auditadmin: int,
         sysadmin: int | None = None, secadmin: int | None = None) -> dict[str, int]:
    """Expected statuses; the system and security administrators answer as the audit administrator
    unless given (each of the three has its own pages, refused to the other two)."""
    return {"anonymous": anonymous, "province": province, "other": other, "central": central,
            "auditor": auditor, "auditadmin": auditadmin,
            "sysadmin": auditadmin if sysadmin is None else sysadmin,
            "secadmin": auditadmin if secadmin is None else secadmin}


PROVINCE = _row(303, 200, 200, 403, 403, 403)  # each province its own
OWN = _row(303, 200, 404, 403, 403, 403)  # 上海's own object
CENTRAL_GET = _row(303, 403, 403, 200, 403, 403)
CENTRAL_POST = _row(303, 403, 403, 303, 403, 403)
READERS = _row(303, 403, 403, 200, 200, 403)  # the central office and the auditors
AUDITOR = _row(303, 403, 403, 403, 200, 403)
LOG = _row(303, 403, 403, 403, 200, 200, 403, 403)
SYSADMIN = _row(303, 403, 403, 403, 403, 403, 200, 403)
SECADMIN = _row(303, 403, 403, 403, 403, 403, 403, 200)
SIGNED_IN = _row(303, 200, 200, 200, 200, 200)
STEP_GET = _row(303, 303, 303, 303, 303, 303)  # no step cookie: back to the sign-in page
STEP_POST = _row(403, 403, 403, 403, 403, 403)  # without the sign-in page's own token

# (method, path) → expected status per role
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/login"): _row(200, 303, 303, 303, 303, 303),
    ("POST", "/login"): _row(403, 403, 403, 403, 403, 403),  # without the sign-in page's own token
    ("POST", "/logout"): _row(303, 303, 303, 303, 303, 303),
    ("GET", "/"): _row(303, 200, 200, 303, 303, 200),
    # the steps after the password, and one's own account
    ("GET", "/login/totp"): STEP_GET,
    ("POST", "/login/totp"): STEP_POST,
    ("GET", "/login/enrol"): STEP_GET,
    ("POST", "/login/enrol"): STEP_POST,
    ("POST", "/login/continue"): STEP_POST,
    ("GET", "/login/password"): STEP_GET,
    ("POST", "/login/password"): STEP_POST,
    ("GET", "/account"): SIGNED_IN,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): _row(303, 400, 400, 400, 400, 400),  # the current password is wrong
    ("GET", "/account/second-factor"): _row(303, 200, 200, 409, 409, 409),  # staff are enrolled already
    ("POST", "/account/second-factor"): _row(303, 303, 303, 303, 303, 303),  # no secret shown: start over
    # the three administrators
    ("GET", "/admin/accounts"): SYSADMIN,
    ("POST", "/admin/accounts"): SYSADMIN,
    ("POST", "/admin/accounts/{name}/password"): SYSADMIN,
    ("POST", "/admin/accounts/{name}/disable"): _row(303, 403, 403, 403, 403, 403, 303, 403),
    ("GET", "/security"): SECADMIN,
    # the sign-in throttle's unlock is not on this branch yet: 501 until it is
    ("POST", "/security/accounts/{name}/unlock"): _row(303, 403, 403, 403, 403, 403, 403, 303),
    ("POST", "/security/accounts/{name}/second-factor/reset"): _row(303, 403, 403, 403, 403, 403, 403, 303),
    ("GET", "/health"): _row(200, 200, 200, 200, 200, 200),
    ("GET", "/static/portal.css"): _row(200, 200, 200, 200, 200, 200),
    ("GET", "/favicon.ico"): _row(204, 204, 204, 204, 204, 204),
    # the provincial office
    ("GET", "/template"): PROVINCE,
    ("GET", "/results/scorecard"): PROVINCE,
    ("POST", "/upload"): _row(303, 409, 409, 403, 403, 403),  # both have submitted: uploads refused
    ("GET", "/versions/{version_id}"): OWN,
    ("GET", "/versions/{version_id}/file"): OWN,
    ("GET", "/versions/{version_id}/preview"): OWN,
    ("GET", "/versions/{version_id}/submit"): _row(303, 409, 404, 403, 403, 403),  # 上海 has submitted
    ("POST", "/versions/{version_id}/submit"): _row(303, 409, 404, 403, 403, 403),
    # the central office ({unit_code}: 北京, submitted; {version_id}: 上海's)
    ("GET", "/central"): CENTRAL_GET,
    ("GET", "/central/units/{unit_code}"): CENTRAL_GET,
    ("POST", "/central/units/{unit_code}/accept"): CENTRAL_POST,
    ("POST", "/central/units/{unit_code}/return"): CENTRAL_POST,
    ("POST", "/central/units/{unit_code}/reopen"): _row(303, 403, 403, 409, 403, 403),  # before the deadline
    ("POST", "/central/units/{unit_code}/review"): CENTRAL_POST,
    ("GET", "/central/versions/{version_id}"): CENTRAL_GET,
    ("GET", "/central/versions/{version_id}/file"): CENTRAL_GET,
    # evidence files (issue 22; {evidence_id}: none stored in this year, so "not found")
    ("GET", "/evidence"): PROVINCE,
    ("POST", "/evidence/tasks/{task_id}"): _row(303, 409, 409, 403, 403, 403),  # both have submitted
    ("GET", "/evidence/files/{evidence_id}"): _row(303, 404, 404, 403, 403, 403),
    ("GET", "/central/units/{unit_code}/evidence"): CENTRAL_GET,
    ("GET", "/central/evidence/{evidence_id}"): _row(303, 403, 403, 404, 403, 403),
    ("GET", "/central/adjustments.yaml"): CENTRAL_GET,
    ("GET", "/central/tasks/{task_id}"): CENTRAL_GET,
    ("GET", "/central/records"): CENTRAL_GET,
    ("GET", "/central/records/workbook"): CENTRAL_GET,
    ("POST", "/central/records/upload"): CENTRAL_POST,
    ("GET", "/central/records/{unit_code}"): CENTRAL_GET,
    ("POST", "/central/records/{unit_code}"): CENTRAL_POST,
    # runs and results
    ("GET", "/runs"): READERS,
    ("POST", "/runs"): CENTRAL_POST,
    ("GET", "/runs/{run_id}"): READERS,
    ("GET", "/runs/{run_id}/publish"): _row(303, 403, 403, 409, 403, 403),  # published already
    ("POST", "/runs/{run_id}/publish"): CENTRAL_POST,  # already published: publishing again changes nothing
    ("POST", "/runs/{run_id}/verify"): READERS,
    ("GET", "/runs/{run_id}/scorecards.zip"): READERS,
    ("GET", "/runs/{run_id}/inputs.zip"): READERS,
    ("GET", "/runs/{run_id}/files/{path:path}"): READERS,
    # feedback and objections (issue 22): the published run cannot be fed back, nothing was fed back
    # in this year, and {objection_id} / {file_id} do not exist
    ("POST", "/runs/{run_id}/feedback"): _row(303, 403, 403, 409, 403, 403),
    ("GET", "/runs/{run_id}/objections"): _row(303, 403, 403, 404, 404, 403),
    ("POST", "/central/objections/{objection_id}/answer"): _row(303, 403, 403, 404, 403, 403),
    ("GET", "/central/objection-files/{file_id}"): _row(303, 403, 403, 404, 404, 403),
    ("GET", "/feedback"): PROVINCE,
    ("GET", "/feedback/scorecard"): _row(303, 404, 404, 403, 403, 403),
    ("POST", "/feedback/objections"): _row(303, 409, 409, 403, 403, 403),
    ("POST", "/feedback/objections/{objection_id}/withdraw"): _row(303, 404, 404, 403, 403, 403),
    ("GET", "/feedback/files/{file_id}"): _row(303, 404, 404, 403, 403, 403),
    # the auditors
    ("GET", "/audit"): AUDITOR,
    ("GET", "/audit/config/{year}"): READERS,
    ("GET", "/audit/config/{year}/report"): READERS,
    ("GET", "/audit/config/{year}/diff"): READERS,
    ("GET", "/audit/config/{year}/yaml"): READERS,
    ("GET", "/audit/log"): LOG,
    ("GET", "/audit/log.csv"): LOG,
    ("GET", "/audit/log.xlsx"): LOG,
    # draft configurations (no draft stored in this year: {draft_id} is missing)
    ("GET", "/drafts"): READERS,
    ("POST", "/drafts"): CENTRAL_POST,  # the installed 2022 configuration, uploaded as a draft
    ("GET", "/drafts/{draft_id}"): _row(303, 403, 403, 404, 404, 403),
    ("GET", "/drafts/{draft_id}/report"): _row(303, 403, 403, 404, 404, 403),
    ("GET", "/drafts/{draft_id}/yaml"): _row(303, 403, 403, 404, 404, 403),
    ("POST", "/drafts/{draft_id}/compare"): _row(303, 403, 403, 404, 403, 403),
    ("POST", "/drafts/{draft_id}/adopt"): _row(303, 403, 403, 404, 403, 403),
}

RECORD = {"data_blank_fields": "0", "data_errors": "0", "info_reports_sent": "40",
          "info_reports_adopted": "9",
          "linkage_entry_rate": "96.5", "national_typical_cases": "1", "notified_count": "1",
          "notified_fixed": "1", "interviewed_count": "0", "interviewed_fixed": "0", "supervised_count": "0",
          "supervised_fixed": "0", "major_incident": "否", "data_falsified": "否"}


def test_the_table_lists_every_route() -> None:
    assert set(EXPECTED) == set(route_table())


def _form(path: str, state: YearState) -> dict[str, str]:
    if path.endswith("/accept"):
        return {"version_id": str(state.bj_version)}
    if path.endswith(("/return", "/reopen")):
        return {"reason": "测试理由"}
    if path.endswith("/review"):
        return {"task": TASK_ADJUSTED, "action": "adjust", "status": "部分完成", "reason": "测试理由"}
    if path.startswith("/central/records/"):
        return {f"item-{k}": v for k, v in RECORD.items()}
    if path == "/runs":
        return {"note": "测试更正"}
    if path.endswith("/adopt"):
        return {"reason": "测试理由"}
    if path.endswith(("/submit", "/publish")):
        return CONFIRM
    if path.endswith("/answer"):
        return {"decision": "reject", "text": "测试理由"}
    if path == "/admin/accounts":
        return {"name": "new-office", "role": "province", "unit": "320000"}
    if path == "/account/password":
        return {"current": "not-the-password", "password": "Another-Pass-2026",
                "password_again": "Another-Pass-2026"}
    return {}


def _draft_upload(client: Client) -> int:
    from scoring.settings import get_settings

    data = (get_settings().indicators_dir / "2022.yaml").read_bytes()
    return int(client.http.post("/drafts", data={"csrf_token": client.csrf},
                                files={"file": ("2022.yaml", data, "application/yaml")}).status_code)


def _call(client: Client, method: str, path: str, state: YearState) -> int:
    if method == "POST" and path == "/drafts":
        return _draft_upload(client)
    if path == "/upload":
        return int(client.upload(sample("310000")).status_code)
    if path.startswith("/evidence/tasks/"):
        return int(client.http.post(path, data={"csrf_token": client.csrf},
                                    files={"file": ("照片.png", PNG, "image/png")}).status_code)
    if path == "/feedback/objections":
        return int(client.http.post(path, data={"csrf_token": client.csrf, "subject": "indicator:C4",
                                                "reason": "测试理由"},
                                    files={"file": ("照片.png", PNG, "image/png")}).status_code)
    if path == "/central/records/upload":
        return int(central_workbook_upload(client).status_code)
    if method == "GET":
        return int(client.get(path).status_code)
    return int(client.post(path, _form(path, state)).status_code)


def _concrete(path: str, state: YearState) -> str:
    return (path.replace("{version_id}", str(state.sh_version)).replace("{unit_code}", "110000")
            .replace("{run_id}", str(state.run_id)).replace("{path:path}", "outputs/ranking.xlsx")
            .replace("{year}", "2022").replace("{draft_id}", "1").replace("{name}", "bj")
            .replace("{task_id}", TASK_ADJUSTED).replace("{evidence_id}", "999")
            .replace("{objection_id}", "999").replace("{file_id}", "999"))


@pytest.mark.parametrize("method, path", sorted(EXPECTED), ids=[f"{m} {p}" for m, p in sorted(EXPECTED)])
def test_route_answers_each_role_as_designed(year_app, year_state: YearState, method: str, path: str) -> None:
    got = {}
    for role in ROLES:
        client = Client(year_app, SIGN_IN.get(role))
        got[role] = _call(client, method, _concrete(path, year_state), year_state)
    year_app.state.portal.jobs.wait()
    assert got == EXPECTED[(method, path)]


def test_auditors_can_change_nothing(year_app, year_state: YearState) -> None:
    auditor = Client(year_app, "auditor")
    # 复核 is a POST because it records its verdict, but it is the auditors' own reading of a run
    writes = [(m, p) for m, p in route_table()
              if m == "POST" and p not in ("/login", "/logout") and EXPECTED.get((m, p)) != READERS
              and not p.startswith(("/login/", "/account"))]  # sign-in steps and one's own password
    assert len(writes) >= 10
    for _, path in writes:
        concrete = _concrete(path, year_state)
        assert _call(auditor, "POST", concrete, year_state) == 403, path


@pytest.mark.parametrize("path", ["/versions/{id}", "/versions/{id}/file", "/versions/{id}/preview"])
def test_missing_and_foreign_versions_look_the_same(year_app, year_state: YearState, path: str) -> None:
    own = year_state.sh_version
    other = Client(year_app, "bj")
    foreign = other.get(path.replace("{id}", str(own)))
    missing = other.get(path.replace("{id}", str(own + 1000)))
    garbage = other.get(path.replace("{id}", "abc"))
    assert foreign.status_code == missing.status_code == garbage.status_code == 404
    assert foreign.text == missing.text
    assert other.post(f"/versions/{own}/submit", CONFIRM).status_code == 404
    assert Client(year_app, "sh").get(f"/versions/{own}").status_code == 200


def test_each_province_downloads_only_its_own_scorecard(year_app) -> None:
    from scoring.portal.store.runs import run_file

    for name, code in (("sh", "310000"), ("bj", "110000")):
        response = Client(year_app, name).get("/results/scorecard")
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        with year_app.state.portal.db.transaction(writes=False) as db:
            stored = run_file(db, 1, next(p for p in _pdf_paths(year_app) if f"/{code}-" in p))
        assert stored is not None and response.content == stored[1]


def _pdf_paths(app) -> list[str]:
    from scoring.portal.store.runs import run_files

    with app.state.portal.db.transaction(writes=False) as db:
        return [f.path for f in run_files(db, 1) if f.path.endswith(".pdf")]

