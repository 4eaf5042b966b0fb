"""How indicator points add up to section points and the total, for many units and weightings.

One implementation serves the published result (every weight 1) and the robustness analysis
(thousands of re-weighted samples), so the two can never disagree about re-weighting or signs.

For each sample of weights ``w`` (one per indicator; only ``score`` indicators are weighted):

1. a ``score`` section earns Σ w·points over its included indicators, scaled by
   Σ w·max (all its indicators) ÷ Σ w·max (included ones), so an excluded indicator's weight is
   spread over the rest of its section; then every score section is scaled by
   Σ max ÷ Σ w·max over all score indicators, so the score sections keep their maximum
   (with every weight 1 both factors are exactly 1);
2. a ``bonus`` or ``deduction`` section is the sum of its included indicators, at most its cap;
3. a section a veto zeroes counts 0;
4. total = score + bonus − deduction, within ``[0, total_points]``; 0 when a veto zeroes it.

With ``rounding.method: printed_parts`` each section is rounded to the published decimals and the
total is the sum of the rounded sections (the indicator points come in rounded already).

Sums run left to right over the indicators in YAML order, elementwise over units and samples:
no reduction whose order depends on the machine, so every machine gets the same floats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.indicators.rounding import round_half_up

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SIGNS = {SectionKind.SCORE: 1.0, SectionKind.BONUS: 1.0, SectionKind.DEDUCTION: -1.0}


@dataclass(frozen=True)
class SectionColumns:
    """A section that carries points, and the columns of its indicators."""

    id: str
    kind: SectionKind
    columns: tuple[int, ...]
    cap: float | None


@dataclass(frozen=True)
class Layout:
    """The indicators of a set as matrix columns, section by section (veto sections aside)."""

    indicator_ids: tuple[str, ...]
    maxima: FloatArray
    sections: tuple[SectionColumns, ...]
    total_points: float
    part_decimals: int | None = None  # printed_parts: sections rounded, the total their sum

    @classmethod
    def of(cls, indicator_set: IndicatorSet) -> Layout:
        """The layout of every indicator of ``indicator_set`` in YAML order."""
        ids: list[str] = []
        maxima: list[float] = []
        sections: list[SectionColumns] = []
        for section in indicator_set.sections:
            if section.kind is SectionKind.VETO:
                continue
            start = len(ids)
            for indicator in section.indicators:
                ids.append(indicator.id)
                maxima.append(indicator.points)
            sections.append(SectionColumns(section.id, section.kind, tuple(range(start, len(ids))),
                                           section.cap))
        return cls(tuple(ids), np.array(maxima, dtype=np.float64), tuple(sections),
                   indicator_set.total_points, indicator_set.rounding.part_decimals)

    def score_columns(self) -> list[int]:
        """Columns of the indicators in ``score`` sections (the ones weights apply to)."""
        return [c for s in self.sections if s.kind is SectionKind.SCORE for c in s.columns]


@dataclass(frozen=True)
class UnitPoints:
    """Every unit's exact indicator points (units × indicators) and what the vetoes zero."""

    points: FloatArray
    included: BoolArray
    zeroed: BoolArray  # units × layout.sections
    zero_total: BoolArray  # units


@dataclass(frozen=True)
class Combined:
    """Section points and totals, samples × units (one sample when weights are all 1)."""

    sections: dict[str, FloatArray]
    totals: FloatArray


def _sum(terms: list[FloatArray], shape: tuple[int, ...]) -> FloatArray:
    """Left-to-right sum of same-shaped arrays (zeros when there are none)."""
    total: FloatArray = np.zeros(shape, dtype=np.float64)
    for term in terms:
        total = total + term
    return total


def combine(layout: Layout, units: UnitPoints, weights: FloatArray | None = None) -> Combined:
    """Section points and totals for each row of ``weights`` (samples × indicators).

    ``weights=None`` is the published result: one sample, every weight 1.
    """
    n_units = units.points.shape[0]
    if weights is None:
        weights = np.ones((1, len(layout.indicator_ids)), dtype=np.float64)
    samples = weights.shape[0]
    shape = (samples, n_units)
    score_cols = layout.score_columns()
    maxima = layout.maxima
    kept_max = units.included * maxima[None, :]  # units × indicators
    weighted = _sum([weights[:, c] * maxima[c] for c in score_cols], (samples,))
    # every score weight 0 (leaving out the only score indicator): the score sections count 0
    scale = np.divide(_sum([np.full(samples, maxima[c]) for c in score_cols], (samples,)), weighted,
                      out=np.zeros(samples), where=weighted > 0.0)
    sections: dict[str, FloatArray] = {}
    for index, section in enumerate(layout.sections):
        cols = section.columns
        if section.kind is SectionKind.SCORE:
            earned = _sum([weights[:, c, None] * units.points[None, :, c] for c in cols], shape)
            full = _sum([weights[:, c] * maxima[c] for c in cols], (samples,))
            kept = _sum([weights[:, c, None] * kept_max[None, :, c] for c in cols], shape)
            safe = np.where(kept > 0.0, kept, 1.0)
            value = np.where(kept > 0.0, earned * (full[:, None] / safe), 0.0) * scale[:, None]
        else:
            value = _sum([np.broadcast_to(units.points[None, :, c], shape) for c in cols], shape)
            if section.cap is not None:
                value = np.minimum(value, section.cap)
        if layout.part_decimals is not None:  # what is printed (also clears float noise from the sum)
            value = round_half_up(value, layout.part_decimals)
        sections[section.id] = np.where(units.zeroed[None, :, index], 0.0, value)
    total = _sum([SIGNS[s.kind] * sections[s.id] for s in layout.sections], shape)
    if layout.part_decimals is not None:
        total = round_half_up(total, layout.part_decimals)
    total = np.clip(total, 0.0, layout.total_points)
    totals: FloatArray = np.where(units.zero_total[None, :], 0.0, total)
    return Combined(sections=sections, totals=totals)
