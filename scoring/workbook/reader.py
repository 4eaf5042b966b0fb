"""A fast, safe, bounded .xlsx reader: the wanted sheets' cells with cached value and formula.

openpyxl gives either formulas or cached values per load, so telling "a formula whose cached
value is missing" from "a blank" would cost two loads; this reader parses the package parts
directly, with defusedxml, and keeps both. Sheets are parsed as a stream and reading stops at
the first cap (rows, columns, cells with values, XML elements; see ``guard.Limits``), so a
workbook with a 29 MB sheet costs no more than one with a sheet of the template's size. Shared
strings are resolved afterwards, keeping only those the kept cells use. Call the guard first.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import IO, Literal
from xml.etree.ElementTree import Element, ParseError

from defusedxml.ElementTree import fromstring, iterparse

from scoring.workbook.guard import CORRUPT_ERRORS, DEFAULT_LIMITS, Limits, UnsafeEntry, read_entry

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")

CellType = Literal["number", "text", "bool", "error", "date"]

# what a damaged part raises while it is inflated or parsed
_PART_ERRORS: tuple[type[BaseException], ...] = (*CORRUPT_ERRORS, ParseError, UnicodeDecodeError)


class UnreadablePart(Exception):
    """A part of the package cannot be read: damaged, not XML, or holding a value of the wrong kind."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"“{part}”{reason}")
        self.part, self.reason = part, reason


def _int(text: str | None, part: str) -> int:
    """An integer attribute of ``part`` (missing is 0); anything else is a damaged part."""
    try:
        return int(text or 0)
    except ValueError:
        raise UnreadablePart(part, f"中的“{text}”应为整数") from None


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


def split_ref(ref: str) -> tuple[str, int]:
    """``D14`` → (``D``, 14)."""
    match = _REF.match(ref)
    if match is None:
        raise ValueError(ref)
    return match[1], int(match[2])


@dataclass(frozen=True)
class Cell:
    """One cell: its cached or literal value (None when blank) and its formula, if any.

    ``date_format`` and ``percent_format`` say how the cell's number format shows a number.
    """

    ref: str
    row: int
    column: int
    value: str | float | bool | None
    type: CellType
    formula: str | None = None
    date_format: bool = False
    percent_format: bool = False

    @property
    def missing_cached_value(self) -> bool:
        """A formula cell that was saved without its computed value."""
        return self.formula is not None and self.value is None


@dataclass(frozen=True)
class Overflow:
    """Where and why reading a sheet stopped early."""

    ref: str
    reason: str


@dataclass
class Sheet:
    """A worksheet's name, visibility, cells by reference and merged ranges.

    ``overflow`` is set when reading stopped at a cap: the cells after it were not read.
    """

    name: str
    state: str
    cells: dict[str, Cell] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)
    overflow: Overflow | None = None

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

    def rows(self) -> dict[int, list[Cell]]:
        """Cells grouped by row number, each row in column order."""
        out: dict[int, list[Cell]] = {}
        for cell in sorted(self.cells.values(), key=lambda c: (c.row, c.column)):
            out.setdefault(cell.row, []).append(cell)
        return out


@dataclass
class RawWorkbook:
    """Sheets in workbook order (sheets not asked for are listed with no cells)."""

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


class _Capped(io.RawIOBase):
    """A zip entry's stream that raises ``UnsafeEntry`` past ``limit`` bytes."""

    def __init__(self, stream: IO[bytes], name: str, limit: int) -> None:
        self._stream, self._name, self._limit, self._read = stream, name, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        self._read += len(data)
        if self._read > self._limit:
            raise UnsafeEntry(self._name)
        buffer[: len(data)] = data
        return len(data)


def _events(archive: zipfile.ZipFile, name: str, limits: Limits) -> Iterator[tuple[str, Element]]:
    try:
        with archive.open(name) as raw:
            stream = io.BufferedReader(_Capped(raw, name, limits.max_entry_bytes), 256 * 1024)
            yield from iterparse(stream, events=("start", "end"), forbid_dtd=True)
    except _PART_ERRORS as exc:
        raise UnreadablePart(name, f"无法读取（{type(exc).__name__}）") from exc


def _whole(archive: zipfile.ZipFile, name: str, limits: Limits) -> Element:
    """A small part parsed at once."""
    try:
        element: Element = fromstring(read_entry(archive, name, limits), forbid_dtd=True)
    except _PART_ERRORS as exc:
        raise UnreadablePart(name, f"无法读取（{type(exc).__name__}）") from exc
    return element


_DATE_BUILTIN = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_PERCENT_BUILTIN = frozenset({9, 10})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


@dataclass(frozen=True)
class _Styles:
    dated: frozenset[int] = frozenset()
    percent: frozenset[int] = frozenset()


def _styles(archive: zipfile.ZipFile, limits: Limits) -> _Styles:
    """Which cell styles show a number as a date, and which as a percentage."""
    if "xl/styles.xml" not in archive.namelist():
        return _Styles()
    custom: dict[int, str] = {}
    dated: set[int] = set()
    percent: set[int] = set()
    in_xfs = False
    index = 0
    for event, element in _events(archive, "xl/styles.xml", limits):
        tag = _local(element.tag)
        if event == "start":
            if tag == "cellXfs":
                in_xfs, index = True, 0
            continue
        if tag == "numFmt":
            custom[_int(element.get("numFmtId"), "xl/styles.xml")] = element.get("formatCode", "")
        elif tag == "xf" and in_xfs:
            fmt_id = _int(element.get("numFmtId"), "xl/styles.xml")
            code = _QUOTED.sub("", custom.get(fmt_id, "")).lower()
            if fmt_id in _DATE_BUILTIN or any(ch in code for ch in "ydh年月日"):
                dated.add(index)
            elif fmt_id in _PERCENT_BUILTIN or "%" in code:
                percent.add(index)
            index += 1
            if index > limits.max_cells:
                break
        elif tag == "cellXfs":
            in_xfs = False
        if tag in ("numFmt", "xf", "numFmts"):
            element.clear()
    return _Styles(frozenset(dated), frozenset(percent))


def _sheet_targets(archive: zipfile.ZipFile, limits: Limits) -> list[tuple[str, str, str]]:
    """(name, state, part path) of each sheet, in workbook order."""
    workbook = _whole(archive, "xl/workbook.xml", limits)
    rels_name = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels_name in archive.namelist():
        rels = _whole(archive, rels_name, limits)
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


@dataclass
class _Pending:
    """A cell as parsed, before shared strings are resolved."""

    ref: str
    row: int
    column: int
    kind: str
    raw: str | None
    inline: str | None
    formula: str | None
    style: int


def _convert(kind: str, raw: str | None, inline: str | None,
             strings: dict[int, str]) -> tuple[str | float | bool | None, CellType]:
    if kind == "inlineStr":
        return inline, "text"
    if raw is None:
        return None, "text" if kind in ("s", "str") else "number"
    if kind == "s":
        try:
            return strings.get(int(raw)), "text"
        except ValueError:
            return None, "text"
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


class _SheetParser:
    """Streams one worksheet part, keeping cells with a value or formula, within the caps."""

    def __init__(self, sheet: Sheet, limits: Limits) -> None:
        self.sheet, self.limits = sheet, limits
        self.pending: list[_Pending] = []
        self.elements = 0
        self.part = ""

    def _stop(self, ref: str, reason: str) -> None:
        self.sheet.overflow = Overflow(ref, reason)

    def _cell(self, c: Element, row_number: int, column: int) -> tuple[_Pending | None, int]:
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
        if formula is None and (raw is None or raw == "") and not inline:
            return None, column
        assert ref is not None
        return _Pending(ref, row_number, column, c.get("t", "n"), raw, inline, formula,
                        _int(c.get("s"), self.part)), column

    def parse(self, archive: zipfile.ZipFile, part: str) -> list[_Pending]:
        limits = self.limits
        self.part = part
        row_element: Element | None = None
        sheet_data: Element | None = None
        row_number, column = 0, 0
        for event, element in _events(archive, part, limits):
            tag = _local(element.tag)
            if event == "start":
                if tag == "sheetData":
                    sheet_data = element
                elif tag == "row":
                    row_element = element
                    number = element.get("r", "")
                    row_number = int(number) if number.isdigit() else row_number + 1
                    column = 0
                continue
            self.elements += 1
            if self.elements > limits.max_xml_elements:
                self._stop(f"{column_letters(max(column, 1))}{max(row_number, 1)}",
                           f"XML 元素超过 {limits.max_xml_elements} 个")
                break
            if tag == "c":
                pending, column = self._cell(element, row_number, column)
                if row_element is not None:
                    row_element.remove(element)
                if pending is None:
                    continue
                if pending.row > limits.max_rows:
                    self._stop(pending.ref, f"超过 {limits.max_rows} 行")
                    break
                if pending.column > limits.max_columns:
                    self._stop(pending.ref, f"超过 {limits.max_columns} 列")
                    break
                if len(self.pending) >= limits.max_cells:
                    self._stop(pending.ref, f"有内容的单元格超过 {limits.max_cells} 个")
                    break
                self.pending.append(pending)
            elif tag == "row":
                element.clear()
                if sheet_data is not None:
                    sheet_data.remove(element)
                row_element = None
            elif tag == "mergeCell":
                if len(self.sheet.merged) < limits.max_cells:
                    self.sheet.merged.append(element.get("ref", ""))
                element.clear()
            elif tag in ("sheetData", "mergeCells", "cols", "conditionalFormatting", "dataValidations"):
                element.clear()
        return self.pending


def _shared_strings(archive: zipfile.ZipFile, wanted: set[int], limits: Limits) -> dict[int, str]:
    """The shared strings whose index is in ``wanted`` (the others are parsed and dropped)."""
    name = next((n for n in archive.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None or not wanted:
        return {}
    # read to the end even past the last string wanted, so the entry's checksum is verified
    out: dict[int, str] = {}
    index = 0
    depth = 0
    for event, element in _events(archive, name, limits):
        if _local(element.tag) != "si":
            continue
        if event == "start":
            depth += 1
            continue
        depth -= 1
        if index in wanted:
            out[index] = _text_of(element)
        element.clear()
        index += 1
        if index > limits.max_shared_strings:
            break
    return out


def _finish(sheet: Sheet, pending: list[_Pending], strings: dict[int, str], styles: _Styles) -> None:
    for p in pending:
        value, cell_type = _convert(p.kind, p.raw, p.inline, strings)
        if isinstance(value, str) and not value.strip() and p.formula is None:
            continue  # a cell holding only spaces looks blank and is blank
        if value == "":
            value = None
        sheet.cells[p.ref] = Cell(p.ref, p.row, p.column, value, cell_type, p.formula,
                                  p.style in styles.dated, p.style in styles.percent)


def read_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS,
                  sheets: Collection[str] | None = None) -> RawWorkbook:
    """The sheets of a checked .xlsx package (only those named in ``sheets`` are parsed).

    Raises ``UnreadablePart`` on a damaged package or part, defusedxml's errors on DTDs and
    entities, ``UnsafeEntry`` on an entry that inflates past the limit; any other exception is a
    bug in the reader.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except CORRUPT_ERRORS as exc:
        raise UnreadablePart("压缩包", f"无法打开（{type(exc).__name__}）") from exc
    with archive:
        styles = _styles(archive, limits)
        names = set(archive.namelist())
        parsed: list[tuple[Sheet, list[_Pending]]] = []
        for name, state, part in _sheet_targets(archive, limits):
            sheet = Sheet(name=name, state=state)
            pending: list[_Pending] = []
            if part in names and (sheets is None or name in sheets):
                pending = _SheetParser(sheet, limits).parse(archive, part)
            parsed.append((sheet, pending))
        wanted: set[int] = set()
        for _, pending in parsed:
            for p in pending:
                if p.kind == "s" and p.raw is not None and p.raw.strip().isdigit():
                    wanted.add(int(p.raw))
        strings = _shared_strings(archive, wanted, limits)
        for sheet, pending in parsed:
            _finish(sheet, pending, strings, styles)
    return RawWorkbook([sheet for sheet, _ in parsed])
