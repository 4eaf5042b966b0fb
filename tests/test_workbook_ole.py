"""Every OLE compound file is named by its streams and told what to do (issue 19 item 5): a Word
.doc, a PowerPoint .ppt, an Outlook .msg and a Visio drawing are not "an old .xls"; an .xls with an
open password is said to need its password; an encrypted .xlsx and a WPS .et keep their own codes."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from workbooks import ole_file

from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

BIFF_BOF = struct.pack("<HH", 0x0809, 16) + b"\0" * 16
FILEPASS = struct.pack("<HH", 0x002F, 4) + b"\1\0\1\0"
CASES = {
    "报送.doc": ({"WordDocument": b"\xec\xa5", "1Table": b""}, "file-word-doc", "Word 文档"),
    "报送.ppt": ({"PowerPoint Document": b"", "Current User": b""}, "file-powerpoint", "PowerPoint"),
    "报送.msg": ({"__substg1.0_0037001F": b"", "__properties_version1.0": b""}, "file-outlook-msg",
               "Outlook 邮件"),
    "报送.vsd": ({"VisioDocument": b""}, "file-visio", "Visio"),
    "报送.xls": ({"Workbook": BIFF_BOF + FILEPASS}, "file-xls-password", "打开密码"),
    "旧表.xls": ({"Workbook": BIFF_BOF}, "file-legacy-xls", "另存为"),
    "加密.xlsx": ({"EncryptionInfo": b"", "EncryptedPackage": b""}, "file-encrypted", "密码"),
    "报送.et": ({"Workbook": BIFF_BOF}, "file-wps-et", "WPS"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_ole_file_is_named_by_its_streams(tmp_path: Path, name: str) -> None:
    streams, code, words = CASES[name]
    path = tmp_path / name
    path.write_bytes(ole_file(streams))
    findings = validate_submission(path, load_year_config).findings
    assert [f.code for f in findings] == [code]
    assert words in findings[0].message
