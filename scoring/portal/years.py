"""The assessment year a page works in: the open year, its configuration and its deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from scoring.portal.store.submissions import YearStanding, open_years, year_standing
from scoring.portal.validation import year_files


@dataclass(frozen=True)
class OpenYear:
    """The open assessment year as pages show it."""

    year: int
    title: str
    deadline: date | None
    deadline_by_office: bool
    recipient: str | None


def configured_deadline(year: int) -> date | None:
    """The indicator set's ``submission.deadline`` for ``year`` (None when it states none)."""
    window = year_files(year).config.indicator_set.submission
    return window.deadline if window else None


def current_year(db: Session) -> OpenYear | None:
    """The newest open year, or None when the central office has opened none."""
    years = open_years(db)
    if not years:
        return None
    year = years[0]
    indicator_set = year_files(year).config.indicator_set
    standing: YearStanding = year_standing(db, year, configured_deadline(year))
    window = indicator_set.submission
    return OpenYear(year=year, title=indicator_set.title, deadline=standing.deadline,
                    deadline_by_office=standing.deadline_set_by_office,
                    recipient=window.recipient if window else None)
