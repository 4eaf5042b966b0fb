"""Values relative to a unit's size (per 万人 of population, per 亿元 of GDP) for cross-unit rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from scoring.indicators.items import Value
from scoring.indicators.rules.base import ReferenceFigures

Normalise = Literal["none", "population", "gdp"]

NORMALISE_LABELS: dict[str, str] = {"none": "", "population": "（每万人）", "gdp": "（每亿元GDP）"}


def scaled(value: Value | None, reference: ReferenceFigures | None, how: Normalise) -> float | None:
    """``value`` divided by the unit's size; ``None`` when blank or the size is unknown."""
    if value is None or isinstance(value, str | date):
        return None
    if how == "none":
        return float(value)
    if reference is None:
        return None
    size = reference.population_10k if how == "population" else reference.gdp_100m_yuan
    if not size:
        return None
    return float(value) / size


def peer_values(peers: Mapping[str, Value | None], references: Mapping[str, ReferenceFigures],
                how: Normalise) -> dict[str, float]:
    """Every unit's scaled value, blanks and unknown sizes left out."""
    out: dict[str, float] = {}
    for unit, value in peers.items():
        x = scaled(value, references.get(unit) if how != "none" else None, how)
        if x is not None:
            out[unit] = x
    return out


class PeerStats:
    """``peer_values`` and their sorted list per (item, normalisation), computed on first use.

    One instance serves every unit of a scoring run, so goalposts and rank rules cost O(log n)
    per unit instead of a scan of all units.
    """

    def __init__(self, peers: Mapping[str, Mapping[str, Value | None]],
                 references: Mapping[str, ReferenceFigures]) -> None:
        self._peers = peers
        self._references = references
        self._values: dict[tuple[str, str], dict[str, float]] = {}
        self._ordered: dict[tuple[str, str], list[float]] = {}

    def values(self, item: str, how: str) -> dict[str, float]:
        """Every unit's scaled value of ``item``."""
        key = (item, how)
        if key not in self._values:
            self._values[key] = peer_values(self._peers.get(item, {}), self._references,
                                            how)  # type: ignore[arg-type]
        return self._values[key]

    def ordered(self, item: str, how: str) -> list[float]:
        """The same values, ascending."""
        key = (item, how)
        if key not in self._ordered:
            self._ordered[key] = sorted(self.values(item, how).values())
        return self._ordered[key]
