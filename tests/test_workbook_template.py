"""Generated templates: layout, protection, validation, metadata, determinism, LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from scoring.cli import app
from scoring.workbook.validate import validate_submission
from scoring.workbook.years import load_year_config

runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "110000.xlsx"
    result = runner.invoke(app, ["template", "2022", "--unit", "110000", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_sheets_metadata_and_rows(template: Path) -> None:
    wb = load_workbook(template)
    assert wb.sheetnames == ["填报说明", "封面", "任务落实", "工作数据", "_lists", "_meta"]
    # very hidden: not even offered under 取消隐藏
    assert [wb[n].sheet_state for n in wb.sheetnames] == ["visible"] * 4 + ["veryHidden"] * 2
    meta = {wb["_meta"].cell(r, 1).value: wb["_meta"].cell(r, 2).value for r in range(1, 6)}
    config = load_year_config(2022)
    assert config is not None
    assert meta["year"] == "2022" and meta["unit_code"] == "110000"
    assert meta["indicator_sha256"] == config.source.sha256 and len(meta["indicator_sha256"]) == 64
    tasks = [wb["任务落实"].cell(r, 1).value for r in range(2, wb["任务落实"].max_row + 1)]
    assert tasks == [t.id for t in config.source.assessed_tasks()]
    covered = {t for _, i in config.indicator_set.indicators() for t in i.tasks}
    assert set(tasks) == covered & {t.id for t in config.plan.tasks()}
    data = wb["工作数据"]
    assert [c.value for c in data[1]] == ["序号", "数据项", "计量单位", "填报值", "备注", "代码"]
    rows = range(2, data.max_row + 1)
    items = config.source.province_items()
    # people see a number and a Chinese name; the machine code is in a hidden column
    assert [data.cell(r, 1).value for r in rows] == list(range(1, len(items) + 1))
    names = [i.name + ("" if i.required else "（选填）") for i in items]
    assert [data.cell(r, 2).value for r in rows] == names
    assert [data.cell(r, 6).value for r in rows] == [i.code for i in items]
    assert data.column_dimensions["F"].hidden
    assert not any(re.search(r"[a-z]+_[a-z]+", str(data.cell(r, c).value)) for r in rows for c in range(1, 6))
    assert wb["封面"]["B2"].value == "110000" and wb["封面"]["B3"].value == "北京市"


def test_protection_locks_everything_but_inputs(template: Path) -> None:
    wb = load_workbook(template)
    for name in ("填报说明", "封面", "任务落实", "工作数据"):
        ws = wb[name]
        assert ws.protection.sheet and not ws.protection.password
    tasks, data, cover = wb["任务落实"], wb["工作数据"], wb["封面"]
    assert tasks["C2"].protection.locked and not tasks["D2"].protection.locked
    assert data["A2"].protection.locked and not data["D2"].protection.locked
    assert cover["B2"].protection.locked and not cover["B5"].protection.locked
    assert tasks.freeze_panes == "B2" and data.freeze_panes == "D2"
    assert str(tasks.page_setup.paperSize) == tasks.PAPERSIZE_A4 == "9"  # A4


def test_data_validation_and_lists(template: Path) -> None:
    wb = load_workbook(template)
    status = [dv for dv in wb["任务落实"].data_validations.dataValidation if dv.type == "list"]
    assert len(status) == 1 and status[0].formula1 == "=_lists!$A$2:$A$5"
    assert [wb["_lists"].cell(r, 1).value for r in range(2, 6)] == ["已完成", "部分完成", "未开展", "不适用"]
    data = wb["工作数据"].data_validations.dataValidation
    covered = {str(cell) for dv in data for rng in dv.sqref.ranges for cell in [rng.coord]}
    assert {f"D{r}" for r in range(2, wb["工作数据"].max_row + 1)} <= covered
    for dv in [*data, *status]:
        assert dv.prompt and len(dv.prompt) <= 255 and dv.showErrorMessage
        assert dv.formula1 is None or len(dv.formula1) <= 255


def test_templates_are_byte_identical(tmp_path: Path, template: Path) -> None:
    again = tmp_path / "again.xlsx"
    assert runner.invoke(app, ["template", "2022", "--unit", "110000", "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == template.read_bytes()


def test_blank_template_validates_to_missing_values_only(template: Path) -> None:
    submission = validate_submission(template, load_year_config)
    codes = {f.code for f in submission.findings if f.severity == "error"}
    assert codes == {"value-missing", "task-status-missing", "cover-missing"}


def test_cli_all_and_bad_arguments(tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", "2020", "--all", "-o", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert len(names) == 32 and names[0] == "110000-北京.xlsx" and names[-1] == "660000-兵团.xlsx"
    bad_unit = runner.invoke(app, ["template", "2022", "--unit", "999999", "-o", str(tmp_path / "x.xlsx")])
    assert bad_unit.exit_code == 1 and "999999" in bad_unit.output
    assert runner.invoke(app, ["template", "2022", "-o", str(tmp_path)]).exit_code == 2
    no_year = runner.invoke(app, ["template", "2019", "--all", "-o", str(tmp_path / "y")])
    assert no_year.exit_code == 1 and "2019" in no_year.output


def test_libreoffice_opens_and_keeps_everything(template: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None, "LibreOffice is part of the test set-up (./dev test installs it)"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(template)],
        capture_output=True, text=True, timeout=120, check=False)
    converted = tmp_path / "out" / template.name
    assert done.returncode == 0 and converted.exists(), done.stderr
    original, saved = load_workbook(template), load_workbook(converted)
    assert saved.sheetnames == original.sheetnames
    for name in ("封面", "任务落实", "工作数据"):
        a, b = original[name], saved[name]
        assert [[c.value for c in row] for row in a.iter_rows(max_col=3)] == [
            [c.value for c in row] for row in b.iter_rows(max_col=3)]
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(converted) as zout:
        def validations(z: zipfile.ZipFile) -> int:
            return sum(len(re.findall(rb"<dataValidation ", z.read(n)))
                       for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
        assert validations(zout) == validations(zin)


def test_central_office_workbook(tmp_path: Path) -> None:
    path = tmp_path / "central.xlsx"
    result = runner.invoke(app, ["template", "2022", "--central", "-o", str(path)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(path)
    ws = wb["中央记录"]
    config = load_year_config(2022)
    assert config is not None
    codes = [ws.cell(2, c).value for c in range(3, ws.max_column + 1)]
    assert codes == [i.code for i in config.indicator_set.items if i.source.value == "central"]
    assert [ws.cell(r, 1).value for r in range(3, 35)] == sorted(config.units)
    blank = validate_submission(path, load_year_config)
    assert blank.unit_code == "central" and not blank.valid
    missing = [f for f in blank.findings if f.code == "value-missing"]
    assert len(missing) == 32 * len(codes)
    assert "是" in next(f.message for f in missing if "重大事件" in f.message)


def _instructions(year: int) -> str:
    from scoring.workbook.template import build_template

    config = load_year_config(year)
    assert config is not None
    ws = build_template(config.source, config.units["660000"])["填报说明"]
    return "\n".join(str(c.value) for c in ws["A"] if c.value)


def test_instructions_come_from_the_years_configuration() -> None:
    for year in (2020, 2022):
        config = load_year_config(year)
        assert config is not None and config.indicator_set.submission is not None
        window = config.indicator_set.submission
        text = _instructions(year)
        deadline = window.deadline
        assert f"报送截止日期：{deadline.year}年{deadline.month}月{deadline.day}日" in text
        assert f"报送对象：{window.recipient}" in text
        assert "新疆生产建设兵团" in text and config.source.sha256 in text
        kinds = {i.kind.value for i in config.source.province_items()}
        # only the kinds of input this year's data sheet holds are explained
        assert ("百分数" in text) is ("ratio" in kinds)
        assert ("日期按" in text) is ("date" in kinds)
        assert ("下拉列表中选择；" in text) is bool(kinds & {"yes_no", "choice"})
    assert "百分数" in _instructions(2020) and "百分数" not in _instructions(2022)


def _wrapped(text: str, per_line: int) -> list[str]:
    return [part[i:i + per_line] for part in text.split("\n") for i in range(0, len(part), per_line)]


@pytest.mark.parametrize("year", [2020, 2022])
def test_titles_never_leave_one_character_alone(year: int) -> None:
    from scoring.workbook.template import TASK_WIDTHS, _per_line, balanced

    config = load_year_config(year)
    assert config is not None
    titles = [f"{s.label}、{s.title}" for s in config.plan.sections]
    for title in titles:
        # LibreOffice and Excel fit a few more characters than the estimate: none may be orphaned
        for per_line in range(_per_line(TASK_WIDTHS[1]), _per_line(TASK_WIDTHS[1]) + 6):
            lines = _wrapped(balanced(title, TASK_WIDTHS[1]), per_line)
            assert all(len(line) > 1 for line in lines), (title, lines)
    long_name = "2022 年度打击侵权假冒工作考核报送表（新疆维吾尔自治区）"
    assert all(len(line) > 1 for line in _wrapped(balanced(long_name, 20, 14), _per_line(20, 14)))


def test_printed_template_shows_no_code_or_hidden_sheet(template: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None, "LibreOffice is part of the test set-up (./dev test installs it)"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(template)],
        capture_output=True, text=True, timeout=120, check=False)
    pdf = tmp_path / (template.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "工作数据" in text or "填报值" in text
    assert not re.search(r"[a-z]+_[a-z]+", text), re.findall(r"[a-z]+_[a-z]+", text)[:5]
    assert "_lists" not in text and "_meta" not in text and "落实情况\n已完成\n部分完成" not in text
