"""A year's configuration for templates and validation, loaded once per process."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from scoring.catalogue.store import load_plan
from scoring.indicators.models import IndicatorSet
from scoring.indicators.store import catalogue_file_for, indicator_path
from scoring.indicators.units import load_units
from scoring.workbook.source import TemplateSource, YearConfig
from scoring.yamlfile import decode_text, model_from_text, read_bytes


@lru_cache(maxsize=8)
def load_year_config(year: int) -> YearConfig | None:
    """Indicator set, its SHA-256, catalogue and units for ``year``; None when the year has no set.

    A broken configuration raises ``ConfigError`` (with file:line) rather than returning None.
    """
    path = indicator_path(str(year))
    if not path.is_file():
        return None
    data = read_bytes(path)  # one read: the SHA-256 is of exactly the text that was loaded
    indicator_set = model_from_text(decode_text(data, path), str(path), IndicatorSet)
    plan = load_plan(str(catalogue_file_for(path, indicator_set)))
    source = TemplateSource(indicator_set=indicator_set, sha256=hashlib.sha256(data).hexdigest(),
                            plan=plan)
    return YearConfig(source=source, units=load_units().by_code())
