from django.contrib import admin

from gongzhi.open311.models import ApiKey, AppToken, PartnerRequest


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued and revoked on the key page (the secret is shown only there, once)."""

    list_display = ("name", "key_hint", "place", "organization", "created_at", "revoked_at", "last_used_at")
    readonly_fields = ("key_hint", "created_by", "created_at", "revoked_at", "revoked_by", "last_used_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AppToken)
class AppTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "token_hint", "created_at", "revoked_at", "last_used_at")
    readonly_fields = ("token_hint", "created_at", "last_used_at")
    raw_id_fields = ("user",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartnerRequest)
class PartnerRequestAdmin(admin.ModelAdmin):
    list_display = ("case", "api_key", "token", "created_at")
    raw_id_fields = ("case",)
