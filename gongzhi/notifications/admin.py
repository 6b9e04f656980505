from django.contrib import admin

from gongzhi.notifications.models import Notification, OutboxMessage


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__username")
    raw_id_fields = ("user",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "address", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("channel", "status")
    raw_id_fields = ("notification",)
    readonly_fields = ("created_at", "sent_at")
