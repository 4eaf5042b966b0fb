"""The auditors' view of a year's indicator configuration: the audit report of ``scoring audit``
(lint findings, maxima, weights, coverage) and the comparison with the previous year's config,
built by ``scoring.indicators`` and rendered by ``scoring.report.audit`` — read once per file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from scoring.indicators.report import AuditReport, build_report
from scoring.indicators.store import LoadedSet, indicator_path, load_located
from scoring.report.audit import audit_html
from scoring.settings import get_settings


def config_years() -> list[int]:
    """Years with an indicator configuration (``indicators/YEAR.yaml``), newest first."""
    folder = get_settings().indicators_dir
    return sorted((int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit() and len(p.stem) == 4),
                  reverse=True)


def previous_config_year(year: int) -> int | None:
    """The latest earlier year with a configuration."""
    earlier = [y for y in config_years() if y < year]
    return earlier[0] if earlier else None


@dataclass(frozen=True)
class ConfigAudit:
    """A year's configuration, its audit (with the comparison, when there is an earlier year) and
    the file's bytes."""

    year: int
    loaded: LoadedSet
    report: AuditReport
    against: int | None
    data: bytes


@lru_cache(maxsize=8)
def _audit(year: int, sha256: str, against: int | None) -> ConfigAudit:
    loaded = load_located(str(year))
    other = load_located(str(against)) if against is not None else None
    report = build_report(loaded, other)
    return ConfigAudit(year=year, loaded=loaded, report=report, against=against,
                       data=loaded.file.read_bytes())


def config_audit(year: int) -> ConfigAudit | None:
    """The audit of ``year``'s configuration (None when the year has none)."""
    path = indicator_path(str(year))
    if not path.is_file():
        return None
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return _audit(year, sha, previous_config_year(year))


def audit_document(audit: ConfigAudit) -> str:
    """The full audit report as ``scoring audit YEAR -o 报告.html`` writes it (dated by the config itself)."""
    return audit_html(audit.report, audit.loaded.indicator_set)
