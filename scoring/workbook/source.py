"""What templates, validation and scoring are built from: a year's indicator set, its SHA-256,
the catalogue and the units."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.catalogue.models import Plan, Task
from scoring.indicators.items import DataItem, ItemSource
from scoring.indicators.models import IndicatorSet
from scoring.indicators.units import Unit


@dataclass(frozen=True)
class TemplateSource:
    """What a template is generated from: the indicator set, its file's SHA-256, the catalogue."""

    indicator_set: IndicatorSet
    sha256: str
    plan: Plan

    def assessed_tasks(self) -> list[Task]:
        """The catalogue's tasks that some indicator assesses, in plan order."""
        wanted = {t for _, indicator in self.indicator_set.indicators() for t in indicator.tasks}
        return [task for task in self.plan.tasks() if task.id in wanted]

    def province_items(self) -> list[DataItem]:
        """Data items the provinces report (the central office records the others)."""
        return [i for i in self.indicator_set.items if i.source is ItemSource.PROVINCE]

    def central_items(self) -> list[DataItem]:
        """Data items the central office records."""
        return [i for i in self.indicator_set.items if i.source is ItemSource.CENTRAL]


@dataclass(frozen=True)
class YearConfig:
    """Everything a year's submissions are checked against."""

    source: TemplateSource
    units: dict[str, Unit]

    @property
    def indicator_set(self) -> IndicatorSet:
        return self.source.indicator_set

    @property
    def plan(self) -> Plan:
        return self.source.plan
