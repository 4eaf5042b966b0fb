"""``scoring db backup`` and ``scoring db restore``: a copy of the portal's database, checked after it
is written (写后核对), and restored only into an empty database.

* SQLite: the online backup API copies the database inside one read transaction, into a temporary
  file beside the target; the copy must pass ``PRAGMA integrity_check``, hold the same tables with
  the same row counts as that transaction read, and its audit-log hash chain must verify. Only then
  is it renamed into place (never over an existing file).
* PostgreSQL: ``pg_dump -Fc`` from a snapshot exported by the transaction that counted the rows;
  the written file is read back with ``pg_restore`` (its table list, every table's rows, and the
  audit log's chain recomputed from the dumped rows). Credentials go to the tools through the
  environment (``PGPASSWORD`` …), never on their command line.

A restore checks the backup the same way before it touches the target, then checks the target:
the code's schema revision, the chain, the row counts. Every refusal is a ``ScoringError``.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scoring.errors import ScoringError
from scoring.portal.store.audit import ChainStatus, verify_chain, verify_rows
from scoring.portal.store.db import is_sqlite, make_engine
from scoring.portal.store.migrate import SchemaState, code_head, schema_state
from scoring.portal.store.models import AuditAnchor, AuditEntry

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupReport:
    """What a backup or a restore wrote and what was checked afterwards."""

    action: str  # 备份 | 恢复
    path: Path  # the backup file
    database: str  # the database, without its password
    counts: dict[str, int] = field(default_factory=dict)  # rows per table
    chain: ChainStatus | None = None  # None: not checked (a schema older than the code's)
    revision: str | None = None

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def text(self) -> str:
        """The report in Chinese, as the command line prints it."""
        if self.action == "备份":
            head = f"已备份 {self.database} 到 {self.path}"
        else:
            head = f"已从 {self.path} 恢复到 {self.database}（结构版本 {self.revision}）"
        done = f"{head}：{len(self.counts)} 张表、{self.rows} 行，写后核对一致"
        if self.chain is None:
            return f"{done}；数据库结构版本 {self.revision} 较旧，未核对审计日志哈希链"
        return f"{done}；审计日志哈希链完整（{self.chain.rows} 条记录）"


def backup_database(url: str, path: Path) -> BackupReport:
    """Write a checked backup of the database at ``url`` to ``path`` (which must not exist)."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise ScoringError(f"{path} 已存在，拒绝覆盖；请换一个文件名")
    if not path.parent.is_dir():
        raise ScoringError(f"{path.parent} 不是已有的文件夹")
    return _backup_sqlite(url, path) if is_sqlite(url) else _backup_postgres(url, path)


def restore_database(path: Path, url: str) -> BackupReport:
    """Restore the backup at ``path`` into the empty database at ``url``, checked before and after."""
    path = Path(path)
    if not path.is_file():
        raise ScoringError(f"备份文件 {path} 不存在")
    with path.open("rb") as file:
        magic = file.read(len(SQLITE_MAGIC))
    kinds = {"SQLite": magic.startswith(SQLITE_MAGIC), "PostgreSQL": magic.startswith(PGDUMP_MAGIC)}
    wanted = "SQLite" if is_sqlite(url) else "PostgreSQL"
    if not any(kinds.values()):
        raise ScoringError(f"{path} 不是 scoring db backup 写出的备份文件")
    if not kinds[wanted]:
        other = next(kind for kind, found in kinds.items() if found)
        raise ScoringError(f"{path} 是 {other} 数据库的备份，不能恢复到 {wanted} 数据库")
    return _restore_sqlite(path, url) if is_sqlite(url) else _restore_postgres(path, url)


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _refuse_broken_chain(where: str, chain: ChainStatus | None) -> None:
    if chain is not None and not chain.intact:
        raise ScoringError(f"{where}的审计日志哈希链{chain.text()}，拒绝使用")


def _require_current(where: str, revision: str | None) -> None:
    if revision is None:
        raise ScoringError(f"{where}不是本系统的数据库（没有结构版本记录）")
    if revision != code_head():
        raise ScoringError(f"{where}的数据库结构版本 {revision} 与本程序的 {code_head()} 不同；"
                           "请用写出该备份的程序版本恢复，再升级")


# —— files: a temporary file beside the target, renamed into place only when checked ——


@contextmanager
def _temporary_beside(path: Path) -> Iterator[Path]:
    """A new empty file (mode 0600) in ``path``'s folder, removed afterwards unless renamed."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        for leftover in (temporary, Path(f"{name}-journal"), Path(f"{name}-wal"), Path(f"{name}-shm")):
            with suppress(FileNotFoundError):
                leftover.unlink()


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _publish(temporary: Path, path: Path) -> None:
    """Give the checked ``temporary`` its name ``path`` at once, never over an existing file."""
    _sync(temporary)
    try:
        os.link(temporary, path)  # fails if ``path`` appeared meanwhile
    except FileExistsError:
        raise ScoringError(f"{path} 已存在，拒绝覆盖；请换一个文件名") from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise ScoringError(f"{path} 已存在，拒绝覆盖；请换一个文件名") from None
        os.replace(temporary, path)
    _sync(path.parent)


# —— SQLite ——


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ScoringError("内存中的 SQLite 数据库不能备份或恢复，请指定数据库文件")
    return Path(database)


def _open_sqlite(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection to an existing file (``mode=rw`` so that a WAL database can be read)."""
    uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rw'}"
    return sqlite3.connect(uri, uri=True, isolation_level=None)


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


def _sqlite_revision(conn: sqlite3.Connection, counts: dict[str, int]) -> str | None:
    if "alembic_version" not in counts:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def _chain_of_file(path: Path) -> ChainStatus:
    """The audit chain of an SQLite file, read without the portal's connection settings (which would
    turn a backup file into WAL mode)."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            return verify_chain(session)
    finally:
        engine.dispose()


def _check_sqlite_copy(path: Path, where: str) -> tuple[dict[str, int], str | None, ChainStatus | None]:
    """Integrity, rows per table, revision and (for the code's schema) the chain of an SQLite file."""
    try:
        conn = _open_sqlite(path, read_only=True)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise ScoringError(f"{where}已损坏（完整性检查：{'；'.join(map(str, problems[:3]))}）")
            counts = _sqlite_counts(conn)
            revision = _sqlite_revision(conn, counts)
        finally:
            conn.close()
        chain = _chain_of_file(path) if revision == code_head() else None
    except (sqlite3.Error, SQLAlchemyError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip()
        raise ScoringError(f"{where}已损坏或不是 SQLite 数据库（{reason}）") from None
    return counts, revision, chain


def _backup_sqlite(url: str, path: Path) -> BackupReport:
    source = _sqlite_file(url)
    if not source.is_file():
        raise ScoringError(f"数据库文件 {source} 不存在")
    with _temporary_beside(path) as temporary:
        try:
            conn = _open_sqlite(source, read_only=False)
            try:
                conn.execute("BEGIN")  # the counts and the copy see the same snapshot
                counts = _sqlite_counts(conn)
                revision = _sqlite_revision(conn, counts)
                if revision is None:
                    raise ScoringError(f"{source} 不是本系统的数据库（没有结构版本记录）")
                copy = sqlite3.connect(temporary, isolation_level=None)
                try:
                    conn.backup(copy)
                    copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                finally:
                    copy.close()
                conn.execute("COMMIT")
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise ScoringError(f"读取数据库 {source} 失败（{exc}）") from None
        written, _, chain = _check_sqlite_copy(temporary, "写出的备份")
        if written != counts:
            raise ScoringError(f"写出的备份与数据库不一致（{_difference(counts, written)}），未保存")
        _refuse_broken_chain("数据库", chain)
        _publish(temporary, path)
    return BackupReport("备份", path, str(source), counts, chain, revision)


def _require_empty(url: str) -> None:
    """Refuse a target database that has any table (``schema_state`` EMPTY and nothing else)."""
    engine = create_engine(url) if is_sqlite(url) else make_engine(url)
    try:
        state, _ = schema_state(engine)
        tables = sorted(inspect(engine).get_table_names())
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip()
        raise ScoringError(f"无法读取目标数据库 {_shown(url)}（{reason}）") from None
    finally:
        engine.dispose()
    if state is not SchemaState.EMPTY or tables:
        listed = "、".join(tables[:5]) + ("等" if len(tables) > 5 else "")
        raise ScoringError(f"目标数据库 {_shown(url)} 不是空库（已有 {len(tables)} 张表：{listed}），"
                           "只能恢复到空数据库；请新建一个空库或指定新的文件")


def _restore_sqlite(path: Path, url: str) -> BackupReport:
    target = _sqlite_file(url)
    if target.exists():
        _require_empty(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    counts, revision, chain = _check_sqlite_copy(path, f"备份文件 {path} ")
    _require_current(f"备份文件 {path} ", revision)
    _refuse_broken_chain(f"备份文件 {path} ", chain)
    with _temporary_beside(target) as temporary:
        try:
            source = _open_sqlite(path, read_only=True)
            copy = sqlite3.connect(temporary, isolation_level=None)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        except sqlite3.Error as exc:
            raise ScoringError(f"备份文件 {path} 已损坏（{exc}）") from None
        copied, _, copied_chain = _check_sqlite_copy(temporary, "恢复的副本")
        if copied != counts or copied_chain != chain:
            raise ScoringError(f"恢复的副本与备份不一致（{_difference(counts, copied)}），目标未改动")
        if target.exists():
            _require_empty(url)  # still empty: nothing was written there meanwhile
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):  # an empty database's, never replayed
            with suppress(FileNotFoundError):
                stale.unlink()
        os.replace(temporary, target)
        _sync(target.parent)
    return _verify_restored(path, url, counts)


def _verify_restored(path: Path, url: str, counts: dict[str, int]) -> BackupReport:
    """The restored database at the code's revision, its chain intact and its rows as in the backup."""
    engine = make_engine(url)
    try:
        state, revision = schema_state(engine)
        with engine.connect() as conn:
            restored = {name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
                        for name in sorted(inspect(conn).get_table_names())}
        with Session(engine) as session:
            chain = verify_chain(session)
    finally:
        engine.dispose()
    where = f"恢复后的数据库 {_shown(url)} "
    if state is not SchemaState.CURRENT:
        raise ScoringError(f"{where}结构版本为 {revision}，不是本程序的 {code_head()}；请勿使用")
    if restored != counts:
        raise ScoringError(f"{where}与备份不一致（{_difference(counts, restored)}）；请勿使用")
    _refuse_broken_chain(where, chain)
    return BackupReport("恢复", path, _shown(url), restored, chain, revision)


def _difference(expected: dict[str, int], found: dict[str, int]) -> str:
    names = sorted(set(expected) | set(found))
    return "；".join(f"{name}：应为 {expected.get(name, '无此表')}，实为 {found.get(name, '无此表')}"
                    for name in names if expected.get(name) != found.get(name))[:500]


# —— PostgreSQL: pg_dump and pg_restore ——


def _pg_tool(name: str) -> str:
    """The newest installed PostgreSQL client program ``name``."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path is None:
        raise ScoringError(f"没有找到 {name}（PostgreSQL 客户端程序，Debian 的 postgresql-client 软件包）")
    return on_path


def _pg_env(url: str) -> dict[str, str]:
    """The environment that points libpq at ``url``'s database (the password never on a command line)."""
    parsed = make_url(url)
    env = dict(os.environ)
    host = parsed.host or parsed.query.get("host")
    given = {"PGHOST": host if isinstance(host, str) else (host[0] if host else None),
             "PGPORT": str(parsed.port) if parsed.port else None, "PGUSER": parsed.username,
             "PGPASSWORD": parsed.password, "PGDATABASE": parsed.database,
             "PGSSLMODE": parsed.query.get("sslmode")}
    env.update({key: value if isinstance(value, str) else value[0] for key, value in given.items() if value})
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, timeout=3600, check=False)
    except OSError as exc:
        raise ScoringError(f"无法运行 {command[0]}（{exc.strerror or exc}）") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ScoringError(f"{what}（{' '.join(reason) or f'退出码 {done.returncode}'}）")
    return done.stdout.decode("utf-8", "replace")


@dataclass
class _Dump:
    """What a pg_dump file holds, read back with pg_restore."""

    counts: dict[str, int]
    revision: str | None
    audit_columns: list[str]
    audit_lines: list[str]
    listed: set[str]  # the tables whose data ``pg_restore --list`` names
    anchor_columns: list[str] = field(default_factory=list)
    anchor_lines: list[str] = field(default_factory=list)  # audit_anchor: one per prune

    def chain(self, where: str) -> ChainStatus | None:
        """The audit chain recomputed from the dumped rows (None for a schema older than the code's)."""
        if self.revision != code_head():
            return None
        try:
            rows = sorted((_audit_row(self.audit_columns, line) for line in self.audit_lines),
                          key=lambda row: row.id)
            anchors = sorted((_anchor_row(self.anchor_columns, line) for line in self.anchor_lines),
                             key=lambda anchor: anchor.id)
        except (ValueError, TypeError) as exc:
            raise ScoringError(f"{where}中的审计记录无法读取（{exc}）") from None
        return verify_rows(rows, anchors[-1] if anchors else None)


_COPY = re.compile(r'^COPY (?:"?public"?\.)?"?([^" ]+)"? \((.*)\) FROM stdin;$')
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)")
_CONTROL = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unescape(value: str) -> str | None:
    """A field of COPY's text format: ``\\N`` is NULL, backslash escapes as PostgreSQL writes them."""
    if value == r"\N":
        return None

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "x" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code[0].isdigit():
            return chr(int(code, 8))
        return _CONTROL.get(code, code)

    return _ESCAPE.sub(one, value)


def _audit_row(columns: list[str], line: str) -> AuditEntry:
    values = dict(zip(columns, (_unescape(v) for v in line.split("\t")), strict=True))
    at, account_id = values.pop("at"), values.pop("account_id")
    return AuditEntry(id=int(values.pop("id") or 0), at=datetime.fromisoformat(at or ""),
                      account_id=int(account_id) if account_id is not None else None, **values)


def _anchor_row(columns: list[str], line: str) -> AuditAnchor:
    values = dict(zip(columns, (_unescape(v) for v in line.split("\t")), strict=True))
    return AuditAnchor(id=int(values["id"] or 0), last_id=int(values["last_id"] or 0),
                       last_chain=values["last_chain"] or "")


def _read_dump(path: Path, where: str) -> _Dump:
    """Every table's rows, the schema revision and the audit chain, as restoring ``path`` would give."""
    tool, env = _pg_tool("pg_restore"), dict(os.environ)
    listing = _run([tool, "--list", str(path)], env, f"{where}不是 pg_dump 备份或已损坏")
    listed = set(re.findall(r"^\d+; \d+ \d+ TABLE DATA \S+ (\S+) ", listing, re.MULTILINE))
    counts: dict[str, int] = {}
    revisions: list[str] = []
    audit_columns: list[str] = []
    audit_lines: list[str] = []
    anchor_columns: list[str] = []
    anchor_lines: list[str] = []
    process = subprocess.Popen([tool, "--data-only", "--file", "-", str(path)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    table: str | None = None
    columns: list[str] = []
    try:
        for raw in process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if table is None:
                match = _COPY.match(line)
                if match:
                    table, columns = match.group(1), [c.strip().strip('"') for c in match.group(2).split(",")]
                    counts[table] = 0
            elif line == "\\.":
                table = None
            else:
                counts[table] += 1
                if table == "alembic_version":
                    revisions.append(_unescape(line) or "")
                elif table == "audit_log":
                    audit_columns = columns
                    audit_lines.append(line)
                elif table == "audit_anchor":
                    anchor_columns = columns
                    anchor_lines.append(line)
        stderr = process.stderr.read().decode("utf-8", "replace").strip()
    finally:
        process.stdout.close()
        returncode = process.wait()
        process.stderr.close()
    if returncode != 0 or table is not None:
        raise ScoringError(f"{where}已损坏或不完整（{' '.join(stderr.splitlines()[-2:]) or '数据中断'}）")
    if missing := sorted(listed - set(counts)):
        raise ScoringError(f"{where}缺少表的数据：{'、'.join(missing)}")
    return _Dump(counts, revisions[0] if revisions else None, audit_columns, audit_lines, listed,
                 anchor_columns, anchor_lines)


def _backup_postgres(url: str, path: Path) -> BackupReport:
    dump, env = _pg_tool("pg_dump"), _pg_env(url)
    engine = make_engine(url)
    try:
        with engine.connect() as base:
            conn: Connection = base.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                tables = sorted(inspect(conn).get_table_names())
                counts = {name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
                          for name in tables}
                if "alembic_version" not in counts:
                    raise ScoringError(f"{_shown(url)} 不是本系统的数据库（没有结构版本记录）")
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                with _temporary_beside(path) as temporary:
                    _run([dump, "--format=custom", f"--snapshot={snapshot}", "--file", str(temporary)],
                         env, f"pg_dump 备份 {_shown(url)} 失败")
                    written = _read_dump(temporary, "写出的备份")
                    if unlisted := sorted(set(counts) - written.listed):
                        raise ScoringError(f"写出的备份的目录中缺少表：{'、'.join(unlisted)}，未保存")
                    if written.counts != counts:
                        differs = _difference(counts, written.counts)
                        raise ScoringError(f"写出的备份与数据库不一致（{differs}），未保存")
                    chain = written.chain("写出的备份")
                    _refuse_broken_chain("数据库", chain)
                    _publish(temporary, path)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip()
        raise ScoringError(f"读取数据库 {_shown(url)} 失败（{reason}）") from None
    finally:
        engine.dispose()
    return BackupReport("备份", path, _shown(url), counts, chain, revision)


def _restore_postgres(path: Path, url: str) -> BackupReport:
    restore = _pg_tool("pg_restore")
    dump = _read_dump(path, f"备份文件 {path} ")
    _require_current(f"备份文件 {path} ", dump.revision)
    _refuse_broken_chain(f"备份文件 {path} ", dump.chain(f"备份文件 {path} "))
    _require_empty(url)
    env = _pg_env(url)
    # in one transaction: a failure leaves the target empty; grants name roles of the source server
    _run([restore, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
          "--dbname", env.get("PGDATABASE", ""), str(path)], env, f"pg_restore 恢复到 {_shown(url)} 失败")
    return _verify_restored(path, url, dump.counts)
