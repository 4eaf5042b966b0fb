"""A fast, safe .xlsx reader: every sheet's cells with their cached value and formula, in one pass.

openpyxl gives either formulas or cached values per load, so telling "a formula whose cached
value is missing" from "a blank" would cost two loads; this reader parses the package parts
directly, with defusedxml, and keeps both. Call ``guard.check_file`` first.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from scoring.workbook.guard import DEFAULT_LIMITS, Limits, read_entry

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")

CellType = Literal["number", "text", "bool", "error", "date"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def column_index(letters: str) -> int:
    """``A`` → 1, ``AB`` → 28."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def column_letters(index: int) -> str:
    """1 → ``A``, 28 → ``AB``."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Cell:
    """One cell: its cached or literal value (None when blank) and its formula, if any."""

    ref: str
    row: int
    column: int
    value: str | float | bool | None
    type: CellType
    formula: str | None = None
    date_format: bool = False

    @property
    def missing_cached_value(self) -> bool:
        """A formula cell that was saved without its computed value."""
        return self.formula is not None and self.value is None


@dataclass
class Sheet:
    """A worksheet's name, visibility, cells by reference and merged ranges."""

    name: str
    state: str
    cells: dict[str, Cell] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)

    @property
    def max_row(self) -> int:
        return max((c.row for c in self.cells.values()), default=0)

    def get(self, ref: str) -> Cell | None:
        """The cell at ``ref`` (``D14``), or None when it holds nothing."""
        return self.cells.get(ref)

    def value(self, ref: str) -> str | float | bool | None:
        """The value at ``ref``, None when blank."""
        cell = self.cells.get(ref)
        return None if cell is None else cell.value


@dataclass
class RawWorkbook:
    """Sheets in workbook order."""

    sheets: list[Sheet]

    def sheet(self, name: str) -> Sheet | None:
        return next((s for s in self.sheets if s.name == name), None)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sheets]


def _text_of(element: Element) -> str:
    """Concatenated <t> text of a shared or inline string, phonetic runs left out."""
    parts: list[str] = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile, limits: Limits) -> list[str]:
    name = next((n for n in archive.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return []
    root = fromstring(read_entry(archive, name, limits), forbid_dtd=True)
    return [_text_of(si) for si in root if _local(si.tag) == "si"]


_DATE_BUILTIN = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _date_styles(archive: zipfile.ZipFile, limits: Limits) -> frozenset[int]:
    """Indexes of cell styles whose number format shows a date (built-in or custom)."""
    if "xl/styles.xml" not in archive.namelist():
        return frozenset()
    root = fromstring(read_entry(archive, "xl/styles.xml", limits), forbid_dtd=True)
    custom: dict[int, str] = {}
    dated: set[int] = set()
    for element in root:
        tag = _local(element.tag)
        if tag == "numFmts":
            for fmt in element:
                custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        elif tag == "cellXfs":
            for index, xf in enumerate(element):
                fmt_id = int(xf.get("numFmtId", "0") or 0)
                code = _QUOTED.sub("", custom.get(fmt_id, "")).lower()
                if fmt_id in _DATE_BUILTIN or any(ch in code for ch in "ydh年月日"):
                    dated.add(index)
    return frozenset(dated)


def _sheet_targets(archive: zipfile.ZipFile, limits: Limits) -> list[tuple[str, str, str]]:
    """(name, state, part path) of each sheet, in workbook order."""
    workbook = fromstring(read_entry(archive, "xl/workbook.xml", limits), forbid_dtd=True)
    rels_name = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels_name in archive.namelist():
        rels = fromstring(read_entry(archive, rels_name, limits), forbid_dtd=True)
        for rel in rels:
            target = rel.get("Target", "")
            targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    out: list[tuple[str, str, str]] = []
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rel_id = element.get(f"{{{_REL_NS}}}id") or element.get("id") or ""
        out.append((element.get("name", ""), element.get("state", "visible"), targets.get(rel_id, "")))
    return out


def _convert(kind: str, raw: str | None, inline: str | None,
             strings: list[str]) -> tuple[str | float | bool | None, CellType]:
    if kind == "inlineStr":
        return inline, "text"
    if raw is None:
        return None, "text" if kind in ("s", "str") else "number"
    if kind == "s":
        index = int(raw)
        return (strings[index] if 0 <= index < len(strings) else None), "text"
    if kind == "str":
        return raw, "text"
    if kind == "b":
        return raw.strip() in ("1", "true"), "bool"
    if kind == "e":
        return raw, "error"
    if kind == "d":
        return raw, "date"
    try:
        return float(raw), "number"
    except ValueError:
        return raw, "text"


def _parse_sheet(data: bytes, name: str, state: str, strings: list[str],
                 date_styles: frozenset[int]) -> Sheet:
    sheet = Sheet(name=name, state=state)
    root = fromstring(data, forbid_dtd=True)
    for element in root:
        tag = _local(element.tag)
        if tag == "sheetData":
            for row in element:
                row_number = int(row.get("r", "0") or 0)
                column = 0
                for c in row:
                    if _local(c.tag) != "c":
                        continue
                    ref = c.get("r")
                    match = _REF.match(ref) if ref else None
                    if match:
                        column, row_number = column_index(match[1]), int(match[2])
                    else:
                        column += 1
                        ref = f"{column_letters(column)}{row_number}"
                    formula: str | None = None
                    raw: str | None = None
                    inline: str | None = None
                    for child in c:
                        child_tag = _local(child.tag)
                        if child_tag == "f":
                            formula = child.text or ""
                        elif child_tag == "v":
                            raw = child.text
                        elif child_tag == "is":
                            inline = _text_of(child)
                    value, cell_type = _convert(c.get("t", "n"), raw, inline, strings)
                    if value == "" and formula is None:
                        value = None
                    if value is None and formula is None:
                        continue
                    dated = int(c.get("s", "0") or 0) in date_styles
                    sheet.cells[ref] = Cell(ref, row_number, column, value, cell_type, formula, dated)
        elif tag == "mergeCells":
            sheet.merged.extend(m.get("ref", "") for m in element if _local(m.tag) == "mergeCell")
    return sheet


def read_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> RawWorkbook:
    """Every sheet of a checked .xlsx file. Raises zipfile/XML/defusedxml errors on broken parts."""
    with zipfile.ZipFile(path) as archive:
        strings = _shared_strings(archive, limits)
        date_styles = _date_styles(archive, limits)
        sheets = []
        for name, state, part in _sheet_targets(archive, limits):
            if part not in archive.namelist():
                sheets.append(Sheet(name=name, state=state))
                continue
            sheets.append(_parse_sheet(read_entry(archive, part, limits), name, state, strings,
                                       date_styles))
    return RawWorkbook(sheets)
