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
- Resuming: a run claims the job (`import_job_claim`: a queued job, or a running one whose
  heartbeat stopped for SHEZHI_IMPORT_STALE_MINUTES — its worker died) and gets the next
  `attempt`; every write it makes is conditional on that attempt, so a run taken for dead stops
  at its next write (`Superseded`). A run that takes over picks up where the dead one stopped:
  the staged rows are kept (validation passed already), staging goes on after the last staged
  row, and an interrupted publish (rolled back) is published again from the staged rows — no row
  is written twice. After MAX_ATTEMPTS interrupted runs the sweep fails the job.
- hours_export(*, actor, date_from, date_to, out) -> int: the national-system layout with full ID
  numbers; only roles allowed to unmask; audited.
"""

import logging
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.db.models import F, Q
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
MAX_ATTEMPTS = 3  # runs of one job: the first and two take-overs after a worker died
RUNNING = (ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING)
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


def run_or_mark_failed(job_id: int) -> ImportJob | None:
    try:
        return import_job_run(job_id=job_id)
    except OperationalError:
        # The database busy or away (SQLite's write lock held by a long publish, a restart):
        # the job may be in another run's hands; leave it, the task runner tries again.
        raise
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
        return None


STALE_MESSAGE = "导入多次中断（服务器在导入过程中停止），未导入任何数据，请重新上传文件"
EXPIRED_MESSAGE = "文件等待导入超过保留期限，已删除，未导入任何数据，请重新上传文件"


class Superseded(Exception):
    """Another run took this job over (this one was taken for dead): stop, write nothing more."""


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.SHEZHI_IMPORT_STALE_MINUTES)


def _interrupted(now: datetime) -> Q:
    """Running, but no heartbeat (`updated_at`) for SHEZHI_IMPORT_STALE_MINUTES: its worker died
    (an interrupted publish transaction was rolled back, so nothing of it was imported)."""
    return Q(status__in=RUNNING, updated_at__lt=_stale_before(now))


def import_job_claim(job_id: int, *, now: datetime | None = None) -> int | None:
    """Take job `job_id` to run: a queued one, or an interrupted one with runs left. Returns this
    run's attempt (the fence of every later write), None when the job is finished, running in a
    live worker, or out of attempts. A conditional UPDATE: of two claiming runs, one wins."""
    now = now or timezone.now()
    if ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.VALIDATING, started_at=now, attempt=F("attempt") + 1, updated_at=now
    ) or ImportJob.objects.filter(_interrupted(now), pk=job_id, attempt__lt=MAX_ATTEMPTS).update(
        attempt=F("attempt") + 1, updated_at=now
    ):
        return ImportJob.objects.values_list("attempt", flat=True).get(pk=job_id)
    return None


def import_job_busy(job_id: int) -> bool:
    """Is the job running in what looks like a live worker (heartbeat within
    SHEZHI_IMPORT_STALE_MINUTES)? A run that finds it so tries again later: if that worker has
    died, the job is taken over once its heartbeat is old enough."""
    return (
        ImportJob.objects.filter(pk=job_id, status__in=RUNNING)
        .exclude(updated_at__lt=_stale_before(timezone.now()))
        .exists()
    )


def import_jobs_resume(*, now: datetime | None = None) -> int:
    """Queue a run for every interrupted job with runs left (when tasks run through the task
    runner; otherwise `import_jobs_run` resumes them). One queued run per job and attempt."""
    if not settings.SHEZHI_TASKS_INLINE:
        return 0
    now = now or timezone.now()
    queued = 0
    for pk, attempt in ImportJob.objects.filter(
        _interrupted(now), attempt__lt=MAX_ATTEMPTS
    ).values_list("pk", "attempt"):
        queued += (
            tasks.enqueue(
                "imports.run",
                dedupe_key=f"imports.resume:{pk}:{attempt}",
                label=f"导入 #{pk}（继续）",
                job_id=pk,
            )
            is not None
        )
    return queued


def import_jobs_sweep(*, now: datetime | None = None) -> tuple[int, int]:
    """Fail interrupted jobs that cannot be resumed (MAX_ATTEMPTS runs interrupted, or no
    heartbeat for longer than the file's retention), delete their staged rows, and purge uploaded
    files kept past SHEZHI_IMPORT_FILE_RETENTION_HOURS. Returns (jobs failed, files purged).
    Interrupted jobs with runs left are resumed (`import_jobs_resume`), not failed."""
    now = now or timezone.now()
    expired = now - timedelta(hours=settings.SHEZHI_IMPORT_FILE_RETENTION_HOURS)
    failed = _fail_where(
        ImportJob.objects.filter(_interrupted(now)).filter(
            Q(attempt__gte=MAX_ATTEMPTS) | Q(updated_at__lt=expired)
        ),
        STALE_MESSAGE,
        now,
    )
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
    """Run queued jobs and resume interrupted ones, oldest first (the worker when tasks do not
    run inline)."""
    import_jobs_sweep()
    now = timezone.now()
    ids = list(
        ImportJob.objects.filter(
            Q(status=ImportJob.Status.PENDING) | (_interrupted(now) & Q(attempt__lt=MAX_ATTEMPTS))
        )
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
            _set(self.job, processed_rows=self.job.processed_rows)
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
                # A run taken over moves no heartbeat; its publish is rolled back by `_done`.
                "WHERE id = %s AND total_rows >= %s AND attempt = %s AND status = %s",
                [
                    self.job.processed_rows,
                    timezone.now(),
                    self.job.pk,
                    self.job.processed_rows,
                    self.job.attempt,
                    ImportJob.Status.IMPORTING,
                ],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _set(job: ImportJob, **fields: Any) -> None:
    """Write the job's fields and heartbeat, only while this run holds the job and it runs (the
    sweep may have failed it)."""
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job.pk, attempt=job.attempt, status__in=RUNNING).update(
        **fields, updated_at=now
    ):
        raise Superseded
    for k, v in fields.items():
        setattr(job, k, v)
    job.updated_at = now


# --- the job ----------------------------------------------------------------------------------


def import_job_run(*, job_id: int, progress_every: int = PROGRESS_EVERY) -> ImportJob:
    """Run one job to the end (done or failed): a queued one from the start, an interrupted one
    from where it stopped. Safe to call synchronously in tests."""
    attempt = import_job_claim(job_id)
    job = ImportJob.objects.select_related("uploaded_by", "unit").get(pk=job_id)
    if attempt is None:
        return job
    job.attempt = attempt
    if attempt > 1:
        log.warning("import job %s resumed (run %s) while %s", job.pk, attempt, job.status)
    opened: list[Progress] = []  # closed below, however the run ends (a side connection each)
    superseded = False
    try:
        _run_claimed(job, lambda: _progress(job, progress_every, opened))
    except Superseded:
        job.refresh_from_db()
        # Taken over: the new run needs the staged rows. Failed by the sweep: they can go.
        superseded = not job.finished
        log.warning("import job %s run %s stopped: the job is %s", job.pk, attempt, job.status)
    finally:
        cache.delete(_progress_key(job.pk))
        for progress in opened:
            progress.close()
        if not superseded:  # the run that took over needs the staged rows
            staged_purge(job_id=job.pk)
    return job


def _progress(job: ImportJob, every: int, opened: list[Progress]) -> Progress:
    opened.append(Progress(job, every))
    return opened[-1]


def _run_claimed(job: ImportJob, new_progress: Callable[[], Progress]) -> None:
    """The phases of a claimed job, skipping those an interrupted run finished: check (nothing
    written), stage (after the last staged row), publish (one transaction)."""
    layout = sheets.LAYOUTS[job.kind]
    reader = sheets.SheetReader(layout=layout, content=bytes(job.content), max_rows=max_rows())
    importer = (VolunteerImport if job.kind == ImportJob.Kind.VOLUNTEERS else RecordImport)(
        job=job, layout=layout
    )
    try:
        if job.status == ImportJob.Status.VALIDATING:
            # Rows are staged only after every row passed: staged rows mean it passed before.
            last = _last_staged(job.pk)
            total = reader.count()  # and it reads the header row, which records() needs
            if last is None:
                _set(job, total_rows=total, processed_rows=0)
                progress = new_progress()
                problems = importer.validate(reader.records(), progress)
                progress.flush()
                if problems:
                    _fail(job, problems)
                    return
                _set(job, processed_rows=0)
                last = 0
            records = ((row, raw) for row, raw in reader.records() if row > last)
            stage_job_rows(job, importer.stage_rows(records))
            # Claim the job for publishing: a sweep that failed it meanwhile wins.
            if not ImportJob.objects.filter(
                pk=job.pk, status=ImportJob.Status.VALIDATING, attempt=job.attempt
            ).update(
                status=ImportJob.Status.IMPORTING, processed_rows=0, updated_at=timezone.now()
            ):
                raise Superseded
        job.status, job.processed_rows = ImportJob.Status.IMPORTING, 0
        cache.set(_progress_key(job.pk), 0, 3600)
        progress = new_progress()
        try:
            with transaction.atomic():
                summary = importer.publish(_staged(job.pk), progress)
                _done(job, summary)  # committed together with the imported rows, or not at all
        except RowFailed as exc:
            p = exc.problem
            _fail(job, [p], f"第{p.row}行导入失败，已撤销本次导入的全部数据：{p.reason}")
    except Superseded:
        raise
    except RowFailed as exc:  # while staging (the file changed between the passes: it cannot)
        _fail(job, [exc.problem])
    except FileRefused as exc:
        _fail(job, exc.problems, exc.message)
    except Exception:
        # A bug, not bad input: the publish transaction (if any) is rolled back already.
        log.exception("import job %s crashed", job.pk)
        message = "导入时发生内部错误，未导入任何数据，请联系管理员"
        _fail(job, [Problem(0, "", message)], message)


def _last_staged(job_id: int) -> int | None:
    return (
        StagedRow.objects.filter(job_id=job_id)
        .order_by("-row")
        .values_list("row", flat=True)
        .first()
    )


def stage_job_rows(job: ImportJob, rows: Any) -> None:
    """Store the checked rows, STAGE_BATCH per transaction; each commit releases SQLite's write
    lock and moves the job's progress and heartbeat (`updated_at`). A resumed run starts after
    the rows staged already."""
    batch: list[StagedRow] = []
    done = StagedRow.objects.filter(job_id=job.pk).count()
    for row, data in rows:
        batch.append(StagedRow(job_id=job.pk, row=row, data=data))
        if len(batch) >= STAGE_BATCH:
            done += stage_batch(job, batch, done)
            batch = []
    if batch:
        stage_batch(job, batch, done)


def stage_batch(job: ImportJob, batch: list[StagedRow], done: int) -> int:
    with transaction.atomic():
        # The job row first: it fences out a run taken for dead and holds off a take-over.
        _set(job, processed_rows=min(done + len(batch), job.total_rows))
        StagedRow.objects.bulk_create(batch)
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
