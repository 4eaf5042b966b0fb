"""Files that are not workbooks, or are hostile, are refused before parsing with a clear code."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import workbooks as wbs

from scoring.workbook.guard import Limits, UnsafeEntry, read_entry
from scoring.workbook.reader import read_workbook
from scoring.workbook.upload import check_file


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    return wbs.small_xlsx(tmp_path / "good.xlsx")


def test_a_real_workbook_passes_and_reads(good: Path) -> None:
    assert check_file(good) == []
    book = read_workbook(good.read_bytes())
    assert book.names == ["工作数据", "任务落实"]
    data = book.sheet("工作数据")
    assert data is not None
    assert data.value("D2") == 20.0 and data.value("B1") == "名称"
    assert data.get("D12") is not None and data.get("D12").missing_cached_value  # type: ignore[union-attr]
    assert data.merged == ["F2:G3"]


BuildBad = Callable[[Path, Path], Path]

CASES: list[tuple[str, BuildBad, str]] = [
    ("empty", lambda good, p: (p.write_bytes(b""), p)[1], "file-empty"),
    ("legacy-xls", lambda good, p: wbs.legacy_xls(p), "file-legacy-xls"),
    ("encrypted", lambda good, p: wbs.encrypted_xlsx(p), "file-encrypted"),
    ("csv", lambda good, p: wbs.csv_renamed(p), "file-csv"),
    ("html", lambda good, p: wbs.html_renamed(p), "file-html"),
    ("truncated", lambda good, p: wbs.truncated(good, p), "file-corrupt"),
    ("zip-bomb", lambda good, p: wbs.zip_bomb(good, p), "zip-bomb"),
    ("many-entries", lambda good, p: wbs.many_entries(good, p), "zip-too-many-entries"),
    ("entities", lambda good, p: wbs.entity_attack(good, p), "xml-entity"),
    ("docx", lambda good, p: wbs.docx_renamed(p), "file-not-xlsx"),
    ("ods", lambda good, p: wbs.ods_like(p), "file-ods"),
    ("pdf", lambda good, p: (p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), p)[1], "file-pdf"),
    ("random", lambda good, p: (p.write_bytes(bytes(range(256)) * 8), p)[1], "file-not-xlsx"),
]


@pytest.mark.parametrize("name, build, code", CASES, ids=[c[0] for c in CASES])
def test_bad_files_are_refused_with_their_code(good: Path, tmp_path: Path, name: str,
                                               build: BuildBad, code: str) -> None:
    path = build(good, tmp_path / f"{name}.xlsx")
    problems = check_file(path)
    assert [p.code for p in problems] == [code]
    assert problems[0].file == path.name and problems[0].severity == "error"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problems[0].message)


def test_oversized_file_is_refused_before_reading(good: Path) -> None:
    problems = check_file(good, Limits(max_file_bytes=100))
    assert [p.code for p in problems] == ["file-too-large"]


def test_entries_are_not_inflated_beyond_the_limit(good: Path) -> None:
    with zipfile.ZipFile(good) as archive:
        with pytest.raises(UnsafeEntry):
            read_entry(archive, "xl/worksheets/sheet1.xml", Limits(max_entry_bytes=100))
