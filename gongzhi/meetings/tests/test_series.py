"""Series are rules: materialized ahead idempotently, re-planned only where nobody touched them."""

import datetime

import pytest
from django.core.management import call_command

from gongzhi.core.errors import DomainError
from gongzhi.meetings import services
from gongzhi.meetings.models import Meeting, MeetingSeries

D = datetime.date
UTC = datetime.UTC


def joint_day(world, user, **fields):
    values = {
        "place": world.estate,
        "kind": "joint_day",
        "title": "逢七联议",
        "frequency": "monthly",
        "month_day": 7,
        "holiday_rule": "next_working_day",
        "location": "邻里中心议事室",
        "starts_on": D(2026, 1, 1),
        "acting_user": user,
        "now": datetime.datetime(2026, 9, 1, 2, 0, tzinfo=UTC),
    }
    values.update(fields)
    return services.series_create(**values)


def test_series_on_the_7th_schedules_the_next_two_months_with_the_national_day_shift(world, secretary):
    series = joint_day(world, secretary)
    meetings = list(series.meetings.order_by("starts_at"))
    assert [(m.nominal_date, m.local_start.date()) for m in meetings] == [
        (D(2026, 9, 7), D(2026, 9, 7)),
        (D(2026, 10, 7), D(2026, 10, 8)),
    ]
    assert meetings[0].local_start.time() == datetime.time(19, 30)
    assert meetings[0].expected_parties == ["branch", "committee", "company", "community"]
    assert meetings[0].location == "邻里中心议事室"


def test_materializing_twice_changes_nothing_and_the_periodic_command_runs_it(world, secretary):
    series = joint_day(world, secretary)
    now = datetime.datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    assert services.series_materialize(series=series, now=now) == 0
    later = datetime.datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
    call_command("run_periodic", now=later.isoformat())
    count = series.meetings.count()
    assert count == 4  # Sep, Oct, Nov, Dec (horizon two months ahead)
    call_command("run_periodic", now=later.isoformat())
    assert series.meetings.count() == count


def test_materializing_uses_the_local_date_not_utc(world, secretary):
    # 2026-03-07 16:30 UTC is already 8 March 00:30 in Shanghai: the meeting of the 7th is past.
    series = joint_day(
        world,
        secretary,
        holiday_rule="keep",
        starts_on=D(2026, 3, 1),
        now=datetime.datetime(2026, 3, 7, 16, 30, tzinfo=UTC),
    )
    assert D(2026, 3, 7) not in set(series.meetings.values_list("nominal_date", flat=True))
    # Ten hours earlier (7 March 06:30 local) it is still ahead, at 19:30 Shanghai = 11:30 UTC.
    series2 = joint_day(
        world,
        secretary,
        title="另一系列",
        holiday_rule="keep",
        starts_on=D(2026, 3, 1),
        now=datetime.datetime(2026, 3, 6, 22, 30, tzinfo=UTC),
    )
    first = series2.meetings.order_by("starts_at").first()
    assert first.nominal_date == D(2026, 3, 7)
    assert first.starts_at == datetime.datetime(2026, 3, 7, 11, 30, tzinfo=UTC)


def test_a_series_on_the_31st_is_refused_with_what_happens_in_short_months(world, secretary):
    with pytest.raises(DomainError) as error:
        joint_day(world, secretary, month_day=31)
    assert "不是每个月都有31日" in error.value.message
    assert "每月最后一天" in error.value.message
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_last_day_of_month_series_meets_on_the_30th_in_november(world, secretary):
    series = joint_day(
        world,
        secretary,
        frequency="monthly_last_day",
        month_day=None,
        holiday_rule="keep",
        now=datetime.datetime(2026, 11, 1, 2, 0, tzinfo=UTC),
    )
    assert [m.local_start.date() for m in series.meetings.order_by("starts_at")] == [D(2026, 11, 30), D(2026, 12, 31)]


def test_weekly_three_party_meeting_every_monday(world, secretary):
    series = services.series_create(
        place=world.estate,
        kind="three_party",
        title="三方联动议事会",
        frequency="weekly",
        weekday=0,
        location="物业服务中心",
        starts_on=D(2026, 1, 1),
        acting_user=secretary,
        now=datetime.datetime(2026, 6, 1, 1, 0, tzinfo=UTC),
    )
    days = [m.local_start.date() for m in series.meetings.order_by("starts_at")]
    assert days[0] == D(2026, 6, 1) and all(d.weekday() == 0 for d in days if d != D(2026, 6, 19))
    assert series.meetings.first().expected_parties == ["branch", "committee", "company"]


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"frequency": "weekly", "weekday": None, "month_day": None}, "星期几"),
        ({"month_day": None}, "请填写日期"),
        ({"location": "  "}, "会议地点"),
        ({"kind": "ad_hoc"}, "会议类型"),
        ({"holiday_rule": "whatever"}, "节假日"),
        ({"ends_on": D(2025, 12, 1)}, "结束日期"),
    ],
)
def test_bad_series_input_is_refused_and_saves_nothing(world, secretary, fields, message):
    with pytest.raises(DomainError) as error:
        joint_day(world, secretary, **fields)
    assert message in error.value.message
    assert not MeetingSeries.objects.exists()


def test_changing_the_rule_replans_only_future_untouched_meetings(world, secretary, proposed):
    now = datetime.datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    series = joint_day(world, secretary, now=now)
    september, october = list(series.meetings.order_by("starts_at"))
    services.agenda_add(meeting=september, topic=proposed(), acting_user=secretary)
    replanned = services.series_update(series=series, acting_user=secretary, now=now, month_day=15, location="新议事室")
    assert replanned == 1  # October only: September has an agenda
    september.refresh_from_db()
    assert september.local_start.date() == D(2026, 9, 7) and september.location == "邻里中心议事室"
    dates = sorted(m.nominal_date for m in series.meetings.all())
    assert dates == [D(2026, 9, 7), D(2026, 9, 15), D(2026, 10, 15)]
    assert not Meeting.objects.filter(id=october.id).exists()


def test_rule_change_to_the_31st_is_refused_and_changes_nothing(world, secretary):
    series = joint_day(world, secretary)
    before = list(series.meetings.values_list("id", "starts_at"))
    with pytest.raises(DomainError):
        services.series_update(series=series, acting_user=secretary, month_day=31)
    series.refresh_from_db()
    assert series.month_day == 7
    assert list(series.meetings.values_list("id", "starts_at")) == before


def test_only_meeting_managers_set_up_series(world):
    for persona in ("resident", "steward", "building_head", "supervisor"):
        with pytest.raises(DomainError) as error:
            joint_day(world, world.users[persona])
        assert error.value.status == 403
    # The community worker sets up the community's four-party meeting on the 15th.
    series = joint_day(
        world,
        world.users["community_worker"],
        place=world.community,
        kind="four_party",
        title="四方联席会议",
        month_day=15,
    )
    assert series.meetings.exists()
    with pytest.raises(DomainError):
        joint_day(world, world.users["branch_secretary"], place=world.other_estate)


def test_ad_hoc_meeting_needs_a_reason(world, secretary, ad_hoc):
    with pytest.raises(DomainError) as error:
        ad_hoc(reason="   ")
    assert "召集事由" in error.value.message
    meeting = ad_hoc()
    assert meeting.is_ad_hoc and meeting.kind == "ad_hoc" and meeting.touched
    # Staff working at the estate may call one; residents and outsiders may not.
    ad_hoc(acting_user=world.users["steward"])
    for persona in ("resident", "other_resident"):
        with pytest.raises(DomainError):
            ad_hoc(acting_user=world.users[persona])
