"""A year's configuration for templates and validation, loaded once per process."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from scoring.indicators.store import indicator_path, load_located
from scoring.indicators.units import load_units
from scoring.workbook.template import TemplateSource
from scoring.workbook.validate import YearConfig


@lru_cache(maxsize=8)
def load_year_config(year: int) -> YearConfig | None:
    """Indicator set, its SHA-256, catalogue and units for ``year``; None when the year has no set.

    A broken configuration raises ``ConfigError`` (with file:line) rather than returning None.
    """
    path = indicator_path(str(year))
    if not path.is_file():
        return None
    loaded = load_located(str(year))
    source = TemplateSource(indicator_set=loaded.indicator_set,
                            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                            plan=loaded.load_catalogue())
    return YearConfig(source=source, units=load_units().by_code())
