"""The department registry (indicators/departments.yaml) and name normalisation."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scoring.yamlfile import load_model


class Department(BaseModel):
    """One central department or collective term, with every way plans write it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    full_name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    kind: Literal["central", "collective"]
    until: int | None = Field(default=None, description="last year the name was in use")
    successor: str | None = None


class Registry(BaseModel):
    """All departments; every spelling maps to exactly one entry."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    departments: list[Department]

    @field_validator("departments")
    @classmethod
    def _spellings_unique(cls, departments: list[Department]) -> list[Department]:
        seen: dict[str, str] = {}
        for index, dept in enumerate(departments):
            for spelling in (dept.name, dept.full_name, *dept.aliases):
                owner = seen.setdefault(spelling, dept.name)
                if owner != dept.name:
                    raise ValueError(
                        f"第 {index + 1} 项：名称“{spelling}”同时属于“{owner}”和“{dept.name}”")
        names = {d.name for d in departments}
        for index, dept in enumerate(departments):
            if dept.successor is not None and dept.successor not in names:
                raise ValueError(f"第 {index + 1} 项：“{dept.name}”的承继机构“{dept.successor}”未登记")
        return departments

    @cached_property
    def _by_spelling(self) -> dict[str, Department]:
        return {
            spelling: dept
            for dept in self.departments
            for spelling in (dept.name, dept.full_name, *dept.aliases)
        }

    def resolve(self, written: str) -> Department | None:
        """The department a name as written refers to, or None when it is not registered."""
        return self._by_spelling.get(written.strip())


def load_registry(path: Path) -> Registry:
    """Load and validate the registry file (raises ``ConfigError`` with file:line)."""
    return load_model(path, Registry)
