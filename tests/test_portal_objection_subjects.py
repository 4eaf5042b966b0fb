"""The objection pages name what an objection is about as users know it: the indicator's name or
the task's text, with the code only as a hint beside it (the province's page, the central office's
list and its answer form)."""

from __future__ import annotations

import re

import pytest
from portal_fixtures import CONFIRM, Client, run_to_end, sample, version_id

from scoring.pipeline import load_year_files

TASK = "2022-1.1.3"


def _lodge(client: Client, subject: str, reason: str):
    return client.http.post("/feedback/objections", data={"csrf_token": client.csrf, "subject": subject,
                                                          "reason": reason}, files={"file": ("", b"", "")})


def _subject_cells(page: str) -> list[str]:
    """The 异议事项 cell of each objection listed."""
    return [cells[2] for cells in (re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
                                   for row in re.findall(r'<tr id="objection-\d+".*?</tr>', page, re.S))]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_objections_show_the_indicator_name_and_task_text_with_the_code_as_a_hint(portal_app) -> None:
    sh, office = Client(portal_app, "sh"), Client(portal_app, "central")
    version = version_id(sh.upload(sample("310000")))
    assert sh.post(f"/versions/{version}/submit", CONFIRM).status_code == 303
    assert office.post("/central/units/310000/accept", {"version_id": str(version)}).status_code == 303
    run_id = run_to_end(portal_app, office)
    assert office.post(f"/runs/{run_id}/feedback").status_code == 303
    assert _lodge(sh, "indicator:C2", "必填项无缺漏").status_code == 303
    assert _lodge(sh, f"task:{TASK}", "该任务已全部完成").status_code == 303
    config = load_year_files(2022).config
    indicator = next(i for _, i in config.indicator_set.indicators() if i.id == "C2")
    task = next(t for t in config.source.assessed_tasks() if t.id == TASK)
    expected = [f'{indicator.name}<br><span class="hint">指标 C2</span>',
                f'{task.title}<br><span class="hint">任务 {TASK}</span>']
    assert _subject_cells(sh.get("/feedback").text) == expected
    listing = office.get(f"/runs/{run_id}/objections").text
    assert _subject_cells(listing) == expected
    headings = re.findall(r"<h2>答复第 \d+ 号异议（(.*?)）</h2>", listing)
    assert headings == [f"上海市 · {indicator.name}", f"上海市 · {task.title}"]
    assert "C2" not in "".join(headings) and TASK not in "".join(headings)
