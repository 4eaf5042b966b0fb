"""Wrong arguments on the installed ``scoring`` command: a Chinese message, the command's own usage
line and exit 2; never click's English usage box."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCORING = Path(sys.executable).with_name("scoring")
ENGLISH = ("Usage:", "Error", "Try ", "No such", "Missing", "Invalid", "╭")


SCORE = "用法：scoring score [选项] YEAR INPUT_DIR"


@pytest.mark.parametrize(("args", "message", "usage"), [
    (["score", "abc", "x"], "错误：YEAR 的值无效，应为整数", SCORE),
    (["scroe"], "错误：没有命令 scroe，是否想用 score", "用法：scoring [选项] 命令 [参数]..."),
    (["score", "2022"], "错误：缺少参数 INPUT_DIR", SCORE),
    (["score", "2022", "in", "--bogus"], "错误：没有选项 --bogus", SCORE),
    (["render", "2022", "--workers", "0"], "错误：--workers 的值无效，应不小于 1",
     "用法：scoring render [选项] YEAR"),
    (["score", "2022", "a", "b", "c"], "错误：多余的参数：b c", SCORE),
    (["tasks", "lst"], "错误：没有命令 lst", "用法：scoring tasks [选项] 命令 [参数]..."),
])
def test_usage_errors_are_chinese_with_the_commands_usage(args: list[str], message: str, usage: str) -> None:
    done = subprocess.run([str(SCORING), *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert lines[:2] == [message, usage]
    assert not any(word in done.stderr for word in ENGLISH), done.stderr
    assert done.stdout == ""
