"""GB/T 9704-2012《党政机关公文格式》 as numbers, and the faces the 通报 is set in.

版心 156 × 225 mm on A4, 天头 37 mm, 订口 28 mm; 22 lines of 28 characters of 3号 (16 pt). Each
element's face is chosen from the configured list; where none of the licensed faces is installed
the nearest free face is used, and the log says which.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from scoring.report.notice_config import NoticeFonts

log = logging.getLogger(__name__)

MM_PER_PT = 25.4 / 72
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210.0, 297.0
TYPE_WIDTH_MM, TYPE_HEIGHT_MM = 156.0, 225.0
TOP_MM, INNER_MM = 37.0, 28.0
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TYPE_HEIGHT_MM
OUTER_MM = PAGE_WIDTH_MM - INNER_MM - TYPE_WIDTH_MM
LINES, CHARS = 22, 28
BODY_PT = 16.0  # 3号
LINE_PT = TYPE_HEIGHT_MM / LINES / MM_PER_PT
CHAR_PT = TYPE_WIDTH_MM / CHARS / MM_PER_PT - 0.01  # a hair under, so 28 always fit
LETTER_SPACING_PT = CHAR_PT - BODY_PT

# the nearest free face Debian ships for each role (fonts-noto-cjk, fonts-arphic-ukai)
FREE_FACES = {
    "xiaobiaosong": ("Noto Serif CJK SC", 700),
    "fangsong": ("Noto Serif CJK SC", 400),
    "heiti": ("Noto Sans CJK SC", 400),
    "kaiti": ("AR PL UKai CN", 400),
    "songti": ("Noto Serif CJK SC", 400),
}
FALLBACK = ("Noto Serif CJK SC", 400)


@dataclass(frozen=True)
class Face:
    """The face an element is set in: the CSS family list, the weight, and which family it is."""

    family: str
    weight: int
    licensed: bool

    @property
    def css(self) -> Markup:
        """``"仿宋_GB2312", serif`` for a style sheet (characters that could end the name dropped)."""
        name = re.sub(r'["\'\\;{}<>]', "", self.family)
        return Markup(f'"{name}", serif')  # noqa: S704 - quoted, with every closing character removed


@cache
def installed(family: str) -> bool:
    """Whether fontconfig knows ``family`` (False when fontconfig is absent)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    done = subprocess.run([fc_list, f":family={family}", "family"], capture_output=True, text=True,
                          timeout=30, check=False)
    return any(family in line.split(",") for line in done.stdout.splitlines())


def resolve_faces(fonts: NoticeFonts) -> dict[str, Face]:
    """Each role's face: the first configured family installed, else the nearest free one."""
    faces: dict[str, Face] = {}
    for role, wanted in fonts.model_dump().items():
        chosen = next((f for f in wanted if installed(f)), None)
        if chosen is not None:
            faces[role] = Face(chosen, 400, True)
            continue
        family, weight = FREE_FACES[role]
        if not installed(family):
            family, weight = FALLBACK
        faces[role] = Face(family, weight, False)
        log.info("通报字体：未安装%s，%s改用 %s", "、".join(wanted), role, family)
    return faces
