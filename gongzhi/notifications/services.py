"""Every write of the notifications app.

``notification_send`` is what other apps call: it writes the in-app inbox row and one outbox row
per configured channel on which the user can be reached, inside the caller's transaction. Nothing
leaves the machine here; ``outbox_deliver_due`` (run by the periodic job) delivers later, so a
slow mail server or webhook never slows down or breaks the action that caused the message."""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.notifications import senders as sender_registry
from gongzhi.notifications.models import Notification, OutboxMessage, OutboxStatus

# Seconds to wait before the 2nd, 3rd, … attempt; after the last one the message is given up.
RETRY_BACKOFF_SECONDS = (60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(RETRY_BACKOFF_SECONDS) + 1
TITLE_MAX = 200


@transaction.atomic
def notification_send(*, users: Iterable, title: str, body: str = "", url: str = "", kind: str = "") -> list:
    """Put one message in each user's inbox and queue it on every other channel that reaches them.
    Returns the inbox rows (one per distinct active user)."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_("通知标题不能为空"))
    distinct = {}
    for user in users:
        if user is not None and getattr(user, "is_active", False) and user.pk not in distinct:
            distinct[user.pk] = user
    if not distinct:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(user=user, kind=kind[:64], title=title[:TITLE_MAX], body=body, url=url[:500])
            for user in distinct.values()
        ]
    )
    if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover - old databases
        rows = list(Notification.objects.filter(user__in=list(distinct), title=title[:TITLE_MAX]).order_by("-id"))
    now = timezone.now()
    outbox = []
    for channel, sender in sender_registry.senders().items():
        for row in rows:
            address = sender.address_for(row.user)
            if address:
                outbox.append(OutboxMessage(notification=row, channel=channel, address=address, next_attempt_at=now))
    OutboxMessage.objects.bulk_create(outbox)
    return rows


def notification_mark_read(*, notification_id: int, acting_user) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user_id=acting_user.pk).first()
    if notification is None:
        raise DomainError(_("通知不存在"), status=404)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, acting_user) -> int:
    return Notification.objects.filter(user_id=acting_user.pk, read_at__isnull=True).update(read_at=timezone.now())


def _retry_at(now: datetime.datetime, attempts: int) -> datetime.datetime:
    return now + datetime.timedelta(seconds=RETRY_BACKOFF_SECONDS[min(attempts, len(RETRY_BACKOFF_SECONDS)) - 1])


@transaction.atomic
def outbox_deliver_due(*, now: datetime.datetime, limit: int = 500) -> int:
    """Deliver the pending outbox messages that are due at ``now``. Returns how many rows changed.

    Running it again with the same ``now`` changes nothing: sent rows are no longer pending and a
    failed attempt moves the row's next attempt past ``now``. Two runs at once never send one
    message twice: rows are locked (skipping locked ones) on databases that can."""
    due = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .select_related("notification__user__person")
        .order_by("next_attempt_at", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    changed = 0
    for message in due[:limit]:
        sender = sender_registry.sender_for(message.channel)
        message.attempts += 1
        try:
            if sender is None:
                raise sender_registry.DeliveryError(f"no sender configured for channel {message.channel!r}")
            sender.deliver(message, message.notification)
        except sender_registry.DeliveryError as error:
            message.last_error = str(error)[:2000]
            if error.permanent or message.attempts >= MAX_ATTEMPTS or sender is None:
                message.status = OutboxStatus.FAILED
            else:
                message.next_attempt_at = _retry_at(now, message.attempts)
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = now
            message.last_error = ""
        message.save(update_fields=["attempts", "status", "next_attempt_at", "last_error", "sent_at"])
        changed += 1
    return changed
