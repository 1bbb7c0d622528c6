from django.contrib import admin

from shezhi.core.admin import AuditedReadAdmin
from shezhi.org.models import OrgUnit, PartnerOrganisation, ServiceCentre, Station


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "code", "path"]
    list_filter = ["level"]
    search_fields = ["name", "code", "path"]
    raw_id_fields = ["parent"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "unit", "address", "phone"]
    list_filter = ["tier"]
    raw_id_fields = ["unit"]


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "address"]
    raw_id_fields = ["unit"]


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(AuditedReadAdmin):
    list_display = ["name", "unit", "contact_name", "is_active"]
    raw_id_fields = ["unit"]
