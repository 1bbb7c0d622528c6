from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from shezhi.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["unit", "partner"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("社志通", {"fields": ["display_name", "role", "unit", "partner", "phone", "elder_mode"]}),
    ]
