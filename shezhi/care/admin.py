from django.contrib import admin

from shezhi.care.models import CareAlert, CareProfile, ContactAssignment, LexiconEntry, Visit
from shezhi.core.admin import ReadOnlyAuditedAdmin


@admin.register(LexiconEntry)
class LexiconEntryAdmin(admin.ModelAdmin):
    """Additions to the built-in lexicon; each is validated on save (LexiconEntry.clean)."""

    list_display = ["term", "category", "severity", "is_regex", "is_active"]
    list_filter = ["category", "is_active", "is_regex"]
    search_fields = ["term"]


@admin.register(CareProfile)
class CareProfileAdmin(ReadOnlyAuditedAdmin):
    list_display = ["resident", "risk_level", "next_visit_due", "last_seen_on", "is_active"]
    list_filter = ["risk_level", "is_active"]


@admin.register(ContactAssignment)
class ContactAssignmentAdmin(ReadOnlyAuditedAdmin):
    list_display = ["resident", "contact", "kind", "started_on", "ended_on"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAuditedAdmin):
    list_display = ["resident", "visitor", "visited_on", "contact_made"]


@admin.register(CareAlert)
class CareAlertAdmin(ReadOnlyAuditedAdmin):
    list_display = ["kind", "status", "summary", "assigned_to", "due_by", "mandatory_report"]
    list_filter = ["kind", "status", "mandatory_report"]
