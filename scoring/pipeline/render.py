"""PDFs for an existing output set, from its scores.json and the config it was scored with.

The config is checked against the SHA-256 recorded in scores.json before anything is drawn: a
scorecard must never print one config's hash beside another config's methodology. Rendering into
the set's own folder rebuilds the set in a staging folder (the existing files hard-linked, the
PDFs new, the manifest updated) and swaps it in whole.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from scoring.errors import InputError, ScoringError
from scoring.indicators.models import IndicatorSet
from scoring.pipeline.inputs import default_config_file
from scoring.pipeline.manifest import MANIFEST_FILE, Manifest, current_manifest, manifest_bytes, record
from scoring.pipeline.staging import copy_set, staged
from scoring.report.moment import run_moment
from scoring.scores.models import ScoreReport
from scoring.yamlfile import decode_text, model_from_text, read_bytes


@dataclass(frozen=True)
class RenderResult:
    """The PDFs written and the folder they are in."""

    output: Path
    files: list[Path]


def load_scores(path: Path) -> ScoreReport:
    """Read scores.json strictly; a missing or invalid file is an ``InputError`` with a Chinese message."""
    return parse_scores(path, scores_bytes(path))


def scores_bytes(path: Path) -> bytes:
    """The bytes of scores.json at ``path``; a missing file is an ``InputError``."""
    if not path.is_file():
        raise InputError(f"{path}: 文件不存在（先运行 scoring run 或 scoring score）")
    return path.read_bytes()


def parse_scores(path: Path, data: bytes) -> ScoreReport:
    """``data`` (read from ``path``) as a score report; invalid is an ``InputError`` naming ``path``."""
    try:
        return ScoreReport.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            raise InputError(f"{path}: 不是有效的评分结果"
                             "（不是完整的 JSON 文件，可能已损坏或未写完）") from None
        where = ".".join(str(p) for p in first["loc"]) or "（根）"
        raise InputError(f"{path}: 不是有效的评分结果（{where}: {first['msg']}，"
                         f"共 {exc.error_count()} 处）") from None


def checked_config(report: ScoreReport, config: Path | None, manifest: Manifest | None) -> IndicatorSet:
    """The indicator set ``report`` was scored with; refused when its SHA-256 differs."""
    path = config or default_config_file(report.year)
    data = read_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    if sha != report.config_sha256:
        recorded = manifest.options.config if manifest is not None else None
        hint = (f"评分时所用的配置记录在 manifest.json 中（{recorded}）" if recorded
                else "请使用评分时所用的配置")
        raise ScoringError(
            f"{path}: 指标配置的 SHA-256（{sha[:12]}…）与评分结果记录的（{report.config_sha256[:12]}…）"
            f"不同，评分后配置已被修改。请重新评分，或用 --config 指定评分时所用的配置文件；{hint}")
    indicator_set = model_from_text(decode_text(data, path), str(path), IndicatorSet)
    return indicator_set


def render_results(year: int, scores_file: Path, output: Path | None = None, *, config: Path | None = None,
                   workers: int | None = None) -> RenderResult:
    """Render every scorecard and the national summary of ``scores_file`` (see module doc)."""
    from scoring.report import render_reports

    report = load_scores(scores_file)
    if report.year != year:
        raise InputError(f"{scores_file}: 是 {report.year} 年度的评分结果，不是 {year} 年度")
    home = scores_file.parent
    manifest = current_manifest(home / MANIFEST_FILE)
    indicator_set = checked_config(report, config, manifest)
    generated_at: datetime = manifest.generated_at if manifest is not None else run_moment(scores_file)
    target = output or home
    in_place = target.resolve() == home.resolve()
    with staged(target) as stage:
        if in_place:
            copy_set(home, stage.folder)
        pdfs = render_reports(report, indicator_set, stage.folder, generated_at=generated_at,
                              workers=workers)
        if in_place and manifest is not None:
            from scoring.pipeline.run import render_inputs

            fresh = {str(p.relative_to(stage.folder)) for p in pdfs}
            outputs = [r for r in manifest.outputs if r.path not in fresh]
            outputs += [record(p, stage.folder, "output") for p in pdfs]
            inputs = [r for r in manifest.inputs if r.role not in ("template", "font")] + render_inputs(home)
            updated = manifest.model_copy(update={"outputs": outputs, "inputs": inputs})
            (stage.folder / MANIFEST_FILE).unlink(missing_ok=True)
            (stage.folder / MANIFEST_FILE).write_bytes(manifest_bytes(updated))
        stage.commit()
    return RenderResult(output=target, files=[target / p.relative_to(stage.folder) for p in pdfs])
