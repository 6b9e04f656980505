from django.urls import reverse

from gongzhi.accounts.models import Appointment, Ownership, PartyCheckIn, Person
from gongzhi.core.models import AuditEntry


def test_people_list_masks_phones(world, client_for):
    text = client_for("community_worker").get(reverse("accounts:people")).content.decode()
    assert "王小明" in text and "138****1111" in text
    assert "13800001111" not in text
    assert "李梅" not in text  # lives in the other community
    found = client_for("community_worker").get(reverse("accounts:people"), {"q": "1111"}).content.decode()
    assert "王小明" in found and "黄主任" not in found


def test_reveal_with_htmx_returns_the_number_and_logs_it(world, client_for):
    person = world.person("resident")
    response = client_for("community_worker").post(
        reverse("accounts:person-reveal", args=[person.id]), {"field": "phone"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "13800001111" in response.content.decode()
    assert AuditEntry.objects.filter(action="personal_data.reveal", target=f"person:{person.id}").count() == 1


def test_register_a_person_and_appoint_them(world, client_for):
    client = client_for("community_worker")
    response = client.post(
        reverse("accounts:person-create"),
        {"name": "郑新", "phone": "139-0000-5555", "is_party_member": "on", "registered_at": world.estate.id},
    )
    assert response.status_code == 302
    person = Person.objects.get(name="郑新")
    assert person.phone == "13900005555" and person.is_party_member

    url = reverse("accounts:appointment-create", args=[person.id])
    # The committee already has a chair: the overlap is refused with the holder's name.
    response = client.post(
        url, {"post": "committee_chair", "organization": world.committee.id, "starts_on": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "任期不能重叠" in response.content.decode() and "黄主任" in response.content.decode()
    assert not person.appointments.exists()

    response = client.post(
        url,
        {
            "post": "committee_member",
            "organization": world.committee.id,
            "starts_on": "2025-01-01",
            "ends_on": "2027-12-31",
        },
    )
    assert response.status_code == 302
    appointment = person.appointments.get()
    detail = client.get(reverse("accounts:person", args=[person.id])).content.decode()
    assert "业委会委员" in detail and "2027-12-31" in detail

    response = client.post(reverse("accounts:appointment-end", args=[appointment.id]), {"on": "2024-12-01"})
    appointment.refresh_from_db()
    assert appointment.ends_on.isoformat() == "2027-12-31"  # an end before the start is refused
    response = client.post(reverse("accounts:appointment-end", args=[appointment.id]), {"on": "2026-06-30"})
    appointment.refresh_from_db()
    assert appointment.ends_on.isoformat() == "2026-06-30"


def test_malformed_phone_on_the_page_saves_nothing(world, client_for):
    before = Person.objects.count()
    response = client_for("community_worker").post(
        reverse("accounts:person-create"), {"name": "某人", "phone": "1380000", "registered_at": world.estate.id}
    )
    assert response.status_code == 200 and "手机号格式不正确" in response.content.decode()
    assert Person.objects.count() == before


def test_ownership_and_check_in_from_the_person_page(world, client_for):
    client = client_for("community_worker")
    member = world.person("community_worker")  # a party member, living nowhere yet
    flat = world.flats[0]
    url = reverse("accounts:ownership-add", args=[member.id])
    client.post(url, {"building": flat.building_id, "number": flat.number})
    assert set(flat.ownerships.values_list("person__name", flat=True)) == {"王小明", "刘社工"}  # joint owners
    client.post(url, {"building": flat.building_id, "number": "999"})
    assert Ownership.objects.filter(person=member).count() == 1

    check_in = reverse("accounts:check-in-create", args=[member.id])
    response = client.post(check_in, {"estate": world.third_estate.id, "checked_in_on": "2025-03-01"}, follow=True)
    assert "不住在鸿盛名邸" in response.content.decode()
    assert not PartyCheckIn.objects.exists()
    client.post(check_in, {"estate": world.estate.id, "checked_in_on": "2025-03-01", "workplace": "区住建局"})
    assert PartyCheckIn.objects.get().estate == world.estate
    page = client.get(reverse("accounts:person", args=[member.id])).content.decode()
    assert "区住建局" in page


def test_appointment_page_lists_only_organizations_in_scope(world, client_for):
    page = (
        client_for("community_worker")
        .get(reverse("accounts:appointment-create", args=[world.person("resident").id]))
        .content.decode()
    )
    assert "檀悦小区业委会" in page and "梅岭物业" in page
    assert Appointment.objects.count() > 0
