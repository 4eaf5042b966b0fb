"""``scoring verify``: check a published result against its manifest by re-running it.

First every recorded input is hashed again (each missing or changed file is named, as is any
file added to the input folder since); then the pipeline runs again from the recorded inputs and
options, with the recorded time stamp, into a temporary folder, and scores.json and ranking.xlsx
(with ``pdf``, every recorded PDF) are compared byte for byte with the published files. The first
difference is reported with its file and, for JSON, the path of the first differing value.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scoring.pipeline.environment import engine, libraries
from scoring.pipeline.manifest import FileRecord, Manifest, digest, read_manifest
from scoring.pipeline.run import PipelineRequest, Progress, run_pipeline
from scoring.scores.collect import input_entries


@dataclass
class Verification:
    """The outcome: ``ok`` (一致), the differences found, and notes that do not decide it."""

    manifest: Manifest
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _resolve(path: str, base: Path) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else base / candidate


def _check_inputs(manifest: Manifest, base: Path, pdf: bool) -> list[str]:
    problems = []
    for item in manifest.inputs:
        if item.role in ("template", "font") and not pdf:
            continue
        path = _resolve(item.path, base)
        if not item.sha256:  # recorded as an entry that could not be read: it must still be there
            if not os.path.lexists(path):
                problems.append(f"输入目录中的条目已不存在：{item.path}")
            continue
        if not path.is_file():
            problems.append(f"输入文件缺失：{item.path}")
            continue
        sha, size = digest(path)
        if sha != item.sha256:
            problems.append(f"输入文件已改变：{item.path}（记录 {item.sha256[:12]}…，"
                            f"现为 {sha[:12]}…，{size} 字节）")
    folder = _resolve(manifest.options.input_dir, base)
    if folder.is_dir():
        recorded = {os.path.normpath(_resolve(r.path, base)) for r in manifest.by_role("submission")}
        for path in input_entries(folder):
            if os.path.normpath(path) not in recorded:
                problems.append(f"输入目录中新增了文件：{path.name}")
    return problems


def first_json_difference(a: Any, b: Any, path: str = "") -> str | None:
    """The path of the first value that differs between two parsed JSON documents."""
    if type(a) is not type(b):
        return path or "（根）"
    if isinstance(a, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"{path}.{key}" if path else str(key)
            found = first_json_difference(a[key], b[key], f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
        return None
    if isinstance(a, list):
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_json_difference(x, y, f"{path}[{index}]")
            if found is not None:
                return found
        return None if len(a) == len(b) else f"{path}[{min(len(a), len(b))}]"
    return None if a == b else (path or "（根）")


def _compare(record: FileRecord, published: Path, fresh: Path) -> str | None:
    if not published.is_file():
        return f"已发布的文件缺失：{record.path}"
    old = published.read_bytes()
    if not fresh.is_file():
        return f"重新运行没有生成 {record.path}"
    new = fresh.read_bytes()
    if old == new:
        return None
    where = ""
    if published.suffix == ".json":
        try:
            where = first_json_difference(json.loads(old), json.loads(new)) or ""
        except ValueError:
            where = ""
    return f"结果不一致：{record.path}" + (f"（第一处不同：{where}）" if where else "")


def _notes(manifest: Manifest) -> list[str]:
    notes = []
    now, then = engine(), manifest.engine
    if now.version != then.version or (then.git_commit and now.git_commit != then.git_commit):
        notes.append(f"引擎版本不同：记录 {then.version}（{(then.git_commit or '—')[:12]}），"
                     f"当前 {now.version}（{(now.git_commit or '—')[:12]}）")
    current = libraries()
    for name, version in manifest.environment.items():
        if current.get(name) != version:
            notes.append(f"{name} 版本不同：记录 {version}，当前 {current.get(name, '未安装')}")
    return notes


def verify(manifest_path: Path, *, pdf: bool = False, progress: Progress | None = None) -> Verification:
    """Check ``manifest_path``'s inputs, re-run it and compare its outputs (see module doc)."""
    manifest = read_manifest(manifest_path)
    base = manifest_path.parent
    result = Verification(manifest=manifest, notes=_notes(manifest))
    result.differences = _check_inputs(manifest, base, pdf)
    if result.differences:
        return result
    wanted = [r for r in manifest.outputs
              if r.path in ("scores.json", "ranking.xlsx") or (pdf and r.path.endswith(".pdf"))]
    if pdf and not any(r.path.endswith(".pdf") for r in wanted):
        result.notes.append("清单中没有 PDF 记录，未比较 PDF")
    options = manifest.options
    with tempfile.TemporaryDirectory(prefix="scoring-verify-") as temp:
        request = PipelineRequest(
            year=manifest.year, input_dir=_resolve(options.input_dir, base),
            output=Path(temp) / "rerun",
            central=None if options.central is None else _resolve(options.central, base),
            previous=None if options.previous is None else _resolve(options.previous, base),
            adjustments=None if options.adjustments is None else _resolve(options.adjustments, base),
            objections=None if options.objections is None else _resolve(options.objections, base),
            config=_resolve(options.config, base), units=_resolve(options.units, base),
            pdf=any(r.path.endswith(".pdf") for r in wanted), generated_at=manifest.generated_at,
            command=manifest.command)
        rerun = run_pipeline(request, progress)
        for item in wanted:
            difference = _compare(item, base / item.path, rerun.output / item.path)
            if difference is not None:
                result.differences.append(difference)
                break
    return result
