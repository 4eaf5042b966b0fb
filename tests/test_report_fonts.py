"""Rendering refuses to run without the CJK fonts, saying how to install them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from scoring.errors import ScoringError
from scoring.report.fonts import REQUIRED_FAMILIES, check_fonts, missing_fonts


def test_the_installed_fonts_are_found() -> None:
    assert missing_fonts() == []
    check_fonts()


def test_missing_fonts_stop_rendering_with_the_install_command(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "fc-list"
    fake.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert missing_fonts() == list(REQUIRED_FAMILIES)
    with pytest.raises(ScoringError, match="apt-get install -y fonts-noto-cjk"):
        check_fonts()
