"""Rate limits for public endpoints, counted in Django's cache (Redis when ``REDIS_URL`` is set, so
all workers share the counts; otherwise one count per process).

Apply to a view (a page or a django-ninja operation)::

    from gongzhi.core.ratelimit import ratelimit

    @ratelimit("case_report")               # rate from settings.GONGZHI["RATE_LIMITS"]["case_report"]
    def report(request): ...

    @ratelimit("open311_post", rate="30/h", methods=("POST",))
    def post_request(request): ...

or check inside a view or service call with ``check_rate(request, "case_report")``, which raises
``RateLimited`` (a ``DomainError`` with status 429). Only the listed methods count (POST by
default), so reading a page is never limited. The key is the client's address (the proxy's
X-Forwarded-For when ``BEHIND_PROXY`` is on), or pass ``key=`` a function of the request.
"""

import functools
import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(DomainError):
    def __init__(self, retry_after: int):
        super().__init__(_("操作过于频繁，请稍后再试"), status=429)
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/m"`` -> (20, 60); ``"100/2h"`` -> (100, 7200)."""
    count, _slash, period = rate.partition("/")
    multiplier = int(period[:-1]) if len(period) > 1 else 1
    if not count.isdigit() or period[-1:] not in PERIODS or multiplier < 1:
        raise ValueError(f"rate must look like '20/m' (per s, m, h or d), got {rate!r}")
    return int(count), multiplier * PERIODS[period[-1]]


def client_address(request) -> str:
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The address nginx appended last is the one it saw; earlier ones are client-supplied.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_for(group: str, rate: str | None = None) -> str:
    return rate or settings.GONGZHI["RATE_LIMITS"][group]


def hit(group: str, ident: str, rate: str) -> int:
    """Count one request; return 0 when allowed, else the seconds until the window ends."""
    limit, period = parse_rate(rate)
    now = int(time.time())
    window = now // period
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"rl:{group}:{digest}:{window}"
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 5)
        count = 1
    if count > limit:
        return (window + 1) * period - now
    return 0


def check_rate(request, group: str, rate: str | None = None, key: Callable | None = None) -> None:
    if not settings.RATELIMIT_ENABLED:
        return
    ident = key(request) if key else client_address(request)
    retry_after = hit(group, str(ident), rate_for(group, rate))
    if retry_after:
        raise RateLimited(retry_after)


def limited_response(request, error: RateLimited):
    wants_json = request.path.startswith(("/api/", "/open311/")) or "json" in request.headers.get("Accept", "")
    if wants_json:
        response = JsonResponse({"detail": error.message, "errors": []}, status=429)
    else:
        response = render(request, "core/rate_limited.html", {"message": error.message}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def ratelimit(group: str, *, rate: str | None = None, methods=("POST",), key: Callable | None = None):
    """Decorator for a view function (or django-ninja operation) taking ``request`` first."""
    if rate:
        parse_rate(rate)  # a malformed rate fails at import, not at the first request

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                try:
                    check_rate(request, group, rate, key)
                except RateLimited as error:
                    return limited_response(request, error)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
