"""A year's configuration read from explicit files, each kept with the exact bytes that were used.

The pipeline never reads a configuration file twice: the SHA-256 in the manifest (and in the
templates and scores.json) is of the very text that was parsed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from scoring.catalogue.models import Plan
from scoring.errors import ScoringError
from scoring.indicators.audit_reference import mismatches
from scoring.indicators.models import IndicatorSet
from scoring.indicators.store import catalogue_file_for
from scoring.indicators.units import UnitList, units_file
from scoring.settings import get_settings
from scoring.workbook.source import TemplateSource, YearConfig
from scoring.workbook.validate import ConfigLoader
from scoring.workbook.years import load_year_config
from scoring.yamlfile import decode_text, model_from_text, read_bytes


@dataclass(frozen=True)
class ReadFile:
    """A file's path and the exact bytes read from it."""

    path: Path
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class YearFiles:
    """A year's configuration and the files it came from."""

    config: YearConfig
    indicator_file: ReadFile
    units_file: ReadFile
    catalogue_file: ReadFile

    def loader(self) -> ConfigLoader:
        """A config loader for the validator: this year's config, other years' as installed."""
        year = self.config.indicator_set.year

        def load(wanted: int) -> YearConfig | None:
            return self.config if wanted == year else load_year_config(wanted)

        return load


def default_config_file(year: int) -> Path:
    """indicators/YEAR.yaml under the current settings."""
    return get_settings().indicators_dir / f"{year}.yaml"


def load_year_files(year: int, config: Path | None = None, units: Path | None = None) -> YearFiles:
    """Read a year's indicator set, its catalogue and the unit list, each exactly once."""
    config_path = config or default_config_file(year)
    if config is None and not config_path.is_file():
        raise ScoringError(f"没有 {year} 年度的指标配置（{config_path}）")
    indicator_file = ReadFile(config_path, read_bytes(config_path))
    indicator_set = model_from_text(decode_text(indicator_file.data, config_path), str(config_path),
                                    IndicatorSet)
    if indicator_set.year != year:
        raise ScoringError(f"{config_path}: 是 {indicator_set.year} 年度的指标配置，不是 {year} 年度的")
    catalogue_path = catalogue_file_for(config_path, indicator_set)
    catalogue_file = ReadFile(catalogue_path, read_bytes(catalogue_path))
    plan = model_from_text(decode_text(catalogue_file.data, catalogue_path), str(catalogue_path), Plan)
    units_path = units or units_file()
    unit_file = ReadFile(units_path, read_bytes(units_path))
    unit_list = model_from_text(decode_text(unit_file.data, units_path), str(units_path), UnitList)
    wrong_year = mismatches(indicator_set, {str(key): f for key, f in unit_list.figures.items()})
    if wrong_year:  # the set names the year of its reference figures, and units.yaml holds another
        raise ScoringError(f"{config_path}: {'；'.join(wrong_year)}（{units_path}）")
    source = TemplateSource(indicator_set=indicator_set, sha256=indicator_file.sha256, plan=plan)
    return YearFiles(config=YearConfig(source=source, units=unit_list.by_code()),
                     indicator_file=indicator_file, units_file=unit_file, catalogue_file=catalogue_file)
