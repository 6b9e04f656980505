"""Authentication of programs on the JSON API: ``Authorization: Bearer <app token>``.

Routers use ``API_AUTH`` (the bearer token first, then the browser session with its CSRF check)::

    router = Router(auth=API_AUTH)
"""

from ninja.security import HttpBearer, django_auth

from gongzhi.open311.services import user_for_token


class AppTokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:
            return None
        # The rest of the request (permissions, services) sees the token's user as signed in.
        request.user = user
        return user


app_token_auth = AppTokenAuth()
API_AUTH = [app_token_auth, django_auth]
