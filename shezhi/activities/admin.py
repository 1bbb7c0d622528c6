from django.contrib import admin

from shezhi.activities.models import (
    Activity,
    Attendance,
    InsuranceRecord,
    Position,
    Rating,
    SignUp,
    Summary,
)
from shezhi.core.admin import AuditedReadAdmin


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "organiser_unit", "starts_at", "status"]
    list_filter = ["status", "category"]
    search_fields = ["title"]
    inlines = [PositionInline]


@admin.register(SignUp)
class SignUpAdmin(AuditedReadAdmin):
    list_display = ["activity", "volunteer", "position", "status"]
    list_filter = ["status"]
    # Named, so the list does not join every foreign key to depth 5 (19 joins for attendance,
    # a plan PostgreSQL can take minutes over).
    list_select_related = ["activity", "volunteer", "position"]


@admin.register(Attendance)
class AttendanceAdmin(AuditedReadAdmin):
    list_display = ["activity", "volunteer", "checked_in_at", "checked_out_at", "hours"]
    list_select_related = ["activity", "volunteer"]


@admin.register(InsuranceRecord)
class InsuranceRecordAdmin(AuditedReadAdmin):
    list_display = ["volunteer", "insurer", "policy_no", "valid_from", "valid_to"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["activity", "rater", "role", "stars", "created_at"]
    list_filter = ["role", "stars"]

    def has_change_permission(self, request, obj=None):
        return False  # a rating is the rater's word: never edited


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = ["activity", "written_by", "updated_at"]
