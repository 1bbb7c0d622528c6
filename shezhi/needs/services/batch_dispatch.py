"""一键派单: the engine proposes for a whole community or street, the social worker confirms."""

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.accounts.scoping import sees_everything
from shezhi.core import tasks
from shezhi.core.errors import (
    DomainError,
    InvalidInput,
    NotFound,
)
from shezhi.needs import matching_adapter, notices
from shezhi.needs.models import DispatchBatch, Need
from shezhi.needs.permissions import NeedAction, need_require_role
from shezhi.needs.selectors import needs_visible_to
from shezhi.needs.services.orders import need_dispatch
from shezhi.needs.workflow import Status
from shezhi.org.models import Level, OrgUnit


def _require_dispatcher(actor: User) -> None:
    """Batch dispatch (no single need): the same role answer as needs/permissions.py."""
    need_require_role(actor, NeedAction.DISPATCH)


MAX_BULK_NEEDS = 2000
MAX_CONFIRM_ITEMS = 500


@dataclass(frozen=True)
class ProposalRow:
    need: Need
    target_kind: str
    target_id: int
    target_name: str
    score: float
    distance_m: float | None
    explanation: str
    # (kind, id, name, explanation) of the next best candidates, for the reviewer to pick instead
    alternatives: tuple[tuple[str, int, str, str], ...] = ()


@dataclass(frozen=True)
class UnmatchedRow:
    need: Need
    reason: str
    explanation: str


@dataclass(frozen=True)
class DispatchPlan:
    unit: OrgUnit
    proposals: list[ProposalRow]
    unmatched: list[UnmatchedRow]
    total_score: float


def _dispatch_unit(actor: User, unit_id: Any) -> OrgUnit:
    unit = None
    if isinstance(unit_id, int) and not isinstance(unit_id, bool):
        unit = OrgUnit.objects.filter(pk=unit_id, level__lte=Level.COMMUNITY).first()
    if unit is None or not (
        sees_everything(actor) or (actor.unit is not None and unit.path.startswith(actor.unit.path))
    ):
        raise NotFound("未找到该社区或街道", field="unit_id")
    return unit


def needs_propose_dispatch(*, actor: User, unit_id: int) -> DispatchPlan:
    """一键派单 (proposal): the matching engine's optimal assignment of every pending need of a
    community or street in the actor's scope (the most urgent, oldest first when more than
    MAX_BULK_NEEDS wait). Writes nothing; needs_confirm_dispatch() does."""
    _require_dispatcher(actor)
    unit = _dispatch_unit(actor, unit_id)
    needs = list(
        needs_visible_to(actor)
        .filter(status=Status.PENDING, community__in=matching_adapter.units_in(unit))
        .select_related("category", "urgency", "community")
        .order_by("urgency__sort_order", "created_at", "id")[:MAX_BULK_NEEDS]
    )
    proposals: list[ProposalRow] = []
    unmatched: list[UnmatchedRow] = []
    total = 0.0
    for run in matching_adapter.propose(needs):
        total += run.result.total_score
        for p in run.result.proposals:
            proposals.append(
                ProposalRow(
                    need=run.needs[p.need_id],
                    target_kind=p.candidate.kind,
                    target_id=p.candidate.id,
                    target_name=p.candidate.name,
                    score=p.score,
                    distance_m=p.distance_m,
                    explanation=p.explanation,
                    alternatives=tuple(
                        (a.candidate.kind, a.candidate.id, a.candidate.name, a.explanation)
                        for a in run.alternatives[p.need_id]
                    ),
                )
            )
        for u in run.result.unmatched:
            unmatched.append(UnmatchedRow(run.needs[u.need_id], u.reason, u.explanation))
    proposals.sort(key=lambda r: r.need.pk)
    unmatched.sort(key=lambda r: r.need.pk)
    return DispatchPlan(unit=unit, proposals=proposals, unmatched=unmatched, total_score=total)


@dataclass(frozen=True)
class ConfirmItem:
    need_id: int
    target_kind: str
    target_id: int | None
    expected_version: int


@dataclass(frozen=True)
class ConfirmResult:
    dispatched: list[Need]
    failed: list[tuple[int, str]]  # (need id, Chinese message)


def _check_confirmed(actor: User, proposals: list[ConfirmItem]) -> None:
    _require_dispatcher(actor)
    if not proposals:
        raise InvalidInput("请至少确认一条派单建议", field="proposals")
    if len(proposals) > MAX_CONFIRM_ITEMS:
        raise InvalidInput(f"一次最多确认{MAX_CONFIRM_ITEMS}条派单", field="proposals")
    ids = [p.need_id for p in proposals]
    if len(set(ids)) != len(ids):
        raise InvalidInput("同一需求不能重复派单", field="proposals")


@transaction.atomic
def needs_dispatch_batch_create(
    *, actor: User, proposals: list[ConfirmItem], unit_id: int | None = None
) -> DispatchBatch:
    """一键派单 (confirm), queued: the reviewed rows are checked as a whole here (role, count,
    duplicates) and dispatched by the task needs.bulk_dispatch after commit, each row under the
    same rules as needs_confirm_dispatch. The batch shows the outcome to the one who confirmed."""
    _check_confirmed(actor, proposals)
    batch = DispatchBatch.objects.create(
        actor=actor,
        unit_id=unit_id,
        items=[dataclasses.asdict(p) for p in proposals],
    )
    tasks.enqueue("needs.bulk_dispatch", label=f"一键派单 #{batch.pk}", batch_id=batch.pk)
    return batch


@transaction.atomic
def dispatch_batch_run(*, batch_id: int) -> DispatchBatch:
    """Dispatch a queued batch (the task needs.bulk_dispatch); a batch already done is left as
    it is, so a run repeated after a crash dispatches nothing twice. A dispatcher who lost the
    role meanwhile dispatches nothing: every row fails with the reason."""
    batch = DispatchBatch.objects.select_for_update().select_related("actor").get(pk=batch_id)
    if batch.status == DispatchBatch.Status.DONE:
        return batch
    items = [ConfirmItem(**item) for item in batch.items]
    try:
        result = needs_confirm_dispatch(actor=batch.actor, proposals=items)
        batch.dispatched = [n.pk for n in result.dispatched]
        batch.failed = [[need_id, message] for need_id, message in result.failed]
    except DomainError as exc:
        batch.failed = [[i.need_id, exc.message] for i in items]
    batch.status = DispatchBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["dispatched", "failed", "status", "finished_at"])
    notices.batch_failed(batch)
    return batch


def dispatch_batches_purge(*, now: datetime) -> int:
    """Delete 一键派单 batches finished more than SHEZHI_TASK_RUNS_KEEP_DAYS ago, like the task
    runs: a failed row's message may name a volunteer, which must not be kept for long."""
    keep = now - timedelta(days=settings.SHEZHI_TASK_RUNS_KEEP_DAYS)
    return DispatchBatch.objects.filter(finished_at__lt=keep).delete()[0]


@transaction.atomic
def needs_confirm_dispatch(*, actor: User, proposals: list[ConfirmItem]) -> ConfirmResult:
    """一键派单 (confirm): dispatch each reviewed (possibly edited) proposal through
    need_dispatch(). Items are independent: each runs in its own savepoint, so a need changed
    meanwhile (stale version), out of scope or with an invalid target fails alone with its
    message while the others are dispatched."""
    _check_confirmed(actor, proposals)
    dispatched: list[Need] = []
    failed: list[tuple[int, str]] = []
    for item in proposals:
        try:
            with transaction.atomic():
                dispatched.append(
                    need_dispatch(
                        actor=actor,
                        need_id=item.need_id,
                        target_kind=item.target_kind,
                        target_id=item.target_id,
                        expected_version=item.expected_version,
                        note="一键派单",
                    )
                )
        except DomainError as exc:
            failed.append((item.need_id, exc.message))
    return ConfirmResult(dispatched=dispatched, failed=failed)
