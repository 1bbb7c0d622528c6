"""Admin: the regional rules are editable; the ledger and everything leading to it are read-only
(coins move only through the services, and postings are never changed or deleted)."""

from django.contrib import admin

from shezhi.core.admin import ReadOnlyAuditedAdmin, ReadOnlyMixin
from shezhi.timebank.models import (
    Account,
    Deposit,
    DepositReview,
    Kinship,
    Posting,
    TimeBankPolicy,
    Transaction,
)
from shezhi.timebank.policy import parse_rates


@admin.register(TimeBankPolicy)
class TimeBankPolicyAdmin(admin.ModelAdmin):
    list_display = ["unit", "rates", "balance_cap", "reviewers_required"]
    raw_id_fields = ["unit"]

    def save_model(self, request, obj, form, change):
        parse_rates(obj.rates)  # refuse unknown categories and absurd rates
        super().save_model(request, obj, form, change)


@admin.register(Account)
class AccountAdmin(ReadOnlyAuditedAdmin):
    list_display = ["account_no", "kind", "volunteer", "resident", "community", "opened_at"]
    list_filter = ["kind"]
    search_fields = ["account_no", "volunteer__name", "volunteer__volunteer_no", "resident__name"]


@admin.register(Kinship)
class KinshipAdmin(ReadOnlyAuditedAdmin):
    list_display = ["holder", "relation", "relative", "evidence", "verified_by", "verified_at"]


class ReviewInline(ReadOnlyMixin, admin.TabularInline):
    model = DepositReview
    extra = 0


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAuditedAdmin):
    list_display = ["record", "account", "category", "hours", "rate", "amount", "status"]
    list_filter = ["status", "category"]
    inlines = [ReviewInline]


class PostingInline(ReadOnlyMixin, admin.TabularInline):
    model = Posting
    extra = 0


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAuditedAdmin):
    list_display = ["id", "kind", "memo", "created_at", "created_by"]
    list_filter = ["kind"]
    inlines = [PostingInline]


@admin.register(Posting)
class PostingAdmin(ReadOnlyAuditedAdmin):
    list_display = ["id", "transaction", "account", "amount"]
    search_fields = ["account__account_no"]
