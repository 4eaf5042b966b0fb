"""Writing output files so that a failure never leaves half a file or destroys the old one."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from scoring.errors import OutputError

_REASONS = {
    errno.ENOENT: "目录不存在或无法创建", errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限",
    errno.ENOSPC: "磁盘空间不足", errno.EROFS: "只读文件系统", errno.EISDIR: "同名目录已存在",
    errno.ENOTDIR: "路径中有同名文件",
}


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Raises ``OutputError`` naming ``path`` when the folder or the file cannot be written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: 无法写入（{_reason(exc)}）") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: 无法写入（{_reason(exc)}）") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
