"""Shared builders for the tests: paths, the registry, extraction from text."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.catalogue.departments import Registry, load_registry
from scoring.catalogue.extract import Extraction, extract_plan

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "sample_inputs" / "plans"
SEED_YEARS = (2020, 2022)


def seed_path(year: int) -> Path:
    """The bundled copy of a year's plan."""
    return PLANS / f"plan-{year}.txt"


def registry() -> Registry:
    """The project's department registry."""
    return load_registry(ROOT / "indicators" / "departments.yaml")


def extract_text(text: str, *, year: int | None = None, encoding: str = "utf-8") -> Extraction:
    """Extract a plan from a text snippet, as the CLI would from a file."""
    raw = text.encode(encoding)
    return extract_plan(raw.decode(encoding), source_name="snippet.txt", raw=raw,
                        encoding=encoding, registry=registry(), year=year)


def codes(extraction: Extraction) -> list[str]:
    """The problem codes of an extraction, in order."""
    return [p.code for p in extraction.problems]


@pytest.fixture(scope="session")
def seed_extractions() -> dict[int, Extraction]:
    """Both seed plans, extracted once per test session."""
    reg = registry()
    result = {}
    for year in SEED_YEARS:
        raw = seed_path(year).read_bytes()
        result[year] = extract_plan(raw.decode("utf-8"), source_name=str(seed_path(year)), raw=raw,
                                    encoding="utf-8", registry=reg)
    return result
