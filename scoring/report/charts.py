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

from scoring.report.palette import BEST, GRID, UNIT, WARNING, grade_colours

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
MM = 1 / 25.4


@dataclass(frozen=True)
class Series:
    """One bar series: a label and one value per category."""

    label: str
    values: tuple[float, ...]
    colour: str = UNIT


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
    """Grouped horizontal bars, 0–100 %: one group per section, one bar per series (each series in
    its own colour, ``Series.colour``)."""
    with _style():
        figure = _figure(170, 22 + 11 * len(categories))
        axes = figure.add_subplot()
        count = len(series)
        height = 0.8 / max(count, 1)
        positions = list(range(len(categories)))
        for index, entry in enumerate(series):
            offsets = [p - 0.4 + height * (index + 0.5) for p in positions]
            bars = axes.barh(offsets, entry.values, height=height * 0.92, label=entry.label,
                             color=entry.colour)
            axes.bar_label(bars, labels=[f"{v:.0f}%" for v in entry.values], padding=2, fontsize=6.5)
        axes.set_yticks(positions, labels=categories)
        axes.invert_yaxis()
        axes.set_xlim(0, 112)
        axes.set_xticks([0, 20, 40, 60, 80, 100], labels=["0", "20%", "40%", "60%", "80%", "100%"])
        axes.set_title(title, loc="left", fontsize=8.5)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.04), ncol=count, frameon=False,
                    fontsize=7)
        axes.grid(axis="x", linewidth=0.3, color=GRID)
        axes.set_axisbelow(True)
        figure.tight_layout()
        return _svg(figure)


@dataclass(frozen=True)
class Bar:
    """A unit in the distribution chart: its label, total and grade, and whether a veto applied."""

    label: str
    total: float
    grade: str
    vetoed: bool = False


def distribution_chart(bars: list[Bar], grades: list[str], thresholds: list[tuple[str, float]], *,
                       title: str, veto_note: str = "一票否决") -> str:
    """Every scored unit's total as a horizontal bar in rank order, coloured by grade (legend in
    the config's grade order, the worst grade in the warning colour), the grade thresholds as
    dashed lines labelled in one row above the bars, and vetoed units hatched and marked."""
    from matplotlib.patches import Patch

    colours = grade_colours(grades)
    with _style():
        figure = _figure(170, 30 + 4.2 * len(bars))
        axes = figure.add_subplot()
        positions = list(range(len(bars)))
        for index, bar in enumerate(bars):
            drawn = axes.barh([index], [bar.total], height=0.72,
                              color=colours.get(bar.grade, BEST),
                              hatch="////" if bar.vetoed else None,
                              edgecolor="white" if bar.vetoed else None, linewidth=0)
            label = f"{bar.total:.2f}" + (f"（{veto_note}）" if bar.vetoed else "")
            axes.bar_label(drawn, labels=[label], padding=2, fontsize=6, zorder=4,
                           color=WARNING if bar.vetoed else "#222222",
                           bbox={"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none"})
        top = max([*(b.total for b in bars), *(v for _, v in thresholds), 1.0]) * 1.16
        for name, value in thresholds:
            axes.axvline(value, linewidth=0.5, linestyle="--", color="#444444", zorder=3)
            axes.text(value, -1.05, f"{name} ≥ {value:g}", fontsize=6, ha="center", va="bottom",
                      color="#444444")
        labels = [f"{b.label}※" if b.vetoed else b.label for b in bars]
        axes.set_yticks(positions, labels=labels, fontsize=6.5)
        axes.set_ylim(len(bars) - 0.4, -1.6)
        axes.set_xlim(0, top)
        axes.set_xlabel("总分")
        axes.set_title(title, loc="left", fontsize=8.5, pad=14)
        handles = [Patch(facecolor=colours[g], label=g) for g in grades]
        if any(b.vetoed for b in bars):
            handles.append(Patch(facecolor="white", edgecolor="#444444", hatch="////",
                                 label=f"※ {veto_note}"))
        axes.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False,
                    fontsize=7, ncol=len(handles), handlelength=1.2, columnspacing=1.2)
        axes.grid(axis="x", linewidth=0.3, color=GRID)
        axes.set_axisbelow(True)
        figure.tight_layout()
        return _svg(figure)
