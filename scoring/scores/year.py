"""Score a year from validated inputs: every unit scored, ranked, tiered, explained.

Pure: the submissions, the central office's records and the previous year's results come in as
data (the pipeline reads the files); nothing is read from or written to disk here.
"""

from __future__ import annotations

from collections.abc import Mapping

from scoring import __version__
from scoring.indicators.models import SectionKind
from scoring.problems import Problem, Severity
from scoring.scores.adjustments import Adjustments, check_adjustments
from scoring.scores.collect import Collected
from scoring.scores.engine import UnitInputs, YearScorer, unscored
from scoring.scores.models import ScoreReport, SectionInfo, SubmissionRef, UnitScore, UnitStatus
from scoring.scores.ranking import assign_ranks, assign_tiers, listing_order
from scoring.scores.robustness import DEFAULT_SAMPLES, method_text, robustness
from scoring.scores.trend import PreviousResults, apply_trend
from scoring.workbook import layout as L
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import ItemValue, Submission


def errors_first(findings: list[Problem]) -> list[Problem]:
    """Findings with errors first, then warnings, then notes."""
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: order[f.severity])


def central_findings(values: Mapping[str, ItemValue], central_submission: Submission | None) -> list[Problem]:
    """The central records' findings on one unit's row (a blank or invalid cell), so that the unit's
    scorecard and the run page show what its central figures were scored from."""
    cells = {v.cell for v in values.values() if v.cell is not None}
    return errors_first([f for f in (central_submission.findings if central_submission else [])
                         if f.sheet == L.CENTRAL and f.cell in cells])


def score_year(config: YearConfig, collected: Collected,
               central: Mapping[str, Mapping[str, ItemValue]], *,
               central_submission: Submission | None = None,
               previous: PreviousResults | None = None,
               adjustments: Adjustments | None = None,
               robustness_samples: int = DEFAULT_SAMPLES,
               findings: list[Problem] | None = None) -> ScoreReport:
    """Validate-and-score result of the year: scored units ranked and tiered, the rest listed."""
    indicator_set = config.indicator_set
    inputs: dict[str, UnitInputs] = {}
    results: list[UnitScore] = []
    for code, unit in sorted(config.units.items()):
        if code in collected.duplicates:
            files = "、".join(s.file for s in collected.duplicates[code])
            duplicate_findings = [f for s in collected.duplicates[code] for f in errors_first(s.findings)]
            results.append(unscored(unit, UnitStatus.NOT_SCORED, f"收到多份报送（{files}），请只保留一份",
                                    duplicate_findings))
        elif code in collected.by_unit:
            submission = collected.by_unit[code]
            if submission.valid:
                inputs[code] = UnitInputs(unit, submission, dict(central.get(code, {})))
            else:
                errors = [f for f in submission.findings if f.severity is Severity.ERROR]
                reason = f"报送工作簿有 {len(errors)} 个错误，未评分：{errors[0].message}"
                results.append(unscored(unit, UnitStatus.NOT_SCORED, reason,
                                        errors_first(submission.findings), submission))
        else:
            results.append(unscored(unit, UnitStatus.MISSING, "未收到报送工作簿",
                                    collected.findings_for(code)))
    by_unit = {}
    if adjustments is not None:
        check_adjustments(adjustments, config, {code: i.submission for code, i in inputs.items()})
        by_unit = adjustments.records.by_unit()
    scored = YearScorer(config, inputs, by_unit).score_all()
    assign_ranks(scored, indicator_set.ranking.ties)
    assign_tiers(scored, indicator_set.tiers)
    intervals = robustness(scored, indicator_set, samples=robustness_samples) if robustness_samples else {}
    for unit_score in scored:
        unit_score.robustness = intervals.get(unit_score.code)
    apply_trend(scored, previous, indicator_set.rounding.decimals)
    for unit_score in scored:  # the central figures a score was computed from
        unit_score.findings = [*unit_score.findings,
                               *central_findings(central.get(unit_score.code, {}), central_submission)]
    return ScoreReport(
        year=indicator_set.year, title=indicator_set.title, config_sha256=config.source.sha256,
        engine_version=__version__, total_points=indicator_set.total_points,
        total_decimals=indicator_set.rounding.decimals,
        deadline=None if indicator_set.submission is None else indicator_set.submission.deadline,
        rank_ties=indicator_set.ranking.ties,
        sections=[SectionInfo(id=s.id, name=s.name, kind=s.kind.value,
                              max=(s.cap if s.kind in (SectionKind.BONUS, SectionKind.DEDUCTION)
                                   else s.points if s.points is not None
                                   else sum(i.points for i in s.indicators)) or 0.0)
                  for s in indicator_set.sections],
        units=listing_order(scored + results),
        central=None if central_submission is None else SubmissionRef.of(central_submission),
        previous=None if previous is None else previous.source,
        adjustments=None if adjustments is None else adjustments.source,
        robustness_method=method_text(robustness_samples) if robustness_samples else None,
        findings=list(findings or []),
    )
