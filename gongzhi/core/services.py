from typing import Any

from gongzhi.core.models import AuditEntry


def audit_record(*, acting_user, action: str, target: str = "", detail: dict[str, Any] | None = None) -> AuditEntry:
    """Write one audit row. Called inside the caller's transaction so the row exists exactly
    when the action it records does."""
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    return AuditEntry.objects.create(actor=user, action=action, target=target[:200], detail=detail or {})
