"""A finished run read back for the config audit (``scoring audit YEAR --scores DIR``): its
scores.json, checked to be of the audited year and config, and the reference figures (units.yaml)
it was scored with, checked against the run's manifest when there is one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scoring.errors import InputError
from scoring.indicators.units import UnitList, load_units, units_file
from scoring.pipeline.manifest import MANIFEST_FILE, Manifest, current_manifest
from scoring.pipeline.render import parse_scores, scores_bytes
from scoring.scores.models import ScoreReport


@dataclass(frozen=True)
class ScoredRun:
    """A year's results and the reference figures they rest on."""

    scores_file: Path
    scores_sha256: str
    report: ScoreReport
    units_file: Path
    units_sha256: str
    units: UnitList
    generated_at: datetime | None
    """The run's moment as its manifest records it (``None`` without a manifest)."""


def _units_file(home: Path, manifest: Manifest | None) -> tuple[Path, str]:
    """The units.yaml the run read and its SHA-256: as its manifest names it (and unchanged since),
    else the project's."""
    if manifest is None:
        path = units_file()
    else:
        path = home / manifest.options.units
        if not path.is_file():
            raise InputError(f"{path}: 评分时所用的单位参考数据文件不存在"
                             f"（清单 {home / MANIFEST_FILE} 记录了它）")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    recorded = manifest.by_role("units") if manifest is not None else []
    if recorded and recorded[0].sha256 != sha:
        raise InputError(f"{path}: 单位参考数据在评分后已修改（SHA-256 {sha[:12]}…，评分时为 "
                         f"{recorded[0].sha256[:12]}…），无法按评分时的人口和地区生产总值复算，请重新评分")
    return path, sha


def load_scored_run(target: Path, year: int, config_sha256: str) -> ScoredRun:
    """The run in ``target`` (its folder or its scores.json), refused with a Chinese message when it is
    missing, unreadable, of another year or scored with another config."""
    if not target.exists():
        raise InputError(f"{target}: 路径不存在"
                         f"（应为评分结果所在的文件夹，如 outputs/{year}，或其中的 scores.json）")
    path = target / "scores.json" if target.is_dir() else target
    data = scores_bytes(path)  # read once: the fingerprint is of the very bytes parsed
    report = parse_scores(path, data)
    if report.year != year:
        raise InputError(f"{path}: 是 {report.year} 年度的评分结果，不是 {year} 年度的，"
                         f"请给出按本年度指标配置评分的结果（如 outputs/{year}）")
    if report.config_sha256 != config_sha256:
        raise InputError(f"{path}: 评分时所用指标配置的 SHA-256（{report.config_sha256[:12]}…）"
                         f"与本次审计的配置（{config_sha256[:12]}…）不同，请审计评分时所用的配置，或按本配置重新评分")
    manifest = current_manifest(path.parent / MANIFEST_FILE)
    units_path, units_sha256 = _units_file(path.parent, manifest)
    return ScoredRun(scores_file=path, scores_sha256=hashlib.sha256(data).hexdigest(),
                     report=report, units_file=units_path, units_sha256=units_sha256,
                     units=load_units(units_path),
                     generated_at=manifest.generated_at if manifest is not None else None)
