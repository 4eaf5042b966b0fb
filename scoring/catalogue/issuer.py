"""Who issued a plan, and so which prefix its task ids carry (see ``models`` for the id scheme).

The national plan, issued by the national leading group (全国打击侵犯知识产权和制售假冒伪劣商品
工作领导小组, or its office) or in early years by 国务院办公厅, keeps unprefixed ids. Any other
issuer's plan gets a prefix, so that its catalogue can never be mistaken for the national one:

* a province-level unit (the issuer starts with a unit's full name from indicators/units.yaml:
  上海市…, 浙江省…, 新疆生产建设兵团…): the unit's code, ``310000``;
* a place below it (杭州市…, 浙江省杭州市…, 上海市浦东新区…): the place's name, ``杭州市``;
* a central department of the registry (市场监管总局): its short name.

Without an issuer line the title is read the same way (2022年上海市…工作要点); a title that names
no one (2021年工作要点) is taken as national, as it always was. A non-national issuer that is
none of the above (or a title that says 全省/全市 without saying which) gets no prefix: the
caller must name one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from scoring.catalogue.departments import Registry
from scoring.catalogue.models import ID_PREFIX_PATTERN
from scoring.problems import Problem, Severity

_NATIONAL = re.compile(r"^(?:全国|国务院)")
_SOMEWHERE = re.compile(r"^全(?:省|市|区|州|县|盟|旗|兵团)")
_TITLE_LEAD = re.compile(r"^(?:关于印发)?[《〈]?\s*\d{4}\s*年度?")
_PLACE = re.compile(
    r"^(?P<place>[\u4e00-\u9fff]{2,10}?(?:自治州|自治县|自治旗|新区|地区|市|州|盟|县|区|旗))"
    r"(?=打击|双打|人民政府|\d{4}\s*年|[\u4e00-\u9fff]{0,16}(?:领导小组|办公室|委员会|办公厅|局|厅))"
)


@dataclass(frozen=True)
class IssuerScope:
    """Whether a plan is national and, if not, the prefix its task ids carry and whose it is.

    ``national`` False with ``prefix`` None: a local plan whose issuer could not be placed.
    """

    national: bool
    prefix: str | None = None
    name: str | None = None


NATIONAL = IssuerScope(national=True)
UNPLACED = IssuerScope(national=False)


def _placed(text: str, units: Mapping[str, str]) -> IssuerScope | None:
    """The unit or place ``text`` starts with, if any."""
    for name in sorted(units, key=len, reverse=True):
        if text.startswith(name):
            below = _PLACE.match(text[len(name):])
            if below is not None:
                return IssuerScope(national=False, prefix=below["place"], name=name + below["place"])
            return IssuerScope(national=False, prefix=units[name], name=name)
    place = _PLACE.match(text)
    if place is not None:
        return IssuerScope(national=False, prefix=place["place"], name=place["place"])
    return None


def issuer_scope(issuer: str | None, title: str, *, units: Mapping[str, str],
                 registry: Registry) -> IssuerScope:
    """The scope of a plan from its issuer line, else its title (``units``: full name → code)."""
    if issuer:
        issuer = re.sub(r"\s+", "", issuer)
        if _NATIONAL.match(issuer):
            return NATIONAL
        placed = _placed(issuer, units)
        if placed is not None:
            return placed
        department = registry.resolve(issuer)
        if department is not None and re.match(ID_PREFIX_PATTERN, department.name):
            return IssuerScope(national=False, prefix=department.name, name=department.name)
    subject = _TITLE_LEAD.sub("", re.sub(r"\s+", "", title))
    if _NATIONAL.match(subject):
        return NATIONAL
    placed = _placed(subject, units)
    if placed is not None:
        return placed
    if issuer or _SOMEWHERE.match(subject):
        return UNPLACED
    return NATIONAL


def default_title(year: int, scope: IssuerScope, issuer: str | None) -> str:
    """The title used when the document has none: the national plan's, or the issuer's own."""
    if scope.national:
        return f"{year}年全国打击侵犯知识产权和制售假冒伪劣商品工作要点"
    return f"{year}年{scope.name or issuer or ''}打击侵犯知识产权和制售假冒伪劣商品工作要点"


def scope_problems(scope: IssuerScope, *, issuer: str | None, title: str, example: str,
                   explicit: bool, file: str) -> list[Problem]:
    """What the user is told about the ids' prefix: which one and why, or that one is needed."""
    if scope.national:
        return []
    who = f"发文机关“{issuer}”" if issuer else f"标题“{title}”"
    if explicit:
        message = f"按 --prefix 为任务编号加前缀“{scope.prefix}”，如 {example}"
    elif scope.prefix is None:
        return [Problem(
            code="id-prefix-unknown", severity=Severity.ERROR, file=file, value=issuer or title,
            message=f"{who}不是全国打击侵权假冒工作领导小组，也无法识别为某个省级单位或地区，"
                    "无法为任务编号确定前缀（以免与全国目录的编号混同）；请用 --prefix 指定，"
                    "如单位代码 310000 或地名 杭州市")]
    else:
        message = (f"{who}不是全国打击侵权假冒工作领导小组，任务编号加“{scope.name}”的前缀"
                   f"“{scope.prefix}”，如 {example}，不会与全国目录的编号混同")
    return [Problem(code="local-plan", severity=Severity.INFO, file=file, value=scope.prefix,
                    message=message)]
