"""The audit report (``scoring audit YEAR -o FILE.html|FILE.pdf``): findings and the checks that ran,
then everything an auditor needs to reproduce a number — each indicator's rule with all its
parameters, the grade and tier tables, the data items with units, the cross-checks — plus the
coverage matrix (landscape pages) and the config's SHA-256, engine version and date; given a run
(``--scores``), the 复算 tables of the relative indicators (``scoring.report.audit_relative``).

The report depends on the config's content only: it is dated by the config's own ``issued_on``
(``config_moment``), never by the clock or the file's modification time, and names the file by
its path inside the project (else its name alone), so two copies of one config give the same bytes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scoring.indicators.items import ITEM_KIND_LABELS, CrossCheck, DataItem, ItemSource
from scoring.indicators.models import IndicatorSet, SectionKind
from scoring.indicators.report import AuditReport
from scoring.indicators.rules.base import fmt
from scoring.problems import SEVERITY_LABELS
from scoring.report.fonts import check_fonts
from scoring.report.formatting import chinese_date
from scoring.report.methodology import (
    MISSING_LABELS,
    SECTION_KIND_LABELS,
    describe_rule,
    intake_text,
    rounding_text,
    tier_rule_text,
)
from scoring.report.moment import config_moment
from scoring.report.pdf import PdfAttachment, html_to_pdf
from scoring.report.views import json_bytes, page_meta, report_environment
from scoring.settings import get_settings

if TYPE_CHECKING:
    from scoring.report.audit_relative import RunEvidence

SOURCE_LABELS = {ItemSource.PROVINCE: "省级单位填报", ItemSource.CENTRAL: "全国双打办记录"}
OPERATORS = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "==": "=", "!=": "≠"}


@dataclass(frozen=True)
class ParameterRow:
    """An indicator's rule: in words, and every parameter exactly as the config states it."""

    id: str
    name: str
    points: float
    kind_label: str
    words: str
    parameters: str
    items: str
    missing: str
    tasks: str


@dataclass(frozen=True)
class ParameterSection:
    """A section's indicators."""

    id: str
    name: str
    kind_label: str
    cap: float | None
    rows: list[ParameterRow]


@dataclass(frozen=True)
class ItemRow:
    """A data item's definition."""

    code: str
    name: str
    unit: str
    kind: str
    source: str
    bounds: str
    required: str
    help: str


@dataclass(frozen=True)
class CheckRow:
    """A cross-check between data items."""

    id: str
    condition: str
    severity: str
    message: str


@dataclass(frozen=True)
class MatrixColumns:
    """The coverage matrix's columns of one section: the section id over its indicators' short labels."""

    section: str
    indicators: list[tuple[str, str]]


def shown_path(path: str | Path) -> str:
    """A path relative to the project when it lies inside it, else the file's name alone (never an
    absolute path of the machine the report was made on)."""
    target = Path(path).resolve()
    try:
        return target.relative_to(get_settings().root.resolve()).as_posix()
    except ValueError:
        return target.name


def parameter_text(value: Any) -> str:
    """A rule's fields as the YAML states them (``{kind: bands, item: x, bands: [{…}]}``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {parameter_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(parameter_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if value is None:
        return "null"
    return str(value)


def parameter_sections(indicator_set: IndicatorSet) -> list[ParameterSection]:
    """Every indicator with its rule in words and all its parameters."""
    items = indicator_set.item_map()
    out = []
    for section in indicator_set.sections:
        rows = []
        for ind in section.indicators:
            used = ind.rule.referenced_items()
            rows.append(ParameterRow(
                id=ind.id, name=ind.name, points=ind.points, kind_label=ind.rule.label,
                words=describe_rule(ind, items, section.kind),
                parameters=parameter_text(ind.rule.model_dump(mode="json")),
                items="、".join(f"{items[c].name}（{c}）" if c in items else c for c in used),
                missing="" if section.kind is SectionKind.VETO else MISSING_LABELS[ind.missing],
                tasks="、".join(ind.tasks)))
        out.append(ParameterSection(id=section.id, name=section.name,
                                    kind_label=SECTION_KIND_LABELS[section.kind.value], cap=section.cap,
                                    rows=rows))
    return out


def _bounds(item: DataItem) -> str:
    """Allowed values: the options of a choice, else the hard bounds (error) and the plausible
    range (warning) as the validator applies them."""
    if item.options:
        return "、".join(item.options)
    return item.describe_bounds()


def item_rows(indicator_set: IndicatorSet) -> list[ItemRow]:
    """The data items: code, name, unit, kind, who reports it, allowed values, whether required."""
    return [ItemRow(code=i.code, name=i.name, unit=i.unit or "—", kind=ITEM_KIND_LABELS[i.kind],
                    source=SOURCE_LABELS[i.source], bounds=_bounds(i), required="是" if i.required else "否",
                    help=i.help) for i in indicator_set.items]


def _operand(names: dict[str, str], items: list[str], constant: float) -> str:
    parts = [names.get(c, c) for c in items]
    if constant or not parts:
        parts.append(fmt(constant))
    return " + ".join(parts)


def check_rows(indicator_set: IndicatorSet) -> list[CheckRow]:
    """The cross-checks between data items, with item names."""
    names = {i.code: i.name for i in indicator_set.items}

    def row(check: CrossCheck) -> CheckRow:
        condition = (f"{_operand(names, check.left.items, check.left.constant)} {OPERATORS[check.op]} "
                     f"{_operand(names, check.right.items, check.right.constant)}")
        return CheckRow(id=check.id, condition=condition, severity=SEVERITY_LABELS[check.severity],
                        message=check.message)

    return [row(c) for c in indicator_set.checks]


def _short(indicator: str, section: str) -> str:
    return indicator[len(section):] if indicator.startswith(section) and indicator != section else indicator


def matrix_columns(indicator_set: IndicatorSet) -> list[MatrixColumns]:
    """The matrix's column groups: one per section, each indicator labelled without its section prefix."""
    groups = []
    for section in indicator_set.sections:
        labels = [(i.id, _short(i.id, section.id)) for i in section.indicators]
        groups.append(MatrixColumns(section=section.id, indicators=labels))
    return groups


def audit_context(report: AuditReport, indicator_set: IndicatorSet,
                  evidence: RunEvidence | None = None) -> dict[str, Any]:
    """Everything ``audit.html`` reads (``evidence``: a run's 复算 tables, ``scoring audit --scores``)."""
    issued = indicator_set.issued_on
    return {
        **page_meta(config_moment(indicator_set)),
        "report": report,
        "indicator_set": indicator_set,
        "severity_labels": {k.value: v for k, v in SEVERITY_LABELS.items()},
        "title": f"指标配置审计：{report.title}",
        "shown_file": shown_path(report.file),
        "old_file": shown_path(report.diff.old_file) if report.diff is not None else "",
        "issued_text": chinese_date(issued) if issued is not None else None,
        "undated_text": chinese_date(config_moment(indicator_set).date()),
        "parameters": parameter_sections(indicator_set),
        "items": item_rows(indicator_set),
        "checks": check_rows(indicator_set),
        "columns": matrix_columns(indicator_set),
        "indicator_ids": [w.id for w in report.indicators],
        "excluded": [row for row in report.coverage if row.excluded],
        "rounding_text": rounding_text(indicator_set),
        "tier_rule_text": tier_rule_text(indicator_set),
        "intake_text": intake_text(indicator_set),
        "evidence": evidence,
        "decimals": indicator_set.rounding.decimals,
    }


def audit_html(report: AuditReport, indicator_set: IndicatorSet, *, pdf: bool = False,
               evidence: RunEvidence | None = None) -> str:
    """The audit report as HTML (``pdf``: the variant the PDF is rendered from, with its fixed dates;
    ``evidence``: with the 复算 tables of a run)."""
    template = "audit_pdf.html" if pdf else "audit.html"
    return report_environment().get_template(template).render(
        **audit_context(report, indicator_set, evidence))


def attached_report(report: AuditReport) -> dict[str, Any]:
    """The report's JSON as the PDF carries it: files named as the report names them."""
    data = report.model_dump(mode="json")
    data["file"] = shown_path(report.file)
    if report.diff is not None:
        data["diff"].update(old_file=shown_path(report.diff.old_file),
                            new_file=shown_path(report.diff.new_file))
    return data


def render_audit_pdf(report: AuditReport, indicator_set: IndicatorSet,
                     evidence: RunEvidence | None = None) -> bytes:
    """The audit report as PDF bytes, with the report's JSON attached for the auditor's tools (and the
    复算 tables' when there are some)."""
    check_fonts()
    attachments = [PdfAttachment(name=f"audit-{report.year}.json", data=json_bytes(attached_report(report)),
                                 description=f"{report.title} 审计结果（JSON）")]
    if evidence is not None:
        attachments.append(PdfAttachment(name=f"audit-{report.year}-relative.json",
                                         data=json_bytes(asdict(evidence)),
                                         description=f"{report.title} 相对指标复算依据（JSON）"))
    return html_to_pdf(audit_html(report, indicator_set, pdf=True, evidence=evidence),
                       generated_at=config_moment(indicator_set), attachments=tuple(attachments))
