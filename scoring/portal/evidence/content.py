"""What an evidence file really is, read from its bytes: a pure check with no database or web.

``check_evidence(data, file_name, limits)`` returns the file's ``EvidenceKind`` (PDF, PNG, JPEG,
Word .docx, Excel .xlsx) or raises ``EvidenceRefused`` with a catalogued code and its Chinese
message. The type comes from the content (magic bytes and structure), never from the name alone; a
name whose extension does not match the content is refused, as are executables, scripts, web pages,
polyglots (a web page hidden in another file's first bytes), PDFs carrying JavaScript or encryption,
encrypted or macro-carrying Office files, and ZIP containers with dangerous entries or bomb ratios.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass

from scoring.problems import kind


@dataclass(frozen=True)
class EvidenceLimits:
    """Caps on one file (bytes), on an Office file's unpacked size and entries, and on image pixels."""

    max_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_ratio: int = 100
    max_entries: int = 2000
    max_pixels: int = 80_000_000


@dataclass(frozen=True)
class EvidenceKind:
    """A recognised type: its label, media type, accepted extensions and whether a page shows it."""

    label: str
    media_type: str
    extensions: tuple[str, ...]
    inline: bool


PDF = EvidenceKind("PDF 文档", "application/pdf", (".pdf",), True)
PNG = EvidenceKind("PNG 图片", "image/png", (".png",), True)
JPEG = EvidenceKind("JPEG 图片", "image/jpeg", (".jpg", ".jpeg"), True)
DOCX = EvidenceKind("Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    (".docx",), False)
XLSX = EvidenceKind("Excel 工作簿", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    (".xlsx",), False)
KINDS = (PDF, PNG, JPEG, DOCX, XLSX)
ALLOWED = tuple(ext for k in KINDS for ext in k.extensions)


class EvidenceRefused(Exception):
    """A file that is not stored: ``code`` from the catalogue and its Chinese ``message``."""

    def __init__(self, code: str, **fields: object) -> None:
        self.code = code
        self.message = kind(code).message(**fields)
        super().__init__(self.message)


_EXECUTABLE = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
               b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!", b"\x00asm")
_MARKUP = re.compile(rb"<\s*(html|script|svg|body|iframe|!doctype|head|object|embed|meta)\b", re.I)
_DANGEROUS_ENTRY = re.compile(r"\.(exe|dll|com|bat|cmd|ps1|vbs|js|jse|wsf|scr|msi|sh|jar|hta|lnk)$", re.I)
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


def _extension(file_name: str) -> str:
    dot = file_name.rfind(".")
    return file_name[dot:].lower() if dot > 0 else ""


def _check_pdf(data: bytes) -> EvidenceKind:
    if b"%%EOF" not in data[-2048:]:
        raise EvidenceRefused("evidence-corrupt", kind=PDF.label, reason="缺少文件结尾标记 %%EOF")
    if b"/Encrypt" in data:
        raise EvidenceRefused("evidence-encrypted", kind=PDF.label)
    active = _PDF_ACTIVE.search(data)
    if active:
        raise EvidenceRefused("evidence-active-content", what=f"PDF 中的 {active.group(1).decode()} 动作")
    return PDF


def _check_png(data: bytes) -> EvidenceKind:
    if len(data) < 33 or data[12:16] != b"IHDR" or not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        raise EvidenceRefused("evidence-corrupt", kind=PNG.label, reason="文件头或结尾块不完整")
    return PNG


def _check_jpeg(data: bytes) -> EvidenceKind:
    if b"\xff\xd9" not in data[-64:]:
        raise EvidenceRefused("evidence-corrupt", kind=JPEG.label, reason="缺少图像结束标记")
    return JPEG


def _image_size(data: bytes, found: EvidenceKind, limits: EvidenceLimits) -> None:
    """An image's pixel count is capped (a small file can decode to gigabytes)."""
    width = height = 0
    if found is PNG:
        width, height = struct.unpack(">II", data[16:24])
    else:
        at = 2
        while at + 9 < len(data):
            if data[at] != 0xFF:
                break
            marker = data[at + 1]
            length = struct.unpack(">H", data[at + 2:at + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[at + 5:at + 9])
                break
            at += 2 + length
    if width * height > limits.max_pixels:
        raise EvidenceRefused("evidence-too-large-image", width=width, height=height)


def _check_office(data: bytes, extension: str, limits: EvidenceLimits) -> EvidenceKind:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise EvidenceRefused("evidence-corrupt", kind="Office 文件", reason=type(exc).__name__) from None
    if len(entries) > limits.max_entries:
        raise EvidenceRefused("evidence-unsafe-entry",
                              entry=f"共 {len(entries)} 个文件，超过 {limits.max_entries} 个")
    unpacked = 0
    for entry in entries:
        name = entry.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name:
            raise EvidenceRefused("evidence-unsafe-entry", entry=name)
        if _DANGEROUS_ENTRY.search(name) or name.lower().endswith("vbaproject.bin"):
            raise EvidenceRefused("evidence-active-content", what=f"内嵌的 {name}")
        if entry.flag_bits & 0x1:
            raise EvidenceRefused("evidence-encrypted", kind="Office 文件")
        unpacked += entry.file_size
        if entry.compress_size and entry.file_size / entry.compress_size > limits.max_ratio:
            raise EvidenceRefused("evidence-zip-bomb", what=f"“{name}”压缩比超过 {limits.max_ratio} 倍")
    if unpacked > limits.max_unpacked_bytes:
        raise EvidenceRefused("evidence-zip-bomb",
                              what=f"解压后共 {unpacked / 1024 / 1024:.0f} MB，上限 "
                                   f"{limits.max_unpacked_bytes / 1024 / 1024:.0f} MB")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        raise EvidenceRefused("evidence-type-unknown", name=extension or "无扩展名")
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise EvidenceRefused("evidence-type-unknown", name="Office 文件（不是 Word 或 Excel）")


def _sniff(data: bytes, extension: str, limits: EvidenceLimits) -> EvidenceKind:
    head = data[:1024]
    if head.startswith(_EXECUTABLE):
        raise EvidenceRefused("evidence-executable")
    if _MARKUP.search(head):
        raise EvidenceRefused("evidence-markup")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise EvidenceRefused("evidence-legacy-office")
    if head.startswith(b"%PDF-"):
        return _check_pdf(data)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = _check_png(data)
    elif head.startswith(b"\xff\xd8\xff"):
        found = _check_jpeg(data)
    elif head.startswith(b"PK\x03\x04"):
        return _check_office(data, extension, limits)
    else:
        raise EvidenceRefused("evidence-type-unknown", name=extension or "无扩展名")
    _image_size(data, found, limits)
    return found


def check_evidence(data: bytes, file_name: str, limits: EvidenceLimits) -> EvidenceKind:
    """The kind of an evidence file from its content, or ``EvidenceRefused`` saying why not."""
    extension = _extension(file_name)
    if not data:
        raise EvidenceRefused("evidence-empty")
    if len(data) > limits.max_bytes:
        raise EvidenceRefused("evidence-too-large", size=len(data) / 1024 / 1024,
                              limit=limits.max_bytes / 1024 / 1024)
    if extension not in ALLOWED:
        # the content is still looked at first, so a renamed executable is named as one
        _sniff(data, extension, limits)
        raise EvidenceRefused("evidence-type-not-allowed", name=extension or "无扩展名")
    found = _sniff(data, extension, limits)
    if extension not in found.extensions:
        raise EvidenceRefused("evidence-extension-mismatch", extension=extension, kind=found.label)
    return found
