"""Each persona × each people page and action."""

from django.urls import reverse

from gongzhi.accounts.models import Appointment
from gongzhi.core.models import AuditEntry
from gongzhi.places.tests.test_permissions import MANAGERS, PERSONAS, expect, statuses

EVERYONE_ELSE = set(PERSONAS) - MANAGERS - {None}


def test_people_list_and_registration(world, client_for):
    assert statuses(client_for, lambda c: c.get(reverse("accounts:people"))) == expect(MANAGERS)
    assert statuses(client_for, lambda c: c.get(reverse("accounts:person-create"))) == expect(MANAGERS)


def test_person_pages(world, client_for):
    resident = world.person("resident")
    for name in ("accounts:person", "accounts:person-edit", "accounts:appointment-create"):
        url = reverse(name, args=[resident.id])
        assert statuses(client_for, lambda c, url=url: c.get(url)) == expect(MANAGERS, hidden=EVERYONE_ELSE), name


def test_reveal_a_phone(world, client_for):
    url = reverse("accounts:person-reveal", args=[world.person("resident").id])
    result = statuses(client_for, lambda c: c.post(url, {"field": "phone"}))
    # The steward may reveal residents' numbers of the estate the company serves; the committee
    # and branch see the resident but may not reveal; outsiders do not see the resident at all.
    allowed = MANAGERS | {"steward"}
    seen_not_allowed = {"supervisor", "committee_chair", "branch_secretary"}
    hidden = set(PERSONAS) - allowed - seen_not_allowed - {None}
    assert result == expect(allowed, hidden=hidden)
    assert AuditEntry.objects.filter(action="personal_data.reveal").count() == 3


def test_end_an_appointment(world, client_for):
    appointment = world.person("committee_chair").appointments.get()
    url = reverse("accounts:appointment-end", args=[appointment.id])
    result = statuses(client_for, lambda c: c.post(url, {"on": "2030-01-01"}))
    assert result == expect(MANAGERS, 302, hidden=EVERYONE_ELSE)
    assert Appointment.objects.get(pk=appointment.pk).ends_on.isoformat() == "2030-01-01"
