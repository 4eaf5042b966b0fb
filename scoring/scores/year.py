"""Score a year from a folder of submissions and the central office's workbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scoring import __version__
from scoring.indicators.models import SectionKind
from scoring.problems import Problem, Severity
from scoring.scores.collect import collect
from scoring.scores.engine import UnitInputs, YearScorer, unscored
from scoring.scores.models import ScoreReport, SectionInfo, SubmissionRef, UnitScore, UnitStatus
from scoring.scores.ranking import assign_ranks, assign_tiers, listing_order
from scoring.scores.robustness import method_text, robustness
from scoring.scores.trend import apply_trend, previous_report
from scoring.workbook import layout as L
from scoring.workbook.source import YearConfig
from scoring.workbook.submission import ItemValue, Submission
from scoring.workbook.validate import ConfigLoader, validate_submission


def _errors_first(findings: list[Problem]) -> list[Problem]:
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: order[f.severity])


def _central(path: Path | None, year: int, load_config: ConfigLoader,
             findings: list[Problem]) -> tuple[dict[str, dict[str, ItemValue]], Submission | None]:
    if path is None:
        findings.append(Problem(code="central-missing", severity=Severity.WARNING,
                                message="未提供全国办中央记录工作簿，相关指标按缺失处理"))
        return {}, None
    submission = validate_submission(path, load_config, expected_year=year)
    located = [f.model_copy(update={"file": path.name}) for f in submission.findings]
    if submission.unit_code != L.CENTRAL_UNIT:
        findings.append(Problem(code="central-not-central", severity=Severity.ERROR, file=path.name,
                                message="指定的中央记录文件不是全国办中央记录工作簿，相关指标按缺失处理"))
        findings.extend(f for f in located if f.severity is Severity.ERROR)
        return {}, submission
    findings.extend(located)
    return submission.central, submission


def score_folder(config: YearConfig, folder: Path, central: Path | None, load_config: ConfigLoader,
                 *, outputs_dir: Path | None = None,
                 progress: Callable[[Path], None] | None = None) -> ScoreReport:
    """Validate, score, rank and explain every unit of the year."""
    indicator_set = config.indicator_set
    year = indicator_set.year
    findings: list[Problem] = []
    collected = collect(folder, year, load_config, set(config.units), progress)
    findings.extend(collected.problems)
    central_values, central_submission = _central(central, year, load_config, findings)
    inputs: dict[str, UnitInputs] = {}
    results: list[UnitScore] = []
    for code, unit in sorted(config.units.items()):
        if code in collected.duplicates:
            files = "、".join(s.file for s in collected.duplicates[code])
            duplicate_findings = [f for s in collected.duplicates[code] for f in _errors_first(s.findings)]
            results.append(unscored(unit, UnitStatus.NOT_SCORED, f"收到多份报送（{files}），请只保留一份",
                                    duplicate_findings))
        elif code in collected.by_unit:
            submission = collected.by_unit[code]
            if submission.valid:
                inputs[code] = UnitInputs(unit, submission, central_values.get(code, {}))
            else:
                errors = [f for f in submission.findings if f.severity is Severity.ERROR]
                reason = f"报送工作簿有 {len(errors)} 个错误，未评分：{errors[0].message}"
                results.append(unscored(unit, UnitStatus.NOT_SCORED, reason,
                                        _errors_first(submission.findings), submission))
        else:
            results.append(unscored(unit, UnitStatus.MISSING, "未收到报送工作簿",
                                    collected.findings_for(code)))
    scorer = YearScorer(config, inputs)
    scored = [scorer.score(code) for code in sorted(inputs)]
    assign_ranks(scored, indicator_set.ranking.ties)
    assign_tiers(scored, indicator_set.tiers)
    intervals = robustness(scored, indicator_set)
    for unit_score in scored:
        unit_score.robustness = intervals.get(unit_score.code)
    if outputs_dir is not None:
        apply_trend(scored, previous_report(outputs_dir, year))
    return ScoreReport(
        year=year, title=indicator_set.title, config_sha256=config.source.sha256,
        engine_version=__version__, total_points=indicator_set.total_points,
        rank_ties=indicator_set.ranking.ties,
        sections=[SectionInfo(id=s.id, name=s.name, kind=s.kind.value,
                              max=(s.cap if s.kind in (SectionKind.BONUS, SectionKind.DEDUCTION)
                                   else s.points if s.points is not None
                                   else sum(i.points for i in s.indicators)) or 0.0)
                  for s in indicator_set.sections],
        units=listing_order(scored + results),
        central=None if central_submission is None else SubmissionRef.of(central_submission),
        robustness_method=method_text(),
        findings=findings,
    )
