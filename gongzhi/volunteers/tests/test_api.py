"""The volunteers JSON API through the real HTTP client with app tokens (as a phone app signs in):
teams, events with participants and hours, venues and rooms, bookings. Same permissions as the
pages; bad input answers 4xx with ``{"detail": "…"}`` in Chinese and changes nothing."""

import datetime
import json

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditEntry
from gongzhi.open311 import services as tokens
from gongzhi.volunteers import services
from gongzhi.volunteers.models import Booking, Participation, Room, ServiceEvent, Venue, VolunteerTeam

pytestmark = pytest.mark.django_db

API = "/api/v1/volunteers"
HUGE = 2104750527380668809216


@pytest.fixture
def call(world, client):
    """``call("resident", "GET", "/teams")``: the request with that persona's app token."""
    secrets = {}

    def run(persona, method, path, body=None):
        headers = {}
        if persona is not None:
            if persona not in secrets:
                secrets[persona] = tokens.app_token_issue(acting_user=world.users[persona], name="手机")[1]
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secrets[persona]}"
        kwargs = {"content_type": "application/json"} if body is not None else {}
        data = json.dumps(body) if body is not None else None
        response = getattr(client, method.lower())(f"{API}{path}", data, **kwargs, **headers)
        return response.status_code, (response.json() if response.content else None)

    return run


def refused(result, status, text=None):
    code, body = result
    assert code == status, body
    assert isinstance(body["detail"], str) and body["detail"]
    if text:
        assert text in body["detail"], body["detail"]
    return body


@pytest.fixture
def team(world):
    return services.team_create(
        place=world.estate, name="红马甲", colour="#d0021b", theme="敬老", acting_user=world.users["community_worker"]
    )


@pytest.fixture
def room(world):
    venue = services.venue_create(
        estate=world.estate,
        name="邻里中心",
        opening_hours="每天 8:00-21:00",
        rooms=[("议事厅", True, 30), ("长者食堂", False, 60)],
        acting_user=world.users["community_worker"],
    )
    return venue.rooms.get(name="议事厅")


def slot(days=3, start=9, hours=1):
    day = timezone.localdate() + datetime.timedelta(days=days)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(start)))
    return {"starts_at": starts.isoformat(), "ends_at": (starts + datetime.timedelta(hours=hours)).isoformat()}


# --- teams ---------------------------------------------------------------------------------------


def test_forming_editing_and_standing_down_a_team(world, call):
    code, created = call("community_worker", "POST", "/teams", {"place_id": world.estate.id, "name": "护绿队"})
    assert code == 201 and created["is_active"] and created["can_edit"]
    team_id = created["id"]
    code, teams = call("resident", "GET", "/teams")
    assert code == 200 and [t["name"] for t in teams] == ["护绿队"] and not teams[0]["can_edit"]

    code, edited = call("branch_secretary", "PATCH", f"/teams/{team_id}", {"theme": "垃圾分类", "colour": "#2E7D32"})
    assert code == 200 and (edited["theme"], edited["colour"], edited["name"]) == ("垃圾分类", "#2e7d32", "护绿队")
    code, stood_down = call("community_worker", "PATCH", f"/teams/{team_id}", {"is_active": False})
    assert code == 200 and stood_down["is_active"] is False
    # Never deleted: staff still see it, marked; residents no longer do.
    assert VolunteerTeam.objects.filter(pk=team_id, is_active=False).exists()
    assert call("community_worker", "GET", f"/teams/{team_id}")[1]["is_active"] is False
    assert call("resident", "GET", "/teams") == (200, [])
    refused(call("resident", "GET", f"/teams/{team_id}"), 404, "队伍不存在")
    assert AuditEntry.objects.filter(action="volunteer_team.update").count() == 2


def test_team_permissions_match_the_page(world, call, team):
    url = f"/teams/{team.id}"
    refused(call("resident", "PATCH", url, {"name": "改名"}), 404)
    refused(call("other_resident", "GET", url), 404)
    refused(call("steward", "PATCH", url, {"name": "改名"}), 403, "无权")
    refused(call("supervisor", "POST", "/teams", {"place_id": world.estate.id, "name": "新队"}), 403)
    refused(call("resident", "POST", "/teams", {"place_id": world.estate.id, "name": "新队"}), 404)
    assert call(None, "GET", "/teams")[0] == 401
    team.refresh_from_db()
    assert team.name == "红马甲" and VolunteerTeam.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"name": ""}, 400, "请填写队伍名称"),
        ({"name": "   "}, 400, "请填写队伍名称"),
        ({"name": "队" * 61}, 400, "太长"),
        ({"colour": "red"}, 400, "颜色格式"),
        ({"colour": ""}, 400, "颜色格式"),
        ({"theme": "主" * 61}, 400, "太长"),
        ({"name": "夕阳红"}, 409, "同名"),
    ],
)
def test_bad_team_edits_change_nothing(world, call, team, body, status, text):
    services.team_create(
        place=world.estate, name="夕阳红", colour="#123456", acting_user=world.users["community_worker"]
    )
    refused(call("community_worker", "PATCH", f"/teams/{team.id}", body), status, text)
    team.refresh_from_db()
    assert (team.name, team.colour, team.theme, team.is_active) == ("红马甲", "#d0021b", "敬老", True)


@pytest.mark.parametrize("team_id", [0, 999999, HUGE])
def test_odd_team_ids_are_not_found(world, call, team_id):
    refused(call("community_worker", "GET", f"/teams/{team_id}"), 404)
    refused(call("community_worker", "PATCH", f"/teams/{team_id}", {"name": "x"}), 404)
    refused(call("community_worker", "POST", "/teams", {"place_id": team_id, "name": "x"}), 404)
    assert VolunteerTeam.objects.count() == 0


# --- events, participants, hours -----------------------------------------------------------------


def event_body(world, team, **changes):
    return {
        "team_id": team.id,
        "estate_id": world.estate.id,
        "title": "为独居老人送餐",
        "on_date": timezone.localdate().isoformat(),
        "hours": "2.5",
        "participant_phones": ["13800001111", "138 0000 3333"],
        **changes,
    }


def test_an_event_with_its_participants_and_hours(world, call, team):
    code, event = call("community_worker", "POST", "/events", event_body(world, team))
    assert code == 201, event
    assert (event["people"], event["hours"], event["total_hours"]) == (2, "2.5", "5.0")
    # Staff see who took part, phones masked; a participant sees that they did, not the others.
    assert {(p["name"], p["phone"]) for p in event["participants"]} == {
        ("王小明", "138****1111"),
        ("陈楼长", "138****3333"),
    }
    code, seen = call("resident", "GET", f"/events/{event['id']}")
    assert code == 200 and seen["i_took_part"] and seen["participants"] == []
    refused(call("other_resident", "GET", f"/events/{event['id']}"), 404)
    code, mine = call("resident", "GET", "/me/service")
    assert code == 200 and (mine["events"], mine["hours"]) == (1, "2.5")
    assert mine["recent"][0]["title"] == "为独居老人送餐"
    assert [e["id"] for e in call("resident", "GET", "/events")[1]] == [event["id"]]
    assert [e["id"] for e in call("community_worker", "GET", f"/events?estate_id={world.estate.id}")[1]] == [
        event["id"]
    ]
    assert call("other_resident", "GET", "/events") == (200, [])


@pytest.mark.parametrize(
    ("changes", "status", "text"),
    [
        ({"hours": "0"}, 400, "时长"),
        ({"hours": "-1"}, 400, "时长"),
        ({"hours": "24.5"}, 400, "时长"),
        ({"hours": 1e308}, 400, "时长"),
        ({"hours": "1.25"}, 400, "一位小数"),
        ({"hours": ""}, 400, "时长"),
        ({"hours": "NaN"}, 400, "时长"),
        ({"title": ""}, 400, "活动名称"),
        ({"participant_phones": []}, 400, "参与者"),
        ({"participant_phones": ["13912345678"]}, 400, "139****5678"),
        ({"on_date": "2999-01-01"}, 400, "晚于今天"),
        ({"estate_id": HUGE}, 404, "小区不存在"),
        ({"estate_id": 0}, 404, "小区不存在"),
        ({"team_id": HUGE}, 404, "队伍不存在"),
    ],
)
def test_bad_events_are_refused_and_record_nothing(world, call, team, changes, status, text):
    refused(call("community_worker", "POST", "/events", event_body(world, team, **changes)), status, text)
    assert ServiceEvent.objects.count() == 0 and Participation.objects.count() == 0


def test_events_refused_to_those_who_do_not_manage_and_for_stood_down_teams(world, call, team):
    refused(call("resident", "POST", "/events", event_body(world, team)), 404)
    refused(call("steward", "POST", "/events", event_body(world, team)), 403)
    services.team_update(team=team, is_active=False, acting_user=world.users["community_worker"])
    refused(call("community_worker", "POST", "/events", event_body(world, team)), 409, "已停用")
    assert ServiceEvent.objects.count() == 0
    refused(call("community_worker", "GET", f"/events?estate_id={HUGE}"), 404)
    refused(call("community_worker", "GET", "/events?limit=0"), 400)
    refused(call("community_worker", "GET", f"/events?limit={HUGE}"), 400)
    refused(call("community_worker", "GET", f"/events/{HUGE}"), 404)


# --- venues and rooms ----------------------------------------------------------------------------


def test_venues_rooms_edited_and_closed_never_deleted(world, call):
    estate = world.estate.id
    body = {"name": "党群服务中心", "opening_hours": "9:00-17:00", "rooms": [{"name": "阅览室", "is_bookable": True}]}
    code, venue = call("committee_chair", "POST", f"/estates/{estate}/venues", body)
    assert code == 201 and [r["name"] for r in venue["rooms"]] == ["阅览室"]
    code, room = call("community_worker", "POST", f"/venues/{venue['id']}/rooms", {"name": "健身房", "capacity": 20})
    assert code == 201 and room["capacity"] == 20 and not room["is_bookable"]
    code, room = call("community_worker", "PATCH", f"/rooms/{room['id']}", {"is_bookable": True, "name": "健身室"})
    assert code == 200 and room["is_bookable"] and room["name"] == "健身室"
    code, changed = call("community_worker", "PATCH", f"/venues/{venue['id']}", {"opening_hours": "8:00-20:00"})
    assert code == 200 and changed["opening_hours"] == "8:00-20:00"

    code, listed = call("resident", "GET", f"/estates/{estate}/venues")
    assert code == 200 and [len(v["rooms"]) for v in listed] == [2]
    call("community_worker", "PATCH", f"/rooms/{room['id']}", {"is_active": False})
    assert [len(v["rooms"]) for v in call("resident", "GET", f"/estates/{estate}/venues")[1]] == [1]
    call("community_worker", "PATCH", f"/venues/{venue['id']}", {"is_active": False})
    assert call("resident", "GET", f"/estates/{estate}/venues") == (200, [])
    # The manager still sees the closed venue and its closed room.
    (kept,) = call("community_worker", "GET", f"/estates/{estate}/venues")[1]
    assert kept["is_active"] is False and [r["is_active"] for r in kept["rooms"]] == [True, False]
    assert Venue.objects.count() == 1 and Room.objects.count() == 2


@pytest.mark.parametrize(
    ("path", "body", "status", "text"),
    [
        ("venue", {"name": ""}, 400, "阵地名称"),
        ("venue", {"opening_hours": " "}, 400, "开放时间"),
        ("room", {"capacity": -1}, 400, "容纳人数"),
        ("room", {"capacity": "很多"}, 400, "容纳人数"),
        ("room", {"capacity": HUGE}, 400, "容纳人数"),
        ("room", {"name": ""}, 400, "功能室名称"),
        ("room", {"name": "长者食堂"}, 409, "同名"),
        ("rooms", {"name": "议事厅"}, 409, "同名"),
        ("rooms", {"name": "新室", "capacity": 10001}, 400, "容纳人数"),
    ],
)
def test_bad_venue_and_room_edits_change_nothing(world, call, room, path, body, status, text):
    url = {"venue": f"/venues/{room.venue_id}", "room": f"/rooms/{room.id}", "rooms": f"/venues/{room.venue_id}/rooms"}
    method = "POST" if path == "rooms" else "PATCH"
    refused(call("community_worker", method, url[path], body), status, text)
    room.refresh_from_db()
    room.venue.refresh_from_db()
    assert (room.name, room.capacity, room.venue.name, room.venue.opening_hours) == (
        "议事厅",
        30,
        "邻里中心",
        "每天 8:00-21:00",
    )
    assert Room.objects.count() == 2


def test_venue_permissions(world, call, room):
    refused(call("resident", "PATCH", f"/venues/{room.venue_id}", {"name": "x"}), 403)
    refused(call("steward", "PATCH", f"/rooms/{room.id}", {"name": "x"}), 403)
    refused(call("other_resident", "GET", f"/estates/{world.estate.id}/venues"), 404)
    refused(call("other_resident", "PATCH", f"/venues/{room.venue_id}", {"name": "x"}), 404)
    refused(call("resident", "POST", f"/estates/{world.estate.id}/venues", {"name": "x", "opening_hours": "y"}), 403)
    for bad in (0, HUGE):
        refused(call("community_worker", "GET", f"/estates/{bad}/venues"), 404)
        refused(call("community_worker", "PATCH", f"/venues/{bad}", {"name": "x"}), 404)
        refused(call("community_worker", "PATCH", f"/rooms/{bad}", {"name": "x"}), 404)
    refused(call("community_worker", "GET", f"/estates/{world.buildings[0].id}/venues"), 404)
    assert Venue.objects.get().name == "邻里中心"


# --- bookings ------------------------------------------------------------------------------------


def test_booking_then_cancelling_keeps_it_listed_as_cancelled(world, call, room):
    code, booking = call("resident", "POST", f"/rooms/{room.id}/bookings", {**slot(), "purpose": "楼栋议事"})
    assert code == 201 and booking["mine"] and booking["can_cancel"] and not booking["cancelled"]
    refused(
        call("building_head", "POST", f"/rooms/{room.id}/bookings", {**slot(), "purpose": "读书会"}), 409, "已被预约"
    )
    # Another resident sees the slot is taken, not who took it or why.
    (seen,) = call("building_head", "GET", f"/estates/{world.estate.id}/bookings")[1]
    assert (seen["booker"], seen["purpose"], seen["can_cancel"]) == (None, None, False)
    refused(call("building_head", "POST", f"/bookings/{booking['id']}/cancel"), 403, "预约人")
    refused(call("other_resident", "POST", f"/bookings/{booking['id']}/cancel"), 404)

    code, cancelled = call("resident", "POST", f"/bookings/{booking['id']}/cancel")
    assert code == 200 and cancelled["cancelled"] and cancelled["cancelled_at"]
    refused(call("resident", "POST", f"/bookings/{booking['id']}/cancel"), 409, "已取消")
    (listed,) = call("community_worker", "GET", f"/estates/{world.estate.id}/bookings")[1]
    assert listed["cancelled"] and listed["booker"] == "王小明"
    assert call("resident", "GET", "/bookings/mine")[1][0]["cancelled"]
    # The slot is free again; the venue's manager may cancel anyone's booking.
    code, again = call("building_head", "POST", f"/rooms/{room.id}/bookings", {**slot(), "purpose": "读书会"})
    assert code == 201
    code, by_manager = call("community_worker", "POST", f"/bookings/{again['id']}/cancel")
    assert code == 200 and by_manager["cancelled"]
    assert Booking.objects.count() == 2
    assert Booking.objects.get(pk=again["id"]).cancelled_by == world.users["community_worker"]


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"slot": {"hours": -1}, "purpose": "议事"}, 400, "晚于开始"),
        ({"slot": {"hours": 9}, "purpose": "议事"}, 400, "8小时"),
        ({"slot": {"days": -2}, "purpose": "议事"}, 400, "过去"),
        ({"slot": {"days": 400}, "purpose": "议事"}, 400, "180天"),
        ({"slot": {}, "purpose": ""}, 400, "用途"),
        ({"slot": {}, "purpose": "议" * 101}, 400, "太长"),
        ({"starts_at": "0001-01-01T00:00:00+14:00", "ends_at": "0001-01-01T01:00:00+14:00", "purpose": "x"}, 400, ""),
        ({"starts_at": "9999-12-31T23:00:00-12:00", "ends_at": "9999-12-31T23:30:00-12:00", "purpose": "x"}, 400, ""),
    ],
)
def test_bad_bookings_are_refused(world, call, room, body, status, text):
    if "slot" in body:
        body = {**slot(**body["slot"]), "purpose": body["purpose"]}
    refused(call("resident", "POST", f"/rooms/{room.id}/bookings", body), status, text)
    assert Booking.objects.count() == 0


def test_bookings_refused_where_the_page_refuses_them(world, call, room):
    body = {**slot(), "purpose": "议事"}
    refused(call("steward", "POST", f"/rooms/{room.id}/bookings", body), 403, "本小区居民")
    refused(call("other_resident", "POST", f"/rooms/{room.id}/bookings", body), 404)
    canteen = Room.objects.get(name="长者食堂")
    refused(call("resident", "POST", f"/rooms/{canteen.id}/bookings", body), 400, "不开放预约")
    services.room_update(room=room, is_active=False, acting_user=world.users["community_worker"])
    refused(call("resident", "POST", f"/rooms/{room.id}/bookings", body), 404)
    for bad in (0, HUGE):
        refused(call("resident", "POST", f"/rooms/{bad}/bookings", body), 404)
        refused(call("resident", "POST", f"/bookings/{bad}/cancel"), 404)
    assert Booking.objects.count() == 0
