"""The dashboard page: who may see it where, what it shows, and a query count that does not grow
with the number of estates."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.accounts import services as people
from gongzhi.demo.builder import CompanySpec, EstateSpec, build_subdistrict
from gongzhi.indicators.tests.conftest import D
from gongzhi.testing import PASSWORD

pytestmark = pytest.mark.django_db
URL = reverse("indicators:dashboard")

# Each persona of the shared world: may they open the dashboard, and where does it open?
ALLOWED = {
    "resident": None,
    "other_resident": None,
    "building_head": None,
    "supervisor": None,
    "steward": None,
    "committee_chair": "檀悦小区",
    "branch_secretary": "檀悦小区",
    "community_worker": "阳光社区",
    "subdistrict_admin": "青阳街道",
}


@pytest.mark.parametrize("persona", list(ALLOWED))
def test_permission_matrix_and_default_place(client_for, persona):
    response = client_for(persona).get(URL)
    if ALLOWED[persona] is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert response.context["place"].name == ALLOWED[persona]


def test_anonymous_is_sent_to_login(client_for):
    response = client_for(None).get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("persona", "place", "status"),
    [
        ("community_worker", "estate", 200),
        ("community_worker", "third_estate", 200),
        ("community_worker", "other_estate", 404),  # another community
        ("community_worker", "subdistrict", 404),  # above their scope
        ("committee_chair", "estate", 200),
        ("committee_chair", "third_estate", 404),
        ("branch_secretary", "community", 404),
        ("subdistrict_admin", "other_estate", 200),
        ("subdistrict_admin", "other_community", 200),
    ],
)
def test_places_outside_the_scope_are_not_found(client_for, world, persona, place, status):
    response = client_for(persona).get(URL, {"place": getattr(world, place).id})
    assert response.status_code == status


@pytest.mark.parametrize("value", ["abc", "999999", "-1", ""])
def test_unknown_place_is_not_found(client_for, value):
    response = client_for("subdistrict_admin").get(URL, {"place": value})
    # An empty value means "my default place".
    assert response.status_code == (200 if value == "" else 404)


def test_a_bad_date_is_refused_with_a_message_and_today_is_shown(client_for):
    response = client_for("subdistrict_admin").get(URL, {"date": "2025-13-40"})
    assert response.status_code == 200
    assert "日期“2025-13-40”格式不正确" in response.content.decode()
    assert response.context["day"] == datetime.date.today() or response.context["day"]


def test_a_start_after_the_date_is_refused(client_for):
    response = client_for("subdistrict_admin").get(URL, {"date": "2025-01-01", "start": "2025-02-01"})
    assert "开始日期不能晚于截止日期" in response.content.decode()


def _admin_of(place, username="nanling_admin"):
    person = people.person_create(name="南岭管理员", is_party_member=True)
    people.user_create_for_person(person=person, username=username, password=PASSWORD)
    people.appointment_create(person=person, post="subdistrict_admin", place=place, starts_on=datetime.date(2020, 1, 1))
    return username


def test_cards_show_the_hand_counted_figures_with_their_definitions(client, structure_world):
    assert client.login(username=_admin_of(structure_world.subdistrict), password=PASSWORD)
    response = client.get(URL, {"place": structure_world.subdistrict.id, "date": D.isoformat()})
    html = response.content.decode()
    cards = {card.indicator.key: card for section in response.context["dashboard"].sections for card in section.cards}
    assert cards["party_branch_coverage"].display == "60.0%" and cards["party_branch_coverage"].ratio == "3/5"
    assert cards["red_owners_committees"].display == "66.7%" and cards["red_owners_committees"].ratio == "2/3"
    assert cards["cross_appointments"].display == "3"
    assert 'data-indicator="party_branch_coverage"' in html and "60.0%" in html and "3/5" in html
    # The definition is on the page, one click away (a collapsed block).
    assert 'id="def-party_branch_coverage"' in html
    assert "有当日存续的党支部覆盖的小区数" in html
    # Per community and per estate tables; the estate of a rate shows yes/no.
    rows = {row.place.name: row for row in response.context["dashboard"].estates}
    assert set(rows) == {"E1小区", "E2小区", "E3小区", "E4小区", "E5小区"}
    coverage_column = [c.key for c in response.context["dashboard"].columns].index("party_branch_coverage")
    assert rows["E4小区"].cells[coverage_column].cell == "否"
    assert rows["E1小区"].cells[coverage_column].cell == "是"
    assert [row.place.name for row in response.context["dashboard"].communities] == ["一社区", "二社区"]
    # Part-time members apply above the estate only: not a column of the estate table.
    assert "part_time_members" not in [c.key for c in response.context["dashboard"].columns]
    # The chart's numbers are those of the tables.
    assert 'id="indicator-chart"' in html and "data-chart=" in html and "<script>" not in html


def test_an_earlier_date_shows_the_records_of_that_day(client, structure_world):
    assert client.login(username=_admin_of(structure_world.subdistrict), password=PASSWORD)
    response = client.get(URL, {"place": structure_world.subdistrict.id, "date": "2025-04-30"})
    cards = {card.indicator.key: card for section in response.context["dashboard"].sections for card in section.cards}
    assert cards["party_branch_coverage"].ratio == "4/5"


def _subdistrict_of(estates: int, name: str):
    companies = [CompanySpec(f"{name}物业{n}", n % 2 == 0) for n in range(3)]
    specs = {
        f"{name}{c}社区": [
            EstateSpec(
                name=f"{name}{c}-{n}小区",
                buildings=1,
                flats_per_building=4,
                committee_size=5,
                committee_party=3 if n % 2 else 2,
                dual_chair=n % 3 == 0,
                company=companies[n % 3].name,
                supervisors=1,
                check_ins=1,
                grid_party_members=1,
            )
            for n in range(estates // 2)
        ]
        for c in range(2)
    }
    return build_subdistrict(
        name=name, subdistrict_kind="street", communities=specs, companies=companies, start=datetime.date(2024, 1, 1)
    ).subdistrict


def test_query_count_does_not_depend_on_the_number_of_estates(client, db):
    small = _subdistrict_of(4, "甲")
    large = _subdistrict_of(40, "乙")
    counts = []
    for place, username in ((small, "small_admin"), (large, "large_admin")):
        _admin_of(place, username)
        client.logout()
        assert client.login(username=username, password=PASSWORD)
        client.get(URL, {"place": place.id})  # warm up (session, caches)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"place": place.id})
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["dashboard"].estates) == 40
    assert counts[0] == counts[1]


def test_definitions_page_lists_every_indicator(client_for):
    response = client_for("community_worker").get(reverse("indicators:definitions"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "小区党组织覆盖率" in html and "红色业委会占比" in html and "party_branch_coverage" in html
    assert client_for("resident").get(reverse("indicators:definitions")).status_code == 403


def test_the_dashboard_in_english(client_for):
    client = client_for("subdistrict_admin")
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies.load({"django_language": "en"})
    html = client.get(URL).content.decode()
    assert response.status_code == 200
    assert "coverage of estates" in html and "Dashboard" in html
    assert "小区党组织覆盖率" not in html


def test_the_comparison_table_follows_the_chosen_area(client_for):
    client = client_for("subdistrict_admin")
    areas = dict(client.get(URL).context["areas"])
    assert "structure" in areas
    for area in areas:
        columns = client.get(URL, {"area": area}).context["dashboard"].columns
        assert columns and {column.area for column in columns} == {area}
    # An unknown area falls back to the structure figures.
    columns = client.get(URL, {"area": "nonsense"}).context["dashboard"].columns
    assert {column.area for column in columns} == {"structure"}


def test_names_are_escaped_in_the_tables_built_in_one_go(client, db):
    """The rows, rankings and cards are built in Python: a place's name is escaped there too."""
    place = _subdistrict_of(2, '<i class="x">甲')
    _admin_of(place, "escape_admin")
    assert client.login(username="escape_admin", password=PASSWORD)
    for area in ("structure", "cases"):
        html = client.get(URL, {"place": place.id, "area": area}).content.decode()
        assert '<i class="x">' not in html
        assert "&lt;i class=&quot;x&quot;&gt;甲0-0小区" in html  # the estate table and the ranking
        assert "&lt;i class=&quot;x&quot;&gt;甲0社区" in html  # the community table


def test_pieces_that_are_not_escaped_are_refused():
    from gongzhi.indicators import rendering

    with pytest.raises(TypeError):
        rendering._join(["<td>plain</td>"])
