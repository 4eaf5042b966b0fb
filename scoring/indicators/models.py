"""The indicator set of one year: metadata, grades, tiers, data items, checks, sections, indicators.

How the parts add up (``evaluate.py`` implements it; the audit checks it):

* ``score`` sections hold the 100 points: their indicators' ``points`` add up to ``total_points``.
* a ``bonus`` section adds its indicators' points, at most its ``cap``;
  a ``deduction`` section subtracts them, at most its ``cap``; the result stays within
  ``[0, total_points]``.
* a ``veto`` section holds ``veto`` rules only (``points: 0``); a triggered veto zeroes sections
  or the total, then caps the grade.
* the total is computed from exact points and rounded once (``rounding``); grades, tiers, ranks
  and ties are decided on the rounded (published) total.
* the final score gives the grade (``grades``) and the 平安建设 tier (``tiers``); how the two
  relate is stated in ``tiers`` (``method: grade``, or ``grade_limits`` per grade).

Missing data (``missing`` on an indicator): ``zero`` counts it as 0 points; ``exclude`` leaves the
indicator out and spreads its points over the rest of its section in proportion; ``flag`` gives 0
and raises a problem for the central office to review.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from scoring.catalogue.models import TASK_ID_PATTERN
from scoring.indicators.items import CrossCheck, DataItem, Strict
from scoring.indicators.rules import Rule

SCHEMA_VERSION = 1

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class Citation(Strict):
    """A passage of the year's plan, quoted verbatim.

    ``ref`` names where it stands in the plan: a task id (``2022-7.3``) or the labels as printed
    (``七（三）``, ``一（一）1``, ``（二十二）``, ``二``). ``text`` is the plan's own words; ``……``
    marks an omission, and each part must occur in that place of the catalogue (``scoring audit``
    checks it after normalising width and whitespace).
    """

    ref: str = Field(min_length=1, description="出处：任务编号或原文序号，如 七（三）")
    text: str = Field(min_length=1, description="工作要点原文（逐字引用，省略处用……）")


class Basis(Strict):
    """The plan the set is built on, and the passages that set up the assessment."""

    plan_title: str
    doc_number: str | None = None
    passages: list[Citation] = Field(default_factory=list, description="考核评价机制原文（节选）")


class Rounding(Strict):
    """How published numbers are rounded.

    ``exact_total``: indicator and section points stay exact (rounded only for display) and the
    total is their exact sum rounded once, so the printed parts may differ from the printed total
    by a unit of the last decimal. ``printed_parts``: every indicator's points are rounded to
    ``decimals`` first, a re-weighted section is rounded once it is scaled, and every number above
    is the sum of what is printed below it, so a card, the summary and ranking.xlsx add up exactly.
    Grades, tiers and ranks follow the published total either way.
    """

    decimals: int = Field(ge=0, le=4,
                          description="总分（printed_parts 时也是各指标、各部分得分）保留的小数位数")
    mode: Literal["half_up"] = Field(description="half_up：四舍五入")
    method: Literal["exact_total", "printed_parts"] = Field(
        default="exact_total",
        description="exact_total：各项按精确值相加，只对总分舍入一次；printed_parts：各指标得分先舍入，"
                    "部分得分和总分都是所印数字之和（公布的数字逐级相加一致）")

    @property
    def part_decimals(self) -> int | None:
        """The decimals indicator and section points are rounded to (None: kept exact)."""
        return self.decimals if self.method == "printed_parts" else None


PercentCells = Literal["stored", "displayed"]
"""How a percentage-formatted cell is read: its stored value, or the value its format displays."""

DEFAULT_EVIDENCE_PLACEHOLDERS: tuple[str, ...] = (
    "无", "/", "\\", "—", "——", "-", "--", "–", "－", "暂无", "没有", "0", "空", "略", "na", "n/a",
    "null", "none", "x", "×")


class Intake(Strict):
    """报送校验规则: what a submission's cells must hold to be read as the office meant them.

    ``evidence_placeholders``: a 佐证材料 or 主要做法 cell holding only one of these words (compared
    after width, spacing and case are normalised) names no document: a warning on the cell, and
    the task is scored as without evidence. ``wrong_unit_factor``: an amount in 万元 more than this
    many times the top of its plausible range for the unit's size, or its previous-year figure, is
    an error asking whether it was filled in 元 (1 万元 = 10,000 元). ``percent_cells``: a ratio
    cell formatted as a percentage (Excel stores 89.996 % as 0.89996 and may show it as 90.0 %) is
    read by its ``stored`` value (the default: Excel's own arithmetic, with a warning on the cell
    when the display differs) or as ``displayed`` (rounded half up to the format's decimals, with a
    note giving the stored value).
    """

    evidence_placeholders: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EVIDENCE_PLACEHOLDERS),
        description="视为未填写佐证材料的占位文字（如 无、/、—、暂无、0）")
    wrong_unit_factor: float = Field(default=1000, gt=1,
                                     description="万元项超过合理上限或上年数值的倍数即按“误按元填报”报错")
    percent_cells: PercentCells = Field(
        default="stored",
        description="百分比格式的比率单元格：stored（默认）按存储值读取，显示值不同时警告；"
                    "displayed 按单元格显示的值（按格式的小数位四舍五入）读取")

    def placeholder(self, text: str | None) -> bool:
        """Whether ``text`` is only a placeholder (or blank)."""
        if text is None:
            return True
        key = _placeholder_key(text)
        return not key or key in {_placeholder_key(p) for p in self.evidence_placeholders}


def _placeholder_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).rstrip("。.").lower()


class SubmissionWindow(Strict):
    """When and to whom provinces submit: the template's 填报说明 and the portal read it."""

    deadline: date = Field(description="报送截止日期（含当日）")
    recipient: str = Field(min_length=1, description="报送对象，如 全国打击侵权假冒工作领导小组办公室")


class Publication(Strict):
    """Who issues the year's result notice (通报) and its document number as a placeholder."""

    issuer: str = Field(min_length=1, description="发文机关")
    doc_number: str = Field(min_length=1, description="文号（可为占位，如 打假办〔2023〕　号）")


class GradeBand(Strict):
    """A grade for final scores in ``[at_least, below)``."""

    name: str
    at_least: float | None = None
    below: float | None = None


class Tier(Strict):
    """A 档 and the 平安建设 points it brings: by score (``at_least``/``below``), by rank share
    (``up_to_share``) or by grade (``grades``)."""

    name: str
    points: float = Field(ge=0)
    at_least: float | None = None
    below: float | None = None
    up_to_share: float | None = Field(default=None, gt=0, le=1)
    grades: list[str] = Field(default_factory=list, description="method: grade 时本档包含的等次")


class GradeLimit(Strict):
    """The tiers a grade allows: not better than ``best``, not worse than ``worst`` (tier names)."""

    grade: str
    best: str | None = Field(default=None, description="该等次最高可列的档次")
    worst: str | None = Field(default=None, description="该等次最低可列的档次")


class TierTable(Strict):
    """How a unit's result maps to 平安建设 points, and how tier and grade relate.

    ``rank_share``: a unit at position r of the n units that hold a tier slot (those without a
    veto that moves their rank or sets their tier) is in the first tier whose ``up_to_share`` is at
    least r / n. ``score``: the tier whose band holds the published total. ``grade``: the tier
    that lists the unit's grade. ``grade_limits`` then keeps each grade within its tiers.

    Two rules of ``rank_share`` are named here. ``boundary_ties``: units with the same published
    total are placed together; ``together_in_better`` (the default) gives them all the position of
    the first of them (1 + the slot units with a higher total), so a tie across a boundary puts all
    of them in the better tier, which then holds more than its share; ``together_in_worse`` gives
    them the position of the last (the slot units with a total at least theirs), so all go to the
    worse tier, which then holds fewer. ``demoted_slot``: a unit ``grade_limits`` moves out of the
    tier its share gives ``keep`` (the default) still holds that slot, so the tier it leaves is
    short of units; by ``release`` it holds none, and the shares are counted again over the others
    until no unit is moved.
    """

    method: Literal["score", "rank_share", "grade"]
    max_points: float = Field(gt=0, description="平安建设考核中本项满分")
    tiers: list[Tier] = Field(min_length=1)
    grade_limits: list[GradeLimit] = Field(default_factory=list,
                                           description="等次与档次的关系：各等次可列的最高、最低档次")
    boundary_ties: Literal["together_in_better", "together_in_worse"] = Field(
        default="together_in_better",
        description="按名次比例划档（rank_share）时，总分相同的单位跨越档次界线："
                    "together_in_better（默认）一起列入较高一档（该档可超出比例）；"
                    "together_in_worse 一起列入较低一档（该档可少于比例）")
    demoted_slot: Literal["keep", "release"] = Field(
        default="keep",
        description="按名次比例划档（rank_share）时，因 grade_limits 调整档次的单位：keep（默认）仍占其名次"
                    "所在档的名额（该档因此少列单位）；release 不占名额，其余单位重新按名次比例划档")

    def index(self, name: str) -> int | None:
        """A tier's position (0 = best), or None when no tier has that name."""
        return next((k for k, t in enumerate(self.tiers) if t.name == name), None)


class Ranking(Strict):
    """How equal totals rank: ``competition`` gives 1-2-2-4, ``dense`` gives 1-2-2-3.

    Ranks compare published totals (rounded as ``rounding`` says), so two units that publish the
    same total share a rank. Vetoes may move a unit after all others or leave it unranked.
    """

    ties: Literal["competition", "dense"] = "competition"


class ReferenceYears(Strict):
    """The year of the reference figures (units.yaml ``figures``) the set divides by.

    Rules with ``normalise: population`` or ``gdp`` and items with ``plausible.size`` use each
    unit's population or GDP from units.yaml. A figure left out here is taken as units.yaml holds
    it, whatever its year, and ``scoring audit`` warns when that year is not the assessment year
    (``reference-year-differs``). A figure stated here is the year the set chose: units.yaml must
    hold that year's figures (``reference-year-mismatch``; scoring refuses the set otherwise).
    """

    population_10k: int | None = Field(
        default=None, ge=1949, le=2100,
        description="按人口折算所用常住人口数据的年份"
                    "（不写：用 units.yaml 所载年份，与考核年度不同时审计警告）")
    gdp_100m_yuan: int | None = Field(
        default=None, ge=1949, le=2100,
        description="按 GDP 折算所用地区生产总值数据的年份"
                    "（不写：用 units.yaml 所载年份，与考核年度不同时审计警告）")


class MissingPolicy(StrEnum):
    """What a blank input does to an indicator."""

    ZERO = "zero"
    EXCLUDE = "exclude"
    FLAG = "flag"


class SectionKind(StrEnum):
    """How a section's points enter the total."""

    SCORE = "score"
    BONUS = "bonus"
    DEDUCTION = "deduction"
    VETO = "veto"


class Indicator(Strict):
    """One scored indicator with exactly one rule."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    points: float = Field(ge=0, description="满分（加分、扣分项为上限）")
    tasks: list[str] = Field(default_factory=list, description="所考核的任务编号")
    basis: list[Citation] = Field(default_factory=list, description="依据：工作要点原文（逐字引用）")
    rule_text: str | None = Field(default=None, min_length=1,
                                  description="计分规则的文字说明（本配置自己的措辞，不是原文）")
    missing: MissingPolicy = MissingPolicy.ZERO
    rule: Rule


class Section(Strict):
    """A group of indicators."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    kind: SectionKind = SectionKind.SCORE
    points: float | None = Field(default=None, ge=0, description="本部分满分（应等于各指标之和）")
    cap: float | None = Field(default=None, gt=0, description="加分、扣分部分的上限")
    indicators: list[Indicator] = Field(min_length=1)


class Exclusion(Strict):
    """A task of the plan that is deliberately not assessed, and why."""

    task: str = Field(pattern=TASK_ID_PATTERN)
    reason: str = Field(min_length=1)


# --- drafts: tasks of a new plan still to be decided (scoring indicators draft writes them) ---


class TodoTask(Strict):
    """A task new in the year's plan, still to be assessed by an indicator or excluded with a reason.

    A set with any ``todo`` is a draft: ``scoring audit`` reports each one, ``scoring score`` refuses it.
    """

    task: str = Field(pattern=TASK_ID_PATTERN)
    title: str = Field(default="", description="任务的标题（原文）")
    text: str = Field(default="", description="任务原文")
    departments: list[str] = Field(default_factory=list, description="责任部门")


class IndicatorSet(Strict):
    """A year's complete, auditable indicator configuration."""

    schema_version: Literal[1] = 1
    year: int = Field(ge=2000, le=2100)
    title: str
    issued_on: date | None = Field(
        default=None, description="指标配置的印发日期；审计报告以此为报告日期（不写则注明未写明印发日期）")
    basis: Basis
    catalogue: str = Field(description="任务目录文件，相对于本文件所在目录（找不到时相对于 indicators/）")
    submission: SubmissionWindow | None = Field(default=None, description="报送截止日期与报送对象")
    publication: Publication | None = Field(default=None, description="考核结果通报的发文机关与文号")
    total_points: float = Field(gt=0)
    rounding: Rounding = Field(description="舍入规则：保留位数、方式、总分只舍入一次还是由所印部分相加")
    grades: list[GradeBand] = Field(min_length=1)
    tiers: TierTable
    ranking: Ranking = Field(default_factory=Ranking)
    intake: Intake = Field(default_factory=Intake, description="报送校验规则（占位佐证、误按元填报）")
    reference_years: ReferenceYears = Field(default_factory=ReferenceYears,
                                            description="按人口、GDP 折算所用参考数据（units.yaml）的年份")
    items: list[DataItem] = Field(default_factory=list)
    checks: list[CrossCheck] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)
    excluded_tasks: list[Exclusion] = Field(default_factory=list)
    todo: list[TodoTask] = Field(default_factory=list,
                                 description="草稿中尚待决定的新任务（非空时不能用于评分）")

    @model_validator(mode="after")
    def _catalogue_shape(self) -> IndicatorSet:
        if not self.catalogue.endswith((".yaml", ".yml")):
            raise ValueError("catalogue 应为任务目录 YAML 文件路径")
        return self

    def indicators(self) -> list[tuple[Section, Indicator]]:
        """Every indicator with its section, in order."""
        return [(s, i) for s in self.sections for i in s.indicators]

    def item(self, code: str) -> DataItem | None:
        """The data item with this code, if any."""
        return next((i for i in self.items if i.code == code), None)

    def item_map(self) -> dict[str, DataItem]:
        """Data items by code (the first when duplicated)."""
        out: dict[str, DataItem] = {}
        for item in self.items:
            out.setdefault(item.code, item)
        return out
