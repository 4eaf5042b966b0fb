"""Report data for the tests: a small ScoreReport with made-up indicator points, and a real engine
run over the samples (``engine_run``).

``sample_report``: a small but complete ScoreReport for the 2022 indicator set, its indicator points made up.

Scored units get every indicator (inputs with sheet and cell, explanations), tasks, findings,
robustness and a trend; one unit is not scored (with its errors) and one is missing. Indicator
values are derived from a hash of (unit, indicator), so the same call always builds the same
report. Ranks, region ranks, robustness intervals and trends (against a made-up 2021 result) are
the engine's own, computed from those points, so a scorecard shows what the engine would publish.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from conftest import ROOT

from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.indicators.rounding import round_points
from scoring.indicators.rules import TimelinessRule
from scoring.indicators.store import load_indicator_set
from scoring.indicators.units import Unit, load_units
from scoring.problems import Problem, Severity
from scoring.scores.models import (
    IndicatorScore,
    InputRef,
    ScoreReport,
    SectionInfo,
    SubmissionRef,
    TaskTally,
    UnitScore,
    UnitStatus,
    VetoApplied,
)
from scoring.scores.ranking import assign_ranks
from scoring.scores.robustness import robustness
from scoring.scores.trend import PreviousReport, PreviousResults, PreviousUnit, apply_trend

SCORED = ("440000", "110000", "540000")
NOT_SCORED = "660000"
MISSING = "460000"
TASK_SECTIONS = (("一", "聚焦重点领域治理"), ("二", "持续加大行政保护力度"), ("三", "强化刑事打击"),
                 ("四", "完善制度机制"), ("五", "聚力增强社会保护意识"), ("七", "加强组织实施"))


@dataclass(frozen=True)
class Rendered:
    """A report, the set it was scored with, and the PDFs rendered from it."""

    report: ScoreReport
    indicator_set: IndicatorSet
    out_dir: Path
    paths: list[Path]
    generated_at: datetime

    def card(self, code: str) -> Path:
        """The scorecard of unit ``code``."""
        return next(p for p in self.paths if p.name.startswith(f"{code}-"))

    @property
    def summary(self) -> Path:
        """summary.pdf."""
        return self.out_dir / "summary.pdf"


def config_sha256() -> str:
    """The SHA-256 of indicators/2022.yaml (reports are only rendered with the config they name)."""
    return hashlib.sha256((ROOT / "indicators" / "2022.yaml").read_bytes()).hexdigest()


def _fraction(*parts: str) -> float:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _sha(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _inputs(indicator_set: IndicatorSet, codes: list[str], unit: str) -> list[InputRef]:
    order = {item.code: index for index, item in enumerate(indicator_set.items)}
    refs = []
    for code in codes:
        item = indicator_set.item(code)
        assert item is not None
        central = item.source.value == "central"
        value: float | int | bool | date
        if item.kind.value == "date":
            value = date(2023, 1, 10 + int(_fraction(unit, code) * 12))
        elif item.kind.value == "yes_no":
            value = False
        elif item.kind.value == "ratio":
            value = round(60 + _fraction(unit, code) * 40, 1)
        else:
            value = int(_fraction(unit, code) * 400)
        refs.append(InputRef(item=code, name=item.name, value=value,
                             sheet="全国双打办记录" if central else "工作数据",
                             cell=f"C{order[code] + 2}",
                             file="central-2022.xlsx" if central else None))
    return refs


def _indicators(indicator_set: IndicatorSet, unit: str) -> dict[str, IndicatorScore]:
    out: dict[str, IndicatorScore] = {}
    for section, ind in indicator_set.indicators():
        share = 0.45 + 0.55 * _fraction(unit, ind.id)
        if section.kind is SectionKind.VETO:
            points = 0.0
        elif section.kind is SectionKind.DEDUCTION:
            points = round_points(ind.points * 0.2 * _fraction(unit, ind.id))
        else:
            points = round_points(ind.points * share)
        inputs = _inputs(indicator_set, ind.rule.referenced_items(), unit)
        if inputs:
            shown = "、".join(f"{r.name}（{r.sheet}!{r.cell}）{r.value}" for r in inputs)
            text = f"{shown}，按规则计 {points:g} 分"
        else:
            done = share * len(ind.tasks)
            text = f"{len(ind.tasks)} 项任务完成度合计 {done:.2f}，{ind.points:g} × 完成度 = {points:g} 分"
        if isinstance(ind.rule, TimelinessRule):
            text += f"（截止日期 {ind.rule.deadline.isoformat()}）"
        out[ind.id] = IndicatorScore(section=section.id, name=ind.name, points=points, max=ind.points,
                                     inputs=inputs, explanation=text,
                                     flagged=ind.id == "A8" and unit == "540000")
    return out


def _sections(indicator_set: IndicatorSet, indicators: dict[str, IndicatorScore]) -> dict[str, float]:
    sections: dict[str, float] = {}
    for section in indicator_set.sections:
        if section.kind is SectionKind.VETO:
            continue
        total = sum(indicators[i.id].points for i in section.indicators)
        sections[section.id] = round_points(min(total, section.cap) if section.cap else total)
    return sections


def _tasks(unit: str) -> list[TaskTally]:
    tallies = []
    for label, title in TASK_SECTIONS:
        f = _fraction(unit, label)
        tallies.append(TaskTally(section=label, title=title, done=3 + int(f * 8), partly=int(f * 3),
                                 not_started=int(f * 2), not_applicable=int(f * 1.5), missing=0))
    return tallies


def _scored(indicator_set: IndicatorSet, unit: Unit, index: int, name: str | None) -> UnitScore:
    indicators = _indicators(indicator_set, unit.code)
    sections = _sections(indicator_set, indicators)
    score = sum(sections[s.id] for s in indicator_set.sections if s.kind is SectionKind.SCORE)
    total = round_points(min(max(score + sections.get("D", 0.0) - sections.get("E", 0.0), 0.0), 100.0))
    vetoes = []
    if unit.code == "540000":
        vetoes.append(VetoApplied(indicator="F1", name="区域性、系统性重大事件", effect="等次不高于“不合格”",
                                  explanation="发生区域性、系统性侵权假冒重大事件（全国双打办记录!C16）：是，触发一票否决"))
    findings = [Problem(code="closed-le-opened", severity=Severity.WARNING,
                        message="办结案件数大于查处案件数（含以前年度结转案件时可能出现），请核实。",
                        file=f"{unit.code}.xlsx", sheet="工作数据", cell="C3")]
    return UnitScore(
        code=unit.code, name=name or unit.name, short_name=unit.short_name, region=unit.region,
        status=UnitStatus.SCORED,
        submission=SubmissionRef(file=f"{unit.code}-{unit.short_name}.xlsx", sha256=_sha("file", unit.code),
                                 size=48_000 + index),
        total=total, sections=sections, indicators=indicators, vetoes=vetoes, tasks=_tasks(unit.code),
        findings=findings,
    )


def _previous(units: list[UnitScore]) -> PreviousResults:
    """A 2021 result for every other unit: total 3.5 − index lower than now, rank index + 2."""
    before = [PreviousUnit(code=u.code, status=UnitStatus.SCORED,
                           total=round_points((u.total or 0.0) - 3.5 + i), rank=i + 2)
              for i, u in enumerate(units) if i % 2 == 0]
    return PreviousResults(report=PreviousReport(year=2021, units=before),
                           source=SubmissionRef(file="outputs/2021/scores.json", sha256=_sha("2021"), size=1))


def _rank(indicator_set: IndicatorSet, units: list[UnitScore]) -> None:
    units.sort(key=lambda u: (-(u.total or 0.0), u.code))
    n = len(units)
    assign_ranks(units, indicator_set.ranking.ties)
    intervals = robustness(units, indicator_set)
    for index, unit in enumerate(units):
        total = unit.total or 0.0
        grade = next(g.name for g in indicator_set.grades
                     if (g.at_least is None or total >= g.at_least) and (g.below is None or total < g.below))
        unit.grade = "不合格" if unit.vetoes else grade
        tier = next(t for t in indicator_set.tiers.tiers if (index + 1) / n <= (t.up_to_share or 1))
        unit.tier, unit.tier_points = tier.name, tier.points
        unit.robustness = intervals.get(unit.code)


def sample_report(scored: Sequence[str] = SCORED, *, not_scored: str | None = NOT_SCORED,
                  missing: str | None = MISSING, names: dict[str, str] | None = None,
                  findings: dict[str, list[Problem]] | None = None) -> ScoreReport:
    """A 2022 report: ``scored`` units with full results, one not scored, one missing.

    ``names`` overrides unit names and ``findings`` adds problems (for escaping tests).
    """
    indicator_set = load_indicator_set("2022")
    units = load_units().by_code()
    names = names or {}
    results = [_scored(indicator_set, units[code], index, names.get(code))
               for index, code in enumerate(scored)]
    for unit in results:
        unit.findings += (findings or {}).get(unit.code, [])
    previous = _previous(results)
    _rank(indicator_set, results)
    apply_trend(results, previous, 2)
    others = []
    if not_scored is not None:
        u = units[not_scored]
        others.append(UnitScore(
            code=u.code, name=names.get(u.code, u.name), short_name=u.short_name, region=u.region,
            status=UnitStatus.NOT_SCORED,
            reason="报送工作簿有 2 个错误，未评分：移送公安机关案件数不能大于行政执法部门查处案件数。",
            submission=SubmissionRef(file=f"{u.code}-{u.short_name}.xlsx", sha256=_sha("file", u.code),
                                     size=47_000),
            findings=[Problem(code="check-failed", severity=Severity.ERROR,
                              message="移送公安机关案件数不能大于行政执法部门查处案件数。",
                              file=f"{u.code}.xlsx", sheet="工作数据", cell="C6"),
                      Problem(code="value-missing", severity=Severity.ERROR, message="必填项未填写：涉案金额",
                              file=f"{u.code}.xlsx", sheet="工作数据", cell="C4")]))
    if missing is not None:
        u = units[missing]
        others.append(UnitScore(code=u.code, name=u.name, short_name=u.short_name, region=u.region,
                                status=UnitStatus.MISSING, reason="未收到报送工作簿"))
    sections = [SectionInfo(id=s.id, name=s.name, kind=s.kind.value,
                            max=(s.cap if s.cap else s.points if s.points is not None
                                 else sum(i.points for i in s.indicators)) or 0.0)
                for s in indicator_set.sections]
    return ScoreReport(
        year=2022, title=indicator_set.title, config_sha256=config_sha256(), engine_version="0.1.0",
        total_points=indicator_set.total_points, total_decimals=2, rank_ties="competition", sections=sections,
        units=results + others,
        central=SubmissionRef(file="central-2022.xlsx", sha256=_sha("central"), size=30_000),
        robustness_method="权重在 ±20% 内随机扰动 1000 次，取名次的 5% 与 95% 分位；并逐一去掉每项指标重排。",
    )


# —— A real engine run: the bundled samples scored once per session through the pipeline ——

RUN_MOMENT = datetime(2023, 2, 1, 18, 30, tzinfo=UTC)  # 2 February 02:30 in Beijing
RUN_NOT_SCORED = "110000"  # its workbook is replaced by the cross-check sample: not scored
RUN_MISSING = "460000"  # its workbook is left out: missing
RUN_VETOED = "310000"  # F1 in the central records
RUN_BOTTOM = "520000"


@dataclass(frozen=True)
class EngineRun:
    """The 2022 samples scored by the engine (with 2020 as the previous year) and their outputs."""

    report: ScoreReport
    indicator_set: IndicatorSet
    out_dir: Path
    paths: list[Path]
    generated_at: datetime

    def card(self, code: str) -> Path:
        """The scorecard of unit ``code``."""
        return next(p for p in self.paths if p.name.startswith(f"{code}-"))

    def unit(self, code: str) -> UnitScore:
        """Unit ``code``'s result."""
        return next(u for u in self.report.units if u.code == code)

    @property
    def summary(self) -> Path:
        """summary.pdf."""
        return self.out_dir / "summary.pdf"

    @property
    def ranking(self) -> Path:
        """ranking.xlsx as the pipeline wrote it."""
        return self.out_dir / "ranking.xlsx"


def engine_run(work: Path, *, workers: int = 2) -> EngineRun:
    """Score 2020, then 2022 with one unit's workbook broken and one left out, through the
    pipeline; render every 2022 PDF into ``work/out/2022``."""
    from scoring.pipeline import PipelineRequest, run_pipeline
    from scoring.report import render_reports

    samples = ROOT / "sample_inputs"
    run_pipeline(PipelineRequest(year=2020, input_dir=samples / "2020", output=work / "out" / "2020",
                                 central=samples / "central-2020.xlsx", generated_at=RUN_MOMENT))
    inputs = work / "in"
    inputs.mkdir()
    for path in sorted((samples / "2022").glob("*.xlsx")):
        if not path.name.startswith(RUN_MISSING):
            shutil.copyfile(path, inputs / path.name)
    shutil.copyfile(samples / "invalid" / "cross-check.xlsx", inputs / f"{RUN_NOT_SCORED}-北京.xlsx")
    out = work / "out" / "2022"
    result = run_pipeline(PipelineRequest(
        year=2022, input_dir=inputs, output=out, central=samples / "central-2022.xlsx",
        previous=work / "out" / "2020" / "scores.json", generated_at=RUN_MOMENT))
    indicator_set = load_indicator_set("2022")
    paths = render_reports(result.report, indicator_set, out, generated_at=RUN_MOMENT, workers=workers)
    return EngineRun(report=result.report, indicator_set=indicator_set, out_dir=out, paths=paths,
                     generated_at=RUN_MOMENT)
