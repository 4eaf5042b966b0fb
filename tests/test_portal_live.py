"""The portal as it runs: uvicorn in a subprocess with its worker pool, on loopback only.

32 units upload at once; the server is killed (SIGKILL) in the middle of uploads; PostgreSQL is
stopped and started under the running portal; hostile workbooks are processed while the server
keeps answering.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
from portal_fixtures import LiveClient, LiveServer, PostgresServer, invalid, live_http, sample
from sqlalchemy import select, text

from scoring.indicators.units import load_units
from scoring.portal.store import Database
from scoring.portal.store.models import AuditEntry, Blob, Version


def _versions(url: str) -> tuple[list[Version], list[AuditEntry], dict[str, str]]:
    db = Database(url)
    try:
        with db.transaction(writes=False) as session:
            versions = list(session.scalars(select(Version).order_by(Version.id)))
            audit = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
            digests = {sha: hashlib.sha256(data).hexdigest()
                       for sha, data in session.execute(select(Blob.sha256, Blob.data))}
            return versions, audit, digests
    finally:
        db.dispose()


def _consistent(url: str) -> list[Version]:
    """Every version has its bytes, the bytes match their address, and each has one audit row."""
    versions, audit, digests = _versions(url)
    uploads = [a.object for a in audit if a.action == "upload"]
    assert sorted(uploads) == sorted(f"version:{v.id}" for v in versions)
    for version in versions:
        assert digests[version.blob_sha256] == version.blob_sha256
    assert all(sha == digest for sha, digest in digests.items())
    if url.startswith("sqlite"):
        db = Database(url)
        try:
            with db.transaction(writes=False) as session:
                assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        finally:
            db.dispose()
    return versions


def test_32_units_upload_at_once(live_server: LiveServer) -> None:
    codes = sorted(load_units().by_code())
    with ThreadPoolExecutor(8) as pool:
        clients = list(pool.map(lambda code: LiveClient(live_server, f"u{code}"), codes))
    barrier = threading.Barrier(len(codes))

    def go(pair: tuple[str, LiveClient]) -> int:
        code, client = pair
        barrier.wait()
        return client.upload(sample(code)).status_code

    with ThreadPoolExecutor(len(codes)) as pool:
        statuses = list(pool.map(go, zip(codes, clients, strict=True)))
    assert statuses == [303] * 32
    versions = _consistent(live_server.db_url)
    assert sorted(v.unit_code for v in versions) == codes
    assert {v.number for v in versions} == {1} and all(v.errors == 0 for v in versions)
    _, audit, _ = _versions(live_server.db_url)
    assert len([a for a in audit if a.action == "sign-in"]) == 32


def test_one_account_uploads_many_at_once(live_server: LiveServer) -> None:
    """Every upload of one province's account is stored with a number of its own, however many
    arrive together: on PostgreSQL some got 409 when their numbers collided (4 of these 24, 22 of
    48 in the review), most of all when the validator refuses a file at once."""
    client = LiveClient(live_server, "sh")
    count = 24
    barrier = threading.Barrier(count)
    data = sample("310000").read_bytes()

    def go(n: int) -> int:
        body = data if n % 2 else f"不是工作簿 {n}".encode()  # half are refused at once by the validator
        barrier.wait()
        response = client.http.post("/upload", data={"csrf_token": client.csrf},
                                    files={"file": (f"第{n}次.xlsx", body, "application/octet-stream")})
        return response.status_code

    with ThreadPoolExecutor(count) as pool:
        statuses = Counter(pool.map(go, range(count)))
    assert statuses == {303: count}
    versions = _consistent(live_server.db_url)
    assert sorted(v.number for v in versions) == list(range(1, count + 1))
    assert {v.unit_code for v in versions} == {"310000"}
    assert sorted(v.errors == 0 for v in versions) == [False] * (count // 2) + [True] * (count // 2)
    assert sorted(v.file_name for v in versions) == sorted(f"第{n}次.xlsx" for n in range(count))


def _slow_body(data: bytes, boundary: str, started: threading.Event) -> Iterator[bytes]:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    yield head + data[: len(data) // 2]
    started.set()
    time.sleep(30)  # the server is killed meanwhile
    yield data[len(data) // 2:] + f"\r\n--{boundary}--\r\n".encode()


def test_a_killed_server_leaves_no_partial_version(live_server: LiveServer) -> None:
    first = LiveClient(live_server, "sh")
    assert first.upload(sample("310000")).status_code == 303
    data = sample("310000").read_bytes()

    # killed while an upload is streaming in
    started = threading.Event()
    slow = live_http(live_server, cookies=first.http.cookies, timeout=60)
    boundary = "portal-test-boundary"

    def send() -> None:
        try:
            slow.post("/upload", content=_slow_body(data, boundary, started),
                      headers={"content-type": f"multipart/form-data; boundary={boundary}"})
        except httpx2.HTTPError:
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    assert started.wait(30)
    time.sleep(0.3)
    live_server.kill()

    # killed while several complete uploads are being validated and stored
    live_server.start()
    clients = [LiveClient(live_server, f"u{code}") for code in ("110000", "120000", "130000", "140000")]
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(lambda c, code: c.upload(sample(code)), c, code)
                   for c, code in zip(clients, ("110000", "120000", "130000", "140000"), strict=True)]
        time.sleep(0.15)
        live_server.kill()
        for future in futures:
            try:
                future.result()
            except httpx2.HTTPError:
                pass
    live_server.start()
    versions = _consistent(live_server.db_url)
    assert versions[0].unit_code == "310000" and versions[0].number == 1
    assert len({(v.unit_code, v.number) for v in versions}) == len(versions)
    again = LiveClient(live_server, "sh")
    assert again.upload(sample("310000")).status_code == 303
    _consistent(live_server.db_url)


def test_hostile_workbooks_do_not_stall_the_server(live_server: LiveServer) -> None:
    client = LiveClient(live_server, "bj")
    probe = live_http(live_server, timeout=30)
    hostile = [invalid(n) for n in ("zip-bomb", "xml-entity", "many-entries", "truncated")] * 2
    latencies: list[float] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            start = time.perf_counter()
            assert probe.get("/health").status_code == 200
            latencies.append(time.perf_counter() - start)
            time.sleep(0.02)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda p: client.upload(p).status_code, hostile))
    finally:
        done.set()
        poller.join()
    assert statuses == [303] * len(hostile)
    versions, _, _ = _versions(live_server.db_url)
    assert len(versions) == len(hostile) and all(v.errors > 0 for v in versions)
    assert latencies and max(latencies) < 1.0


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_restart_under_the_running_portal(live_server: LiveServer,
                                                     postgres: PostgresServer) -> None:
    client = LiveClient(live_server, "sh")
    assert client.http.get("/").status_code == 200
    postgres.stop()
    try:
        down = client.http.get("/")
        assert down.status_code == 503 and "数据库暂时无法连接" in down.text and "Traceback" not in down.text
        assert client.upload(sample("310000")).status_code == 503
    finally:
        postgres.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if client.http.get("/").status_code == 200:
            break
        time.sleep(0.2)
    assert client.http.get("/").status_code == 200
    assert client.upload(sample("310000")).status_code == 303
