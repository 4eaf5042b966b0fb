"""Charts as SVG (matplotlib, text kept as text, no dates, fixed ids) for the scorecards and the summary.

The SVG is inlined in the HTML, so WeasyPrint draws its text with the report's fonts and the
PDF stays searchable. The same data always gives the same bytes: ``svg.hashsalt`` is fixed and
the metadata carries no date.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HEADING_FONT = "Noto Sans CJK SC"
STYLE: Any = {  # rcParams keys are typed as literals in matplotlib's stubs
    "svg.fonttype": "none",
    "svg.hashsalt": "scoring-report",
    "font.family": "sans-serif",
    "font.sans-serif": [HEADING_FONT],
    "font.size": 8.0,
    "axes.unicode_minus": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
COLOURS = ("#1f4e79", "#9aa9b8", "#c98a1c")
MM = 1 / 25.4


@dataclass(frozen=True)
class Series:
    """One bar series: a label and one value per category."""

    label: str
    values: tuple[float, ...]


@contextmanager
def _style() -> Iterator[None]:
    """matplotlib (imported here, on first chart, not with the module) with the report's settings."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        yield


def _svg(figure: Figure) -> str:
    """The figure as an SVG element (no XML prolog, no DOCTYPE, no date)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    with _style():
        FigureCanvasSVG(figure).print_svg(  # type: ignore[no-untyped-call]
            buffer, metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    start = text.index("<svg")
    svg = text[start:]
    # Inline SVG gets its size from CSS; keep the viewBox, drop the fixed physical size.
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', svg, count=1)


def _figure(width_mm: float, height_mm: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width_mm * MM, height_mm * MM))


def section_chart(categories: list[str], series: list[Series], *, title: str) -> str:
    """Grouped horizontal bars, 0–100 %: one group per section, one bar per series."""
    with _style():
        figure = _figure(170, 22 + 11 * len(categories))
        axes = figure.add_subplot()
        count = len(series)
        height = 0.8 / max(count, 1)
        positions = list(range(len(categories)))
        for index, entry in enumerate(series):
            offsets = [p - 0.4 + height * (index + 0.5) for p in positions]
            bars = axes.barh(offsets, entry.values, height=height * 0.92, label=entry.label,
                             color=COLOURS[index % len(COLOURS)])
            axes.bar_label(bars, labels=[f"{v:.0f}%" for v in entry.values], padding=2, fontsize=6.5)
        axes.set_yticks(positions, labels=categories)
        axes.invert_yaxis()
        axes.set_xlim(0, 112)
        axes.set_xticks([0, 20, 40, 60, 80, 100], labels=["0", "20%", "40%", "60%", "80%", "100%"])
        axes.set_title(title, loc="left", fontsize=8.5)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.04), ncol=count, frameon=False,
                    fontsize=7)
        axes.grid(axis="x", linewidth=0.3, color="#cccccc")
        axes.set_axisbelow(True)
        figure.tight_layout()
        return _svg(figure)


def distribution_chart(names: list[str], totals: list[float], grades: list[str],
                       thresholds: list[tuple[str, float]], *, title: str) -> str:
    """Every scored unit's total as a horizontal bar, best at the top, coloured by grade, with the
    grade thresholds as vertical lines (horizontal, so Chinese names stay upright)."""
    with _style():
        figure = _figure(170, 24 + 4.2 * len(names))
        axes = figure.add_subplot()
        order = sorted(set(grades), key=grades.index)
        palette = {g: COLOURS[i % len(COLOURS)] for i, g in enumerate(order)}
        positions = list(range(len(names)))
        for grade in order:
            picked = [i for i in positions if grades[i] == grade]
            bars = axes.barh(picked, [totals[i] for i in picked], color=palette[grade], label=grade,
                             height=0.72)
            axes.bar_label(bars, labels=[f"{totals[i]:g}" for i in picked], padding=2, fontsize=6)
        top = max([*totals, *(v for _, v in thresholds), 1.0]) * 1.1
        for index, (name, value) in enumerate(sorted(thresholds, key=lambda t: t[1])):
            axes.axvline(value, linewidth=0.5, linestyle="--", color="#666666")
            axes.annotate(f"{name} ≥ {value:g}", (value, -0.45), fontsize=6, ha="right", va="bottom",
                          color="#444444", xytext=(-2, 7 * (index % 2)), textcoords="offset points")
        axes.set_yticks(positions, labels=names, fontsize=6.5)
        axes.set_ylim(len(names) - 0.4, -1.2)
        axes.set_xlim(0, top)
        axes.set_xlabel("总分")
        axes.set_title(title, loc="left", fontsize=8.5)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=7,
                    ncol=len(order))
        axes.grid(axis="x", linewidth=0.3, color="#cccccc")
        axes.set_axisbelow(True)
        figure.tight_layout()
        return _svg(figure)
