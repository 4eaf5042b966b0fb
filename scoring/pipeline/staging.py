"""An output set built beside its target and swapped in whole, or not at all.

``staged(target)`` yields an empty staging folder next to ``target`` (same parent, so a rename is
atomic). ``commit()`` exchanges the two folders in one ``renameat2(RENAME_EXCHANGE)`` on Linux
(elsewhere: two renames), with SIGINT held back for the instant it takes. Whatever happens before
the commit — an error, Ctrl-C — the staging folder is removed and the target is left as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

from scoring.errors import OutputError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2

KNOWN_OUTPUTS = frozenset({"scores.json", "ranking.xlsx", "manifest.json", "summary.pdf", "summary.docx",
                           "technical.pdf", "scorecards"})


class Interrupted(KeyboardInterrupt):
    """Ctrl-C arrived; ``committed`` says whether the new output set was already in place."""

    def __init__(self, committed: bool) -> None:
        super().__init__()
        self.committed = committed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when the system cannot."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        err = ctypes.get_errno()
        if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot exchange
            return False
        raise OSError(err, os.strerror(err), str(b))
    return True


def pid_alive(pid: int) -> bool:
    """Whether a process runs (a zombie, dead but not yet collected by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _sweep(target: Path) -> None:
    """Remove staging folders of earlier runs that were killed (their process is gone)."""
    for old in target.parent.glob(f".{target.name}.staging-*"):
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


def check_target(target: Path) -> None:
    """Refuse a target that is a file, or a folder holding files the engine did not write."""
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}: 已存在且不是目录，无法写入结果")
    if target.is_dir():
        foreign = sorted(p.name for p in target.iterdir()
                         if p.name not in KNOWN_OUTPUTS and not p.name.startswith("."))
        if foreign:
            shown = "、".join(foreign[:5]) + ("等" if len(foreign) > 5 else "")
            raise OutputError(f"{target}: 目录中有不是评分结果的文件（{shown}），整套结果会整体替换，"
                              "请移走这些文件或换一个输出目录")


class Staging:
    """A staging folder for ``target`` and the commit that puts it in place."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.folder = target.parent / f".{target.name}.staging-{os.getpid()}"
        self.committed = False

    def commit(self) -> None:
        """Put the staged set in place of the target, in one step where the system allows."""
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            if not self.target.exists():
                os.rename(self.folder, self.target)
            elif not _exchange(self.folder, self.target):
                aside = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
                os.rename(self.target, aside)
                os.rename(self.folder, self.target)
                os.rename(aside, self.folder)
            self.committed = True
        except OSError as exc:
            raise OutputError(f"{self.target}: 无法替换为新结果（{exc.strerror or exc}）") from None
        finally:
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            except KeyboardInterrupt:
                raise Interrupted(committed=self.committed) from None


@contextlib.contextmanager
def staged(target: Path) -> Iterator[Staging]:
    """A fresh staging folder beside ``target``; removed afterwards, committed or not."""
    check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _sweep(target)
        stage = Staging(target)
        shutil.rmtree(stage.folder, ignore_errors=True)
        stage.folder.mkdir()
    except OSError as exc:
        raise OutputError(f"{target}: 无法创建输出目录（{exc.strerror or exc}）") from None
    try:
        yield stage
    except KeyboardInterrupt as exc:
        if isinstance(exc, Interrupted):
            raise
        raise Interrupted(committed=stage.committed) from None
    finally:
        shutil.rmtree(stage.folder, ignore_errors=True)


def copy_set(source: Path, folder: Path) -> None:
    """Hard-link (else copy) an existing output set into a staging folder."""
    for entry in sorted(source.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, folder / entry.name, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(folder / entry.name))


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst
