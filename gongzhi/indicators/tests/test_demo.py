"""The demo: loaded by `manage.py demo_load`, idempotent, and its dashboard shows the reports' figures."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from gongzhi import demo
from gongzhi.accounts.models import Appointment, Person, User
from gongzhi.demo import seeds
from gongzhi.orgs.models import Organization
from gongzhi.places.models import Flat, Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_loaded(db):
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    return out.getvalue()


def cards_of(client, place_name):
    place = Place.objects.get(kind="subdistrict", name=place_name)
    response = client.get(reverse("indicators:dashboard"), {"place": place.id})
    assert response.status_code == 200
    return {card.indicator.key: card for section in response.context["dashboard"].sections for card in section.cards}


def test_the_dashboard_shows_the_figures_of_the_reports(client, demo_loaded):
    assert client.login(username="subdistrict_admin", password=demo.DEMO_PASSWORD)
    town = cards_of(client, seeds.TOWN)  # seed 000, 东园镇
    assert town["party_branches"].display == "23"
    assert town["party_branch_coverage"].display == "100.0%" and town["party_branch_coverage"].ratio == "23/23"
    assert town["part_time_members"].display == "9"
    assert town["community_members_on_committees"].display == "23"
    assert town["dual_chairs"].figure.value > 60 and town["dual_chairs"].ratio == "15/23"
    assert town["grid_party_members"].display == "128"
    assert town["volunteer_supervisors"].display == "46"
    assert town["supervisor_coverage"].display == "100.0%"
    street = cards_of(client, seeds.STREET)  # seed 002, 青阳街道
    assert street["owners_committee_formation"].display == "100.0%"
    assert street["red_owners_committees"].display == "57.9%" and street["red_owners_committees"].ratio == "11/19"
    assert street["companies_with_party_org"].display == "100.0%"
    assert street["companies_with_party_org"].ratio == "16/16"
    assert street["party_branch_coverage"].display == "100.0%"
    assert street["property_service_coverage"].display == "100.0%"


def test_the_street_before_2024_had_fewer_committees_and_unmanaged_estates(client, demo_loaded):
    assert client.login(username="subdistrict_admin", password=demo.DEMO_PASSWORD)
    place = Place.objects.get(kind="subdistrict", name=seeds.STREET)
    response = client.get(reverse("indicators:dashboard"), {"place": place.id, "date": "2023-12-31"})
    cards = {c.indicator.key: c for s in response.context["dashboard"].sections for c in s.cards}
    assert cards["owners_committee_formation"].ratio == "9/19"
    assert cards["property_service_coverage"].ratio == "15/19"


def test_loading_twice_adds_nothing_and_prints_the_logins(demo_loaded):
    assert demo.DEMO_PASSWORD in demo_loaded
    for persona in demo.PERSONAS:
        assert persona in demo_loaded
    counts = [m.objects.count() for m in (Place, Flat, Person, User, Organization, Appointment)]
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    assert "nothing added" in out.getvalue() and demo.DEMO_PASSWORD in out.getvalue()
    assert [m.objects.count() for m in (Place, Flat, Person, User, Organization, Appointment)] == counts


# Each demo login: the place their dashboard opens at (None: no dashboard for this post).
DASHBOARD_OF = {
    "resident": None,
    "other_resident": None,
    "building_head": None,
    "supervisor": None,
    "steward": None,
    "committee_chair": seeds.FLAGSHIP,
    "branch_secretary": seeds.FLAGSHIP,
    "community_worker": "东岚社区",
    "subdistrict_admin": seeds.TOWN,
}


def test_every_persona_can_log_in_where_they_live_and_work(client, demo_loaded):
    # One demo load for the nine logins (loading it per persona would make the suite slow).
    for persona, place_name in DASHBOARD_OF.items():
        client.logout()
        assert client.login(username=persona, password=demo.DEMO_PASSWORD), persona
        response = client.get(reverse("indicators:dashboard"))
        if place_name is None:
            assert response.status_code == 403, persona
        else:
            assert response.context["place"].name == place_name, persona


def test_residents_own_a_flat_in_their_estate(demo_loaded):
    resident = User.objects.get(username="resident").person
    other = User.objects.get(username="other_resident").person
    assert resident.ownerships.get().flat.estate.name == seeds.FLAGSHIP
    assert other.ownerships.get().flat.estate.name == seeds.OTHER_ESTATE


def test_the_hook_modules_are_the_apps_demo_modules():
    assert all(
        module.__name__.startswith("gongzhi.") and module.__name__.endswith(".demo") for module in demo.hook_modules()
    )


def test_a_second_load_gives_the_hooks_the_existing_demo(demo_loaded):
    context = demo.load()
    assert context.created is False
    assert set(context.users) == set(demo.PERSONAS)
    assert context.estate(seeds.FLAGSHIP).parent.name == "东岚社区"
    assert context.subdistrict(seeds.STREET).subdistrict_kind == "street"
