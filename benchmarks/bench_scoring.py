"""Scoring speed: the 32 sample units, and a synthetic scale test up to 3,000 county-level units.

Run: .venv/bin/python benchmarks/bench_scoring.py [MAX_UNITS]
Prints (1) validating the 32 sample workbooks, then scoring + ranking + robustness of the 32
units after validation (target ≤ 1 s); (2) for 100 … 3,000 synthetic units on the 2022
indicator set, the time for score + rank + robustness (target ≤ 10 s at 3,000), time per unit,
and the growth exponent between sizes (1.0 = linear), measured in the same run.
"""

from __future__ import annotations

import math
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from scoring.indicators.units import Unit
from scoring.pipeline import PipelineRequest, run_pipeline
from scoring.scores.engine import UnitInputs, YearScorer
from scoring.scores.ranking import assign_ranks, assign_tiers
from scoring.scores.robustness import robustness
from scoring.workbook.submission import ItemValue, Submission, TaskReport
from scoring.workbook.years import load_year_config

ROOT = Path(__file__).resolve().parent.parent


def synthetic(n: int, seed: int = 7) -> dict[str, UnitInputs]:
    config = load_year_config(2022)
    assert config is not None
    rng = random.Random(seed)
    tasks = [t.id for t in config.source.assessed_tasks()]
    statuses = ["已完成"] * 6 + ["部分完成"] * 3 + ["未开展", "不适用"]
    out: dict[str, UnitInputs] = {}
    for index in range(n):
        code = f"{100000 + index:06d}"
        size = math.exp(rng.gauss(0, 1))
        unit = Unit(code=code, name=f"县{index}", short_name=f"县{index}", region="东部",
                    population_10k=40 * size, gdp_100m_yuan=300 * size * rng.uniform(0.5, 2))
        values: dict[str, ItemValue] = {}
        central: dict[str, ItemValue] = {}
        for item in config.indicator_set.items:
            kind = item.kind.value
            value: object = (date(2023, 1, 15) + timedelta(days=rng.randint(-10, 5)) if kind == "date"
                             else rng.random() < 0.03 if kind == "yes_no"
                             else round(rng.uniform(60, 100), 1) if kind == "ratio"
                             else round(rng.uniform(0, 500) * size, 2) if kind == "amount"
                             else int(rng.uniform(0, 300) * size) if "count" not in item.code
                             else rng.choice([0, 0, 0, 1, 2]))
            target = central if item.source.value == "central" else values
            target[item.code] = ItemValue(code=item.code, value=value, sheet="工作数据", cell="D2")  # type: ignore[arg-type]
        reports = {t: TaskReport(task_id=t, status=rng.choice(statuses), evidence="材料", sheet="任务落实",  # type: ignore[arg-type]
                                 cell="D2") for t in tasks}
        submission = Submission(file=f"{code}.xlsx", sha256="0" * 64, size=1, values=values, tasks=reports)
        out[code] = UnitInputs(unit, submission, central)
    return out


def score_rank_robust(inputs: dict[str, UnitInputs]) -> float:
    config = load_year_config(2022)
    assert config is not None
    start = time.perf_counter()
    scored = YearScorer(config, inputs).score_all()
    assign_ranks(scored, "competition")
    assign_tiers(scored, config.indicator_set.tiers)
    robustness(scored, config.indicator_set)
    return time.perf_counter() - start


def main() -> None:
    largest = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    config = load_year_config(2022)
    assert config is not None
    with tempfile.TemporaryDirectory() as temp:
        request = PipelineRequest(year=2022, input_dir=ROOT / "sample_inputs/2022",
                                  central=ROOT / "sample_inputs/central-2022.xlsx", output=Path(temp) / "out")
        start = time.perf_counter()
        result = run_pipeline(request)
        whole = time.perf_counter() - start
    assert len(result.report.units) == 32
    from scoring.scores.collect import collect

    start = time.perf_counter()
    collected = collect(ROOT / "sample_inputs/2022", 2022, load_year_config, set(config.units))
    validation = time.perf_counter() - start
    sample_inputs = {code: UnitInputs(config.units[code], sub, {}) for code, sub in collected.by_unit.items()}
    after = min(score_rank_robust(sample_inputs) for _ in range(3))
    print(f"32 sample units: validate {validation * 1000:.0f} ms; score + rank + robustness "
          f"{after * 1000:.0f} ms after validation (target ≤ 1000 ms); "
          f"whole pipeline without PDFs (validate, score, write, manifest) {whole * 1000:.0f} ms")
    sizes = [n for n in (100, 300, 1000, 3000, 10000) if n <= largest]
    previous: tuple[int, float] | None = None
    for n in sizes:
        seconds = score_rank_robust(synthetic(n))
        growth = ""
        if previous is not None:
            exponent = math.log(seconds / previous[1]) / math.log(n / previous[0])
            growth = f"  growth exponent vs {previous[0]}: {exponent:.2f}"
        print(f"{n:6d} synthetic units: {seconds:6.2f} s  ({seconds / n * 1000:.2f} ms per unit){growth}")
        previous = (n, seconds)
    print("target at 3,000 units: ≤ 10 s for score + rank + robustness")


if __name__ == "__main__":
    main()
