"""PDF reports: a scorecard per unit, the national summary and the audit report (Jinja2 → WeasyPrint)."""

from scoring.report.audit import render_audit_pdf
from scoring.report.render import render_reports

__all__ = ["render_audit_pdf", "render_reports"]
