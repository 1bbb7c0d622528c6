"""评单 (rate) and the social worker's review of a low rating."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import (
    Conflict,
    ErrorCode,
    InvalidInput,
)
from shezhi.core.inputs import clean_int, clean_text
from shezhi.core.models import AuditEvent
from shezhi.core.rollups import rollups_touch_rows
from shezhi.core.signals import announce_free_text
from shezhi.needs import notices
from shezhi.needs.models import Need, NeedTransition
from shezhi.needs.permissions import NeedAction, need_require, need_require_role
from shezhi.needs.services.common import (
    ASSIGNEE_FIELDS,
    apply_transition,
    load_need,
)
from shezhi.needs.workflow import Action
from shezhi.volunteers.holds import service_record_rated

LOW_RATING = 2


@transaction.atomic
def need_rate(*, actor: User, need_id: int, score: int, comment: str = "") -> Need:
    """评单: the resident rates 1–5; 2 or less sends the need back to the social worker."""
    need = load_need(actor, need_id, None)
    need_require(actor, need, NeedAction.RATE)
    score = clean_int(score, field="score", label="评分", low=1, high=5)
    comment = clean_text(comment, field="comment", label="评价内容", max_length=500, required=False)
    need = apply_transition(
        actor=actor,
        need=need,
        action=Action.RATE,
        note=f"{score}分 {comment}",
        rating=score,
        rating_comment=comment,
        rated_at=timezone.now(),
        needs_review=score <= LOW_RATING,
    )
    # The rating confirms that the service took place (volunteers/trust.py).
    service_record_rated(actor=actor, source=f"need:{need.pk}", score=score)
    announce_free_text(
        sender=Need,
        source_type="needs.rating",
        source_id=str(need.pk),
        text=comment,
        resident_id=need.resident_id,
        community_id=need.community_id,
    )
    notices.rated(need)
    return need


@transaction.atomic
def need_review(*, actor: User, need_id: int, reopen: bool, note: str) -> Need:
    """Close the review of a low rating: either reopen the need or accept the outcome."""
    need_require_role(actor, NeedAction.REVIEW)
    need = load_need(actor, need_id, None)
    note = (note or "").strip()
    # Review answers a low rating: a need never rated low has nothing to reopen by review.
    need_require(actor, need, NeedAction.REOPEN if reopen else NeedAction.REVIEW)
    if reopen:
        return apply_transition(
            actor=actor,
            need=need,
            action=Action.REOPEN,
            note=note,
            needs_review=False,
            **{f: None for f in ASSIGNEE_FIELDS},
            assignee_kind="",
            accepted_by=None,
            accepted_at=None,
        )
    if not note:
        raise InvalidInput("请填写复核意见", field="note")
    rollups_touch_rows("needs.Need", [need])
    updated = Need.objects.filter(pk=need.pk, version=need.version).update(
        needs_review=False, version=F("version") + 1
    )
    if updated != 1:
        raise Conflict("该需求刚被他人处理，请刷新后再试", code=ErrorCode.STALE)
    NeedTransition.objects.create(
        need=need,
        action="review",
        from_status=need.status,
        to_status=need.status,
        actor=actor,
        note=note[:500],
    )
    audit.record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=need, summary=f"复核评价：{note}"[:300]
    )
    need.refresh_from_db()
    return need
