from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from shezhi.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["unit", "partner"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            "社志通",
            {
                "fields": [
                    "display_name",
                    "role",
                    "unit",
                    "partner",
                    "phone",
                    "must_change_password",
                    "elder_mode",
                ]
            },
        ),
    ]
    actions = ["unlock_login"]

    @admin.action(description="解除登录锁定")
    def unlock_login(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Clears the failed log-ins of the chosen accounts (the lock by account name)."""
        for user in queryset:
            axes_reset(username=user.username)
        self.message_user(
            request, f"已解除 {queryset.count()} 个账号的登录锁定。", messages.SUCCESS
        )
