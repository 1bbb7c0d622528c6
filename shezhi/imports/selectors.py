"""Scoped reads of import jobs. A job is seen by its uploader and by recording staff whose scope
covers its unit; anyone else gets NotFound."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from shezhi.accounts.models import User
from shezhi.accounts.scoping import sees_everything
from shezhi.core.errors import NotFound
from shezhi.imports.models import ImportJob
from shezhi.imports.services import may_import, progress_of
from shezhi.org.models import Level, OrgUnit
from shezhi.volunteers.services import may_record_for


def import_job_get(*, actor: User, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id).select_related("unit", "uploaded_by").first()
    if job is None or not (
        job.uploaded_by_id == actor.pk or (may_import(actor) and may_record_for(actor, job.unit))
    ):
        raise NotFound("未找到该导入任务")
    return job


def import_jobs_of(*, actor: User, limit: int = 20) -> QuerySet[ImportJob]:
    """The actor's own latest jobs (without the stored file)."""
    return (
        ImportJob.objects.filter(uploaded_by=actor)
        .select_related("unit")
        .defer("content")
        .order_by("-created_at", "-id")[:limit]
    )


def import_units(*, actor: User) -> list[OrgUnit]:
    """Units the actor may import into: their own unit and the communities below it."""
    if not may_import(actor):
        return []
    if sees_everything(actor) and actor.unit is None:
        return list(OrgUnit.objects.filter(level=Level.COMMUNITY).order_by("path")[:500])
    if actor.unit is None:
        return []
    below = OrgUnit.objects.within(actor.unit).filter(level=Level.COMMUNITY).order_by("path")
    units = [actor.unit, *(u for u in below[:500] if u.pk != actor.unit.pk)]
    return units


@dataclass
class JobStatus:
    job: ImportJob
    processed: int
    percent: int
    message: str

    def as_dict(self, *, errors_limit: int = 200) -> dict[str, Any]:
        job = self.job
        return {
            "id": job.pk,
            "kind": job.kind,
            "kind_label": str(job.get_kind_display()),
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "finished": job.finished,
            "file_name": job.file_name,
            "unit": {"id": job.unit_id, "name": job.unit.name},
            "total_rows": job.total_rows,
            "processed_rows": self.processed,
            "percent": self.percent,
            "imported_rows": job.imported_rows,
            "message": self.message,
            "error_count": int(job.summary.get("error_count", len(job.errors))),
            "errors": job.errors[:errors_limit],
            "created_at": job.created_at,
            "finished_at": job.finished_at,
        }


def import_job_status(*, actor: User, job_id: int) -> JobStatus:
    """The job with its live progress (the import phase counts in the cache)."""
    job = import_job_get(actor=actor, job_id=job_id)
    processed = progress_of(job)
    if job.status == ImportJob.Status.DONE:
        percent = 100
    elif job.total_rows:
        # Checking is the first half of the bar, writing the second.
        half = processed * 50 // job.total_rows
        percent = half + (50 if job.status == ImportJob.Status.IMPORTING else 0)
    else:
        percent = 0
    message = str(job.summary.get("message", ""))
    if job.status == ImportJob.Status.DONE:
        message = f"已导入{job.imported_rows}行"
        if job.summary.get("late"):
            message += f"，其中{job.summary['late']}条超过记录时限，待督导审批后计入"
    return JobStatus(job=job, processed=processed, percent=percent, message=message)
