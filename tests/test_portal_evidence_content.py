"""The evidence content check over real files: PDFs from WeasyPrint, images from Pillow, Office files
from python-docx and openpyxl, and hostile files made by hand."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest
from PIL import Image
from weasyprint import HTML

from scoring.portal.evidence.content import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    EvidenceLimits,
    EvidenceRefused,
    check_evidence,
)

LIMITS = EvidenceLimits()


def pdf_bytes(text: str = "工作方案") -> bytes:
    return HTML(string=f"<p>{text}</p>").write_pdf()


def image_bytes(kind: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("2022 年工作总结")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["案件", 12])  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("name", "make", "expected"), [
    ("方案.pdf", pdf_bytes, PDF),
    ("现场.png", lambda: image_bytes("PNG"), PNG),
    ("现场.JPG", lambda: image_bytes("JPEG"), JPEG),
    ("现场.jpeg", lambda: image_bytes("JPEG"), JPEG),
    ("总结.docx", docx_bytes, DOCX),
    ("台账.xlsx", xlsx_bytes, XLSX),
])
def test_real_files_are_recognised(name, make, expected) -> None:
    assert check_evidence(make(), name, LIMITS) is expected


def refusal(data: bytes, name: str, limits: EvidenceLimits = LIMITS) -> EvidenceRefused:
    with pytest.raises(EvidenceRefused) as caught:
        check_evidence(data, name, limits)
    assert caught.value.message  # a Chinese message, rendered from the catalogue
    return caught.value


def test_renamed_executable_is_refused_as_executable() -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode"
    for name in ("方案.pdf", "setup.exe", "总结.docx"):
        assert refusal(exe, name).code == "evidence-executable"
    assert refusal(b"#!/bin/sh\nrm -rf /\n", "run.pdf").code == "evidence-executable"


def test_html_renamed_pdf_and_polyglot_are_refused() -> None:
    page = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    assert refusal(page, "方案.pdf").code == "evidence-markup"
    polyglot = b"%PDF-1.4\n<html><script>alert(document.cookie)</script>\n" + pdf_bytes()[9:]
    assert refusal(polyglot, "方案.pdf").code == "evidence-markup"
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'
    assert refusal(svg, "图.png").code == "evidence-markup"


def test_extension_must_match_content() -> None:
    error = refusal(pdf_bytes(), "现场.png")
    assert error.code == "evidence-extension-mismatch"
    assert "PDF" in error.message and ".png" in error.message
    assert refusal(docx_bytes(), "台账.xlsx").code == "evidence-extension-mismatch"
    assert refusal(pdf_bytes(), "方案.txt").code == "evidence-type-not-allowed"
    assert refusal(b"just some text", "说明.pdf").code == "evidence-type-unknown"


def test_size_limits() -> None:
    big = pdf_bytes()
    error = refusal(big, "扫描件.pdf", EvidenceLimits(max_bytes=len(big) - 1))
    assert error.code == "evidence-too-large" and "上限" in error.message
    assert refusal(b"", "空.pdf").code == "evidence-empty"
    assert refusal(image_bytes("PNG", (400, 300)), "大图.png",
                   EvidenceLimits(max_pixels=100_000)).code == "evidence-too-large-image"
    assert refusal(image_bytes("JPEG", (400, 300)), "大图.jpg",
                   EvidenceLimits(max_pixels=100_000)).code == "evidence-too-large-image"


def test_zip_bomb_as_docx_is_refused() -> None:
    good = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    entries = {info.filename: good.read(info) for info in good.infolist()}
    entries["word/media/huge.xml"] = b"\x00" * (50 * 1024 * 1024)
    error = refusal(zipped(entries), "总结.docx")
    assert error.code == "evidence-zip-bomb"


def test_dangerous_archive_entries_are_refused() -> None:
    base = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    assert refusal(zipped({**base, "../../etc/cron.d/x": b"x"}), "总结.docx").code == "evidence-unsafe-entry"
    assert refusal(zipped({**base, "word/embeddings/run.exe": b"MZ"}), "总结.docx").code == \
        "evidence-active-content"
    assert refusal(zipped({**base, "word/vbaProject.bin": b"\x00"}), "总结.docx").code == \
        "evidence-active-content"
    assert refusal(zipped({"a.txt": b"x"}), "总结.docx").code == "evidence-type-unknown"


def test_encrypted_and_active_pdfs_are_refused() -> None:
    data = pdf_bytes()
    encrypted = data.replace(b"/Root", b"/Encrypt 9 0 R /Root", 1)
    assert refusal(encrypted, "方案.pdf").code == "evidence-encrypted"
    scripted = data.replace(b"/Root", b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> /Root", 1)
    assert refusal(scripted, "方案.pdf").code == "evidence-active-content"
    assert refusal(data[: len(data) // 2], "方案.pdf").code == "evidence-corrupt"


def test_encrypted_or_legacy_office_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert refusal(ole, "总结.docx").code == "evidence-legacy-office"
