"""The one domain error type. Services raise it with a translatable, user-facing message; pages
show it as a form error or a flash message and the API turns it into a 400/409 response."""

from django.utils.functional import Promise


class DomainError(Exception):
    """A refused action. ``status`` is the HTTP status the API answers with (400 bad input,
    403 not allowed, 404 not found, 409 conflicting state). ``errors`` optionally lists
    several messages (e.g. one per bad row of an import)."""

    def __init__(self, message: str | Promise, *, status: int = 400, errors: list | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.status = status
        self.errors = [str(e) for e in (errors or [])]

    def __str__(self) -> str:
        return self.message
