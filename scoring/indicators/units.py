"""The 32 provincial-level units assessed, with codes, regions and reference figures."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from scoring.indicators.items import Strict
from scoring.indicators.rules.base import ReferenceFigures
from scoring.settings import get_settings
from scoring.yamlfile import load_model

Region = Literal["东部", "中部", "西部", "东北"]


class FigureSource(Strict):
    """Where a column of reference figures comes from."""

    name: str
    unit: str
    year: int
    source: str


class Unit(Strict):
    """One provincial-level unit."""

    code: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 行政区划代码（兵团见 note）")
    name: str
    short_name: str
    region: Region
    population_10k: float = Field(gt=0)
    gdp_100m_yuan: float = Field(gt=0)
    note: str | None = None

    def reference(self) -> ReferenceFigures:
        """The unit's size, for per-capita or per-GDP rules."""
        return ReferenceFigures(population_10k=self.population_10k, gdp_100m_yuan=self.gdp_100m_yuan)


class UnitList(Strict):
    """indicators/units.yaml."""

    schema_version: Literal[1] = 1
    figures: dict[Literal["population_10k", "gdp_100m_yuan"], FigureSource]
    units: list[Unit] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> UnitList:
        codes = [u.code for u in self.units]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"单位代码重复：{'、'.join(dupes)}")
        return self

    def by_code(self) -> dict[str, Unit]:
        """Units by code."""
        return {u.code: u for u in self.units}


def units_file() -> Path:
    """indicators/units.yaml under the current settings."""
    return get_settings().indicators_dir / "units.yaml"


def load_units(path: Path | None = None) -> UnitList:
    """Read the unit list strictly; broken files raise ``ConfigError`` with file:line."""
    return load_model(path or units_file(), UnitList)
