"""Reading an uploaded file from disk without trusting it: type and size first, then a capped read.

A path may name anything: a folder called ``x.xlsx``, a named pipe that would block forever,
``/dev/zero`` that never ends, a 1.5 GB file, a file without read permission, a broken link.
Each becomes a finding for that file; nothing is read past ``Limits.max_file_bytes`` and a
file that is not a regular file is never opened for reading.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from scoring.problems import Problem, Severity, make
from scoring.workbook.guard import DEFAULT_LIMITS, Limits, check_bytes, size_problem

_REASONS = {
    errno.EACCES: "没有读取权限，请检查文件权限",
    errno.EPERM: "没有读取权限，请检查文件权限",
    errno.ELOOP: "快捷方式（符号链接）循环指向自身",
    errno.EIO: "读取时发生磁盘或网络错误",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
}


@dataclass(frozen=True)
class Upload:
    """What was read from a path: the bytes (None when refused), the findings, the size on disk."""

    name: str
    data: bytes | None
    problems: list[Problem] = field(default_factory=list)
    size: int = 0


def _refused(name: str, code: str, size: int = 0, **fields: object) -> Upload:
    problem = make(code, Severity.ERROR, file=name, **fields)
    return Upload(name=name, data=None, problems=[problem], size=size)


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


def _checked_type(name: str, mode: int, size: int, limits: Limits) -> Upload | None:
    if stat.S_ISDIR(mode):
        return _refused(name, "file-is-folder")
    if not stat.S_ISREG(mode):
        return _refused(name, "file-not-regular", kind=_kind(mode))
    problem = size_problem(size, name, limits)
    return None if problem is None else Upload(name=name, data=None, problems=[problem], size=size)


def read_upload(path: Path, limits: Limits = DEFAULT_LIMITS) -> Upload:
    """The file's bytes if it is a regular file within the size limit, else the reason it is not.

    ``stat`` decides before anything is opened (a pipe is never opened, a large file never read);
    the file is then opened without blocking, checked again on the open descriptor (it may have
    been swapped in between) and read with a cap of one byte over the limit.
    """
    name = path.name or str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _refused(name, "file-missing")
    except (OSError, ValueError) as exc:
        reason = _reason(exc) if isinstance(exc, OSError) else "文件名含有无效字符"
        return _refused(name, "file-unreadable", reason=reason)
    refused = _checked_type(name, info.st_mode, info.st_size, limits)
    if refused is not None:
        return refused
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return _refused(name, "file-unreadable", info.st_size, reason=_reason(exc))
    try:
        opened = os.fstat(fd)
        refused = _checked_type(name, opened.st_mode, opened.st_size, limits)
        if refused is not None:
            return refused
        chunks: list[bytes] = []
        total = 0
        while total <= limits.max_file_bytes:
            chunk = os.read(fd, min(1024 * 1024, limits.max_file_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        return _refused(name, "file-unreadable", info.st_size, reason=_reason(exc))
    finally:
        os.close(fd)
    data = b"".join(chunks)
    problem = size_problem(len(data), name, limits)
    if problem is not None:  # it grew, or shrank to nothing, while being read
        return Upload(name=name, data=None, problems=[problem], size=len(data))
    return Upload(name=name, data=data, size=len(data))


def check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Problems that stop the file at ``path`` from being read; empty means: safe to open."""
    upload = read_upload(path, limits)
    if upload.data is None:
        return upload.problems
    return check_bytes(upload.data, upload.name, limits)
