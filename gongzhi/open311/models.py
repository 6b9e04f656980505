"""Credentials for programs that talk to Gongzhi, and the requests partners filed.

- ``ApiKey``: issued by staff to a partner (a 12345 platform, a partner unit's app) for Open311
  GeoReport v2 ``POST requests``. It covers one place (usually a subdistrict): the partner may file
  cases for the estates under it.
- ``AppToken``: a personal token for a phone app (``Authorization: Bearer …`` on ``/api/v1/``).
  It acts as its user, with exactly the user's permissions.

Only a SHA-256 digest of each secret is stored; the secret is shown once, when it is issued.
Keys and tokens are revoked, never deleted."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


class ApiKey(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("合作单位"),
    )
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("适用范围")
    )
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(_("密钥末尾"), max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("签发人")
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.key_hint})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def permission_place(self):
        return self.place


class AppToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("设备名称"), max_length=100)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("令牌末尾"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("应用令牌")
        verbose_name_plural = _("应用令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.token_hint})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PartnerRequest(models.Model):
    """A case a partner filed through Open311: which key filed it, and the token it was given."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="partner_request", verbose_name=_("诉求")
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="requests", verbose_name=_("接口密钥"))
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account_id = models.CharField(_("对方账号"), max_length=100, blank=True)
    email = models.EmailField(_("联系邮箱"), blank=True)
    device_id = models.CharField(_("设备编号"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("合作方提交记录")
        verbose_name_plural = _("合作方提交记录")
        ordering = ["-id"]
