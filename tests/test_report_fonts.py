"""Every glyph comes from an embedded, subset Noto CJK font, and those fonts cover every character."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fontTools.ttLib import TTCollection, TTFont
from reportdata import NOT_SCORED, SCORED, Rendered

from scoring.indicators.report import build_report
from scoring.indicators.store import load_located
from scoring.report.audit import audit_html
from scoring.report.scorecard import scorecard_html
from scoring.report.summary import summary_html

REPORT_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")
SUBSET_NAME = re.compile(r"^[A-Z]{6}\+Noto-(Serif|Sans|Sans-Mono)-CJK-SC(-Bold)?$")


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table as dicts (name, type, emb, sub, uni)."""
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type… encoding emb sub uni object ID: the last five columns are fixed
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


@cache
def cmap(family: str) -> frozenset[int]:
    """The code points the installed font ``family`` maps (found with fc-match, read with fontTools)."""
    query = ["fc-match", f"{family}:style=Regular", "--format", "%{family}\n%{file}\n%{index}"]
    found = subprocess.run(query, check=True, capture_output=True, text=True).stdout.splitlines()
    assert family in found[0], f"{family} is not installed (fonts-noto-cjk)"
    path, index = found[1], int(found[2])
    if path.endswith(".ttc"):
        with TTCollection(path) as collection:
            return frozenset(collection[index].getBestCmap())
    with TTFont(path) as font:
        return frozenset(font.getBestCmap())


class _Text(HTMLParser):
    """Every piece of text a reader sees (style and script left out), chart labels included."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def test_pdfs_embed_only_subset_noto_cjk_fonts(rendered_reports: Rendered) -> None:
    for path in rendered_reports.paths:
        fonts = pdf_fonts(path)
        assert fonts, path
        for font in fonts:
            assert SUBSET_NAME.match(font["name"]), (path.name, font["name"])
            assert (font["emb"], font["sub"], font["uni"]) == ("yes", "yes", "yes"), (path.name, font)
        names = {f["name"].split("+")[1] for f in fonts}
        assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold"} <= names  # text serif, headings sans


@pytest.fixture(scope="module")
def report_htmls(rendered_reports: Rendered) -> dict[str, str]:
    r = rendered_reports
    units = {u.code: u for u in r.report.units}
    pages = {code: scorecard_html(r.report, r.indicator_set, units[code], r.generated_at)
             for code in (*SCORED, NOT_SCORED)}
    pages["summary"] = summary_html(r.report, r.indicator_set, r.generated_at)
    pages["audit"] = audit_html(build_report(load_located("2022")), generated_at=r.generated_at)
    return pages


def test_every_character_is_covered_by_the_report_fonts(report_htmls: dict[str, str]) -> None:
    for name, html in report_htmls.items():
        text = visible_text(html)
        assert len(text) > 500
        chars = {c for c in text if not c.isspace()}
        for family in REPORT_FONTS:
            missing = sorted(c for c in chars if ord(c) not in cmap(family))
            assert not missing, f"{name}: {family} has no glyph for {missing}"


def test_the_coverage_check_can_fail() -> None:
    assert ord("😀") not in cmap("Noto Serif CJK SC")
    assert ord("国") in cmap("Noto Serif CJK SC")
