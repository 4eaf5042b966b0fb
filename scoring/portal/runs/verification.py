"""Verify a stored run as ``scoring verify`` does: lay its stored inputs and outputs out in a
temporary folder, exactly as the run's folder was, and hand its manifest to
``scoring.pipeline.verify``, which checks every input's hash, re-runs the pipeline and compares
scores.json and ranking.xlsx byte for byte. Runs in a worker process."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from scoring.errors import ScoringError
from scoring.pipeline import MANIFEST_FILE, verify
from scoring.portal.runs.run_inputs import INPUTS, OUTPUTS, write_files

COMPARED = (f"{OUTPUTS}/scores.json", f"{OUTPUTS}/ranking.xlsx", f"{OUTPUTS}/{MANIFEST_FILE}")


def wanted(path: str) -> bool:
    """The stored files a verification needs: every input, and the outputs it compares."""
    return path.startswith(f"{INPUTS}/") or path in COMPARED


@dataclass(frozen=True)
class Outcome:
    """一致 or the first difference, the notes that do not decide it, and how long it took."""

    ok: bool
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def verify_files(files: dict[str, bytes]) -> Outcome:
    """Re-run a stored run from its files (paths inside the run's folder) and compare."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="scoring-verify-") as temp:
        folder = Path(temp)
        write_files(folder, files)
        try:
            result = verify(folder / OUTPUTS / MANIFEST_FILE, pdf=False)
        except ScoringError as exc:
            return Outcome(ok=False, differences=[str(exc)], seconds=time.perf_counter() - start)
    return Outcome(ok=result.ok, differences=list(result.differences), notes=list(result.notes),
                   seconds=time.perf_counter() - start)
