"""The reference figures a set divides by (units.yaml population and GDP), and their year.

``reference-year-differs`` (warning): a figure the set uses is of another year than the assessment
and ``reference_years`` does not state that year. ``reference-year-mismatch`` (error):
``reference_years`` states a year units.yaml does not hold; the pipeline refuses to score then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from scoring.indicators.models import IndicatorSet
from scoring.indicators.units import FigureSource
from scoring.problems import Severity

PathT = tuple[str | int, ...]
Add = Callable[[str, Severity, str, PathT], None]

FIGURES: dict[str, str] = {"population_10k": "population", "gdp_100m_yuan": "gdp"}


@dataclass(frozen=True)
class FigureUse:
    """Where a set divides by one reference figure: indicators and items, and the first place."""

    indicators: list[str]
    items: list[str]
    first: PathT

    def describe(self) -> str:
        """The uses in Chinese, e.g. ``指标 A3、A5 的折算和 12 个数据项的合理范围``."""
        parts = []
        if self.indicators:
            parts.append(f"指标 {'、'.join(self.indicators)} 的折算")
        if self.items:
            parts.append(f"{len(self.items)} 个数据项的合理范围")
        return "和 ".join(parts)  # "的折算和 9 个数据项": a space before the number, as elsewhere


def figure_uses(s: IndicatorSet) -> dict[str, FigureUse]:
    """Each reference figure the set uses, by its units.yaml key."""
    out: dict[str, FigureUse] = {}
    for key, per in FIGURES.items():
        indicators: list[str] = []
        items: list[str] = []
        paths: list[PathT] = []
        for i, section in enumerate(s.sections):
            for j, indicator in enumerate(section.indicators):
                if getattr(indicator.rule, "normalise", "none") == per:
                    indicators.append(indicator.id)
                    paths.append(("sections", i, "indicators", j, "rule", "normalise"))
        for k, item in enumerate(s.items):
            size = item.plausible.size if item.plausible is not None else None
            if size is not None and size.per == per:
                items.append(item.code)
                paths.append(("items", k, "plausible", "size", "per"))
        if paths:
            out[key] = FigureUse(indicators, items, paths[0])
    return out


def stated_year(s: IndicatorSet, key: str) -> int | None:
    """The year ``reference_years`` states for a figure, or None."""
    year: int | None = getattr(s.reference_years, key)
    return year


def _mismatch(key: str, stated: int, source: FigureSource) -> str:
    return (f"reference_years.{key} 写明用 {stated} 年的{source.name}，units.yaml 所载为 {source.year} 年"
            f"（{source.source}）；请换用 {stated} 年数据或改正所写年份")


def mismatches(s: IndicatorSet, figures: Mapping[str, FigureSource]) -> list[str]:
    """One Chinese sentence per stated year units.yaml does not hold (used figures only)."""
    out = []
    for key in figure_uses(s):
        stated, source = stated_year(s, key), figures.get(key)
        if stated is not None and source is not None and stated != source.year:
            out.append(_mismatch(key, stated, source))
    return out


def reference_year_findings(s: IndicatorSet, figures: Mapping[str, FigureSource], add: Add) -> None:
    """``reference-year-differs`` and ``reference-year-mismatch`` for the figures the set uses."""
    for key, use in figure_uses(s).items():
        stated, source = stated_year(s, key), figures.get(key)
        if source is None:
            continue
        if stated is not None and stated != source.year:
            add("reference-year-mismatch", Severity.ERROR, _mismatch(key, stated, source),
                ("reference_years", key))
        elif stated is None and source.year != s.year:
            add("reference-year-differs", Severity.WARNING,
                f"{use.describe()}按 units.yaml 中 {source.year} 年的{source.name}（{source.source}）计算，"
                f"与考核年度 {s.year} 年不同，配置未写明所用年份；请在 reference_years.{key} 写明 "
                f"{source.year}，或在 units.yaml 换用 {s.year} 年数据", use.first)
