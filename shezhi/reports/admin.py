from django.contrib import admin

from shezhi.reports.models import Report, ReportVersion


class _ReadOnly(admin.ModelAdmin):
    """Read-only: reports change through their pages (audited); issued versions never."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(_ReadOnly):
    list_display = ["title", "unit", "kind", "period_start", "status", "issued_version"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "unit__name"]


@admin.register(ReportVersion)
class ReportVersionAdmin(_ReadOnly):
    list_display = ["report", "number", "issued_at", "issued_by_identity", "pdf_sha256"]
    exclude = ["pdf", "xlsx", "content"]
