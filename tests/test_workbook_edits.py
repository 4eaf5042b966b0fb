"""Any single-cell edit to a valid workbook leaves the unit's score unchanged, or changes it with
the edited cell in the explanation, or produces a finding for that cell.

The edit is made in openpyxl on one of the sheets a person can reach (the very hidden _lists and
_meta sheets cannot be shown in Excel, WPS or LibreOffice; tampering with them is caught by the
template-* checks). The unit is scored among the committed samples of its year. An indicator's
explanation is its inputs (sheet and cell of every value it used) and, for an indicator that
rates task reports, the status cells of its tasks (the scorecard lists it as 按任务落实情况).
"""

from __future__ import annotations

import io
from datetime import date

from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from unitscore import base_submission, names_cell, score_unit

from scoring.scores.models import UnitScore
from scoring.workbook.submission import Submission
from scoring.workbook.validate import validate_bytes
from scoring.workbook.years import load_year_config

YEAR = 2022
BASE_BYTES = (ROOT / "sample_inputs" / str(YEAR) / "110000-北京.xlsx").read_bytes()
SHEETS = {"填报说明": (12, 2), "封面": (9, 4), "任务落实": (75, 8), "工作数据": (20, 8)}

TEXTS = ["已完成", "部分完成", "未开展", "不适用", "已 完成", "完成", "无", "—", "/", " ", "5,863",
         "５８６３", "4159件", "6.59E+2", "95%", "0.5", "admin_cases_opened", "2022-1.1.1", "填报值",
         "代码", "序号",
         "2023-01-10", "下周一", "是", "行政执法部门查处侵权假冒案件数", "说明", "#N/A", "#REF!", "#VALUE!",
         "暂无", "0", "元", "万元"]
VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=10**16),
    st.floats(min_value=-1e6, max_value=1e16, allow_nan=False, allow_infinity=False),
    st.sampled_from(TEXTS),
    st.text(alphabet="0123456789.,-%件无是否已完成 ", max_size=8),
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    st.booleans(),
)


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, int, int, object]:
    sheet = draw(st.sampled_from(sorted(SHEETS)))
    rows, columns = SHEETS[sheet]
    return sheet, draw(st.integers(1, rows)), draw(st.integers(1, columns)), draw(VALUES)


def _edited(sheet: str, row: int, column: int, value: object) -> bytes:
    wb = load_workbook(io.BytesIO(BASE_BYTES))
    wb[sheet].cell(row, column).value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _explained_by(score: UnitScore, indicator: str, submission: Submission) -> set[tuple[str, str]]:
    config = load_year_config(YEAR)
    assert config is not None
    cells = {(i.sheet, i.cell) for i in score.indicators[indicator].inputs if i.sheet and i.cell}
    tasks = next(ind.tasks for _, ind in config.indicator_set.indicators() if ind.id == indicator)
    cells |= {(r.sheet, r.cell) for t in tasks if (r := submission.tasks.get(t)) is not None and r.cell}
    return cells


BASE_SCORE = score_unit(YEAR, base_submission(YEAR))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits())
def test_a_single_cell_edit_is_scored_as_written_or_named(edit: tuple[str, int, int, object]) -> None:
    sheet, row, column, value = edit
    ref = f"{chr(64 + column)}{row}"
    read = validate_bytes(_edited(sheet, row, column, value), "110000-北京.xlsx", load_year_config)
    found = [f for f in read.findings if names_cell(f, sheet, ref, key="\0")]
    if found:
        return  # the edited cell is named by a warning or an error
    assert read.valid, ([f.render() for f in read.findings if f.severity == "error"], edit)
    score = score_unit(YEAR, read)
    for indicator, result in score.indicators.items():
        if result.points == BASE_SCORE.indicators[indicator].points:
            continue
        assert (sheet, ref) in _explained_by(score, indicator, read), (indicator, edit, result.explanation)
    if score.total != BASE_SCORE.total:
        assert any(s.points != BASE_SCORE.indicators[i].points for i, s in score.indicators.items()), edit
