"""Editing teams and venues on the pages (stood down or closed, never deleted), and the page that
cancels a booking: the booker or the venue's manager only; the booking stays listed as cancelled."""

import datetime

import pytest
from django.utils import timezone

from gongzhi.volunteers import services
from gongzhi.volunteers.models import Booking, Room, Venue, VolunteerTeam

pytestmark = pytest.mark.django_db

PERSONAS = [
    "resident",
    "other_resident",
    "building_head",
    "supervisor",
    "steward",
    "committee_chair",
    "branch_secretary",
    "community_worker",
    "subdistrict_admin",
    None,
]


def status(client_for, persona, url, method="get", data=None):
    response = getattr(client_for(persona), method)(url, data or {})
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


# Who manages an estate's teams and venues: posts with works_manage over it. Staff who see the
# estate but do not manage it are refused (403); everyone else is not told it exists (404).
EDIT = {
    "resident": 404,
    "other_resident": 404,
    "building_head": 404,  # staff of one building only
    "supervisor": 403,
    "steward": 403,
    "committee_chair": 200,
    "branch_secretary": 200,
    "community_worker": 200,
    "subdistrict_admin": 200,
    None: "login",
}


@pytest.fixture
def team(world):
    return services.team_create(
        place=world.estate, name="红马甲", colour="#d0021b", theme="敬老", acting_user=world.users["community_worker"]
    )


@pytest.fixture
def venue(world):
    return services.venue_create(
        estate=world.estate,
        name="邻里中心",
        opening_hours="每天 8:00-21:00",
        rooms=[("议事厅", True, 30)],
        acting_user=world.users["community_worker"],
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_team_edit_matrix(world, client_for, team, persona):
    url = f"/volunteers/teams/{team.id}/edit/"
    assert status(client_for, persona, url) == EDIT[persona]
    data = {"name": "红马甲志愿队", "colour": "#d0021b", "theme": "敬老", "is_active": "1"}
    expected = 302 if EDIT[persona] == 200 else EDIT[persona]
    assert status(client_for, persona, url, "post", data) == expected
    team.refresh_from_db()
    assert team.name == ("红马甲志愿队" if expected == 302 else "红马甲")


@pytest.mark.parametrize("persona", PERSONAS)
def test_venue_edit_matrix(world, client_for, venue, persona):
    url = f"/volunteers/venues/{venue.id}/edit/"
    assert status(client_for, persona, url) == EDIT[persona]
    expected = 302 if EDIT[persona] == 200 else EDIT[persona]
    data = {"name": "邻里中心", "opening_hours": "每天 7:00-22:00", "is_active": "1"}
    assert status(client_for, persona, url, "post", data) == expected
    room = venue.rooms.get()
    assert status(client_for, persona, f"/volunteers/rooms/{room.id}/edit/", "post", {"name": "议事室"}) == expected
    venue.refresh_from_db()
    room.refresh_from_db()
    assert venue.opening_hours == ("每天 7:00-22:00" if expected == 302 else "每天 8:00-21:00")
    assert room.name == ("议事室" if expected == 302 else "议事厅")


def test_standing_a_team_down_keeps_it_and_its_events(world, client_for, team):
    services.event_record(
        team=team,
        estate=world.estate,
        title="送餐",
        on_date=timezone.localdate(),
        hours="2",
        participants=[world.person("resident")],
        acting_user=world.users["community_worker"],
    )
    client = client_for("community_worker")
    response = client.post(
        f"/volunteers/teams/{team.id}/edit/", {"name": "红马甲", "colour": "#d0021b", "theme": "敬老"}, follow=True
    )
    assert "队伍已保存" in response.content.decode() and "已停用" in response.content.decode()
    team.refresh_from_db()
    assert not team.is_active and team.events.count() == 1
    home = client.get("/volunteers/").content.decode()
    assert "红马甲" in home and "已停用" in home
    # No longer offered when recording an event; residents no longer see it; their hours stay.
    assert f'<option value="{team.id}">' not in home
    resident_home = client_for("resident").get("/volunteers/").content.decode()
    # (Its past events still name it.)
    assert "<strong>红马甲</strong>" not in resident_home and "共 2.0 小时" in resident_home
    response = client_for("community_worker").post(
        "/volunteers/events/",
        {"estate": world.estate.id, "team": team.id, "title": "又一次", "hours": "1", "phones": "13800001111"},
        follow=True,
    )
    assert "该队伍已停用" in response.content.decode() and team.events.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "colour": "#d0021b", "theme": "敬老", "is_active": "1"}, "请填写队伍名称"),
        ({"name": "红马甲", "colour": "red", "theme": "敬老", "is_active": "1"}, "颜色格式应为 #RRGGBB"),
        ({"name": "红马甲", "colour": "#d0021b", "theme": "敬" * 61, "is_active": "1"}, "内容太长"),
    ],
)
def test_bad_team_edits_are_a_message_and_change_nothing(world, client_for, team, data, message):
    response = client_for("community_worker").post(f"/volunteers/teams/{team.id}/edit/", data, follow=True)
    assert message in response.content.decode()
    team.refresh_from_db()
    assert (team.name, team.colour, team.theme, team.is_active) == ("红马甲", "#d0021b", "敬老", True)


def test_closing_a_venue_and_its_rooms(world, client_for, venue):
    client = client_for("committee_chair")
    room = venue.rooms.get()
    page = client.get(f"/volunteers/estates/{world.estate.id}/").content.decode()
    assert f"/volunteers/venues/{venue.id}/edit/" in page
    response = client.post(
        f"/volunteers/venues/{venue.id}/rooms/", {"name": "阅览室", "capacity": "12", "is_bookable": "1"}, follow=True
    )
    assert "功能室已添加" in response.content.decode()
    response = client.post(f"/volunteers/venues/{venue.id}/rooms/", {"name": "", "capacity": "x"}, follow=True)
    assert "请填写功能室名称" in response.content.decode() and Room.objects.count() == 2
    response = client.post(
        f"/volunteers/rooms/{room.id}/edit/", {"name": "议事厅", "capacity": "-3", "is_active": "1"}, follow=True
    )
    assert "容纳人数须在0到10000之间" in response.content.decode()
    room.refresh_from_db()
    assert room.capacity == 30 and room.is_bookable

    client.post(f"/volunteers/venues/{venue.id}/edit/", {"name": "邻里中心", "opening_hours": "每天 8:00-21:00"})
    venue.refresh_from_db()
    assert not venue.is_active and Venue.objects.count() == 1
    # Residents no longer see it nor can book it; the manager sees it marked.
    assert "邻里中心" not in client_for("resident").get(f"/volunteers/estates/{world.estate.id}/").content.decode()
    assert "已停用" in client_for("committee_chair").get(f"/volunteers/estates/{world.estate.id}/").content.decode()
    day = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client_for("resident").post(
        f"/volunteers/rooms/{room.id}/bookings/",
        {"day": day, "start": "09:00", "end": "10:00", "purpose": "议事"},
        follow=True,
    )
    assert "已停用，不能预约" in response.content.decode() and Booking.objects.count() == 0


def test_bad_venue_edit_is_a_message(world, client_for, venue):
    response = client_for("community_worker").post(
        f"/volunteers/venues/{venue.id}/edit/", {"name": " ", "opening_hours": "8-9", "is_active": "1"}, follow=True
    )
    assert "请填写阵地名称" in response.content.decode()
    venue.refresh_from_db()
    assert venue.name == "邻里中心" and venue.opening_hours == "每天 8:00-21:00"


@pytest.fixture
def booking(world, venue):
    starts = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=3), datetime.time(9))
    )
    return services.booking_create(
        room=venue.rooms.get(),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        purpose="楼栋议事",
        acting_user=world.users["resident"],
    )


CANCEL = {
    "resident": 200,  # the booker
    "other_resident": 404,
    "building_head": 403,  # lives in the estate, not the booker
    "supervisor": 403,
    "steward": 403,
    "committee_chair": 200,  # manages the estate's venues
    "branch_secretary": 200,
    "community_worker": 200,
    "subdistrict_admin": 200,
    None: "login",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_cancel_booking_matrix(world, client_for, booking, persona):
    url = f"/volunteers/bookings/{booking.id}/cancel/"
    assert status(client_for, persona, url) == CANCEL[persona]
    expected = 302 if CANCEL[persona] == 200 else CANCEL[persona]
    assert status(client_for, persona, url, "post") == expected
    booking.refresh_from_db()
    assert (booking.cancelled_at is not None) == (expected == 302)
    assert Booking.objects.count() == 1


def test_a_cancelled_booking_stays_listed_as_cancelled(world, client_for, booking):
    client = client_for("resident")
    estate_page = client.get(f"/volunteers/estates/{world.estate.id}/").content.decode()
    assert f"/volunteers/bookings/{booking.id}/cancel/" in estate_page
    # Another resident sees the slot taken but no link to cancel it, nor who booked it.
    other = client_for("building_head").get(f"/volunteers/estates/{world.estate.id}/").content.decode()
    assert f"/volunteers/bookings/{booking.id}/cancel/" not in other and "楼栋议事" not in other
    client = client_for("resident")
    page = client.get(f"/volunteers/bookings/{booking.id}/cancel/").content.decode()
    assert "楼栋议事" in page and "确认取消" in page
    response = client.post(f"/volunteers/bookings/{booking.id}/cancel/", follow=True)
    text = response.content.decode()
    assert "预约已取消" in text and "已取消" in text and "楼栋议事" in text
    again = client.post(f"/volunteers/bookings/{booking.id}/cancel/", follow=True).content.decode()
    assert "该预约已取消" in again
    booking.refresh_from_db()
    assert booking.cancelled_by == world.users["resident"] and Booking.objects.count() == 1
    # The slot is free again for someone else.
    day = booking.starts_at.astimezone(timezone.get_current_timezone()).date().isoformat()
    response = client_for("building_head").post(
        f"/volunteers/rooms/{booking.room_id}/bookings/",
        {"day": day, "start": "09:00", "end": "10:00", "purpose": "读书会"},
        follow=True,
    )
    assert "预约成功" in response.content.decode() and Booking.objects.count() == 2


def test_odd_ids_on_the_new_pages_are_not_found(world, client_for, team, venue):
    client = client_for("community_worker")
    huge = "2104750527380668809216"
    for url in (
        f"/volunteers/teams/{huge}/edit/",
        f"/volunteers/venues/{huge}/edit/",
        f"/volunteers/bookings/{huge}/cancel/",
        "/volunteers/teams/999999/edit/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/volunteers/rooms/{huge}/edit/", {"name": "x"}).status_code == 404
    assert VolunteerTeam.objects.get().name == "红马甲"


def test_a_stood_down_team_leaves_the_teams_figure(world, team):
    from gongzhi.indicators.registry import REGISTRY, Period

    today = timezone.localdate()
    period = Period(today.replace(day=1), today + datetime.timedelta(days=1))
    figure = REGISTRY["volunteers.teams"]
    assert figure.compute(world.estate, period).value == 1
    services.team_update(team=team, is_active=False, acting_user=world.users["community_worker"])
    team.refresh_from_db()
    assert team.stood_down_at is not None
    assert figure.compute(world.estate, period).value == 0
    services.team_update(team=team, is_active=True, acting_user=world.users["community_worker"])
    assert figure.compute(world.subdistrict, period).value == 1
