"""The inbox for phone apps (``/api/v1/notifications/``), with the same session or app-token
sign-in as the cases API."""

import datetime

from ninja import Field, Query, Router, Schema

from gongzhi.notifications import selectors, services
from gongzhi.open311.auth import API_AUTH

router = Router(auth=API_AUTH, tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class InboxOut(Schema):
    unread: int
    results: list[NotificationOut]


class InboxQuery(Schema):
    unread_only: bool = False
    limit: int = Field(30, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10**9)


class Error(Schema):
    detail: str
    errors: list[str] = []


class MarkedOut(Schema):
    marked: int


@router.get("/", response=InboxOut)
def inbox(request, filters: InboxQuery = Query(...)):  # noqa: B008 - django-ninja's way
    rows = selectors.inbox_for(request.user)
    if filters.unread_only:
        rows = rows.filter(read_at__isnull=True)
    return {
        "unread": selectors.unread_count(request.user),
        "results": list(rows[filters.offset : filters.offset + filters.limit]),
    }


@router.post("/{int:notification_id}/read", response={200: NotificationOut, 404: Error})
def read(request, notification_id: int):
    return services.notification_mark_read(notification_id=notification_id, acting_user=request.user)


@router.post("/read-all", response=MarkedOut)
def read_all(request):
    return {"marked": services.notification_mark_all_read(acting_user=request.user)}
