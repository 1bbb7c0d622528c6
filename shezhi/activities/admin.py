from django.contrib import admin

from shezhi.activities.models import Activity, Attendance, InsuranceRecord, Position, SignUp


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
class SignUpAdmin(admin.ModelAdmin):
    list_display = ["activity", "volunteer", "position", "status"]
    list_filter = ["status"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["activity", "volunteer", "checked_in_at", "checked_out_at", "hours"]


@admin.register(InsuranceRecord)
class InsuranceRecordAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "insurer", "policy_no", "valid_from", "valid_to"]
