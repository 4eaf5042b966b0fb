"""The auditor's check that every passage presented as plan text is the plan's own words.

``basis`` (on each indicator) and ``basis.passages`` (the assessment mechanism) quote the year's
plan; reports show them as 工作要点原文. Each quotation names where it stands (``ref``: a task id or
the labels as printed, such as ``七（三）``, ``一（一）1`` or ``（二十二）``) and must occur there
verbatim, part by part around each ``……``, after width (NFKC) and whitespace are normalised.
Wording of the config's own goes in ``rule_text`` (shown as 计分规则). Code:

* ``basis-not-in-plan``: the ref names no place in the catalogue, or a part of the text does not
  occur there (the message shows the first words that do not).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from scoring.catalogue.models import TASK_ID_PATTERN, Plan, section_groups
from scoring.indicators.models import Citation, IndicatorSet
from scoring.problems import Severity

PathT = tuple[str | int, ...]
Report = Callable[[str, Severity, str, PathT], None]

OMISSION = re.compile(r"…+|\.{3,}")
_LABEL_NOISE = re.compile(r"[\s、.．]")


def normalise(text: str) -> str:
    """Text as compared: NFKC (full-width punctuation folded), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _label(text: str) -> str:
    return _LABEL_NOISE.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Place:
    """A section, subsection or task: its labels as printed and the text it holds."""

    ref: str
    task_id: str | None
    pieces: tuple[str, ...]
    level: Literal["task", "subsection", "section"]

    @cached_property
    def labels(self) -> str:
        """The printed labels as a citation's ref is compared with them."""
        return _label(self.ref)


def places(plan: Plan) -> list[Place]:
    """Every place a citation may name, with the normalised texts inside it."""
    out: list[Place] = []
    for section in plan.sections:
        section_pieces = [normalise(section.title)]
        for sub, tasks in section_groups(section):
            own = [normalise(p) for t in tasks for p in (t.title, t.text)]
            section_pieces += own
            if sub is not None:
                out.append(Place(section.label + sub.label, None, (normalise(sub.title), *own), "subsection"))
            for task in tasks:
                out.append(Place(task.ref, task.id, (normalise(task.title), normalise(task.text)), "task"))
        out.append(Place(section.label, None, tuple(section_pieces), "section"))
    return out


def quoted_parts(text: str) -> list[str]:
    """A quotation's parts around each ``……``, each as compared (blank parts left out)."""
    return [needle for part in OMISSION.split(text) if (needle := normalise(part))]


def _resolve(ref: str, found: list[Place]) -> Place | None:
    if re.fullmatch(TASK_ID_PATTERN, ref.strip()):
        return next((p for p in found if p.task_id == ref.strip()), None)
    wanted = _label(ref)
    exact = [p for p in found if p.labels == wanted]
    if exact:
        return exact[0] if len(exact) == 1 else max(exact, key=lambda p: len(p.pieces))
    tails = [p for p in found if p.labels.endswith(wanted) and wanted.startswith(("(", "（"))]
    return tails[0] if len(tails) == 1 else None


def missing_part(citation: Citation, found: list[Place]) -> str | None:
    """Why the citation is not in the plan (None when it is)."""
    place = _resolve(citation.ref, found)
    if place is None:
        return f"工作要点中没有“{citation.ref}”"
    for part in OMISSION.split(citation.text):
        needle = normalise(part)
        if needle and not any(needle in piece for piece in place.pieces):
            shown = part.strip()
            return f"“{shown[:24]}{'…' if len(shown) > 24 else ''}”不是{citation.ref}的原文"
    return None


def citation_findings(s: IndicatorSet, plan: Plan, report: Report) -> None:
    """Report every quotation that the year's catalogue does not contain."""
    found = places(plan)
    quoted: list[tuple[Citation, PathT]] = [
        (c, ("basis", "passages", k)) for k, c in enumerate(s.basis.passages)]
    for i, sec in enumerate(s.sections):
        for j, ind in enumerate(sec.indicators):
            quoted += [(c, ("sections", i, "indicators", j, "basis", k)) for k, c in enumerate(ind.basis)]
    for citation, path in quoted:
        why = missing_part(citation, found)
        if why is not None:
            report("basis-not-in-plan", Severity.ERROR,
                   f"作为原文依据引用的文字不在 {plan.year} 年工作要点中：{why}"
                   "（计分规则的说明请写在 rule_text）", path)
