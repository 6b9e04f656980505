"""Each persona × each page and action of the place tree: allowed (200/302), seen but not
allowed (403), not seen at all (404), or sent to log in (anonymous)."""

import pytest
from django.urls import reverse

from gongzhi.places.models import Place

PERSONAS = (
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
)
STAFF_OF_ESTATE = {
    "supervisor",
    "steward",
    "committee_chair",
    "branch_secretary",
    "community_worker",
    "subdistrict_admin",
}
MANAGERS = {"community_worker", "subdistrict_admin"}
LOGIN = 302


def statuses(client_for, request):
    seen = {}
    for persona in PERSONAS:
        response = request(client_for(persona))
        status = response.status_code
        if persona is None:
            assert status == LOGIN and "/accounts/login/" in response["Location"]
        seen[persona] = status
    return seen


def expect(allowed, allowed_status=200, *, hidden=(), default=403):
    result = {}
    for persona in PERSONAS:
        if persona is None:
            result[persona] = LOGIN
        elif persona in allowed:
            result[persona] = allowed_status
        elif persona in hidden:
            result[persona] = 404
        else:
            result[persona] = default
    return result


def test_tree_page(world, client_for):
    staff = STAFF_OF_ESTATE | {"building_head"}
    assert statuses(client_for, lambda c: c.get(reverse("places:tree"))) == expect(staff)


def test_estate_staff_page(world, client_for):
    url = reverse("places:detail", args=[world.estate.id])
    # The building head is a resident of the estate (sees it) but staff only of one building.
    assert statuses(client_for, lambda c: c.get(url)) == expect(STAFF_OF_ESTATE, hidden={"other_resident"})


def test_building_page_for_its_building_head(world, client_for):
    url = reverse("places:detail", args=[world.buildings[0].id])
    allowed = STAFF_OF_ESTATE | {"building_head"}
    assert statuses(client_for, lambda c: c.get(url)) == expect(allowed, hidden={"other_resident"})


def test_estate_public_page(world, client_for):
    url = reverse("places:estate", args=[world.estate.id])
    allowed = set(PERSONAS) - {"other_resident", None}
    assert statuses(client_for, lambda c: c.get(url)) == expect(allowed, hidden={"other_resident"})


def test_add_a_building(world, client_for):
    url = reverse("places:create", args=[world.estate.id])
    counter = iter(range(100))
    result = statuses(client_for, lambda c: c.post(url, {"name": f"新楼{next(counter)}"}))
    assert result == expect(MANAGERS, 302, hidden={"other_resident"})
    assert Place.objects.filter(name__startswith="新楼").count() == 2


def test_add_a_flat(world, client_for):
    url = reverse("places:flat-create", args=[world.buildings[0].id])
    counter = iter(range(100))

    def post(c):
        return c.post(
            url,
            {
                "number": f"9{next(counter):02d}",
                "area_m2": "80",
                "area_source": "registered",
                "delivery_status": "delivered",
            },
        )

    assert statuses(client_for, post) == expect(MANAGERS, 302, hidden={"other_resident"})


def test_worker_may_not_touch_the_other_community(world, client_for):
    client = client_for("community_worker")
    assert client.get(reverse("places:detail", args=[world.other_estate.id])).status_code == 404
    assert client.post(reverse("places:create", args=[world.other_estate.id]), {"name": "X"}).status_code == 404
    assert (
        client_for("subdistrict_admin").get(reverse("places:detail", args=[world.other_estate.id])).status_code == 200
    )


@pytest.mark.parametrize("name", ["places:import", "places:import-template", "places:export"])
def test_excel_pages(world, client_for, name):
    assert statuses(client_for, lambda c: c.get(reverse(name))) == expect(MANAGERS)
