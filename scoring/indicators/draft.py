"""Draft next year's indicator set from last year's and the new plan's catalogue.

Tasks are matched through the catalogue diff (``scoring.catalogue.diff``): every task id of an
indicator is replaced by the new tasks it carries over into (a comment beside each gives the old
id and the similarity); dropped tasks leave the indicator, and an indicator left with none is kept
as a commented block saying why. New tasks go to ``todo``. Quotations (``basis``) are looked up
verbatim in the new plan; the assessment passage is found by its heading (考核评价); those not
found stay as they were, marked 待核对, so the audit names them. A draft has not been issued, so the
old set's ``issued_on`` is left out. Everything else is copied, dates moved by the number of years
between the two plans. The YAML text is written here, line by line,
so the same inputs give the same bytes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from scoring.catalogue.diff import PlanDiff, diff_plans
from scoring.catalogue.models import Plan
from scoring.indicators.audit_citations import missing_part, places, quoted_parts
from scoring.indicators.models import Citation
from scoring.settings import get_settings

REVIEW = "待核对"


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, width=10**6, default_flow_style=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _block(data: Any, indent: int) -> list[str]:
    if isinstance(data, dict) and len(data) == 1:
        ((key, value),) = data.items()
        if not isinstance(value, dict | list):
            return [" " * indent + f"{_scalar(key)}: {_scalar(value)}"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6,
                          default_flow_style=None)
    return [" " * indent + line for line in text.rstrip("\n").split("\n")]


def _shift(value: Any, years: int) -> Any:
    """Every date inside ``value`` moved by ``years``."""
    if isinstance(value, date):
        try:
            return value.replace(year=value.year + years)
        except ValueError:  # 29 February
            return value.replace(year=value.year + years, day=28)
    if isinstance(value, dict):
        return {k: _shift(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, years) for v in value]
    return value


_SMALLEST_FIRST = {"task": 0, "subsection": 1, "section": 2}


def refind(citation: Citation, plan: Plan, prefer: set[str]) -> Citation | None:
    """The citation with the ref where the new plan holds its text verbatim (None if nowhere):
    tasks before subsections before sections, the indicator's own tasks first."""
    parts = quoted_parts(citation.text)
    found = places(plan)
    candidates = sorted((p for p in found if all(any(part in piece for piece in p.pieces) for part in parts)),
                        key=lambda p: (p.task_id not in prefer, _SMALLEST_FIRST[p.level]))
    for place in candidates:
        moved = Citation(ref=place.ref, text=citation.text)
        if missing_part(moved, found) is None:
            return moved
    return None


def assessment_passages(plan: Plan) -> list[Citation]:
    """The plan's 考核评价机制 passage: the task under that heading (or the first with that wording)."""
    tasks = plan.tasks()
    task = (next((t for t in tasks if "考核评价" in t.title), None)
            or next((t for t in tasks if "考核评价" in t.text), None))
    if task is None:
        return []
    ref = task.ref
    out = [Citation(ref=ref, text=task.title)] if task.title and task.title in task.text else []
    body = task.clauses[0].text if task.clauses else task.text
    body = body.removeprefix(task.title).lstrip("。.，, ")
    if body:
        out.append(Citation(ref=ref, text=body))
    return out


class _Mapping:
    """Old task id → the new ids it carries over into, with similarities."""

    def __init__(self, diff: PlanDiff) -> None:
        self.diff = diff
        self.forward: dict[str, list[tuple[str, float]]] = {}
        for m in diff.tasks.carried_over:
            self.forward.setdefault(m.old.id, []).append((m.new.id, m.similarity))
        self.dropped = {d.id: d for d in diff.tasks.dropped}


def _cite_lines(citation: dict[str, Any], note: str | None, indent: int) -> list[str]:
    line = " " * indent + "- " + _scalar({"ref": citation["ref"], "text": citation["text"]})
    return [line + (f"  # {note}" if note else "")]


def draft_text(old_data: dict[str, Any], old_plan: Plan, new_plan: Plan, catalogue: str) -> str:
    """The draft config's YAML text (see module doc); ``old_data`` is the old file as loaded."""
    old_year, new_year = old_plan.year, new_plan.year
    years = new_year - old_year
    mapping = _Mapping(diff_plans(old_plan, new_plan))
    order = {t.id: k for k, t in enumerate(new_plan.tasks())}
    covered: set[str] = set()
    lines = [f"# {new_year} 年度指标配置草稿：由 scoring indicators draft 从 {old_year} 年度配置"
             f"和 {new_year} 年任务目录生成。",
             "# 任务编号旁的注释给出原编号和文字相似度；todo 中的新任务和标注“待核对”的引文尚待决定，",
             f"# 其余（等次、档次、排名、舍入、数据项、中央记录）照抄 {old_year} 年，日期顺延 {years} 年。"]
    for key, value in old_data.items():
        if key in ("sections", "excluded_tasks", "todo", "issued_on"):
            continue
        if key == "year":
            value = new_year
        elif key == "title":
            value = str(value).replace(str(old_year), str(new_year))
        elif key == "catalogue":
            value = catalogue
        elif key == "publication" and isinstance(value, dict):
            value = {**value, "doc_number": str(value.get("doc_number", "")).replace(
                f"〔{old_year + 1}〕", f"〔{new_year + 1}〕")}
        elif key == "basis" and isinstance(value, dict):
            lines += _basis(value, new_plan)
            continue
        lines += _block({key: _shift(value, years)}, 0)
    lines.append("")
    lines.append("sections:")
    for section in old_data.get("sections", []):
        lines += _section(section, mapping, new_plan, order, covered, years)
    lines += _exclusions(old_data.get("excluded_tasks", []), mapping, order, covered)
    lines += _todo(new_plan, mapping, covered, old_data.get("excluded_tasks", []))
    return "\n".join(lines) + "\n"


def _basis(value: dict[str, Any], plan: Plan) -> list[str]:
    lines = ["basis:", "  " + _scalar({"plan_title": plan.title})[1:-1]]
    if plan.doc_number:
        lines.append("  " + _scalar({"doc_number": plan.doc_number})[1:-1])
    passages = value.get("passages") or []
    lines.append("  passages:" if passages else "  passages: []")
    located = assessment_passages(plan)
    for passage in passages:
        moved = refind(Citation(**passage), plan, set())
        if moved is not None:
            lines += _cite_lines(moved.model_dump(), None, 4)
        elif located:
            lines += [line for c in located for line in _cite_lines(
                c.model_dump(), f"按标题“考核评价”找到（原 {passage['ref']}）", 4)]
            located = []
        else:
            lines += _cite_lines(passage, f"{REVIEW}：{plan.year} 年工作要点中未找到这段原文", 4)
    return lines


def _section(section: dict[str, Any], mapping: _Mapping, plan: Plan, order: dict[str, int],
             covered: set[str], years: int) -> list[str]:
    body: list[str] = []
    kept = 0
    for indicator in section.get("indicators", []):
        block, ok = _indicator(indicator, mapping, plan, order, covered, years)
        kept += ok
        body += block
    head = {k: v for k, v in section.items() if k != "indicators"}
    head_lines = [line for k, v in head.items() for line in _block({k: v}, 4)]
    head_lines[0] = "  - " + head_lines[0][4:]
    if kept == 0:
        why = (f"# 已删除部分 {section.get('id')}“{section.get('name')}”："
               "其全部指标所考核的任务在新要点中均无对应任务")
        return ["  " + why] + ["  # " + line[2:] for line in head_lines] + body
    return head_lines + ["    indicators:"] + body


def _indicator(indicator: dict[str, Any], mapping: _Mapping, plan: Plan, order: dict[str, int],
               covered: set[str], years: int) -> tuple[list[str], bool]:
    pad = " " * 8
    new_ids: dict[str, list[tuple[str, float]]] = {}
    dropped: list[str] = []
    for old_id in indicator.get("tasks", []):
        targets = mapping.forward.get(old_id)
        if not targets:
            dropped.append(old_id)
        for new_id, similarity in targets or []:
            new_ids.setdefault(new_id, []).append((old_id, similarity))
    if indicator.get("tasks") and not new_ids:
        why = (f"# 已删除指标 {indicator.get('id')}“{indicator.get('name')}”：所考核的任务 "
               f"{'、'.join(indicator['tasks'])} 在 {plan.year} 年工作要点中均无对应任务")
        return ["      " + why] + ["      # " + line[6:] for line in _block([indicator], 6)], False
    covered.update(new_ids)
    lines: list[str] = []
    first = True
    for key, value in indicator.items():
        if key == "tasks":
            lines.append(pad + "tasks:")
            for new_id in sorted(new_ids, key=lambda t: order.get(t, 10**6)):
                source = "、".join(f"{o}（相似度 {s:.2f}）" for o, s in new_ids[new_id])
                lines.append(f"{pad}  - {_scalar(new_id)}  # 原 {source}")
            for old_id in dropped:
                gone = mapping.dropped.get(old_id)
                closest = (f"，最接近 {gone.closest}（相似度 {gone.best_similarity:.2f}）"
                           if gone is not None and gone.closest else "")
                lines.append(f"{pad}  # 已删去 {old_id}：{plan.year} 年工作要点中没有对应任务{closest}")
        elif key == "basis":
            lines.append(pad + "basis:")
            for citation in value:
                moved = refind(Citation(**citation), plan, set(new_ids))
                if moved is not None:
                    lines += _cite_lines(moved.model_dump(), None, len(pad) + 2)
                else:
                    lines += _cite_lines(citation, f"{REVIEW}：{plan.year} 年工作要点中未找到这段原文",
                                         len(pad) + 2)
        else:
            lines += _block({key: _shift(value, years)}, len(pad))
        if first:
            lines[-1] = " " * 6 + "- " + lines[-1][len(pad):]
            first = False
    return lines, True


def _exclusions(old: list[dict[str, Any]], mapping: _Mapping, order: dict[str, int],
                covered: set[str]) -> list[str]:
    rows: dict[str, tuple[str, str, float]] = {}
    for exclusion in old:
        for new_id, similarity in mapping.forward.get(exclusion["task"], []):
            if new_id not in covered and new_id not in rows:
                rows[new_id] = (exclusion["reason"], exclusion["task"], similarity)
    if not rows:
        return []
    lines = ["", "excluded_tasks:"]
    for new_id in sorted(rows, key=lambda t: order.get(t, 10**6)):
        reason, old_id, similarity = rows[new_id]
        lines.append("  - " + _scalar({"task": new_id, "reason": reason})
                     + f"  # 原 {old_id}（相似度 {similarity:.2f}）的排除理由")
    covered.update(rows)
    return lines


def _todo(plan: Plan, mapping: _Mapping, covered: set[str], old_excluded: list[dict[str, Any]]) -> list[str]:
    added = {a.id: a for a in mapping.diff.tasks.added}
    lines = ["", "todo:"]
    count = 0
    for task in plan.tasks():
        if task.id in covered:
            continue
        departments = list(dict.fromkeys(d.name for c in task.clauses for d in c.departments))
        item = {"task": task.id, "title": task.title, "text": task.text, "departments": departments}
        new = added.get(task.id)
        note = (f"  # 新任务，最接近 {new.closest}（相似度 {new.best_similarity:.2f}）"
                if new is not None and new.closest else "  # 新任务" if new is not None
                else "  # 对应的原任务未被考核也未排除")
        block = _block([item], 2)
        block[0] += note
        lines += block
        count += 1
    return lines if count else []


def write_draft(old_file: Path, old_plan: Plan, new_plan: Plan, plan_file: Path, output: Path) -> str:
    """The draft's text for ``output``. The catalogue path is written relative to the draft's
    folder, except that a catalogue in indicators/ is written relative to indicators/ when the
    draft lies elsewhere (``tasks/2022.yaml``): that finds it wherever the draft is moved or
    uploaded, where a path climbing out of a temporary folder would point nowhere."""
    old_data = yaml.safe_load(old_file.read_text(encoding="utf-8"))
    plan, folder = plan_file.resolve(), output.resolve().parent
    indicators = get_settings().indicators_dir.resolve()
    if plan.is_relative_to(indicators) and not folder.is_relative_to(indicators):
        catalogue = plan.relative_to(indicators).as_posix()
    else:
        try:
            catalogue = Path(_relative(plan, folder)).as_posix()
        except ValueError:
            catalogue = plan.as_posix()
    return draft_text(old_data, old_plan, new_plan, catalogue)


def _relative(path: Path, base: Path) -> str:
    import os
    return os.path.relpath(path, base)
