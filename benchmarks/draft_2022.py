"""How much of the hand-made 2022 indicator set a draft from 2020 gets right (README figure).

Run: .venv/bin/python benchmarks/draft_2022.py DRAFT.yaml
Each 2022 indicator is paired with the draft's indicator with the same rule (kind and data items);
task-completion indicators, which have no data item, with the draft indicator whose tasks overlap
most. Its task list is carried over correctly when the two sets are equal.
"""

from __future__ import annotations

import sys

from scoring.indicators.models import Indicator
from scoring.indicators.store import load_indicator_set


def _rule_key(ind: Indicator) -> tuple[str, tuple[str, ...]]:
    return ind.rule.kind, tuple(sorted(ind.rule.referenced_items()))


def main(draft_file: str) -> None:
    hand = [ind for _, ind in load_indicator_set("2022").indicators()]
    draft = [ind for _, ind in load_indicator_set(draft_file).indicators()]
    correct = 0
    overlap = 0.0
    for ind in hand:
        same_rule = [d for d in draft if _rule_key(d) == _rule_key(ind) and ind.rule.referenced_items()]
        if ind.rule.referenced_items() and not same_rule:
            print(f"{ind.id} {ind.name}：草稿中没有同一规则的指标（{ind.rule.kind}，2022 年新设）")
            continue
        pool = same_rule or draft
        def share(d: Indicator, wanted: Indicator = ind) -> float:
            return len(set(d.tasks) & set(wanted.tasks)) / len(set(d.tasks) | set(wanted.tasks))

        best = max(pool, key=share)
        jaccard = share(best)
        overlap += jaccard
        ok = set(best.tasks) == set(ind.tasks)
        correct += ok
        print(f"{ind.id} {ind.name} ↔ {best.id} {best.name}: {'一致' if ok else f'重合 {jaccard:.2f}'}")
    print(f"任务列表完全一致 {correct}/{len(hand)} = {correct / len(hand):.0%}；"
          f"平均重合（Jaccard）{overlap / len(hand):.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
