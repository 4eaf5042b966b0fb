"""Feedback and objections (issue 22), through HTTP on SQLite and PostgreSQL: the central office
feeds a run back instead of publishing it; 上海 sees its preliminary result and scorecard, lodges
objections (one with a file) and withdraws one; the period closes at the end of its deadline day;
北京 cannot see or touch 上海's; the central office answers once, corrects the record, scores again
and publishes, and the publication lists the objection it answers. The objections and answers are
an input of the new run (its manifest names them) and 复核 still says 一致."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from portal_fixtures import (
    CONFIRM,
    Client,
    Clock,
    central_workbook_upload,
    portal_settings,
    run_to_end,
    sample,
    seed,
    version_id,
)
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from scoring.cli import app as cli
from scoring.portal.store.models import (
    AuditEntry,
    Blob,
    Feedback,
    Objection,
    ObjectionEvent,
    ObjectionFile,
    PublicationObjection,
)
from scoring.portal.store.runs import run_file, run_files

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
# 上海's central record as in the sample workbook, but with no blank fields (the objection's point)
SHANGHAI = {"data_blank_fields": "0", "data_errors": "0", "info_reports_sent": "93",
            "info_reports_adopted": "17", "linkage_entry_rate": "95.3", "national_typical_cases": "0",
            "notified_count": "0", "notified_fixed": "0", "interviewed_count": "0", "interviewed_fixed": "0",
            "supervised_count": "0", "supervised_fixed": "0", "major_incident": "是", "data_falsified": "否"}
START = datetime(2023, 1, 10, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Beijing
AFTER = datetime(2023, 1, 17, 16, 0, tzinfo=UTC)  # 18 January, 00:00 in Beijing: the day after the deadline


@pytest.fixture()
def app(db_url: str, tmp_path):
    """A fresh portal whose runs render every PDF (a province's scorecard, publishing)."""
    from scoring.portal.app import create_app

    seed(db_url)
    portal = create_app(portal_settings(db_url, tmp_path / "data", Clock(START), pdf=True))
    yield portal
    portal.state.portal.jobs.close()
    portal.state.portal.workers.close()
    portal.state.portal.db.dispose()


def _rows(app, model):
    with app.state.portal.db.transaction(writes=False) as db:
        return list(db.scalars(select(model)))


def _accept(app, name: str, code: str) -> None:
    province, office = Client(app, name), Client(app, "central")
    version = version_id(province.upload(sample(code)))
    assert province.post(f"/versions/{version}/submit", CONFIRM).status_code == 303
    assert office.post(f"/central/units/{code}/accept", {"version_id": str(version)}).status_code == 303


def _lodge(client: Client, subject: str, reason: str, file: tuple[str, bytes] | None = None):
    files = {"file": (file[0], file[1], "application/octet-stream")} if file else {"file": ("", b"", "")}
    return client.http.post("/feedback/objections", data={"csrf_token": client.csrf, "subject": subject,
                                                          "reason": reason}, files=files)


def _total(app, run_id: int, code: str) -> float:
    with app.state.portal.db.transaction(writes=False) as db:
        found = run_file(db, run_id, "outputs/scores.json")
    assert found is not None
    return next(u["total_exact"] for u in json.loads(found[1])["units"] if u["code"] == code)


def test_feedback_objections_answers_and_the_publication_that_answers_them(
        app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock: Clock = app.state.portal.settings.clock
    _accept(app, "sh", "310000")
    _accept(app, "bj", "110000")
    office, sh, bj = Client(app, "central"), Client(app, "sh"), Client(app, "bj")
    assert central_workbook_upload(office).status_code == 303
    first = run_to_end(app, office)
    page = office.get(f"/runs/{first}").text
    assert "反馈征求意见（不发布）" in page and 'value="2023-01-17"' in page  # five working days on

    # fed back with the default deadline, once; not publishable while units may still object
    assert office.post(f"/runs/{first}/feedback").status_code == 303
    [feedback] = _rows(app, Feedback)
    assert feedback.run_id == first and feedback.deadline == date(2023, 1, 17)
    again = office.post(f"/runs/{first}/feedback", {"deadline": "2023-01-20"})
    assert again.status_code == 409 and "这次评分已经反馈征求意见" in again.text
    early = office.post(f"/runs/{first}/publish", CONFIRM)
    assert early.status_code == 409 and "异议期至2023年1月17日（北京时间）截止" in early.text
    assert "/runs/1/objections" in office.get("/central").text

    # 上海 sees its preliminary result and its own scorecard of that run
    own = sh.get("/feedback").text
    assert "异议截止 <strong>2023年1月17日</strong>（北京时间当日结束）" in own and "总分（初步）" in own
    card = sh.get("/feedback/scorecard")
    with app.state.portal.db.transaction(writes=False) as db:
        [path] = [f.path for f in run_files(db, first)
                  if "/310000-" in f.path and f.path.endswith(".pdf")]
        stored = run_file(db, first, path)
        scores = run_file(db, first, "outputs/scores.json")
    assert scores is not None
    [shanghai] = [u for u in json.loads(scores[1])["units"] if u["code"] == "310000"]
    # a grade its total does not explain is explained: the veto, as on the home page once published
    vetoes = shanghai["vetoes"]
    assert vetoes and all(f"一票否决：{v['name']}。{v['effect']}。" in own for v in vetoes)
    assert card.status_code == 200 and stored is not None and card.content == stored[1]
    assert "/feedback" in sh.get("/").text

    # objections: one with a file, one withdrawn; a renamed executable stores nothing
    lodged = _lodge(sh, "indicator:C2", "本单位必填项无缺漏，记录有误", ("报送回执.png", PNG))
    assert lodged.status_code == 303
    assert _lodge(sh, "task:2022-1.1.3", "该任务已全部完成").status_code == 303
    blobs = len(_rows(app, Blob))
    refused = _lodge(sh, "indicator:C4", "附件", ("说明.pdf", EXECUTABLE))
    assert refused.status_code == 422 and "说明.pdf" in refused.text
    assert len(_rows(app, Objection)) == 2 and len(_rows(app, Blob)) == blobs
    assert _lodge(sh, "indicator:C2", "").status_code == 400
    assert _lodge(sh, "indicator:Z9", "没有这项指标").status_code == 400
    kept, withdrawn = sorted(_rows(app, Objection), key=lambda o: o.id)
    assert kept.subject_label == "指标 C2 数据完整性" and withdrawn.subject_id == "2022-1.1.3"
    [attached] = _rows(app, ObjectionFile)
    assert sh.get(f"/feedback/files/{attached.id}").content == PNG
    assert sh.post(f"/feedback/objections/{withdrawn.id}/withdraw").status_code == 303
    assert "已撤回" in sh.get("/feedback").text

    # 北京 sees nothing of 上海's and cannot withdraw it; its own file list is empty
    other = bj.get("/feedback").text
    assert "本单位必填项无缺漏" not in other and "北京" in other
    assert bj.post(f"/feedback/objections/{kept.id}/withdraw").status_code == 404
    assert bj.get(f"/feedback/files/{attached.id}").status_code == 404

    # after the deadline day (Beijing) nothing may be lodged or withdrawn; answering is allowed
    clock.moment = AFTER
    office, sh = Client(app, "central"), Client(app, "sh")  # a week on: the sessions have ended
    late = _lodge(sh, "indicator:C4", "逾期提出")
    assert late.status_code == 409 and "异议期已于2023年1月17日（北京时间）截止" in late.text
    assert sh.post(f"/feedback/objections/{kept.id}/withdraw").status_code == 409
    waiting = office.post(f"/runs/{first}/publish", CONFIRM)
    assert waiting.status_code == 409 and "还有 1 条异议未答复" in waiting.text
    listing = office.get(f"/runs/{first}/objections").text
    assert "本单位必填项无缺漏" in listing and "报送回执.png" in listing
    assert "/central/records/310000" in listing
    assert office.get(f"/central/objection-files/{attached.id}").content == PNG
    assert office.post(f"/central/objections/{kept.id}/answer",
                       {"decision": "accept", "text": "更正"}).status_code == 400  # which correction?
    answer = {"decision": "accept", "correction": "record",
              "text": "经核实，必填项无缺漏，更正全国双打办记录"}
    assert office.post(f"/central/objections/{kept.id}/answer", answer).status_code == 303
    twice = office.post(f"/central/objections/{kept.id}/answer", {"decision": "reject", "text": "再答复"})
    assert twice.status_code == 409 and "这条异议已经答复" in twice.text
    assert office.post(f"/central/objections/{withdrawn.id}/answer",
                       {"decision": "reject", "text": "不予采纳"}).status_code == 409
    shown = sh.get("/feedback").text
    assert "采纳" in shown and "经核实，必填项无缺漏" in shown and "全国双打办记录更正" in shown

    # the correction the answer leads to, a new run, publication
    form = {f"item-{k}": v for k, v in SHANGHAI.items()}
    assert office.post("/central/records/310000", form).status_code == 303
    second = run_to_end(app, office)
    assert _total(app, second, "310000") == _total(app, first, "310000") + 0.5  # C2: one blank field less
    assert _total(app, second, "110000") == _total(app, first, "110000")
    assert office.post(f"/runs/{second}/publish", CONFIRM).status_code == 303
    assert [(p.objection_id) for p in _rows(app, PublicationObjection)] == [kept.id]
    published = office.get(f"/runs/{second}").text
    assert "本次发布答复的异议" in published and f"第 {kept.id} 号" in published
    assert "经核实，必填项无缺漏" in published and "该任务已全部完成" not in published
    assert '<a href="/central/records/310000">全国双打办记录更正</a>' in published

    # the objections and answers are an input of the new run: named in its manifest, in its zip
    manifest = json.loads(office.get(f"/runs/{second}/files/outputs/manifest.json").content)
    [recorded] = [r for r in manifest["inputs"] if r["role"] == "objections"]
    assert recorded["path"] == "../inputs/objections-2022.json"
    assert manifest["options"]["objections"] == "../inputs/objections-2022.json"
    assert "--objections" in manifest["command"]
    body = json.loads(office.get(f"/runs/{second}/files/inputs/objections-2022.json").content)
    assert body["counts"] == {"total": 2, "lodged": 0, "withdrawn": 1, "accepted": 1, "rejected": 0}
    assert [(o["id"], o["state"], o["feedback_run"]) for o in body["objections"]] == [
        (kept.id, "accepted", first), (withdrawn.id, "withdrawn", first)]
    assert body["objections"][0]["files"][0]["name"] == "报送回执.png"
    exported = tmp_path / "exported"
    with zipfile.ZipFile(io.BytesIO(office.get(f"/runs/{second}/inputs.zip").content)) as archive:
        assert "inputs/objections-2022.json" in archive.namelist()
        archive.extractall(exported)
    # the command line on the exported inputs writes the same scores.json, objection counts included
    monkeypatch.chdir(exported)
    command = manifest["command"]
    result = CliRunner().invoke(cli, ["score", *command[2:]])
    assert result.exit_code == 0, result.output
    rescored = (exported / command[command.index("-o") + 1] / "scores.json").read_bytes()
    assert rescored == office.get(f"/runs/{second}/files/outputs/scores.json").content
    assert json.loads(rescored)["objections"]["units"]["310000"]["accepted"] == 1
    assert "异议及答复" in office.get(f"/runs/{second}").text
    verified = Client(app, "auditor").post(f"/runs/{second}/verify").text
    assert "一致" in verified and "不一致" not in verified

    # every step is in the audit log
    actions = [a.action for a in _rows(app, AuditEntry)]
    for action in ("feedback", "objection-lodge", "objection-withdraw", "objection-answer", "publish"):
        assert action in actions, action
    publish = next(a for a in _rows(app, AuditEntry) if a.action == "publish")
    assert f"答复异议 1 条（第 {kept.id} 号）" in (publish.after or "")
    [closed_kept, closed_withdrawn] = sorted(_rows(app, ObjectionEvent), key=lambda e: e.objection_id)
    assert (closed_kept.action, closed_kept.correction) == ("accepted", "record")
    assert closed_withdrawn.action == "withdrawn"
    _attack_the_new_tables(app)


def _attack_the_new_tables(app) -> None:
    """The feedback and objection rows cannot be changed or removed, by any write form."""
    url = app.state.portal.settings.database_url
    engine = create_engine(url)
    postgres = engine.dialect.name == "postgresql"
    statements = [
        "UPDATE feedbacks SET deadline = '2030-01-01'",
        "DELETE FROM feedbacks",
        "UPDATE objections SET reason = '篡改'",
        "DELETE FROM objection_files",
        "UPDATE objection_events SET text = '篡改'",
        "DELETE FROM objection_events",
        "DELETE FROM publication_objections",
    ]
    if not postgres:
        statements += [
            "INSERT OR REPLACE INTO objection_events (id, objection_id, action, text, at, account_id) "
            "SELECT id + 100, objection_id, 'rejected', '篡改', at, account_id FROM objection_events",
            "REPLACE INTO feedbacks (id, run_id, year, deadline, at, account_id) "
            "SELECT id, run_id, year, '2030-01-01', at, account_id FROM feedbacks",
        ]
    try:
        for statement in statements:
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(ObjectionEvent.__table__)) == 2
            assert conn.scalar(text("SELECT deadline FROM feedbacks")) in (date(2023, 1, 17), "2023-01-17")
    finally:
        engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_deadline_in_the_past_and_a_rejected_objection(app) -> None:
    _accept(app, "sh", "310000")
    office, sh = Client(app, "central"), Client(app, "sh")
    run_id = run_to_end(app, office)
    past = office.post(f"/runs/{run_id}/feedback", {"deadline": "2023-01-09"})
    assert past.status_code == 409 and "异议截止日期2023年1月9日已经过去" in past.text
    assert office.post(f"/runs/{run_id}/feedback", {"deadline": "明天"}).status_code == 400
    assert _rows(app, Feedback) == []
    assert "尚未反馈" in sh.get("/feedback").text
    assert office.post(f"/runs/{run_id}/feedback", {"deadline": "2023-01-10"}).status_code == 303  # today
    assert _lodge(sh, "indicator:C4", "工作信息被采用篇数有误").status_code == 303
    [objection] = _rows(app, Objection)
    assert office.post(f"/central/objections/{objection.id}/answer",
                       {"decision": "reject", "text": ""}).status_code == 400
    assert office.post(f"/central/objections/{objection.id}/answer",
                       {"decision": "reject", "text": "经核实，记录无误"}).status_code == 303
    assert sh.post(f"/feedback/objections/{objection.id}/withdraw").status_code == 409
    page = sh.get("/feedback").text
    assert "不予采纳" in page and "经核实，记录无误" in page
    # an auditor reads the list, answers nothing
    auditor = Client(app, "auditor")
    assert "经核实，记录无误" in auditor.get(f"/runs/{run_id}/objections").text
    assert auditor.post(f"/central/objections/{objection.id}/answer",
                        {"decision": "accept", "text": "x"}).status_code == 403


def test_the_scorecard_and_the_notice_say_how_objections_were_answered(tmp_path) -> None:
    """objections-YEAR.json is tallied into scores.json (all units and each one) and named in the
    manifest; the scorecard and the 通报 (PDF and .docx share its paragraphs) say the counts; a year
    without objections writes scores.json without the key."""
    from scoring.pipeline import PipelineRequest, load_year_files, run_pipeline
    from scoring.report.scorecard import scorecard_html
    from scoring.report.summary import summary_context, summary_html

    root = sample("310000").parent
    items = [{"unit": "310000", "state": "accepted"}, {"unit": "310000", "state": "withdrawn"},
             {"unit": "110000", "state": "rejected"}, {"unit": "110000", "state": "lodged"}]
    objections = tmp_path / "objections-2022.json"
    objections.write_text(json.dumps({"year": 2022, "objections": items}), encoding="utf-8")
    central = root.parent / "central-2022.xlsx"
    result = run_pipeline(PipelineRequest(year=2022, input_dir=root, output=tmp_path / "out", central=central,
                                          objections=objections))
    scores = json.loads((tmp_path / "out" / "scores.json").read_bytes())
    assert scores["objections"]["all"] == {"total": 4, "accepted": 1, "rejected": 1, "withdrawn": 1,
                                           "lodged": 1}
    assert scores["objections"]["units"]["310000"]["accepted"] == 1
    assert "440000" not in scores["objections"]["units"]
    assert [r.role for r in result.manifest.inputs].count("objections") == 1
    report, indicator_set = result.report, load_year_files(2022).config.indicator_set
    moment = datetime(2023, 1, 20, tzinfo=UTC)
    shanghai = next(u for u in report.units if u.code == "310000")
    guangdong = next(u for u in report.units if u.code == "440000")
    card = scorecard_html(report, indicator_set, shanghai, moment)
    assert "本单位提出异议 2 条：采纳 1 条，不予采纳 0 条，撤回 1 条。" in card
    assert "本单位未提出异议。" in scorecard_html(report, indicator_set, guangdong, moment)
    paragraphs = [p.text for p in summary_context(report, indicator_set, moment)["paragraphs"]]
    assert ("考核结果初稿已反馈各单位征求意见。各单位共提出异议4条，经逐条核实答复，采纳1条，不予采纳1条，"
            "提出单位撤回1条，尚有1条待答复。") in paragraphs
    assert "征求意见情况" in summary_html(report, indicator_set, moment)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"year": 2021, "objections": []}), encoding="utf-8")
    with pytest.raises(Exception, match="不是 2022 年度的异议及答复文件"):
        run_pipeline(PipelineRequest(year=2022, input_dir=root, output=tmp_path / "bad", objections=bad))
    plain = run_pipeline(PipelineRequest(year=2022, input_dir=root, output=tmp_path / "plain",
                                         central=central))
    assert "objections" not in json.loads((tmp_path / "plain" / "scores.json").read_bytes())
    assert "征求意见情况" not in summary_html(plain.report, indicator_set, moment)
