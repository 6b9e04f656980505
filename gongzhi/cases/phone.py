"""The busiest write of the system, served lean: a phone filing a report with its app token.

``POST /api/v1/cases/`` is an operation of the JSON API (documented there, with its schema and
errors). This view sits in front of it at the same address and takes the common case itself — a
POST of JSON with ``Authorization: Bearer`` — reading the body with the operation's own schema,
filing through the same ``_create`` and answering with the operation's own response schema and
error shape. Anything else (a listing, a browser session, a missing or unknown token, a body the
schema refuses) goes to the API operation unchanged, so that documentation, validation messages
and authentication failures have one source.

Why: the API framework's per-request work (routing, authentication callbacks, building and
validating the response model) costs more than the report itself once the report is one
statement; see ``bench/cases_load.py``."""

import functools

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError

from gongzhi.api import api, domain_error
from gongzhi.cases.api import ReportIn, _create, _created
from gongzhi.core.errors import DomainError
from gongzhi.open311.auth import grants_generation, token_user

PREFIX = "api/v1/"


@functools.cache
def _api_operation():
    """The API's own view for ``/api/v1/cases/`` (listing and reporting)."""
    return URLResolver(RoutePattern(PREFIX), api.urls[0]).resolve(f"{PREFIX}cases/").func


@csrf_exempt
def cases_endpoint(request):
    if request.method != "POST" or request.content_type != "application/json":
        return _api_operation()(request)
    scheme, _space, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    # The grants generation is read once for the request (the token, the estate, the category).
    generation = grants_generation()
    user = token_user(secret, generation) if scheme.lower() == "bearer" and secret else None
    if user is None:
        return _api_operation()(request)
    try:
        payload = ReportIn.model_validate_json(request.body)
    except ValidationError:
        return _api_operation()(request)
    request.user = request.auth = user
    request.gongzhi_generation = generation
    try:
        case = _create(request, payload)
    except DomainError as error:
        return domain_error(request, error)
    # ``_created`` gives exactly the fields of the operation's response schema (CaseCreated; the
    # tests compare both answers), rendered by the API's own renderer.
    return api.create_response(request, _created(case), status=201)
