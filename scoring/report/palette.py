"""One colour per meaning, shared by the charts (matplotlib) and the page styles (CSS).

The same meaning never gets two colours, and no colour means two things: 本单位 is the dark
blue wherever a unit's own figure is drawn, 全国平均 orange, 最高单位 grey-blue; red is kept for
what needs attention (不合格, deductions, a veto).
"""

from __future__ import annotations

UNIT = "#1f4e79"  # 本单位 (bars, figures)
AVERAGE = "#d08a1a"  # 全国平均 (chart bars, the marker in the section table)
BEST = "#9aa9b8"  # 最高单位
BONUS = "#3c8d5a"  # 加分
WARNING = "#b00020"  # 不合格, 扣分, 一票否决
TEXT_MUTED = "#555555"
GRID = "#cccccc"

# Grades from best to worst; a config's grades are coloured in its own order (see ``grade_colours``).
GRADE_SCALE = ("#1f5f3a", "#1f4e79", "#8fa6bd", "#c7a35a")


def grade_colours(grades: list[str]) -> dict[str, str]:
    """A colour per grade in the config's order (best first); the worst grade is the warning red."""
    colours = {}
    for index, name in enumerate(grades):
        last = index == len(grades) - 1 and len(grades) > 1
        colours[name] = WARNING if last else GRADE_SCALE[min(index, len(GRADE_SCALE) - 1)]
    return colours


def css_variables() -> dict[str, str]:
    """The colours under the names the page styles use."""
    return {"unit": UNIT, "average": AVERAGE, "best": BEST, "bonus": BONUS, "warning": WARNING,
            "muted": TEXT_MUTED}
