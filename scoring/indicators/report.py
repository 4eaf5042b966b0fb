"""The audit report: findings plus what an auditor reads next (maxima, coverage, weights)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from scoring import __version__
from scoring.catalogue.models import Plan
from scoring.errors import ConfigError
from scoring.indicators.audit import audit, read_catalogue
from scoring.indicators.audit_reference import figure_uses, stated_year
from scoring.indicators.diff import ChoiceChanged, SetDiff, diff_sets
from scoring.indicators.items import ITEM_KIND_LABELS, DataItem, Plausibility
from scoring.indicators.models import Indicator, IndicatorSet, SectionKind
from scoring.indicators.rounding import round_points
from scoring.indicators.rules.ratio_target import RatioTargetRule
from scoring.indicators.rules.task_completion import TaskCompletionRule
from scoring.indicators.rules.words import UNSCORABLE_WORDS
from scoring.indicators.store import LoadedSet
from scoring.indicators.units import FigureSource, load_units
from scoring.problems import Problem, Severity


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionSummary(_Out):
    """A section's declared maximum and what its rules can actually reach."""

    id: str
    name: str
    kind: SectionKind
    points: float
    max_attainable: float
    cap: float | None


class IndicatorWeight(_Out):
    """An indicator's weight in the total."""

    id: str
    name: str
    section: str
    kind: str
    kind_label: str
    points: float
    share: float
    """Percent of the total points (score sections only; 0 for adjustments and vetoes)."""
    tasks: list[str]


class TaskCoverage(_Out):
    """One row of the coverage matrix: a task and the indicators that assess it."""

    id: str
    title: str
    section: str
    indicators: list[str]
    excluded: str | None
    effective_points: float
    """Points resting on the task: each score indicator's points shared equally by its tasks."""


class ItemBounds(_Out):
    """A data item and the bounds validation holds it to (hard: error; plausible: warning)."""

    code: str
    name: str
    unit: str | None
    kind: str
    source: str
    min: float | None
    max: float | None
    plausible: Plausibility | None
    bounds: str

    @classmethod
    def of(cls, item: DataItem) -> ItemBounds:
        return cls(code=item.code, name=item.name, unit=item.unit, kind=ITEM_KIND_LABELS[item.kind],
                   source=item.source.value, min=item.min, max=item.max, plausible=item.plausible,
                   bounds=item.describe_bounds())


class CheckRun(_Out):
    """A group of the audit's checks: what it verifies, its finding codes, whether it ran, and how
    many findings it gave."""

    name: str
    verifies: str
    codes: list[str]
    ran: bool
    findings: int


class RuleChoice(_Out):
    """A rule the engine applies, as this configuration chose it (named field, value, meaning)."""

    field: str
    name: str
    value: str
    meaning: str


def rule_choices(s: IndicatorSet, figures: Mapping[str, FigureSource] | None = None) -> list[RuleChoice]:
    """The intake, rounding, ranking, tier, nothing-due, all-不适用 and missing-data rules of the set
    and, given the units' reference figures, the year of each one it uses: each with its field and
    what it does."""
    intake = s.intake
    return [
        RuleChoice(field="intake.evidence_placeholders", name="占位佐证材料",
                   value="、".join(intake.evidence_placeholders),
                   meaning="佐证材料或主要做法只填这些文字时警告，该任务按无佐证材料评分"),
        RuleChoice(field="intake.wrong_unit_factor", name="误按元填报的倍数",
                   value=f"{intake.wrong_unit_factor:g}",
                   meaning="万元金额超过上年数（无上年数时为按规模的合理下限）的该倍数即报错，不能提交"),
        RuleChoice(field="intake.percent_cells", name="百分比格式的单元格", value=intake.percent_cells,
                   meaning=("按单元格显示的值（按格式的小数位四舍五入）评分，并注明存储值"
                            if intake.percent_cells == "displayed" else
                            "按存储值评分（Excel 自身的计算结果）；显示值与之不同时在该单元格警告")),
        RuleChoice(field="rounding", name="舍入",
                   value=f"{s.rounding.decimals} 位小数，{s.rounding.mode}，{s.rounding.method}",
                   meaning=("各指标得分先舍入，部分得分和总分为所印数字之和，逐级相加一致"
                            if s.rounding.method == "printed_parts" else
                            "由各指标精确分值求和后只舍入一次，印出的部分之和可能与总分差末位 1")
                   + "；等次、档次、名次按公布的总分"),
        RuleChoice(field="ranking.ties", name="同分排名", value=s.ranking.ties,
                   meaning="competition：1-2-2-4；dense：1-2-2-3"),
        *_tier_choices(s),
        *_nothing_due_choices(s),
        *_all_not_applicable_choices(s),
        _missing_choice(s),
        *_reference_year_choices(s, figures or {}),
    ]


def choice_changes(old: list[RuleChoice], new: list[RuleChoice]) -> list[ChoiceChanged]:
    """Every rule choice whose value differs between two sets (in the newer set's order, then the
    choices only the older one has)."""
    before = {c.field: c for c in old}
    after = {c.field: c for c in new}
    out = [ChoiceChanged(field=c.field, name=c.name, old=before[c.field].value if c.field in before else None,
                         new=c.value)
           for c in new if c.field not in before or before[c.field].value != c.value]
    return out + [ChoiceChanged(field=c.field, name=c.name, old=c.value, new=None)
                  for c in old if c.field not in after]


def reference_figures() -> dict[str, FigureSource]:
    """The reference figures of the project's units.yaml (none when it cannot be read: its own
    loading reports why)."""
    try:
        return {str(key): source for key, source in load_units().figures.items()}
    except ConfigError:
        return {}


def _reference_year_choices(s: IndicatorSet, figures: Mapping[str, FigureSource]) -> list[RuleChoice]:
    """The year of each reference figure the set divides by, stated or taken from units.yaml."""
    out = []
    for key, use in figure_uses(s).items():
        source = figures.get(key)
        if source is None:
            continue
        stated = stated_year(s, key)
        value = str(stated) if stated is not None else f"未写明（units.yaml：{source.year}）"
        year = stated if stated is not None else source.year
        differs = f"，与考核年度 {s.year} 年不同" if year != s.year else ""
        out.append(RuleChoice(field=f"reference_years.{key}", name=f"{source.name}参考数据年份", value=value,
                              meaning=f"{use.describe()}用 {year} 年的{source.name}"
                                      f"（{source.source}）{differs}"))
    return out


_SHARE_ONLY = "（本配置不按名次比例划档，不适用）"


def _tier_choices(s: IndicatorSet) -> list[RuleChoice]:
    """The two rules of rank-share tiers: ties on a boundary, and the slots of demoted units."""
    table = s.tiers
    not_shares = "" if table.method == "rank_share" else _SHARE_ONLY
    return [
        RuleChoice(field="tiers.boundary_ties", name="档次界线上的同分", value=table.boundary_ties,
                   meaning=("总分相同的单位跨越档次界线时一起列入较高一档，该档可超出比例"
                            if table.boundary_ties == "together_in_better" else
                            "总分相同的单位跨越档次界线时一起列入较低一档，该档可少于比例") + not_shares),
        RuleChoice(field="tiers.demoted_slot", name="被等次调整档次的单位的名额", value=table.demoted_slot,
                   meaning=("因 grade_limits 调整档次的单位仍占其名次所在档的名额，该档因此少列单位"
                            if table.demoted_slot == "keep" else
                            "因 grade_limits 调整档次的单位不占名额，其余单位重新按名次比例划档")
                   + not_shares),
    ]


def _nothing_due_choices(s: IndicatorSet) -> list[RuleChoice]:
    """What each ratio of counts gives when its denominator is 0 (nothing was due)."""
    out = []
    for _, indicator in s.indicators():
        rule = indicator.rule
        if isinstance(rule, RatioTargetRule) and rule.item is None:
            names = "、".join(item.name if (item := s.item(c)) is not None else c for c in rule.denominator)
            out.append(RuleChoice(field=f"{indicator.id}.rule.when_nothing_due",
                                  name=f"{indicator.name}：无应完成事项", value=rule.when_nothing_due,
                                  meaning=_unscorable_meaning(f"{names}为 0 时", rule.when_nothing_due,
                                                              indicator)))
    return out


def _unscorable_meaning(when: str, choice: str, indicator: Indicator) -> str:
    """What an indicator gives when there is nothing to score it by, as ``choice`` says (with the
    indicator's own missing policy when the choice defers to it)."""
    defers = f"（本指标 missing: {indicator.missing.value}）" if choice == "missing" else ""
    return f"{when}{UNSCORABLE_WORDS[choice]}{defers}"


def _all_not_applicable_choices(s: IndicatorSet) -> list[RuleChoice]:
    """What each task-completion indicator gives when every one of its tasks is 不适用."""
    return [RuleChoice(field=f"{indicator.id}.rule.when_all_not_applicable",
                       name=f"{indicator.name}：所涉任务均不适用", value=rule.when_all_not_applicable,
                       meaning=_unscorable_meaning("所涉任务均不适用时", rule.when_all_not_applicable,
                                                   indicator))
            for _, indicator in s.indicators() if isinstance(rule := indicator.rule, TaskCompletionRule)]


def _missing_choice(s: IndicatorSet) -> RuleChoice:
    """Which indicators use which missing-data policy (vetoes have none)."""
    by_policy: dict[str, list[str]] = {}
    for section, indicator in s.indicators():
        if section.kind is not SectionKind.VETO:
            by_policy.setdefault(indicator.missing.value, []).append(indicator.id)
    value = "；".join(f"{policy}：{'、'.join(ids)}" for policy, ids in sorted(by_policy.items()))
    return RuleChoice(field="各指标.missing", name="数据缺失", value=value,
                      meaning="zero：计 0 分；exclude：本项不计入，分值在本部分其余指标间折算；"
                              "flag：计 0 分并标记待核")


class AuditReport(_Out):
    """Everything ``scoring audit`` shows, as data (JSON, console and HTML read this)."""

    file: str
    year: int
    title: str
    config_sha256: str
    engine_version: str
    total_points: float
    errors: int
    warnings: int
    findings: list[Problem]
    checks: list[CheckRun]
    sections: list[SectionSummary]
    indicators: list[IndicatorWeight]
    coverage: list[TaskCoverage]
    items: list[ItemBounds] = []
    rules: list[RuleChoice] = []
    diff: SetDiff | None = None


# The groups of checks ``audit()`` runs (see the code list in ``scoring.indicators.audit``), so the
# report can say what "no problem found" covers. The last element: whether the group needs the
# task catalogue (without it, those checks cannot run).
AUDIT_CHECKS: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("结构", "指标编号不重复；计分部分分值合计等于总分，各部分分值与其指标一致；加分、扣分部分有上限且计次"
     "方式正确；一票否决只在一票否决部分、分值为 0，所清零的部分存在",
     ("duplicate-id", "weights-sum", "section-points-mismatch", "adjustment-cap-missing", "adjustment-mode",
      "veto-misplaced", "veto-points", "veto-target-unknown"), False),
    ("计分规则", "每项规则能取得而不超过满分，得分随数据单调变化，分档无空档、无重叠，排名计分的比例完整，"
     "每项指标都有考核任务",
     ("rule-unreachable-max", "rule-exceeds-max", "rule-not-monotone", "band-gap", "band-overlap",
      "rank-shares-missing", "rule-no-tasks"), False),
    ("数据项", "规则和校验引用的数据项都有定义且类型相符，每个数据项都被使用，取值范围和选项合理",
     ("item-undefined", "item-wrong-kind", "item-unused", "item-bounds", "item-options", "check-wrong-kind"),
     False),
    ("等次与档次", "等次和档次的分数段无空档、无重叠，档次方法与条件一致、得分不超过满分、名次比例完整，"
     "等次与档次的关系已写明且不会矛盾",
     ("band-gap", "band-overlap", "tier-method", "tier-exceeds-max", "tier-shares", "tier-grade-unknown",
      "tier-grade-contradiction", "tier-grade-unstated"), False),
    ("任务覆盖", "任务目录可读且与配置的年度一致，所列任务都在目录中，每项任务或被考核、或写明排除理由，"
     "排除的任务没有同时被考核；草稿的 todo 中没有尚待决定的任务",
     ("catalogue-missing", "catalogue-mismatch", "task-unknown", "task-not-covered",
      "task-excluded-and-covered", "task-todo"), True),
    ("原文引用", "每条“工作要点原文”都逐字出现在当年工作要点中",
     ("basis-not-in-plan",), True),
    ("参考数据年份", "按人口、GDP 折算所用的参考数据与考核年度同年或已写明年份，"
     "写明的年份与 units.yaml 所载相符",
     ("reference-year-differs", "reference-year-mismatch"), False),
)


def checks_run(findings: list[Problem], plan: Plan | None) -> list[CheckRun]:
    """The audit's check groups with whether each ran and how many findings it gave."""
    return [CheckRun(name=name, verifies=verifies, codes=list(codes),
                     ran=plan is not None or not needs_plan,
                     findings=sum(1 for p in findings if p.code in codes))
            for name, verifies, codes, needs_plan in AUDIT_CHECKS]


def task_lead(title: str, text: str) -> str:
    """A task's lead phrase in full: the catalogue's title, or when that was cut short (``…``),
    the task's words up to the first comma or full stop."""
    if not title.endswith("…"):
        return title
    cut = min((i for i in (text.find(m) for m in "，,。；;") if i > 0), default=len(text))
    return text[:cut]


def section_summaries(s: IndicatorSet) -> list[SectionSummary]:
    """Each section's points and maximum attainable score."""
    items = s.item_map()
    out: list[SectionSummary] = []
    for sec in s.sections:
        points = sum(i.points for i in sec.indicators)
        best = sum(i.rule.max_attainable(i.points, items) for i in sec.indicators)
        if sec.cap is not None:
            best = min(best, sec.cap)
        out.append(SectionSummary(id=sec.id, name=sec.name, kind=sec.kind, points=round_points(points),
                                  max_attainable=round_points(best), cap=sec.cap))
    return out


def indicator_weights(s: IndicatorSet) -> list[IndicatorWeight]:
    """Each indicator's share of the total."""
    return [
        IndicatorWeight(
            id=ind.id, name=ind.name, section=sec.id, kind=ind.rule.kind,
            kind_label=ind.rule.label, points=ind.points,
            share=round_points(ind.points / s.total_points * 100) if sec.kind is SectionKind.SCORE else 0.0,
            tasks=list(ind.tasks),
        )
        for sec, ind in s.indicators()
    ]


def coverage_matrix(s: IndicatorSet, plan: Plan | None) -> list[TaskCoverage]:
    """Task × indicator, in plan order; unknown task ids are left to the lint."""
    if plan is None:
        return []
    excluded = {e.task: e.reason for e in s.excluded_tasks}
    rows: list[TaskCoverage] = []
    for section in plan.sections:
        for task in section.tasks:
            ids: list[str] = []
            effective = 0.0
            for sec, ind in s.indicators():
                if task.id in ind.tasks:
                    ids.append(ind.id)
                    if sec.kind is SectionKind.SCORE:
                        effective += ind.points / len(ind.tasks)
            rows.append(TaskCoverage(
                id=task.id, title=task_lead(task.title, task.text), section=section.title, indicators=ids,
                excluded=excluded.get(task.id), effective_points=round_points(effective)))
    return rows


def build_report(loaded: LoadedSet, against: LoadedSet | None = None) -> AuditReport:
    """Lint the set, summarise it and, given ``against``, compare it with that set."""
    s = loaded.indicator_set
    plan, findings = read_catalogue(loaded)
    figures = reference_figures()
    findings += audit(loaded, plan, figures)
    rules = rule_choices(s, figures)
    diff = None
    if against is not None:
        old_plan, _ = read_catalogue(against)
        diff = diff_sets(against.indicator_set, s, old_file=str(against.file), new_file=str(loaded.file),
                         old_plan=old_plan, new_plan=plan)
        diff.choices_changed = choice_changes(rule_choices(against.indicator_set, figures), rules)
    return AuditReport(
        file=str(loaded.file), year=s.year, title=s.title,
        config_sha256=hashlib.sha256(loaded.file.read_bytes()).hexdigest(), engine_version=__version__,
        total_points=s.total_points, checks=checks_run(findings, plan),
        errors=sum(p.severity is Severity.ERROR for p in findings),
        warnings=sum(p.severity is Severity.WARNING for p in findings),
        findings=findings, sections=section_summaries(s), indicators=indicator_weights(s),
        coverage=coverage_matrix(s, plan), items=[ItemBounds.of(i) for i in s.items],
        rules=rules, diff=diff,
    )
