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
import math
import posixpath
import re
import zipfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Literal
from xml.etree.ElementTree import Element, ParseError

from defusedxml.ElementTree import fromstring, iterparse

from scoring.workbook.guard import CORRUPT_ERRORS, DEFAULT_LIMITS, Limits, UnsafeEntry, part_key, read_entry

# SpreadsheetML's own elements, in the Transitional and the Strict namespace (Excel reads both);
# a drawing anchor's ``xdr:row`` or a form control's elements inside a sheet part are not rows
_MAIN_NS = frozenset({"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                      "http://purl.oclc.org/ooxml/spreadsheetml/main", ""})
_REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "http://purl.oclc.org/ooxml/officeDocument/relationships")
_PACKAGE_RELS_NS = frozenset({"http://schemas.openxmlformats.org/package/2006/relationships", ""})
# Excel refuses a number format code longer than this; the reader refuses it too, before any work
MAX_FORMAT_CODE = 255
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


def _local(tag: str, namespaces: Collection[str] = _MAIN_NS) -> str | None:
    """The element's local name when it is in one of ``namespaces`` (SpreadsheetML), else None."""
    namespace, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    return local if namespace in namespaces else None


class Parts:
    """The package's entries by ``part_key`` (Excel opens ``XL\\Worksheets\\Sheet1.xml`` too)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.names: dict[str, str] = {}
        for name in archive.namelist():
            self.names.setdefault(part_key(name), name)

    def get(self, name: str) -> str | None:
        """The entry's real name, or None when the package has no such part."""
        return self.names.get(part_key(name))


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

    ``date_format`` and ``percent_format`` say how the cell's number format shows a number;
    ``percent_decimals``, how many decimals a percentage format shows (``0.0%``: 1).
    """

    ref: str
    row: int
    column: int
    value: str | float | bool | None
    type: CellType
    formula: str | None = None
    date_format: bool = False
    percent_format: bool = False
    percent_decimals: int = 0

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
_PERCENT_BUILTIN = {9: 0, 10: 2}
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


@dataclass(frozen=True)
class _Styles:
    """The styles showing a number as a date, and those showing it as a percentage (with the
    decimals each shows)."""

    dated: frozenset[int] = frozenset()
    percent: Mapping[int, int] = field(default_factory=dict)


def _format_kind(fmt_id: int, code: str) -> str | None:
    """``date``, ``percent`` or None for a number format (built-in id, or a custom code)."""
    plain = _QUOTED.sub("", code).lower()
    if fmt_id in _DATE_BUILTIN or any(ch in plain for ch in "ydh年月日"):
        return "date"
    if fmt_id in _PERCENT_BUILTIN or "%" in plain:
        return "percent"
    return None


def _percent_decimals(fmt_id: int, code: str) -> int:
    """The decimals a percentage format shows: the built-in's, else the ``0`` and ``#`` after the
    decimal point of the code's first section (``0.0%`` → 1, ``0%`` → 0)."""
    if fmt_id in _PERCENT_BUILTIN and not code:
        return _PERCENT_BUILTIN[fmt_id]
    first = _QUOTED.sub("", code).split(";")[0]
    if "." not in first:
        return 0
    after = first.split(".", 1)[1]
    return len(after) - len(after.lstrip("0#"))


def _styles(archive: zipfile.ZipFile, parts: Parts, limits: Limits) -> _Styles:
    """Which cell styles show a number as a date, and which as a percentage.

    Each number format is classified once, however many styles use it, and a format code longer
    than Excel allows (255 characters) makes the part unreadable, as Excel finds it.
    """
    name = parts.get("xl/styles.xml")
    if name is None:
        return _Styles()
    kinds: dict[int, str | None] = {}
    decimals: dict[int, int] = {}
    dated: set[int] = set()
    percent: dict[int, int] = {}
    in_xfs = False
    index = 0
    for event, element in _events(archive, name, limits):
        tag = _local(element.tag)
        if event == "start":
            if tag == "cellXfs":
                in_xfs, index = True, 0
            continue
        if tag == "numFmt":
            code = element.get("formatCode", "")
            if len(code) > MAX_FORMAT_CODE:
                raise UnreadablePart(name, f"中的数字格式代码长达 {len(code)} 个字符"
                                           f"（Excel 上限 {MAX_FORMAT_CODE} 个）")
            fmt_id = _int(element.get("numFmtId"), name)
            kinds[fmt_id] = _format_kind(fmt_id, code)
            decimals[fmt_id] = _percent_decimals(fmt_id, code)
            if len(kinds) > limits.max_cells:
                raise UnreadablePart(name, f"中的数字格式超过 {limits.max_cells} 个")
        elif tag == "xf" and in_xfs:
            fmt_id = _int(element.get("numFmtId"), name)
            if fmt_id not in kinds:
                kinds[fmt_id] = _format_kind(fmt_id, "")
            kind = kinds[fmt_id]
            if kind == "date":
                dated.add(index)
            elif kind == "percent":
                percent[index] = decimals.get(fmt_id, _percent_decimals(fmt_id, ""))
            index += 1
            if index > limits.max_cells:
                break
        elif tag == "cellXfs":
            in_xfs = False
        if tag in ("numFmt", "xf", "numFmts"):
            element.clear()
    return _Styles(frozenset(dated), percent)


def _sheet_targets(archive: zipfile.ZipFile, parts: Parts, workbook_part: str,
                   limits: Limits) -> list[tuple[str, str, str]]:
    """(name, state, part path) of each sheet, in workbook order."""
    workbook = _whole(archive, workbook_part, limits)
    folder = posixpath.dirname(part_key(workbook_part))
    rels_name = parts.get(f"{folder}/_rels/{posixpath.basename(part_key(workbook_part))}.rels")
    targets: dict[str, str] = {}
    if rels_name is not None:
        rels = _whole(archive, rels_name, limits)
        for rel in rels:
            if _local(rel.tag, _PACKAGE_RELS_NS) != "Relationship":
                continue
            target = rel.get("Target", "").replace("\\", "/")
            path = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
            targets[rel.get("Id", "")] = part_key(path)
    out: list[tuple[str, str, str]] = []
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rel_id = next((found for ns in _REL_NS if (found := element.get(f"{{{ns}}}id"))),
                      element.get("id") or "")
        out.append((element.get("name", ""), element.get("state", "visible"), targets.get(rel_id, "")))
    return out


def workbook_part(parts: Parts) -> str | None:
    """The workbook part: ``xl/workbook.xml`` in any case or slash, as Excel finds it."""
    return parts.get("xl/workbook.xml")


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
        number = float(raw)
    except ValueError:
        return raw, "text"
    # Excel writes no infinity or NaN: such a value (a hand-made file) is text, reported as not a number
    return (number, "number") if math.isfinite(number) else (raw, "text")


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


def _shared_strings(archive: zipfile.ZipFile, parts: Parts, wanted: set[int],
                    limits: Limits) -> dict[int, str]:
    """The shared strings whose index is in ``wanted`` (the others are parsed and dropped)."""
    name = parts.get("xl/sharedStrings.xml")
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
                                  p.style in styles.dated, p.style in styles.percent,
                                  styles.percent.get(p.style, 0))


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
        parts = Parts(archive)
        book_part = workbook_part(parts)
        if book_part is None:
            raise UnreadablePart("压缩包", "中没有工作簿部件（xl/workbook.xml）")
        styles = _styles(archive, parts, limits)
        parsed: list[tuple[Sheet, list[_Pending]]] = []
        for name, state, key in _sheet_targets(archive, parts, book_part, limits):
            sheet = Sheet(name=name, state=state)
            pending: list[_Pending] = []
            part = parts.get(key) if key else None
            if part is not None and (sheets is None or name in sheets):
                pending = _SheetParser(sheet, limits).parse(archive, part)
            parsed.append((sheet, pending))
        wanted: set[int] = set()
        for _, pending in parsed:
            for p in pending:
                if p.kind == "s" and p.raw is not None and p.raw.strip().isdigit():
                    wanted.add(int(p.raw))
        strings = _shared_strings(archive, parts, wanted, limits)
        for sheet, pending in parsed:
            _finish(sheet, pending, strings, styles)
    return RawWorkbook([sheet for sheet, _ in parsed])
