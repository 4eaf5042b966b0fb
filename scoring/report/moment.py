"""The one moment that dates a document: never the clock.

A run's PDFs: ``manifest.json`` beside the scores file (``generated_at``, ISO 8601), else
``SOURCE_DATE_EPOCH`` (reproducible-builds convention), else the scores file's modification time.

An audit report of an indicator configuration: what the configuration itself states
(``config_moment``), so copying or touching the file changes neither the date nor a byte.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, time
from pathlib import Path

from scoring.errors import ScoringError
from scoring.indicators.models import IndicatorSet
from scoring.report.formatting import BEIJING

MANIFEST = "manifest.json"


def parse_moment(text: str) -> datetime:
    """An ISO 8601 timestamp (``Z`` allowed), naive values taken as UTC."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def run_moment(scores_file: Path) -> datetime:
    """When the run that wrote ``scores_file`` happened (see the module docstring for the order)."""
    manifest = scores_file.parent / MANIFEST
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ScoringError(f"{manifest}: 无法读取（{exc}）") from exc
        value = data.get("generated_at") if isinstance(data, dict) else None
        if isinstance(value, str):
            try:
                return parse_moment(value)
            except ValueError as exc:
                raise ScoringError(f"{manifest}: generated_at 不是 ISO 8601 时间：{value}") from exc
    return file_moment(scores_file)


def file_moment(source: Path) -> datetime:
    """``SOURCE_DATE_EPOCH`` when set, else ``source``'s modification time (whole seconds, UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.fromtimestamp(int(source.stat().st_mtime), tz=UTC)


def config_moment(indicator_set: IndicatorSet) -> datetime:
    """The moment that dates the audit of ``indicator_set``: its ``issued_on`` at noon, Beijing
    time (the same calendar day in UTC, so a PDF reader showing UTC shows the same date); a config
    that states no date is dated 1 January of its year, so the report still depends on the
    config's content only."""
    day = indicator_set.issued_on or date(indicator_set.year, 1, 1)
    return datetime.combine(day, time(12, 0), tzinfo=BEIJING)
