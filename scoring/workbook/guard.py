"""Checks made on an uploaded file's bytes before any XML is parsed: is it an .xlsx, and is it safe.

Limits (size, number of zip entries, expanded size, expansion ratio) are checked on the zip's
central directory first and enforced again while reading, since a hostile file can lie about
its sizes. XML parts that declare a DTD or entities are refused before parsing; parsing itself
goes through defusedxml (see ``reader``). Reading the bytes from disk (type and size first, then
a capped read) is ``upload``'s job.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from scoring.problems import Problem, Severity

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


class UnsafeEntry(Exception):
    """A zip entry turned out larger than allowed while it was being read."""


MESSAGES: dict[str, str] = {
    "file-empty": "文件为空（0 字节），请重新保存后上传",
    "file-too-large": "文件过大（{size:.1f} MB，上限 {limit:.0f} MB），未读取；报送工作簿通常不到 1 MB，"
                      "请确认文件无误后另存为 .xlsx 再上传",
    "file-unreadable": "无法读取文件（{reason}）",
    "file-missing": "文件不存在（或是指向不存在文件的快捷方式）",
    "file-is-folder": "这是一个文件夹，不是工作簿文件；请把填好的 .xlsx 工作簿本身放入报送目录",
    "file-not-regular": "这不是普通文件（{kind}），已拒绝读取；请上传填好的 .xlsx 工作簿",
    "file-encrypted": "文件设有打开密码（已加密），无法读取；请取消密码后另存为 .xlsx 再上传",
    "file-legacy-xls": "这是旧版 Excel 97-2003 文件（.xls），"
                       "请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再上传",
    "file-wps-et": "这是 WPS 表格文件（.et），请在 WPS 中“另存为”Excel 工作簿（.xlsx）后再上传",
    "file-ods": "这是 OpenDocument 表格（.ods，LibreOffice/WPS 的默认格式），"
                "请“另存为”Excel 工作簿（.xlsx）后再上传",
    "file-pdf": "这是 PDF 文件，无法读取其中的数据；请上传填好的 Excel 工作簿（.xlsx），"
                "PDF 可作为佐证材料另行报送",
    "file-html": "这是网页（HTML）或 XML 文件改了扩展名，不是 Excel 工作簿；请用本年度模板填写后保存为 .xlsx",
    "file-csv": "这是 CSV 或文本文件改了扩展名，不是 Excel 工作簿；请用本年度模板填写后保存为 .xlsx",
    "file-not-xlsx": "{kind}不是 Excel 工作簿（.xlsx），请用本年度模板填写后上传",
    "file-corrupt": "文件已损坏或不完整（{reason}），请重新保存后上传",
    "zip-too-many-entries": "压缩包内文件过多（{count} 个，上限 {limit} 个），疑似恶意文件，已拒绝",
    "zip-bomb": "解压后过大（{what}：{size} 字节），疑似压缩炸弹，已拒绝",
    "xml-entity": "文件中“{part}”含有 DTD/实体声明，疑似 XML 实体攻击，已拒绝",
}


def _problem(code: str, file: str, value: str | None = None, **fields: object) -> Problem:
    return Problem(code=code, severity=Severity.ERROR, message=MESSAGES[code].format(**fields),
                   file=file, value=value)


def _sniff_not_zip(head: bytes, file: str) -> Problem:
    if head.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in head or b"EncryptionInfo" in head or \
                "EncryptionInfo".encode("utf-16-le") in head:
            return _problem("file-encrypted", file)
        if file.lower().endswith(".et"):
            return _problem("file-wps-et", file)
        return _problem("file-legacy-xls", file)
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
        return [_sniff_not_zip(data[:64 * 1024], file)]
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
        return [_problem("zip-too-many-entries", file, str(len(entries)), count=len(entries),
                         limit=limits.max_entries)]
    total = 0
    for info in entries:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.max_entry_bytes or (
                info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio):
            return [_problem("zip-bomb", file, info.filename, what=f"“{info.filename}”，压缩比 {ratio:.0f}",
                             size=info.file_size)]
    if total > limits.max_total_bytes:
        return [_problem("zip-bomb", file, str(total), what="总大小", size=total)]
    names = {info.filename for info in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        if "EncryptedPackage" in names:
            return [_problem("file-encrypted", file)]
        if "mimetype" in names and "content.xml" in names:
            return [_problem("file-ods", file)]
        kind = "这是 Word 文档，" if "word/document.xml" in names else (
            "这是二进制工作簿（.xlsb），" if "xl/workbook.bin" in names else "这是其他压缩文件，")
        return [_problem("file-not-xlsx", file, kind=kind)]
    for info in entries:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
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
