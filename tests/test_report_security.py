"""Nothing in a submission can inject markup or pull in a file or a URL; templates refuse undefined names."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import pdf_text, squeeze
from jinja2 import UndefinedError
from reportdata import sample_report

from scoring.indicators.store import load_indicator_set
from scoring.problems import Problem, Severity
from scoring.report.pdf import ResourceRefused, bundled_path, html_to_pdf, templates_root, url_fetcher
from scoring.report.render import scorecard_pdf
from scoring.report.scorecard import scorecard_html
from scoring.report.views import report_environment

MOMENT = datetime(2023, 2, 1, 8, tzinfo=UTC)
HOSTILE_NAME = "<script>alert(1)</script>广东省"
HOSTILE_MESSAGE = "<img src=file:///etc/passwd> 与 <link rel=attachment href=file:///etc/passwd>"


@pytest.fixture(scope="module")
def hostile_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    report = sample_report(("440000",), not_scored=None, missing=None, names={"440000": HOSTILE_NAME},
                           findings={"440000": [Problem(code="x", severity=Severity.WARNING,
                                                        message=HOSTILE_MESSAGE)]})
    indicator_set = load_indicator_set("2022")
    unit = report.units[0]
    html = scorecard_html(report, indicator_set, unit, MOMENT)
    path = tmp_path_factory.mktemp("hostile") / "card.pdf"
    path.write_bytes(scorecard_pdf(report, indicator_set, unit, generated_at=MOMENT))
    return html, path


def test_names_and_messages_are_escaped_in_the_html(hostile_pdf: tuple[str, Path]) -> None:
    html, _ = hostile_pdf
    assert "<script>" not in html and "<img src=file" not in html and "<link rel=attachment" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;广东省" in html
    assert "&lt;img src=file:///etc/passwd&gt;" in html


def test_markup_in_data_renders_as_text_and_fetches_nothing(hostile_pdf: tuple[str, Path]) -> None:
    _, path = hostile_pdf
    text = squeeze(pdf_text(path))
    assert squeeze(HOSTILE_NAME) in text and squeeze(HOSTILE_MESSAGE) in text
    images = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True,
                            text=True).stdout.splitlines()
    assert len(images) == 2  # the header lines only: no image was fetched
    files = subprocess.run(["pdfdetach", "-list", str(path)], check=True, capture_output=True,
                           text=True).stdout
    assert files.splitlines()[0] == "1 embedded files" and "passwd" not in files


def test_templates_are_strict_and_autoescaped() -> None:
    env = report_environment()
    assert env.autoescape is True
    with pytest.raises(UndefinedError):
        env.get_template("scorecard.html").render()
    with pytest.raises(UndefinedError):
        env.from_string("{{ unit.nonexistent }}").render(unit={})


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/",
    "https://example.com/style.css",
    "data:text/plain;base64,SGVsbG8=",
    "ftp://example.com/x",
    "file://remote-host/templates/base.html",
])
def test_url_fetcher_refuses_anything_but_bundled_files(url: str) -> None:
    with pytest.raises(ResourceRefused):
        url_fetcher().fetch(url)


def test_url_fetcher_refuses_paths_outside_templates() -> None:
    root = templates_root()
    for path in (root.parent / "pyproject.toml", root / ".." / "pyproject.toml", root / "missing.css", root):
        with pytest.raises(ResourceRefused):
            bundled_path(path.as_uri() if path.is_absolute() else str(path))
    outside = f"file://{root}/../pyproject.toml"
    with pytest.raises(ResourceRefused):
        url_fetcher().fetch(outside)


def test_url_fetcher_serves_bundled_templates() -> None:
    response = url_fetcher().fetch((templates_root() / "base.html").as_uri())
    assert b"<!DOCTYPE html>" in response.read()
    response.close()


def test_html_pointing_outside_is_rendered_without_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red } h1::after { content: 'LEAKED' }", encoding="utf-8")
    html = (f'<html lang="zh-CN"><head><link rel="stylesheet" href="{secret.as_uri()}">'
            f'<link rel="attachment" href="file:///etc/passwd"></head>'
            f'<body style="font-family: \'Noto Serif CJK SC\'"><h1>标题</h1>'
            f'<img src="file:///etc/passwd"><img src="http://example.com/x.png"></body></html>')
    path = tmp_path / "x.pdf"
    path.write_bytes(html_to_pdf(html, generated_at=MOMENT))
    assert "LEAKED" not in pdf_text(path)
    files = subprocess.run(["pdfdetach", "-list", str(path)], check=True, capture_output=True,
                           text=True).stdout
    assert files.startswith("0 embedded files")
