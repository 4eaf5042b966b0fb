"""What a scoring run reads, laid out in its own folder exactly as the command line would read it.

A run's folder under the portal's data directory, ``runs/<id>/``::

    inputs/submissions/110000-北京.xlsx …   each accepted version's bytes, under its template's name
    inputs/central-2022.xlsx                the central records in force as the central workbook,
                                            with the portal's submit dates
    inputs/adjustments-2022.yaml            the review adjustments in force (when there are any)
    inputs/objections-2022.json             the year's objections fed back and their answers (when
                                            there are any): a recorded input, not a number source
    inputs/previous/scores.json             the previous assessed year's published scores (if any)
    inputs/config/2022.yaml, units.yaml, tasks/2022.yaml   the configuration the run uses
    outputs/                                what ``run_pipeline`` writes

scores.json names its inputs by file name, so ``scoring score 2022 inputs/submissions --central
inputs/central-2022.xlsx --adjustments inputs/adjustments-2022.yaml --previous
inputs/previous/scores.json`` on the exported inputs writes the same scores.json and ranking.xlsx.
Units that were not accepted have no file: the pipeline lists them 未报送, never scores them 0, and
the run row keeps the portal's reason for each.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.errors import ScoringError
from scoring.pipeline import PipelineRequest, YearFiles
from scoring.portal.records import central_values
from scoring.portal.review import adjusting
from scoring.portal.settings import china_date
from scoring.portal.status import UnitState
from scoring.portal.store import objections
from scoring.portal.store.accounts import account_names
from scoring.portal.store.models import Blob, Version
from scoring.portal.store.overview import year_activity
from scoring.portal.store.reviews import central_in_force, reviews_in_force
from scoring.portal.store.runs import StoredFile, previous_publication, run_file
from scoring.portal.store.submissions import submitted_on
from scoring.workbook import layout as L
from scoring.workbook.template import template_name

INPUTS, OUTPUTS = "inputs", "outputs"
SUBMISSIONS = f"{INPUTS}/submissions"
PREVIOUS = f"{INPUTS}/previous/scores.json"
CONFIG = f"{INPUTS}/config"
NOT_ACCEPTED = {
    UnitState.NOT_STARTED: "未上传报送工作簿", UnitState.DRAFT: "有草稿，尚未提交",
    UnitState.SUBMITTED: "已提交，尚未审核接受", UnitState.RETURNED: "已退回，尚未重新提交",
}


@dataclass
class RunInputs:
    """The files a run reads (by path in its folder) and what the portal knows about its units."""

    year: int
    files: dict[str, bytes] = field(default_factory=dict)
    included: dict[str, int] = field(default_factory=dict)  # unit → accepted version id
    excluded: dict[str, str] = field(default_factory=dict)  # unit → why it is not scored
    adjustments: int = 0
    previous_year: int | None = None

    @property
    def central_file(self) -> str:
        return f"{INPUTS}/{L.central_file_name(self.year)}"

    @property
    def adjustments_file(self) -> str | None:
        name = f"{INPUTS}/{adjusting.file_name(self.year)}"
        return name if name in self.files else None

    @property
    def objections_file(self) -> str | None:
        name = f"{INPUTS}/{objections.file_name(self.year)}"
        return name if name in self.files else None

    @property
    def previous_file(self) -> str | None:
        return PREVIOUS if PREVIOUS in self.files else None


def _config_files(files: YearFiles) -> dict[str, bytes]:
    catalogue = PurePosixPath(files.config.indicator_set.catalogue)
    if catalogue.is_absolute() or ".." in catalogue.parts:
        catalogue = PurePosixPath("tasks") / catalogue.name
    return {f"{CONFIG}/{files.indicator_file.path.name}": files.indicator_file.data,
            f"{CONFIG}/units.yaml": files.units_file.data,
            f"{CONFIG}/{catalogue}": files.catalogue_file.data}


def gather(db: Session, year: int, files: YearFiles) -> RunInputs:
    """Everything a run of ``year`` reads, from the database as it is now."""
    config = files.config
    units = sorted(config.units)
    inputs = RunInputs(year=year, files=_config_files(files))
    for code, activity in year_activity(db, year, units).items():
        submitted = activity.standing.submitted
        if activity.standing.state is UnitState.ACCEPTED and submitted is not None and submitted.version_id:
            inputs.included[code] = submitted.version_id
        else:
            inputs.excluded[code] = NOT_ACCEPTED.get(activity.standing.state, "未被接受")
    accepted = (select(Version.unit_code, Blob.data).join(Blob, Blob.sha256 == Version.blob_sha256)
                .where(Version.id.in_(list(inputs.included.values()))))
    for code, data in db.execute(accepted):
        inputs.files[f"{SUBMISSIONS}/{template_name(config.units[code])}"] = data
    record = central_in_force(db, year)
    values = central_values.parse_values(record.values, config.source.central_items()) if record else {}
    dates = {code: china_date(at) for code, at in submitted_on(db, year).items()}
    inputs.files[inputs.central_file] = central_values.workbook(config.source, config.units, values, dates)
    reviews = reviews_in_force(db, year)
    names = account_names(db, {r.account_id for r in reviews.values()})
    adjustments = adjusting.in_force(reviews, inputs.included, names)
    if adjustments:
        inputs.files[f"{INPUTS}/{adjusting.file_name(year)}"] = adjusting.adjustments_yaml(year, adjustments)
        inputs.adjustments = len(adjustments)
    lodged = objections.objections_json(db, year)
    if lodged is not None:
        inputs.files[f"{INPUTS}/{objections.file_name(year)}"] = lodged
    previous = previous_publication(db, year)
    if previous is not None:
        found = run_file(db, previous.run_id, f"{OUTPUTS}/scores.json")
        if found is not None:
            inputs.files[PREVIOUS] = found[1]
            inputs.previous_year = previous.year
    return inputs


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write files by their path inside ``folder`` (never outside it)."""
    root = folder.resolve()
    for name, data in sorted(files.items()):
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            raise ValueError(f"path outside the run folder: {name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / SUBMISSIONS).mkdir(parents=True, exist_ok=True)


def load_inputs(folder: Path, year: int) -> RunInputs:
    """A run's inputs as written into its folder (by ``write_files``)."""
    base = folder / INPUTS
    if not base.is_dir():
        raise ScoringError("这次评分的输入目录已不存在（服务器可能在排队后重启），请重新开始评分")
    files = {path.relative_to(folder).as_posix(): path.read_bytes()
             for path in sorted(base.rglob("*")) if path.is_file()}
    return RunInputs(year=year, files=files)


def request(folder: Path, inputs: RunInputs, *, pdf: bool, workers: int | None,
            generated_at: datetime) -> PipelineRequest:
    """The pipeline request of a run laid out in ``folder``."""
    config = next(p for p in inputs.files if p.startswith(f"{CONFIG}/") and p.count("/") == 2
                  and p.endswith(f"/{inputs.year}.yaml"))
    command = ["scoring", "score", str(inputs.year), SUBMISSIONS, "--central", inputs.central_file]
    if inputs.adjustments_file:
        command += ["--adjustments", inputs.adjustments_file]
    if inputs.previous_file:
        command += ["--previous", inputs.previous_file]
    if inputs.objections_file:
        command += ["--objections", inputs.objections_file]
    command += ["--config", config, "--units", f"{CONFIG}/units.yaml", "-o", OUTPUTS]
    return PipelineRequest(
        year=inputs.year, input_dir=folder / SUBMISSIONS, output=folder / OUTPUTS,
        central=folder / inputs.central_file,
        adjustments=folder / inputs.adjustments_file if inputs.adjustments_file else None,
        previous=folder / inputs.previous_file if inputs.previous_file else None,
        objections=folder / inputs.objections_file if inputs.objections_file else None,
        config=folder / config, units=folder / CONFIG / "units.yaml", pdf=pdf, workers=workers,
        generated_at=generated_at, command=command)


def stored_files(folder: Path) -> list[StoredFile]:
    """Every file under the run's inputs/ and outputs/, to store (staging leftovers excluded)."""
    import hashlib

    out = []
    for top, kind in ((INPUTS, "input"), (OUTPUTS, "output")):
        base = folder / top
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            if any(part.startswith(".") for part in PurePosixPath(relative).parts):
                continue
            data = path.read_bytes()
            out.append(StoredFile(path=relative, kind=kind, sha256=hashlib.sha256(data).hexdigest(),
                                  data=data))
    return out


def zipped(files: dict[str, bytes], note: str | None = None) -> bytes:
    """Files as one zip (fixed entry times, so the same files give the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if note is not None:
            archive.writestr(zipfile.ZipInfo("复现说明.txt", date_time=(2000, 1, 1, 0, 0, 0)), note.encode())
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def reproduce_note(command: list[str], year: int, number: int) -> str:
    """How to re-run a run (the ``number``-th of ``year``) from its exported inputs with the command line."""
    shown = " ".join(f"'{w}'" if " " in w else w for w in command)
    return (f"{year} 年度第 {number} 次评分的全部输入。解压后在本目录中运行：\n\n    {shown}\n\n"
            "得到的 outputs/scores.json 和 outputs/ranking.xlsx 与门户中这次评分的结果逐字节相同；"
            "也可对门户导出的 outputs/manifest.json 运行 scoring verify。\n")
