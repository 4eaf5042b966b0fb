"""What the evidence pages show: the year's assessed tasks with the unit's files, and a file's response."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.responses import Response

from scoring.portal.store.evidence import by_task
from scoring.portal.store.models import EvidenceFile, Version
from scoring.portal.store.submissions import UnitScope
from scoring.portal.web import display_name, download
from scoring.workbook.submission import Submission

INLINE = {"application/pdf", "image/png", "image/jpeg"}


@dataclass(frozen=True)
class TaskFiles:
    """One assessed task: its title, the status and evidence text the unit declared, its files."""

    task_id: str
    title: str
    declared: str | None
    evidence_text: str | None
    files: list[EvidenceFile]

    @property
    def meaning(self) -> str:
        """What the 佐证材料 column means now: the declared text and the uploaded count."""
        uploaded = f"已上传 {len(self.files)} 份" if self.files else "未上传文件"
        return f"{self.evidence_text}（{uploaded}）" if self.evidence_text else uploaded


def task_files(titles: dict[str, str], scope: UnitScope, latest: Version | None) -> list[TaskFiles]:
    """Every assessed task of the year with what the latest version declared and the attached files."""
    submission = Submission.model_validate_json(latest.submission) if latest else None
    files = by_task(scope)
    rows = []
    for task_id, title in titles.items():
        report = submission.tasks.get(task_id) if submission else None
        rows.append(TaskFiles(task_id=task_id, title=title,
                              declared=report.status.value if report and report.status else None,
                              evidence_text=report.evidence if report else None,
                              files=files.get(task_id, [])))
    return rows


def evidence_response(item: EvidenceFile, data: bytes) -> Response:
    """A stored evidence file: PDF and images shown in the browser, others downloaded; in both cases
    the type is the checked one, never sniffed, and the document may run no script."""
    return checked_file_response(data, item.file_name, item.media_type,
                                 f"evidence-{item.year}-{item.unit_code}-{item.id}")


def checked_file_response(data: bytes, file_name: str, media_type: str, ascii_name: str) -> Response:
    """A file whose type ``check_evidence`` established (evidence, an objection's file), served as
    ``evidence_response`` describes."""
    if media_type not in INLINE:
        return download(data, file_name, ascii_name, media_type=media_type)
    shown = display_name(file_name, ascii_name)
    disposition = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(shown, safe='')}"
    policy = ("default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
              if media_type == "application/pdf" else "sandbox; default-src 'none'; img-src 'self'")
    return Response(data, media_type=media_type, headers={
        "content-disposition": disposition, "content-security-policy": policy,
        "x-content-type-options": "nosniff", "cross-origin-resource-policy": "same-origin"})
