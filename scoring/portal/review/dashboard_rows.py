"""The central office's view of a year: every unit's state, latest upload and lateness, as rows.

Pure: the store reads versions and decisions (``store.overview``), ``status`` decides each unit's
state; this only arranges them for the dashboard and its filters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from scoring.indicators.units import Unit
from scoring.portal.settings import china_date
from scoring.portal.status import STATE_LABELS, Standing, UnitState
from scoring.portal.store.overview import LatestVersion, UnitActivity

REGIONS = ("东部", "中部", "西部", "东北")


@dataclass(frozen=True)
class UnitRow:
    """One unit on the dashboard."""

    code: str
    name: str
    region: str
    state: UnitState
    label: str
    latest: LatestVersion | None
    submitted_at: datetime | None
    late: str
    standing: Standing


def lateness(unit: Standing, deadline: date | None, today: date) -> str:
    """``逾期提交`` when the unit's submit came after the deadline, ``逾期未交`` when the deadline
    has passed without one (``逾期未重新提交`` after a return); empty otherwise."""
    if deadline is None:
        return ""
    if unit.state in (UnitState.SUBMITTED, UnitState.ACCEPTED) and unit.submitted is not None:
        return "逾期提交" if china_date(unit.submitted.at) > deadline else ""
    if today <= deadline:
        return ""
    return "逾期未重新提交" if unit.state is UnitState.RETURNED else "逾期未交"


def unit_rows(activity: dict[str, UnitActivity], units: dict[str, Unit], deadline: date | None,
              today: date) -> list[UnitRow]:
    """Every unit of the year, by code."""
    rows = []
    for code in sorted(units):
        unit, act = units[code], activity[code]
        state = act.standing.state
        submitted = act.standing.submitted if state in (UnitState.SUBMITTED, UnitState.ACCEPTED) else None
        rows.append(UnitRow(code=code, name=unit.name, region=unit.region, state=state,
                            label=STATE_LABELS[state], latest=act.latest,
                            submitted_at=submitted.at if submitted else None,
                            late=lateness(act.standing, deadline, today), standing=act.standing))
    return rows


def state_counts(rows: list[UnitRow]) -> list[tuple[UnitState, str, int]]:
    """How many units are in each state, in the order of the states."""
    counted = Counter(row.state for row in rows)
    return [(state, label, counted.get(state, 0)) for state, label in STATE_LABELS.items()]


def filtered(rows: list[UnitRow], state: str | None, region: str | None) -> list[UnitRow]:
    """The rows of one state and/or one region (unknown filters are ignored)."""
    known_states = {s.value for s in UnitState}
    return [row for row in rows
            if (state not in known_states or row.state.value == state)
            and (region not in REGIONS or row.region == region)]
