"""``scoring verify``: does a published result reproduce from its manifest?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from scoring.cli.console import err, exit_with, guarded, out
from scoring.pipeline import verify as verify_manifest

ManifestArg = Annotated[Path, typer.Argument(metavar="MANIFEST.json", help="评分结果的 manifest.json")]
PdfOpt = Annotated[bool, typer.Option("--pdf", help="同时逐字节比较清单中记录的每一份 PDF")]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出核验结果")]


@guarded
def verify(manifest: ManifestArg, pdf: PdfOpt = False, as_json: JsonOpt = False) -> None:
    """核验：先核对清单记录的每个输入文件的 SHA-256，再按记录的输入与选项重新运行，逐字节比较结果。"""
    with err.status("正在核验输入并重新运行……"):
        result = verify_manifest(manifest, pdf=pdf)
    if as_json:
        typer.echo(json.dumps({"ok": result.ok, "differences": result.differences, "notes": result.notes},
                              ensure_ascii=False, indent=2))
    else:
        for note in result.notes:
            err.print(f"[yellow]注意[/] {escape(note)}")
        if result.ok:
            compared = "scores.json、ranking.xlsx" + ("及全部 PDF" if pdf else "")
            out.print(f"[bold green]一致[/]：{escape(str(manifest))} 的全部输入未变，"
                      f"重新运行得到逐字节相同的 {compared}")
        else:
            for difference in result.differences:
                out.print(f"[bold red]不一致[/]：{escape(difference)}")
    exit_with(0 if result.ok else 1)
