import datetime

import pytest

from gongzhi.accounts import services
from gongzhi.accounts.models import Appointment, Ownership, PartyCheckIn, Person
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry

D = datetime.date


def test_person_with_a_malformed_phone_is_refused(world):
    before = Person.objects.count()
    with pytest.raises(DomainError, match="手机号格式不正确"):
        services.person_create(name="某人", phone="12345")
    with pytest.raises(DomainError, match="身份证号码格式不正确"):
        services.person_create(name="某人", id_number="110101199003070000")
    with pytest.raises(DomainError, match="姓名不能为空"):
        services.person_create(name="  ")
    assert Person.objects.count() == before


def test_single_holder_overlap_names_the_holder(world):
    someone = services.person_create(name="赵某", phone="13900001111", is_party_member=True)
    with pytest.raises(DomainError) as refused:
        services.appointment_create(
            person=someone, post="committee_chair", organization=world.committee, starts_on=D(2025, 1, 1)
        )
    assert "黄主任" in refused.value.message and "任期不能重叠" in refused.value.message
    assert not Appointment.objects.filter(person=someone).exists()


def test_successor_may_start_the_day_the_predecessor_ends(world):
    chair = world.person("committee_chair").appointments.get()
    services.appointment_end(appointment=chair, ends_on=D(2025, 6, 1), acting_user=world.users["community_worker"])
    successor = services.person_create(name="新主任", phone="13900002222")
    appointment = services.appointment_create(
        person=successor, post="committee_chair", organization=world.committee, starts_on=D(2025, 6, 1)
    )
    assert appointment.is_current(D(2025, 6, 1)) and not chair.is_current(D(2025, 6, 1))
    assert AuditEntry.objects.filter(action="appointment.end").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"post": "branch_member", "organization": "committee"}, "必须任职于相应的组织"),
        ({"post": "building_head", "place": "estate"}, "必须任职于一个"),
        ({"post": "grid_worker"}, "网格员必须指定网格"),
        ({"post": "supervisor", "place": "estate", "ends_on": D(2024, 12, 31)}, "结束日期必须晚于开始日期"),
        ({"post": "no_such_post", "place": "estate"}, "未知的职务"),
    ],
)
def test_bad_appointments_are_refused(world, kwargs, message):
    targets = {"committee": world.committee, "estate": world.estate}
    if "organization" in kwargs:
        kwargs["organization"] = targets[kwargs["organization"]]
    if "place" in kwargs:
        kwargs["place"] = targets[kwargs["place"]]
    person = world.person("resident")
    before = Appointment.objects.count()
    with pytest.raises(DomainError, match=message):
        services.appointment_create(person=person, starts_on=D(2025, 1, 1), **kwargs)
    assert Appointment.objects.count() == before


def test_joint_owners_and_one_owner_of_several_flats(world):
    resident = world.person("resident")
    spouse = services.person_create(name="王太太", phone="13900003333")
    flat = world.flats[0]
    services.ownership_add(person=spouse, flat=flat)
    services.ownership_add(person=resident, flat=world.flats[4])  # a second flat
    assert set(flat.ownerships.values_list("person__name", flat=True)) == {"王小明", "王太太"}
    assert resident.ownerships.count() == 2
    with pytest.raises(DomainError, match="已是该房屋的业主"):
        services.ownership_add(person=spouse, flat=flat)
    assert Ownership.objects.filter(person=spouse).count() == 1


def test_working_party_member_checks_in_only_where_they_live(world):
    member = world.person("building_head")  # a party member owning a flat in 檀悦小区
    with pytest.raises(DomainError, match="不住在梅岭新村"):
        services.party_check_in(person=member, estate=world.other_estate, checked_in_on=D(2025, 3, 1))
    assert not PartyCheckIn.objects.exists()
    check_in = services.party_check_in(
        person=member, estate=world.estate, checked_in_on=D(2025, 3, 1), workplace="市税务局"
    )
    with pytest.raises(DomainError, match="已在其他小区报到"):
        services.party_check_in(person=member, estate=world.estate, checked_in_on=D(2025, 4, 1))
    services.party_check_in_end(check_in=check_in, ended_on=D(2025, 12, 31))
    not_member = world.person("resident")
    with pytest.raises(DomainError, match="只有党员"):
        services.party_check_in(person=not_member, estate=world.estate, checked_in_on=D(2025, 3, 1))


def test_reveal_is_allowed_to_posts_that_may_and_logged(world):
    resident = world.person("resident")
    value = services.personal_data_reveal(person=resident, field="phone", acting_user=world.users["steward"])
    assert value == "13800001111"
    entry = AuditEntry.objects.get(action="personal_data.reveal")
    assert entry.actor == world.users["steward"] and entry.target == f"person:{resident.id}"
    with pytest.raises(DomainError, match="无权查看"):
        services.personal_data_reveal(person=resident, field="phone", acting_user=world.users["committee_chair"])
    assert AuditEntry.objects.filter(action="personal_data.reveal").count() == 1


def test_registered_person_is_visible_to_the_staff_of_that_place(world):
    from gongzhi.accounts.selectors import persons_visible

    newcomer = services.person_create(name="新来的", phone="13900004444", registered_at=world.estate)
    assert persons_visible(world.users["community_worker"]).filter(pk=newcomer.pk).exists()
    assert persons_visible(world.users["subdistrict_admin"]).filter(pk=newcomer.pk).exists()
    other = services.person_create(name="梅岭人", registered_at=world.other_estate)
    assert not persons_visible(world.users["community_worker"]).filter(pk=other.pk).exists()
