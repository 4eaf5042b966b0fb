"""HTML → PDF/A-3b bytes with WeasyPrint: bundled files only, fixed dates, one font configuration.

WeasyPrint is imported inside the functions, never at module import, so a parent process that
hands work to a pool does not load it (each worker imports it and keeps one
``FontConfiguration``). The URL fetcher serves files under ``templates/`` and refuses everything
else (other files, ``http(s):``, ``data:``), so nothing in a submission can pull a file or a URL
into a report.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scoring.settings import get_settings

PDF_VARIANT = "pdf/a-3b"


class ResourceRefused(ValueError):
    """A report asked for a resource outside the bundled templates."""


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 associated file)."""

    name: str
    data: bytes
    description: str
    relationship: str = "Data"


def templates_root() -> Path:
    """The only folder reports may read from: templates/ under the project root."""
    return (get_settings().root / "templates").resolve()


def bundled_path(url: str, root: Path | None = None) -> Path:
    """The file a ``file:`` URL names when it lies under ``root``; raises ``ResourceRefused`` otherwise."""
    base = (root or templates_root()).resolve()
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"报告只能引用模板目录中的文件，已拒绝：{url[:200]}")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise ResourceRefused(f"报告只能引用模板目录中的文件，已拒绝：{url[:200]}")
    return path


def url_fetcher(root: Path | None = None) -> Any:
    """A WeasyPrint URL fetcher that serves bundled template files and refuses everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    base = (root or templates_root()).resolve()

    class BundledOnly(URLFetcher):  # type: ignore[misc]
        """Serves ``file:`` URLs under the templates folder only."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = bundled_path(url, base)
            return URLFetcherResponse(path.as_uri(), path.read_bytes())

    return BundledOnly(allowed_protocols=("file",), allow_redirects=False)


def w3c_date(moment: datetime) -> str:
    """``2023-02-01T08:00:00Z``: the form WeasyPrint reads from ``dcterms.created``."""
    return pdf_moment(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def pdf_moment(moment: datetime) -> datetime:
    """``moment`` in UTC without microseconds (naive values are taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


_FONT_CONFIG: Any = None


def font_configuration() -> Any:
    """This process's one ``FontConfiguration`` (created on first use)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def laid_out(html: str, variant: str | None = PDF_VARIANT) -> Any:
    """``html`` laid out into pages (a WeasyPrint ``Document``), to look at before it is written:
    each page's ``anchors`` say which ``id`` starts on it."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(templates_root()) + "/", url_fetcher=url_fetcher())
    with warnings.catch_warnings():
        # WeasyPrint opens its bundled sRGB profile for PDF/A without closing it.
        warnings.simplefilter("ignore", ResourceWarning)
        return document.render(font_config=font_configuration(), pdf_variant=variant)


def html_to_pdf(html: str, *, generated_at: datetime, attachments: tuple[PdfAttachment, ...] = (),
                variant: str | None = PDF_VARIANT, pages: Any = None) -> bytes:
    """Render ``html`` to PDF/A-3b bytes; the page dates come from its ``dcterms`` meta tags, the
    attachments are dated ``generated_at``. ``pages``: ``html`` already ``laid_out``."""
    from weasyprint import Attachment

    when = pdf_moment(generated_at).replace(tzinfo=None)
    fetcher = url_fetcher()
    files = [Attachment(string=a.data, name=a.name, description=a.description, created=when,
                        modified=when, relationship=a.relationship, url_fetcher=fetcher)
             for a in attachments]
    with warnings.catch_warnings():
        # WeasyPrint opens its bundled sRGB profile for PDF/A without closing it.
        warnings.simplefilter("ignore", ResourceWarning)
        document = pages if pages is not None else laid_out(html, variant)
        pdf: bytes = document.write_pdf(pdf_variant=variant, attachments=files or None)
    return pdf
