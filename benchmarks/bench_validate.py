"""Reading and validating one submission, next to pandas.read_excel (openpyxl engine) on the same files.

Run: .venv/bin/python benchmarks/bench_validate.py [YEAR] [ROUNDS]
Prints, per file, the median over rounds and all 32 sample files: our read + full validation
(configuration already loaded, as when a batch is validated), the same including loading the
configuration from scratch (a single `scoring validate` call), and pandas reading every sheet
without validating anything; then the ratio ours / pandas. The target is ≤ 100 ms per file.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

ROOT = Path(__file__).resolve().parent.parent


def _time(action: object, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2022
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    files = sorted((ROOT / "sample_inputs" / str(year)).glob("*.xlsx"))
    load_year_config(year)  # warm: a batch loads its configuration once
    ours: list[float] = []
    cold: list[float] = []
    theirs: list[float] = []
    for path in files:
        ours += _time(lambda p=path: validate_submission(p, load_year_config), rounds)
        theirs += _time(lambda p=path: pd.read_excel(p, sheet_name=None, engine="openpyxl"), rounds)

        def from_scratch(p: Path = path) -> None:
            load_year_config.cache_clear()
            validate_submission(p, load_year_config)
        cold += _time(from_scratch, max(1, rounds // 2))
    med_ours, med_cold, med_pandas = (statistics.median(x) for x in (ours, cold, theirs))
    print(f"{len(files)} files × {rounds} rounds ({year})")
    print(f"read + validate (configuration loaded)   median {med_ours:7.1f} ms   max {max(ours):7.1f} ms")
    print(f"read + validate (configuration from disk) median {med_cold:7.1f} ms   max {max(cold):7.1f} ms")
    print(f"pandas.read_excel, all sheets, openpyxl  median {med_pandas:7.1f} ms   max {max(theirs):7.1f} ms")
    print(f"ratio ours / pandas: {med_ours / med_pandas:.2f} (loaded), "
          f"{med_cold / med_pandas:.2f} (from disk)")
    print(f"target ≤ 100 ms per submission: {'met' if med_cold <= 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
