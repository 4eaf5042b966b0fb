"""The auditor's lint: every finding a Problem with file, line and YAML path, all collected at once.

Codes (stable, kebab-case):

* structure: ``duplicate-id``, ``weights-sum``, ``section-points-mismatch``,
  ``adjustment-cap-missing``, ``adjustment-mode``, ``veto-misplaced``, ``veto-points``,
  ``veto-target-unknown``
* rules: ``rule-unreachable-max``, ``rule-exceeds-max``, ``rule-not-monotone``, ``band-gap``,
  ``band-overlap``, ``rank-shares-missing``, ``rule-no-tasks``
* items: ``item-undefined``, ``item-wrong-kind``, ``item-unused``, ``item-bounds``,
  ``item-options``, ``check-wrong-kind``
* tasks: ``catalogue-missing``, ``catalogue-mismatch``, ``task-unknown``, ``task-not-covered``,
  ``task-excluded-and-covered``
* grades and tiers: ``band-gap``, ``band-overlap`` (on ``grades`` / ``tiers``), ``tier-method``,
  ``tier-exceeds-max``, ``tier-shares``; ``tier-grade-unknown``, ``tier-grade-contradiction``,
  ``tier-grade-unstated`` (``audit_tiers.py``)
* citations: ``basis-not-in-plan`` (``audit_citations.py``)
* reference data: ``reference-year-differs``, ``reference-year-mismatch`` (``audit_reference.py``;
  only when the units' figures are given)
* drafts: ``task-todo``, one per task still listed in ``todo``
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from scoring.catalogue.models import Plan
from scoring.errors import ConfigError
from scoring.indicators.audit_citations import citation_findings
from scoring.indicators.audit_reference import reference_year_findings
from scoring.indicators.audit_tiers import grade_tier_findings
from scoring.indicators.intervals import band_issues
from scoring.indicators.items import ITEM_KIND_LABELS, NUMERIC_KINDS, ItemKind
from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.indicators.rules import DeductionsRule, LintContext, TaskCompletionRule, VetoRule
from scoring.indicators.rules.base import fmt
from scoring.indicators.store import LoadedSet
from scoring.indicators.units import FigureSource
from scoring.problems import Problem, Severity
from scoring.yamlfile import format_path

PathT = tuple[str | int, ...]
EPSILON = 1e-9


class _Collector:
    """Builds located problems for one file."""

    def __init__(self, loaded: LoadedSet) -> None:
        self.loaded = loaded
        self.problems: list[Problem] = []

    def add(self, code: str, severity: Severity, message: str, path: PathT,
            value: str | None = None) -> None:
        self.problems.append(Problem(
            code=code, severity=severity, message=message, file=str(self.loaded.file),
            line=self.loaded.line(path), path=format_path(path) or None, value=value,
        ))

    def error(self, code: str, message: str, path: PathT, value: str | None = None) -> None:
        self.add(code, Severity.ERROR, message, path, value)

    def warning(self, code: str, message: str, path: PathT, value: str | None = None) -> None:
        self.add(code, Severity.WARNING, message, path, value)


def audit(loaded: LoadedSet, plan: Plan | None,
          figures: Mapping[str, FigureSource] | None = None) -> list[Problem]:
    """Every lint finding for a loaded set; without a catalogue (``None``) tasks are not checked,
    without the units' reference figures (units.yaml ``figures``) their years are not."""
    out = _Collector(loaded)
    s = loaded.indicator_set
    _duplicates(s, out)
    _weights(s, out)
    _rules(s, out)
    _items(s, out)
    _bands(s, out)
    grade_tier_findings(s, out.add)
    if figures is not None:
        reference_year_findings(s, figures, out.add)
    if plan is not None:
        _tasks(s, plan, out)
        citation_findings(s, plan, out.add)
    return out.problems


def read_catalogue(loaded: LoadedSet) -> tuple[Plan | None, list[Problem]]:
    """The catalogue the set refers to, or ``None`` and a ``catalogue-missing`` finding."""
    try:
        return loaded.load_catalogue(), []
    except ConfigError as exc:
        out = _Collector(loaded)
        detail = exc.problems[0].render() if exc.problems else str(exc)
        out.error("catalogue-missing", f"无法读取任务目录 {loaded.indicator_set.catalogue}：{detail}",
                  ("catalogue",))
        return None, out.problems


def _dupes(ids: Iterable[tuple[str, PathT]], what: str, out: _Collector) -> None:
    seen: set[str] = set()
    for ident, path in ids:
        if ident in seen:
            out.error("duplicate-id", f"{what}“{ident}”重复", path, ident)
        seen.add(ident)


def _duplicates(s: IndicatorSet, out: _Collector) -> None:
    _dupes(((sec.id, ("sections", i, "id")) for i, sec in enumerate(s.sections)), "部分编号", out)
    _dupes(((ind.id, ("sections", i, "indicators", j, "id"))
            for i, sec in enumerate(s.sections) for j, ind in enumerate(sec.indicators)), "指标编号", out)
    _dupes(((it.code, ("items", i, "code")) for i, it in enumerate(s.items)), "数据项代码", out)
    _dupes(((c.id, ("checks", i, "id")) for i, c in enumerate(s.checks)), "校验规则编号", out)
    _dupes(((e.task, ("excluded_tasks", i, "task")) for i, e in enumerate(s.excluded_tasks)),
           "排除任务", out)


def _weights(s: IndicatorSet, out: _Collector) -> None:
    total = 0.0
    section_ids = {sec.id for sec in s.sections}
    grades = {g.name for g in s.grades}
    for i, sec in enumerate(s.sections):
        own = sum(ind.points for ind in sec.indicators)
        if sec.kind is SectionKind.SCORE:
            total += own
        if sec.points is not None and abs(sec.points - own) > EPSILON:
            out.error("section-points-mismatch",
                      f"部分“{sec.name}”满分 {fmt(sec.points)} 与所属指标分值之和 {fmt(own)} 不一致",
                      ("sections", i, "points"))
        if sec.kind in (SectionKind.BONUS, SectionKind.DEDUCTION) and sec.cap is None:
            out.warning("adjustment-cap-missing", f"加分/扣分部分“{sec.name}”未设上限 cap", ("sections", i))
        for j, ind in enumerate(sec.indicators):
            path: PathT = ("sections", i, "indicators", j)
            is_veto = isinstance(ind.rule, VetoRule)
            if is_veto != (sec.kind is SectionKind.VETO):
                out.error("veto-misplaced",
                          "一票否决规则只能放在 kind: veto 的部分，且该部分只能包含一票否决规则",
                          (*path, "rule", "kind"))
            adjusting = sec.kind in (SectionKind.BONUS, SectionKind.DEDUCTION)
            if adjusting and isinstance(ind.rule, DeductionsRule) and ind.rule.mode == "from_max":
                out.error("adjustment-mode",
                          "加分/扣分部分中的计次规则应使用 mode: tally"
                          "（from_max 会在没有事件时给出最大加减分）",
                          (*path, "rule", "mode"))
            if is_veto and ind.points != 0:
                out.error("veto-points", "一票否决指标不计分，points 应为 0", (*path, "points"))
            if isinstance(ind.rule, VetoRule):
                effects = ind.rule.effects
                where = (*path, "rule", "effects")
                if effects.grade != "keep" and effects.grade not in grades:
                    out.error("veto-target-unknown", f"等次“{effects.grade}”未在 grades 中定义",
                              (*where, "grade"), effects.grade)
                if effects.tier not in ("keep", "last") and s.tiers.index(effects.tier) is None:
                    out.error("veto-target-unknown", f"档次“{effects.tier}”未在 tiers 中定义",
                              (*where, "tier"), effects.tier)
                for k, target in enumerate(effects.sections):
                    if target not in section_ids:
                        out.error("veto-target-unknown", f"部分“{target}”不存在",
                                  (*where, "sections", k), target)
    if abs(total - s.total_points) > EPSILON:
        out.error("weights-sum", f"计分部分各指标分值合计 {fmt(total)}，与总分 {fmt(s.total_points)} 不符",
                  ("total_points",))


def _rules(s: IndicatorSet, out: _Collector) -> None:
    items = s.item_map()
    for i, sec in enumerate(s.sections):
        for j, ind in enumerate(sec.indicators):
            path: PathT = ("sections", i, "indicators", j)
            rule = ind.rule
            if not isinstance(rule, VetoRule):
                best = rule.max_attainable(ind.points, items)
                if best + EPSILON < ind.points:
                    out.error("rule-unreachable-max",
                              f"指标“{ind.name}”满分 {fmt(ind.points)}，但按其规则最多只能得 {fmt(best)} 分",
                              (*path, "rule"))
            if isinstance(rule, TaskCompletionRule) and not ind.tasks:
                out.error("rule-no-tasks",
                          f"指标“{ind.name}”按任务完成情况计分，但未列出任务", (*path, "tasks"))
            for finding in rule.lint(LintContext(max_points=ind.points, items=items)):
                out.add(finding.code, finding.severity, finding.message, (*path, "rule", *finding.path))
            for code, kinds in rule.item_kinds_required().items():
                item = items.get(code)
                where = _item_path(rule.model_dump(by_alias=True), code) or ()
                if item is None:
                    out.error("item-undefined", f"数据项“{code}”未在 items 中定义",
                              (*path, "rule", *where), code)
                elif item.kind not in kinds:
                    wanted = "、".join(ITEM_KIND_LABELS[k] for k in ItemKind if k in kinds)
                    out.error("item-wrong-kind",
                              f"规则 {rule.kind} 需要{wanted}类数据项，“{item.name}”({code}) 是"
                              f"{ITEM_KIND_LABELS[item.kind]}", (*path, "rule", *where), code)


def _item_path(dumped: object, code: str, prefix: PathT = ()) -> PathT | None:
    """The path inside a rule where ``code`` is named (for the line number)."""
    if dumped == code:
        return prefix
    children: Iterable[tuple[str | int, object]] = ()
    if isinstance(dumped, dict):
        children = dumped.items()
    elif isinstance(dumped, list):
        children = enumerate(dumped)
    for key, value in children:
        found = _item_path(value, code, (*prefix, key))
        if found is not None:
            return found
    return None


def _items(s: IndicatorSet, out: _Collector) -> None:
    used: Counter[str] = Counter()
    for _, ind in s.indicators():
        used.update(ind.rule.referenced_items())
    items = s.item_map()
    for i, check in enumerate(s.checks):
        used.update(check.referenced_items())
        codes = check.referenced_items()
        for side in ("left", "right"):
            for k, code in enumerate(getattr(check, side).items):
                if code not in items:
                    out.error("item-undefined", f"数据项“{code}”未在 items 中定义",
                              ("checks", i, side, "items", k), code)
        kinds = {items[c].kind for c in codes if c in items}
        dates_only = kinds == {ItemKind.DATE} and len(check.left.items) == len(check.right.items) == 1
        if kinds and not dates_only and not kinds <= NUMERIC_KINDS:
            out.error("check-wrong-kind", "校验规则只能比较数值类数据项（或两个日期项）", ("checks", i))
    for i, item in enumerate(s.items):
        path: PathT = ("items", i)
        if used[item.code] == 0:
            out.warning("item-unused", f"数据项“{item.name}”({item.code}) 未被任何指标或校验规则使用",
                        (*path, "code"), item.code)
        if item.min is not None and item.max is not None and item.min > item.max:
            out.error("item-bounds", f"数据项“{item.name}”下限 {fmt(item.min)} 大于上限 {fmt(item.max)}",
                      (*path, "min"))
        if (item.kind is ItemKind.CHOICE) != bool(item.options):
            out.error("item-options",
                      "选项类（choice）数据项须给出 options，其他类型不应给出", (*path, "kind"))


def _bands(s: IndicatorSet, out: _Collector) -> None:
    for issue in band_issues(s.grades, 0.0, s.total_points):
        code = "band-gap" if issue.kind == "gap" else "band-overlap"
        what = "不属于任何等次" if issue.kind == "gap" else "同时属于多个等次"
        out.error(code, f"得分区间 {issue.describe()} {what}", ("grades", issue.index))
    table = s.tiers
    for k, tier in enumerate(table.tiers):
        if tier.points > table.max_points:
            out.error("tier-exceeds-max",
                      f"{tier.name} 分值 {fmt(tier.points)} 超过满分 {fmt(table.max_points)}",
                      ("tiers", "tiers", k, "points"))
        shape = ("grade" if tier.grades else "rank_share" if tier.up_to_share is not None
                 else "score")
        mixed = sum(bool(x) for x in (tier.grades, tier.up_to_share is not None,
                                       tier.at_least is not None or tier.below is not None)) > 1
        if shape != table.method or mixed:
            out.error("tier-method",
                      f"{tier.name}：按得分划档用 at_least/below，按排名比例划档用 up_to_share，"
                      "按等次划档用 grades",
                      ("tiers", "tiers", k))
    if table.method == "score":
        for issue in band_issues(table.tiers, 0.0, s.total_points):
            code = "band-gap" if issue.kind == "gap" else "band-overlap"
            what = "不属于任何档次" if issue.kind == "gap" else "同时属于多个档次"
            out.error(code, f"得分区间 {issue.describe()} {what}", ("tiers", "tiers", issue.index))
    elif table.method == "rank_share":
        shares = [t.up_to_share for t in table.tiers if t.up_to_share is not None]
        if shares != sorted(shares) or not shares or shares[-1] != 1:
            out.error("tier-shares", "按排名比例划档时 up_to_share 应逐档递增，最后一档为 1（全部单位）",
                      ("tiers", "tiers"))


def _tasks(s: IndicatorSet, plan: Plan, out: _Collector) -> None:
    if plan.year != s.year:
        out.error("catalogue-mismatch", f"任务目录为 {plan.year} 年，指标为 {s.year} 年", ("catalogue",))
    known = {t.id for t in plan.tasks()}
    covered: set[str] = set()
    for i, sec in enumerate(s.sections):
        for j, ind in enumerate(sec.indicators):
            for k, task_id in enumerate(ind.tasks):
                covered.add(task_id)
                if task_id not in known:
                    out.error("task-unknown", f"任务“{task_id}”不在 {plan.year} 年任务目录中",
                              ("sections", i, "indicators", j, "tasks", k), task_id)
    excluded: set[str] = set()
    for i, exclusion in enumerate(s.excluded_tasks):
        excluded.add(exclusion.task)
        if exclusion.task not in known:
            out.error("task-unknown", f"任务“{exclusion.task}”不在 {plan.year} 年任务目录中",
                      ("excluded_tasks", i, "task"), exclusion.task)
        elif exclusion.task in covered:
            out.warning("task-excluded-and-covered", f"任务“{exclusion.task}”已被指标考核，却又列为排除",
                        ("excluded_tasks", i, "task"), exclusion.task)
    todo = {t.task for t in s.todo}
    for k, item in enumerate(s.todo):
        out.error("task-todo", f"任务 {item.task}“{item.title}”尚待决定：列入某项指标的 tasks，"
                  "或写入 excluded_tasks 并说明理由，然后从 todo 中删去", ("todo", k, "task"), item.task)
    for task in plan.tasks():
        if task.id not in covered and task.id not in excluded and task.id not in todo:
            out.error("task-not-covered",
                      f"任务 {task.id}“{task.title}”未被任何指标考核，也未在 excluded_tasks 中说明理由",
                      ("sections",), task.id)
