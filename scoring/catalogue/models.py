"""The catalogue model: Plan → Section → (Subsection) → Task → Clause → DepartmentRef.

Task ids (one scheme for every plan): the year, a dash, then the numbers the plan itself gives
the task, joined by dots.

* A plan that numbers its tasks continuously across sections （一）…（三十五） (2020): the task
  number, two digits: ``2020-01`` … ``2020-35``; numbered items inside such a task: ``2020-03.2``.
* A plan whose （一） restart in every section (2022): section.subsection.item, ``2022-1.1.3``;
  a subsection with no numbered items is one task, ``2022-7.3``; numbered items directly under a
  section, ``2022-5.2``.
* Unnumbered paragraphs that stand as tasks are numbered by their order, as if they were items;
  their path label is ``¶1``, ``¶2`` … (no number is written in the plan).
* A document that starts below section level (an excerpt opening at （三）) has no section
  number to give: its tasks sit in section 0, ``2022-0.3.1``.

Plans not issued by the national leading group (a province's, a city's) put a prefix before the
year, so their ids can never equal a national one: the unit code for a province-level unit
(``310000-2022-1.1.3``, codes from indicators/units.yaml), else the place the issuer names
(``杭州市-2022-1.1.3``), or the prefix given with ``--prefix``. Every task of one catalogue
carries the same prefix (or none).
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION: Literal[1] = 1

ID_PREFIX_PATTERN = r"^[0-9A-Za-z\u4e00-\u9fff]{1,20}$"
TASK_ID_PATTERN = r"^(?:[0-9A-Za-z\u4e00-\u9fff]{1,20}-)?\d{4}-\d+(\.\d+)*$"
_TASK_ID = re.compile(r"^(?:(?P<prefix>[^-]+)-)?(?P<year>\d{4})-(?P<numbers>\d+(?:\.\d+)*)$")


def id_base(year: int, prefix: str | None) -> str:
    """What every task id of a catalogue starts with: ``2022`` or ``310000-2022``."""
    return f"{prefix}-{year}" if prefix else str(year)


def split_task_id(task_id: str) -> tuple[str | None, int, str]:
    """``310000-2022-1.1.3`` → (``310000``, 2022, ``1.1.3``); ``2022-7.3`` → (None, 2022, ``7.3``)."""
    match = _TASK_ID.match(task_id)
    if match is None:
        raise ValueError(f"任务编号“{task_id}”格式不正确")
    return match["prefix"], int(match["year"]), match["numbers"]


class Role(StrEnum):
    """A department's role in a clause: sole (X负责), lead (X牵头), joint (按职责分工负责)."""

    SOLE = "sole"
    LEAD = "lead"
    JOINT = "joint"


class Strict(BaseModel):
    """Base for catalogue models: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class DepartmentRef(Strict):
    """A department named in a responsibility parenthetical."""

    name: str = Field(description="registry short name; as written when not in the registry")
    role: Role
    as_written: str
    known: bool = True


class Clause(Strict):
    """Sentences of a task and the departments the parenthetical after them makes responsible."""

    text: str
    departments: list[DepartmentRef] = Field(default_factory=list)
    responsibility: str | None = Field(
        default=None, description="the parenthetical as written, brackets included")


class Task(Strict):
    """One task of the plan."""

    id: str = Field(pattern=TASK_ID_PATTERN)
    path: list[str] = Field(description="labels as written: section, subsection/task, item")
    title: str = Field(description="the lead phrase")
    text: str
    clauses: list[Clause]
    lines: tuple[int, int] = Field(description="first and last line in the source file")

    @property
    def ref(self) -> str:
        """The task's labels as printed, as a citation names it (``七（三）1``; no ``¶`` labels)."""
        return "".join(label for label in self.path if not label.startswith("¶"))


class Subsection(Strict):
    """A （一） heading inside a section, in plans whose （一） restart in every section."""

    number: int
    label: str
    title: str
    line: int = Field(description="the heading's line in the source file")


class Section(Strict):
    """A 一、 heading with its subsections and all its tasks in plan order.

    Number 0 with an empty label and title: the document had no section heading above these
    tasks (an excerpt starting at a subsection).
    """

    number: int
    label: str
    title: str
    subsections: list[Subsection] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)


class Source(Strict):
    """The file a catalogue was extracted from."""

    name: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    encoding: str


class Plan(Strict):
    """An annual plan (工作要点) as a structured catalogue: the national one, or a local one."""

    schema_version: Literal[1] = SCHEMA_VERSION
    year: int = Field(ge=2000, le=2100)
    title: str
    doc_number: str | None = None
    issuer: str | None = None
    issued_on: date | None = None
    preamble: str = ""
    source: Source | None = None
    sections: list[Section]

    @model_validator(mode="after")
    def _one_prefix(self) -> Plan:
        prefixes = {split_task_id(t.id)[0] for t in self.tasks()}
        if len(prefixes) > 1:
            shown = "、".join(sorted(f"“{p}”" if p else "无前缀" for p in prefixes))
            raise ValueError(f"任务编号的前缀不一致（{shown}）；同一目录的任务编号前缀应相同")
        return self

    def id_prefix(self) -> str | None:
        """The prefix of this catalogue's task ids (None for the national plan's)."""
        tasks = self.tasks()
        return split_task_id(tasks[0].id)[0] if tasks else None

    def tasks(self) -> list[Task]:
        """Every task in plan order."""
        return [task for section in self.sections for task in section.tasks]

    def task(self, task_id: str) -> Task | None:
        """The task with this id, if any."""
        return next((t for t in self.tasks() if t.id == task_id), None)


def section_groups(section: Section) -> list[tuple[Subsection | None, list[Task]]]:
    """A section's tasks in plan order, grouped under the subsection each sits in (None when it
    sits in none): the last subsection heading above the task with the label in its path."""
    groups: list[tuple[Subsection | None, list[Task]]] = []
    for task in section.tasks:
        label = task.path[1] if len(task.path) >= 2 else None
        sub = next((s for s in reversed(section.subsections)
                    if s.label == label and s.line <= task.lines[0]), None)
        if groups and groups[-1][0] is sub:
            groups[-1][1].append(task)
        else:
            groups.append((sub, [task]))
    return groups


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def han_characters(text: str) -> str:
    """Only the Chinese (Han) characters of ``text``, in order."""
    return "".join(_HAN.findall(text))


def text_in_order(plan: Plan) -> list[str]:
    """Every piece of plan text the catalogue owns, numbering labels included, in plan order.

    Used for the lossless check: its Chinese characters are exactly those of the plan body.
    """
    pieces = [plan.title, plan.preamble]
    for section in plan.sections:
        pieces.append(section.label + section.title)
        for sub, tasks in section_groups(section):
            if sub is not None:
                pieces.append(sub.label + sub.title)
            for task in tasks:
                own_labels = task.path[1:] if sub is None else task.path[2:]
                pieces.append("".join(label for label in own_labels if not label.startswith("¶")))
                pieces.append(task.text)
    return pieces
