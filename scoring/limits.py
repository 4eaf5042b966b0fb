"""Hard limits on work over untrusted files: CPU time and memory of the process doing it, and a
process that dies with the server that started it.

``cpu_limited(seconds)`` raises ``CpuLimitExceeded`` in the block when it has used that much CPU
time (RLIMIT_CPU's soft limit and SIGXCPU; the limit is the process's usage so far plus
``seconds``, so a long-lived worker gets the same allowance for each file). ``limit_memory``
caps the address space (RLIMIT_AS), so a hostile file meets ``MemoryError`` instead of the
machine's memory. ``die_with(pid)`` makes this process end when process ``pid`` does, however it
ends (SIGKILL included).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import select
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

PR_SET_PDEATHSIG = 1


class CpuLimitExceeded(BaseException):  # noqa: N818 - like KeyboardInterrupt: no handler swallows it
    """The work used more CPU time than it was allowed (a BaseException, so that the reader's
    catch-all for bugs does not report it as an internal error)."""


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _over_cpu(_signum: int, _frame: FrameType | None) -> None:
    raise CpuLimitExceeded("超出 CPU 时间限制")


@contextmanager
def cpu_limited(seconds: float) -> Iterator[None]:
    """Allow the block ``seconds`` of CPU time from now (signals reach the main thread only: in
    another thread the block runs unlimited, as the portal's in-process test mode does)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    previous = signal.signal(signal.SIGXCPU, _over_cpu)
    allowed = int(_cpu_used() + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        allowed = min(allowed, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (allowed, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        signal.signal(signal.SIGXCPU, previous)


def limit_memory(max_bytes: int) -> None:
    """Cap this process's address space (never above a cap already in force)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _watch(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except (OSError, AttributeError):
        while True:  # no pidfd: poll
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
            time.sleep(1.0)
    select.select([fd], [], [])
    os._exit(1)


def die_with(pid: int) -> None:
    """End this process when ``pid`` ends: the kernel's parent-death signal for the direct parent,
    and a thread that watches ``pid`` itself (a forkserver's child has another parent)."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is not None:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        if hasattr(libc, "prctl"):
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        os._exit(1)
    threading.Thread(target=_watch, args=(pid,), daemon=True, name="watch-server").start()
