"""The published result: ``scores.json`` (one ``ScoreReport`` per year).

Everything a scorecard, the national summary or an auditor needs is here; the PDFs are
rendered from this model only. Units are listed by rank (ties by code), then the units not
scored, then the missing ones.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from scoring.indicators.rules.base import TaskStatus
from scoring.problems import Problem
from scoring.workbook.submission import Submission

SCORES_SCHEMA_VERSION: Literal[2] = 2


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitStatus(StrEnum):
    """Whether a unit was scored."""

    SCORED = "scored"
    NOT_SCORED = "not_scored"  # its workbook has errors: listed with its findings, never given 0
    MISSING = "missing"  # no workbook in the input folder


class InputRef(Strict):
    """A value an indicator used, and where it came from."""

    item: str
    name: str
    value: float | int | bool | date | str | None
    sheet: str | None
    cell: str | None
    file: str | None = None


class IndicatorScore(Strict):
    """One indicator's points for one unit (exact; shown rounded), with the inputs and the
    arithmetic in words."""

    section: str
    name: str
    points: float
    max: float
    inputs: list[InputRef] = Field(default_factory=list)
    explanation: str
    excluded: bool = False
    flagged: bool = False


class VetoApplied(Strict):
    """A veto that applied to a unit: what it does in words and as data (as its YAML states)."""

    indicator: str
    name: str
    effect: str
    explanation: str
    zero_total: bool = False
    zero_sections: list[str] = Field(default_factory=list)
    grade_cap: str | None = None
    tier: str | None = Field(default=None, description="the tier the veto sets (None: placed like others)")
    rank: Literal["keep", "last", "none"] = "keep"


class TaskTally(Strict):
    """Task completion in one section of the plan."""

    section: str
    title: str
    done: int = 0
    partly: int = 0
    not_started: int = 0
    not_applicable: int = 0
    missing: int = 0


class TaskToFix(Strict):
    """An assessed task the unit has to act on (after review adjustments): 部分完成, 未开展, no
    status chosen, or declared done without evidence; with what the unit wrote about it."""

    task: str
    status: TaskStatus | None = Field(default=None, description="None: no status was chosen (未填报)")
    evidence: bool = False
    practice: str | None = Field(default=None, description="the unit's 主要做法, as written")


class TaskAdjusted(Strict):
    """A task whose declared status a reviewer changed (审核调整), and why."""

    task: str
    declared: TaskStatus
    status: TaskStatus
    reason: str


class Robustness(Strict):
    """How a unit's rank moves when weights vary (Monte Carlo) or an indicator is left out."""

    median_rank: float
    p05: int
    p95: int
    leave_one_out_min: int
    leave_one_out_max: int


class Trend(Strict):
    """Change since the previous assessed year."""

    previous_year: int
    previous_total: float | None
    previous_rank: int | None
    total_change: float | None
    rank_change: int | None  # positive = moved up


class SubmissionRef(Strict):
    """The workbook a result came from: name, SHA-256 and size."""

    file: str
    sha256: str
    size: int

    @classmethod
    def of(cls, submission: Submission) -> SubmissionRef:
        return cls(file=submission.file, sha256=submission.sha256, size=submission.size)


class UnitScore(Strict):
    """One unit's result."""

    code: str
    name: str
    short_name: str
    region: str
    status: UnitStatus
    reason: str | None = None
    submission: SubmissionRef | None = None
    total: float | None = Field(default=None, description="published total, rounded once")
    total_exact: float | None = Field(default=None, description="the exact sum the total is rounded from")
    grade: str | None = None
    tier: str | None = None
    tier_points: float | None = None
    rank: int | None = Field(default=None, description="None for units a veto leaves unranked")
    rank_in_region: int | None = None
    sections: dict[str, float] = Field(default_factory=dict, description="exact section points")
    indicators: dict[str, IndicatorScore] = Field(default_factory=dict)
    vetoes: list[VetoApplied] = Field(default_factory=list)
    tasks: list[TaskTally] = Field(default_factory=list)
    tasks_to_fix: list[TaskToFix] = Field(default_factory=list, description="in the plan's order")
    adjustments: list[TaskAdjusted] = Field(default_factory=list, description="审核调整")
    findings: list[Problem] = Field(default_factory=list)
    robustness: Robustness | None = None
    trend: Trend | None = None


class SectionInfo(Strict):
    """A section of the indicator set, as the report shows it."""

    id: str
    name: str
    kind: Literal["score", "bonus", "deduction", "veto"]
    max: float


class ObjectionTally(Strict):
    """Objections lodged while results were fed back (反馈征求意见) and how they stand."""

    total: int = 0
    accepted: int = 0
    rejected: int = 0
    withdrawn: int = 0
    lodged: int = Field(default=0, description="lodged and not (yet) answered")


class ObjectionRecord(Strict):
    """The objections file a run read (the portal's objections-YEAR.json): all units, and each one's."""

    file: str
    sha256: str
    all: ObjectionTally
    units: dict[str, ObjectionTally] = Field(default_factory=dict)


class ScoreReport(Strict):
    """A year's scores for all units."""

    schema_version: Literal[2] = SCORES_SCHEMA_VERSION
    year: int
    title: str
    config_sha256: str
    engine_version: str
    total_points: float
    deadline: date | None = Field(default=None, description="the year's submission deadline (data as of)")
    total_decimals: int = Field(description="the published total is rounded half up to this many decimals")
    rank_ties: str
    sections: list[SectionInfo]
    units: list[UnitScore]
    central: SubmissionRef | None = None
    adjustments: SubmissionRef | None = Field(default=None, description="the review adjustments file used")
    previous: SubmissionRef | None = Field(
        default=None, description="the earlier year's scores.json the trend uses")
    robustness_method: str | None = None
    findings: list[Problem] = Field(
        default_factory=list, description="problems not tied to one unit (central workbook, stray files)")
    objections: ObjectionRecord | None = Field(
        default=None, description="objections and answers of the feedback period (absent when none)")

    @model_serializer(mode="wrap")
    def _without_absent_objections(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A year without objections writes the same scores.json as before they existed."""
        data: dict[str, Any] = handler(self)
        if self.objections is None:
            data.pop("objections", None)
        return data

    def scored(self) -> list[UnitScore]:
        """Units with a score, by rank (units a veto leaves unranked last)."""
        return [u for u in self.units if u.status is UnitStatus.SCORED]

    def ranked(self) -> list[UnitScore]:
        """Units with a rank, by rank."""
        return [u for u in self.units if u.rank is not None]
