"""Responsibility parentheticals: split a task into clauses and name the departments and roles.

Forms handled: ``（X负责）`` sole; ``（X牵头）``, ``（X、Y按职责分工牵头）``, ``（X、Y分别牵头）`` lead;
``（X、Y按职责分工负责）``, ``（X、Y按职责分工分别负责）``, ``（X、Y负责）`` joint;
``（X牵头，Y、Z按职责分工负责）`` lead then joint; ``（责任单位：X、Y）``; ``X等``, ``X及Y``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.catalogue.departments import Registry
from scoring.catalogue.layout import RESPONSIBILITY_RE
from scoring.catalogue.models import Clause, DepartmentRef, Role

_SEGMENT_SPLIT = re.compile(r"[，,；;]")
_NAME_SPLIT = re.compile(r"[、/／]")
_VERB = re.compile(r"(?P<split>按职责分工)?(?P<each>分别)?(?P<verb>牵头|负责|配合|参与)$")
_DUTY_PREFIX = re.compile(r"^责任单位\s*[:：]\s*")
_CONNECTORS = re.compile(r"及|以及|与|和|等")


@dataclass(frozen=True)
class UnknownName:
    """A department name that is not in the registry, with the clause it was found in."""

    name: str
    responsibility: str


def _split_names(names: str, registry: Registry) -> list[str]:
    """Split ``X、Y及Z等`` into names, keeping registered names whole (文化和旅游部 has 和)."""
    out: list[str] = []
    for chunk in _NAME_SPLIT.split(names):
        chunk = chunk.strip().removesuffix("等").strip()
        if not chunk:
            continue
        if registry.resolve(chunk) is not None:
            out.append(chunk)
            continue
        parts = [p for p in _CONNECTORS.split(chunk) if p]
        if len(parts) > 1 and all(registry.resolve(p) is not None for p in parts):
            out.extend(parts)
        else:
            out.append(chunk)
    return out


def parse_responsibility(body: str, registry: Registry) -> tuple[list[DepartmentRef], list[str]]:
    """Departments and roles of one parenthetical's inside; also the names not registered."""
    body = _DUTY_PREFIX.sub("", body.strip().rstrip("。."))
    groups: list[tuple[list[str], str | None, bool]] = []
    for segment in _SEGMENT_SPLIT.split(body):
        segment = segment.strip()
        if not segment:
            continue
        found = _VERB.search(segment)
        names = segment[: found.start()] if found else segment
        shared = bool(found and (found["split"] or found["each"]))
        groups.append((_split_names(names, registry), found["verb"] if found else None, shared))
    total = sum(len(names) for names, _, _ in groups)
    refs: list[DepartmentRef] = []
    unknown: list[str] = []
    for names, verb, shared in groups:
        if verb == "牵头":
            role = Role.LEAD
        elif total == 1 and not shared:
            role = Role.SOLE
        else:
            role = Role.JOINT
        for written in names:
            dept = registry.resolve(written)
            if dept is None:
                unknown.append(written)
            refs.append(DepartmentRef(
                name=dept.name if dept else written, role=role, as_written=written,
                known=dept is not None,
            ))
    return refs, unknown


def split_clauses(text: str, registry: Registry) -> tuple[list[Clause], list[UnknownName]]:
    """Cut a task's text after each responsibility parenthetical; each piece is a clause."""
    clauses: list[Clause] = []
    unknown: list[UnknownName] = []
    start = 0
    for match in RESPONSIBILITY_RE.finditer(text):
        refs, missing = parse_responsibility(match["body"], registry)
        unknown.extend(UnknownName(name, match.group(0)) for name in missing)
        clauses.append(Clause(
            text=text[start: match.start()].strip(), departments=refs,
            responsibility=match.group(0),
        ))
        start = match.end()
    rest = text[start:].strip()
    if rest or not clauses:
        clauses.append(Clause(text=rest))
    return clauses, unknown
