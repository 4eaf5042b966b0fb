"""The closed set of rule kinds: ``Rule`` (a union discriminated on ``kind``) and the registry.

Adding a kind: one module here with a ``RuleBase`` subclass whose ``kind`` is a ``Literal`` and
which carries its ``label``, its ``method_text`` (方法说明) and its ``advice`` (整改建议), then its
class in the ``Rule`` union. ``RULE_CLASSES`` and ``RULE_KIND_LABELS`` are read off the union.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pydantic import Field

from scoring.indicators.rules.bands import BandsRule
from scoring.indicators.rules.base import (
    LintContext,
    ReferenceFigures,
    RuleBase,
    RuleContext,
    RuleFinding,
    RuleOutcome,
    TaskState,
    TaskStatus,
    VetoEffect,
)
from scoring.indicators.rules.deductions import DeductionsRule
from scoring.indicators.rules.goalposts import GoalpostsRule
from scoring.indicators.rules.linear import LinearRule
from scoring.indicators.rules.rank import RankRule
from scoring.indicators.rules.ratio_target import RatioTargetRule
from scoring.indicators.rules.task_completion import TaskCompletionRule
from scoring.indicators.rules.timeliness import TimelinessRule
from scoring.indicators.rules.veto import VetoRule

Rule = Annotated[
    TaskCompletionRule | BandsRule | LinearRule | RatioTargetRule | GoalpostsRule | RankRule
    | TimelinessRule | DeductionsRule | VetoRule,
    Field(discriminator="kind"),
]



def rule_classes(union: Any) -> dict[str, type[RuleBase]]:
    """Each kind's class by its ``kind`` string, read off a (possibly annotated) union of rule classes."""
    members = get_args(union)
    if members and not isinstance(members[0], type):  # Annotated[A | B, Field(...)]
        members = get_args(members[0])
    return {get_args(cls.model_fields["kind"].annotation)[0]: cls for cls in members}


RULE_CLASSES: dict[str, type[RuleBase]] = rule_classes(Rule)
RULE_KIND_LABELS: dict[str, str] = {kind: cls.label for kind, cls in RULE_CLASSES.items()}


def rule_kind_label(kind: str) -> str:
    """A rule kind as pages and reports name it (``task_completion`` → its Chinese label); an
    unknown kind (a file of another version) as it is written."""
    return RULE_KIND_LABELS.get(kind, kind)


__all__ = [
    "RULE_CLASSES", "RULE_KIND_LABELS", "rule_kind_label", "BandsRule", "DeductionsRule", "GoalpostsRule",
    "LinearRule", "LintContext", "RankRule", "RatioTargetRule", "ReferenceFigures", "Rule",
    "RuleBase", "RuleContext", "RuleFinding", "RuleOutcome", "TaskCompletionRule", "TaskState",
    "TaskStatus", "TimelinessRule", "VetoEffect", "VetoRule", "rule_classes",
]
