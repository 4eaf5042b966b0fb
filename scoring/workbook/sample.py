"""Deterministic synthetic submissions for all 32 units, and the central office's records.

Figures are a unit's share of a national total, the share following the unit's size (30 %
population, 70 % GDP: enforcement follows the economy) with log-normal spread cut at ±2σ, so
the largest coastal provinces report tens of times more than 西藏 or 兵团. National totals
follow the public figures in DOMAIN.md: about 316k administrative cases in the 2020 campaigns
and 220k in 2022, police cases about 21k (2020) and 27k (2022), around 1–2 thousand transfers
to the police. Related items are drawn from each other (closed ≤ opened, disclosed ≤
decisions, prosecutions ≤ arrests …); counts that do not follow size (special campaigns) are
drawn from a fixed range. The same year always gives the same files.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from scoring.files import write_bytes_atomically
from scoring.indicators.items import DataItem, ItemKind
from scoring.indicators.rules.base import TaskStatus
from scoring.indicators.rules.timeliness import TimelinessRule
from scoring.indicators.units import Unit
from scoring.workbook import layout as L
from scoring.workbook.broken import catalogue
from scoring.workbook.central_template import build_central_template
from scoring.workbook.filling import CellInput, Filling, fill, value_cells
from scoring.workbook.source import YearConfig
from scoring.workbook.template import build_template, template_name, workbook_bytes

# national totals per year (counts in 件/人, amounts in 万元)
NATIONAL: dict[str, dict[int, float]] = {
    "admin_cases_opened": {2020: 316_000, 2022: 220_000},
    "admin_fines": {2020: 230_000, 2022: 200_000},
    "cases_transferred_police": {2020: 1_900, 2022: 1_400},
    "police_cases_cracked": {2020: 21_000, 2022: 27_000},
    "info_reports_sent": {2020: 1_600, 2022: 1_800},
    # Assumptions (no national series in DOMAIN.md): dens destroyed follow the police caseload,
    # about one den for every three criminal cases (21k → 7k, 27k → 9k); software legalisation
    # checks a few hundred to a few thousand bodies per province; publicity events about 400
    # and training about 8–10 thousand attendances per province on average, training growing
    # with online courses by 2022.
    "dens_destroyed": {2020: 7_000, 2022: 9_000},
    "software_checked_units": {2020: 45_000, 2022: 50_000},
    "publicity_events": {2020: 12_000, 2022: 13_000},
    "training_attendance": {2020: 260_000, 2022: 320_000},
}
# items drawn as a share of another item: (base item, low, high)
DERIVED: dict[str, tuple[str, float, float]] = {
    "admin_case_value": ("admin_fines", 1.6, 3.5),
    # goods destroyed harmlessly: a small part of the case value (about 0.6 bn yuan a year nationally)
    "goods_destroyed_value": ("admin_case_value", 0.04, 0.2),
    "admin_cases_closed": ("admin_cases_opened", 0.86, 0.99),
    "penalty_decisions": ("admin_cases_opened", 0.80, 0.95),
    "penalty_decisions_disclosed": ("penalty_decisions", 0.88, 1.0),
    "cases_entered_linkage": ("cases_transferred_police", 0.75, 1.0),
    "police_suspects_arrested": ("police_cases_cracked", 1.3, 2.1),
    # prosecutions and court cases trail the police figures: nationally about 15–25 thousand
    # people charged and 6–11 thousand criminal cases concluded a year (IP crimes plus fake goods)
    "prosecuted_people": ("police_suspects_arrested", 0.35, 0.6),
    "court_criminal_cases": ("police_cases_cracked", 0.25, 0.45),
    "info_reports_adopted": ("info_reports_sent", 0.08, 0.45),
}
RATIOS: dict[str, tuple[float, float]] = {
    "disclosure_on_time_rate": (78.0, 100.0),
    "linkage_entry_rate": (70.0, 100.0),
}
# counts that do not grow with a unit's size: (lowest, highest); every unit joins the half-dozen
# national campaigns (剑网、昆仑、铁拳、秋风、龙腾、农资打假 …) and runs some of its own
STEADY: dict[str, tuple[int, int]] = {
    "special_campaigns": (6, 22),
}
# (probability the unit has any, largest count) for rare central-office records
RARE: dict[str, tuple[float, int]] = {
    "notified_count": (0.22, 2), "interviewed_count": (0.12, 1), "supervised_count": (0.1, 1),
    "national_typical_cases": (0.6, 5), "data_blank_fields": (0.35, 4), "data_errors": (0.3, 3),
}
FIXED_OF = {"notified_fixed": "notified_count", "interviewed_fixed": "interviewed_count",
            "supervised_fixed": "supervised_count"}
PRACTICES = ("制定专项方案并组织实施", "开展联合执法检查", "召开部署会议并督导落实",
             "会同有关部门开展专项整治")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄")
GIVEN_NAMES = ("敏", "强", "静", "磊", "芳", "伟")


def _rng(*parts: object) -> random.Random:
    seed = hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()
    return random.Random(int(seed[:16], 16))


@dataclass(frozen=True)
class _Sizes:
    share: dict[str, float]

    @classmethod
    def of(cls, units: list[Unit]) -> _Sizes:
        population = sum(u.population_10k for u in units)
        gdp = sum(u.gdp_100m_yuan for u in units)
        return cls({u.code: 0.3 * u.population_10k / population + 0.7 * u.gdp_100m_yuan / gdp
                    for u in units})


def _deadline(config: YearConfig) -> date:
    for _, indicator in config.indicator_set.indicators():
        if isinstance(indicator.rule, TimelinessRule):
            return indicator.rule.deadline
    return date(config.indicator_set.year + 1, 1, 15)


def _figures(items: list[DataItem], unit: Unit, year: int, share: float, deadline: date,
             rng: random.Random) -> dict[str, CellInput]:
    values: dict[str, CellInput] = {}
    for item in items:
        if item.code in NATIONAL:
            total = NATIONAL[item.code].get(year, next(iter(NATIONAL[item.code].values())))
            raw = total * share * math.exp(max(-0.5, min(0.5, rng.gauss(0, 0.25))))
            values[item.code] = round(raw, 2) if item.kind is ItemKind.AMOUNT else max(0, round(raw))
    for code, (base, low, high) in DERIVED.items():
        if base in values and any(i.code == code for i in items):
            scaled = float(values[base] or 0) * rng.uniform(low, high)  # type: ignore[arg-type]
            kind = next(i.kind for i in items if i.code == code)
            values[code] = round(scaled, 2) if kind is ItemKind.AMOUNT else max(0, round(scaled))
    for item in items:
        if item.code in values:
            continue
        if item.code in RATIOS:
            low, high = RATIOS[item.code]
            values[item.code] = round(min(high, low + (high - low) * rng.betavariate(4, 1.3)), 1)
        elif item.code in STEADY:
            lowest, highest = STEADY[item.code]
            values[item.code] = rng.randint(lowest, highest)
        elif item.code in RARE:
            chance, most = RARE[item.code]
            values[item.code] = rng.randint(1, most) if rng.random() < chance else 0
        elif item.code in FIXED_OF:
            continue
        elif item.kind is ItemKind.DATE:
            values[item.code] = deadline + timedelta(days=rng.choice([-9, -6, -4, -3, -2, -1, 0, 0, 1, 3]))
        elif item.kind is ItemKind.YES_NO:
            values[item.code] = "否"
        elif item.kind is ItemKind.CHOICE:
            values[item.code] = item.options[0] if item.options else None
        elif item.kind is ItemKind.RATIO:
            values[item.code] = round(rng.uniform(80, 100), 1)
        elif item.kind in (ItemKind.COUNT, ItemKind.AMOUNT):
            values[item.code] = rng.randint(0, 20)
        else:
            values[item.code] = "无"
    for code, base in FIXED_OF.items():
        if any(i.code == code for i in items):
            count = int(values.get(base) or 0)  # type: ignore[arg-type]
            values[code] = count - (1 if count and rng.random() < 0.3 else 0)
    return values


def _tasks(config: YearConfig, rng: random.Random) -> dict[str, tuple[str | None, str | None, str | None]]:
    diligence = rng.uniform(0.55, 1.0)
    reports: dict[str, tuple[str | None, str | None, str | None]] = {}
    for index, task in enumerate(config.source.assessed_tasks(), 1):
        draw = rng.random()
        if draw < 0.04:
            status = TaskStatus.NOT_APPLICABLE
        elif draw < 0.04 + 0.8 * diligence:
            status = TaskStatus.DONE
        elif draw < 0.97:
            status = TaskStatus.PARTLY
        else:
            status = TaskStatus.NOT_STARTED
        evidence = None
        if status in (TaskStatus.DONE, TaskStatus.PARTLY) and rng.random() < 0.9 + 0.1 * diligence:
            evidence = f"{task.id} 工作方案、总结及相关文件（{index} 份）"
        practice = rng.choice(PRACTICES) if status is not TaskStatus.NOT_STARTED else None
        reports[task.id] = (status.value, practice, evidence)
    return reports


def _opened(wb_bytes: bytes) -> Workbook:
    return load_workbook(io.BytesIO(wb_bytes))


def province_sample(config: YearConfig, unit: Unit, sizes: _Sizes) -> bytes:
    """One unit's filled workbook, deterministic for the year and unit."""
    year = config.indicator_set.year
    rng = _rng("sample", year, unit.code)
    items = config.source.province_items()
    values = _figures(items, unit, year, sizes.share[unit.code], _deadline(config), rng)
    # a few units type figures the way people do; validation reads them and says so
    quirk = rng.random()
    if quirk < 0.08 and "admin_cases_opened" in values:
        values["admin_cases_opened"] = f"{values['admin_cases_opened']:,}"
    percent_cell: str | None = None
    if 0.08 <= quirk < 0.14:
        # typed as "95.3%": Excel stores 0.953 and formats the cell as a percentage
        ratio = next((i.code for i in items if i.kind is ItemKind.RATIO), None)
        if ratio is not None and isinstance(values.get(ratio), float):
            values[ratio] = round(float(values[ratio]) / 100, 3)  # type: ignore[arg-type]
            percent_cell = ratio
    filled_on = _deadline(config) - timedelta(days=rng.randint(1, 12))
    contact = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
    filling = Filling(
        cover={"contact": contact, "phone": f"0{rng.randint(10, 99)}-{rng.randint(60000000, 89999999)}",
               "filled_on": filled_on},
        tasks=_tasks(config, rng), values=values,
    )
    wb = _opened(workbook_bytes(build_template(config.source, unit)))
    fill(wb, filling)
    if percent_cell is not None:
        wb[L.DATA][value_cells(wb)[percent_cell]].number_format = "0.0%"
    return workbook_bytes(wb)


def central_sample(config: YearConfig, units: list[Unit], sizes: _Sizes) -> bytes:
    """The central office's records for every unit."""
    year = config.indicator_set.year
    items = config.source.central_items()
    wb = _opened(workbook_bytes(build_central_template(config.source, units)))
    ws = wb[L.CENTRAL]
    incident_unit = _rng("incident", year).choice(units).code
    for offset, unit in enumerate(units):
        rng = _rng("central", year, unit.code)
        values = _figures(items, unit, year, sizes.share[unit.code], _deadline(config), rng)
        if unit.code == incident_unit and "major_incident" in values:
            values["major_incident"] = "是"
        for column, item in enumerate(items, L.CENTRAL_FIRST_COL):
            ws[f"{get_column_letter(column)}{L.CENTRAL_FIRST_ROW + offset}"] = values.get(item.code)
    return workbook_bytes(wb)


def write_samples(config: YearConfig, out_dir: Path) -> list[Path]:
    """Write all 32 units' workbooks into ``out_dir`` and the central office's beside it."""
    units = sorted(config.units.values(), key=lambda u: u.code)
    sizes = _Sizes.of(units)
    written = []
    for unit in units:
        path = out_dir / template_name(unit)
        write_bytes_atomically(path, province_sample(config, unit, sizes))
        written.append(path)
    central = out_dir.parent / L.central_file_name(config.indicator_set.year)
    write_bytes_atomically(central, central_sample(config, units, sizes))
    written.append(central)
    return written


def write_invalid_samples(config: YearConfig, other_year: YearConfig | None,
                          out_dir: Path) -> list[Path]:
    """One broken workbook per class of problem, and a README line for each."""
    units = sorted(config.units.values(), key=lambda u: u.code)
    unit = units[0]
    valid = province_sample(config, unit, _Sizes.of(units))

    def other_template() -> bytes:
        source = other_year if other_year is not None else config
        return workbook_bytes(build_template(source.source, unit))

    lines = [
        "# sample_inputs/invalid/",
        "",
        f"每个文件代表一类问题，由 `scoring sample {config.indicator_set.year} -o sample_inputs/"
        f"{config.indicator_set.year} --invalid sample_inputs/invalid` 从{unit.name}的有效报送生成；"
        "`scoring validate 文件` 应报告所列代码（测试逐一核对）。",
        "",
        "| 文件 | 问题 | 代码 |",
        "|---|---|---|",
    ]
    written = []
    for broken in catalogue(other_template):
        path = out_dir / broken.name
        write_bytes_atomically(path, broken.build(valid))
        written.append(path)
        note = f"（`--year {broken.expect_year}`）" if broken.expect_year else ""
        lines.append(f"| {broken.name} | {broken.description}{note} | `{broken.code}` |")
    readme = out_dir / "README.md"
    write_bytes_atomically(readme, ("\n".join(lines) + "\n").encode())
    return [*written, readme]
