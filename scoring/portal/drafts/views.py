"""What the drafts pages show, built from the same parts as the command line: an uploaded file is
read safely (size, UTF-8, YAML without anchors or aliases), audited by ``build_report`` exactly as
``scoring audit FILE`` does, and compared with the adopted configuration by
``scoring.pipeline.compare.compare_configs`` — the function behind ``scoring compare`` — in a
background job whose row (``draft_comparisons``) is its truth."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from scoring.errors import ConfigError, ScoringError
from scoring.indicators.report import AuditReport, build_report
from scoring.indicators.store import LoadedSet, indicator_path, load_located
from scoring.pipeline import YearFiles
from scoring.pipeline.compare import Comparison, compare_configs
from scoring.pipeline.staging import pid_alive
from scoring.portal.jobs import Clock, claiming, failure_text, job_failed, owner_here, start_job
from scoring.portal.runs import run_inputs
from scoring.portal.settings import PortalSettings
from scoring.portal.store import Database
from scoring.portal.store import drafts as draft_store
from scoring.portal.store.audit import Actor, record
from scoring.portal.store.db import outlasting_outage
from scoring.portal.store.models import DraftComparison

MAX_DRAFT_BYTES = 1024 * 1024
MAX_YAML_EVENTS = 200_000
DRAFT_FILE = "草稿.yaml"
JOB = Actor(account_id=None, name="比较任务")
INTERRUPTED = "比较进程已中断（服务器停止或重启），未产生结果；请重新开始比较"


class DraftRejected(ScoringError):
    """An uploaded file that is not a readable configuration; the message says where."""


@dataclass(frozen=True)
class DraftAudit:
    """A draft's configuration, its audit (against the configuration its year uses now, else the
    latest earlier one) and what is left to decide."""

    year: int
    title: str
    sha256: str
    report: AuditReport
    against: str | None
    todo: int
    loaded: LoadedSet


def _location(text: str, line: int, column: int | None = None) -> str:
    return f"{text}第 {line} 行" + (f"第 {column} 列" if column is not None else "")


def read_text(data: bytes, file_name: str) -> str:
    """The uploaded bytes as YAML text, refused (``DraftRejected``, with the location) when too
    large, empty, not UTF-8, not YAML, or using anchors and aliases (the way to a YAML bomb)."""
    if len(data) > MAX_DRAFT_BYTES:
        raise DraftRejected(f"{file_name}：文件过大（{len(data) / 1024 / 1024:.1f} MB），指标配置不能超过 "
                            f"{MAX_DRAFT_BYTES // 1024 // 1024} MB")
    if not data.strip():
        raise DraftRejected(f"{file_name}：文件为空")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DraftRejected(f"{_location(file_name + '：', line)}（第 {exc.start + 1} 字节）不是 UTF-8 编码；"
                            "请用 UTF-8 编码保存指标配置（GBK 等编码不能读取）") from None
    if "\x00" in text:
        raise DraftRejected(f"{file_name}：含空字符，不是文本文件")
    try:
        for count, event in enumerate(yaml.parse(text, Loader=yaml.SafeLoader)):
            if count > MAX_YAML_EVENTS:
                raise DraftRejected(f"{file_name}：内容过多（超过 {MAX_YAML_EVENTS} 个 YAML 元素），"
                                    "不像指标配置")
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor is not None:
                start = event.start_mark
                where = (_location(file_name + "：", start.line + 1, start.column + 1) if start
                         else file_name + "：")
                raise DraftRejected(f"{where}"
                                    f"使用了 YAML 锚点或别名（{anchor}）；"
                                    "指标配置不使用锚点和别名，请写出完整内容")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _location(file_name + "：", mark.line + 1, mark.column + 1) if mark else file_name + "："
        raise DraftRejected(f"{where}YAML 格式错误（{exc.problem or exc.context}）") from None
    except yaml.YAMLError as exc:
        raise DraftRejected(f"{file_name}：YAML 格式错误（{type(exc).__name__}）") from None
    return text


def _relabel(report: AuditReport, folder: Path, file_name: str) -> AuditReport:
    """The report with the temporary file's path shown as the uploaded file's name."""
    prefix = str(folder / DRAFT_FILE)
    findings = [f.model_copy(update={"file": file_name}) if f.file and f.file.startswith(prefix) else f
                for f in report.findings]
    return report.model_copy(update={"file": file_name, "findings": findings})


def _against(year: int, adopted: bytes | None, folder: Path) -> tuple[LoadedSet | None, str | None]:
    if adopted is not None:
        path = folder / f"{year}.yaml"
        path.write_bytes(adopted)
        return load_located(str(path)), f"{year} 年度已采用的配置"
    for candidate in range(year, year - 5, -1):
        path = indicator_path(str(candidate))
        if path.is_file():
            return load_located(str(path)), f"{candidate} 年度配置（indicators/{candidate}.yaml）"
    return None, None


@lru_cache(maxsize=16)
def _audit(data: bytes, file_name: str, adopted: bytes | None) -> DraftAudit:
    read_text(data, file_name)
    with tempfile.TemporaryDirectory(prefix="scoring-draft-") as tmp:
        folder = Path(tmp)
        path = folder / DRAFT_FILE
        path.write_bytes(data)
        try:
            loaded = load_located(str(path))
        except ConfigError as exc:
            lines = "；".join(p.message if p.line is None else f"第 {p.line} 行 {p.path or ''}：{p.message}"
                             for p in exc.problems[:8])
            raise DraftRejected(f"{file_name}：不是有效的指标配置：{lines or exc}") from None
        other_folder = folder / "adopted"
        other_folder.mkdir()
        other, against = _against(loaded.indicator_set.year, adopted, other_folder)
        report = _relabel(build_report(loaded, other), folder, file_name)
    return DraftAudit(year=loaded.indicator_set.year, title=loaded.indicator_set.title,
                      sha256=hashlib.sha256(data).hexdigest(), report=report, against=against,
                      todo=len(loaded.indicator_set.todo), loaded=loaded)


def audit_draft(data: bytes, file_name: str, adopted: bytes | None = None) -> DraftAudit:
    """The audit of an uploaded draft (``DraftRejected`` when it cannot be read as a configuration)."""
    return _audit(data, file_name, adopted)


def draft_for_year(text: str, year: int) -> str:
    """A draft's text scored on ``year``'s submissions: its top-level ``year`` set to that year."""
    changed, count = re.subn(r"(?m)^year:[ \t]*\d{4}[ \t]*$", f"year: {year}", text, count=1)
    if count != 1:
        raise ScoringError("草稿中没有顶层的 year: 行，无法按本年度的报送试算")
    return changed


def comparison_folder(settings: PortalSettings, job_id: int) -> Path:
    """Where comparison ``job_id`` works (beside the runs, never mistaken for one)."""
    return settings.runs_dir / f"compare-{job_id}"


def draft_file(folder: Path) -> Path:
    """The draft's text in a comparison's folder, beside the configuration in force (so its
    ``catalogue: tasks/YEAR.yaml`` finds the run's copy first)."""
    return folder / run_inputs.CONFIG / "draft.yaml"


def gather(session: Session, year: int, files: YearFiles) -> run_inputs.RunInputs:
    """The accepted submissions of ``year`` and the configuration in force, as a run reads them."""
    return run_inputs.gather(session, year, files)


def prepare(folder: Path, inputs: run_inputs.RunInputs, draft_text: str) -> None:
    """Write a comparison's inputs into its folder (in the request, before its row is committed)."""
    shutil.rmtree(folder, ignore_errors=True)
    run_inputs.write_files(folder, inputs.files)
    draft_file(folder).write_text(draft_for_year(draft_text, inputs.year), encoding="utf-8")


def _claim(db: Database, job_id: int) -> int | None:
    """Take the queued comparison; its year, or None when it is not ours."""
    return claiming(f"comparison {job_id}", lambda session: draft_store.comparison(session, job_id),
                    lambda session, owner: draft_store.claim_comparison(session, job_id, owner),
                    db, draft_store.RUNNING)


def _finish(db: Database, job_id: int, clock: Clock, result: Comparison) -> bool:
    """Store the comparison on its row and mark it succeeded (waiting out a database outage)."""
    moved = sum(1 for u in result.units if u.grade_a != u.grade_b or u.tier_a != u.tier_b)
    data = result.model_dump_json()

    def once() -> bool:
        with db.transaction() as session:
            now = clock()
            if draft_store.finish_comparison(session, job_id, now, result=data):
                record(session, now, JOB, "draft-compared", obj=f"comparison:{job_id}", before="比较中",
                       after=f"完成：{len(result.units)} 个单位，{moved} 个单位等次或档次变化")
                return True
            job = draft_store.comparison(session, job_id)  # only this job marks it succeeded:
            return job is not None and job.state == draft_store.SUCCEEDED  # a lost answer, not a loss

    return outlasting_outage(once, what=f"comparison {job_id}: store the result")


def _record_failure(db: Database, job_id: int, clock: Clock, message: str) -> None:
    """Mark the comparison failed with its reason."""
    with db.transaction() as session:
        now = clock()
        if draft_store.finish_comparison(session, job_id, now, message=message):
            record(session, now, JOB, "draft-compare-failed", obj=f"comparison:{job_id}",
                   before="比较中", after=message)


def execute(url: str, settings: PortalSettings, job_id: int, clock: Clock) -> bool:
    """Run comparison ``job_id`` (its inputs are in its folder): the pipeline under both
    configurations, the result on its row; True when it succeeded. A database restart does not end
    it: claiming, storing the result and recording a failure wait for the database, as a scoring
    run's job does."""
    db = Database(url)
    folder = comparison_folder(settings, job_id)
    try:
        year = _claim(db, job_id)
        if year is None:
            return False
        inputs = run_inputs.load_inputs(folder, year)
        request = run_inputs.request(folder, inputs, pdf=False, workers=1,
                                     generated_at=clock().replace(microsecond=0))
        assert request.config is not None
        result, _, _ = compare_configs(request, request.config, draft_file(folder))
        return _finish(db, job_id, clock, result)
    except BaseException as exc:  # noqa: BLE001 - every way out of a job is recorded on its row
        if job_failed(exc, f"comparison {job_id}", failure_text(exc).replace("评分", "比较"),
                      lambda message: _record_failure(db, job_id, clock, message)):
            raise
        return False
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        db.dispose()


def launch(settings: PortalSettings, job_id: int) -> None:
    """Start a comparison job: ``python -m scoring.portal.drafts.job ID``, a process of its own at a
    lower priority that dies with the server (a thread of the server in tests)."""
    if settings.jobs_in_threads:
        threading.Thread(target=execute, args=(settings.database_url, settings, job_id, settings.clock),
                         daemon=True, name=f"compare-{job_id}").start()
        return
    child = start_job("scoring.portal.drafts.job", job_id, settings, f"compare-{job_id}.log")
    threading.Thread(target=child.wait, daemon=True, name=f"compare-wait-{job_id}").start()


def reap(session: Session, now: datetime) -> None:
    """Mark unfinished comparison jobs whose process is gone as failed (in the caller's transaction)."""
    for job in draft_store.unfinished_comparisons(session):
        host, _, pid = (job.owner or "").rpartition(":")
        here = owner_here().rpartition(":")[0]
        if host == here and pid.isdigit() and not pid_alive(int(pid)):
            draft_store.finish_comparison(session, job.id, now, message=INTERRUPTED)


def comparison_result(job: DraftComparison) -> Comparison | None:
    """A finished job's comparison."""
    return Comparison.model_validate_json(job.result) if job.result else None
