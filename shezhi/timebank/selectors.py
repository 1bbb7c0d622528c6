"""Scoped reads of the time bank. Out of scope = NotFound.

An account is visible to its holder and to staff of a recording role whose unit contains the
account's community (and to the system administrator)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.accounts.scoping import sees_everything
from shezhi.core.errors import InvalidInput, NotFound
from shezhi.timebank.models import Account, Deposit, DepositReview, Kinship, Posting
from shezhi.timebank.permissions import (
    AccountAction,
    account_actions_for,
    deposit_actions_for,
    is_holder,
    may_manage,
)
from shezhi.timebank.policy import BankPolicy, bank_policy_for
from shezhi.timebank.services import CENT, balance
from shezhi.volunteers.models import ServiceRecord, Volunteer
from shezhi.volunteers.services import RECORDING_ROLES

MAX_STATEMENT_DAYS = 366 * 5
ZERO = Decimal("0.00")


def balance_of(*, volunteer: Volunteer) -> Decimal | None:
    """The volunteer's time-coin balance, or None when they hold no account."""
    account = Account.objects.filter(volunteer=volunteer).first()
    return balance(account) if account else None


def _with_balance(qs: QuerySet[Account]) -> QuerySet[Account]:
    return qs.annotate(
        balance=Coalesce(
            Sum("postings__amount"),
            Value(ZERO),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    )


def _staff_scope(actor: User) -> Q:
    if sees_everything(actor):
        return Q()
    if actor.role not in RECORDING_ROLES or actor.unit is None:
        return Q(pk__in=[])
    return Q(community__path__startswith=actor.unit.path)


def my_account(*, actor: User) -> Account | None:
    """The actor's own account (as a volunteer, else as a resident), or None."""
    return (
        Account.objects.filter(Q(volunteer__user=actor) | Q(resident__user=actor))
        .select_related("volunteer", "resident", "community")
        .order_by("kind")
        .first()
    )


@dataclass
class AccountPage:
    account: Account
    balance: Decimal
    policy: BankPolicy
    relatives: list[Kinship]
    deposits: list[Deposit]
    may_manage: bool
    is_holder: bool
    actions: frozenset[AccountAction] = frozenset()


def account_get(*, actor: User, account_id: int) -> AccountPage:
    account = (
        Account.objects.filter(pk=account_id)
        .exclude(kind=Account.Kind.CLEARING)
        .select_related("volunteer", "resident", "community")
        .first()
    )
    if account is None or not (is_holder(actor, account) or may_manage(actor, account)):
        raise NotFound("未找到该时间银行账户")
    return AccountPage(
        account=account,
        balance=balance(account),
        policy=bank_policy_for(account.community),
        relatives=list(
            Kinship.objects.filter(holder=account).select_related(
                "relative__volunteer", "relative__resident", "relative__community"
            )
        ),
        deposits=_with_actions(
            actor,
            Deposit.objects.filter(account=account)
            .select_related(
                "record__organiser_unit",
                "account__community",
                "account__volunteer",
                "account__resident",
            )
            .prefetch_related("reviews")
            .order_by("-requested_at", "-id")[:20],
        ),
        may_manage=may_manage(actor, account),
        is_holder=is_holder(actor, account),
        actions=account_actions_for(actor, account),
    )


def _with_actions(actor: User, deposits: QuerySet[Deposit]) -> list[Deposit]:
    """The deposits, each with `actions` (deposit_actions_for) for the page's buttons."""
    rows = list(deposits)
    for d in rows:
        d.actions = deposit_actions_for(actor, d)  # type: ignore[attr-defined]
    return rows


def my_account_page(*, actor: User) -> AccountPage:
    account = my_account(actor=actor)
    if account is None:
        raise NotFound("您还没有时间银行账户：完成助老等服务并存入后自动开户")
    return account_get(actor=actor, account_id=account.pk)


def accounts_in_scope(*, actor: User, query: str = "") -> QuerySet[Account]:
    """Holder accounts of the actor's communities with their derived balances."""
    qs = (
        Account.objects.filter(_staff_scope(actor))
        .exclude(kind=Account.Kind.CLEARING)
        .select_related("volunteer", "resident", "community")
    )
    query = (query or "").strip()[:30]
    if query:
        qs = qs.filter(
            Q(account_no=query)
            | Q(volunteer__name__contains=query)
            | Q(volunteer__volunteer_no=query)
            | Q(resident__name__contains=query)
        )
    return _with_balance(qs).order_by("id")


def deposits_to_review(*, actor: User) -> QuerySet[Deposit]:
    """Pending deposits in the actor's scope that still need a reviewer other than the actor
    (never the actor's own)."""
    unit = actor.unit
    if sees_everything(actor):
        scope = Q()
    elif actor.role in RECORDING_ROLES and unit is not None:
        scope = Q(account__community__path__startswith=unit.path) | Q(
            record__organiser_unit__path__startswith=unit.path
        )
    else:
        return Deposit.objects.none()
    reviewed = DepositReview.objects.filter(deposit=OuterRef("pk"), reviewer=actor)
    return (
        Deposit.objects.filter(scope, status=Deposit.Status.PENDING)
        .exclude(account__volunteer__user=actor)
        .exclude(Exists(reviewed))
        # the organiser unit and the community: each row's allowed actions, without a query
        .select_related(
            "record__organiser_unit", "account__community", "account__volunteer", "requested_by"
        )
        .order_by("requested_at", "id")
    )


def records_to_deposit(*, actor: User, limit: int = 50) -> list[ServiceRecord]:
    """Counted records organised in the actor's unit that have not been deposited yet."""
    if sees_everything(actor):
        scope = Q()
    elif actor.role in RECORDING_ROLES and actor.unit is not None:
        scope = Q(organiser_unit__path__startswith=actor.unit.path)
    else:
        return []
    return list(
        ServiceRecord.objects.filter(scope, status=ServiceRecord.Status.COUNTED, hours__gt=0)
        .filter(timebank_deposit__isnull=True)
        .select_related("volunteer")
        .order_by("-service_date", "-id")[:limit]
    )


# --- statement --------------------------------------------------------------------------------


@dataclass
class StatementRow:
    at: datetime
    kind: str
    memo: str
    counterpart: str
    amount: Decimal
    balance: Decimal


@dataclass
class Statement:
    account: Account
    date_from: date
    date_to: date
    opening: Decimal
    closing: Decimal
    credits: Decimal
    debits: Decimal
    rows: list[StatementRow] = field(default_factory=list)
    printed_at: datetime | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def statement(
    *, actor: User, account_id: int, date_from: date | None = None, date_to: date | None = None
) -> Statement:
    """对账单: the opening balance, every posting of the period (date, kind, counterpart, amount,
    running balance) and the closing balance. Defaults to this year up to today."""
    page = account_get(actor=actor, account_id=account_id)
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or date(date_to.year, 1, 1)
    if date_from > date_to:
        raise InvalidInput("开始日期不能晚于截止日期", field="date_from")
    if (date_to - date_from).days > MAX_STATEMENT_DAYS:
        raise InvalidInput("对账期间不能超过5年", field="date_to")
    start, end = _day_start(date_from), _day_start(date_to + timedelta(days=1))
    account = page.account
    postings = Posting.objects.filter(account=account)
    opening = (
        postings.filter(transaction__created_at__lt=start).aggregate(s=Sum("amount"))["s"] or ZERO
    ).quantize(CENT)
    lines = list(
        postings.filter(transaction__created_at__gte=start, transaction__created_at__lt=end)
        .select_related("transaction")
        .order_by("transaction__created_at", "id")
    )
    others: dict[int, list[Account]] = {}
    for p in (
        Posting.objects.filter(transaction__in=[line.transaction_id for line in lines])
        .exclude(account=account)
        .select_related("account__volunteer", "account__resident", "account__community")
    ):
        others.setdefault(p.transaction_id, []).append(p.account)
    running = opening
    rows = []
    credits = debits = ZERO
    for line in lines:
        running += line.amount
        if line.amount > 0:
            credits += line.amount
        else:
            debits -= line.amount
        rows.append(
            StatementRow(
                at=line.transaction.created_at,
                kind=line.transaction.get_kind_display(),
                memo=line.transaction.memo,
                counterpart="、".join(a.holder_name for a in others.get(line.transaction_id, [])),
                amount=line.amount,
                balance=running,
            )
        )
    return Statement(
        account=account,
        date_from=date_from,
        date_to=date_to,
        opening=opening,
        closing=running,
        credits=credits,
        debits=debits,
        rows=rows,
        printed_at=timezone.now(),
    )
