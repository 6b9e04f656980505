"""The counts the reports quote, from the records, against a hand count, in a fixed number of
queries whatever the number of places."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.indicators.registry import REGISTRY, Period
from gongzhi.meetings import services


def _close(meeting, secretary, entries, answers=()):
    for item, answer in zip(meeting.items.all(), answers, strict=False):
        services.item_record(item=item, acting_user=secretary, **answer)
    services.attendance_set(meeting=meeting, entries=entries, acting_user=secretary)
    services.meeting_close(meeting=meeting, acting_user=secretary)


def test_meeting_figures_for_estate_community_and_subdistrict(world, secretary, ad_hoc, proposed, three_parties):
    today = timezone.localdate()
    series = services.series_create(
        place=world.estate,
        kind="joint_day",
        title="逢七联议",
        frequency="weekly",
        weekday=today.weekday(),
        holiday_rule="keep",
        location="议事室",
        starts_on=today,
        acting_user=secretary,
    )
    fixed = series.meetings.order_by("starts_at").first()
    topic_a, topic_b = proposed(title="充电桩"), proposed(title="路灯")
    proposed(title="还没上会")
    services.agenda_add(meeting=fixed, topic=topic_a, acting_user=secretary)
    services.agenda_add(meeting=fixed, topic=topic_b, acting_user=secretary)
    deadline = fixed.local_start.date() + datetime.timedelta(days=3)
    _close(
        fixed,
        secretary,
        three_parties
        + [
            {"party": "building_head", "person": world.person("building_head")},
            {"party": "resident_representative", "name": "赵代表"},
        ],
        answers=[
            {"answer": "resolution", "responsible": world.company, "action": "增设充电桩", "deadline": deadline},
            {"answer": "not_adopted", "reason": "不属于本小区"},
        ],
    )
    urgent = ad_hoc()
    _close(urgent, secretary, three_parties[:2])
    # The resolution's case is resolved on time.
    case = Case.objects.get(source_kind="meeting_resolution")
    Case.objects.filter(id=case.id).update(state="resolved", resolved_at=timezone.now())

    period = Period(today - datetime.timedelta(days=1), today + datetime.timedelta(days=40))
    places = [world.estate, world.community, world.subdistrict, world.other_estate]
    expected = {
        "meetings.fixed_held": [1, 1, 1, 0],
        "meetings.ad_hoc_held": [1, 1, 1, 0],
        "meetings.participants": [7, 7, 7, 0],
        "meetings.participants_grassroots": [2, 2, 2, 0],
        "meetings.participants.branch": [2, 2, 2, 0],
        "meetings.participants.company": [1, 1, 1, 0],
        "meetings.topics_proposed": [3, 3, 3, 0],
        "meetings.topics_adopted": [1, 1, 1, 0],
    }
    for key, values in expected.items():
        figures = REGISTRY[key].compute_many(places, period)
        assert [figures[p.id].value for p in places] == values, key
    on_time = REGISTRY["meetings.resolutions_on_time"].compute_many(places, period)
    assert on_time[world.estate.id].value == 100 and on_time[world.estate.id].denominator == 1
    assert on_time[world.other_estate.id].value is None


def test_indicator_queries_do_not_grow_with_places(world):
    period = Period.month(2026, 10)
    keys = [k for k in REGISTRY if k.startswith("meetings.")]
    counts = []
    for places in (
        [world.estate],
        [world.estate, world.third_estate, world.other_estate, world.community, world.subdistrict],
    ):
        with CaptureQueriesContext(connection) as queries:
            for key in keys:
                REGISTRY[key].compute_many(places, period)
        counts.append(len(queries))
    assert counts[0] == counts[1]
