"""National and regional ranks, tiers (档) and their 平安建设 points.

Ranks compare totals as published (two decimals). ``competition`` ties give 1-2-2-4, ``dense``
ties 1-2-2-3. Tiers by ``rank_share``: a unit ranked r of the n units scored is in the first tier
whose ``up_to_share`` is at least r / n; by ``score``: the tier whose band holds the total. A
unit hit by a veto is placed in the last tier whatever its score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from scoring.indicators.intervals import contains
from scoring.indicators.models import TierTable
from scoring.scores.models import UnitScore, UnitStatus


def rank_values(totals: Sequence[float], ties: Literal["competition", "dense"]) -> list[int]:
    """Ranks for totals (higher is better), in the same order as given."""
    order = sorted(range(len(totals)), key=lambda i: -totals[i])
    ranks = [0] * len(totals)
    previous: float | None = None
    current = 0
    for position, index in enumerate(order, 1):
        if totals[index] != previous:
            current = position if ties == "competition" else current + 1
            previous = totals[index]
        ranks[index] = current
    return ranks


def assign_ranks(units: list[UnitScore], ties: Literal["competition", "dense"]) -> None:
    """Set ``rank`` and ``rank_in_region`` on the scored units."""
    scored = [u for u in units if u.status is UnitStatus.SCORED and u.total is not None]
    for unit, rank in zip(scored, rank_values([round(u.total or 0.0, 2) for u in scored], ties),
                          strict=True):
        unit.rank = rank
    for region in sorted({u.region for u in scored}):
        members = [u for u in scored if u.region == region]
        for unit, rank in zip(members, rank_values([round(u.total or 0.0, 2) for u in members], ties),
                              strict=True):
            unit.rank_in_region = rank


def assign_tiers(units: list[UnitScore], table: TierTable) -> None:
    """Set ``tier`` and ``tier_points`` on the scored units."""
    scored = [u for u in units if u.status is UnitStatus.SCORED and u.rank is not None]
    last = table.tiers[-1]
    for unit in scored:
        if unit.vetoes:
            tier = last
        elif table.method == "rank_share":
            share = (unit.rank or 0) / len(scored)
            tier = next((t for t in table.tiers if t.up_to_share is not None
                         and share <= t.up_to_share + 1e-9), last)
        else:
            tier = next((t for t in table.tiers if contains(t, unit.total or 0.0)), last)
        unit.tier, unit.tier_points = tier.name, tier.points


def listing_order(units: list[UnitScore]) -> list[UnitScore]:
    """Scored units by rank (then code), then the units not scored, then the missing ones."""
    status_order = {UnitStatus.SCORED: 0, UnitStatus.NOT_SCORED: 1, UnitStatus.MISSING: 2}
    return sorted(units, key=lambda u: (status_order[u.status], u.rank or 0, u.code))
