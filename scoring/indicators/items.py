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


class DataItem(Strict):
    """One figure or answer in the submission (or in the central office's records)."""

    code: str = Field(pattern=ITEM_CODE_PATTERN, description="稳定代码，英文小写与下划线")
    name: str = Field(min_length=1, description="中文名称")
    unit: str | None = Field(default=None, description="计量单位，如 件、人、万元、%")
    kind: ItemKind
    source: ItemSource = ItemSource.PROVINCE
    min: float | None = Field(default=None, description="下限（含）")
    max: float | None = Field(default=None, description="上限（含）")
    options: list[str] = Field(default_factory=list, description="choice 类型的可选项")
    required: bool = True
    help: str = Field(default="", description="模板中显示的填报说明")


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
