"""Who may do what with a time-bank account or a deposit: one answer for services, pages and API.

The holder spends and transfers their own coins; staff of a recording role whose unit contains
the account's community manage it (record kinship, spend or transfer on the holder's behalf at
the desk); a supervisor of the account's (or the record's) unit reverses an approved deposit,
never their own. Anyone else does not see the account (404)."""

from enum import StrEnum

from shezhi.accounts.models import STAFF_ROLES, Role, User
from shezhi.timebank.models import Account, Deposit
from shezhi.volunteers.services import may_approve_late, may_record_for

# Staff who keep the accounts at the desk (menu entry); a grid worker works the street instead.
DESK_ROLES = STAFF_ROLES - {Role.GRID_WORKER}


class AccountAction(StrEnum):
    SPEND = "spend"
    TRANSFER = "transfer"
    RECORD_KINSHIP = "record_kinship"


class DepositAction(StrEnum):
    REVERSE = "reverse"


def is_holder(actor: User, account: Account) -> bool:
    return account.holder_user_id is not None and account.holder_user_id == actor.pk


def may_manage(actor: User, account: Account) -> bool:
    """Staff of the account's community or above (recording roles), or the system admin."""
    return may_record_for(actor, account.community)


def account_actions_for(actor: User, account: Account) -> frozenset[AccountAction]:
    if not actor.is_authenticated or account.is_clearing:
        return frozenset()
    allowed: set[AccountAction] = set()
    manage = may_manage(actor, account)
    if manage or is_holder(actor, account):
        allowed |= {AccountAction.SPEND, AccountAction.TRANSFER}
    if manage:
        allowed.add(AccountAction.RECORD_KINSHIP)
    return frozenset(allowed)


def may_reverse_by_role(actor: User, deposit: Deposit) -> bool:
    """A supervisor of the account's community or of the unit that organised the service."""
    return may_approve_late(actor, deposit.account.community) or may_approve_late(
        actor, deposit.record.organiser_unit
    )


def deposit_actions_for(actor: User, deposit: Deposit) -> frozenset[DepositAction]:
    if not actor.is_authenticated:
        return frozenset()
    if (
        deposit.status == Deposit.Status.APPROVED
        and deposit.account.holder_user_id != actor.pk
        and may_reverse_by_role(actor, deposit)
    ):
        return frozenset({DepositAction.REVERSE})
    return frozenset()
