from django.contrib import admin

from gongzhi.cases.models import Case, CaseEvent, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "default_org_kind",
        "working_days",
        "urgent_working_days",
        "emergency_hours",
        "is_active",
    )
    list_editable = ("working_days", "urgent_working_days", "emergency_hours", "is_active")


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "from_state", "to_state", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through the services (the pages and the API)."""

    list_display = ("number", "title", "estate", "state", "responsible", "deadline", "created_at")
    list_filter = ("state", "channel", "urgency")
    search_fields = ("number", "title")
    inlines = [CaseEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
