"""``when_all_not_applicable``: a task-completion indicator whose tasks are all 不适用, through the
pipeline.

The 2030 hand-worked config (see test_scores_ties.py). 北京 reports both of A1's tasks (2030-01,
2030-02) 不适用; it transferred 5 cases (A2: 5 × 2 = 10) of the fewest opened (A3 goalposts: 0), is
on time (B1 20) and 96 % disclosed (B2 20), so B is 40 and A1 and section A (60 points) follow the
rule's choice:

  when_all_not_applicable   A1             A                                 total
  exclude (default)         left out       (10 + 0) × 60 / 40 = 15           55
  full                      20             20 + 10 + 0 = 30                  70
  zero                      0              10                                50
  missing                   0, missing     10 (the indicator's missing: zero)  50
天津 (all tasks 已完成, 10 transferred of the most opened) scores 20 + 20 + 20 + 40 = 100 under each.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from handworked import (
    ALL_DONE,
    UnitData,
    config_variant,
    published_2030,
    scored_units,
    write_inputs,
)

A1 = "    rule: {kind: task_completion}\n"
CENTRAL = {"submission_date": date(2031, 1, 14), "notified_count": 0, "major_incident": "否"}
NONE_APPLY = {**ALL_DONE, "2030-01": ("不适用", None, None), "2030-02": ("不适用", None, None)}
UNITS = {"110000": UnitData({"cases_transferred": 5, "cases_opened": 100, "disclosure_rate": 96}, CENTRAL,
                            NONE_APPLY),
         "120000": UnitData({"cases_transferred": 10, "cases_opened": 200, "disclosure_rate": 96}, CENTRAL)}


def scores(tmp_path: Path, choice: str | None) -> dict[str, dict[str, object]]:
    stated = "" if choice is None else f", when_all_not_applicable: {choice}"
    config = config_variant(tmp_path / "config", {A1: f"    rule: {{kind: task_completion{stated}}}\n"})
    inbox, central = write_inputs(tmp_path, 2030, UNITS, config=config)
    return scored_units(published_2030(config, inbox, central, tmp_path / "out"))


@pytest.mark.parametrize(("choice", "a1", "excluded", "section", "total", "says"), [
    (None, 0, True, 15, 55, "所涉任务均不适用，本项不计分；本项不计入，所在部分按其余指标折算"),
    ("exclude", 0, True, 15, 55, "所涉任务均不适用，本项不计分；本项不计入，所在部分按其余指标折算"),
    ("full", 20, False, 30, 70, "所涉任务均不适用，得 20 分"),
    ("zero", 0, False, 10, 50, "所涉任务均不适用，得 0 分"),
    ("missing", 0, False, 10, 50, "所涉任务均不适用，按缺失处理"),
])
def test_all_tasks_not_applicable(tmp_path: Path, choice: str | None, a1: float, excluded: bool,
                                  section: float, total: float, says: str) -> None:
    units = scores(tmp_path, choice)
    beijing = units["110000"]
    indicator = beijing["indicators"]["A1"]
    assert (indicator["points"], indicator["excluded"]) == (a1, excluded)
    assert says in indicator["explanation"]
    assert (beijing["sections"]["A"], beijing["total"]) == (section, total)
    assert (units["120000"]["indicators"]["A1"]["points"], units["120000"]["total"]) == (20, 100)
