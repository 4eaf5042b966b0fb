"""Data items a unit (or the central office) reports, and cross-item validation rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoring.problems import Severity

ITEM_CODE_PATTERN = r"^[a-z][a-z0-9_]*$"

Value = float | int | str | bool | date
"""A reported value; ``None`` (blank) is kept apart from 0 everywhere."""


class Strict(BaseModel):
    """Base for indicator configuration models: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class ItemKind(StrEnum):
    """What a data item holds."""

    COUNT = "count"
    AMOUNT = "amount"
    RATIO = "ratio"
    DATE = "date"
    CHOICE = "choice"
    TEXT = "text"
    YES_NO = "yes_no"


ITEM_KIND_LABELS: dict[ItemKind, str] = {
    ItemKind.COUNT: "数量", ItemKind.AMOUNT: "金额（万元）", ItemKind.RATIO: "比率（%）",
    ItemKind.DATE: "日期", ItemKind.CHOICE: "选项", ItemKind.TEXT: "文字", ItemKind.YES_NO: "是/否",
}

NUMERIC_KINDS = frozenset({ItemKind.COUNT, ItemKind.AMOUNT, ItemKind.RATIO})
QUANTITY_KINDS = frozenset({ItemKind.COUNT, ItemKind.AMOUNT})


class ItemSource(StrEnum):
    """Who reports the item: the provincial office, or the central office from its own records."""

    PROVINCE = "province"
    CENTRAL = "central"


SIZE_BASIS_LABELS: dict[str, tuple[str, str]] = {
    "population": ("每万人", "常住人口"),
    "gdp": ("每亿元地区生产总值", "地区生产总值"),
}


def _num(value: float) -> str:
    """A bound as people write it: no trailing zeros, no exponent."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


class SizeBounds(Strict):
    """Soft bounds on a figure per unit of a unit's size (units.yaml): outside them is a warning."""

    per: Literal["population", "gdp"] = Field(
        description="population：每万人常住人口；gdp：每亿元地区生产总值")
    low: float | None = Field(default=None, ge=0, description="每单位规模的合理下限")
    high: float | None = Field(default=None, gt=0, description="每单位规模的合理上限")

    @model_validator(mode="after")
    def _ordered(self) -> SizeBounds:
        if self.low is None and self.high is None:
            raise ValueError("至少给出 low 或 high")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError("low 应小于 high")
        return self

    def range_for(self, population_10k: float | None, gdp_100m_yuan: float | None
                  ) -> tuple[float | None, float | None] | None:
        """The plausible range for a unit of this size; None when its size is unknown."""
        size = population_10k if self.per == "population" else gdp_100m_yuan
        if size is None or size <= 0:
            return None
        return (None if self.low is None else self.low * size,
                None if self.high is None else self.high * size)


class Plausibility(Strict):
    """Soft bounds: a value outside them is shown to the province and the central office as a
    warning, never refused (hard bounds are the item's ``min`` and ``max``)."""

    size: SizeBounds | None = Field(default=None, description="相对单位规模（人口或 GDP）的合理范围")
    previous_factor: float | None = Field(
        default=None, gt=1, description="与上年数相比超过该倍数或不足其倒数时警告，如 10")


class DataItem(Strict):
    """One figure or answer in the submission (or in the central office's records)."""

    code: str = Field(pattern=ITEM_CODE_PATTERN, description="稳定代码，英文小写与下划线")
    name: str = Field(min_length=1, description="中文名称")
    unit: str | None = Field(default=None, description="计量单位，如 件、人、万元、%")
    kind: ItemKind
    source: ItemSource = ItemSource.PROVINCE
    min: float | None = Field(default=None, description="硬性下限（含），低于此值为错误")
    max: float | None = Field(default=None, description="硬性上限（含），高于此值为错误")
    plausible: Plausibility | None = Field(default=None, description="合理范围（软性），超出时警告")
    options: list[str] = Field(default_factory=list, description="choice 类型的可选项")
    required: bool = True
    help: str = Field(default="", description="模板中显示的填报说明")

    @model_validator(mode="after")
    def _plausible_numeric(self) -> DataItem:
        if self.plausible is not None and self.kind not in NUMERIC_KINDS:
            raise ValueError("plausible 只适用于数量、金额和比率类数据项")
        return self

    def hard_bounds(self) -> tuple[float | None, float | None]:
        """The lowest and highest value accepted; outside them is an error."""
        low = self.min
        if low is None and self.kind in NUMERIC_KINDS:
            low = 0.0
        high = self.max if self.max is not None else (100.0 if self.kind is ItemKind.RATIO else None)
        return low, high

    def describe_bounds(self) -> str:
        """The item's hard and soft bounds in Chinese, as the audit report lists them."""
        unit = f" {self.unit}" if self.unit and self.unit != "%" else (self.unit or "")
        parts: list[str] = []
        low, high = self.hard_bounds()
        if self.kind in NUMERIC_KINDS or low is not None or high is not None:
            if low is not None and high is not None:
                parts.append(f"允许范围 {_num(low)}～{_num(high)}{unit}，超出为错误")
            elif low is not None:
                parts.append(f"不得小于 {_num(low)}{unit}，超出为错误")
            elif high is not None:
                parts.append(f"不得大于 {_num(high)}{unit}，超出为错误")
            if self.kind is ItemKind.COUNT:
                parts.append("须为整数")
        plausible = self.plausible
        if plausible is not None and plausible.size is not None:
            size = plausible.size
            per, _ = SIZE_BASIS_LABELS[size.per]
            if size.low is not None and size.high is not None:
                span = f" {_num(size.low)}～{_num(size.high)}"
            elif size.low is not None:
                span = f"不少于 {_num(size.low)}"
            else:
                span = f"不超过 {_num(size.high or 0)}"
            parts.append(f"合理范围为{per}{span}{unit}（按单位规模折算），超出为警告")
        if plausible is not None and plausible.previous_factor is not None:
            factor = _num(plausible.previous_factor)
            parts.append(f"超过上一考核年度数的 {factor} 倍或不足其 1/{factor} 时警告")
        return "；".join(parts) if parts else "无数值范围"


CompareOp = Literal["<=", "<", ">=", ">", "==", "!="]

_COMPARE = {
    "<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


class Operand(Strict):
    """A side of a check: the sum of some items plus a constant (``items: []`` → the constant)."""

    items: list[str] = Field(default_factory=list)
    constant: float = 0.0

    @model_validator(mode="after")
    def _not_empty(self) -> Operand:
        if not self.items and "constant" not in self.model_fields_set:
            raise ValueError("至少给出 items 或 constant")
        return self

    def value(self, values: Mapping[str, Value | None]) -> float | date | None:
        """The operand's value; ``None`` when any item is blank (the check is then skipped)."""
        if len(self.items) == 1 and isinstance(values.get(self.items[0]), date):
            return values[self.items[0]]  # type: ignore[return-value]
        total = self.constant
        for code in self.items:
            raw = values.get(code)
            if raw is None or isinstance(raw, str | date):
                return None
            total += float(raw)
        return total


class CrossCheck(Strict):
    """A rule between items, e.g. cases transferred to the police ≤ cases opened."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    left: Operand
    op: CompareOp
    right: Operand
    severity: Literal[Severity.ERROR, Severity.WARNING] = Severity.ERROR
    message: str = Field(min_length=1, description="中文提示")

    def referenced_items(self) -> list[str]:
        """Item codes on both sides."""
        return [*self.left.items, *self.right.items]

    def holds(self, values: Mapping[str, Value | None]) -> bool | None:
        """True/False, or ``None`` when a side is blank (nothing to check)."""
        left, right = self.left.value(values), self.right.value(values)
        if left is None or right is None or type(left) is not type(right):
            return None
        return bool(_COMPARE[self.op](left, right))
