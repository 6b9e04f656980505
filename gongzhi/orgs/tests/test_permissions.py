"""Each persona × each organization page and action."""

from django.urls import reverse

from gongzhi.orgs.models import Organization
from gongzhi.places.tests.test_permissions import MANAGERS, STAFF_OF_ESTATE, expect, statuses


def test_organization_list(world, client_for):
    allowed = STAFF_OF_ESTATE | {"building_head"}
    assert statuses(client_for, lambda c: c.get(reverse("orgs:list"))) == expect(allowed)


def test_register_pages(world, client_for):
    assert statuses(client_for, lambda c: c.get(reverse("orgs:kinds"))) == expect(MANAGERS)
    url = reverse("orgs:create", args=["partner_unit"])
    assert statuses(client_for, lambda c: c.get(url)) == expect(MANAGERS)
    assert statuses(client_for, lambda c: c.get(reverse("orgs:contract-create"))) == expect(MANAGERS)


def test_register_an_organization(world, client_for):
    url = reverse("orgs:create", args=["partner_unit"])
    counter = iter(range(100))
    result = statuses(
        client_for, lambda c: c.post(url, {"name": f"共建单位{next(counter)}", "place": world.community.id})
    )
    assert result == expect(MANAGERS, 302)
    assert Organization.objects.filter(kind="partner_unit").count() == 2


def test_committee_page_and_edit(world, client_for):
    detail = reverse("orgs:detail", args=[world.committee.id])
    edit = reverse("orgs:edit", args=[world.committee.id])
    # Residents and the building head (staff of one building only) do not see the committee's page.
    hidden = {"resident", "other_resident", "building_head"}
    assert statuses(client_for, lambda c: c.get(detail)) == expect(STAFF_OF_ESTATE, hidden=hidden)
    assert statuses(client_for, lambda c: c.get(edit)) == expect(MANAGERS, hidden=hidden)


def test_ending_a_contract(world, client_for):
    contract = world.company.contracts.get()
    url = reverse("orgs:contract-end", args=[contract.id])
    result = statuses(client_for, lambda c: c.post(url, {"on": "2030-01-01"}))
    # Residents of the estate see it as residents but are not staff: 404 like the other outsiders.
    assert result == expect(MANAGERS, 302, hidden={"resident", "other_resident", "building_head"})
