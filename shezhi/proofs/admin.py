from django.contrib import admin

from shezhi.core.admin import ReadOnlyMixin
from shezhi.proofs.models import Proof


@admin.register(Proof)
class ProofAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: an issued proof is never changed."""

    list_display = ["proof_no", "volunteer_no", "date_from", "date_to", "total_hours", "issued_at"]
    search_fields = ["proof_no", "volunteer_no"]
    exclude = ["pdf", "record_ids"]
