"""Validation of untrusted files under hard limits: a worker that takes too long is killed and
replaced, a worker that uses too much CPU is stopped, and workers die with the server."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from portal_fixtures import Client, Clock, before_deadline, free_port, sample, seed, version_id
from test_portal_hardening import _serve
from workbooks import large_workbook, slow_workbook

from scoring.portal.app import create_app
from scoring.portal.settings import PortalSettings
from scoring.portal.validation import WorkerLimit, Workers


def test_a_worker_that_takes_too_long_is_killed_and_replaced() -> None:
    workers = Workers(2, timeout_s=30.0, cpu_s=60.0)

    async def scenario() -> tuple[list[int], list[int]]:
        await workers.warm([2022])
        before = workers.processes()
        slept = await asyncio.gather(*(workers.call(time.sleep, 600, timeout_s=1.0) for _ in range(2)),
                                     return_exceptions=True)
        assert all(isinstance(outcome, TimeoutError) for outcome in slept)
        checked = await workers.validate(sample("310000").read_bytes(), "a.xlsx", 2022, "310000")
        assert checked.valid
        return before, workers.processes()

    try:
        before, after = asyncio.run(scenario())
    finally:
        workers.close()
    assert len(before) == 2 and len(after) >= 1 and not set(before) & set(after)
    time.sleep(0.5)
    for pid in before:  # the sleeping workers are gone, not left sleeping
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_one_unit_holds_one_of_the_two_workers_and_another_unit_takes_the_other() -> None:
    # a unit that keeps uploading files costing seconds (large ones, inside every cap) queues
    # behind its own: another unit's file starts at once in the worker it does not hold
    workers = Workers(2, timeout_s=30.0, cpu_s=60.0)

    async def scenario() -> dict[str, float]:
        await workers.warm([2022])
        started = time.monotonic()
        finished: dict[str, float] = {}

        async def one(name: str, unit: str | None, delay: float) -> None:
            await asyncio.sleep(delay)
            await workers.call(time.sleep, 1.5, timeout_s=30.0, unit=unit)
            finished[name] = time.monotonic() - started

        await asyncio.gather(one("flood 1", "540000", 0), one("flood 2", "540000", 0),
                             one("flood 3", "540000", 0), one("other", "310000", 0.3),
                             one("any", None, 0.3))
        return finished

    try:
        finished = asyncio.run(scenario())
    finally:
        workers.close()
    assert finished["other"] < 2.5, finished  # 1.5 s of its own: it never waited for the flood
    assert finished["flood 2"] >= 2.9 and finished["flood 3"] >= 4.4, finished  # one after another
    assert workers._held == {}  # every share given back


def test_a_worker_over_its_cpu_allowance_is_stopped() -> None:
    workers = Workers(1, timeout_s=120.0, cpu_s=1.0)

    async def scenario() -> None:
        started = time.monotonic()
        with pytest.raises(WorkerLimit):
            await workers.call(math.factorial, 10**8, timeout_s=120.0)
        assert time.monotonic() - started < 30
        assert (await workers.validate(sample("310000").read_bytes(), "a.xlsx", 2022, "310000")).valid

    try:
        asyncio.run(scenario())
    finally:
        workers.close()


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_once_slow_workbook_is_refused_at_once_and_another_unit_is_unaffected(db_url: str,
                                                                              tmp_path: Path) -> None:
    # the crafted file (one 300,000-character number format used by 20,000 styles) held a worker
    # for about 90 s until it was killed at the timeout; the reader now stops at the first format
    # code longer than Excel allows, so it is refused as unreadable, in seconds, with the reason
    seed(db_url)
    settings = PortalSettings(database_url=db_url, validation_workers=2, validation_timeout_s=60.0,
                              data_dir=tmp_path / "data", jobs_in_threads=True,
                              clock=Clock(before_deadline()))
    app = create_app(settings)
    try:
        sh, bj = Client(app, "sh"), Client(app, "bj")
        slow = slow_workbook(sample("310000"))
        results: dict[str, object] = {}

        def upload_slow(key: str) -> None:
            results[key] = sh.upload(data=slow, name=f"{key}.xlsx")

        started = time.monotonic()
        uploads = [threading.Thread(target=upload_slow, args=(key,)) for key in ("slow", "slow2")]
        for thread in uploads:
            thread.start()
        own = bj.upload(sample("110000"))
        for thread in uploads:
            thread.join(120)
        waited = time.monotonic() - started
        page = bj.get(f"/versions/{version_id(own)}").text
        assert "文件未能在" not in page and "校验超时" not in page and "此版本没有错误" in page
        assert waited < 30  # far below the 60 s timeout: nothing waited for a worker to be killed
        for key in ("slow", "slow2"):
            slow_page = sh.get(f"/versions/{version_id(results[key])}").text  # type: ignore[arg-type]
            assert "数字格式代码长达 300000 个字符（Excel 上限 255 个）" in slow_page
            assert "文件未能在" not in slow_page
    finally:
        app.state.portal.workers.close()
        app.state.portal.db.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sigkill_of_the_server_leaves_no_validation_process(db_url: str) -> None:
    seed(db_url)
    port = free_port()
    process = _serve(db_url, port, workers=2)
    group = process.pid
    time.sleep(3.0)  # workers started and warm

    def members() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and entry.name != str(group):
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[3]) == group and fields[0] != "Z":  # same session as the server
                    found.append(int(entry.name))
        return found

    assert members(), "the server started no worker process"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    deadline = time.monotonic() + 15
    while members() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert members() == []


def test_scoring_validate_refuses_the_once_slow_workbook_in_seconds(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "slow.xlsx"
    path.write_bytes(slow_workbook(sample("310000")))
    started = time.monotonic()
    command = [sys.executable, "-c", "from scoring.cli import main; main()", "validate", str(path),
               "--cpu-seconds", "3"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 30
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "错误[file-corrupt]" in result.stdout and "数字格式代码长达 300000 个字符" in result.stdout


def test_scoring_validate_stops_at_its_cpu_limit_with_a_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    # a large workbook inside every cap of the reader costs about 5 s of CPU to read in full
    path = tmp_path / "large.xlsx"
    path.write_bytes(large_workbook(sample("310000")))
    command = [str(Path(sys.executable).with_name("scoring")), "validate", str(path), "--cpu-seconds", "1"]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert time.monotonic() - started < 30
    assert result.returncode == 1, result.stderr
    assert f"{path}：校验超出 1 秒的 CPU 时间限制，已停止；请确认文件是用本年度模板填写后保存的" in \
        result.stderr.replace("\n", ""), result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "内部错误" not in result.stderr
    assert result.stdout == ""  # no findings of a half-read file
