"""Turn the bytes of a plan file into text: UTF-8, UTF-16/32 with a BOM, or GBK/GB18030."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from scoring.errors import InputError

MAX_PLAN_BYTES = 20 * 1024 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_binary(text: str) -> bool:
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f\v"
    )
    return controls > max(2, len(text) // 200)


def decode_plan(data: bytes, name: str) -> tuple[str, str]:
    """Decode a plan file's bytes; return ``(text, encoding)`` or raise ``InputError``."""
    if not data.strip():
        raise InputError(f"{name}: 文件为空")
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        if b"\x00" in data:
            raise InputError(f"{name}: 不是文本文件（含有二进制内容），请提供 .txt 或 .md 格式的工作要点")
        for candidate in ("utf-8", "gb18030"):
            try:
                text = data.decode(candidate)
            except UnicodeDecodeError:
                continue
            encoding = candidate
            break
        else:
            raise InputError(f"{name}: 无法识别文本编码（既不是 UTF-8，也不是 GBK/GB18030）")
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise InputError(f"{name}: 文本编码与文件开头的标记（BOM）不符，无法读取") from None
    if _looks_binary(text):
        raise InputError(f"{name}: 不是文本文件（含有大量控制字符），请提供 .txt 或 .md 格式的工作要点")
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def read_plan_file(path: Path) -> tuple[bytes, str, str]:
    """Read and decode a plan file: ``(raw bytes, text, encoding)``; problems raise ``InputError``."""
    try:
        if path.is_dir():
            raise InputError(f"{path}: 是一个目录，不是文件")
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise InputError(f"{path}: 文件过大（{size} 字节，上限 {MAX_PLAN_BYTES} 字节）")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: 文件不存在") from None
    except OSError as exc:
        raise InputError(f"{path}: 无法读取（{exc.strerror}）") from None
    text, encoding = decode_plan(data, str(path))
    return data, text, encoding
