from django.contrib import admin
from django.contrib.admin.utils import unquote

from shezhi.core import audit
from shezhi.core.models import AuditEvent


class AuditedReadAdmin(admin.ModelAdmin):
    """For models that hold personal data (ID numbers, phones, notes): list columns are masked,
    and every change page read — which shows the record in full — writes a read_unmasked row."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                audit.record(
                    actor=request.user,
                    action=AuditEvent.Action.READ_UNMASKED,
                    obj=obj,
                    summary="后台查看完整信息",
                )
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "actor",
        "actor_identity",
        "action",
        "object_type",
        "object_id",
        "summary",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "summary", "actor_identity"]

    # The audit trail is append-only, even for administrators.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
