"""Score one unit's submission among the committed samples of its year (the other 31 units and
the central office's records), as the corpus and property tests need."""

from __future__ import annotations

from functools import lru_cache

from conftest import ROOT

from scoring.problems import Problem
from scoring.scores.engine import UnitInputs, YearScorer
from scoring.scores.models import UnitScore
from scoring.workbook.layout import central_file_name
from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config


@lru_cache(maxsize=2)
def _peers(year: int) -> tuple[dict[str, Submission], dict[str, dict[str, object]]]:
    samples = ROOT / "sample_inputs"
    submissions = {}
    for path in sorted((samples / str(year)).glob("*.xlsx")):
        submission = validate_submission(path, load_year_config)
        assert submission.valid and submission.unit_code
        submissions[submission.unit_code] = submission
    central = validate_submission(samples / central_file_name(year), load_year_config)
    return submissions, central.central  # type: ignore[return-value]


def score_unit(year: int, submission: Submission) -> UnitScore:
    """The unit's score when its submission is ``submission`` and every other unit's is the sample."""
    config = load_year_config(year)
    assert config is not None and submission.unit_code is not None
    submissions, central = _peers(year)
    inputs = {code: UnitInputs(config.units[code], submitted, central.get(code, {}))  # type: ignore[arg-type]
              for code, submitted in {**submissions, submission.unit_code: submission}.items()}
    return next(u for u in YearScorer(config, inputs).score_all() if u.code == submission.unit_code)


def base_submission(year: int, code: str = "110000") -> Submission:
    """The committed sample's submission for ``code``."""
    return _peers(year)[0][code]


def _cells(ref: str) -> tuple[int, int, int, int] | None:
    from scoring.workbook.tables import cells_in

    return cells_in(ref)


def names_cell(finding: Problem, sheet: str, cell: str | None, key: str) -> bool:
    """Whether a warning or error speaks about ``sheet!cell`` (the row of ``key``): its range holds
    the cell, it is the header of the cell's column, it names the row's code, it refuses the sheet
    or the whole file, or (a cross-check) its message cites the cell."""
    if finding.severity == "info":
        return False
    if finding.sheet is None:  # the file itself was refused
        return finding.severity == "error" and finding.code.startswith(("file-", "zip-", "xml-"))
    if finding.sheet != sheet:
        return False
    refused = ("sheet-missing", "header-missing", "header-duplicate")
    if finding.code in refused and finding.severity == "error":
        return True  # the whole table cannot be read, and the finding says so
    if finding.value == key:
        return True  # a finding about the row, naming its code
    if finding.cell is None:
        return False
    if cell is None:
        return False
    box, target = _cells(finding.cell), _cells(cell)
    if box is None or target is None:
        return False
    column, row = target[0], target[1]
    if box[0] <= column <= box[2] and box[1] <= row <= box[3]:
        return True
    return finding.code == "cross-check" and f"（{cell}）" in finding.message
