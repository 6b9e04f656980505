"""The busiest write of the system, served lean: a phone filing a report with its app token.

``POST /api/v1/cases/`` is an operation of the JSON API (documented there, with its schema and
errors). The common case — a POST of JSON with a known ``Authorization: Bearer`` token — is taken
here: the body is read with the operation's own schema, the report filed through the same
``_create`` and the answer given with the operation's own response fields and error shape.
Anything else (a listing, a browser session, a missing or unknown token, a body the schema
refuses) goes to the API operation unchanged, so that documentation, validation messages and
authentication failures have one source.

Two doors lead here:

- ``ReportMiddleware`` answers such a report as soon as the language is chosen. What the
  middleware after it does — sessions, CSRF, the signed-in user, two-factor, messages, login
  lockout — is for browsers; a token's request needs none of it. The response headers (security,
  content policy, frame options, language) are set by the middleware before it, as for every page.
- ``cases_endpoint``, the address's view, for everything else, and for a deployment that leaves
  the middleware out.

Why: once the report is one statement, the per-request work of the frameworks around it
(routing, authentication callbacks, browser middleware, building and validating the response
model) costs more than the report itself; see ``docs/case-intake.md``."""

import functools

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError, create_model

from gongzhi.api import api, domain_error
from gongzhi.cases.api import ReportIn, _create, _created
from gongzhi.core.errors import DomainError
from gongzhi.open311.auth import grants_generation, token_user

PREFIX = "api/v1/"
PATH = f"/{PREFIX}cases/"


def plain(schema):
    """The schema's fields (types, defaults, constraints) as a plain pydantic model. An API schema
    reads its input through attribute lookups made for Django objects, one Python call per field
    (and an exception per field the body leaves out); a plain model reads JSON in pydantic's own
    code. Only for schemas with no validators or resolvers of their own — which would be lost."""
    decorators = schema.__pydantic_decorators__
    if getattr(schema, "_ninja_resolvers", None) or any(
        getattr(decorators, kind) for kind in ("validators", "field_validators", "root_validators", "field_serializers")
    ):
        raise TypeError(f"{schema.__name__} has validators or resolvers of its own")
    fields = {name: (field.annotation, field) for name, field in schema.model_fields.items()}
    return create_model(f"{schema.__name__}Body", **fields)


# What a phone's report body is read with: ReportIn's fields (a refused body goes to the operation,
# which reads it with ReportIn itself and explains what is wrong).
ReportBody = plain(ReportIn)


@functools.cache
def _api_operation():
    """The API's own view for ``/api/v1/cases/`` (listing and reporting)."""
    return URLResolver(RoutePattern(PREFIX), api.urls[0]).resolve(f"{PREFIX}cases/").func


def report(request):
    """File the report if it is a POST of JSON with a known token and a body the schema takes;
    otherwise None (the API operation answers)."""
    if getattr(request, "_gongzhi_report_tried", False):
        return None
    request._gongzhi_report_tried = True
    if request.method != "POST" or request.content_type != "application/json":
        return None
    scheme, _space, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None
    # The grants generation is read once for the request (the token, the estate, the category).
    generation = grants_generation()
    user = token_user(secret, generation)
    if user is None:
        return None
    try:
        payload = ReportBody.model_validate_json(request.body)
    except ValidationError:
        return None
    request.user = request.auth = user
    request.gongzhi_generation = generation
    try:
        case = _create(request, payload)
    except DomainError as error:
        return domain_error(request, error)
    except OverflowError:  # a number too large for the database: the operation's own answer
        return None
    # ``_created`` gives exactly the fields of the operation's response schema (CaseCreated; the
    # tests compare both answers), rendered by the API's own renderer.
    return api.create_response(request, _created(case), status=201)


@csrf_exempt
def cases_endpoint(request):
    response = report(request)
    return response if response is not None else _api_operation()(request)


class ReportMiddleware:
    """A phone's report, answered before the browser middleware (placed after the language is
    chosen and the response headers' middleware; see the module's text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info == PATH:
            response = report(request)
            if response is not None:
                response.headers.setdefault("Content-Length", str(len(response.content)))
                return response
        return self.get_response(request)
