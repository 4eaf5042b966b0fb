"""What every rule kind shares: the context it reads, the outcome it returns, rounding.

A rule is a strict pydantic model with a literal ``kind``. It never sees the whole indicator set:
the caller (scoring) builds a ``RuleContext`` for one unit and one indicator and calls
``rule.evaluate(ctx)``, which is pure. The audit calls the static side: ``max_attainable``,
``referenced_items``, ``item_kinds_required`` and ``lint``.

Rules return exact points (within ``[0, max]``); nothing is rounded until the total (see
``scoring.indicators.rounding``). Explanations show numbers with at most two decimals (``fmt``), more where
two would put a value on or across a threshold it is compared with (``fmt_near``).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from scoring.indicators.items import DataItem, ItemKind, Strict, Value
from scoring.problems import Severity

if TYPE_CHECKING:
    from scoring.indicators.rules.words import Advice, RuleWords

POINTS_QUANTUM = Decimal("0.01")


def fmt(x: float) -> str:
    """A number for explanations: no trailing zeros, at most 2 decimals (``8`` / ``96.2``)."""
    text = f"{Decimal(repr(float(x))).quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_near(x: float, boundaries: Iterable[float | None]) -> str:
    """``fmt(x)``, with as many more decimals as it takes not to land on or cross a boundary ``x``
    does not reach (89.996 beside a boundary of 90 is ``89.996``, not ``90``)."""
    marks = [b for b in boundaries if b is not None]
    for places in range(2, 11):
        quantum = Decimal(1).scaleb(-places)
        text = f"{Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP):f}"
        if all((float(text) > b) == (x > b) and (float(text) < b) == (x < b) for b in marks):
            return text.rstrip("0").rstrip(".") if "." in text else text
    return repr(float(x))


def fmt_sig(x: float, digits: int = 4) -> str:
    """A small ratio for explanations with ``digits`` significant digits (``0.009294``)."""
    if x == 0 or abs(x) >= 10 ** (digits - 2):
        return fmt(x)
    return f"{float(x):.{digits}g}"


class TaskStatus(StrEnum):
    """A unit's reported status for one task of the plan."""

    DONE = "已完成"
    PARTLY = "部分完成"
    NOT_STARTED = "未开展"
    NOT_APPLICABLE = "不适用"


@dataclass(frozen=True)
class TaskState:
    """A task's status and whether evidence (材料) was given for it; ``declared`` and ``reason``
    when a reviewer adjusted the status the unit declared (审核调整)."""

    status: TaskStatus
    evidence: bool = False
    declared: TaskStatus | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ReferenceFigures:
    """A unit's size, for per-capita or per-GDP normalisation."""

    population_10k: float | None = None
    gdp_100m_yuan: float | None = None


class PeerLookup(Protocol):
    """Every unit's scaled values of an item, computed once per scoring run (see ``normalise``)."""

    def values(self, item: str, how: str) -> Mapping[str, float]: ...

    def ordered(self, item: str, how: str) -> Sequence[float]: ...


@dataclass(frozen=True)
class RuleContext:
    """Everything a rule may read for one unit and one indicator.

    ``values``: the unit's values by item code (``None`` = blank, never confused with 0);
    ``tasks``: the unit's task states by task id; ``task_ids``: the indicator's tasks;
    ``peers``: by item code, every unit's value (unit code → value), for goalposts and rank;
    ``reference``: the unit's population and GDP (``references``: every unit's);
    ``max_points``: the indicator's maximum;
    ``stats``: optional shared lookups over ``peers`` so relative rules need not rescan every unit
    (the same numbers, computed once per run);
    ``labels``: how to name an item in explanations (the scoring layer may add cell references,
    or pass ``label_hook``); ``units``: each item's unit of measure, shown after its values.
    """

    max_points: float
    values: Mapping[str, Value | None] = field(default_factory=dict)
    tasks: Mapping[str, TaskState] = field(default_factory=dict)
    task_ids: tuple[str, ...] = ()
    peers: Mapping[str, Mapping[str, Value | None]] = field(default_factory=dict)
    unit: str | None = None
    reference: ReferenceFigures = field(default_factory=ReferenceFigures)
    references: Mapping[str, ReferenceFigures] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    label_hook: Callable[[str], str] | None = None
    stats: PeerLookup | None = None

    def label(self, code: str) -> str:
        """The name to show for an item: the hook's, else ``labels``, else the code."""
        if self.label_hook is not None:
            return self.label_hook(code)
        return self.labels.get(code, code)

    def unit_of(self, code: str) -> str:
        """The unit to print after a value: ``%`` directly, others after a space."""
        unit = self.units.get(code, "")
        return unit if unit in ("", "%") else f" {unit}"

    def show(self, code: str, value: float, boundaries: Iterable[float | None] = ()) -> str:
        """A value with its unit, e.g. ``96.2%`` or ``12 件``, never rounded onto or across one of
        the ``boundaries`` it is compared with."""
        return f"{fmt_near(value, boundaries)}{self.unit_of(code)}"

    def number(self, code: str) -> float | None:
        """The item's value as a number, ``None`` when blank or not a number."""
        raw = self.values.get(code)
        if raw is None or isinstance(raw, str | date):
            return None
        return float(raw)


@dataclass(frozen=True)
class VetoEffect:
    """What a triggered veto does: zero sections or the total, cap the grade, set the tier
    (``None``: placed like the others) and the rank (``keep``, ``last`` or ``none``)."""

    grade_cap: str | None = None
    zero_sections: tuple[str, ...] = ()
    zero_total: bool = False
    tier: str | None = None
    rank: Literal["keep", "last", "none"] = "keep"


@dataclass(frozen=True)
class RuleOutcome:
    """The points one rule gives one unit, with the arithmetic in Chinese."""

    points: float
    max_points: float
    items: tuple[str, ...]
    explanation: str
    missing: tuple[str, ...] = ()
    not_applicable: bool = False
    veto: VetoEffect | None = None


def unscorable_outcome(choice: str, max_points: float, items: tuple[str, ...], missing: tuple[str, ...],
                       why: str) -> RuleOutcome:
    """The outcome when there is nothing to score by (``why`` says what), as the rule's ``choice``
    says (``Unscorable``): full or no points, left out (``exclude``: the scorer adds that the
    section is re-weighted) or ``missing``, so that the indicator's missing policy applies."""
    if choice == "missing":
        return RuleOutcome(points=0.0, max_points=max_points, items=items,
                           explanation=f"{why}，按缺失处理", missing=missing)
    if choice == "exclude":
        return RuleOutcome(points=0.0, max_points=max_points, items=items,
                           explanation=f"{why}，本项不计分", not_applicable=True)
    points = clamp(max_points if choice == "full" else 0.0, max_points)
    return RuleOutcome(points=points, max_points=max_points, items=items,
                       explanation=f"{why}，得 {fmt(points)} 分")


@dataclass(frozen=True)
class RuleFinding:
    """A problem a rule finds in its own configuration; ``path`` is relative to the rule."""

    code: str
    severity: Severity
    message: str
    path: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Relative:
    """What a rule that places a unit among all units compares and how (the audit's 复算 tables):
    the item, the scaling (``none``, ``population``, ``gdp``), the direction, the points as a
    formula in words, and how equal values are treated."""

    item: str
    normalise: str
    direction: Literal["higher_better", "lower_better"]
    formula: str
    ties: str
    ranked: bool = False
    """Whether the points follow from the unit's rank (the 复算 table then lists it)."""


@dataclass(frozen=True)
class LintContext:
    """What the audit tells a rule about its surroundings."""

    max_points: float
    items: Mapping[str, DataItem]


class RuleBase(Strict):
    """The interface every rule kind implements."""

    kind: str
    label: ClassVar[str]
    """The kind's name in Chinese (审核报告, 方法说明)."""

    @abstractmethod
    def method_text(self, words: RuleWords) -> str:
        """The rule in one Chinese sentence for the method annex (方法说明)."""

    @abstractmethod
    def advice(self, words: RuleWords) -> Advice:
        """What the rule rewards and what a unit can do to gain its points (整改建议)."""

    def evaluate(self, ctx: RuleContext) -> RuleOutcome:
        """Points for one unit; pure, within ``[0, ctx.max_points]``."""
        raise NotImplementedError

    def max_attainable(self, max_points: float, items: Mapping[str, DataItem]) -> float:
        """The most any unit can get under this rule, given the items' bounds."""
        raise NotImplementedError

    def referenced_items(self) -> list[str]:
        """Every item code the rule reads."""
        raise NotImplementedError

    def item_kinds_required(self) -> dict[str, frozenset[ItemKind]]:
        """For each item the rule reads, the item kinds it accepts."""
        raise NotImplementedError

    def lint(self, ctx: LintContext) -> list[RuleFinding]:
        """Problems in the rule's own settings (bands, caps, point values)."""
        return []

    def relative(self) -> Relative | None:
        """For a rule whose points depend on the other units' values (goalposts, rank): what it
        compares, its formula and its tie rule; ``None`` for a rule that reads one unit only."""
        return None


def clamp(points: float, max_points: float) -> float:
    """Points within ``[0, max_points]``, exact (not rounded)."""
    return min(max(points, 0.0), max_points)


def missing_outcome(ctx: RuleContext, codes: list[str], items: list[str]) -> RuleOutcome:
    """The outcome when required values are blank: 0 points, the blanks listed."""
    names = "、".join(ctx.label(c) for c in codes)
    return RuleOutcome(points=0.0, max_points=ctx.max_points, items=tuple(items),
                       explanation=f"{names} 未填报，按缺失处理", missing=tuple(codes))


def upper_bound(items: Mapping[str, DataItem], codes: list[str]) -> float | None:
    """The largest possible sum of the items, or ``None`` when any has no upper bound."""
    total = 0.0
    for code in codes:
        item = items.get(code)
        if item is None or item.max is None:
            return None
        total += item.max
    return total
