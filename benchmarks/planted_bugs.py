"""Plant the bugs of issue 14 one at a time and list the tests that catch each (see docs/mutation.md).

Each bug is a one-line edit of the working tree; the tests that concern its module run (niced),
the failing ones are listed, and the file is restored whatever happens. A bug no test catches is
reported as 未发现 and the script exits 1. Not a test: it edits the source while it runs.

    .venv/bin/python benchmarks/planted_bugs.py [NUMBER …]
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCORING_TESTS = ("tests/test_rules.py", "tests/test_rules_worked.py", "tests/test_rules_static.py",
                 "tests/test_ranking.py", "tests/test_robustness.py", "tests/test_scores_deductions.py",
                 "tests/test_scores_rounding.py", "tests/test_scores_engine.py", "tests/test_scores_ties.py",
                 "tests/test_scores_trend.py", "tests/test_scores_year.py", "tests/test_scores_outputs.py",
                 "tests/test_scores_handworked.py", "tests/test_scores_properties.py",
                 "tests/test_indicators.py")
WORKBOOK_TESTS = ("tests/test_workbook_validate.py", "tests/test_workbook_values.py",
                  "tests/test_workbook_values_notes.py", "tests/test_workbook_guard.py",
                  "tests/test_samples.py", "tests/test_scores_handworked.py")


@dataclass(frozen=True)
class Bug:
    """A one-line bug: in ``path`` the text ``old`` (found exactly once) becomes ``new``."""

    number: int
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...] = SCORING_TESTS


BUGS = [
    Bug(1, "rank 规则：rank / n <= up_to_share 改为 <", "scoring/indicators/rules/rank.py",
        "if rank / n <= s.up_to_share)", "if rank / n < s.up_to_share)"),
    Bug(2, "linear 规则：不封顶", "scoring/indicators/rules/linear.py",
        "points = clamp(min(raw, cap), ctx.max_points)", "points = clamp(raw, ctx.max_points)"),
    Bug(3, "from_max 扣分变成加分", "scoring/indicators/rules/deductions.py",
        "points = clamp(ctx.max_points - tally, ctx.max_points)",
        "points = clamp(ctx.max_points + tally, ctx.max_points)"),
    Bug(4, "competition 与 dense 对调", "scoring/scores/ranking.py",
        '    if ties == "competition":\n        ordered', '    if ties == "dense":\n        ordered'),
    Bug(5, "区内名次取全国名次", "scoring/scores/ranking.py",
        "                unit.rank_in_region = value", "                unit.rank_in_region = unit.rank"),
    Bug(6, "稳健区间 p95 取第 5 百分位", "scoring/scores/robustness.py",
        "np.percentile(column, 95, ", "np.percentile(column, 5, "),
    Bug(7, "名次变化符号相反", "scoring/scores/trend.py",
        "(old.rank - unit.rank)", "(unit.rank - old.rank)"),
    Bug(8, "成绩单各部分的全国平均与最高分对调", "scoring/report/views.py",
        "average=fmean(nums) if nums else 0.0, best=best,",
        "average=best, best=fmean(nums) if nums else 0.0,",
        ("tests/test_report_documents.py", "tests/test_report_text.py")),
    Bug(9, "单位代码不符的检查关闭", "scoring/workbook/validate.py",
        "elif written is not None and unit_code is not None and written != unit_code:",
        "elif False:", WORKBOOK_TESTS),
    Bug(10, "中央记录单元格错一行", "scoring/workbook/central.py",
        'ref = f"{column_letters(column)}{row}"', 'ref = f"{column_letters(column)}{row + 1}"',
        WORKBOOK_TESTS),
    Bug(11, "去掉 NFKC 规范化", "scoring/workbook/values.py",
        'normalised = unicodedata.normalize("NFKC", text).strip().replace(" ", "")',
        'normalised = text.strip().replace(" ", "")', WORKBOOK_TESTS),
    Bug(12, "“X、Y负责”记为单独负责", "scoring/catalogue/clauses.py",
        "elif total == 1 and not shared:", "elif not shared:",
        ("tests/test_catalogue_seeds.py", "tests/test_catalogue_variants.py", "tests/test_catalogue_local.py",
         "tests/test_cli_tasks.py")),
]


def plant(bug: Bug) -> list[str]:
    """The tests that fail with ``bug`` planted (the file is restored afterwards)."""
    path = ROOT / bug.path
    original = path.read_text(encoding="utf-8")
    if original.count(bug.old) != 1:
        raise SystemExit(f"{bug.path}: 找不到（或不止一处）要改的代码：{bug.old!r}")
    try:
        path.write_text(original.replace(bug.old, bug.new), encoding="utf-8")
        run = subprocess.run(["nice", "-n", "10", sys.executable, "-m", "pytest", "-q", "-rf",
                              "-p", "no:cacheprovider", *bug.tests], cwd=ROOT, capture_output=True, text=True)
    finally:
        path.write_text(original, encoding="utf-8")
    failed = re.findall(r"^FAILED (\S+)", run.stdout, flags=re.MULTILINE)
    return list(dict.fromkeys(re.sub(r"\[.*", "[…]", test) for test in failed))  # one line per test


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # so that ``plant`` restores the file


def main() -> int:
    """Plant the chosen bugs (all by default) and print which tests catch each."""
    signal.signal(signal.SIGTERM, _stop)
    wanted = {int(a) for a in sys.argv[1:]}
    missed = 0
    for bug in BUGS:
        if wanted and bug.number not in wanted:
            continue
        failed = plant(bug)
        missed += not failed
        verdict = f"{len(failed)} 个测试发现" if failed else "未发现"
        print(f"{bug.number:2} {bug.what}（{bug.path}）：{verdict}")
        for test in failed:
            print(f"     {test}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
