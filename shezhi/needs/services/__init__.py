"""Writes to the needs ledger: 点单 (create), 派单 (dispatch), 接单 (accept), 办结 (complete),
评单 (rate), and the side paths. Each runs in one transaction, records the transition and an
audit event, and changes the row only if nobody changed it first (the version check), so
that of two concurrent writers exactly one wins.

One module per section (intake, orders, service, rating, batch_dispatch; what they share in
common); this package re-exports their public names for the callers."""

from shezhi.needs.services.batch_dispatch import (
    MAX_BULK_NEEDS,
    MAX_CONFIRM_ITEMS,
    ConfirmItem,
    ConfirmResult,
    DispatchPlan,
    ProposalRow,
    UnmatchedRow,
    dispatch_batch_run,
    dispatch_batches_purge,
    needs_confirm_dispatch,
    needs_dispatch_batch_create,
    needs_propose_dispatch,
)
from shezhi.needs.services.common import ASSIGNEE_FIELDS, need_dispatcher
from shezhi.needs.services.intake import (
    EDITABLE_FIELDS,
    MAX_WANTED_WINDOW,
    need_create,
    need_title,
    need_update,
)
from shezhi.needs.services.orders import (
    accepted_orders_of,
    booked_period,
    need_accept,
    need_cancel,
    need_dispatch,
    need_mark_unresolvable,
    need_return,
)
from shezhi.needs.services.rating import LOW_RATING, need_rate, need_review
from shezhi.needs.services.service import (
    MAX_MINUTES,
    need_complete,
    need_start,
    need_waive_start_window,
    service_description_check,
)

__all__ = [
    "ASSIGNEE_FIELDS",
    "EDITABLE_FIELDS",
    "LOW_RATING",
    "MAX_BULK_NEEDS",
    "MAX_CONFIRM_ITEMS",
    "MAX_MINUTES",
    "MAX_WANTED_WINDOW",
    "ConfirmItem",
    "ConfirmResult",
    "DispatchPlan",
    "ProposalRow",
    "UnmatchedRow",
    "accepted_orders_of",
    "dispatch_batch_run",
    "dispatch_batches_purge",
    "needs_dispatch_batch_create",
    "booked_period",
    "need_accept",
    "need_cancel",
    "need_complete",
    "need_create",
    "need_dispatch",
    "need_dispatcher",
    "need_mark_unresolvable",
    "need_rate",
    "need_return",
    "need_review",
    "need_start",
    "need_title",
    "need_update",
    "need_waive_start_window",
    "needs_confirm_dispatch",
    "needs_propose_dispatch",
    "service_description_check",
]
