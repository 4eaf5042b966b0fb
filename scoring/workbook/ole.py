"""What an OLE compound file (the pre-2007 Office container) holds, told by its streams' names.

A Word .doc, a PowerPoint .ppt, an Outlook .msg, a Visio drawing, an encrypted .xlsx, an .xls
with an open password and a WPS .et all start with the same eight bytes; the directory of
streams says which one it is. Only the header, the FAT and the directory are read (bounded), and
for a workbook the first records of its stream, to see a FILEPASS record (an open password).
"""

from __future__ import annotations

import struct

_FREE_OR_END = 0xFFFFFFFA
_MAX_DIRECTORY_SECTORS = 256
_FILEPASS = 0x002F
_BOF = 0x0809


def _sector(data: bytes, number: int, size: int) -> bytes:
    start = (number + 1) * size
    return data[start:start + size]


def _fat(data: bytes, size: int) -> list[int]:
    count = struct.unpack_from("<I", data, 44)[0]
    difat = [n for n in struct.unpack_from("<109I", data, 76) if n < _FREE_OR_END][:count]
    fat: list[int] = []
    for number in difat:
        block = _sector(data, number, size)
        fat.extend(struct.unpack(f"<{len(block) // 4}I", block[: len(block) // 4 * 4]))
    return fat


def _chain(fat: list[int], first: int, limit: int) -> list[int]:
    out: list[int] = []
    number = first
    while number < _FREE_OR_END and number < len(fat) and len(out) < limit and number not in out:
        out.append(number)
        number = fat[number]
    return out


def streams(data: bytes) -> dict[str, tuple[int, int]]:
    """The directory's entries: name → (first sector, size); empty when the header is not sound."""
    if len(data) < 512:
        return {}
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        return {}
    size = 1 << shift
    fat = _fat(data, size)
    first_directory = struct.unpack_from("<I", data, 48)[0]
    out: dict[str, tuple[int, int]] = {}
    for number in _chain(fat, first_directory, _MAX_DIRECTORY_SECTORS):
        block = _sector(data, number, size)
        for offset in range(0, len(block) - 127, 128):
            length = struct.unpack_from("<H", block, offset + 64)[0]
            if not 2 <= length <= 64:
                continue
            name = block[offset:offset + length - 2].decode("utf-16-le", errors="replace")
            start, stream_size = struct.unpack_from("<II", block, offset + 116)
            out[name] = (start, stream_size)
    return out


def has_open_password(data: bytes, start: int) -> bool:
    """Whether a BIFF workbook stream starting at sector ``start`` has a FILEPASS record."""
    shift = struct.unpack_from("<H", data, 30)[0]
    block = _sector(data, start, 1 << shift)
    offset = 0
    for _ in range(40):
        if offset + 4 > len(block):
            return False
        kind, length = struct.unpack_from("<HH", block, offset)
        if kind == _FILEPASS:
            return True
        if offset == 0 and kind != _BOF:
            return False
        offset += 4 + length
    return False


_KNOWN = ("EncryptedPackage", "EncryptionInfo", "WordDocument", "PowerPoint Document", "__substg1.0_",
          "VisioDocument", "Workbook", "Book")


def _names_seen(data: bytes) -> dict[str, tuple[int, int]]:
    """Stream names found anywhere in a file whose directory cannot be followed (a damaged or
    truncated container still says what it was)."""
    return {name: (0, 0) for name in _KNOWN if name.encode("utf-16-le") in data}


def kind_of(data: bytes, file_name: str) -> str:
    """``encrypted`` (an encrypted .xlsx), ``xls_password``, ``word``, ``powerpoint``, ``outlook``,
    ``visio``, ``wps_et``, ``xls`` or ``unknown`` for an OLE compound file."""
    names = streams(data) or _names_seen(data)
    lowered = {n.lower() for n in names}
    if "encryptedpackage" in lowered or "encryptioninfo" in lowered:
        return "encrypted"
    if "worddocument" in lowered:
        return "word"
    if "powerpoint document" in lowered:
        return "powerpoint"
    if any(n.startswith("__substg1.0_") or n.startswith("__properties_version1.0") for n in lowered):
        return "outlook"
    if "visiodocument" in lowered:
        return "visio"
    workbook = next((names[n] for n in names if n.lower() in ("workbook", "book")), None)
    if workbook is not None and workbook[1] >= 4096 and has_open_password(data, workbook[0]):
        return "xls_password"
    if file_name.lower().endswith(".et") or any(n.lower().startswith("wps") for n in names):
        return "wps_et"
    if workbook is not None:
        return "xls"
    return "unknown"
