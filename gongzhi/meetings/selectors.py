"""Reads of deliberation: each page's lists in a fixed number of queries."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability as C
from gongzhi.meetings.models import (
    OPEN_TOPIC_STATUSES,
    AgendaItem,
    Invitation,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Topic,
)
from gongzhi.places.models import Place, PlaceKind

UPCOMING_PAGE = 50
# Columns lists do not show (long texts, the parties' list).
LIST_DEFERRED = ("expected_parties", "reason", "summary", "cancel_reason", "place__address", "place__theme")


def resident_community_ids(user) -> list[int]:
    """Communities of the estates where the user lives (their four-party meetings concern them)."""
    ids = []
    for path in access.paths_with(user, C.RESIDENT):
        parts = [int(p) for p in path.strip("/").split("/") if p]
        if len(parts) >= 2:
            ids.append(parts[-2])
    return ids


def meetings_visible(user):
    """Meetings at places where the user works or lives (and their community's)."""
    return Meeting.objects.filter(
        access.scope_q(user, C.VIEW_INTERNAL, "place__path")
        | access.scope_q(user, C.RESIDENT, "place__path")
        | Q(place_id__in=resident_community_ids(user), place__kind=PlaceKind.COMMUNITY)
    )


def estate_page(estate: Place, *, now=None, upcoming_limit: int = 8, held_limit: int = 10, topic_limit: int = 20):
    """Everything the estate's meeting page shows: upcoming meetings (the estate's and its
    community's), recently held ones with their answer counts, the series, and open topics."""
    now = now or timezone.now()
    community_id = estate.parent_id
    here = Q(place=estate) | Q(place_id=community_id)
    upcoming = list(
        Meeting.objects.filter(here).upcoming(now).select_related("place").defer(*LIST_DEFERRED)[:upcoming_limit]
    )
    held = list(
        Meeting.objects.filter(place=estate, status=MeetingStatus.CLOSED)
        .defer(*LIST_DEFERRED)
        .annotate(
            item_count=Count("items", distinct=True),
            resolution_count=Count("items", filter=Q(items__answer=AgendaItem.Answer.RESOLUTION), distinct=True),
        )
        .order_by("-starts_at")[:held_limit]
    )
    series = list(MeetingSeries.objects.filter(Q(place=estate) | Q(place_id=community_id), is_active=True))
    topics = list(
        Topic.objects.filter(estate=estate, status__in=OPEN_TOPIC_STATUSES + ["on_agenda"])
        .select_related("proposer")
        .order_by("-backer_count", "-created_at")[:topic_limit]
    )
    return {"upcoming": upcoming, "held": held, "series": series, "topics": topics}


def community_upcoming(community: Place, *, now=None, days: int = 31, page: int = 1, per_page: int = UPCOMING_PAGE):
    """The community's "upcoming meetings": its own and every estate's for the next ``days``, a
    page at a time (a community of 30 estates has some 150 meetings a month). Returns the page's
    meetings and whether there is a next page."""
    now = now or timezone.now()
    start = (max(page, 1) - 1) * per_page
    rows = list(
        Meeting.objects.filter(
            place__path__startswith=community.path, starts_at__lt=now + datetime.timedelta(days=days)
        )
        .upcoming(now)
        .select_related("place")
        .defer(*LIST_DEFERRED)
        .annotate(item_count=Count("items"))[start : start + per_page + 1]
    )
    return rows[:per_page], len(rows) > per_page


def meeting_detail(meeting_id: int):
    return (
        Meeting.objects.select_related("place", "series", "chair", "closed_by")
        .prefetch_related("items__topic", "items__resolution__responsible", "corrections__item", "attendances")
        .filter(id=meeting_id)
        .first()
    )


def invitations_of(meeting: Meeting):
    return list(meeting.invitations.select_related("person", "organization").order_by("role", "id"))


def my_invitations(person, *, now=None):
    now = now or timezone.now()
    return list(
        Invitation.objects.filter(person=person, meeting__starts_at__gte=now - datetime.timedelta(hours=12))
        .filter(meeting__status__in=[MeetingStatus.PLANNED, MeetingStatus.AGENDA_PUBLISHED])
        .select_related("meeting__place")
        .order_by("meeting__starts_at")
    )


def topic_pool(place: Place):
    """Open topics of the place (an estate, or every estate of a community)."""
    return list(
        Topic.objects.filter(estate__path__startswith=place.path, status__in=OPEN_TOPIC_STATUSES)
        .select_related("estate", "proposer")
        .order_by("-backer_count", "created_at")
    )


def estates_of(user, capability: str):
    return Place.objects.filter(kind=PlaceKind.ESTATE).filter(access.scope_q(user, capability, "path"))


def feed_meetings_for_place(place: Place, *, now=None, limit: int = 200):
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(Q(place=place) | Q(place_id=place.parent_id))
        .filter(starts_at__gte=now - datetime.timedelta(days=30))
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("place")
        .order_by("starts_at")[:limit]
    )


def feed_meetings_for_person(person, *, now=None, limit: int = 300):
    """The meetings a person is invited to, and those of the estates where they live or work."""
    from gongzhi.accounts.models import User

    now = now or timezone.now()
    user = person.user if person.user_id else None
    scope = Q(invitations__person=person)
    if isinstance(user, User):
        scope |= access.scope_q(user, C.MEETING_MANAGE, "place__path")
        scope |= access.scope_q(user, C.RESIDENT, "place__path")
    return list(
        Meeting.objects.filter(scope)
        .filter(starts_at__gte=now - datetime.timedelta(days=30))
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("place")
        .distinct()
        .order_by("starts_at")[:limit]
    )
