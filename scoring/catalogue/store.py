"""Catalogue files: indicators/tasks/YEAR.yaml written deterministically and read strictly.

A local plan's catalogue (a province's, a city's: its task ids carry a prefix) lives beside the
national ones as indicators/tasks/PREFIX-YEAR.yaml. Before a file is replaced,
``replacement_problems`` says whether it holds something else: a different plan's catalogue
(title, issuer or document number differ) or no catalogue at all.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from scoring.catalogue.models import Plan, id_base
from scoring.problems import Problem, Severity
from scoring.settings import get_settings
from scoring.yamlfile import dump, load_model, write_atomically

_HEADER = (
    "# 任务目录：由 `scoring tasks extract` 从工作要点原文生成，请勿手工修改；\n"
    "# 原文变化时重新生成。任务编号规则见 scoring/catalogue/models.py。\n"
)
_CATALOGUE_NAME = re.compile(r"(?:[0-9A-Za-z\u4e00-\u9fff]{1,20}-)?\d{4}")
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_IDENTITY = (("title", "标题"), ("issuer", "发文机关"), ("doc_number", "文号"))


def plan_to_yaml(plan: Plan) -> str:
    """The catalogue as YAML text; the same plan always gives the same bytes."""
    return _HEADER + dump(plan.model_dump(mode="json"))


def save_plan(plan: Plan, path: Path) -> None:
    """Write the catalogue atomically (an existing file is replaced only when writing succeeds)."""
    write_atomically(path, plan_to_yaml(plan))


def default_catalogue_file(year: int, prefix: str | None) -> Path:
    """indicators/tasks/2022.yaml for the national plan; indicators/tasks/310000-2022.yaml for a
    plan whose task ids carry the prefix 310000."""
    if prefix is None:
        return get_settings().catalogue_file(year)
    return get_settings().tasks_dir / f"{id_base(year, prefix)}.yaml"


def catalogue_path(year_or_file: str) -> Path:
    """``2022`` → indicators/tasks/2022.yaml, ``310000-2022`` → indicators/tasks/310000-2022.yaml;
    anything else is taken as a path."""
    if _CATALOGUE_NAME.fullmatch(year_or_file):
        return get_settings().tasks_dir / f"{year_or_file}.yaml"
    return Path(year_or_file)


def load_plan(year_or_file: str) -> Plan:
    """Load a catalogue by year or path; raises ``ConfigError`` with file:line on any problem."""
    return load_model(catalogue_path(year_or_file), Plan)


def _shown(value: object) -> str:
    return "（无）" if value in (None, "") else f"“{value}”"


def _existing(path: Path) -> dict[str, Any] | None:
    """The mapping a catalogue file holds, or None when the file is no catalogue at all."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if isinstance(data, dict) and "title" in data and "sections" in data:
        return data
    return None


def replacement_problems(plan: Plan, path: Path) -> list[Problem]:
    """Why ``plan`` must not silently replace the file at ``path``; empty when the path is free
    or holds a catalogue of the same plan (same title, issuer and document number).

    Only the identity fields are read, so a catalogue written by an older version of the
    extractor can still be regenerated from its own plan.
    """
    if not path.is_file():
        return []
    existing = _existing(path)
    if existing is None:
        return [Problem(code="output-not-a-catalogue", severity=Severity.ERROR, file=str(path),
                        message="文件已存在，且不是任务目录（没有 title 和 sections）")]
    differences = [
        f"{label}现为{_shown(existing.get(key))}，本次为{_shown(getattr(plan, key))}"
        for key, label in _IDENTITY if existing.get(key) != getattr(plan, key)
    ]
    if not differences:
        return []
    return [Problem(code="catalogue-of-other-plan", severity=Severity.ERROR, file=str(path),
                    message="已是另一份工作要点的任务目录：" + "；".join(differences),
                    value=str(existing.get("title")))]
