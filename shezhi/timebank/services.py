"""Writes to the time bank: validated, scoped, audited, each in one transaction.

Public entry points:
- account_open(*, actor, volunteer_id=None, resident_id=None) -> Account   (idempotent)
- kinship_record(*, actor, account_id, relation, evidence, relative_volunteer_id=None,
  relative_resident_id=None) -> Kinship   (staff only; opens the relative's account)
- deposit_from_record(*, actor, record_id, category) -> Deposit   (idempotent per record)
- deposit_review(*, actor, deposit_id, approve, reason="") -> Deposit
- deposit_reverse(*, actor, deposit_id, reason) -> Transaction   (supervisor; 冲正)
- coins_spend(*, actor, account_id, amount, service, need_id=None) -> Transaction
- coins_transfer(*, actor, account_id, to_account_id, amount, note="") -> Transaction

`now` (deposits, reviews, spends, transfers) back-dates the entry; it is for the demo seeder
and tests only (the API and pages never pass it), and must not go backwards for an account.

Who may act: the account holder on their own account, and staff of a recording role whose unit
contains the account's community (or the system administrator). Everyone else gets NotFound.
Coins leave an account only after its row is locked (SELECT … FOR UPDATE) and the balance is
recomputed from the postings, so two concurrent spends of the same coins cannot both succeed.
"""

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent
from shezhi.core.permissions import require
from shezhi.core.rollups import rollups_touch_rows
from shezhi.needs.models import Need
from shezhi.org.models import OrgUnit
from shezhi.people.models import Resident
from shezhi.timebank.models import (
    Account,
    Deposit,
    DepositReview,
    Kinship,
    Posting,
    Transaction,
)
from shezhi.timebank.permissions import (
    AccountAction,
    DepositAction,
    account_actions_for,
    deposit_actions_for,
    is_holder,
    may_manage,
    may_reverse_by_role,
)
from shezhi.timebank.policy import bank_policy_for
from shezhi.volunteers.models import ServiceCategory, ServiceRecord, Volunteer
from shezhi.volunteers.services import may_record_for

CENT = Decimal("0.01")
# No single movement may exceed this; real ones are bounded by the balance cap anyway.
MAX_AMOUNT = Decimal("100000")
RELATIVES_TEXT = "配偶、父母、子女、祖父母（外祖父母）、孙子女（外孙子女）"


# --- helpers ----------------------------------------------------------------------------------


def parse_amount(value: Any, *, field: str = "amount") -> Decimal:
    """A positive number of coins with at most two decimals, not absurdly large."""
    if isinstance(value, bool) or value is None:
        raise InvalidInput("时间币数量应为数字", field=field)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput("时间币数量应为数字", field=field) from None
    if not amount.is_finite():
        raise InvalidInput("时间币数量应为有限的数字", field=field)
    if amount <= 0:
        raise InvalidInput("时间币数量应大于0", field=field)
    if amount > MAX_AMOUNT:
        raise InvalidInput(f"时间币数量不能超过{MAX_AMOUNT}", field=field)
    if amount != amount.quantize(CENT):
        raise InvalidInput("时间币数量最多保留两位小数", field=field)
    return amount.quantize(CENT)


def balance(account: Account) -> Decimal:
    """The balance derived from the postings (the only truth)."""
    total = Posting.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    return (total or Decimal("0")).quantize(CENT)


def _locked(account_id: Any, *, field: str = "account_id") -> Account:
    account = (
        Account.objects.select_for_update()
        .filter(pk=account_id if isinstance(account_id, int) else None)
        .first()
    )
    if account is None or account.is_clearing:
        raise NotFound("未找到该时间银行账户", field=field)
    return Account.objects.select_related("volunteer", "resident", "community").get(pk=account.pk)


def _lock_in_order(*ids: int) -> None:
    """Lock account rows in id order, so that two transfers between the same accounts in opposite
    directions cannot deadlock."""
    list(Account.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk"))


def clearing_account(community: OrgUnit) -> Account:
    """The community's clearing account (opened on first use)."""
    found = Account.objects.filter(kind=Account.Kind.CLEARING, community=community).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return _create_account(kind=Account.Kind.CLEARING, community=community, actor=None)
    except IntegrityError:
        return Account.objects.get(kind=Account.Kind.CLEARING, community=community)


def _create_account(*, kind: str, community: OrgUnit, actor: User | None, **holder: Any) -> Account:
    account = Account.objects.create(
        account_no=f"T{uuid.uuid4().hex[:19]}",
        kind=kind,
        community=community,
        opened_by=actor,
        **holder,
    )
    account.account_no = f"TB{account.pk:08d}"
    account.save(update_fields=["account_no"])
    return account


def _post(
    *,
    actor: User,
    kind: str,
    memo: str,
    lines: list[tuple[Account, Decimal]],
    now: datetime | None = None,
    **links: Any,
) -> Transaction:
    """Write one balanced transaction. Callers have locked the accounts that coins leave."""
    if len(lines) < 2 or any(a == 0 for _, a in lines) or sum(a for _, a in lines) != 0:
        raise AssertionError("unbalanced time-bank transaction")
    txn = Transaction(
        kind=kind, memo=memo[:200], created_by=actor, created_at=now or timezone.now(), **links
    )
    txn.save()
    postings = Posting.objects.bulk_create(
        [Posting(transaction=txn, account=acc, amount=amount) for acc, amount in lines]
    )
    rollups_touch_rows("timebank.Posting", postings, created=True)
    return txn


def _check_cap(account: Account, amount: Decimal, *, field: str = "amount") -> None:
    cap = bank_policy_for(account.community).balance_cap
    current = balance(account)
    if current + amount > cap:
        raise Conflict(
            f"存入后余额将超过上限：当前余额{current}，本次{amount}，"
            f"上限{cap.normalize():f}个时间币",
            field=field,
        )


def _holder_of(
    *, volunteer_id: Any, resident_id: Any, prefix: str = ""
) -> tuple[str, Volunteer | Resident]:
    if (volunteer_id is None) == (resident_id is None):
        raise InvalidInput("请指定一名志愿者或一位居民", field=f"{prefix}volunteer_id")
    if volunteer_id is not None:
        volunteer = Volunteer.objects.filter(pk=volunteer_id).select_related("community").first()
        if volunteer is None:
            raise NotFound("未找到该志愿者", field=f"{prefix}volunteer_id")
        return Account.Kind.VOLUNTEER, volunteer
    resident = Resident.objects.filter(pk=resident_id).select_related("community").first()
    if resident is None:
        raise NotFound("未找到该居民", field=f"{prefix}resident_id")
    return Account.Kind.RESIDENT, resident


def _account_for(kind: str, person: Volunteer | Resident, actor: User | None) -> Account:
    existing = Account.objects.filter(**{kind: person}).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            account = _create_account(
                kind=kind, community=person.community, actor=actor, **{kind: person}
            )
    except IntegrityError:  # opened at the same moment by another request
        return Account.objects.get(**{kind: person})
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=account,
        summary=f"开立时间银行账户 {account.account_no}",
        changes={"kind": kind},
    )
    return account


# --- accounts ---------------------------------------------------------------------------------


@transaction.atomic
def account_open(
    *, actor: User, volunteer_id: int | None = None, resident_id: int | None = None
) -> Account:
    """Open the time-bank account of a volunteer or a resident; returns the existing one if it is
    already open. The person themselves or staff of their community may do it."""
    kind, person = _holder_of(volunteer_id=volunteer_id, resident_id=resident_id)
    field = f"{kind}_id"
    if person.user_id != actor.pk and not may_record_for(actor, person.community):
        raise NotFound("未找到该志愿者" if kind == "volunteer" else "未找到该居民", field=field)
    return _account_for(kind, person, actor)


@transaction.atomic
def kinship_record(
    *,
    actor: User,
    account_id: int,
    relation: str,
    evidence: str,
    relative_volunteer_id: int | None = None,
    relative_resident_id: int | None = None,
) -> Kinship:
    """Staff record (after checking 户口簿 or similar) that a person is a direct relative of the
    account holder, which lets the holder transfer coins to them. Both people must be in the
    staff member's scope; the relative's account is opened if needed."""
    account = _locked(account_id)
    actions = account_actions_for(actor, account)
    if AccountAction.RECORD_KINSHIP not in actions:
        if not is_holder(actor, account):
            raise NotFound("未找到该时间银行账户", field="account_id")
        require(AccountAction.RECORD_KINSHIP, actions, message="亲属关系须由社区工作人员核验后登记")
    if relation not in Kinship.Relation.values:
        raise InvalidInput(f"亲属关系只能是直系亲属：{RELATIVES_TEXT}", field="relation")
    evidence = clean_text(evidence, field="evidence", label="核验依据（如户口簿）", max_length=100)
    kind, person = _holder_of(
        volunteer_id=relative_volunteer_id, resident_id=relative_resident_id, prefix="relative_"
    )
    if not may_record_for(actor, person.community):
        raise NotFound("未找到该亲属", field=f"relative_{kind}_id")
    holder = account.volunteer or account.resident
    if holder is not None and (
        person == holder or getattr(person, "id_number", None) == holder.id_number
    ):
        raise InvalidInput("不能将本人登记为自己的亲属", field=f"relative_{kind}_id")
    relative = _account_for(kind, person, actor)
    if Kinship.objects.filter(holder=account, relative=relative).exists():
        raise Conflict("已登记过该亲属关系", field=f"relative_{kind}_id")
    kinship = Kinship.objects.create(
        holder=account, relative=relative, relation=relation, evidence=evidence, verified_by=actor
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=kinship,
        summary=f"登记亲属关系：{account.account_no} 的{kinship.get_relation_display()}"
        f" {relative.account_no}",
        changes={"relation": relation, "evidence": evidence},
    )
    return kinship


# --- deposits ---------------------------------------------------------------------------------


@transaction.atomic
def deposit_from_record(
    *, actor: User, record_id: int, category: str, now: datetime | None = None
) -> Deposit:
    """Ask to deposit the coins a counted service record of an eligible category earns.

    Idempotent: a record deposits once; asking again returns the first deposit unchanged. The
    volunteer or staff of the recording unit (or of the volunteer's community) may ask. A staff
    member who asks counts as the first reviewer; the region's policy says whether a second,
    different staff member must approve before the coins are posted. The volunteer's account is
    opened on the first deposit."""
    record = (
        ServiceRecord.objects.select_for_update()
        .filter(pk=record_id if isinstance(record_id, int) else None)
        .first()
    )
    if record is not None:
        record = ServiceRecord.objects.select_related(
            "volunteer__community", "organiser_unit", "timebank_deposit"
        ).get(pk=record.pk)
    if record is None or not (
        record.volunteer.user_id == actor.pk
        or may_record_for(actor, record.organiser_unit)
        or may_record_for(actor, record.volunteer.community)
    ):
        raise NotFound("未找到该服务记录", field="record_id")
    existing = Deposit.objects.filter(record=record).first()
    if existing is not None:
        return existing
    if record.status != ServiceRecord.Status.COUNTED:
        raise Conflict(
            f"该服务记录状态为“{record.get_status_display()}”，只有有效记录可以存入时间银行",
            field="record_id",
        )
    if record.hours <= 0:
        raise InvalidInput("该服务记录的有效时长为0小时，没有可存入的时间币", field="record_id")
    volunteer = record.volunteer
    policy = bank_policy_for(volunteer.community)
    if category not in ServiceCategory.values:
        raise InvalidInput("服务类别不正确", field="category")
    rate = policy.rate_for(category)
    if rate is None:
        raise InvalidInput(
            f"“{ServiceCategory(category).label}”不是本地区时间银行可存入的服务类别"
            f"（可存入：{policy.eligible_labels()}）",
            field="category",
        )
    amount = (record.hours * rate).quantize(CENT)
    account = _account_for(Account.Kind.VOLUNTEER, volunteer, actor)
    _lock_in_order(account.pk)
    _check_cap(account, amount, field="record_id")
    deposit = Deposit.objects.create(
        record=record,
        account=account,
        category=category,
        hours=record.hours,
        rate=rate,
        amount=amount,
        reviewers_required=policy.reviewers_required,
        requested_by=actor,
        requested_at=now or timezone.now(),
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=deposit,
        summary=f"申请将服务记录 #{record.pk}（{record.hours}小时）存入时间银行 {amount} 个时间币",
        changes={"category": category, "rate": str(rate), "amount": str(amount)},
    )
    if volunteer.user_id != actor.pk:
        _review(deposit, actor=actor, approve=True, reason="申请人审核", now=now)
    return deposit


def _review(
    deposit: Deposit, *, actor: User, approve: bool, reason: str, now: datetime | None
) -> None:
    now = now or timezone.now()
    DepositReview.objects.create(
        deposit=deposit, reviewer=actor, approve=approve, reason=reason, at=now
    )
    if not approve:
        deposit.status = Deposit.Status.REJECTED
        deposit.refusal_reason = reason
        deposit.decided_at = now
        deposit.save(update_fields=["status", "refusal_reason", "decided_at"])
        return
    approvals = deposit.reviews.filter(approve=True).count()
    if approvals < deposit.reviewers_required:
        return
    account = Account.objects.select_related("community").get(pk=deposit.account_id)
    _lock_in_order(account.pk)
    if deposit.record.status != ServiceRecord.Status.COUNTED:
        raise Conflict("该服务记录已不再有效，不能存入", field="status")
    _check_cap(account, deposit.amount, field="status")
    record = deposit.record
    _post(
        actor=actor,
        kind=Transaction.Kind.DEPOSIT,
        memo=f"{record.service_date:%Y-%m-%d} {record.title}（{deposit.hours}小时）",
        lines=[(clearing_account(account.community), -deposit.amount), (account, deposit.amount)],
        now=now,
        deposit=deposit,
    )
    deposit.status = Deposit.Status.APPROVED
    deposit.decided_at = now
    deposit.save(update_fields=["status", "decided_at"])


@transaction.atomic
def deposit_review(
    *,
    actor: User,
    deposit_id: int,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Deposit:
    """A staff member in scope approves or refuses (with a reason) a pending deposit. Each
    reviewer counts once, and the volunteer can never review their own deposit."""
    deposit = (
        Deposit.objects.select_for_update()
        .filter(pk=deposit_id if isinstance(deposit_id, int) else None)
        .first()
    )
    if deposit is not None:
        deposit = Deposit.objects.select_related(
            "record__organiser_unit", "account__community", "account__volunteer"
        ).get(pk=deposit.pk)
    is_own = deposit is not None and deposit.account.holder_user_id == actor.pk
    if deposit is None or not (
        is_own
        or may_record_for(actor, deposit.record.organiser_unit)
        or may_manage(actor, deposit.account)
    ):
        raise NotFound("未找到该存入申请", field="deposit_id")
    if is_own:
        raise Forbidden("不能审核本人的存入申请")
    if not isinstance(approve, bool):
        raise InvalidInput("请选择同意或不同意", field="approve")
    reason = clean_text(
        reason, field="reason", label="不同意的理由", max_length=300, required=not approve
    )
    if deposit.status != Deposit.Status.PENDING:
        raise Conflict(f"该存入申请已{deposit.get_status_display()}", field="status")
    if deposit.reviews.filter(reviewer=actor).exists():
        raise Conflict("您已审核过该申请，须由另一名工作人员审核", field="status")
    _review(deposit, actor=actor, approve=approve, reason=reason, now=now)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=deposit,
        summary=("同意" if approve else "不同意") + f"存入 {deposit.amount} 个时间币",
        changes={"status": deposit.status, "reason": reason},
    )
    return deposit


@transaction.atomic
def deposit_reverse(*, actor: User, deposit_id: int, reason: str) -> Transaction:
    """A supervisor takes back the coins of a posted deposit (冲正), e.g. after its record was
    found falsified or wrongly recorded: a new balancing transaction, never an edit. Refused when
    the holder has already spent or given away the coins (the balance cannot go negative)."""
    deposit = (
        Deposit.objects.select_for_update()
        .filter(pk=deposit_id if isinstance(deposit_id, int) else None)
        .first()
    )
    if deposit is not None:
        deposit = Deposit.objects.select_related(
            "record__organiser_unit", "account__community", "account__volunteer"
        ).get(pk=deposit.pk)
    if deposit is None or not (
        may_record_for(actor, deposit.record.organiser_unit) or may_manage(actor, deposit.account)
    ):
        raise NotFound("未找到该存入申请", field="deposit_id")
    actions = deposit_actions_for(actor, deposit)
    if not may_reverse_by_role(actor, deposit):
        require(DepositAction.REVERSE, actions, message="只有督导可以冲正时间币存入")
    if deposit.account.holder_user_id == actor.pk:
        require(DepositAction.REVERSE, actions, message="不能冲正本人的存入")
    reason = clean_text(reason, field="reason", label="冲正原因", max_length=200)
    if deposit.status != Deposit.Status.APPROVED:
        raise Conflict(f"该存入申请{deposit.get_status_display()}，不能冲正", field="status")
    original = Transaction.objects.get(deposit=deposit)
    account = _locked(deposit.account_id)
    current = balance(account)
    if current < deposit.amount:
        raise Conflict(
            f"账户余额{current}少于应冲正的{deposit.amount}个时间币（已被使用或转赠），"
            "请先与持有人核对",
            field="status",
        )
    txn = _post(
        actor=actor,
        kind=Transaction.Kind.REVERSAL,
        memo=f"冲正：{original.memo}（{reason}）",
        lines=[(account, -deposit.amount), (clearing_account(account.community), deposit.amount)],
        reverses=original,
    )
    deposit.status = Deposit.Status.REVERSED
    deposit.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=deposit,
        summary=f"冲正存入 {deposit.amount} 个时间币：{reason}",
        changes={"status": ["approved", "reversed"], "reason": reason},
    )
    return txn


# --- spending and transfers -------------------------------------------------------------------


def _source(actor: User, account_id: Any) -> Account:
    account = _locked(account_id)
    if not account_actions_for(actor, account) & {AccountAction.SPEND, AccountAction.TRANSFER}:
        raise NotFound("未找到该时间银行账户", field="account_id")
    return account


def _check_funds(account: Account, amount: Decimal) -> None:
    current = balance(account)
    if amount > current:
        raise Conflict(f"余额不足：当前余额{current}个时间币，本次需{amount}个", field="amount")


@transaction.atomic
def coins_spend(
    *,
    actor: User,
    account_id: int,
    amount: Any,
    service: str,
    need_id: int | None = None,
    now: datetime | None = None,
) -> Transaction:
    """Spend coins on a service the account holder received (optionally the order that carried
    it). The coins go back to the community's clearing account; the provider gets nothing extra
    (their own service hours are recorded as usual)."""
    amount = parse_amount(amount)
    service = clean_text(service, field="service", label="所兑换的服务", max_length=100)
    account = _source(actor, account_id)
    need = None
    if need_id is not None:
        need = Need.objects.filter(pk=need_id if isinstance(need_id, int) else None).first()
        holder_user = account.holder_user_id
        if need is None or not (
            (account.resident_id and need.resident_id == account.resident_id)
            or (holder_user and need.created_by_id == holder_user)
        ):
            raise NotFound("未找到本人的该服务订单", field="need_id")
        if Transaction.objects.filter(need=need).exists():
            raise Conflict("该服务订单已用时间币兑换过", field="need_id")
    _check_funds(account, amount)
    txn = _post(
        actor=actor,
        kind=Transaction.Kind.SPEND,
        memo=service,
        lines=[(account, -amount), (clearing_account(account.community), amount)],
        now=now,
        need=need,
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=txn,
        summary=f"账户 {account.account_no} 兑换服务“{service}” {amount} 个时间币",
        changes={"amount": str(amount), "need_id": need_id},
    )
    return txn


@transaction.atomic
def coins_transfer(
    *,
    actor: User,
    account_id: int,
    to_account_id: int,
    amount: Any,
    note: str = "",
    now: datetime | None = None,
) -> Transaction:
    """Give coins to a direct relative whose kinship staff have recorded."""
    amount = parse_amount(amount)
    note = clean_text(note, field="note", label="附言", max_length=100, required=False)
    if account_id == to_account_id:
        raise InvalidInput("不能转赠给本人", field="to_account_id")
    if isinstance(account_id, int) and isinstance(to_account_id, int):
        _lock_in_order(account_id, to_account_id)
    account = _source(actor, account_id)
    target = Account.objects.filter(
        pk=to_account_id if isinstance(to_account_id, int) else None
    ).first()
    if target is None or target.is_clearing:
        raise NotFound("未找到收款账户", field="to_account_id")
    kinship = Kinship.objects.filter(holder=account, relative=target).first()
    if kinship is None:
        raise InvalidInput(
            f"只能转赠给经社区核验登记的直系亲属（{RELATIVES_TEXT}）", field="to_account_id"
        )
    _check_funds(account, amount)
    _check_cap(target, amount)
    txn = _post(
        actor=actor,
        kind=Transaction.Kind.TRANSFER,
        memo=f"转赠{kinship.get_relation_display()}" + (f"：{note}" if note else ""),
        lines=[(account, -amount), (target, amount)],
        now=now,
        kinship=kinship,
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=txn,
        summary=f"账户 {account.account_no} 转赠 {target.account_no} {amount} 个时间币",
        changes={"amount": str(amount), "relation": kinship.relation},
    )
    return txn
