import datetime

import pytest

from gongzhi.accounts import access
from gongzhi.accounts import services as people
from gongzhi.core.errors import DomainError


def test_steward_reaches_only_estates_under_current_contract(world):
    steward = world.users["steward"]
    assert access.can(steward, "case_work", world.estate)
    assert not access.can(steward, "case_work", world.other_estate)
    assert not access.can(steward, "case_work", world.third_estate)


def test_community_worker_sees_the_community_not_the_other(world):
    worker = world.users["community_worker"]
    assert access.can(worker, "view_internal", world.estate)
    assert access.can(worker, "view_internal", world.third_estate)
    assert not access.can(worker, "view_internal", world.other_estate)


def test_resident_is_resident_of_own_estate_only(world):
    resident = world.users["resident"]
    assert access.can(resident, "resident", world.estate)
    assert not access.can(resident, "resident", world.other_estate)
    assert not access.can(resident, "view_internal", world.estate)


def test_access_ends_the_day_the_appointment_ends(world):
    secretary = world.person("branch_secretary")
    appointment = secretary.appointments.get()
    end = datetime.date(2025, 6, 30)
    people.appointment_end(appointment=appointment, ends_on=end)
    before = access.compute_grants(world.users["branch_secretary"], on=end - datetime.timedelta(days=1))
    on_end = access.compute_grants(world.users["branch_secretary"], on=end)
    assert any("meeting_manage" in g.capabilities for g in before)
    assert not any("meeting_manage" in g.capabilities for g in on_end)


def test_second_branch_secretary_with_overlapping_term_is_refused(world):
    someone = people.person_create(name="赵某", phone="13900001111", is_party_member=True)
    with pytest.raises(DomainError, match="任期不能重叠"):
        people.appointment_create(
            person=someone, post="branch_secretary", organization=world.branch, starts_on=datetime.date(2025, 1, 1)
        )
    assert not someone.appointments.exists()


def test_scope_q_lists_exactly_the_visible_estates(world):
    from gongzhi.places.selectors import estates_visible

    names = set(estates_visible(world.users["community_worker"]).values_list("name", flat=True))
    assert names == {"檀悦小区", "鸿盛名邸"}
    assert set(estates_visible(world.users["subdistrict_admin"]).values_list("name", flat=True)) == {
        "檀悦小区",
        "鸿盛名邸",
        "梅岭新村",
    }
