"""The submission workbook's layout, shared by the template writer and the validator.

Sheets, in order: 填报说明, 封面, 任务落实, 工作数据, then two very hidden sheets: _lists
(dropdown values; Excel repairs files whose inline lists exceed 255 characters) and _meta (year,
indicator set SHA-256, template version, unit code). Rows are matched by a code (the task id in
任务落实, the item code in the hidden last column of 工作数据), so the validator can tell deleted,
added and reordered rows apart; columns are found by their header text, never by position alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

TEMPLATE_VERSION: Final = "2"

INSTRUCTIONS: Final = "填报说明"
COVER: Final = "封面"
TASKS: Final = "任务落实"
DATA: Final = "工作数据"
LISTS: Final = "_lists"
META: Final = "_meta"
VISIBLE_SHEETS: Final = (INSTRUCTIONS, COVER, TASKS, DATA)
ALL_SHEETS: Final = (*VISIBLE_SHEETS, LISTS, META)

HEADER_ROW: Final = 1
FIRST_ROW: Final = 2

# 封面: label in A, value in B
COVER_FIELDS: Final = (
    ("unit_code", "单位代码"),
    ("unit_name", "单位名称"),
    ("year", "考核年度"),
    ("contact", "填报人"),
    ("phone", "联系电话"),
    ("filled_on", "填报日期"),
)
COVER_LOCKED: Final = frozenset({"unit_code", "unit_name", "year"})
COVER_REQUIRED: Final = ("contact", "phone", "filled_on")


def cover_cell(key: str) -> str:
    """The value cell of a cover field (``B2`` …)."""
    index = [k for k, _ in COVER_FIELDS].index(key)
    return f"B{FIRST_ROW + index}"




@dataclass(frozen=True)
class Column:
    """A table column: its role, header text, letter in the template, and what it is for.

    ``required`` columns must be found by their header (the table cannot be read without them);
    ``input`` columns are the ones provinces fill in.
    """

    key: str
    header: str
    letter: str
    required: bool = False
    input: bool = False


# 任务落实
TASK_COLUMNS: Final = (
    Column("id", "任务编号", "A", required=True),
    Column("section", "所属部分", "B"),
    Column("text", "任务内容", "C"),
    Column("status", "落实情况", "D", required=True, input=True),
    Column("practice", "主要做法", "E", input=True),
    Column("evidence", "佐证材料", "F", required=True, input=True),
)
TASK_HEADERS: Final = tuple(c.header for c in TASK_COLUMNS)
TASK_ID_COL, TASK_SECTION_COL, TASK_TEXT_COL = "A", "B", "C"
TASK_STATUS_COL, TASK_PRACTICE_COL, TASK_EVIDENCE_COL = "D", "E", "F"
TASK_INPUT_COLS: Final = (TASK_STATUS_COL, TASK_PRACTICE_COL, TASK_EVIDENCE_COL)

# 工作数据: what people see is a number and a Chinese name; the machine code that identifies the
# row sits in the last column, hidden
DATA_COLUMNS: Final = (
    Column("number", "序号", "A"),
    Column("name", "数据项", "B"),
    Column("unit", "计量单位", "C"),
    Column("value", "填报值", "D", required=True, input=True),
    Column("note", "备注", "E", input=True),
    Column("code", "代码", "F", required=True),
)
DATA_HEADERS: Final = tuple(c.header for c in DATA_COLUMNS)
DATA_NUMBER_COL, DATA_NAME_COL, DATA_UNIT_COL, DATA_VALUE_COL, DATA_NOTE_COL, DATA_CODE_COL = (
    "A", "B", "C", "D", "E", "F")
DATA_INPUT_COLS: Final = (DATA_VALUE_COL, DATA_NOTE_COL)

# how far the validator looks for a table's header row (rows inserted above it are tolerated)
HEADER_SEARCH_ROWS: Final = 10

# _meta: key in A, value in B
META_KEYS: Final = ("year", "indicator_sha256", "template_version", "unit_code", "engine")

STATUS_LIST_COL: Final = "A"
YES_NO: Final = ("是", "否")

# The central office's workbook: one row per unit, one column per central data item.
CENTRAL: Final = "中央记录"
CENTRAL_UNIT: Final = "central"  # the _meta unit_code of a central-office workbook
CENTRAL_NAME_ROW: Final = 1
CENTRAL_CODE_ROW: Final = 2
CENTRAL_FIRST_ROW: Final = 3
CENTRAL_FIRST_COL: Final = 3  # A: unit code, B: unit name


def central_file_name(year: int) -> str:
    """The central office's workbook beside a year's sample folder: ``central-2022.xlsx``."""
    return f"central-{year}.xlsx"
