"""Half-open bands ``[at_least, below)`` and their gaps and overlaps (rule bands, grades, tiers)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol


class Band(Protocol):
    """Anything with a lower bound (inclusive) and an upper bound (exclusive); None = unbounded."""

    @property
    def at_least(self) -> float | None: ...

    @property
    def below(self) -> float | None: ...


@dataclass(frozen=True)
class BandIssue:
    """A gap between two bands or an overlap of two bands, by band index."""

    kind: Literal["gap", "overlap"]
    index: int
    lower: float
    upper: float

    def describe(self) -> str:
        """Chinese text for the interval, e.g. ``[80, 85)``."""
        return f"[{_fmt(self.lower)}, {_fmt(self.upper)})"


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:g}"


def contains(band: Band, value: float) -> bool:
    """Whether ``value`` falls in the band."""
    lo = -math.inf if band.at_least is None else band.at_least
    hi = math.inf if band.below is None else band.below
    return lo <= value < hi


def band_issues(bands: Sequence[Band], lower: float | None, upper: float | None) -> list[BandIssue]:
    """Gaps and overlaps of ``bands`` over the domain ``[lower, upper]`` (None = unbounded)."""
    lo_domain = -math.inf if lower is None else lower
    hi_domain = math.inf if upper is None else upper
    spans = sorted(
        ((-math.inf if b.at_least is None else b.at_least,
          math.inf if b.below is None else b.below, i) for i, b in enumerate(bands)),
    )
    issues: list[BandIssue] = []
    cursor = lo_domain
    reach_index = -1
    for lo, hi, index in spans:
        if hi <= lo:
            continue
        if lo > cursor and cursor < hi_domain and lo > lo_domain:
            issues.append(BandIssue("gap", index, cursor, min(lo, hi_domain)))
        elif lo < cursor and reach_index >= 0 and cursor > lo_domain and lo < hi_domain:
            issues.append(BandIssue("overlap", index, max(lo, lo_domain), min(cursor, hi)))
        if hi > cursor:
            cursor, reach_index = hi, index
    # the domain's upper end is inclusive: [0, 100) leaves 100 itself uncovered
    uncovered_top = cursor < hi_domain or (cursor == hi_domain and not math.isinf(hi_domain))
    if spans and uncovered_top:
        issues.append(BandIssue("gap", len(bands) - 1, cursor, hi_domain))
    return issues
