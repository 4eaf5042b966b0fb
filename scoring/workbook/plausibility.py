"""Soft bounds on reported figures: relative to the unit's size, and to its previous year.

Hard bounds (an item's ``min``/``max``) are errors and live with the cell reading (``values``);
the checks here only warn, because a surprising figure can be true. A figure outside the range
``plausible.size`` gives for the unit's population or GDP (units.yaml), or more than
``plausible.previous_factor`` times (or less than its inverse) the unit's previous-year figure,
is shown to the province and listed for the central office, with the cell and the range.
"""

from __future__ import annotations

from collections.abc import Mapping

from scoring.indicators.items import SIZE_BASIS_LABELS, DataItem
from scoring.indicators.units import Unit
from scoring.problems import Problem, Severity
from scoring.workbook.submission import ItemValue
from scoring.workbook.values import shown


def approx(value: float) -> str:
    """A bound or figure as the warnings write it: whole above 100 (with thousands separators),
    else three significant digits."""
    if value >= 100 or value.is_integer():
        return f"{round(value):,}"
    return f"{value:.3g}"


def _number(value: ItemValue) -> float | None:
    raw = value.value
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return float(raw)


def _size_finding(item: DataItem, value: ItemValue, number: float, unit: Unit) -> Problem | None:
    if item.plausible is None or item.plausible.size is None:
        return None
    bounds = item.plausible.size
    span = bounds.range_for(unit.population_10k, unit.gdp_100m_yuan)
    if span is None:
        return None
    low, high = span
    if (low is None or number >= low) and (high is None or number <= high):
        return None
    measure = f" {item.unit}" if item.unit and item.unit != "%" else (item.unit or "")
    per, basis = SIZE_BASIS_LABELS[bounds.per]
    size = unit.population_10k if bounds.per == "population" else unit.gdp_100m_yuan
    size_text = f"{approx(size)} 万人" if bounds.per == "population" else f"{approx(size)} 亿元"
    shown_span = f"{'' if low is None else approx(low)}～{'' if high is None else approx(high)}{measure}"
    per_low = "" if bounds.low is None else f"{bounds.low:g}"
    per_span = f"{per_low}～{'' if bounds.high is None else f'{bounds.high:g}'}"
    side = "偏高" if high is not None and number > high else "偏低"
    return Problem(
        code="value-implausible", severity=Severity.WARNING, sheet=value.sheet, cell=value.cell,
        value=shown(value.value),
        message=(f"{item.name}：{approx(number)}{measure} 与{unit.name}的规模相比明显{side}"
                 f"（{basis} {size_text}，按{per} {per_span}{measure}折算，合理范围约 {shown_span}）；"
                 "请核实，确实如此的可在“备注”中说明"))


def _previous_finding(item: DataItem, value: ItemValue, number: float, before: float) -> Problem | None:
    if item.plausible is None or item.plausible.previous_factor is None or before <= 0:
        return None
    factor = item.plausible.previous_factor
    if before / factor <= number <= before * factor:
        return None
    measure = f" {item.unit}" if item.unit and item.unit != "%" else (item.unit or "")
    if number > before * factor:
        how = f"是上一考核年度（{approx(before)}{measure}）的 {number / before:.0f} 倍"
    elif number == 0:
        how = f"为 0，上一考核年度为 {approx(before)}{measure}"
    else:
        how = f"不足上一考核年度（{approx(before)}{measure}）的 1/{before / number:.0f}"
    return Problem(
        code="value-implausible-change", severity=Severity.WARNING, sheet=value.sheet, cell=value.cell,
        value=shown(value.value),
        message=(f"{item.name}：{approx(number)}{measure}{how}，超出与上一考核年度相比 {factor:g} 倍的范围；"
                 "请核实，确实如此的可在“备注”中说明"))


def size_findings(items: list[DataItem], values: Mapping[str, ItemValue], unit: Unit | None) -> list[Problem]:
    """Warnings for figures outside the plausible range for the unit's size."""
    if unit is None:
        return []
    out: list[Problem] = []
    for item in items:
        value = values.get(item.code)
        number = None if value is None else _number(value)
        if value is None or number is None:
            continue
        finding = _size_finding(item, value, number, unit)
        if finding is not None:
            out.append(finding)
    return out


def previous_year_findings(items: list[DataItem], values: Mapping[str, ItemValue],
                           previous: Mapping[str, float] | None) -> list[Problem]:
    """Warnings for figures that changed by more than the item's factor since the previous year.

    ``previous`` holds the unit's previous-year figures by item code (items without one are
    not compared; a previous figure of 0 gives no ratio and is not compared either).
    """
    if not previous:
        return []
    out: list[Problem] = []
    for item in items:
        value = values.get(item.code)
        number = None if value is None else _number(value)
        before = previous.get(item.code)
        if value is None or number is None or before is None:
            continue
        finding = _previous_finding(item, value, number, float(before))
        if finding is not None:
            out.append(finding)
    return out


def wrong_unit_findings(items: list[DataItem], values: Mapping[str, ItemValue], unit: Unit | None,
                        previous: Mapping[str, float] | None, factor: float) -> list[Problem]:
    """Errors for 万元 amounts more than ``factor`` times what the unit's size and last year make
    plausible: the previous-year figure when there is one, else the low end of the size range
    (an amount typed in 元 is 10,000 times its value in 万元)."""
    out: list[Problem] = []
    for item in items:
        value = values.get(item.code)
        number = None if value is None else _number(value)
        if item.unit != "万元" or value is None or number is None:
            continue
        before = (previous or {}).get(item.code)
        expected: float | None = float(before) if before else None
        what = f"上一考核年度 {approx(expected)} 万元" if expected else ""
        if expected is None and unit is not None and item.plausible is not None \
                and item.plausible.size is not None:
            span = item.plausible.size.range_for(unit.population_10k, unit.gdp_100m_yuan)
            if span is not None and span[0]:
                expected = span[0]
                what = f"按{unit.name}的规模，合理范围下限约 {approx(expected)} 万元"
        if expected is None or number <= factor * expected:
            continue
        out.append(Problem(
            code="value-wrong-unit", severity=Severity.ERROR, sheet=value.sheet, cell=value.cell,
            value=shown(value.value),
            message=(f"{item.name}：{approx(number)} 万元是{what}的 {number / expected:,.0f} 倍"
                     f"（超过 {factor:g} 倍）。是否按元填报？本项单位为万元，请换算为万元（元数除以 10000）"
                     "后重新填写")))
    return out
