"""The corpus of hand-filled workbooks (tests/corpus.py): each gives its findings, and no score
changes silently: every value is read as the original, or a warning or error names its cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import Variant, build, variants
from unitscore import base_submission, names_cell, score_unit

from scoring.problems import Problem
from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

VARIANTS = variants()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every variant written once per session (LibreOffice runs once per output format)."""
    return build(tmp_path_factory.mktemp("corpus"))


def silent_changes(base: Submission, read: Submission) -> list[str]:
    """Values and task reports read differently from the original with no warning or error
    naming their cell."""
    findings: list[Problem] = read.findings

    def named(sheet: str, cells: list[str | None], key: str) -> bool:
        return any(names_cell(f, sheet, cell, key) for f in findings for cell in cells)

    silent = []
    for code, was in base.values.items():
        now = read.values.get(code)
        if now is not None and now.value == was.value:
            continue
        if not named(was.sheet, [was.cell, now.cell if now else None], code):
            silent.append(f"{code}: {was.value!r} ({was.cell}) → {now.value if now else None!r}")
    for task_id, was_task in base.tasks.items():
        now_task = read.tasks.get(task_id)
        if now_task is not None and (now_task.status, bool(now_task.evidence)) == (
                was_task.status, bool(was_task.evidence)):
            continue
        if not named(was_task.sheet, [was_task.cell, now_task.cell if now_task else None], task_id):
            silent.append(f"{task_id}: {was_task.status} → {now_task.status if now_task else None}")
    return silent


def test_the_corpus_is_varied() -> None:
    assert len(VARIANTS) >= 45 and len({v.name for v in VARIANTS}) == len(VARIANTS)
    assert sum(v.resave is not None for v in VARIANTS) >= 10


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_gives_its_findings_and_changes_no_score_silently(corpus: dict[str, Path],
                                                                   variant: Variant) -> None:
    read = validate_submission(corpus[variant.name], load_year_config, expected_year=variant.year)
    flat = [(f.sheet, f.cell, f.code) for f in read.findings]
    for expected in variant.expect:
        assert expected in flat, (expected, [f.render() for f in read.findings])
    if not variant.expect:
        assert [f.render() for f in read.findings if f.severity != "info"] == []
    base = base_submission(variant.year)
    assert silent_changes(base, read) == []
    if read.valid:
        read.unit_code = read.unit_code or "110000"
        scored, original = score_unit(variant.year, read), score_unit(variant.year, base)
        changed = {i for i, s in scored.indicators.items() if s.points != original.indicators[i].points}
        if not [v for v in base.values if read.values.get(v) is None
                or read.values[v].value != base.values[v].value] and \
                all((read.tasks[t].status, bool(read.tasks[t].evidence)) == (r.status, bool(r.evidence))
                    for t, r in base.tasks.items()):
            assert changed == set() and scored.total == original.total
