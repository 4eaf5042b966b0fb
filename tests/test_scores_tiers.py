"""The two named rules of rank-share tiers, on the 2022 config and the committed 2022 samples.

``tiers.boundary_ties``: with totals rounded to whole points (``decimals: 0``) the 31 slot units
(上海 is vetoed: 第四档, no slot) publish 89, 83, 83, 82, 82, 81, 80, 79, 79, 79, 78, …: the three
at 79 stand at positions 8–10. 第一档 takes shares up to 0.3, 9.3 of 31. ``together_in_better``
(the default) gives all three position 8 (8 / 31 = 0.26): 10 units in 第一档. ``together_in_worse``
gives them position 10 (0.32): 第一档 holds the 7 units above them.

``tiers.demoted_slot``: with 不合格 below 70 instead of 60, the 12 units from 西藏 (69.64, 20th)
down are 不合格, at best 第四档. ``keep`` (the default) leaves them their slots: positions 1–9
第一档, 10–19 第二档, and 20–27 (第二档 and 第三档 by share) all moved to 第四档, so 第三档 stays
empty. ``release``: the 8 moved units give up their slots; of the 23 left, 甘肃 (20 of 23, 0.87)
now falls in 第三档 and is moved too; of the 22 left, 1–6 (≤ 6.6) are 第一档, 7–15 (≤ 15.4) 第二档,
16–19 (≤ 19.8) 第三档 and 宁夏, 吉林, 贵州 (20–22) 第四档, where nobody moves.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT
from handworked import config_variant

from scoring.pipeline import PipelineRequest, run_pipeline

CONFIG_2022 = ROOT / "indicators" / "2022.yaml"
LIMITS = "  grade_limits:\n    - {grade: 不合格, best: 第四档}\n"


def tiers(tmp_path: Path, replacements: dict[str, str]) -> dict[str, str]:
    """Each unit's tier, scoring the 2022 samples with a variant of the 2022 config."""
    config = config_variant(tmp_path / "config", replacements, source=CONFIG_2022)
    result = run_pipeline(PipelineRequest(
        year=2022, input_dir=ROOT / "sample_inputs" / "2022", output=tmp_path / "out",
        central=ROOT / "sample_inputs" / "central-2022.xlsx", config=config, templates_config=CONFIG_2022))
    report = json.loads((result.output / "scores.json").read_text(encoding="utf-8"))
    return {u["short_name"]: u["tier"] for u in report["units"]}


TOP_SEVEN = {"北京", "浙江", "陕西", "湖南", "四川", "重庆", "山东"}
AT_79 = {"天津", "辽宁", "福建"}


@pytest.mark.parametrize("rule", [None, "together_in_better", "together_in_worse"])
def test_a_tie_across_a_tier_boundary(tmp_path: Path, rule: str | None) -> None:
    stated = "" if rule is None else f"  boundary_ties: {rule}\n"
    got = tiers(tmp_path, {"decimals: 2": "decimals: 0", LIMITS: LIMITS + stated})
    first = {name for name, tier in got.items() if tier == "第一档"}
    if rule == "together_in_worse":
        assert first == TOP_SEVEN
        assert {got[name] for name in AT_79} == {"第二档"}
    else:  # the default, stated or not
        assert first == TOP_SEVEN | AT_79 and len(first) == 10


@pytest.mark.parametrize("rule", [None, "keep", "release"])
def test_demoted_units_and_their_slots(tmp_path: Path, rule: str | None) -> None:
    stated = "" if rule is None else f"  demoted_slot: {rule}\n"
    got = tiers(tmp_path, {"{name: 合格, at_least: 60, below: 80}": "{name: 合格, at_least: 70, below: 80}",
                           "{name: 不合格, below: 60}": "{name: 不合格, below: 70}", LIMITS: LIMITS + stated})
    counts = Counter(got.values())
    assert got["西藏"] == got["甘肃"] == got["贵州"] == got["上海"] == "第四档"
    if rule == "release":
        assert counts == {"第一档": 6, "第二档": 9, "第三档": 4, "第四档": 13}
        assert [name for name, tier in got.items() if tier == "第三档"] == ["内蒙古", "河北", "湖北", "云南"]
    else:  # the default, stated or not: 第三档 left empty
        assert counts == {"第一档": 9, "第二档": 10, "第四档": 13}
