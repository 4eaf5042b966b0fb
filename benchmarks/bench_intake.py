"""Intake: time and peak memory to validate a normal workbook, a ~5 MB workbook whose two sheets
hold 29 MB of XML each, and a 1.5 GB file, next to bare readers of the same files.

Run: .venv/bin/python benchmarks/bench_intake.py [ROUNDS]

The big files are generated at run time in a temporary folder and deleted afterwards (never
committed). Each measurement runs in a fresh process that imports what it needs, then reads the
file once: "time" is that read (median over ROUNDS processes), "peak" is the process's peak
resident memory (interpreter and imports included), "+read" what the read added to the peak
reached after the imports. Baselines, measured in the same run on the same files:
``openpyxl.load_workbook(read_only=True)`` reading every cell, ``pandas.read_excel`` (openpyxl
engine, all sheets) for the normal workbook, and ``Path.read_bytes()`` (what validation did
before it checked the size) for the 1.5 GB file. Targets: ≤ 50 ms and ≤ 80 MB for a normal
workbook; bounded time and memory for the others.
"""

from __future__ import annotations

import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_inputs" / "2022" / "110000-北京.xlsx"
HUGE_BYTES = 1536 * 1024 * 1024

CHILD = r"""
import json, re, sys, time
from pathlib import Path

def peak_mb():  # the process's own high-water mark (ru_maxrss would carry the parent's over)
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+)", status.read())[1]) / 1024

mode, path = sys.argv[1], Path(sys.argv[2])
if mode == "ours":
    from scoring.workbook.validate import validate_submission
    from scoring.workbook.years import load_year_config
    load_year_config(2022)
elif mode == "openpyxl":
    import openpyxl
elif mode == "pandas":
    import pandas
before = peak_mb()
start = time.perf_counter()
outcome = "ok"
try:
    if mode == "ours":
        result = validate_submission(path, load_year_config)
        errors = sorted({f.code for f in result.findings if f.severity == "error"})
        outcome = "valid" if not errors else ",".join(errors)
    elif mode == "openpyxl":
        wb = openpyxl.load_workbook(path, read_only=True)
        cells = 0
        for ws in wb.worksheets:
            ws.reset_dimensions()  # read every row, not only the range the file declares
            cells += sum(1 for row in ws.iter_rows() for c in row if c.value is not None)
        outcome = f"{cells} cells"
    elif mode == "pandas":
        pandas.read_excel(path, sheet_name=None, engine="openpyxl")
    elif mode == "read":
        outcome = f"{len(path.read_bytes())} bytes"
except Exception as exc:  # noqa: BLE001 - a baseline may fail on a hostile file; that is a result
    outcome = type(exc).__name__
elapsed = time.perf_counter() - start
peak = peak_mb()
print(json.dumps({"ms": elapsed * 1000, "peak_mb": peak, "added_mb": peak - before, "outcome": outcome}))
"""


def _measure(mode: str, path: Path, rounds: int) -> dict[str, object]:
    runs = []
    for _ in range(rounds):
        done = subprocess.run([sys.executable, "-c", CHILD, mode, str(path)], capture_output=True,
                              text=True, timeout=900, check=True, cwd=ROOT)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"ms": statistics.median(float(r["ms"]) for r in runs),
            "peak_mb": max(float(r["peak_mb"]) for r in runs),
            "added_mb": max(float(r["added_mb"]) for r in runs), "outcome": runs[0]["outcome"]}


def _big_sheets(out: Path) -> Path:
    """The sample with ~29 MB of extra rows in each of its two tables' sheets (~4–5 MB zipped)."""
    rng = random.Random(2022)
    with zipfile.ZipFile(SAMPLE) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    for part in ("xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"):
        rows, size, number = [], 0, 200
        while size < 29_000_000:
            row = (f'<row r="{number}">' + "".join(f'<c r="{c}{number}"><v>{rng.randrange(2)}</v></c>'
                                                   for c in "GHIJKLMNOP") + "</row>").encode()
            rows.append(row)
            size += len(row)
            number += 1
        parts[part] = parts[part].replace(b"</sheetData>", b"".join(rows) + b"</sheetData>", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    path = out / "110000-big-sheets.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def _huge(out: Path) -> Path:
    """A 1.5 GB file that starts like a workbook, written to disk in 64 MB chunks."""
    path = out / "110000-huge.xlsx"
    chunk = b"\0" * (64 * 1024 * 1024)
    with path.open("wb") as handle:
        handle.write(SAMPLE.read_bytes())
        while handle.tell() + len(chunk) <= HUGE_BYTES:
            handle.write(chunk)
        handle.write(b"\0" * (HUGE_BYTES - handle.tell()))
    return path


def _line(label: str, m: dict[str, object]) -> str:
    return (f"  {label:<44} {float(m['ms']):9.1f} ms  peak {float(m['peak_mb']):7.1f} MB"
            f"  +read {float(m['added_mb']):7.1f} MB  ({m['outcome']})")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [("normal workbook", SAMPLE, rounds, ["openpyxl", "pandas"]),
                 ("workbook with two 29 MB sheets", _big_sheets(folder), max(1, rounds // 2), ["openpyxl"]),
                 ("1.5 GB file", _huge(folder), max(1, rounds // 2), ["read"])]
        labels = {"openpyxl": "openpyxl read_only, every cell", "pandas": "pandas.read_excel, all sheets",
                  "read": "Path.read_bytes (the old first step)"}
        for title, path, n, baselines in cases:
            print(f"{title}: {path.stat().st_size / 1048576:.2f} MB on disk, {n} runs")
            ours = _measure("ours", path, n)
            print(_line("scoring validate_submission", ours))
            for mode in baselines:
                base = _measure(mode, path, n)
                print(_line(labels[mode], base))
                time_ratio = float(ours["ms"]) / max(float(base["ms"]), 0.001)
                memory_ratio = float(ours["peak_mb"]) / float(base["peak_mb"])
                print(f"    ratio ours / baseline: time {time_ratio:.3g}, peak memory {memory_ratio:.2f}")
            if title == "normal workbook":
                met = float(ours["ms"]) <= 50 and float(ours["peak_mb"]) <= 80
                print(f"    target ≤ 50 ms and ≤ 80 MB: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
