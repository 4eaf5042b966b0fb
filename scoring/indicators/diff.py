"""Year-over-year (or draft-against-published) comparison of two indicator sets.

Indicators are paired by name; within one year (a draft against the published set) the rest are
then paired by id. Across years ids are not stable, so only names pair. Tasks newly covered:
within one year, by task id; across years, through the catalogue diff (a task counts as newly
covered when neither it nor any earlier task it carries over from was assessed before).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from scoring.catalogue.diff import diff_plans
from scoring.catalogue.models import Plan
from scoring.indicators.models import Indicator, IndicatorSet


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IndicatorRef(_Out):
    """An indicator named by id, with its points and rule kind."""

    id: str
    name: str
    points: float
    kind: str


class Reweighted(_Out):
    """An indicator whose points changed."""

    id: str
    name: str
    old_points: float
    new_points: float


class RuleChanged(_Out):
    """An indicator whose rule changed (kind or settings)."""

    id: str
    name: str
    old_kind: str
    new_kind: str
    fields: list[str]


class ChoiceChanged(_Out):
    """A rule the configuration chooses (a ``RuleChoice`` of the audit) whose value differs:
    ``None`` on the side that does not have it."""

    field: str
    name: str
    old: str | None
    new: str | None


class TaskRef(_Out):
    """A task of the newer catalogue."""

    id: str
    title: str


class SetDiff(_Out):
    """What changed from ``old`` to ``new``."""

    old_file: str
    new_file: str
    old_year: int
    new_year: int
    added: list[IndicatorRef]
    removed: list[IndicatorRef]
    reweighted: list[Reweighted]
    rule_changed: list[RuleChanged]
    tasks_newly_covered: list[TaskRef]
    tasks_method: str
    choices_changed: list[ChoiceChanged] = []


def _ref(ind: Indicator) -> IndicatorRef:
    return IndicatorRef(id=ind.id, name=ind.name, points=ind.points, kind=ind.rule.kind)


def _pairs(old: IndicatorSet, new: IndicatorSet) -> tuple[list[tuple[Indicator, Indicator]],
                                                          list[Indicator], list[Indicator]]:
    olds = [i for _, i in old.indicators()]
    news = [i for _, i in new.indicators()]
    pairs: list[tuple[Indicator, Indicator]] = []
    keys = ("name", "id") if old.year == new.year else ("name",)
    for key in keys:
        by_key = {getattr(i, key): i for i in olds}
        rest: list[Indicator] = []
        for ind in news:
            match = by_key.get(getattr(ind, key))
            if match is not None and match in olds:
                pairs.append((match, ind))
                olds.remove(match)
            else:
                rest.append(ind)
        news = rest
    return pairs, olds, news


def _covered(s: IndicatorSet) -> set[str]:
    return {t for _, ind in s.indicators() for t in ind.tasks}


def _newly_covered(old: IndicatorSet, new: IndicatorSet, old_plan: Plan | None,
                   new_plan: Plan | None) -> tuple[list[TaskRef], str]:
    if new_plan is None:
        return [], "任务目录不可用，未比较任务覆盖"
    before, now = _covered(old), _covered(new)
    titles = {t.id: t.title for t in new_plan.tasks()}
    if old.year == new.year or old_plan is None:
        fresh = [t for t in titles if t in now and t not in before]
        return [TaskRef(id=t, title=titles[t]) for t in fresh], "同一年度：按任务编号比较"
    plan_diff = diff_plans(old_plan, new_plan)
    sources: dict[str, set[str]] = {}
    for match in plan_diff.tasks.carried_over:
        sources.setdefault(match.new.id, set()).add(match.old.id)
    fresh = [t for t in titles if t in now and not (sources.get(t, set()) & before)]
    return ([TaskRef(id=t, title=titles[t]) for t in fresh],
            f"跨年度：按任务目录比对（{plan_diff.method}，阈值 {plan_diff.threshold}）")


def diff_sets(old: IndicatorSet, new: IndicatorSet, *, old_file: str, new_file: str,
              old_plan: Plan | None = None, new_plan: Plan | None = None) -> SetDiff:
    """Indicators added, removed, re-weighted, rule changed; tasks newly covered."""
    pairs, removed, added = _pairs(old, new)
    reweighted = [Reweighted(id=n.id, name=n.name, old_points=o.points, new_points=n.points)
                  for o, n in pairs if o.points != n.points]
    changed: list[RuleChanged] = []
    for o, n in pairs:
        a, b = o.rule.model_dump(mode="json"), n.rule.model_dump(mode="json")
        if a != b:
            fields = (["kind"] if o.rule.kind != n.rule.kind
                      else sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k)))
            changed.append(RuleChanged(id=n.id, name=n.name, old_kind=o.rule.kind, new_kind=n.rule.kind,
                                       fields=fields))
    fresh, method = _newly_covered(old, new, old_plan, new_plan)
    return SetDiff(old_file=old_file, new_file=new_file, old_year=old.year, new_year=new.year,
                   added=[_ref(i) for i in added], removed=[_ref(i) for i in removed],
                   reweighted=reweighted, rule_changed=changed, tasks_newly_covered=fresh,
                   tasks_method=method)
