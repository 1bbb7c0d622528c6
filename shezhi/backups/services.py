"""Backups that restore: `backup_create` dumps the database (pg_dump's custom format, or SQLite's
online backup) and copies the uploaded files into one folder with a manifest of checksums and of
what the database held; `backup_restore` verifies every checksum first, refuses a database that
already holds data unless forced, restores, and checks the result against the manifest."""

import getpass
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from shezhi.accounts.models import User
from shezhi.backups import manifest, retention
from shezhi.backups.manifest import DatabaseState, FileEntry, Manifest, ManifestError
from shezhi.backups.state import (
    RESTORE_EVENT,
    applied_migrations,
    database_state,
    proof_failures,
)
from shezhi.core.models import AuditEvent, identity_snapshot
from shezhi.org.models import OrgUnit

PREFIX = "shezhi-backup-"
STAMP = "%Y%m%dT%H%M%SZ"
NAME_RE = re.compile(rf"^{PREFIX}(\d{{8}}T\d{{6}}Z)$")
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MEDIA_DIR = "media"
# Every business record hangs off these: a database with a row in one of them holds data.
DATA_MARKERS = (OrgUnit, User, AuditEvent)


class BackupError(Exception):
    """A backup or restore that must stop; the message says what and where, in Chinese."""


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    state: DatabaseState
    media_files: int


# --- PostgreSQL tools ------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """pg_dump, pg_restore or psql: from SHEZHI_PG_BIN, the PATH, or Debian's newest cluster."""
    if settings.SHEZHI_PG_BIN:
        path = Path(settings.SHEZHI_PG_BIN) / name
        if not path.is_file():
            raise BackupError(
                _("SHEZHI_PG_BIN 目录中没有 %(tool)s：%(path)s") % {"tool": name, "path": path}
            )
        return str(path)
    found = shutil.which(name)
    if found:
        return found
    debian = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return str(debian[-1])
    raise BackupError(
        _("找不到 %(tool)s：请安装 PostgreSQL 客户端，或用 SHEZHI_PG_BIN 指明其目录")
        % {"tool": name}
    )


def _pg_args_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-2000:]
        raise BackupError(_("%(what)s失败：%(detail)s") % {"what": what, "detail": detail})


# --- backup ----------------------------------------------------------------------------------


def _dump_postgres(target: Path) -> tuple[DatabaseState, dict[str, str]]:
    """pg_dump from an exported snapshot, and the state read in that same snapshot: the counts
    in the manifest are exactly those of the dump, even while the platform is in use."""
    args, env = _pg_args_env()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cmd = [
            pg_tool("pg_dump"),
            *args,
            "--format=custom",
            f"--snapshot={snapshot}",
            f"--file={target}",
            "--dbname",
            str(connection.settings_dict["NAME"]),
        ]
        _run(cmd, env, _("数据库导出（pg_dump）"))
        return database_state(), applied_migrations()


def _dump_sqlite(target: Path) -> tuple[DatabaseState, dict[str, str]]:
    """SQLite's online backup and the counts inside one read transaction: both see the same
    snapshot while writers go on (WAL). A deferred transaction, as the backup API cannot copy
    from a connection that holds the write lock (Django's atomic() takes it at once)."""
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("BEGIN DEFERRED")
    try:
        raw.execute("SELECT COUNT(*) FROM django_migrations").fetchone()  # the snapshot starts
        dest = sqlite3.connect(target)
        try:
            raw.backup(dest)
            # A plain file: opening the copy must not create -wal/-shm files beside it.
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
        return database_state(), applied_migrations()
    finally:
        raw.execute("COMMIT")


def _media_is_local() -> bool:
    backend = settings.STORAGES["default"]["BACKEND"]
    return backend.endswith("FileSystemStorage")


def _copy_media(folder: Path) -> list[FileEntry]:
    source = Path(settings.MEDIA_ROOT)
    target = folder / MEDIA_DIR
    entries = []
    if not source.is_dir():
        return entries
    for path in manifest.files_under(source):
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
        entries.append(manifest.entry_for(folder, copy))
    return entries


def _not_in_transaction() -> None:
    if connection.in_atomic_block:
        raise BackupError(_("备份与恢复不能在数据库事务中进行"))


def backup_create(*, into: Path | None = None, now: datetime | None = None) -> Path:
    """Write a complete backup into a new folder under `into` (SHEZHI_BACKUP_DIR by default)
    and return it. The folder carries its final name only once everything is written."""
    _not_in_transaction()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    parent = Path(into or settings.SHEZHI_BACKUP_DIR)
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / f"{PREFIX}{now:{STAMP}}"
    if final.exists():
        raise BackupError(_("备份目录已存在：%(path)s") % {"path": final})
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=parent))
    try:
        vendor = connection.vendor
        if vendor == "postgresql":
            db_file = PG_DUMP_FILE
            state, migrations = _dump_postgres(work / db_file)
        elif vendor == "sqlite":
            db_file = SQLITE_FILE
            state, migrations = _dump_sqlite(work / db_file)
        else:
            raise BackupError(_("不支持备份该数据库：%(vendor)s") % {"vendor": vendor})
        files = [manifest.entry_for(work, work / db_file)]
        local = _media_is_local()
        if local:
            files += _copy_media(work)
        manifest.write(
            work,
            Manifest(
                created_at=now.isoformat(),
                engine=vendor,
                database_file=db_file,
                migrations=migrations,
                state=state,
                files=files,
                media="included" if local else "external",
            ),
        )
        work.chmod(0o700)  # a backup holds residents' personal data
        try:
            work.rename(final)
        except OSError as exc:  # another backup took the same name meanwhile
            raise BackupError(_("备份目录已存在：%(path)s") % {"path": final}) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


# --- verify and restore ----------------------------------------------------------------------


def backup_verify(*, folder: Path) -> Manifest:
    """The backup's manifest, once every file checks out; BackupError listing each problem."""
    if not folder.is_dir():
        raise BackupError(_("备份目录不存在：%(path)s") % {"path": folder})
    try:
        found = manifest.read(folder)
    except ManifestError as exc:
        raise BackupError(_("备份无法使用：%(why)s") % {"why": exc}) from exc
    problems = manifest.problems(folder, found)
    if problems:
        raise BackupError(
            _("备份校验失败，未做任何恢复：%(path)s\n%(lines)s")
            % {"path": folder, "lines": "\n".join(f"  - {p}" for p in problems)}
        )
    return found


def database_has_data() -> bool:
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in (m._meta.db_table for m in DATA_MARKERS):
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


def _restore_postgres(dump: Path) -> None:
    """Replace the whole public schema with the dump's in one transaction: on any error the
    database is left as it was."""
    args, env = _pg_args_env()
    connection.close()  # hold no lock of our own while the schema is replaced
    with tempfile.TemporaryDirectory(prefix="shezhi-restore-") as tmp:
        sql = Path(tmp) / "restore.sql"
        to_sql = [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            f"--file={sql}",
            str(dump),
        ]
        _run(to_sql, env, _("读取数据库备份（pg_restore）"))
        load = [
            pg_tool("psql"),
            *args,
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--single-transaction",
            "--command=DROP SCHEMA public CASCADE",
            "--command=CREATE SCHEMA public",
            f"--file={sql}",
            "--dbname",
            str(connection.settings_dict["NAME"]),
        ]
        env["PGOPTIONS"] = "-c client_min_messages=warning"  # not a NOTICE per dropped table
        _run(load, env, _("写入数据库（psql）"))


def _restore_sqlite(copy: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_media(folder: Path, found: Manifest) -> int:
    root = Path(settings.MEDIA_ROOT)
    prefix = f"{MEDIA_DIR}/"
    count = 0
    for entry in found.files:
        if entry.path.startswith(prefix):
            target = root / entry.path.removeprefix(prefix)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / entry.path, target)
            count += 1
    return count


def backup_restore(*, folder: Path, force: bool = False, by: str = "") -> RestoreResult:
    """Restore a backup into the configured database and media folder, then prove it: the row
    counts, the audit log's digest and every proof's signature must match the manifest. Then the
    restore itself goes into the restored audit log (who — the platform account `by`, if given,
    and the server account —, when, which backup, whether it checked out)."""
    _not_in_transaction()
    found = backup_verify(folder=folder)
    if found.engine != connection.vendor:
        raise BackupError(
            _("该备份来自 %(theirs)s 数据库，当前配置的是 %(ours)s，无法恢复")
            % {"theirs": found.engine, "ours": connection.vendor}
        )
    if not force and database_has_data():
        raise BackupError(
            _(
                "目标数据库已有数据（机构、账号或审计日志），未做任何恢复。"
                "确认要用备份覆盖全部现有数据时，加 --force 再运行"
            )
        )
    if found.engine == "postgresql":
        _restore_postgres(folder / found.database_file)
    else:
        _restore_sqlite(folder / found.database_file)
    media = _restore_media(folder, found) if found.media == "included" else 0
    after = database_state()
    lines = found.state.differences(after)
    lines += [_("证明 %(no)s 的签名或文件校验失败") % {"no": no} for no in proof_failures()]
    _audit_restore(folder=folder, found=found, force=force, by=by, problems=lines)
    if lines:
        raise BackupError(
            _("恢复后核对不符：\n%(lines)s") % {"lines": "\n".join(f"  - {x}" for x in lines)}
        )
    return RestoreResult(manifest=found, state=after, media_files=media)


def _audit_restore(
    *, folder: Path, found: Manifest, force: bool, by: str, problems: list[str]
) -> AuditEvent:
    """The restore's own audit event, written after the check (the restore replaced the log)."""
    user = User.objects.filter(username=by).first() if by else None
    try:
        account = f"{getpass.getuser()}@{socket.gethostname()}"
    except (KeyError, OSError):  # no name for this uid (a container)
        account = f"uid {os.getuid()}@{socket.gethostname()}"
    database = next((f for f in found.files if f.path == found.database_file), None)
    return AuditEvent.objects.create(
        actor=user,
        actor_identity=(identity_snapshot(user) if user else f"shezhi restore · {account}")[:120],
        action=AuditEvent.Action.UPDATE,
        object_type=RESTORE_EVENT,
        object_id=folder.name[:40],
        summary=(
            _("从备份恢复数据库：%(name)s（备份于 %(at)s）")
            % {"name": folder.name, "at": found.created_at}
        )[:300],
        changes={
            "folder": str(folder.resolve()),
            "backup_created_at": found.created_at,
            "database_sha256": database.sha256 if database else "",
            "engine": found.engine,
            "force": force,
            "by": by,
            "server_account": account,
            "checked": not problems,
            "problems": problems[:20],
        },
    )


# --- retention -------------------------------------------------------------------------------


def backups_in(parent: Path) -> dict[datetime, Path]:
    """Complete backups (with a manifest) under parent, by their time."""
    found = {}
    if parent.is_dir():
        for path in parent.iterdir():
            match = NAME_RE.match(path.name)
            if match and (path / manifest.MANIFEST).is_file():
                found[datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC)] = path
    return found


def backup_prune(*, within: Path | None = None) -> list[Path]:
    """Delete the backups the retention knobs no longer keep; return what was deleted."""
    existing = backups_in(Path(within or settings.SHEZHI_BACKUP_DIR))
    doomed = retention.to_prune(
        existing,
        daily=settings.SHEZHI_BACKUP_KEEP_DAILY,
        weekly=settings.SHEZHI_BACKUP_KEEP_WEEKLY,
        monthly=settings.SHEZHI_BACKUP_KEEP_MONTHLY,
    )
    for stamp in doomed:
        shutil.rmtree(existing[stamp])
    return [existing[s] for s in doomed]
