"""Issuing and revoking API keys (partners) and app tokens (phone apps)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.open311.models import ApiKey, AppToken, digest, new_secret

# last_used_at is written at most this often, so a busy app does not write on every request.
TOUCH_EVERY = datetime.timedelta(minutes=5)
MAX_TOKENS_PER_USER = 20


def _name(value: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    if len(value) > 100:
        raise DomainError(_("名称太长（不能超过100字）"))
    return value


@transaction.atomic
def api_key_issue(*, acting_user, name: str, place, organization=None) -> tuple[ApiKey, str]:
    """Issue a key to a partner for the estates under ``place``. Returns the key and its secret,
    which is shown once and never stored."""
    name = _name(name, _("请填写密钥名称（如合作单位或系统名）"))
    if place is None:
        raise DomainError(_("请选择适用范围"))
    if not access.can(acting_user, Capability.MANAGE_ORGS, place):
        raise DomainError(_("您没有权限为该范围签发密钥"), status=403)
    secret = new_secret("gzk")
    key = ApiKey(
        name=name,
        place=place,
        organization=organization,
        key_digest=digest(secret),
        key_hint=secret[-6:],
        created_by=acting_user,
    )
    key.save()
    audit_record(acting_user=acting_user, action="open311.api_key_issue", target=str(key), detail={"key": key.pk})
    return key, secret


@transaction.atomic
def api_key_revoke(*, acting_user, key: ApiKey) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if not access.can(acting_user, Capability.MANAGE_ORGS, key.place):
        raise DomainError(_("您没有权限吊销该密钥"), status=403)
    if key.revoked_at is not None:
        raise DomainError(_("该密钥已吊销"), status=409)
    key.revoked_at = timezone.now()
    key.revoked_by = acting_user
    key.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(acting_user=acting_user, action="open311.api_key_revoke", target=str(key), detail={"key": key.pk})
    return key


def api_key_for_secret(secret: str) -> ApiKey | None:
    if not secret:
        return None
    key = ApiKey.objects.select_related("place").filter(key_digest=digest(secret), revoked_at__isnull=True).first()
    if key is not None:
        _touch(key)
    return key


@transaction.atomic
def app_token_issue(*, acting_user, name: str) -> tuple[AppToken, str]:
    name = _name(name, _("请填写设备名称"))
    if not getattr(acting_user, "is_authenticated", False):
        raise DomainError(_("请先登录"), status=401)
    if AppToken.objects.filter(user=acting_user, revoked_at__isnull=True).count() >= MAX_TOKENS_PER_USER:
        raise DomainError(_("有效令牌太多，请先吊销不用的"), status=409)
    secret = new_secret("gzt")
    token = AppToken(user=acting_user, name=name, token_digest=digest(secret), token_hint=secret[-6:])
    token.save()
    audit_record(acting_user=acting_user, action="open311.app_token_issue", target=str(token))
    return token, secret


@transaction.atomic
def app_token_revoke(*, acting_user, token_id: int) -> AppToken:
    token = AppToken.objects.select_for_update().filter(pk=token_id, user_id=acting_user.pk).first()
    if token is None:
        raise DomainError(_("令牌不存在"), status=404)
    if token.revoked_at is not None:
        raise DomainError(_("该令牌已吊销"), status=409)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(acting_user=acting_user, action="open311.app_token_revoke", target=str(token))
    return token


USER_SECONDS = 30
# How long a worker trusts what it read of a token. Revoking a token (or deactivating its account)
# drops every cached token at once where the cache is shared (REDIS_URL, as in production); with
# the per-process memory cache, the other worker processes notice within this many seconds.
TOKEN_SECONDS = 10


def user_for_token(secret: str):
    """The active user an app token belongs to, or None.

    A phone sends its token with every request, so what the token row says (its id, its user and
    when it was last used) is kept in the cache for ``TOKEN_SECONDS``, like the user with their
    person for ``USER_SECONDS``; both are dropped at once when a token, user, person, post or place
    is saved (the grants generation, see ``gongzhi.open311.auth``)."""
    from django.core.cache import cache

    from gongzhi.open311.auth import grants_generation

    if not secret:
        return None
    hashed = digest(secret)
    key = f"gongzhi:token:{grants_generation()}:{hashed}"
    row = cache.get(key)
    if row is None:
        row = (
            AppToken.objects.filter(token_digest=hashed, revoked_at__isnull=True, user__is_active=True)
            .order_by()
            .values_list("id", "user_id", "last_used_at")
            .first()
        )
        if row is None:
            return None
        cache.set(key, row, TOKEN_SECONDS)
    token_id, user_id, last_used_at = row
    now = timezone.now()
    if last_used_at is None or now - last_used_at > TOUCH_EVERY:
        AppToken.objects.filter(pk=token_id).update(last_used_at=now)
        cache.set(key, (token_id, user_id, now), TOKEN_SECONDS)
    return _user(user_id)


def _user(user_id: int):
    from django.core.cache import cache

    from gongzhi.accounts.models import User
    from gongzhi.open311.auth import grants_generation

    key = f"gongzhi:token-user:{grants_generation()}:{user_id}"
    user = cache.get(key)
    if user is None:
        user = User.objects.select_related("person").get(pk=user_id)
        hasattr(user, "person")  # loaded with the user (or known to be missing) before caching
        cache.set(key, user, USER_SECONDS)
    return user


def _touch(row) -> None:
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        type(row).objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
