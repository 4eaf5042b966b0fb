"""Whatever a path names, validation answers with a Chinese finding, reads at most the size limit,
never blocks, and validating bytes gives the same answer as validating the file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
import workbooks as wbs
from conftest import ROOT
from typer.testing import CliRunner

from scoring.cli import app
from scoring.workbook.guard import Limits
from scoring.workbook.upload import read_upload
from scoring.workbook.validate import validate_bytes, validate_submission
from scoring.workbook.years import load_year_config

runner = CliRunner()
SAMPLE = ROOT / "sample_inputs" / "2022" / "110000-北京.xlsx"


def codes(path: Path, **kwargs: object) -> list[str]:
    return [f.code for f in validate_submission(path, load_year_config, **kwargs).findings]  # type: ignore[arg-type]


def test_bytes_and_file_give_the_same_submission(tmp_path: Path) -> None:
    path = wbs.filled_submission(tmp_path / "110000-北京.xlsx", values={"admin_cases_closed": "5,000"})
    from_file = validate_submission(path, load_year_config)
    from_bytes = validate_bytes(path.read_bytes(), path.name, load_year_config)
    assert from_bytes == from_file
    assert [f.code for f in from_bytes.findings] == ["normalised-thousands"]


def test_bytes_over_the_limit_are_refused_unread() -> None:
    limits = Limits(max_file_bytes=1000)
    result = validate_bytes(SAMPLE.read_bytes(), "big.xlsx", load_year_config, limits=limits)
    assert [f.code for f in result.findings] == ["file-too-large"] and result.read is None


def test_a_folder_named_like_a_workbook(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").mkdir()
    assert codes(tmp_path / "x.xlsx") == ["file-is-folder"]


def test_missing_file_and_broken_links(tmp_path: Path) -> None:
    assert codes(tmp_path / "nope.xlsx") == ["file-missing"]
    (tmp_path / "dangling.xlsx").symlink_to(tmp_path / "gone.xlsx")
    assert codes(tmp_path / "dangling.xlsx") == ["file-missing"]
    loop = tmp_path / "loop.xlsx"
    loop.symlink_to(loop)
    result = validate_submission(loop, load_year_config)
    assert [f.code for f in result.findings] == ["file-unreadable"]
    assert "符号链接" in result.findings[0].message


def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    outcome: list[list[str]] = []
    worker = threading.Thread(target=lambda: outcome.append(codes(fifo)), daemon=True)
    worker.start()
    worker.join(timeout=5)
    if worker.is_alive():  # unblock the reader before failing, so the test run does not hang
        with open(fifo, "wb"):  # noqa: PTH123
            pass
        pytest.fail("validating a named pipe blocked")
    assert outcome == [["file-not-regular"]]


def test_dev_zero_is_refused_without_reading() -> None:
    tracemalloc.start()
    result = validate_submission(Path("/dev/zero"), load_year_config)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [f.code for f in result.findings] == ["file-not-regular"]
    assert peak < 5 * 1024 * 1024


def test_a_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as handle:  # sparse: 1.5 GB on paper, nothing on disk
        handle.write(b"PK\x03\x04")
        handle.truncate(1536 * 1024 * 1024)
    tracemalloc.start()
    started = time.perf_counter()
    upload = read_upload(huge)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert upload.data is None and [p.code for p in upload.problems] == ["file-too-large"]
    assert "1536.0 MB" in upload.problems[0].message
    assert elapsed < 1 and peak < 1024 * 1024


def test_a_file_that_grows_past_the_limit_is_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 5000)
    upload = read_upload(path, Limits(max_file_bytes=6000))
    assert upload.data is not None and len(upload.data) == 5004
    upload = read_upload(path, Limits(max_file_bytes=4000))
    assert upload.data is None and [p.code for p in upload.problems] == ["file-too-large"]


def test_cli_on_paths_that_are_not_workbooks_answers_in_chinese_with_exit_1(tmp_path: Path) -> None:
    (tmp_path / "folder.xlsx").mkdir()
    os.mkfifo(tmp_path / "pipe.xlsx")
    scoring = Path(sys.executable).with_name("scoring")
    for target, code in [(tmp_path / "folder.xlsx", "file-is-folder"),
                         (tmp_path / "pipe.xlsx", "file-not-regular"),
                         (Path("/dev/zero"), "file-not-regular"), (tmp_path / "nope.xlsx", "file-missing")]:
        done = subprocess.run([str(scoring), "validate", str(target), "--json"], capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == 1, (target, done.stdout, done.stderr)
        findings = json.loads(done.stdout)
        assert [f["code"] for f in findings] == [code], (target, findings)
        assert "Traceback" not in done.stderr and "Usage" not in done.stderr
        assert any("\u4e00" <= ch <= "\u9fff" for ch in findings[0]["message"])


@pytest.fixture()
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workbook this process may not read, as a non-root user sees a file without permission
    (the tests may run as root, who reads everything, so access is denied by hand)."""
    path = tmp_path / "110000-北京.xlsx"
    shutil.copy(SAMPLE, path)
    real_open, real_access = os.open, os.access

    def denied_open(file: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, flags, *args, **kwargs)  # type: ignore[arg-type]

    def denied_access(file: object, mode: int, *args: object, **kwargs: object) -> bool:
        return False if str(file) == str(path) else real_access(file, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied_open)
    monkeypatch.setattr(os, "access", denied_access)
    return path


def test_cli_on_a_file_without_permission(locked: Path) -> None:
    result = runner.invoke(app, ["validate", str(locked), "--json"])
    assert result.exit_code == 1, result.output  # was click's English usage error, exit 2
    findings = json.loads(result.stdout)
    assert [f["code"] for f in findings] == ["file-unreadable"]
    assert "没有读取权限" in findings[0]["message"]


def test_cli_names_what_was_read(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["validate", str(SAMPLE)])
    assert ok.exit_code == 0
    assert "已读取北京市 2022 年度报送：71 项任务、15 项数据，未发现问题" in ok.output
