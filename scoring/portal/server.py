"""Starting the portal under uvicorn (``scoring serve``)."""

from __future__ import annotations

import ipaddress
import signal
import socket
from types import FrameType

from scoring.errors import ScoringError
from scoring.portal.settings import PortalSettings


def is_loopback(host: str) -> bool:
    """True when ``host`` names only this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback
                       for info in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False


def check_demo_host(host: str) -> None:
    """The demo database has known passwords: it is served on loopback only."""
    if not is_loopback(host):
        raise ScoringError(f"演示模式只能在本机地址上运行（--host 127.0.0.1），拒绝在 {host} 上启动")


def proxy_addresses(given: list[str]) -> tuple[str, ...]:
    """The addresses (or networks) of the reverse proxies named with ``--forwarded-allow-ips``,
    checked: a proxy is named by address, never by a wildcard or a host name."""
    checked = []
    for item in (part.strip() for entry in given for part in entry.split(",")):
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ScoringError(f"--forwarded-allow-ips：“{item}”不是 IP 地址或网段"
                               "（只信任明确列出的反向代理地址，不接受 * 或主机名）") from None
        checked.append(str(network.network_address) if network.num_addresses == 1 else str(network))
    return tuple(checked)


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def run_server(settings: PortalSettings, host: str, port: int) -> None:
    """Serve the portal until interrupted.

    uvicorn shuts down gracefully on SIGTERM and then raises the signal again; with Python's
    default handler that would end the process on the spot, skipping the caller's clean-up (the
    demo's temporary folder), so SIGTERM is made to unwind the stack instead."""
    import uvicorn

    from scoring.portal.app import create_app

    app = create_app(settings)
    signal.signal(signal.SIGTERM, _stop)
    trusted = list(settings.forwarded_allow_ips)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False, date_header=False,
                timeout_graceful_shutdown=5, proxy_headers=bool(trusted), forwarded_allow_ips=trusted or [],
                timeout_keep_alive=5)
