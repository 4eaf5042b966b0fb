"""``scoring serve``: the web portal under uvicorn (``--demo`` for a throw-away demonstration)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from scoring.cli.console import err, guarded, out
from scoring.cli.db import DbOpt, database_url, shown_url

HostOpt = Annotated[str, typer.Option("--host", help="监听地址")]
PortOpt = Annotated[int, typer.Option("--port", min=1, max=65535, help="端口")]
SecureOpt = Annotated[bool, typer.Option(
    "--secure-cookies", help="会话 Cookie 仅经 HTTPS 发送（部署在 HTTPS 之后时使用）")]
DemoOpt = Annotated[bool, typer.Option(
    "--demo", help="演示：临时数据库，每个角色和单位一个账号，附样例报送（仅限本机）")]
WorkersOpt = Annotated[int, typer.Option(
    "--workers", min=0, max=16, help="校验工作进程数（0：在服务进程内）")]
ProxyOpt = Annotated[list[str] | None, typer.Option(
    "--forwarded-allow-ips", metavar="ADDR",
    help="反向代理的地址或网段（可重复或用逗号分隔）：只有来自这些地址的 X-Forwarded-For "
         "才被采信；默认不采信任何代理")]
DataOpt = Annotated[Path | None, typer.Option(
    "--data-dir", metavar="DIR", help="评分任务的工作目录（默认 var/；结果本身保存在数据库中）")]


@guarded
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000, db: DbOpt = None,
          secure_cookies: SecureOpt = False, demo: DemoOpt = False, workers: WorkersOpt = 2,
          data_dir: DataOpt = None, forwarded_allow_ips: ProxyOpt = None) -> None:
    """启动考核报送门户。默认数据库为 var/portal.sqlite3（首次启动时创建）。"""
    from scoring.errors import ScoringError
    from scoring.portal.admin import prepare_for_serving
    from scoring.portal.server import check_demo_host, proxy_addresses, run_server
    from scoring.portal.settings import PortalSettings, utc_now

    proxies = proxy_addresses(forwarded_allow_ips or [])
    folder = Path()
    if demo:
        check_demo_host(host)
        if db is not None:
            raise ScoringError("演示模式使用临时数据库，不能同时指定 --db")
        from scoring.portal.demo import seed_demo

        folder = Path(tempfile.mkdtemp(prefix="scoring-demo-"))
        url = f"sqlite:///{folder / 'demo.sqlite3'}"
        err.print("正在准备演示数据（2020 年度评分约需几秒）…")
        logins = seed_demo(url, PortalSettings(database_url=url, data_dir=folder))
        out.print(f"[bold]演示模式[/]（临时数据库 {escape(str(folder))}，退出时删除）")
        for note in logins.notes:
            out.print(f"  · {escape(note)}")
        out.print(f"所有演示账号的密码：[bold]{escape(logins.password)}[/]")
        out.print("  " + "；".join(f"{label} {name}" for name, label in logins.staff))
        out.print("工作人员账号须输入动态验证码：把下列密钥加入手机验证器应用（基于时间，6 位，30 秒），"
                  "或运行 python -c \"import pyotp; print(pyotp.TOTP('密钥').now())\" 得到当前验证码")
        for name, secret in logins.totp_secrets.items():
            out.print(f"  {escape(name)}：{escape(secret)}")
        provinces = "、".join(f"{name}（{unit_name}）" for name, _, unit_name in logins.provinces)
        out.print(f"  省级单位：{provinces}")
        out.print(f"打开 http://{host}:{port}/ ：")
        out.print("  · 省级单位：以 demo-310000（上海市）登录，上传 sample_inputs/2022/310000-上海.xlsx"
                  " 并提交")
        out.print("  · 全国双打办：以 demo-central 登录，审核天津、广东和上海，录入记录，开始评分并发布")
        out.print("  · 审核人员：以 demo-auditor 登录，查看配置审计报告，复核已发布的评分，查询审计日志")
    else:
        url = database_url(db)
        err.print(f"数据库：{escape(shown_url(url))}：{prepare_for_serving(url)}")
    clock = utc_now
    if demo:
        from scoring.portal.demo import demo_clock

        clock = demo_clock()
    settings = PortalSettings(database_url=url, secure_cookies=secure_cookies, validation_workers=workers,
                              demo=demo, data_dir=data_dir or (folder if demo else None), clock=clock,
                              forwarded_allow_ips=proxies)
    try:
        run_server(settings, host, port)
    finally:
        if demo:
            shutil.rmtree(folder, ignore_errors=True)
