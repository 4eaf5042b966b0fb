"""Checks made on an uploaded file's bytes before any XML is parsed: is it an .xlsx, and is it safe.

Limits (size, number of zip entries, expanded size, expansion ratio) are checked on the zip's
central directory first and enforced again while reading, since a hostile file can lie about
its sizes. XML parts that declare a DTD or entities are refused before parsing; parsing itself
goes through defusedxml (see ``reader``). Reading the bytes from disk (type and size first, then
a capped read) is ``upload``'s job.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass

from scoring.problems import Problem, Severity, make
from scoring.workbook import ole

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    """How big an upload may be, packed and unpacked."""

    max_file_bytes: int = 10 * 1024 * 1024
    max_entries: int = 300
    max_entry_bytes: int = 30 * 1024 * 1024
    max_total_bytes: int = 60 * 1024 * 1024
    max_ratio: float = 120.0
    ratio_floor_bytes: int = 1024 * 1024  # small entries may compress as well as they like
    # per worksheet: the template's tables are a few hundred rows and a handful of columns
    max_rows: int = 2000
    max_columns: int = 100
    max_cells: int = 20_000
    max_xml_elements: int = 200_000  # empty styled cells and rows count too
    max_shared_strings: int = 200_000


DEFAULT_LIMITS = Limits()


# what a damaged package raises while it is opened or inflated
CORRUPT_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError, KeyError,
)


def part_key(name: str) -> str:
    """A part name as Excel compares them: forward slashes, no leading slash, any case."""
    return posixpath.normpath(name.replace("\\", "/")).lstrip("/").lower()


class UnsafeEntry(Exception):
    """A zip entry turned out larger than allowed while it was being read."""




def _part_label(name: str) -> str:
    key = part_key(name)
    if key.startswith("xl/worksheets/"):
        return f"工作表部件“{name}”"
    if key.startswith("xl/media/"):
        return f"图片或附件“{name}”"
    return f"“{name}”"


def _problem(code: str, file: str, value: str | None = None, **fields: object) -> Problem:
    return make(code, Severity.ERROR, file=file, value=value, **fields)


_OLE_CODES = {"encrypted": "file-encrypted", "xls_password": "file-xls-password", "word": "file-word-doc",
              "powerpoint": "file-powerpoint", "outlook": "file-outlook-msg", "visio": "file-visio",
              "wps_et": "file-wps-et", "xls": "file-legacy-xls", "unknown": "file-ole-other"}


def _sniff_not_zip(head: bytes, file: str) -> Problem:
    if head.startswith(OLE_MAGIC):
        return _problem(_OLE_CODES[ole.kind_of(head, file)], file)
    if head.lstrip(b"\r\n\t ").startswith(b"%PDF"):
        return _problem("file-pdf", file)
    text = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<html" in text[:512]:
        return _problem("file-html", file)
    try:
        sample = head[:4096].decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample = head[:4096].decode("gb18030")
        except UnicodeDecodeError:
            sample = ""
    if sample and sum(ch in ",\t;" for ch in sample) >= 2 and "\x00" not in sample:
        return _problem("file-csv", file)
    return _problem("file-not-xlsx", file, kind="此文件")


def size_problem(size: int, file: str, limits: Limits = DEFAULT_LIMITS) -> Problem | None:
    """``file-empty`` or ``file-too-large`` for a file of ``size`` bytes, else None."""
    if size == 0:
        return _problem("file-empty", file)
    if size > limits.max_file_bytes:
        return _problem("file-too-large", file, str(size), size=size / 1048576,
                        limit=limits.max_file_bytes / 1048576)
    return None


def check_bytes(data: bytes, file: str, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Problems that stop the bytes from being read at all; an empty list means: safe to open."""
    too_big = size_problem(len(data), file, limits)
    if too_big is not None:
        return [too_big]
    if not data.startswith(ZIP_MAGIC):
        return [_sniff_not_zip(data if data.startswith(OLE_MAGIC) else data[:64 * 1024], file)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return check_archive(archive, file, limits)
    except CORRUPT_ERRORS as exc:
        return [_problem("file-corrupt", file, reason=type(exc).__name__)]


def check_archive(archive: zipfile.ZipFile, file: str,
                  limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Limits on the zip's declared contents, required parts, and DTDs in its XML parts."""
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        sheets = sum(1 for i in entries if part_key(i.filename).startswith("xl/worksheets/sheet"))
        if sheets * 2 > len(entries):  # a real workbook with very many sheets, not a stuffed zip
            return [_problem("workbook-too-many-sheets", file, str(sheets), count=sheets,
                             limit=limits.max_entries)]
        return [_problem("zip-too-many-entries", file, str(len(entries)), count=len(entries),
                         limit=limits.max_entries)]
    total = 0
    for info in entries:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            what = f"“{info.filename}”，压缩比 {ratio:.0f}，{info.file_size} 字节"
            return [_problem("zip-bomb", file, info.filename, what=what)]
        if info.file_size > limits.max_entry_bytes:  # big but compressed as real content is
            return [_problem("part-too-large", file, info.filename, part=_part_label(info.filename),
                             size=info.file_size / 1048576, limit=limits.max_entry_bytes / 1048576)]
    if total > limits.max_total_bytes:
        return [_problem("part-too-large", file, str(total), part="工作簿解压后的全部内容",
                         size=total / 1048576, limit=limits.max_total_bytes / 1048576)]
    names = {part_key(info.filename) for info in entries}
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        if "encryptedpackage" in names:
            return [_problem("file-encrypted", file)]
        if "mimetype" in names and "content.xml" in names:
            return [_problem("file-ods", file)]
        kind = "这是 Word 文档，" if "word/document.xml" in names else (
            "这是二进制工作簿（.xlsb），" if "xl/workbook.bin" in names else "这是其他压缩文件，")
        return [_problem("file-not-xlsx", file, kind=kind)]
    for info in entries:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with archive.open(info) as part:
                prolog = part.read(4096)
        except CORRUPT_ERRORS as exc:
            return [_problem("file-corrupt", file, info.filename,
                             reason=f"“{info.filename}”无法解压：{type(exc).__name__}")]
        if prolog.startswith((b"\xff\xfe", b"\xfe\xff")):
            prolog = prolog.decode("utf-16", errors="ignore").encode("utf-8")
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
            return [_problem("xml-entity", file, info.filename, part=info.filename)]
    return []


def read_entry(archive: zipfile.ZipFile, name: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """An entry's bytes, refusing to inflate beyond the limit whatever the header claims."""
    chunks: list[bytes] = []
    size = 0
    with archive.open(name) as part:
        while chunk := part.read(1024 * 1024):
            size += len(chunk)
            if size > limits.max_entry_bytes:
                raise UnsafeEntry(name)
            chunks.append(chunk)
    return b"".join(chunks)
