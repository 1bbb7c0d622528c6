from django.contrib import admin

from shezhi.core.admin import AuditedReadAdmin
from shezhi.notifications.models import Delivery, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "attempts", "last_error", "sent_at"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(AuditedReadAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["channel", "status"]
    raw_id_fields = ["notification"]
