"""What the office states about the year's 通报 before it is issued: issuer, 机关代字 and 文号,
成文日期, 主送, 抄送, 印发, 公开属性, the published basis of each veto, the fonts and what goes to
the 32 offices. Read from ``indicators/notices/YEAR.yaml``; nothing here is ever taken from the clock.

A year without the file gets the defaults below: the 文号's number and the dates are left blank for
the office to fill in by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field

from scoring.indicators.items import Strict
from scoring.settings import get_settings
from scoring.yamlfile import load_model

DEFAULT_ISSUER = "全国打击侵权假冒工作领导小组办公室"
DEFAULT_RECIPIENTS = "各省、自治区、直辖市和新疆生产建设兵团打击侵权假冒工作领导小组办公室"


class NoticeFonts(Strict):
    """The faces of each element, in order of preference (the first one installed is used)."""

    def __getitem__(self, role: str) -> list[str]:
        """The candidates for ``role`` (``fonts["kaiti"]`` in templates)."""
        value: list[str] = getattr(self, role)
        return value

    xiaobiaosong: list[str] = Field(default_factory=lambda: ["方正小标宋简体", "FZXiaoBiaoSong-B05S"],
                                    description="发文机关标志和标题（小标宋）")
    fangsong: list[str] = Field(default_factory=lambda: ["仿宋_GB2312", "FangSong_GB2312", "仿宋"],
                                description="文号、正文、版记（仿宋）")
    heiti: list[str] = Field(default_factory=lambda: ["黑体", "SimHei"],
                             description="一级标题、附件标签（黑体）")
    kaiti: list[str] = Field(default_factory=lambda: ["楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"],
                             description="二级标题（楷体）")
    songti: list[str] = Field(default_factory=lambda: ["宋体", "SimSun"], description="页码（宋体）")


class VetoBasis(Strict):
    """The published basis of a veto, stated in the 通报 beside the fact."""

    basis: str = Field(min_length=1, description="否决的依据（如 平安建设考核中重大事件一票否决的规定）")


class NoticeConfig(Strict):
    """The ``notice:`` block."""

    issuer: str = Field(default=DEFAULT_ISSUER, min_length=1, description="发文机关（署名、印发机关）")
    masthead: str | None = Field(default=None, description="发文机关标志；默认为 发文机关 + 文件")
    code: str = Field(default="打假办", min_length=1, description="机关代字")
    doc_year: int | None = Field(default=None, description="文号中的年份；默认为考核年度的次年")
    number: int | None = Field(default=None, ge=1, description="文号中的序号；空时留空位待填")
    date: dt.date | None = Field(default=None, description="成文日期；空时留空位待填")
    recipients: str = Field(default=DEFAULT_RECIPIENTS, min_length=1, description="主送机关")
    copy_to: list[str] = Field(default_factory=list, description="抄送机关")
    printer: str | None = Field(default=None, description="印发机关；默认为发文机关")
    print_date: dt.date | None = Field(default=None, description="印发日期；默认为成文日期")
    openness: Literal["此件公开发布", "此件依申请公开", "此件不予公开"] = Field(
        default="此件依申请公开", description="公开属性")
    comparison_caveat: str | None = Field(
        default=None, description="与上一考核年度比较时的说明（两年方法不同时写明）")
    vetoes: dict[str, VetoBasis] = Field(default_factory=dict, description="各一票否决指标公布的依据")
    unscored_effect: str = Field(
        default="本年度不确定平安建设考核档次，不折算平安建设考核得分",
        description="未评分对单位平安建设考核得分的影响（成绩单上写明）")
    resubmit_by: dt.date | None = Field(default=None, description="更正后重新报送的截止日期")
    technical_to_units: bool = Field(default=False, description="技术说明是否随通报发送32个单位")
    fonts: NoticeFonts = Field(default_factory=NoticeFonts)

    def doc_number(self, year: int) -> str:
        """``打假办〔2023〕3号``, or ``打假办〔2023〕　号`` while the number is open."""
        number = str(self.number) if self.number is not None else "　"
        return f"{self.code}〔{self.doc_year or year + 1}〕{number}号"


class NoticeFile(Strict):
    """``indicators/notices/YEAR.yaml``."""

    schema_version: Literal[1] = 1
    notice: NoticeConfig


def notice_path(year: int) -> Path:
    """Where the year's notice settings live."""
    return get_settings().indicators_dir / "notices" / f"{year}.yaml"


def load_notice_config(year: int) -> NoticeConfig:
    """The year's notice settings (defaults when the file is absent); raises ``ConfigError`` with
    the file and line when it is malformed."""
    path = notice_path(year)
    if not path.is_file():
        return NoticeConfig()
    return load_model(path, NoticeFile).notice
