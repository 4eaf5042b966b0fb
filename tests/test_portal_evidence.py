"""Evidence files through HTTP on SQLite and PostgreSQL: a province attaches files to its tasks, bad
files are refused with their Chinese message and store nothing, the central office opens them in
place with safe headers, and another province cannot reach them."""

from __future__ import annotations

from portal_fixtures import TASK_ADJUSTED, Client, sample, version_id
from sqlalchemy import func, select
from test_portal_evidence_content import docx_bytes, image_bytes, pdf_bytes, zipped

from scoring.portal.store.models import AuditEntry, Blob, EvidenceFile

FILE_LINK = "/evidence/files/"


def attach(client: Client, task_id: str, name: str, data: bytes):
    return client.http.post(f"/evidence/tasks/{task_id}", data={"csrf_token": client.csrf},
                            files={"file": (name, data, "application/octet-stream")})


def stored(app) -> tuple[int, int]:
    with app.state.portal.db.transaction(writes=False) as db:
        return (db.scalar(select(func.count()).select_from(EvidenceFile)) or 0,
                db.scalar(select(func.count()).select_from(Blob)) or 0)


def evidence_ids(app) -> list[int]:
    with app.state.portal.db.transaction(writes=False) as db:
        return list(db.scalars(select(EvidenceFile.id).order_by(EvidenceFile.id)))


def test_province_attaches_files_and_central_opens_them(portal_app) -> None:
    sh = Client(portal_app, "sh")
    version_id(sh.upload(sample("310000")))
    page = sh.get("/evidence").text
    assert f'id="task-{TASK_ADJUSTED}"' in page and "未上传文件" in page
    assert attach(sh, TASK_ADJUSTED, "工作方案.pdf", pdf_bytes()).status_code == 303
    assert attach(sh, TASK_ADJUSTED, "现场照片.png", image_bytes("PNG")).status_code == 303
    assert attach(sh, TASK_ADJUSTED, "工作总结.docx", docx_bytes()).status_code == 303
    pdf_id, png_id, docx_id = evidence_ids(portal_app)
    row = sh.get("/evidence").text.split(f'id="task-{TASK_ADJUSTED}"')[1].split("</tr>")[0]
    assert "已上传 3 份" in row and "工作方案.pdf" in row and "现场照片.png" in row

    shown = sh.get(f"{FILE_LINK}{pdf_id}")
    assert shown.status_code == 200 and shown.content.startswith(b"%PDF-")
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline;")
    assert shown.headers["x-content-type-options"] == "nosniff"
    image = sh.get(f"{FILE_LINK}{png_id}")
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-security-policy"].startswith("sandbox")
    office = sh.get(f"{FILE_LINK}{docx_id}")
    assert office.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in office.headers["content-security-policy"]

    bj = Client(portal_app, "bj")
    assert bj.get(f"{FILE_LINK}{pdf_id}").status_code == 404  # another unit's file is not found

    central = Client(portal_app, "central")
    review = central.get("/central/units/310000/evidence").text
    assert f'<img src="/central/evidence/{png_id}"' in review
    assert f'href="/central/evidence/{pdf_id}"' in review
    opened = central.get(f"/central/evidence/{pdf_id}")
    assert opened.status_code == 200 and opened.content == shown.content

    with portal_app.state.portal.db.transaction(writes=False) as db:
        actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.action == "evidence-attach")))
    assert len(actions) == 3

    version_id(sh.upload(sample("310000")))  # a new version keeps the task's files
    assert "已上传 3 份" in sh.get("/evidence").text


def test_bad_files_are_refused_with_their_message_and_nothing_is_stored(portal_app) -> None:
    sh = Client(portal_app, "sh")
    version_id(sh.upload(sample("310000")))
    before = stored(portal_app)
    exe = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode"
    bomb = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * (50 * 1024 * 1024)}
    cases = [
        ("工作方案.pdf", exe, "可执行程序"),
        ("工作总结.docx", zipped(bomb), "压缩炸弹"),
        ("网页.pdf", b"<html><script>alert(1)</script></html>", "网页"),
        ("工作方案.png", pdf_bytes(), "扩展名"),
        ("材料.docx", zipped({"[Content_Types].xml": b"<T/>", "../evil.sh": b"x"}), "可疑条目"),
    ]
    for name, data, said in cases:
        response = attach(sh, TASK_ADJUSTED, name, data)
        assert response.status_code == 422, name
        assert said in response.text and name in response.text and "文件未通过检查" in response.text
        assert "Traceback" not in response.text
    assert stored(portal_app) == before


def test_oversized_scan_and_too_many_files_are_refused(portal_app) -> None:
    from dataclasses import replace

    from scoring.portal.evidence.content import EvidenceLimits

    portal = portal_app.state.portal
    scan = pdf_bytes("扫描件")
    small = image_bytes("PNG")
    assert len(small) < len(scan)
    portal.settings = replace(portal.settings, evidence_limits=EvidenceLimits(max_bytes=len(scan) - 1),
                              evidence_per_task=1)
    sh = Client(portal_app, "sh")
    version_id(sh.upload(sample("310000")))
    refused = attach(sh, TASK_ADJUSTED, "扫描件.pdf", scan)
    assert refused.status_code == 422 and "文件过大" in refused.text
    assert attach(sh, TASK_ADJUSTED, "照片.png", small).status_code == 303
    full = attach(sh, TASK_ADJUSTED, "照片二.png", small)
    assert full.status_code == 422 and "上限 1 份" in full.text
    assert stored(portal_app)[0] == 1
