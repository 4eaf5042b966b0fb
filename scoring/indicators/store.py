"""Indicator files: ``indicators/YEAR.yaml`` (or any path) read strictly, with a line map."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scoring.catalogue.models import Plan
from scoring.catalogue.store import load_plan
from scoring.indicators.models import IndicatorSet
from scoring.settings import get_settings
from scoring.yamlfile import PathKey, line_of, load_model, load_model_with_lines


def indicator_path(year_or_file: str) -> Path:
    """``2022`` → indicators/2022.yaml; anything else is taken as a path."""
    if re.fullmatch(r"\d{4}", year_or_file):
        return get_settings().indicators_dir / f"{year_or_file}.yaml"
    return Path(year_or_file)


def load_indicator_set(year_or_file: str) -> IndicatorSet:
    """Load an indicator set by year or path; raises ``ConfigError`` with file:line when broken."""
    return load_model(indicator_path(year_or_file), IndicatorSet)


def catalogue_file_for(indicator_file: Path, indicator_set: IndicatorSet) -> Path:
    """The catalogue a set refers to: relative to the set's own folder, else to indicators/
    (so a draft saved elsewhere still finds ``tasks/YEAR.yaml``)."""
    beside = indicator_file.parent / indicator_set.catalogue
    if beside.exists():
        return beside
    fallback = get_settings().indicators_dir / indicator_set.catalogue
    return fallback if fallback.exists() else beside


@dataclass(frozen=True)
class LoadedSet:
    """An indicator set with where it came from and the line of every YAML path."""

    indicator_set: IndicatorSet
    file: Path
    lines: dict[PathKey, int]

    def line(self, path: tuple[str | int, ...]) -> int | None:
        """The line of ``path`` (or of its deepest existing parent)."""
        return line_of(self.lines, path)

    def catalogue_file(self) -> Path:
        """The catalogue the set refers to (see ``catalogue_file_for``)."""
        return catalogue_file_for(self.file, self.indicator_set)

    def load_catalogue(self) -> Plan:
        """The task catalogue; raises ``ConfigError`` when missing or broken."""
        return load_plan(str(self.catalogue_file()))


def load_located(year_or_file: str) -> LoadedSet:
    """Load a set and keep its line map (for the audit's file:line findings)."""
    path = indicator_path(year_or_file)
    indicator_set, lines = load_model_with_lines(path, IndicatorSet)
    return LoadedSet(indicator_set=indicator_set, file=path, lines=lines)
