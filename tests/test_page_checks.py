"""The checks every browser test's pages go through (page_checks) find what they are there to find:
a page with known faults is reported for each of them, and a clean page for none."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from page_checks import SCREEN_SIZES, PageRecord, Served, axe_and_reflow, html_validity, screenshots

HEAD = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>检查</title>{extra}</head>'
FAULTY = (HEAD.format(extra='<meta http-equiv="refresh" content="2">')
          + '<body><main><h1>报送</h1><label for="nowhere">单位名称</label><input id="name" name="name">'
            '<p style="width:900px">一段不能换行的很宽的内容</p></main></body></html>')
CLEAN = (HEAD.format(extra="") + '<body><main><h1>报送</h1><label for="name">单位名称</label>'
         '<input id="name" name="name"><table><tr><th>一</th><th>二</th></tr>'
         '<tr><td style="min-width:600px">数据表可以在自己的框里横向滚动</td><td>2</td></tr></table>'
         '</main></body></html>')
WIDE_TABLE = (HEAD.format(extra="") + '<body><main><h1>审计日志</h1><table><tr><th>变化后</th></tr>'
              '<tr><td style="min-width:1500px">一个不能换行的很长的数据表格单元格</td></tr></table>'
              '</main></body></html>')
STYLE = "@media (max-width: 48rem) { table { display: block; overflow-x: auto; } }"


def record(*pages: tuple[str, str]) -> PageRecord:
    kept = PageRecord()
    for url, html in pages:
        kept.pages.append(Served(url, 200, {"content-type": "text/html; charset=utf-8"}, html.encode()))
    return kept


@pytest.fixture()
def chromium(browser: Any) -> Any:
    return browser.raw  # these pages are the test's own: not recorded for the module's check


def test_axe_and_reflow_report_each_fault_of_a_faulty_page_and_nothing_on_a_clean_one(chromium: Any) -> None:
    clean = CLEAN.replace("</head>", f"<style>{STYLE}</style></head>")
    problems = axe_and_reflow(chromium, record(("http://checks.invalid/faulty", FAULTY),
                                               ("http://checks.invalid/clean", clean)))
    faulty = [p.what for p in problems if p.url.endswith("/faulty")]
    assert any("meta-refresh" in what for what in faulty)
    assert any("label" in what for what in faulty)  # the input has no label of its own
    assert any("320 像素宽时页面宽" in what for what in faulty)
    assert [p for p in problems if p.url.endswith("/clean")] == []


def test_a_table_wider_than_an_office_screen_is_reported_at_1366_pixels(chromium: Any) -> None:
    clean = CLEAN.replace("</head>", f"<style>{STYLE}</style></head>")
    problems = axe_and_reflow(chromium, record(("http://checks.invalid/wide", WIDE_TABLE),
                                               ("http://checks.invalid/clean", clean)))
    assert [p.what for p in problems if "1366 像素宽时" in p.what and p.url.endswith("/wide")]
    assert [p for p in problems if p.url.endswith("/clean")] == []


def test_screenshots_keep_each_page_at_each_office_screen_size(chromium: Any, tmp_path: Path) -> None:
    from PIL import Image

    saved = screenshots(chromium, record(("http://checks.invalid/a/b?c=1", CLEAN),
                                         ("http://checks.invalid/wide", WIDE_TABLE)), tmp_path / "shots")
    names = [f"{n:03d}-{slug}-{w}.png" for n, slug in ((1, "a-b-c-1"), (2, "wide")) for w, _ in SCREEN_SIZES]
    assert [p.name for p in saved] == names
    widths = []
    for path in saved:
        with Image.open(path) as image:
            widths.append(image.size[0])
    assert widths[:2] == [w for w, _ in SCREEN_SIZES] and widths[2] > SCREEN_SIZES[0][0]


@pytest.mark.skipif(shutil.which("java") is None, reason="没有 Java：Nu Html Checker 无法运行")
def test_the_html_checker_reports_a_label_for_no_control(tmp_path: Path) -> None:
    problems = html_validity(record(("http://checks.invalid/faulty", FAULTY),
                                    ("http://checks.invalid/clean", CLEAN)), tmp_path / "pages")
    assert problems is not None
    assert any(p.url.endswith("/faulty") and "“for” attribute" in p.what for p in problems)
    assert [p for p in problems if p.url.endswith("/clean")] == []
