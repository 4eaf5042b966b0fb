"""The auditor's check that grade (等次) and tier (档次) cannot contradict each other.

A grade is the absolute judgement (bands of the published total); a tier is what the unit earns
in 平安建设. ``tiers.method: grade`` derives one from the other; otherwise ``grade_limits`` states
the tiers each grade allows and the engine keeps units within them. The published pair contradicts
itself when one unit has a better grade but a worse tier than another, or a pair lies outside the
stated limits. This module reports every configuration under which that could happen:

* ``tier-grade-unknown``: a limit or a tier names a grade or tier that does not exist; with
  ``method: grade``, a grade in no tier or in several;
* ``tier-grade-contradiction``: limits that allow a better grade a worse tier (or an empty range),
  a ``method: grade`` table out of order, or a veto whose grade and tier can invert the order;
* ``tier-grade-unstated`` (warning): nothing relates the two classifications.
"""

from __future__ import annotations

from collections.abc import Callable

from scoring.indicators.intervals import contains
from scoring.indicators.models import IndicatorSet
from scoring.indicators.rules import VetoRule
from scoring.problems import Severity

PathT = tuple[str | int, ...]
Report = Callable[[str, Severity, str, PathT], None]


def _ranges(s: IndicatorSet, report: Report) -> dict[str, tuple[int, int]]:
    """Each grade's allowed tier positions [best, worst] (0 = first tier)."""
    table = s.tiers
    last = len(table.tiers) - 1
    grades = [g.name for g in s.grades]
    out = {g: (0, last) for g in grades}
    for k, limit in enumerate(table.grade_limits):
        path: PathT = ("tiers", "grade_limits", k)
        if limit.grade not in out:
            report("tier-grade-unknown", Severity.ERROR, f"等次“{limit.grade}”未在 grades 中定义",
                   (*path, "grade"))
            continue
        bounds = []
        for field, default in (("best", 0), ("worst", last)):
            name = getattr(limit, field)
            index = default if name is None else table.index(name)
            if index is None:
                report("tier-grade-unknown", Severity.ERROR, f"档次“{name}”未在 tiers 中定义", (*path, field))
                index = default
            bounds.append(index)
        out[limit.grade] = (bounds[0], bounds[1])
        if bounds[0] > bounds[1]:
            report("tier-grade-contradiction", Severity.ERROR,
                   f"{limit.grade}的最高档次低于最低档次，没有可列的档次", path)
    for better, worse in zip(grades, grades[1:], strict=False):
        (b_lo, b_hi), (w_lo, w_hi) = out[better], out[worse]
        if b_lo > w_lo or b_hi > w_hi:
            report("tier-grade-contradiction", Severity.ERROR,
                   f"等次“{better}”可列的档次比“{worse}”更低：等次较高的单位可能档次较低",
                   ("tiers", "grade_limits"))
    return out


def _by_grade(s: IndicatorSet, ranges: dict[str, tuple[int, int]], report: Report) -> None:
    """``method: grade``: every grade in exactly one tier, in order, within its limits."""
    table = s.tiers
    seen: dict[str, int] = {}
    for k, tier in enumerate(table.tiers):
        for grade in tier.grades:
            if grade not in ranges:
                report("tier-grade-unknown", Severity.ERROR, f"等次“{grade}”未在 grades 中定义",
                       ("tiers", "tiers", k, "grades"))
            elif grade in seen:
                report("tier-grade-unknown", Severity.ERROR, f"等次“{grade}”同时列入两个档次",
                       ("tiers", "tiers", k, "grades"))
            else:
                seen[grade] = k
    order = [seen[g.name] for g in s.grades if g.name in seen]
    for grade in (g.name for g in s.grades):
        if grade not in seen:
            report("tier-grade-unknown", Severity.ERROR, f"等次“{grade}”未列入任何档次", ("tiers", "tiers"))
        elif not ranges[grade][0] <= seen[grade] <= ranges[grade][1]:
            report("tier-grade-contradiction", Severity.ERROR,
                   f"等次“{grade}”所列档次超出 grade_limits 规定的范围", ("tiers", "grade_limits"))
    if order != sorted(order):
        report("tier-grade-contradiction", Severity.ERROR,
               "按等次划档时，等次较高的单位应列较高（或相同）的档次", ("tiers", "tiers"))


def _possible(s: IndicatorSet, ranges: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """The tiers a unit of each grade can get without a veto."""
    if s.tiers.method != "grade":
        return ranges
    out = {}
    for grade, (lo, hi) in ranges.items():
        k = next((k for k, t in enumerate(s.tiers.tiers) if grade in t.grades), len(s.tiers.tiers) - 1)
        k = min(max(k, lo), hi)
        out[grade] = (k, k)
    return out


def _vetoes(s: IndicatorSet, ranges: dict[str, tuple[int, int]], report: Report) -> None:
    """A vetoed unit's grade and tier must not invert the order against any other unit."""
    grades = [g.name for g in s.grades]
    possible = _possible(s, ranges)
    last = len(s.tiers.tiers) - 1
    for i, sec in enumerate(s.sections):
        for j, ind in enumerate(sec.indicators):
            if not isinstance(ind.rule, VetoRule):
                continue
            effects = ind.rule.effects
            if effects.grade == "keep" and effects.tier == "keep":
                continue  # graded and placed like any unit: the score order keeps them consistent
            path: PathT = ("sections", i, "indicators", j, "rule", "effects")
            zero_grade = next((g.name for g in s.grades if contains(g, 0.0)), grades[-1])
            if effects.grade != "keep":
                own_grades = [effects.grade]
            elif effects.total == "zero":
                own_grades = [zero_grade]  # a total of 0 is graded like any other 0
            else:
                own_grades = grades
            if any(g not in ranges for g in own_grades):
                continue  # reported as veto-target-unknown
            for own in own_grades:
                if effects.tier == "keep":
                    lo, hi = possible[own]
                else:
                    index = last if effects.tier == "last" else s.tiers.index(effects.tier)
                    if index is None:
                        continue  # reported as veto-target-unknown
                    lo = hi = index
                    if not ranges[own][0] <= index <= ranges[own][1]:
                        report("tier-grade-contradiction", Severity.ERROR,
                               f"一票否决“{ind.name}”规定的档次超出等次“{own}”可列的档次", (*path, "tier"))
                        break
                position = grades.index(own)
                better = [g for g in grades[:position]]
                worse = [g for g in grades[position + 1:]]
                if any(possible[g][1] > lo for g in better) or any(hi > possible[g][0] for g in worse):
                    report("tier-grade-contradiction", Severity.ERROR,
                           f"一票否决“{ind.name}”后该单位等次为“{own}”，但其档次可能高于等次较高的单位"
                           "（请规定 effects.tier，或在 tiers.grade_limits 中限定该等次的档次）",
                           (*path, "tier"))
                    break


def grade_tier_findings(s: IndicatorSet, report: Report) -> None:
    """Report every way the set's grades and tiers could contradict each other."""
    ranges = _ranges(s, report)
    if s.tiers.method == "grade":
        _by_grade(s, ranges, report)
    elif not s.tiers.grade_limits:
        report("tier-grade-unstated", Severity.WARNING,
               "未规定等次与档次的关系（tiers.grade_limits 或 method: grade），"
               "同一单位可能等次较低而档次较高",
               ("tiers",))
    _vetoes(s, ranges, report)
