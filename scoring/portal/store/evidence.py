"""Evidence files of a unit's tasks: list, count, read and attach (append-only rows over blobs).

Every function takes a ``UnitScope``, so a province reaches only its own unit's files.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from scoring.portal.store.models import Blob, EvidenceFile
from scoring.portal.store.submissions import UnitScope, store_blob


def files_of(scope: UnitScope, task_id: str | None = None) -> list[EvidenceFile]:
    """The unit's evidence files in the scope's year (of one task if given), oldest first."""
    query = select(EvidenceFile).where(EvidenceFile.year == scope.year,
                                       EvidenceFile.unit_code == scope.unit_code)
    if task_id is not None:
        query = query.where(EvidenceFile.task_id == task_id)
    return list(scope.db.scalars(query.order_by(EvidenceFile.task_id, EvidenceFile.seq)))


def by_task(scope: UnitScope) -> dict[str, list[EvidenceFile]]:
    """The unit's evidence files grouped by task."""
    grouped: dict[str, list[EvidenceFile]] = {}
    for item in files_of(scope):
        grouped.setdefault(item.task_id, []).append(item)
    return grouped


def one_file(scope: UnitScope, evidence_id: int) -> tuple[EvidenceFile, bytes] | None:
    """One of the unit's evidence files with its bytes (any year), or None if it is not the unit's."""
    item = scope.db.scalar(select(EvidenceFile).where(EvidenceFile.id == evidence_id,
                                                      EvidenceFile.unit_code == scope.unit_code))
    if item is None:
        return None
    data = scope.db.scalar(select(Blob.data).where(Blob.sha256 == item.blob_sha256))
    assert data is not None, "an evidence file's blob is never deleted"
    return item, data


def attach(scope: UnitScope, task_id: str, *, file_name: str, media_type: str, data: bytes, sha256: str,
           at: datetime, account_id: int) -> EvidenceFile:
    """Store the bytes (once) and a new evidence row numbered after the task's last one."""
    seq = scope.db.scalar(select(func.coalesce(func.max(EvidenceFile.seq), 0)).where(
        EvidenceFile.year == scope.year, EvidenceFile.unit_code == scope.unit_code,
        EvidenceFile.task_id == task_id)) or 0
    store_blob(scope.db, sha256, data, at)
    item = EvidenceFile(year=scope.year, unit_code=scope.unit_code, task_id=task_id, seq=seq + 1,
                        blob_sha256=sha256, file_name=file_name, media_type=media_type, size=len(data),
                        at=at, account_id=account_id)
    scope.db.add(item)
    scope.db.flush()
    return item
