"""Where the engine finds its configuration: read through ``get_settings()``, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Paths the engine reads from and writes to."""

    root: Path

    @property
    def indicators_dir(self) -> Path:
        return self.root / "indicators"

    @property
    def tasks_dir(self) -> Path:
        return self.indicators_dir / "tasks"

    @property
    def departments_file(self) -> Path:
        return self.indicators_dir / "departments.yaml"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def sample_inputs_dir(self) -> Path:
        return self.root / "sample_inputs"

    def catalogue_file(self, year: int) -> Path:
        return self.tasks_dir / f"{year}.yaml"


def _default_root() -> Path:
    env = os.environ.get("SCORING_ROOT")
    if env:
        return Path(env)
    source_root = Path(__file__).resolve().parent.parent
    if (source_root / "indicators").is_dir():
        return source_root
    return Path.cwd()


def get_settings() -> Settings:
    """The current settings; ``SCORING_ROOT`` points the engine at another project folder."""
    return Settings(root=_default_root())
