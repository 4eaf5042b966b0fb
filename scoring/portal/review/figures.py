"""The figures a unit reported, as a reviewer weighs them before accepting: each beside the unit's
previous-year figure and the range its size makes plausible, with what the validator said about it.

The flags are the validator's own findings on the figure's cell (``value-implausible``,
``value-implausible-change`` and the rest), so the page and the province's findings never disagree
about what is out of range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.indicators.items import ItemSource
from scoring.indicators.units import Unit
from scoring.problems import SEVERITY_LABELS
from scoring.scores.trend import read_previous
from scoring.workbook.plausibility import approx
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import Submission
from scoring.workbook.values import shown


@dataclass(frozen=True)
class FigureRow:
    """One reported figure and what it is weighed against."""

    name: str
    measure: str
    value: str
    previous: str
    plausible: str
    where: str
    flags: list[str]  # "警告：…" per finding on the cell

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def previous_figures(scores_json: bytes | None, year: int, unit_code: str) -> dict[str, float]:
    """The unit's figures in the previous year's published scores.json (none when there is none)."""
    if scores_json is None:
        return {}
    return read_previous(scores_json, "scores.json", year).figures().get(unit_code, {})


def figure_rows(config: YearConfig, unit: Unit, submission: Submission,
                previous: Mapping[str, float]) -> list[FigureRow]:
    """Every figure the province reports, in the template's order."""
    findings: dict[tuple[str | None, str | None], list[str]] = {}
    for finding in submission.findings:
        if finding.cell is not None:
            findings.setdefault((finding.sheet, finding.cell), []).append(
                f"{SEVERITY_LABELS[finding.severity]}：{finding.message}")
    rows = []
    for item in config.indicator_set.items:
        if item.source is not ItemSource.PROVINCE:
            continue
        cell = submission.values.get(item.code)
        span = None
        if item.plausible is not None and item.plausible.size is not None:
            span = item.plausible.size.range_for(unit.population_10k, unit.gdp_100m_yuan)
        plausible = "—" if span is None else (
            f"{'' if span[0] is None else approx(span[0])}～{'' if span[1] is None else approx(span[1])}")
        before = previous.get(item.code)
        rows.append(FigureRow(
            name=item.name, measure=item.unit or "",
            value=(shown(cell.value) or "（未填）") if cell is not None else "（未填）",
            previous="—" if before is None else (shown(before) or "—"), plausible=plausible,
            where=f"“{cell.sheet}” {cell.cell}" if cell is not None and cell.cell else "",
            flags=findings.get((cell.sheet, cell.cell), []) if cell is not None else []))
    return rows
