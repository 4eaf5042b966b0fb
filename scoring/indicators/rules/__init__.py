"""The closed set of rule kinds: ``Rule`` (a union discriminated on ``kind``) and the registry.

Adding a kind: one module here with a ``RuleBase`` subclass whose ``kind`` is a ``Literal``, then
one line in ``RULE_CLASSES`` and one in ``Rule``.
"""

from __future__ import annotations

from typing import Annotated

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

RULE_CLASSES: dict[str, type[RuleBase]] = {
    "task_completion": TaskCompletionRule,
    "bands": BandsRule,
    "linear": LinearRule,
    "ratio_target": RatioTargetRule,
    "goalposts": GoalpostsRule,
    "rank": RankRule,
    "timeliness": TimelinessRule,
    "deductions": DeductionsRule,
    "veto": VetoRule,
}

RULE_KIND_LABELS: dict[str, str] = {
    "task_completion": "任务完成情况", "bands": "分档计分", "linear": "按量计分（封顶）",
    "ratio_target": "比率达标", "goalposts": "全国极差法", "rank": "排名计分",
    "timeliness": "报送及时性", "deductions": "计次扣分/加分", "veto": "一票否决",
}

__all__ = [
    "RULE_CLASSES", "RULE_KIND_LABELS", "BandsRule", "DeductionsRule", "GoalpostsRule",
    "LinearRule", "LintContext", "RankRule", "RatioTargetRule", "ReferenceFigures", "Rule",
    "RuleBase", "RuleContext", "RuleFinding", "RuleOutcome", "TaskCompletionRule", "TaskState",
    "TaskStatus", "TimelinessRule", "VetoEffect", "VetoRule",
]
