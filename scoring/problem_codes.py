"""The catalogue of problem codes: every code the engine reports, with its usual severity,
Chinese name and 处理办法; the README's list of findings is generated from it
(``python -m scoring.problem_codes``), and a test fails when a code is used but not listed here.

Codes whose message is rendered here carry a ``template``; the call site passes only values.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scoring.problems import ProblemKind, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO

_RESAVE = "用本年度模板填写后另存为 Excel 工作簿（.xlsx）再上传"

# (code, severity, 名称, 处理办法, message template or None)
_ENTRIES: tuple[tuple[str, Severity, str, str, str | None], ...] = (
    # the file itself (workbook/guard.py, workbook/validate.py)
    ("file-missing", E, "文件不存在", "检查路径；快捷方式请换成文件本身",
     "文件不存在（或是指向不存在文件的快捷方式）"),
    ("file-is-folder", E, "是文件夹", "把填好的 .xlsx 工作簿本身放入报送目录",
     "这是一个文件夹，不是工作簿文件；请把填好的 .xlsx 工作簿本身放入报送目录"),
    ("file-not-regular", E, "不是普通文件", "上传填好的 .xlsx 工作簿",
     "这不是普通文件（{kind}），已拒绝读取；请上传填好的 .xlsx 工作簿"),
    ("file-unreadable", E, "无法读取文件", "检查文件权限，或复制一份后再试", "无法读取文件（{reason}）"),
    ("file-empty", E, "文件为空", "重新保存后上传", "文件为空（0 字节），请重新保存后上传"),
    ("file-too-large", E, "文件过大", "删去工作簿中的图片和多余内容后另存为 .xlsx",
     "文件过大（{size:.1f} MB，上限 {limit:.0f} MB），未读取；报送工作簿通常不到 1 MB，"
     "请确认文件无误后另存为 .xlsx 再上传"),
    ("file-encrypted", E, "文件已加密", "取消打开密码后另存为 .xlsx",
     "文件设有打开密码（已加密），无法读取；请取消密码后另存为 .xlsx 再上传"),
    ("file-legacy-xls", E, "旧版 .xls 文件", "在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）",
     "这是旧版 Excel 97-2003 文件（.xls），请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再上传"),
    ("file-xls-password", E, "旧版 .xls 设有打开密码", "输入密码打开后取消密码，另存为 Excel 工作簿（.xlsx）",
     "这是设有打开密码的旧版 Excel 文件（.xls），无法读取；"
     "请用密码打开，取消密码后“另存为”Excel 工作簿（.xlsx）再上传"),
    ("file-word-doc", E, "Word 文档", "上传填好的 .xlsx；Word 文档作为佐证材料另行报送",
     "这是 Word 文档（.doc），不是 Excel 工作簿；"
     "请上传用本年度模板填写的 .xlsx，Word 文档可作为佐证材料另行报送"),
    ("file-powerpoint", E, "PowerPoint 演示文稿", "上传填好的 .xlsx；演示文稿作为佐证材料另行报送",
     "这是 PowerPoint 演示文稿（.ppt），不是 Excel 工作簿；请上传用本年度模板填写的 .xlsx"),
    ("file-outlook-msg", E, "Outlook 邮件", "把邮件附件中的 .xlsx 保存出来后上传",
     "这是 Outlook 邮件（.msg），不是 Excel 工作簿；请把邮件中附带的工作簿另存出来，上传该 .xlsx"),
    ("file-visio", E, "Visio 绘图", "上传填好的 .xlsx",
     "这是 Visio 绘图文件，不是 Excel 工作簿；请上传用本年度模板填写的 .xlsx"),
    ("file-ole-other", E, "其他 Office 旧格式文件", _RESAVE,
     "这是旧版 Office 格式的文件，但不是 Excel 工作簿；请用本年度模板填写后保存为 .xlsx"),
    ("file-wps-et", E, "WPS 表格文件", "在 WPS 中“另存为”Excel 工作簿（.xlsx）",
     "这是 WPS 表格文件（.et），请在 WPS 中“另存为”Excel 工作簿（.xlsx）后再上传"),
    ("file-ods", E, "OpenDocument 表格", "“另存为”Excel 工作簿（.xlsx）",
     "这是 OpenDocument 表格（.ods，LibreOffice/WPS 的默认格式），请“另存为”Excel 工作簿（.xlsx）后再上传"),
    ("file-pdf", E, "PDF 文件", "上传填好的 .xlsx；PDF 作为佐证材料另行报送",
     "这是 PDF 文件，无法读取其中的数据；请上传填好的 Excel 工作簿（.xlsx），PDF 可作为佐证材料另行报送"),
    ("file-html", E, "网页或 XML 文件", _RESAVE,
     "这是网页（HTML）或 XML 文件改了扩展名，不是 Excel 工作簿；请用本年度模板填写后保存为 .xlsx"),
    ("file-csv", E, "CSV 或文本文件", _RESAVE,
     "这是 CSV 或文本文件改了扩展名，不是 Excel 工作簿；请用本年度模板填写后保存为 .xlsx"),
    ("file-not-xlsx", E, "不是 Excel 工作簿", _RESAVE,
     "{kind}不是 Excel 工作簿（.xlsx），请用本年度模板填写后上传"),
    ("file-corrupt", E, "文件已损坏", "在 Excel 或 WPS 中打开并重新保存；打不开时请重新填写模板",
     "文件已损坏或不完整，无法读取（{reason}），请重新保存后上传"),
    ("zip-too-many-entries", E, "压缩包内文件过多", "另存为新的 .xlsx（不要附加其他文件）",
     "压缩包内文件过多（{count} 个，上限 {limit} 个），疑似恶意文件，已拒绝"),
    ("workbook-too-many-sheets", E, "工作表过多", "只保留模板的工作表，另存为新的 .xlsx",
     "工作簿有 {count} 个工作表，超过可读取的上限（压缩包内文件不超过 {limit} 个）；报送模板只有 6 个工作表，"
     "请删除多余的工作表后另存为 .xlsx 再上传"),
    ("part-too-large", E, "工作簿内容过大", "删去表格以外的多余内容、图片后另存为 .xlsx",
     "{part}解压后 {size:.1f} MB，超过可读取的上限 {limit:.0f} MB；报送模板填好后通常不到 1 MB，"
     "请删除表格以外的多余内容和图片后另存为 .xlsx 再上传"),
    ("zip-bomb", E, "解压后过大", "删去图片和多余内容后另存为 .xlsx",
     "解压后过大（{what}），疑似压缩炸弹，已拒绝"),
    ("xml-entity", E, "含 XML 实体声明", "在 Excel 或 WPS 中重新保存为 .xlsx",
     "文件中“{part}”含有 DTD/实体声明，疑似 XML 实体攻击，已拒绝"),
    ("internal-error", E, "程序内部错误", "文件本身可能无误；请把文件交全国双打办技术人员，不必修改后重报",
     "校验程序内部出错（{reason}），并非文件损坏；已记录日志，请联系全国双打办技术人员"),
    ("validation-timeout", E, "校验超时", "稍后再试；仍超时请联系全国双打办", None),
    # the template (workbook/validate.py, workbook/template.py)
    ("template-unknown", E, "不是本系统模板", "下载本年度模板重新填写", None),
    ("template-year", E, "他年模板", "下载本年度模板重新填写", None),
    ("template-version", E, "旧版模板", "下载最新模板重新填写", None),
    ("template-config-changed", E, "指标配置已变更", "下载最新模板重新填写", None),
    ("sheet-missing", E, "缺少工作表", "使用原模板填写，不要删除或改名工作表", None),
    ("sheet-extra", W, "多出工作表", "删去多出的工作表（其内容不会被读取）", None),
    ("sheet-order", W, "工作表顺序调整", "无需处理；建议保持模板顺序", None),
    ("sheet-too-large", E, "工作表过大", "删去表格以外的内容后另存", None),
    ("cover-missing", E, "封面未填写", "填写封面该项", None),
    ("unit-missing", E, "未填写单位代码", "在封面填写本单位代码", None),
    ("unit-unknown", E, "单位代码不是考核单位", "填写正确的单位代码", None),
    ("unit-mismatch", E, "单位不符", "确认上传的是本单位的工作簿", None),
    ("year-mismatch", W, "年度不符", "核对年度", None),
    # tables (workbook/tables.py)
    ("header-missing", E, "表头缺失或被改动", "恢复模板中的表头文字", None),
    ("header-row-moved", W, "表头行移动", "无需处理；建议恢复模板格式", None),
    ("header-duplicate", E, "表头重复", "删去重复的列", None),
    ("column-missing", E, "缺少列", "恢复模板中的该列", None),
    ("column-extra", W, "多出的列", "无需处理；多出的列不会被读取", None),
    ("columns-moved", W, "列被移动", "无需处理；已按表头读取", None),
    ("row-label-mismatch", E, "行名称与代码不符", "不要只对可见列排序；恢复模板的行", None),
    ("row-code-missing", W, "行代码被清除", "恢复模板的行（代码在隐藏列）", None),
    ("row-duplicate", E, "行重复", "删去重复的行", None),
    ("row-extra", W, "多出的行", "删去多出的行（其内容不会被读取）", None),
    ("row-missing", E, "缺少行", "恢复模板中的该行", None),
    ("rows-reordered", N, "行顺序调整", "无需处理", None),
    ("content-outside-table", W, "表格以外的内容", "删去表格以外的内容（不会被读取）", None),
    ("merged-cells", E, "合并单元格", "取消合并单元格", None),
    # values (workbook/values.py, workbook/plausibility.py, workbook/submission.py)
    ("value-missing", E, "必填项为空", "填写该项；没有请填 0", None),
    ("value-not-number", E, "不是数字", "只填数字；没有请填 0", None),
    ("value-not-integer", E, "不是整数", "填写整数", None),
    ("value-negative", E, "负数", "填写不小于 0 的数", None),
    ("value-out-of-range", E, "超出硬性范围", "核对数值", None),
    ("value-implausible", W, "超出合理范围", "核对数值及计量单位", None),
    ("value-implausible-change", W, "与上年相差过大", "核对数值及计量单位", None),
    ("value-is-date", E, "数值被设成日期格式", "把单元格格式改为“常规”或“数值”", None),
    ("value-error", E, "错误值", "改为正确的数值或文字", None),
    ("formula-used", N, "含公式", "无需处理；已读取计算结果", None),
    ("formula-no-value", E, "公式没有计算结果", "在 Excel 中打开、重新计算并保存，或改填数值", None),
    ("normalised-fullwidth", N, "全角字符", "无需处理", None),
    ("normalised-thousands", N, "千位分隔符", "无需处理", None),
    ("normalised-percent", N, "带百分号", "无需处理", None),
    ("normalised-text-number", N, "文本数字", "无需处理", None),
    ("normalised-percent-format", N, "百分比格式", "无需处理", None),
    ("percent-display-differs", W, "百分比显示值与存储值不同", "核对单元格的数值；要按显示值评分，"
     "请直接填写显示的百分数", None),
    ("percent-displayed", N, "百分比按显示值读取", "无需处理", None),
    ("ratio-ambiguous", W, "比率读法不确定", "填写百分数（如 90 表示 90%）", None),
    ("date-invalid", E, "无效日期", "填写如 2023-01-15 的日期", None),
    ("date-serial", N, "日期序列号", "无需处理", None),
    ("date-text", N, "文本日期", "无需处理", None),
    ("date-out-of-range", E, "日期早于考核年度", "核对日期", None),
    ("date-late", W, "日期过晚", "核对日期", None),
    ("choice-normalised", W, "下拉值有多余字符", "从下拉列表中选择", None),
    ("choice-invalid", E, "不是可选项", "从下拉列表中选择", None),
    ("yes-no-invalid", E, "应为是或否", "填写“是”或“否”", None),
    ("task-status-missing", E, "未选择落实情况", "从下拉列表中选择落实情况", None),
    ("task-status-invalid", E, "落实情况不是可选项", "从下拉列表中选择落实情况", None),
    ("task-evidence-missing", W, "未填写佐证材料", "填写佐证材料名称", None),
    ("cross-check", E, "数据项之间不一致", "核对相关数据项（级别由指标配置定）", None),
    # what a cell means (issue 19: workbook/validate.py, workbook/plausibility.py)
    ("cell-error-value", E, "单元格显示错误值",
     "改为正确的文字或数值；图片、附件另行报送，单元格内写明材料名称", None),
    ("task-evidence-placeholder", W, "佐证材料只填了占位文字", "写明佐证材料或主要做法的名称", None),
    ("value-wrong-unit", E, "疑似按元填报", "本项单位为万元：把元换算为万元（除以 10000）后填写", None),
    ("measure-unit-changed", E, "计量单位被修改", "恢复模板的计量单位，按模板的单位填写数值", None),
    # central records (workbook/central.py, pipeline)
    ("central-missing", W, "缺少全国双打办记录", "上传本年度全国双打办记录工作簿", None),
    ("central-not-central", E, "不是全国双打办记录工作簿", "使用全国双打办记录模板", None),
    # a scoring folder (scores/, pipeline/)
    ("file-ignored", N, "已忽略的文件", "无需处理", None),
    ("file-not-used", W, "未使用的文件", "无需处理；确认模板工作簿无误", None),
    ("file-unattributed", E, "无法归属的文件", "文件名以单位代码开头，或使用模板填写", None),
    ("submission-unit-mismatch", E, "文件名与内容单位不符",
     "核对文件名与工作簿中的单位；本单位的工作簿须以本单位名称命名", None),
    ("submission-unit-mismatch-elsewhere", W, "另有他单位文件含本单位工作簿",
     "核对报送目录中以其他单位命名的文件", None),
    ("upload-unit-mismatch", E, "上传了其他单位的工作簿", "上传本单位填写的工作簿", None),
    ("adjustment-invalid", E, "加减分记录无效", "按说明修改加减分记录", None),
    ("preview-not-official", W, "预览结果", "正式结果请由全国双打办运行评分", None),
    # evidence files (portal/evidence/content.py; issue 22)
    ("evidence-empty", E, "佐证材料为空", "重新导出文件后上传",
     "文件为空（0 字节），未保存；请重新导出后上传"),
    ("evidence-too-large", E, "佐证材料过大", "压缩或拆分扫描件后上传",
     "文件过大（{size:.1f} MB，上限 {limit:.0f} MB），未保存；请降低扫描分辨率或拆分后上传"),
    ("evidence-too-large-image", E, "图片像素过多", "缩小图片后上传",
     "图片尺寸过大（{width}×{height} 像素），未保存；请缩小后上传"),
    ("evidence-type-not-allowed", E, "不接受的文件类型", "转为 PDF、图片、Word 或 Excel 后上传",
     "不接受“{name}”类型的文件，未保存；佐证材料只接受 PDF、PNG/JPEG 图片、Word（.docx）和 Excel（.xlsx）"),
    ("evidence-type-unknown", E, "无法识别的文件", "转为 PDF 后上传",
     "无法从内容识别文件类型（{name}），未保存；请转为 PDF 后上传"),
    ("evidence-extension-mismatch", E, "扩展名与内容不符", "用正确的扩展名保存后上传",
     "文件扩展名为“{extension}”，内容却是{kind}，未保存；请用正确的格式另存后上传"),
    ("evidence-executable", E, "可执行程序", "只上传文档或图片",
     "这是可执行程序或脚本，不是文档，已拒绝，未保存"),
    ("evidence-markup", E, "网页或脚本内容", "打印为 PDF 后上传",
     "文件开头含网页（HTML/SVG/脚本）内容，可能是伪装文件，已拒绝，未保存；请打印为 PDF 后上传"),
    ("evidence-legacy-office", E, "旧版或加密的 Office 文件", "另存为 .docx/.xlsx（不设密码）或 PDF",
     "这是旧版 Office 97-2003 文件或设有密码的 Office 文件，未保存；"
     "请另存为 .docx/.xlsx（不设密码）或 PDF 后上传"),
    ("evidence-encrypted", E, "文件已加密", "取消密码后重新导出",
     "{kind}设有密码或已加密，审核人员无法打开，未保存；请取消密码后上传"),
    ("evidence-active-content", E, "含脚本或内嵌程序", "打印为不含脚本的 PDF 后上传",
     "文件含有可执行内容（{what}），已拒绝，未保存；请打印为普通 PDF 后上传"),
    ("evidence-unsafe-entry", E, "压缩包内容可疑", "在 Word/Excel 中重新保存后上传",
     "文件内部含可疑条目（{entry}），已拒绝，未保存"),
    ("evidence-zip-bomb", E, "解压后过大", "在 Word/Excel 中删去大图后重新保存",
     "文件解压后过大（{what}），疑似压缩炸弹，已拒绝，未保存"),
    ("evidence-corrupt", E, "文件已损坏", "重新导出后上传",
     "{kind}已损坏或不完整（{reason}），未保存；请重新导出后上传"),
    ("evidence-too-many", E, "佐证材料份数已满", "删去不需要的材料或合并为一个 PDF",
     "该任务已有 {count} 份佐证材料（上限 {limit} 份），未保存；请合并为一个 PDF 后上传"),
)

CATALOGUE: dict[str, ProblemKind] = {
    code: ProblemKind(code=code, severity=severity, title=title, fix=fix, template=template)
    for code, severity, title, fix, template in _ENTRIES
}

README_BEGIN = "<!-- problem-codes:begin（由 python -m scoring.problem_codes 生成，勿手改） -->"
README_END = "<!-- problem-codes:end -->"
_LABELS = {E: "错误", W: "警告", N: "提示"}


def readme_table() -> str:
    """The README's list of findings as a Markdown table, one row per catalogued code."""
    lines = [README_BEGIN, "", "| 代码 | 级别 | 问题 | 处理办法 |", "| --- | --- | --- | --- |"]
    lines += [f"| `{k.code}` | {_LABELS[k.severity]} | {k.title} | {k.fix} |" for k in CATALOGUE.values()]
    return "\n".join([*lines, "", README_END])


def with_table(readme: str) -> str:
    """``readme`` with its generated table replaced by the current one."""
    head, _, rest = readme.partition(README_BEGIN)
    _, _, tail = rest.partition(README_END)
    return head + readme_table() + tail


def main(argv: list[str]) -> int:
    """``python -m scoring.problem_codes [README.md]``: print the table, or rewrite it in the file."""
    if not argv:
        print(readme_table())
        return 0
    path = Path(argv[0])
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
