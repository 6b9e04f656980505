import datetime

import pytest
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.volunteers import services
from gongzhi.volunteers.models import Booking, EnforcementPatrol

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


PATROL = {
    "resident": 404,
    "other_resident": 404,
    "building_head": 403,
    "supervisor": 403,
    "steward": 403,
    "committee_chair": 403,
    "branch_secretary": 403,
    "community_worker": 302,
    "subdistrict_admin": 302,
    None: "login",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_patrol_matrix(world, client_for, persona):
    data = {"estate": world.estate.id, "members": "执法队", "unresolved": "占道经营"}
    # The building head is staff of one building only: the estate's patrol page is not theirs.
    expected = 404 if persona == "building_head" else PATROL[persona]
    assert status(client_for, persona, "/volunteers/patrols/new/", "post", data) == expected
    assert EnforcementPatrol.objects.count() == (1 if expected == 302 else 0)


BOOK = {
    "resident": 302,
    "other_resident": 404,
    "building_head": 302,
    "supervisor": 403,
    "steward": 403,
    "committee_chair": 302,
    "branch_secretary": 302,
    "community_worker": 403,
    "subdistrict_admin": 403,  # staff everywhere, but a resident nowhere
    None: "login",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_booking_matrix(world, client_for, persona):
    venue = services.venue_create(
        estate=world.estate,
        name="邻里中心",
        opening_hours="8:00-21:00",
        rooms=[("议事厅", True, 30)],
        acting_user=world.users["community_worker"],
    )
    room = venue.rooms.get()
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = {"day": day, "start": "09:00", "end": "10:00", "purpose": "议事"}
    assert status(client_for, persona, f"/volunteers/rooms/{room.id}/bookings/", "post", data) == BOOK[persona]
    assert Booking.objects.count() == (1 if BOOK[persona] == 302 else 0)


def test_pages_render(world, client_for):
    for persona, urls in {
        "resident": ["/volunteers/", "/volunteers/orders/", f"/volunteers/estates/{world.estate.id}/"],
        "community_worker": [
            "/volunteers/",
            "/volunteers/patrols/",
            "/volunteers/visits/",
            "/volunteers/orders/",
            "/volunteers/agreements/",
            f"/volunteers/estates/{world.estate.id}/",
        ],
    }.items():
        client = client_for(persona)
        for url in urls:
            assert client.get(url).status_code == 200, (persona, url)
    assert client_for("resident").get("/volunteers/patrols/").status_code == 404
    assert client_for("other_resident").get(f"/volunteers/estates/{world.estate.id}/").status_code == 404


def test_visit_form_creates_cases_and_bad_input_is_a_message(world, client_for):
    client = client_for("community_worker")
    response = client.post(
        "/volunteers/visits/new/", {"estate": world.estate.id, "leader": "周主任", "attendance": "lots"}, follow=True
    )
    assert "来访人数必须是整数" in response.content.decode()
    response = client.post(
        "/volunteers/visits/new/",
        {
            "estate": world.estate.id,
            "leader": "周主任",
            "attendance": "12",
            "solved": "路灯不亮",
            "open": "电梯停运\n噪音扰民",
        },
        follow=True,
    )
    assert "问题已转为诉求" in response.content.decode()
    assert Case.objects.filter(channel="reception_visit").count() == 3


def test_check_in_page_refuses_another_estate(world, client_for):
    response = client_for("building_head").post(
        "/volunteers/check-in/", {"estate": world.third_estate.id, "workplace": "x"}, follow=True
    )
    assert response.status_code == 404 or "不住在" in response.content.decode()
    response = client_for("building_head").post(
        "/volunteers/check-in/", {"estate": world.estate.id, "workplace": "供电公司"}, follow=True
    )
    assert "报到成功" in response.content.decode()


def test_building_heads_listed_per_building(world, client_for):
    page = client_for("community_worker").get(f"/volunteers/estates/{world.estate.id}/").content.decode()
    assert "陈楼长" in page and "138****3333" in page


def test_a_volunteer_sees_their_own_hours(world, client_for):
    team = services.team_create(
        place=world.estate, name="护绿队", colour="#2e7d32", acting_user=world.users["community_worker"]
    )
    services.event_record(
        team=team,
        estate=world.estate,
        title="补种绿植",
        on_date=timezone.localdate(),
        hours="3",
        participants=[world.person("resident")],
        acting_user=world.users["community_worker"],
    )
    page = client_for("resident").get("/volunteers/").content.decode()
    assert "我参加了 1 场志愿服务，共 3.0 小时" in page
