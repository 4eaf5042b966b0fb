"""Ctrl-C during ``scoring run`` leaves the previous output set whole, no worker behind, exit 130.

The installed entry point runs in its own process group; SIGINT goes to it at several points:
while it starts and validates, once it has begun writing the new set, and while the PDF workers
render. Each time the earlier results must be byte-identical afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT

SCORING = Path(sys.executable).parent / "scoring"


def as_from_a_terminal() -> None:
    """In the child, before exec: SIGINT as a terminal's foreground job has it (default action, not
    blocked), whatever disposition or mask this test process has come to carry. Ignored SIGINT is
    inherited through exec, and Python then never installs its KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def group_gone(pgid: int, within: float = 3.0) -> bool:
    """True when no process of the group is left (waits up to ``within`` seconds)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the run never reached the point to interrupt")
        time.sleep(0.02)


def staged_pdfs(outputs: Path) -> int:
    return sum(1 for _ in outputs.glob(".2022.staging-*/scorecards/*.pdf"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("interrupt")
    for name in ("indicators", "templates"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(ROOT / "sample_inputs" / "2022", root / "sample_inputs" / "2022")
    shutil.copy(ROOT / "sample_inputs" / "central-2022.xlsx", root / "sample_inputs")
    done = subprocess.run([str(SCORING), "run", "2022", "--workers", "2"], cwd=root, capture_output=True,
                          env={**os.environ, "SCORING_ROOT": str(root)}, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return root


@pytest.mark.parametrize("point", ["starting", "writing", "rendering"])
def test_ctrl_c_leaves_the_previous_results_whole(project: Path, point: str) -> None:
    outputs = project / "outputs"
    before = snapshot(outputs / "2022")
    assert any(name.endswith(".pdf") for name in before)
    process = subprocess.Popen([str(SCORING), "run", "2022", "--workers", "2"], cwd=project,
                               env={**os.environ, "SCORING_ROOT": str(project)}, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=as_from_a_terminal)
    try:
        if point == "starting":
            time.sleep(0.3)
        elif point == "writing":
            wait_for(lambda: any(outputs.glob(".2022.staging-*/scores.json")))
        else:
            wait_for(lambda: staged_pdfs(outputs) >= 3)
        assert process.poll() is None, "the run ended before it could be interrupted"
        os.kill(process.pid, signal.SIGINT)
        sent = time.monotonic()
        _, stderr = process.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()  # reaped and its pipes closed, so nothing leaks into the next test
    assert process.returncode == 130, stderr.decode()
    assert elapsed < 5, f"took {elapsed:.1f} s to stop"
    assert "已中断" in stderr.decode() and "未作任何更改" in stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert group_gone(process.pid), "a worker process was left behind"
    assert snapshot(outputs / "2022") == before
    assert not list(outputs.glob(".2022.*")), "a staging folder was left behind"
