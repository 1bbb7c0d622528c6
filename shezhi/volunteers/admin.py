from django.contrib import admin

from shezhi.core.admin import AuditedReadAdmin
from shezhi.volunteers.models import (
    ServiceRecord,
    SkillTag,
    Team,
    TeamMembership,
    Volunteer,
    VolunteerSkill,
)


@admin.register(SkillTag)
class SkillTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    raw_id_fields = ["volunteer"]
    extra = 0


@admin.register(Team)
class TeamAdmin(AuditedReadAdmin):
    list_display = ["name", "community", "leader"]
    raw_id_fields = ["community", "leader"]
    inlines = [MembershipInline]


class SkillInline(admin.TabularInline):
    """Skills with their levels (the through model replaces the plain skills widget)."""

    model = VolunteerSkill
    extra = 0


@admin.register(Volunteer)
class VolunteerAdmin(AuditedReadAdmin):
    list_display = ["volunteer_no", "name", "community", "masked_phone", "is_active"]
    search_fields = ["volunteer_no", "name"]
    raw_id_fields = ["user", "community", "compound"]
    exclude = ["id_number"]
    inlines = [SkillInline]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(AuditedReadAdmin):
    list_display = ["service_date", "volunteer", "title", "hours", "organiser"]
    raw_id_fields = ["volunteer", "organiser_unit", "recorded_by"]

    # Records are never deleted (corrections come with the volunteers issue).
    def has_delete_permission(self, request, obj=None):
        return False
