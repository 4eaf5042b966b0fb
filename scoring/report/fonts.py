"""The fonts the PDFs are set in must be installed; without them WeasyPrint would silently fall
back to whatever font is there and Chinese could come out as empty boxes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from scoring.errors import ScoringError

REQUIRED_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
# used by the 通报 when installed (its 楷体 for 二级标题); recorded in the manifest like the others
OPTIONAL_FAMILIES = ("AR PL UKai CN",)


def missing_fonts() -> list[str]:
    """Required font families fontconfig cannot find (none when fontconfig itself is absent)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    missing = []
    for family in REQUIRED_FAMILIES:
        done = subprocess.run([fc_list, f":family={family}", "family"], capture_output=True,
                              text=True, timeout=30, check=False)
        if family not in done.stdout:
            missing.append(family)
    return missing


def check_fonts() -> None:
    """Raise ``ScoringError`` with the install command when a required font is missing."""
    missing = missing_fonts()
    if missing:
        raise ScoringError(
            f"缺少 PDF 所需的中文字体：{'、'.join(missing)}。请以 root 运行："
            "apt-get install -y fonts-noto-cjk（./dev main 会自动安装）")


def font_files() -> list[Path]:
    """Every font file of the families the PDFs may use (all weights), as recorded in the manifest."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    found: set[Path] = set()
    for family in REQUIRED_FAMILIES + OPTIONAL_FAMILIES:
        done = subprocess.run([fc_list, f":family={family}", "file"], capture_output=True, text=True,
                              timeout=30, check=False)
        found.update(Path(line.strip().rstrip(":")) for line in done.stdout.splitlines() if line.strip())
    return sorted(p for p in found if p.is_file())
