"""Catalogue files: indicators/tasks/YEAR.yaml written deterministically and read strictly."""

from __future__ import annotations

import re
from pathlib import Path

from scoring.catalogue.models import Plan
from scoring.settings import get_settings
from scoring.yamlfile import dump, load_model, write_atomically

_HEADER = (
    "# 任务目录：由 `scoring tasks extract` 从工作要点原文生成，请勿手工修改；\n"
    "# 原文变化时重新生成。任务编号规则见 scoring/catalogue/models.py。\n"
)


def plan_to_yaml(plan: Plan) -> str:
    """The catalogue as YAML text; the same plan always gives the same bytes."""
    return _HEADER + dump(plan.model_dump(mode="json"))


def save_plan(plan: Plan, path: Path) -> None:
    """Write the catalogue atomically (an existing file is replaced only when writing succeeds)."""
    write_atomically(path, plan_to_yaml(plan))


def catalogue_path(year_or_file: str) -> Path:
    """``2022`` → indicators/tasks/2022.yaml; anything else is taken as a path."""
    if re.fullmatch(r"\d{4}", year_or_file):
        return get_settings().catalogue_file(int(year_or_file))
    return Path(year_or_file)


def load_plan(year_or_file: str) -> Plan:
    """Load a catalogue by year or path; raises ``ConfigError`` with file:line on any problem."""
    return load_model(catalogue_path(year_or_file), Plan)
