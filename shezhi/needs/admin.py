from django.contrib import admin

from shezhi.core.admin import ReadOnlyAuditedAdmin, ReadOnlyMixin
from shezhi.needs.models import Need, NeedCategory, NeedTransition, UrgencyLevel


@admin.register(NeedCategory)
class NeedCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "max_minutes",
        "sort_order",
        "is_active",
        "for_residents",
        "icon",
    ]
    list_editable = ["max_minutes"]
    filter_horizontal = ["skills"]


@admin.register(UrgencyLevel)
class UrgencyLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "response_hours", "resolution_hours", "sort_order"]


class TransitionInline(ReadOnlyMixin, admin.TabularInline):
    model = NeedTransition
    extra = 0


@admin.register(Need)
class NeedAdmin(ReadOnlyAuditedAdmin):
    """Read-only in the admin: changes go through the ledger so they are checked and audited."""

    list_display = ["id", "title", "category", "urgency", "status", "community", "created_at"]
    list_filter = ["status", "urgency", "category"]
    search_fields = ["title"]
    inlines = [TransitionInline]
