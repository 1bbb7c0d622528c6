from django.contrib import admin

from shezhi.core.admin import AuditedReadAdmin, ReadOnlyAuditedAdmin
from shezhi.people.models import Household, Resident, VulnerabilityTag


@admin.register(VulnerabilityTag)
class VulnerabilityTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]


@admin.register(Household)
class HouseholdAdmin(AuditedReadAdmin):
    list_display = ["compound", "address"]
    raw_id_fields = ["compound"]


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAuditedAdmin):
    """Residents are listed masked here; full records are read through the audited desk views."""

    list_display = ["id", "masked_name", "gender", "masked_phone", "community", "grid"]
    list_filter = ["tags"]
    fields = [
        "masked_name",
        "gender",
        "birth_date",
        "masked_id_number",
        "masked_phone",
        "community",
        "compound",
        "grid",
        "address",
        "tags",
    ]
    readonly_fields = fields
