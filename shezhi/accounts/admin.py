from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shezhi.accounts.models import User
from shezhi.accounts.services import user_deactivate
from shezhi.core.admin import AuditedReadAdmin


@admin.register(User)
class UserAdmin(AuditedReadAdmin, BaseUserAdmin):
    """Users are deactivated, never deleted: their audit rows and records must keep who it was."""

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
    actions = ["unlock_login", "deactivate"]

    @admin.action(description="解除登录锁定")
    def unlock_login(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Clears the failed log-ins of the chosen accounts (the lock by account name)."""
        for user in queryset:
            axes_reset(username=user.username)
        self.message_user(
            request, f"已解除 {queryset.count()} 个账号的登录锁定。", messages.SUCCESS
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("停用所选用户"))
    def deactivate(self, request, queryset):
        for user in queryset:
            user_deactivate(actor=request.user, user_id=user.pk)
        self.message_user(
            request, _("已停用 %(n)d 个用户。") % {"n": queryset.count()}, messages.SUCCESS
        )
