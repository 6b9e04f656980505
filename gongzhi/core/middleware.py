"""Response headers that Django's SecurityMiddleware does not set."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy (no inline scripts: ``script-src 'self'``) and a
    Permissions-Policy that turns off device features the site never uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.header = "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and self.header not in response:
            response[self.header] = self.policy
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=(self), payment=()")
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response


class NumberOutOfRangeMiddleware:
    """A page address with a number larger than the database can store (``/cases/99999999999999999999/``)
    names nothing that exists: answer 404 instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            from django.http import Http404

            raise Http404 from exception
        return None
