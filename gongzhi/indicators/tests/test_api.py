"""/api/v1/indicators/: the same figures and definitions as the dashboard, under the same permission."""

import pytest

from gongzhi.indicators.registry import REGISTRY, Period
from gongzhi.indicators.tests.conftest import D

pytestmark = pytest.mark.django_db
FIGURES = "/api/v1/indicators/figures"


def test_figures_match_the_registry(client_for, world):
    response = client_for("subdistrict_admin").get(FIGURES, {"place": world.subdistrict.id, "date": D.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert body["place"]["name"] == "青阳街道" and body["date"] == D.isoformat()
    got = {figure["key"]: figure for figure in body["place"]["figures"]}
    expected = REGISTRY["party_branch_coverage"].compute(world.subdistrict, Period.day(D))
    assert got["party_branch_coverage"]["numerator"] == expected.numerator
    assert got["party_branch_coverage"]["denominator"] == expected.denominator
    assert got["party_branch_coverage"]["value"] == float(expected.value)
    assert {estate["name"] for estate in body["estates"]} == {"檀悦小区", "鸿盛名邸", "梅岭新村"}
    assert {community["name"] for community in body["communities"]} == {"阳光社区", "梅岭社区"}


def test_default_place_and_no_breakdown(client_for):
    body = client_for("community_worker").get(FIGURES, {"breakdown": "false"}).json()
    assert body["place"]["name"] == "阳光社区" and body["estates"] == [] and body["communities"] == []


@pytest.mark.parametrize(
    ("persona", "place", "status"),
    [
        ("subdistrict_admin", "subdistrict", 200),
        ("community_worker", "community", 200),
        ("community_worker", "other_estate", 404),
        ("committee_chair", "subdistrict", 404),
        ("resident", "estate", 403),
        ("steward", "estate", 403),
        (None, "estate", 401),
    ],
)
def test_permissions(client_for, world, persona, place, status):
    response = client_for(persona).get(FIGURES, {"place": getattr(world, place).id})
    assert response.status_code == status
    if status >= 400:
        assert response.json()["detail"]


def test_a_bad_date_is_a_clear_400(client_for, world):
    response = client_for("subdistrict_admin").get(FIGURES, {"date": "30/06/2025"})
    assert response.status_code == 400
    assert "格式不正确" in response.json()["detail"]


def test_definitions(client_for):
    body = client_for("branch_secretary").get("/api/v1/indicators/definitions").json()
    by_key = {item["key"]: item for item in body}
    assert by_key["red_owners_committees"]["label"] == "红色业委会占比"
    assert by_key["red_owners_committees"]["is_rate"] is True
    assert by_key["part_time_members"]["levels"] == ["district", "subdistrict", "community"]
    assert "57.9%" in by_key["red_owners_committees"]["source"]
