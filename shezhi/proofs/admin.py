from django.contrib import admin

from shezhi.proofs.models import Proof


@admin.register(Proof)
class ProofAdmin(admin.ModelAdmin):
    """Read-only: an issued proof is never changed."""

    list_display = ["proof_no", "volunteer_no", "date_from", "date_to", "total_hours", "issued_at"]
    search_fields = ["proof_no", "volunteer_no"]
    exclude = ["pdf", "record_ids"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
