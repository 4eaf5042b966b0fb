"""The audit report (``scoring audit YEAR -o FILE.pdf``) as PDF/A-3b, from the same templates as the HTML."""

from __future__ import annotations

from datetime import datetime

from scoring.indicators.report import AuditReport
from scoring.problems import SEVERITY_LABELS
from scoring.report.fonts import check_fonts
from scoring.report.pdf import PdfAttachment, html_to_pdf
from scoring.report.views import json_bytes, page_meta, report_environment


def audit_html(report: AuditReport, *, generated_at: datetime) -> str:
    """The audit page as ``audit.html`` renders it, with the PDF's fixed dates."""
    return report_environment().get_template("audit_pdf.html").render(
        report=report, severity_labels={k.value: v for k, v in SEVERITY_LABELS.items()},
        indicator_ids=[w.id for w in report.indicators], title=f"指标配置审计：{report.title}",
        **page_meta(generated_at),
    )


def render_audit_pdf(report: AuditReport, *, generated_at: datetime) -> bytes:
    """The audit report as PDF bytes, with the report's JSON attached for the auditor's tools."""
    check_fonts()
    attachment = PdfAttachment(name=f"audit-{report.year}.json",
                               data=json_bytes(report.model_dump(mode="json")),
                               description=f"{report.title} 审计结果（JSON）")
    return html_to_pdf(audit_html(report, generated_at=generated_at), generated_at=generated_at,
                       attachments=(attachment,))
