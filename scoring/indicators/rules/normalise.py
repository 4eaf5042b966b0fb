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
