"""manifest.json: everything a run read and wrote, so an auditor can re-run it and compare.

Every file that can change a number or a page is listed with its SHA-256 and size and a role:
the indicator config, units.yaml, the task catalogue, the central records, every entry of the
input folder (each submission, and anything else that was there), the previous results used for
the trend, the review adjustments, the objections fed back and their answers (the portal's
``objections-YEAR.json``, read as a record, not a number source), and for PDFs the report
templates and the fonts. Paths are relative to the folder holding the manifest (``base``),
whichever way the command was called; only system fonts, which lie outside any project, keep
their absolute path. Also recorded: the command and its options, the engine version and git
commit, and Python's and the libraries' versions, and the one time stamp of the run
(``generated_at``), which dates every PDF.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scoring.errors import InputError
from scoring.pipeline.environment import Engine

MANIFEST_FILE = "manifest.json"
MANIFEST_VERSION: Literal[2] = 2

Role = Literal["config", "units", "catalogue", "central", "previous", "adjustments", "objections",
               "submission", "template", "font"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileRecord(Strict):
    """A file as it was: where (relative to the manifest), SHA-256 and size."""

    path: str
    sha256: str
    size: int
    role: Role | Literal["output"]


class Options(Strict):
    """The pipeline's inputs and options as the run was asked for them (paths relative to base)."""

    input_dir: str
    central: str | None = None
    previous: str | None = None
    adjustments: str | None = None
    objections: str | None = None
    config: str
    units: str
    pdf: bool = False


class Manifest(Strict):
    """What a run read and wrote."""

    manifest_version: Literal[2] = MANIFEST_VERSION
    year: int
    generated_at: datetime
    base: Literal["manifest-folder"] = Field(
        default="manifest-folder", description="相对路径均相对于本文件所在目录（系统字体除外）")
    command: list[str]
    options: Options
    engine: Engine
    environment: dict[str, str]
    inputs: list[FileRecord]
    outputs: list[FileRecord]

    def by_role(self, role: Role) -> list[FileRecord]:
        """The inputs of one role."""
        return [r for r in self.inputs if r.role == role]


def digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in blocks."""
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` (with ``..`` where needed), POSIX separators."""
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()


def record(path: Path, base: Path, role: Role | Literal["output"], *, absolute: bool = False,
           data: bytes | None = None) -> FileRecord:
    """A file's record; ``data`` when the caller already holds the exact bytes it used."""
    if data is not None:
        sha, size = hashlib.sha256(data).hexdigest(), len(data)
    else:
        sha, size = digest(path)
    shown = str(path.resolve()) if absolute else relative(path, base)
    return FileRecord(path=shown, sha256=sha, size=size, role=role)


def manifest_bytes(manifest: Manifest) -> bytes:
    """The manifest as UTF-8 JSON (two-space indent, Chinese as is, trailing newline)."""
    body = manifest.model_dump(mode="json")
    body["generated_at"] = manifest.generated_at.astimezone(UTC).isoformat(timespec="seconds")
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_manifest(path: Path) -> Manifest:
    """Read a manifest strictly; a missing, old or broken one is an ``InputError`` naming where."""
    if not path.is_file():
        raise InputError(f"{path}: 文件不存在")
    try:
        raw = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: 不是有效的 JSON（{exc}）") from None
    if isinstance(raw, dict) and raw.get("manifest_version") != MANIFEST_VERSION:
        raise InputError(f"{path}: 是旧版引擎写出的清单（缺少复现所需的输入记录），请重新评分后再核验")
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "（根）"
        raise InputError(f"{path}: 不是有效的清单（{where}: {first['msg']}）") from None


def current_manifest(path: Path) -> Manifest | None:
    """The manifest at ``path`` when there is a current one; None when it is missing, from an older
    engine or unreadable (callers that need one use ``read_manifest`` and its message)."""
    if not path.is_file():
        return None
    try:
        return read_manifest(path)
    except InputError:
        return None
