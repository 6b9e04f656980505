"""Authentication of programs on the JSON API: ``Authorization: Bearer <app token>``, and the short
cache of a signed-in user's grants.

Routers use ``API_AUTH`` (the bearer token first, then the browser session with its CSRF check)::

    router = Router(auth=API_AUTH)

A user's grants (posts and flats → capabilities at places, see ``gongzhi.accounts.access``) cost
three or more queries to compute. A phone app or a staff member clicking through the queue sends
many requests in a row, so ``use_cached_grants`` keeps them in Django's cache for at most
``GRANTS_SECONDS``. How stale they can be:

- the key holds the day, so an appointment or a tenancy that ends at midnight ends at midnight;
- any saved or deleted appointment, ownership, residence, user, person, organization, service contract,
  place or grid (and a change of an organization's covered places or a grid's buildings) bumps a
  generation number in the cache, which drops every cached grant at once (for all workers when
  the cache is shared, i.e. Redis; with the per-process memory cache other worker processes
  notice when their copy expires);
- so the bound is ``GRANTS_SECONDS`` (30 s) in the worst case. What a token row says is cached
  the same way for ``TOKEN_SECONDS`` (10 s, ``gongzhi.open311.services``), and revoking a token
  bumps the generation too: with a shared cache a revoked token or a deactivated account is
  refused at once by every worker; with the per-process cache, by the worker that made the change
  at once and by the others within 10 s. Production runs with Redis (``REDIS_URL``).
"""

import copy
import time

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from gongzhi.accounts import access
from gongzhi.core.memo import ProcessMemo
from gongzhi.open311.models import digest
from gongzhi.open311.services import TOKEN_SECONDS, user_for_token

GRANTS_SECONDS = 30
GENERATION_KEY = "gongzhi:grants:generation"


def grants_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Not 1: a cache emptied (or restarted) must not meet again the keys of its first life,
        # which workers may still hold in their process memo.
        cache.add(GENERATION_KEY, time.time_ns() // 1000, None)
        generation = cache.get(GENERATION_KEY)
    return generation


def forget_all_grants(**kwargs) -> None:
    """Drop every cached grant (a receiver of post_save / post_delete)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def use_cached_grants(user, scope: str) -> None:
    """Give ``user`` its grants from the cache (computing and storing them on a miss). ``scope``
    separates credentials of the same user (a token's digest, a session key)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "_gongzhi_grants", None) is not None:
        return
    key = f"gongzhi:grants:{grants_generation()}:{timezone.localdate():%Y%m%d}:{user.pk}:{scope}"
    grants = cache.get(key)
    if grants is None:
        grants = access.compute_grants(user)
        cache.set(key, grants, GRANTS_SECONDS)
    user._gongzhi_grants = grants


def use_session_grants(request) -> None:
    """For pages: the signed-in user's grants from the cache, keyed by the session."""
    user = getattr(request, "user", None)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        use_cached_grants(user, f"s:{digest(session_key)}")


def connect_grant_invalidation() -> None:
    """Every model the grants are computed from drops the cached grants when it changes."""
    from gongzhi.accounts.models import Appointment, Ownership, Person, Residence, User
    from gongzhi.open311.models import AppToken
    from gongzhi.orgs.models import Organization, ServiceContract
    from gongzhi.places.models import Grid, Place

    sources = (Appointment, Ownership, Residence, User, Person, Organization, ServiceContract, Place, Grid, AppToken)
    for model in sources:
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(forget_all_grants, sender=model, dispatch_uid=f"grants.{name}.{model.__name__}")
    for m2m in (Organization.covered_places.through, Grid.buildings.through):
        m2m_changed.connect(forget_all_grants, sender=m2m, dispatch_uid=f"grants.m2m.{m2m.__name__}")


# What workers read of tokens, estates and categories, kept in the process (see gongzhi.core.memo).
memo = ProcessMemo()


def token_user(secret: str, generation: int | None = None):
    """The active user an app token belongs to, with their grants, or None: one cache entry per
    token (valid for ``TOKEN_SECONDS`` within the day, dropped with the grants generation), kept
    as long in the worker's memory, so a phone's request reads no row and computes nothing.

    Each call gets its own copy of the user (requests set attributes on it)."""
    hashed = digest(secret)
    generation = generation or grants_generation()
    key = f"gongzhi:token-auth:{generation}:{timezone.localdate():%Y%m%d}:{hashed}"
    entry = memo.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is None:
            user = user_for_token(secret)
            if user is None:
                return None
            use_cached_grants(user, f"t:{hashed}")
            entry = (time.time() + TOKEN_SECONDS, user)
            cache.set(key, entry, TOKEN_SECONDS)
        # Kept in the process until the cache entry it was read from expires, not longer.
        memo.set(key, entry, entry[0] - time.time())
    return _copy(entry[1])


def _copy(user):
    """A copy of a cached user for one request: its own attributes and related-object cache, the
    same (read-only) grants."""
    clone = object.__new__(type(user))
    clone.__dict__ = user.__dict__.copy()
    clone._state = copy.copy(user._state)
    clone._state.fields_cache = dict(user._state.fields_cache)
    return clone


class AppTokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = token_user(token)
        if user is None:
            return None
        # The rest of the request (permissions, services) sees the token's user as signed in.
        request.user = user
        return user


app_token_auth = AppTokenAuth()
API_AUTH = [app_token_auth, django_auth]
