"""Deliberation over JSON (``/api/v1/meetings/``): upcoming meetings of a place, topics, proposing
and backing — the same services and permissions as the pages."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from gongzhi.meetings import selectors, services
from gongzhi.meetings.models import Topic
from gongzhi.places.models import Place, PlaceKind

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: int
    place: str
    kind: str
    title: str
    starts_at: datetime.datetime
    location: str
    status: str
    is_ad_hoc: bool
    expected_parties: list[str]


class TopicOut(Schema):
    id: int
    estate_id: int
    title: str
    description: str
    source: str
    status: str
    backer_count: int


class TopicIn(Schema):
    title: str
    description: str = ""


def _place(request, place_id: int) -> Place:
    place = Place.objects.filter(pk=place_id, kind__in=[PlaceKind.ESTATE, PlaceKind.COMMUNITY]).first()
    if place is None or not request.user.has_perm("meetings.view_meeting", place):
        raise Http404
    return place


def _meeting_out(m) -> MeetingOut:
    return MeetingOut(
        id=m.id,
        place=m.place.name,
        kind=m.kind,
        title=m.title,
        starts_at=m.starts_at,
        location=m.location,
        status=m.status,
        is_ad_hoc=m.is_ad_hoc,
        expected_parties=m.expected_parties,
    )


def _topic_out(t) -> TopicOut:
    return TopicOut(
        id=t.id,
        estate_id=t.estate_id,
        title=t.title,
        description=t.description,
        source=t.source,
        status=t.status,
        backer_count=t.backer_count,
    )


@router.get(
    "/places/{place_id}/upcoming", response=list[MeetingOut], summary="Upcoming meetings of an estate or community"
)
def upcoming(request, place_id: int):
    place = _place(request, place_id)
    if place.kind == PlaceKind.COMMUNITY:
        meetings, _more = selectors.community_upcoming(place)
    else:
        meetings = selectors.estate_page(place)["upcoming"]
    return [_meeting_out(m) for m in meetings]


@router.get("/places/{place_id}/topics", response=list[TopicOut], summary="Open topics (点题) of a place")
def topics(request, place_id: int):
    return [_topic_out(t) for t in selectors.topic_pool(_place(request, place_id))]


@router.post("/places/{place_id}/topics", response={201: TopicOut}, summary="A resident proposes a topic")
def propose(request, place_id: int, payload: TopicIn):
    place = _place(request, place_id)
    topic = services.topic_propose(
        estate=place, title=payload.title, description=payload.description, acting_user=request.user
    )
    return Status(201, _topic_out(topic))


@router.post("/topics/{topic_id}/back", response=TopicOut, summary="A resident backs a topic")
def back(request, topic_id: int):
    topic = get_object_or_404(Topic, pk=topic_id)
    if not request.user.has_perm("meetings.view_topic", topic):
        raise Http404
    services.topic_back(topic=topic, acting_user=request.user)
    topic.refresh_from_db()
    return _topic_out(topic)


@router.get("/{meeting_id}", response=MeetingOut, summary="One meeting")
def meeting(request, meeting_id: int):
    found = selectors.meeting_detail(meeting_id)
    if found is None or not request.user.has_perm("meetings.view_meeting", found):
        raise Http404
    return _meeting_out(found)
