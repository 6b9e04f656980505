import datetime
import io

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry

EXPORT_MAX_ROWS = 100_000


def _day(value: str, label: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DomainError(_("%(label)s应为日期，如 2025-03-01") % {"label": label}) from None


def audit_entries(*, action="", actor="", target="", since="", until="") -> QuerySet[AuditEntry]:
    """Audit rows, newest first, filtered by action (prefix), actor (username or name), target
    (contains) and a range of local days (both inclusive)."""
    entries = AuditEntry.objects.select_related("actor", "actor__person")
    if action:
        entries = entries.filter(action__startswith=action)
    if actor:
        entries = entries.filter(Q(actor__username=actor) | Q(actor__person__name=actor))
    if target:
        entries = entries.filter(target__icontains=target)
    start, end = _day(since, _("起始日期")), _day(until, _("截止日期"))
    zone = timezone.get_current_timezone()
    if start:
        entries = entries.filter(at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone))
    if end:
        next_day = end + datetime.timedelta(days=1)
        entries = entries.filter(at__lt=datetime.datetime.combine(next_day, datetime.time.min, tzinfo=zone))
    if start and end and start > end:
        raise DomainError(_("起始日期不能晚于截止日期"))
    return entries


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_workbook(entries: QuerySet[AuditEntry]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计记录"))
    sheet.append([_("时间"), _("操作人"), _("操作"), _("对象"), _("详情")])
    for entry in entries[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
        actor = entry.actor.username if entry.actor else _("系统")
        detail = ", ".join(f"{k}={v}" for k, v in (entry.detail or {}).items())
        sheet.append(
            [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                actor,
                entry.action,
                _safe_cell(entry.target),
                _safe_cell(detail),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe_cell(value: str) -> str:
    """A cell that starts like a formula is prefixed so Excel shows it as text (CSV/formula injection)."""
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value
