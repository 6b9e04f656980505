"""Pages: what a user sees and gets, bad input shown with the reason, fixed query counts,
printable and Excel records, iCal feeds."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.meetings import services
from gongzhi.meetings.models import Invitation, MeetingSeries

D = datetime.date


def test_series_form_on_the_31st_shows_the_reason_and_saves_nothing(world, client_for):
    client = client_for("branch_secretary")
    response = client.post(
        f"/meetings/places/{world.estate.id}/series/new/",
        {
            "kind": "joint_day",
            "title": "逢七联议",
            "frequency": "monthly",
            "month_day": "31",
            "holiday_rule": "next_working_day",
            "time_of_day": "19:30",
            "duration_minutes": "90",
            "location": "议事室",
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert "不是每个月都有31日" in response.content.decode()
    assert not MeetingSeries.objects.exists()


def test_series_form_creates_the_series_and_the_estate_page_lists_the_next_meetings(world, client_for):
    client = client_for("branch_secretary")
    response = client.post(
        f"/meetings/places/{world.estate.id}/series/new/",
        {
            "kind": "three_party",
            "title": "三方联动议事会",
            "frequency": "weekly",
            "weekday": "0",
            "holiday_rule": "next_working_day",
            "time_of_day": "19:30",
            "duration_minutes": "90",
            "location": "物业服务中心",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/meetings/places/{world.estate.id}/").content.decode()
    assert "三方联动议事会" in page and "物业服务中心" in page and "每星期一" in page


def test_inviting_someone_outside_the_place_is_refused_with_a_message(world, client_for, ad_hoc):
    meeting = ad_hoc()
    client = client_for("branch_secretary")
    response = client.post(
        f"/meetings/{meeting.id}/invitations/",
        {"role": "resident_representative", "person": world.person("other_resident").id},
    )
    assert response.status_code == 400
    assert "不在檀悦小区居住或任职，不能邀请" in response.content.decode()
    assert not Invitation.objects.exists()
    # Invite all building heads of the estate at once; the department of the subdistrict (城管) too.
    client.post(f"/meetings/{meeting.id}/invitations/", {"role": "building_head", "all": "1"})
    client.post(f"/meetings/{meeting.id}/invitations/", {"role": "department", "organization": world.department.id})
    assert set(meeting.invitations.values_list("role", flat=True)) == {"building_head", "department"}


def test_closing_from_the_record_page_without_answers_says_which_items(
    world, client_for, ad_hoc, proposed, three_parties, secretary
):
    meeting = ad_hoc()
    services.agenda_add(meeting=meeting, topic=proposed(title="楼道堆物"), acting_user=secretary)
    services.attendance_set(meeting=meeting, entries=three_parties, acting_user=secretary)
    response = client_for("branch_secretary").post(f"/meetings/{meeting.id}/record/", {"close": "1"})
    assert response.status_code == 400
    assert "还有1项议题没有答题：楼道堆物" in response.content.decode()


def test_record_page_saves_attendance_and_an_answer_then_closes(world, client_for, ad_hoc, proposed, secretary):
    meeting = ad_hoc()
    item = services.agenda_add(meeting=meeting, topic=proposed(), acting_user=secretary)
    client = client_for("branch_secretary")
    page = client.get(f"/meetings/{meeting.id}/record/").content.decode()
    assert "吴书记" in page and "张管家" in page  # the parties' people are offered
    people = {k: world.person(k).id for k in ("branch_secretary", "committee_chair")}
    client.post(
        f"/meetings/{meeting.id}/record/",
        {
            "attendance": "1",
            "present": list(people.values()),
            f"party_{people['branch_secretary']}": "branch",
            f"party_{people['committee_chair']}": "committee",
            "extra_count": "1",
            "extra_name_0": "赵代表",
            "extra_party_0": "resident_representative",
        },
    )
    assert meeting.attendances.count() == 3
    page = client.get(f"/meetings/{meeting.id}/record/").content.decode()
    assert "缺席方：物业服务企业" in page
    deadline = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    client.post(
        f"/meetings/{meeting.id}/record/",
        {
            "item": item.id,
            "minutes": "讨论",
            "answer": "resolution",
            "responsible": world.company.id,
            "action": "增设充电桩",
            "deadline": deadline,
        },
    )
    response = client.post(f"/meetings/{meeting.id}/record/", {"close": "1", "summary": "纪要"})
    assert response.status_code == 302
    page = client_for("resident").get(f"/meetings/{meeting.id}/").content.decode()
    assert "增设充电桩" in page and "红心物业" in page and "缺席方" in page


def _closed_meeting(world, ad_hoc, proposed, three_parties, secretary):
    meeting = ad_hoc()
    item = services.agenda_add(meeting=meeting, topic=proposed(), acting_user=secretary)
    services.item_record(
        item=item,
        minutes="各方意见一致",
        answer="resolution",
        responsible=world.company,
        action="北门增设20个充电桩",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        acting_user=secretary,
    )
    services.attendance_set(meeting=meeting, entries=three_parties, acting_user=secretary)
    services.meeting_close(meeting=meeting, acting_user=secretary)
    services.correction_append(meeting=meeting, item=item, text="时限按物业申请顺延一周", acting_user=secretary)
    return meeting


def test_excel_and_printable_records_include_corrections(world, client_for, ad_hoc, proposed, three_parties, secretary):
    meeting = _closed_meeting(world, ad_hoc, proposed, three_parties, secretary)
    client = client_for("resident")
    response = client.get(f"/meetings/{meeting.id}/record.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    values = [c.value for row in workbook.worksheets[0].iter_rows() for c in row]
    assert "北门增设20个充电桩" in values and "红心物业" in values
    assert workbook["更正"]["C2"].value == "时限按物业申请顺延一周"
    printed = client.get(f"/meetings/{meeting.id}/print/").content.decode()
    assert "时限按物业申请顺延一周" in printed and "张管家" in printed


def test_topic_page_shows_the_whole_path(world, client_for, ad_hoc, proposed, three_parties, secretary):
    meeting = _closed_meeting(world, ad_hoc, proposed, three_parties, secretary)
    topic = meeting.items.get().topic
    page = client_for("resident").get(f"/meetings/topics/{topic.id}/").content.decode()
    for step in ("点题", "议题", "答题", "形成决议", "北门增设20个充电桩", "已派单", "时限按物业申请顺延一周"):
        assert step in page


def test_estate_feed_lists_meetings_in_utc_and_the_personal_feed_needs_its_token(world, client, client_for, secretary):
    services.series_create(
        place=world.estate,
        kind="joint_day",
        title="逢七联议",
        frequency="monthly",
        month_day=7,
        holiday_rule="keep",
        location="议事室, 二楼",
        starts_on=timezone.localdate(),
        acting_user=secretary,
        time_of_day=datetime.time(9, 0),
    )
    first = world.estate.meetings.order_by("starts_at").first()
    feed = client.get(f"/meetings/places/{world.estate.id}/calendar.ics")
    body = feed.content.decode()
    assert feed["Content-Type"].startswith("text/calendar")
    assert f"DTSTART:{first.local_start.date():%Y%m%d}T010000Z" in body  # 09:00 in Shanghai
    assert "LOCATION:檀悦小区 议事室\\, 二楼" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    page = client_for("resident").get("/meetings/calendar/").content.decode()
    token = world.person("resident").meeting_calendar_token.token
    assert token in page
    client.logout()
    personal = client.get(f"/meetings/calendar/{token}.ics").content.decode()
    assert "SUMMARY:逢七联议" in personal
    assert client.get("/meetings/calendar/not-a-token.ics").status_code == 404
    client_for("resident").post("/meetings/calendar/")
    client.logout()
    assert client.get(f"/meetings/calendar/{token}.ics").status_code == 404


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_estate_and_community_pages_use_a_fixed_number_of_queries(world, client_for, ad_hoc, proposed, secretary):
    client = client_for("community_worker")
    ad_hoc()
    proposed()
    estate_url = f"/meetings/places/{world.estate.id}/"
    community_url = f"/meetings/places/{world.community.id}/"
    few = (_count_queries(client, estate_url), _count_queries(client, community_url))
    for n in range(6):
        ad_hoc(title=f"会议{n}")
        ad_hoc(place=world.third_estate, title=f"鸿盛会议{n}", acting_user=world.users["community_worker"])
        proposed(title=f"议题{n}", persona="building_head")
    many = (_count_queries(client, estate_url), _count_queries(client, community_url))
    assert few == many


@pytest.mark.parametrize("persona", ["resident", "branch_secretary"])
def test_meetings_index_lists_upcoming_meetings(world, client_for, ad_hoc, persona):
    ad_hoc(title="防汛临时议事")
    page = client_for(persona).get("/meetings/").content.decode()
    assert "防汛临时议事" in page


def test_moving_a_series_meeting_marks_it_touched_and_cancelling_returns_topics(world, client_for, secretary, proposed):
    series = services.series_create(
        place=world.estate,
        kind="three_party",
        title="三方联动议事会",
        frequency="weekly",
        weekday=0,
        holiday_rule="keep",
        location="物业服务中心",
        starts_on=timezone.localdate(),
        acting_user=secretary,
    )
    first, second = list(series.meetings.order_by("starts_at")[:2])
    client = client_for("branch_secretary")
    day = first.local_start.date() + datetime.timedelta(days=1)
    client.post(f"/meetings/{first.id}/change/", {"day": day.isoformat(), "time": "10:00", "location": "会议室"})
    first.refresh_from_db()
    assert first.touched and first.local_start.date() == day and first.location == "会议室"
    # A rule change leaves the moved meeting alone.
    services.series_update(series=series, acting_user=secretary, location="新地点")
    first.refresh_from_db()
    assert first.location == "会议室"
    second = series.meetings.exclude(id=first.id).order_by("starts_at").first()
    topic = proposed()
    services.agenda_add(meeting=second, topic=topic, acting_user=secretary)
    response = client.post(f"/meetings/{second.id}/change/", {"cancel": "1", "reason": ""})
    second.refresh_from_db()
    assert second.status == "planned"  # a reason is needed
    client.post(f"/meetings/{second.id}/change/", {"cancel": "1", "reason": "台风预警"})
    second.refresh_from_db()
    topic.refresh_from_db()
    assert second.status == "cancelled" and topic.status == "proposed"
    assert response.status_code == 302


def test_community_upcoming_pages_fifty_at_a_time(world, client_for, ad_hoc):
    from gongzhi.meetings.selectors import UPCOMING_PAGE

    for n in range(UPCOMING_PAGE + 2):
        ad_hoc(title=f"会议{n:02d}", starts_at=timezone.now() + datetime.timedelta(hours=2 + n))
    client = client_for("community_worker")
    first = client.get(f"/meetings/places/{world.community.id}/").content.decode()
    second = client.get(f"/meetings/places/{world.community.id}/?page=2").content.decode()
    assert "会议00" in first and f"会议{UPCOMING_PAGE - 1}" in first and f"会议{UPCOMING_PAGE}" not in first
    assert f"会议{UPCOMING_PAGE + 1}" in second and "?page=1" in second and "?page=3" not in second


def test_pages_in_english(world, client_for, ad_hoc):
    ad_hoc()
    client = client_for("branch_secretary")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/meetings/places/{world.estate.id}/").content.decode()
    assert "Upcoming meetings" in page and "Ad hoc meeting" in page and "Set up a fixed meeting day" in page
