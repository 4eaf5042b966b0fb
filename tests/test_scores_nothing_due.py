"""``when_nothing_due``: a ratio of counts whose denominator is 0, through the pipeline.

The 2030 hand-worked config (see test_scores_ties.py) with A2 turned into a ratio: 移送案件数 /
查处案件数 × 100, full 20 points at 10 %. 北京 opened no case (and transferred none), 天津 opened
100 and transferred 5: 5 % of 10 % → 10 points. Both report all tasks 已完成 (A1 20), on time
(B1 20), 96 % disclosed (B2 20). A3 (goalposts on cases opened, lowest 0, highest 100): 北京 0,
天津 20. So 北京 has A1 20, A3 0, B 40, and its A2 and section A (60 points) by the rule's choice:

  when_nothing_due     A2           A                               total
  full (default)       20           20 + 20 + 0 = 40                80
  zero                 0            20                              60
  exclude              left out     (20 + 0) × 60 / 40 = 30         70
  missing              0, missing   20 (the indicator's missing: zero)  60
天津 scores 20 + 10 + 20 = 50 + 40 = 90 under every choice.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from handworked import UnitData, config_variant, published_2030, scored_units, write_inputs

A2 = "    rule: {kind: linear, items: [cases_transferred], points_per: 2}\n"
CENTRAL = {"submission_date": date(2031, 1, 14), "notified_count": 0, "major_incident": "否"}
UNITS = {"110000": UnitData({"cases_transferred": 0, "cases_opened": 0, "disclosure_rate": 96}, CENTRAL),
         "120000": UnitData({"cases_transferred": 5, "cases_opened": 100, "disclosure_rate": 96}, CENTRAL)}


def scores(tmp_path: Path, choice: str | None) -> dict[str, dict[str, object]]:
    stated = "" if choice is None else f", when_nothing_due: {choice}"
    ratio = ("    rule: {kind: ratio_target, numerator: [cases_transferred], denominator: [cases_opened], "
             f"target: 10{stated}}}\n")
    config = config_variant(tmp_path / "config", {A2: ratio})
    inbox, central = write_inputs(tmp_path, 2030, UNITS, config=config)
    return scored_units(published_2030(config, inbox, central, tmp_path / "out"))


@pytest.mark.parametrize(("choice", "a2", "excluded", "section", "total", "says"), [
    (None, 20, False, 40, 80, "为 0，无应完成事项，得 20 分"),
    ("full", 20, False, 40, 80, "为 0，无应完成事项，得 20 分"),
    ("zero", 0, False, 20, 60, "为 0，无应完成事项，得 0 分"),
    ("exclude", 0, True, 30, 70, "为 0，无应完成事项，本项不计分；本项不计入，所在部分按其余指标折算"),
    ("missing", 0, False, 20, 60, "为 0，无应完成事项，按缺失处理"),
])
def test_nothing_due(tmp_path: Path, choice: str | None, a2: float, excluded: bool, section: float,
                     total: float, says: str) -> None:
    units = scores(tmp_path, choice)
    beijing = units["110000"]
    indicator = beijing["indicators"]["A2"]
    assert (indicator["points"], indicator["excluded"]) == (a2, excluded)
    assert says in indicator["explanation"]
    assert (beijing["sections"]["A"], beijing["total"]) == (section, total)
    assert (units["120000"]["indicators"]["A2"]["points"], units["120000"]["total"]) == (10, 90)
