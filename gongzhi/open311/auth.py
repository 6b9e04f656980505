"""Authentication of programs on the JSON API: ``Authorization: Bearer <app token>``.

Routers use ``API_AUTH`` (the bearer token first, then the browser session with its CSRF check)::

    router = Router(auth=API_AUTH)
"""

from django.core.cache import cache
from ninja.security import HttpBearer, django_auth

from gongzhi.accounts import access
from gongzhi.open311.models import digest
from gongzhi.open311.services import user_for_token

# A phone app sends many requests in a row; its user's grants (posts and flats → capabilities at
# places) are kept this many seconds in the cache instead of being read again for each request.
# A change of posts reaches an app within this time; a revoked token is refused at once.
GRANTS_SECONDS = 30


class AppTokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:
            return None
        key = f"gongzhi:grants:{digest(token)}"
        grants = cache.get(key)
        if grants is None:
            grants = access.compute_grants(user)
            cache.set(key, grants, GRANTS_SECONDS)
        user._gongzhi_grants = grants
        # The rest of the request (permissions, services) sees the token's user as signed in.
        request.user = user
        return user


app_token_auth = AppTokenAuth()
API_AUTH = [app_token_auth, django_auth]
