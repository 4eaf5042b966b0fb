"""The catalogue of problem codes: complete for the code that reports problems, one message per
code whichever step finds it, and the README's list generated from it."""

from __future__ import annotations

import ast
import logging
import re
import zipfile
from pathlib import Path

import pytest
import workbooks as wbs

from scoring.problem_codes import CATALOGUE, README_BEGIN, README_END, readme_table
from scoring.workbook import validate as validate_module
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

ROOT = Path(__file__).resolve().parents[1]
# the parts of scoring/ whose problem codes are catalogued so far
CATALOGUED_PARTS = ("workbook", "pipeline", "scores", "portal")
# kebab-case strings in those parts that are not problem codes
NOT_CODES = frozenset({
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "yyyy-mm-dd", "rev-parse",
    "manifest-folder", "no-store", "same-origin", "cache-control", "content-type", "content-length",
    "content-disposition", "content-security-policy", "x-content-type-options", "x-frame-options",
    "referrer-policy", "cross-origin-opener-policy", "permissions-policy", "strict-transport-security",
    "sign-in", "sign-in-failed", "sign-in-throttled", "sign-out", "account-add", "account-disable",
    "account-password", "central-upload", "central-form", "demo-central", "demo-seed", "run-start",
    "run-succeeded", "run-failed", "task-adjust", "task-restore", "year-open", "year-deadline",
    "evidence-attach", "cross-origin-resource-policy",
    "account-unlock", "done-no-evidence",
    # audit-log actions of the configuration drafts
    "draft-upload", "draft-compare", "draft-compared", "draft-compare-failed", "config-adopt",
    # audit-log actions of the account controls
    "sign-in-2fa-failed", "recovery-code-used", "totp-enrol", "totp-reset", "password-change",
    # audit-log retention
    "audit-prune",
    # audit-log actions of feedback and objections
    "objection-lodge", "objection-withdraw", "objection-answer",
    # the review page's task groups (portal/review/task_groups.py), not findings
    "not-started", "not-applicable",
})
KEBAB = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")


def _kebab_strings(part: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "scoring" / part).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEBAB.match(node.value):
                found.setdefault(node.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


@pytest.mark.parametrize("part", CATALOGUED_PARTS)
def test_every_code_used_is_catalogued(part: str) -> None:
    used = _kebab_strings(part)
    missing = {code: where for code, where in used.items() if code not in CATALOGUE and code not in NOT_CODES}
    assert missing == {}


def test_the_readme_table_is_generated_from_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_BEGIN in readme and README_END in readme
    start = readme.index(README_BEGIN)
    assert readme[start:readme.index(README_END) + len(README_END)] == readme_table(), \
        "README 的问题代码表已过期：运行 python -m scoring.problem_codes README.md"
    assert all(f"| `{code}` |" in readme for code in CATALOGUE)


def _template_pattern(code: str) -> re.Pattern[str]:
    template = CATALOGUE[code].template
    assert template is not None
    parts = re.split(r"\{[^}]*\}", template)
    return re.compile(".+".join(re.escape(p) for p in parts) + "$")


def _broken_sheet(source: Path, path: Path) -> Path:
    """A package whose zip is sound but whose data sheet is not XML (the reader finds it)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            broken = info.filename.endswith("sheet2.xml")
            new.writestr(info, b"<worksheet><sheetData><row>" if broken else data)
    return path


def test_file_corrupt_has_one_message_whichever_step_finds_it(tmp_path: Path) -> None:
    good = wbs.filled_submission(tmp_path / "good.xlsx")
    by_guard = validate_submission(wbs.truncated(good, tmp_path / "half.xlsx"), load_year_config)
    by_reader = validate_submission(_broken_sheet(good, tmp_path / "bad.xlsx"), load_year_config)
    pattern = _template_pattern("file-corrupt")
    for result in (by_guard, by_reader):
        [finding] = result.findings
        assert finding.code == "file-corrupt" and pattern.match(finding.message), finding.message
    assert "sheet2.xml" in by_reader.findings[0].message


def test_zip_bomb_has_one_message_whichever_step_finds_it(tmp_path: Path) -> None:
    good = wbs.filled_submission(tmp_path / "good.xlsx")
    by_guard = validate_submission(wbs.zip_bomb(good, tmp_path / "bomb.xlsx"), load_year_config)
    pattern = _template_pattern("zip-bomb")
    [finding] = by_guard.findings
    assert finding.code == "zip-bomb" and pattern.match(finding.message), finding.message


def test_a_bug_in_the_reader_is_an_internal_error_not_a_damaged_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    good = wbs.filled_submission(tmp_path / "good.xlsx")

    def planted_bug(*args: object, **kwargs: object) -> None:
        raise TypeError("planted")

    monkeypatch.setattr(validate_module, "read_workbook", planted_bug)
    with caplog.at_level(logging.ERROR, logger="scoring.workbook.validate"):
        result = validate_submission(good, load_year_config)
    [finding] = result.findings
    assert finding.code == "internal-error" and finding.severity == "error"
    assert "内部" in finding.message and "并非文件损坏" in finding.message
    assert not result.valid
    assert any(r.exc_info and r.exc_info[0] is TypeError for r in caplog.records)
