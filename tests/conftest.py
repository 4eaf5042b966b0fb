"""Shared builders for the tests: paths, the registry, extraction from text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from scoring.catalogue.departments import Registry, load_registry
from scoring.catalogue.extract import Extraction, extract_plan

if TYPE_CHECKING:
    from reportdata import EngineRun, Rendered

pytest_plugins = ["portal_fixtures"]

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


# —— PDF reports: every PDF rendered once per session and shared ——

REPORT_MOMENT = "2023-02-01T08:00:00+00:00"


def pdf_text(path: Path, *, layout: bool = False) -> str:
    """The PDF's text as pdftotext extracts it (UTF-8, reading order; ``layout``: keep the columns,
    so a table row stays on one line)."""
    import subprocess

    flags = ["-layout"] if layout else []
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *flags, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def squeeze(text: str) -> str:
    """Text without any whitespace, so names wrapped across table lines still match."""
    return "".join(text.split())


@pytest.fixture(scope="session")
def rendered_reports(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The sample report's PDFs (rendered by the worker pool) with the inputs they came from."""
    from datetime import datetime

    from reportdata import Rendered, sample_report

    from scoring.indicators.store import load_indicator_set
    from scoring.report import render_reports

    report = sample_report()
    indicator_set = load_indicator_set("2022")
    out_dir = tmp_path_factory.mktemp("reports")
    moment = datetime.fromisoformat(REPORT_MOMENT)
    paths = render_reports(report, indicator_set, out_dir, generated_at=moment, workers=2)
    return Rendered(report=report, indicator_set=indicator_set, out_dir=out_dir, paths=paths,
                    generated_at=moment)


@pytest.fixture(scope="session")
def engine_outputs(tmp_path_factory: pytest.TempPathFactory) -> EngineRun:
    """The bundled 2022 samples (one unit broken, one left out, 2020 as the previous year) scored
    through the pipeline, with every PDF rendered: once per session."""
    from reportdata import engine_run

    return engine_run(tmp_path_factory.mktemp("engine"))


def pdf_page_text(path: Path, page: int, *, layout: bool = False) -> str:
    """One page's text (``layout``: keep the columns, so table rows stay on one line)."""
    import subprocess

    flags = ["-layout"] if layout else []
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *flags, "-f", str(page), "-l", str(page), str(path),
                           "-"], check=True, capture_output=True, text=True).stdout


# —— mutation testing: cheap tests first ——

_COSTLY = ("test_workbook_validate", "test_audit", "test_cli_scores", "test_scores_engine",
           "test_scores_handworked",
           "test_scores_ties", "test_scores_year", "test_scores_trend", "test_scores_properties")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under benchmarks/mutation.sh (SCORING_CHEAP_TESTS_FIRST=1), run the tests that build no
    workbooks and run no pipeline first: a mutant they kill then stops before the slow ones."""
    import os

    if os.environ.get("SCORING_CHEAP_TESTS_FIRST") != "1":
        return

    def cost(item: pytest.Item) -> int:
        module = item.path.stem
        return _COSTLY.index(module) + 1 if module in _COSTLY else 0

    items.sort(key=cost)
