"""Import jobs and the hours export.

- import_job_create(*, actor, kind, file_name, content, unit_id=None) -> ImportJob
  checks the actor's right and scope and the file's size and type, stores the job and (when
  tasks run inline) queues the task `imports.run` (shezhi/imports/tasks.py) in the same
  transaction; the task runner starts it after commit.
- import_job_run(*, job_id) -> ImportJob: the job itself, a plain function: count rows, check
  every row (nothing written), stage the checked rows in short transactions (STAGE_BATCH rows
  each, so SQLite's single write lock is free between them and the job's heartbeat moves), then
  publish all staged rows in one transaction through the volunteers services (so their rules,
  scope and audit apply); any error = nothing imported. Staged rows are deleted when the job
  ends. The row checks per kind are in `importers/`, the file layouts and cell parsing in
  `sheets.py`.
- hours_export(*, actor, date_from, date_to, out) -> int: the national-system layout with full ID
  numbers; only roles allowed to unmask; audited.
"""

import logging
import tempfile
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.accounts.scoping import sees_everything
from shezhi.core import audit, tasks
from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.core.spreadsheet import safe_row
from shezhi.imports import sheets
from shezhi.imports.importers import RecordImport, RowFailed, VolunteerImport
from shezhi.imports.models import ImportJob, StagedRow
from shezhi.imports.sheets import FileRefused, Problem
from shezhi.org.models import Level, OrgUnit
from shezhi.volunteers import services as volunteer_services
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.selectors import records_in_scope

log = logging.getLogger(__name__)

PROGRESS_EVERY = 100
STAGE_BATCH = 250  # staged rows per short transaction
PUBLISH_PAGE = 500  # staged rows read at a time while publishing
MAX_REPORTED = 5_000  # problems kept in the report (a file can be wrong on every row)
ID_TYPE = "居民身份证"


def max_bytes() -> int:
    return int(settings.SHEZHI_IMPORT_MAX_BYTES)


def max_rows() -> int:
    return int(settings.SHEZHI_IMPORT_MAX_ROWS)


def may_import(actor: User) -> bool:
    return sees_everything(actor) or actor.role in volunteer_services.RECORDING_ROLES


def read_upload(file: IO[bytes] | Any) -> bytes:
    """The uploaded file's bytes, refusing one over the byte limit without reading it all."""
    limit = max_bytes()
    if (getattr(file, "size", 0) or 0) > limit:
        raise FileRefused(f"文件过大：不能超过{limit // 1024 // 1024 or 1}MB")
    return file.read(limit + 1)


# --- creating a job ---------------------------------------------------------------------------


def _target_unit(actor: User, kind: str, unit_id: int | None) -> OrgUnit:
    if unit_id is None:
        unit = actor.unit
        if unit is None:
            raise InvalidInput("请选择导入单位", field="unit_id")
    else:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit is None or not volunteer_services.may_record_for(actor, unit):
            raise NotFound("未找到该单位", field="unit_id")
    if kind == ImportJob.Kind.VOLUNTEERS and unit.level != Level.COMMUNITY:
        raise InvalidInput("导入志愿者须选择一个社区", field="unit_id")
    if not volunteer_services.may_record_for(actor, unit):
        raise NotFound("未找到该单位", field="unit_id")
    return unit


@transaction.atomic
def import_job_create(
    *, actor: User, kind: str, file_name: str, content: bytes, unit_id: int | None = None
) -> ImportJob:
    """Check who imports where and that the file can be an .xlsx within the limits; queue it."""
    if not may_import(actor):
        raise Forbidden("只有社工、督导和管理员可以批量导入")
    if kind not in ImportJob.Kind.values:
        raise InvalidInput("导入类型不正确", field="kind")
    unit = _target_unit(actor, kind, unit_id)
    name = (file_name or "").replace("\x00", "").strip()[-200:] or "upload.xlsx"
    if not name.lower().endswith(".xlsx"):
        raise InvalidInput("请上传 .xlsx 文件（可先下载模板）", field="file")
    sheets.check_file_bytes(content, max_bytes=max_bytes())
    job = ImportJob.objects.create(
        kind=kind, file_name=name, uploaded_by=actor, unit=unit, content=content
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=job,
        summary=f"上传{job.get_kind_display()}导入文件 {name}",
        changes={"bytes": len(content), "unit": unit.pk},
    )
    if settings.SHEZHI_TASKS_INLINE:
        tasks.enqueue("imports.run", label=f"导入 #{job.pk}", job_id=job.pk)
    return job


def run_or_mark_failed(job_id: int) -> None:
    try:
        import_job_run(job_id=job_id)
    except Exception:  # pragma: no cover - logged; the job is marked failed below
        log.exception("import job %s crashed", job_id)
        ImportJob.objects.filter(pk=job_id).exclude(
            status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED]
        ).update(
            status=ImportJob.Status.FAILED,
            errors=[Problem(0, "", "导入时发生内部错误，未导入任何数据").as_dict()],
            content=b"",
            finished_at=timezone.now(),
        )
        staged_purge(job_id=job_id)


STALE_MESSAGE = "导入中断（服务器在导入过程中停止），未导入任何数据，请重新上传文件"
EXPIRED_MESSAGE = "文件等待导入超过保留期限，已删除，未导入任何数据，请重新上传文件"


def import_jobs_sweep(*, now: datetime | None = None) -> tuple[int, int]:
    """Fail jobs whose worker stopped (no heartbeat — `updated_at` — for
    SHEZHI_IMPORT_STALE_MINUTES; an interrupted publish transaction was rolled back, so nothing
    was imported), delete their staged rows, and purge uploaded files kept past
    SHEZHI_IMPORT_FILE_RETENTION_HOURS. Returns (jobs failed, files purged)."""
    now = now or timezone.now()
    running = [ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING]
    stale_before = now - timedelta(minutes=settings.SHEZHI_IMPORT_STALE_MINUTES)
    failed = _fail_where(
        ImportJob.objects.filter(status__in=running, updated_at__lt=stale_before),
        STALE_MESSAGE,
        now,
    )
    expired = now - timedelta(hours=settings.SHEZHI_IMPORT_FILE_RETENTION_HOURS)
    failed += _fail_where(
        ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=expired),
        EXPIRED_MESSAGE,
        now,
    )
    # Finished jobs drop their file when they end; this catches any left behind.
    purged = (
        ImportJob.objects.filter(status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED])
        .exclude(content=b"")
        .update(content=b"", updated_at=now)
    )
    # Staged rows of ended jobs (a stopped worker may have staged more after being failed).
    ended = ImportJob.objects.filter(status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED])
    for job_id in (
        StagedRow.objects.filter(job__in=ended).values_list("job_id", flat=True).distinct()
    ):
        staged_purge(job_id=job_id)
    return failed, purged


def _fail_where(qs: Any, message: str, now: datetime) -> int:
    failed = 0
    for pk in list(qs.values_list("pk", flat=True)):
        # Conditional: a worker that wakes up and finishes first keeps its result.
        failed += qs.filter(pk=pk).update(
            status=ImportJob.Status.FAILED,
            errors=[Problem(0, "", message).as_dict()],
            summary={"error_count": 1, "error_rows": 0, "message": message},
            imported_rows=0,
            content=b"",
            finished_at=now,
            updated_at=now,
        )
        staged_purge(job_id=pk)
    return failed


def staged_purge(*, job_id: int) -> int:
    """Delete a job's staged rows, a batch per short transaction; returns how many."""
    deleted = 0
    while True:
        ids = list(
            StagedRow.objects.filter(job_id=job_id).values_list("pk", flat=True)[:PUBLISH_PAGE]
        )
        if not ids:
            return deleted
        deleted += StagedRow.objects.filter(pk__in=ids).delete()[0]


def import_jobs_run_pending(*, limit: int = 100) -> list[ImportJob]:
    """Run queued jobs, oldest first (the worker when tasks do not run inline)."""
    import_jobs_sweep()
    ids = list(
        ImportJob.objects.filter(status=ImportJob.Status.PENDING)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return [import_job_run(job_id=pk) for pk in ids]


# --- progress ---------------------------------------------------------------------------------


def _progress_key(job_id: int) -> str:
    return f"shezhi:import:{job_id}:processed"


def progress_of(job: ImportJob) -> int:
    """Rows processed. While publishing, the publish transaction cannot show the count on the
    job row itself: it goes to the cache (same process) and, on PostgreSQL, is written to the
    job row through a second connection (seen by every process)."""
    if job.status == ImportJob.Status.IMPORTING:
        cached = cache.get(_progress_key(job.pk))
        if cached is not None:
            return min(max(int(cached), job.processed_rows), job.total_rows)
    return job.processed_rows


class Progress:
    def __init__(self, job: ImportJob, every: int):
        self.job, self.every, self.n = job, every, 0
        self.side: Any = None  # a second connection, outside the import transaction

    def tick(self, *, in_transaction: bool = False) -> None:
        self.n += 1
        if self.n % self.every == 0:
            self.flush(in_transaction=in_transaction)

    def flush(self, *, in_transaction: bool = False) -> None:
        self.job.processed_rows = min(self.n, self.job.total_rows)
        if not in_transaction:
            ImportJob.objects.filter(pk=self.job.pk).update(
                processed_rows=self.job.processed_rows, updated_at=timezone.now()
            )
            return
        cache.set(_progress_key(self.job.pk), self.job.processed_rows, 3600)
        if connection.vendor != "postgresql":
            return  # SQLite has one writer: the import transaction holds it
        if self.side is None:
            main = connections[DEFAULT_DB_ALIAS]
            self.side = type(main)(dict(main.settings_dict), DEFAULT_DB_ALIAS)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s, updated_at = %s "
                "WHERE id = %s AND total_rows >= %s",
                [self.job.processed_rows, timezone.now(), self.job.pk, self.job.processed_rows],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _set(job: ImportJob, **fields: Any) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    job.save(update_fields=[*fields, "updated_at"])


# --- the job ----------------------------------------------------------------------------------


def import_job_run(*, job_id: int, progress_every: int = PROGRESS_EVERY) -> ImportJob:
    """Run one pending job to the end (done or failed). Safe to call synchronously in tests."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.VALIDATING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("uploaded_by", "unit").get(pk=job_id)
    if not claimed:
        return job
    layout = sheets.LAYOUTS[job.kind]
    reader = sheets.SheetReader(layout=layout, content=bytes(job.content), max_rows=max_rows())
    importer = (VolunteerImport if job.kind == ImportJob.Kind.VOLUNTEERS else RecordImport)(
        job=job, layout=layout
    )
    progress: Progress | None = None
    try:
        total = reader.count()
        _set(job, total_rows=total, processed_rows=0)
        progress = Progress(job, progress_every)
        problems = importer.validate(reader.records(), progress)
        progress.flush()
        if problems:
            return _fail(job, problems)
        _set(job, processed_rows=0)
        stage_job_rows(job, importer.stage_rows(reader.records()))
        # Claim the job for publishing: a sweep that failed it meanwhile wins.
        if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATING).update(
            status=ImportJob.Status.IMPORTING, processed_rows=0, updated_at=timezone.now()
        ):
            job.refresh_from_db()
            return job
        job.status, job.processed_rows = ImportJob.Status.IMPORTING, 0
        cache.set(_progress_key(job.pk), 0, 3600)
        progress = Progress(job, progress_every)
        try:
            with transaction.atomic():
                summary = importer.publish(_staged(job.pk), progress)
                _done(job, summary)  # committed together with the imported rows
        except RowFailed as exc:
            p = exc.problem
            return _fail(job, [p], f"第{p.row}行导入失败，已撤销本次导入的全部数据：{p.reason}")
    except RowFailed as exc:  # while staging (the file changed between the passes: it cannot)
        return _fail(job, [exc.problem])
    except FileRefused as exc:
        return _fail(job, exc.problems, exc.message)
    except Exception:
        # A bug, not bad input: the publish transaction (if any) is rolled back already.
        log.exception("import job %s crashed", job.pk)
        message = "导入时发生内部错误，未导入任何数据，请联系管理员"
        return _fail(job, [Problem(0, "", message)], message)
    finally:
        cache.delete(_progress_key(job.pk))
        if progress is not None:
            progress.close()
        staged_purge(job_id=job.pk)
    return job


def stage_job_rows(job: ImportJob, rows: Any) -> None:
    """Store the checked rows, STAGE_BATCH per transaction; each commit releases SQLite's write
    lock and moves the job's progress and heartbeat (`updated_at`)."""
    batch: list[StagedRow] = []
    done = 0
    for row, data in rows:
        batch.append(StagedRow(job_id=job.pk, row=row, data=data))
        if len(batch) >= STAGE_BATCH:
            done += stage_batch(job, batch, done)
            batch = []
    if batch:
        stage_batch(job, batch, done)


def stage_batch(job: ImportJob, batch: list[StagedRow], done: int) -> int:
    job.processed_rows = min(done + len(batch), job.total_rows)
    with transaction.atomic():
        StagedRow.objects.bulk_create(batch)
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=job.processed_rows, updated_at=timezone.now()
        )
    return len(batch)


def _staged(job_id: int) -> Any:
    """A job's staged rows (row number, data) in row order, read a page at a time."""
    last = 0
    while True:
        page = list(
            StagedRow.objects.filter(job_id=job_id, row__gt=last)
            .order_by("row")
            .values_list("row", "data")[:PUBLISH_PAGE]
        )
        if not page:
            return
        yield from page
        last = page[-1][0]


def _done(job: ImportJob, summary: dict[str, Any]) -> None:
    _set(
        job,
        status=ImportJob.Status.DONE,
        processed_rows=job.total_rows,
        imported_rows=summary.get("imported", 0),
        summary=summary,
        errors=[],
        content=b"",
        finished_at=timezone.now(),
    )
    audit.record(
        actor=job.uploaded_by,
        action=AuditEvent.Action.TRANSITION,
        obj=job,
        summary=f"导入{job.get_kind_display()} {job.imported_rows} 行",
        changes={"status": ["importing", "done"], **summary},
    )


def _fail(job: ImportJob, problems: list[Problem], message: str = "") -> ImportJob:
    problems = sorted(problems, key=lambda p: p.row)
    rows = len({p.row for p in problems if p.row > 1})
    if not message:
        message = f"有{rows}行数据有误（共{len(problems)}处），未导入任何数据，请修改后重新上传"
    kept = [p.as_dict() for p in problems[:MAX_REPORTED]]
    if len(problems) > MAX_REPORTED:
        kept.append(Problem(0, "", f"另有{len(problems) - MAX_REPORTED}个错误未列出").as_dict())
    _set(
        job,
        status=ImportJob.Status.FAILED,
        errors=kept,
        summary={"error_count": len(problems), "error_rows": rows, "message": message},
        imported_rows=0,
        content=b"",
        finished_at=timezone.now(),
    )
    return job


# --- export -----------------------------------------------------------------------------------

EXPORT_HEADERS = (
    "姓名",
    "证件类型",
    "证件号码",
    "服务日期",
    "服务内容",
    "服务时长(小时)",
    "组织单位",
)
MAX_EXPORT_DAYS = 366


def _export_rows(actor: User, date_from: date, date_to: date):
    return (
        records_in_scope(actor=actor, status=ServiceRecord.Status.COUNTED)
        .filter(service_date__gte=date_from, service_date__lte=date_to)
        .order_by("service_date", "id")
    )


@transaction.atomic
def hours_export(*, actor: User, date_from: date, date_to: date, out: IO[bytes]) -> int:
    """Write the counted records of the actor's scope in the period, in the layout of the
    national volunteer system (全国志愿服务信息系统), to `out`; return the row count.

    The file carries full ID numbers: only roles allowed to unmask may export, and each export is
    written to the audit log (who, when, period, rows)."""
    if not actor.can_unmask:
        raise Forbidden("您的角色无权导出含完整身份证号码的数据")
    if not isinstance(date_from, date) or not isinstance(date_to, date):
        raise InvalidInput("请填写导出期间", field="date_from")
    if date_from > date_to:
        raise InvalidInput("开始日期不能晚于截止日期", field="date_from")
    if date_to > timezone.localdate():
        raise InvalidInput("截止日期不能晚于今天", field="date_to")
    if (date_to - date_from).days >= MAX_EXPORT_DAYS:
        raise InvalidInput("一次最多导出一年的记录", field="date_to")
    qs = _export_rows(actor, date_from, date_to)
    rows = qs.count()
    audit.record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        obj=actor,
        summary=f"导出志愿服务时长（全国系统格式）{rows} 条，{date_from}至{date_to}",
        changes={
            "kind": "hours_national",
            "date_from": str(date_from),
            "date_to": str(date_to),
            "rows": rows,
            "unit": actor.unit_id,
        },
    )
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("志愿服务时长")
    ws.append(safe_row(EXPORT_HEADERS))
    for name, id_number, day, content, hours, organiser in qs.values_list(
        "volunteer__name",
        "volunteer__id_number",
        "service_date",
        "content",
        "hours",
        "organiser",
    ).iterator(chunk_size=2000):
        ws.append(
            safe_row([name, ID_TYPE, id_number, day.isoformat(), content, float(hours), organiser])
        )
    wb.save(out)
    return rows


def hours_export_file(*, actor: User, date_from: date, date_to: date) -> tuple[IO[bytes], int]:
    """`hours_export` into a temporary file (on disk, not in memory), rewound for streaming;
    the caller's response closes it."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        rows = hours_export(actor=actor, date_from=date_from, date_to=date_to, out=out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, rows


def period_default(today: date | None = None) -> tuple[date, date]:
    """The previous calendar month (the usual re-entry batch)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    last_prev = first - timedelta(days=1)
    return last_prev.replace(day=1), last_prev
