"""/api/v1/timebank: time-bank accounts, deposits from service records (with reviews), spending,
transfers to recorded direct relatives and the statement (对账单). Each handler calls one service
or selector; the rules (scope, cap, balance, reviewers) live in shezhi.timebank."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shezhi.accounts.models import User
from shezhi.api.errors import CHANGE, raises
from shezhi.api.render import actions_list, counted_page
from shezhi.api.schemas import ERRORS, MAX_ID, Clean, Id, In, StrictBool
from shezhi.core.errors import ErrorCode
from shezhi.timebank import selectors, services
from shezhi.timebank.models import Account, Deposit, Kinship, Transaction
from shezhi.timebank.permissions import AccountAction, deposit_actions_for

router = Router(tags=["时间银行"])

PathId = Annotated[int, Field(ge=1, le=MAX_ID)]
Coins = Annotated[Decimal, Field(description="时间币数量，大于0，最多两位小数")]


# --- schemas ----------------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    account_no: str
    kind: str
    kind_label: str
    holder_name: str
    community: str
    balance: Decimal = Field(description="由记账分录汇总得出的余额")


class RelativeOut(Schema):
    kinship_id: int
    relation: str
    relation_label: str
    account_id: int
    account_no: str
    holder_name: str
    evidence: str
    verified_at: datetime


class DepositOut(Schema):
    id: int
    record_id: int
    record_title: str
    account_no: str
    holder_name: str
    category: str
    category_label: str
    hours: Decimal
    rate: Decimal
    amount: Decimal
    status: str
    status_label: str
    reviewers_required: int
    approvals: int
    requested_at: datetime
    allowed_actions: list[str] = Field(
        description="当前用户可对该笔存入做的操作（reverse），与页面按钮一致（timebank/permissions.py）"
    )


class AccountDetailOut(AccountOut):
    balance_cap: Decimal
    eligible_rates: dict[str, Decimal] = Field(description="{可存入的服务类别: 每小时时间币}")
    reviewers_required: int
    relatives: list[RelativeOut]
    allowed_actions: list[str] = Field(
        description="本人对该账户可做的操作（spend、transfer、record_kinship），与页面按钮一致"
    )
    deposits: list[DepositOut] = Field(description="最近20笔存入，各带本人可做的操作")


class AccountOpenIn(In):
    volunteer_id: Id | None = Field(
        None, description="志愿者编号（内部 id），与 resident_id 二选一"
    )
    resident_id: Id | None = Field(None, description="居民 id，与 volunteer_id 二选一")


class AccountQuery(Clean):
    q: str | None = Field(None, max_length=30, description="账号、姓名或志愿者编号")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


class AccountPageOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[AccountOut]


class DepositIn(In):
    record_id: Id = Field(description="有效的志愿服务记录")
    category: str = Field(max_length=20, description="服务类别，如 elderly（助老服务）")


class DepositReviewIn(In):
    approve: StrictBool
    reason: str = Field("", max_length=300, description="不同意时必填")


class SpendIn(In):
    amount: Coins
    service: str = Field(max_length=200, description="所兑换的服务")
    need_id: Id | None = Field(None, description="本人的服务订单（可选）")


class TransferIn(In):
    to_account_id: Id = Field(description="已登记的直系亲属的账户")
    amount: Coins
    note: str = Field("", max_length=200)


class KinshipIn(In):
    relation: str = Field(max_length=20, description="spouse/parent/child/grandparent/grandchild")
    evidence: str = Field(max_length=200, description="核验依据，如 户口簿")
    relative_volunteer_id: Id | None = None
    relative_resident_id: Id | None = None


class TransactionOut(Schema):
    id: int
    kind: str
    kind_label: str
    memo: str
    amount: Decimal
    created_at: datetime


class StatementQuery(Clean):
    date_from: date | None = Field(None, description="默认为当年1月1日")
    date_to: date | None = Field(None, description="默认为今天")


class StatementRowOut(Schema):
    at: datetime
    kind: str
    memo: str
    counterpart: str
    amount: Decimal
    balance: Decimal = Field(description="该笔之后的余额")


class StatementOut(Schema):
    account_no: str
    holder_name: str
    date_from: date
    date_to: date
    opening: Decimal
    credits: Decimal
    debits: Decimal
    closing: Decimal
    rows: list[StatementRowOut]


# --- rendering --------------------------------------------------------------------------------


def _account(account: Account, balance: Decimal) -> dict:
    return {
        "id": account.pk,
        "account_no": account.account_no,
        "kind": account.kind,
        "kind_label": account.get_kind_display(),
        "holder_name": account.holder_name,
        "community": account.community.name,
        "balance": balance,
    }


def _detail(page: selectors.AccountPage, actor: User) -> dict:
    return {
        **_account(page.account, page.balance),
        "balance_cap": page.policy.balance_cap,
        "eligible_rates": page.policy.rates,
        "reviewers_required": page.policy.reviewers_required,
        "relatives": [_relative(k) for k in page.relatives],
        "allowed_actions": [a.value for a in AccountAction if a in page.actions],
        "deposits": [_deposit(d, actor) for d in page.deposits],
    }


def _relative(k: Kinship) -> dict:
    return {
        "kinship_id": k.pk,
        "relation": k.relation,
        "relation_label": k.get_relation_display(),
        "account_id": k.relative_id,
        "account_no": k.relative.account_no,
        "holder_name": k.relative.holder_name,
        "evidence": k.evidence,
        "verified_at": k.verified_at,
    }


def _deposit(d: Deposit, actor: User) -> dict:
    """Load it with its record's organiser unit, its account's community and its reviews."""
    return {
        "id": d.pk,
        "record_id": d.record_id,
        "record_title": d.record.title,
        "account_no": d.account.account_no,
        "holder_name": d.account.holder_name,
        "category": d.category,
        "category_label": d.get_category_display(),
        "hours": d.hours,
        "rate": d.rate,
        "amount": d.amount,
        "status": d.status,
        "status_label": d.get_status_display(),
        "reviewers_required": d.reviewers_required,
        "approvals": sum(1 for r in d.reviews.all() if r.approve),
        "requested_at": d.requested_at,
        "allowed_actions": actions_list(deposit_actions_for(actor, d)),
    }


def _transaction(t: Transaction) -> dict:
    return {
        "id": t.pk,
        "kind": t.kind,
        "kind_label": t.get_kind_display(),
        "memo": t.memo,
        "amount": max(p.amount for p in t.postings.all()),
        "created_at": t.created_at,
    }


# --- operations -------------------------------------------------------------------------------


@router.get("/me", response={200: AccountDetailOut, **ERRORS}, summary="我的时间银行账户")
@raises(ErrorCode.NOT_FOUND)
def my_account(request: HttpRequest):
    return _detail(selectors.my_account_page(actor=request.auth), request.auth)


@router.get("/accounts", response={200: AccountPageOut, **ERRORS}, summary="辖区内的账户及余额")
def account_list(request: HttpRequest, filters: Query[AccountQuery]):
    qs = selectors.accounts_in_scope(actor=request.auth, query=filters.q or "")
    return counted_page(
        qs,
        limit=filters.limit,
        offset=filters.offset,
        item=lambda a: _account(a, a.balance),
    )


@router.post(
    "/accounts", response={201: AccountOut, **ERRORS}, summary="开立账户（已开立则返回原账户）"
)
@raises(*CHANGE)
def account_open(request: HttpRequest, payload: AccountOpenIn):
    account = services.account_open(actor=request.auth, **payload.model_dump())
    return 201, _account(account, services.balance(account))


@router.get(
    "/accounts/{account_id}", response={200: AccountDetailOut, **ERRORS}, summary="账户详情"
)
def account_detail(request: HttpRequest, account_id: PathId):
    return _detail(selectors.account_get(actor=request.auth, account_id=account_id), request.auth)


@router.get(
    "/accounts/{account_id}/statement",
    response={200: StatementOut, **ERRORS},
    summary="对账单：期初余额、每笔流水及余额、期末余额",
)
def account_statement(request: HttpRequest, account_id: PathId, period: Query[StatementQuery]):
    s = selectors.statement(
        actor=request.auth,
        account_id=account_id,
        date_from=period.date_from,
        date_to=period.date_to,
    )
    return {
        "account_no": s.account.account_no,
        "holder_name": s.account.holder_name,
        "date_from": s.date_from,
        "date_to": s.date_to,
        "opening": s.opening,
        "credits": s.credits,
        "debits": s.debits,
        "closing": s.closing,
        "rows": [vars(r) for r in s.rows],
    }


@router.post(
    "/accounts/{account_id}/spend",
    response={201: TransactionOut, **ERRORS},
    summary="用时间币兑换本人接受的服务",
)
@raises(*CHANGE)
def account_spend(request: HttpRequest, account_id: PathId, payload: SpendIn):
    txn = services.coins_spend(actor=request.auth, account_id=account_id, **payload.model_dump())
    return 201, _transaction(txn)


@router.post(
    "/accounts/{account_id}/transfer",
    response={201: TransactionOut, **ERRORS},
    summary="转赠时间币给已核验的直系亲属",
)
@raises(*CHANGE)
def account_transfer(request: HttpRequest, account_id: PathId, payload: TransferIn):
    txn = services.coins_transfer(actor=request.auth, account_id=account_id, **payload.model_dump())
    return 201, _transaction(txn)


@router.post(
    "/accounts/{account_id}/relatives",
    response={201: RelativeOut, **ERRORS},
    summary="登记经核验的直系亲属（社区工作人员）",
)
@raises(*CHANGE)
def account_relative(request: HttpRequest, account_id: PathId, payload: KinshipIn):
    kinship = services.kinship_record(
        actor=request.auth, account_id=account_id, **payload.model_dump()
    )
    return 201, _relative(kinship)


@router.post(
    "/deposits",
    response={201: DepositOut, **ERRORS},
    summary="将有效服务记录存入时间银行（每条记录只存一次）",
)
@raises(*CHANGE)
def deposit_create(request: HttpRequest, payload: DepositIn):
    deposit = services.deposit_from_record(actor=request.auth, **payload.model_dump())
    return 201, _deposit(deposit, request.auth)


@router.get(
    "/deposits/pending", response={200: list[DepositOut], **ERRORS}, summary="待我审核的存入"
)
def deposits_pending(request: HttpRequest):
    qs = selectors.deposits_to_review(actor=request.auth).prefetch_related("reviews")
    return [_deposit(d, request.auth) for d in qs[:200]]


@router.post(
    "/deposits/{deposit_id}/review",
    response={200: DepositOut, **ERRORS},
    summary="审核存入（同一人只计一次，本人不能审核）",
)
@raises(*CHANGE)
def deposit_review(request: HttpRequest, deposit_id: PathId, payload: DepositReviewIn):
    deposit = services.deposit_review(
        actor=request.auth, deposit_id=deposit_id, **payload.model_dump()
    )
    return _deposit(deposit, request.auth)


class ReverseIn(In):
    reason: str = Field(max_length=300, description="冲正原因，如 服务记录被认定弄虚作假")


@router.post(
    "/deposits/{deposit_id}/reverse",
    response={201: TransactionOut, **ERRORS},
    summary="冲正已存入的时间币（督导；余额不足时拒绝）",
)
@raises(*CHANGE)
def deposit_reverse(request: HttpRequest, deposit_id: PathId, payload: ReverseIn):
    txn = services.deposit_reverse(
        actor=request.auth, deposit_id=deposit_id, **payload.model_dump()
    )
    return 201, _transaction(txn)
