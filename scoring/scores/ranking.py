"""National and regional ranks, tiers (档) and their 平安建设 points.

Ranks compare published totals (rounded once, as the YAML's ``rounding`` says): ``competition``
ties give 1-2-2-4, ``dense`` ties 1-2-2-3. A veto states what it does to the rank: ``keep`` (ranked
with the others), ``last`` (ranked after every unit that keeps its rank, by total among
themselves) or ``none`` (no rank). Region ranks follow the same rule within each region. The
robustness analysis ranks its perturbed totals with ``rank_matrix`` too.

Tiers: the units that hold a tier slot are those a veto leaves both ranked with the others and
unplaced. By ``rank_share`` a slot unit at position r of n slot units is in the first tier whose
``up_to_share`` is at least r / n; by ``score`` in the tier whose band holds its total; by
``grade`` in the tier that lists its grade. A veto that sets a tier (a name or ``last``) places
its unit there. Finally ``grade_limits`` keeps each grade within the tiers it allows.

Under ``rank_share`` the YAML names two more rules (``tiers.boundary_ties``, ``tiers.demoted_slot``):
whether units tied on a share boundary go together to the better or the worse tier (a position
of 1 + the slot units with a higher total, or the number with a total at least theirs), and
whether a unit ``grade_limits`` moves still holds its slot or releases it, the shares then being
counted again over the remaining slot units until none is moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from scoring.indicators.intervals import contains
from scoring.indicators.models import Tier, TierTable
from scoring.scores.models import UnitScore, UnitStatus

Ties = Literal["competition", "dense"]
RankClass = Literal["keep", "last", "none"]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_CLASS_ORDER: dict[RankClass, int] = {"keep": 0, "last": 1, "none": 2}


def _row_ranks(values: FloatArray, ties: Ties) -> IntArray:
    """Ranks of one row of totals (higher is better)."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    if ties == "competition":
        ordered = np.sort(values)
        return (1 + values.size - np.searchsorted(ordered, values, side="right")).astype(np.int64)
    distinct = np.unique(values)
    return (distinct.size - np.searchsorted(distinct, values, side="left")).astype(np.int64)


def rank_matrix(totals: FloatArray, ties: Ties, classes: Sequence[RankClass]) -> IntArray:
    """Ranks for each row of published totals (samples × units); 0 for units not ranked.

    Units of class ``keep`` are ranked among themselves; ``last`` ones after them, among
    themselves, continuing the numbering as the tie rule would; ``none`` ones get 0.
    """
    kinds = np.array([_CLASS_ORDER[c] for c in classes], dtype=np.int64)
    keep, last = kinds == 0, kinds == 1
    ranks = np.zeros(totals.shape, dtype=np.int64)
    for row in range(totals.shape[0]):
        first = _row_ranks(totals[row, keep], ties)
        ranks[row, keep] = first
        if last.any():
            offset = (int(keep.sum()) if ties == "competition" else int(first.max(initial=0)))
            ranks[row, last] = offset + _row_ranks(totals[row, last], ties)
    return ranks


def rank_values(totals: Sequence[float], ties: Ties) -> list[int]:
    """Ranks for totals (higher is better), in the same order as given."""
    row = np.array([list(totals)], dtype=np.float64)
    return [int(r) for r in rank_matrix(row, ties, ["keep"] * len(totals))[0]]


def rank_class(unit: UnitScore) -> RankClass:
    """What the unit's vetoes do to its rank (``none`` before ``last`` before ``keep``)."""
    classes: list[RankClass] = [v.rank for v in unit.vetoes] or ["keep"]
    return max(classes, key=lambda c: _CLASS_ORDER[c])


def _scored(units: list[UnitScore]) -> list[UnitScore]:
    return [u for u in units if u.status is UnitStatus.SCORED and u.total is not None]


def assign_ranks(units: list[UnitScore], ties: Ties) -> None:
    """Set ``rank`` and ``rank_in_region`` on the scored units."""
    scored = _scored(units)
    groups = [("", scored)] + [(r, [u for u in scored if u.region == r])
                               for r in sorted({u.region for u in scored})]
    for region, members in groups:
        totals = np.array([[u.total or 0.0 for u in members]], dtype=np.float64)
        ranks = rank_matrix(totals, ties, [rank_class(u) for u in members])[0]
        for unit, rank in zip(members, ranks, strict=True):
            value = int(rank) or None
            if region:
                unit.rank_in_region = value
            else:
                unit.rank = value


def _imposed_tier(unit: UnitScore, table: TierTable) -> Tier | None:
    """The tier a veto sets (the worst when several do), or None."""
    imposed = [table.tiers[-1] if v.tier == "last" else next(t for t in table.tiers if t.name == v.tier)
               for v in unit.vetoes if v.tier is not None]
    return max(imposed, key=table.tiers.index) if imposed else None


def _within_grade(tier: Tier, grade: str | None, table: TierTable) -> Tier:
    """``tier`` moved into the range ``grade_limits`` allows for ``grade``."""
    limit = next((g for g in table.grade_limits if g.grade == grade), None)
    if limit is None:
        return tier
    position = table.tiers.index(tier)
    if limit.best is not None:
        position = max(position, table.index(limit.best) or 0)
    if limit.worst is not None:
        worst = table.index(limit.worst)
        position = min(position, len(table.tiers) - 1 if worst is None else worst)
    return table.tiers[position]


def _positions(slots: list[UnitScore], boundary_ties: str) -> dict[str, int]:
    """Each slot unit's position for the rank shares: the first of its tie (``together_in_better``)
    or the last (``together_in_worse``)."""
    totals = np.array([u.total or 0.0 for u in slots], dtype=np.float64)
    if boundary_ties == "together_in_better":
        positions = 1 + (totals[None, :] > totals[:, None]).sum(axis=1)
    else:
        positions = (totals[None, :] >= totals[:, None]).sum(axis=1)
    return {u.code: int(p) for u, p in zip(slots, positions, strict=True)}


def _share_tiers(slots: list[UnitScore], table: TierTable) -> dict[str, Tier]:
    """The tier of each slot unit by its rank share, within its grade's limits; by ``demoted_slot:
    release`` the units the limits move give up their slots and the rest are placed again."""
    placed: dict[str, Tier] = {}
    holding = list(slots)
    while holding:
        positions = _positions(holding, table.boundary_ties)
        by_share = {u.code: next((t for t in table.tiers if t.up_to_share is not None
                                  and positions[u.code] / len(holding) <= t.up_to_share + 1e-9),
                                 table.tiers[-1])
                    for u in holding}
        limited = {u.code: _within_grade(by_share[u.code], u.grade, table) for u in holding}
        moved = {code for code, tier in limited.items() if tier.name != by_share[code].name}
        if table.demoted_slot == "keep" or not moved:
            placed.update(limited)
            break
        placed.update({code: limited[code] for code in moved})
        holding = [u for u in holding if u.code not in moved]
    return placed


def assign_tiers(units: list[UnitScore], table: TierTable) -> None:
    """Set ``tier`` and ``tier_points`` on the scored units (``rank_share`` positions count the
    slot units' totals, whatever the ranking's tie rule; ``boundary_ties`` says which end of a tie)."""
    scored = _scored(units)
    last = table.tiers[-1]
    slots = [u for u in scored if rank_class(u) == "keep" and _imposed_tier(u, table) is None]
    by_share = _share_tiers(slots, table) if table.method == "rank_share" else {}
    for unit in scored:
        tier = _imposed_tier(unit, table)
        if tier is None:
            if table.method == "rank_share":
                tier = by_share[unit.code]  # within its grade's limits already (they may release slots)
            else:
                found = (next((t for t in table.tiers if unit.grade in t.grades), last)
                         if table.method == "grade"
                         else next((t for t in table.tiers if contains(t, unit.total or 0.0)), last))
                tier = _within_grade(found, unit.grade, table)
        unit.tier, unit.tier_points = tier.name, tier.points


def listing_order(units: list[UnitScore]) -> list[UnitScore]:
    """Ranked units by rank (then code), scored units without a rank, units not scored, missing."""
    status_order = {UnitStatus.SCORED: 0, UnitStatus.NOT_SCORED: 1, UnitStatus.MISSING: 2}
    return sorted(units, key=lambda u: (status_order[u.status], u.rank is None, u.rank or 0,
                                        -(u.total or 0.0), u.code))
