"""Compare two years' catalogues: sections and tasks added, dropped or carried over.

Tasks are compared by the wording of their clauses (responsibility parentheticals left out, so
shared department names do not make unrelated tasks look alike). Similarity is the cosine of the
two texts' character-bigram counts, blended with the best match between single sentences, so a
2020 task that the 2022 plan split into several items still matches each of them. A task is
carried over when its best counterpart reaches the threshold; one plan's task may carry over into
several of the other's. Sections are compared as whole texts and paired one to one, the most
similar pairs first.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from scoring.catalogue.models import Plan, Section, Task, han_characters, id_base

DEFAULT_THRESHOLD = 0.25
METHOD = "max(余弦相似度(全文字符二元组), 最佳单句相似度 × 0.9)，不含责任分工括注"


class Ref(BaseModel):
    """A section or task named by id and title."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str


class Match(BaseModel):
    """An old item and the new item it carries over into, with their similarity (0–1)."""

    model_config = ConfigDict(extra="forbid")

    old: Ref
    new: Ref
    similarity: float


class Unmatched(Ref):
    """An item with no counterpart above the threshold, and its closest one for reference."""

    best_similarity: float
    closest: str | None


class Changes(BaseModel):
    """Carried over, added and dropped items of one level (sections or tasks)."""

    model_config = ConfigDict(extra="forbid")

    carried_over: list[Match]
    added: list[Unmatched]
    dropped: list[Unmatched]


class PlanDiff(BaseModel):
    """What changed between two plans."""

    model_config = ConfigDict(extra="forbid")

    old_year: int
    new_year: int
    threshold: float
    method: str
    sections: Changes
    tasks: Changes


def _bigrams(text: str) -> Counter[str]:
    han = han_characters(text)
    return Counter(han[i: i + 2] for i in range(len(han) - 1))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


@dataclass(frozen=True)
class _Profile:
    ref: Ref
    whole: Counter[str]
    sentences: tuple[Counter[str], ...]


def _wording(task: Task) -> str:
    return "。".join(clause.text for clause in task.clauses)


def _profile(ref: Ref, text: str) -> _Profile:
    sentences = tuple(
        grams for part in re.split(r"[。；;！？\n]", text) if len(grams := _bigrams(part)) >= 6
    )
    return _Profile(ref, _bigrams(text), sentences)


def _similarity(a: _Profile, b: _Profile) -> float:
    whole = _cosine(a.whole, b.whole)
    best_sentence = max((_cosine(x, y) for x in a.sentences for y in b.sentences), default=0.0)
    return round(max(whole, 0.9 * best_sentence), 3)


def _one_to_one(old: Sequence[_Profile], new: Sequence[_Profile], threshold: float) -> Changes:
    """Pair items at most once each, the most similar pairs first (for sections)."""
    scores = [[_similarity(o, n) for n in new] for o in old]
    ranked = sorted(((scores[i][j], -i, -j) for i in range(len(old)) for j in range(len(new))),
                    reverse=True)
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for score, neg_i, neg_j in ranked:
        i, j = -neg_i, -neg_j
        if score < threshold or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((i, j))

    def unmatched(items: Sequence[_Profile], others: Sequence[_Profile], used: set[int],
                  score: Callable[[int, int], float]) -> list[Unmatched]:
        result = []
        for k, item in enumerate(items):
            if k in used:
                continue
            best = max(range(len(others)), key=lambda m: (score(k, m), -m), default=None)
            result.append(Unmatched(**item.ref.model_dump(),
                                    best_similarity=score(k, best) if best is not None else 0.0,
                                    closest=others[best].ref.id if best is not None else None))
        return result

    return Changes(
        carried_over=[Match(old=old[i].ref, new=new[j].ref, similarity=scores[i][j])
                      for i, j in sorted(pairs)],
        added=unmatched(new, old, used_new, lambda k, m: scores[m][k]),
        dropped=unmatched(old, new, used_old, lambda k, m: scores[k][m]),
    )


def _many_to_many(old: Sequence[_Profile], new: Sequence[_Profile], threshold: float) -> Changes:
    """Each item carries over into its best counterpart (for tasks, which plans split and merge)."""
    scores = [[_similarity(o, n) for n in new] for o in old]

    def best_new(i: int) -> tuple[int | None, float]:
        row = scores[i]
        j = max(range(len(new)), key=lambda k: (row[k], -k), default=None)
        return j, row[j] if j is not None else 0.0

    def best_old(j: int) -> tuple[int | None, float]:
        i = max(range(len(old)), key=lambda k: (scores[k][j], -k), default=None)
        return i, scores[i][j] if i is not None else 0.0

    pairs: set[tuple[int, int]] = set()
    added: list[Unmatched] = []
    dropped: list[Unmatched] = []
    for j, profile in enumerate(new):
        i, score = best_old(j)
        if i is not None and score >= threshold:
            pairs.add((i, j))
        else:
            added.append(Unmatched(**profile.ref.model_dump(), best_similarity=score,
                                   closest=old[i].ref.id if i is not None else None))
    for i, profile in enumerate(old):
        k, score = best_new(i)
        if k is not None and score >= threshold:
            pairs.add((i, k))
        else:
            dropped.append(Unmatched(**profile.ref.model_dump(), best_similarity=score,
                                     closest=new[k].ref.id if k is not None else None))
    carried = [Match(old=old[i].ref, new=new[j].ref, similarity=scores[i][j])
               for i, j in sorted(pairs)]
    return Changes(carried_over=carried, added=added, dropped=dropped)


def _section_profile(plan: Plan, section: Section) -> _Profile:
    """A section as one text (title and all task wording); sentences are not compared."""
    text = "\n".join([section.title, *(_wording(t) for t in section.tasks)])
    section_id = f"{id_base(plan.year, plan.id_prefix())}-{section.number}"
    return _Profile(Ref(id=section_id, title=section.title), _bigrams(text), ())


def diff_plans(old: Plan, new: Plan, *, threshold: float = DEFAULT_THRESHOLD) -> PlanDiff:
    """Sections and tasks of ``new`` compared with ``old``."""
    tasks_old = [_profile(Ref(id=t.id, title=t.title), _wording(t)) for t in old.tasks()]
    tasks_new = [_profile(Ref(id=t.id, title=t.title), _wording(t)) for t in new.tasks()]
    return PlanDiff(
        old_year=old.year, new_year=new.year, threshold=threshold, method=METHOD,
        sections=_one_to_one([_section_profile(old, s) for s in old.sections],
                          [_section_profile(new, s) for s in new.sections], threshold),
        tasks=_many_to_many(tasks_old, tasks_new, threshold),
    )
