"""Each structure figure against the hand-counted world in conftest.py (``build_structure_world``)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.indicators.registry import REGISTRY, Figure, Period, indicators
from gongzhi.indicators.tests.conftest import D

pytestmark = pytest.mark.django_db

STRUCTURE_KEYS = [indicator.key for indicator in indicators("structure")]


def figures(key, world, on=D):
    places = [world.subdistrict, world.c1, world.c2, *world.estates.values()]
    result = REGISTRY[key].compute_many(places, Period.day(on))
    names = {world.subdistrict.id: "S", world.c1.id: "C1", world.c2.id: "C2"}
    names.update({estate.id: name for name, estate in world.estates.items()})
    return {names[place_id]: figure for place_id, figure in result.items()}


def rate(numerator, denominator):
    return Figure.rate(numerator, denominator)


def test_every_structure_indicator_is_declared_with_its_definition():
    expected = {
        "party_branches",
        "party_branch_coverage",
        "owners_committee_formation",
        "red_owners_committees",
        "dual_chairs",
        "cross_appointments",
        "community_members_on_committees",
        "part_time_members",
        "property_service_coverage",
        "companies_with_party_org",
        "party_check_ins",
        "grid_party_members",
        "volunteer_supervisors",
        "supervisor_coverage",
    }
    assert expected <= set(STRUCTURE_KEYS)
    for key in expected:
        indicator = REGISTRY[key]
        assert str(indicator.label) and str(indicator.formula) and str(indicator.unit) and str(indicator.source)


def test_party_branch_coverage_counts_joint_branches_and_not_dissolved_ones(structure_world):
    got = figures("party_branch_coverage", structure_world)
    # E1 (B1), E2 and E3 (joint B2) are covered; E4 has none; E5's branch was dissolved on 2025-05-01.
    assert got["S"] == rate(3, 5) and got["S"].value == Decimal("60.0")
    assert got["C1"] == rate(3, 3)
    assert got["C2"] == rate(0, 2) and got["C2"].value == Decimal("0.0")
    assert got["E3"] == rate(1, 1) and got["E4"] == rate(0, 1)
    # Before B5 was dissolved E5 was covered too.
    assert figures("party_branch_coverage", structure_world, datetime.date(2025, 4, 30))["S"] == rate(4, 5)


def test_party_branches_counts_a_joint_branch_once(structure_world):
    got = figures("party_branches", structure_world)
    assert got["S"] == Figure.count(2)
    assert got["C1"] == Figure.count(2) and got["C2"] == Figure.count(0)
    assert got["E2"] == Figure.count(1) and got["E3"] == Figure.count(1)


def test_owners_committee_formation_skips_dissolved_committees(structure_world):
    got = figures("owners_committee_formation", structure_world)
    assert got["S"] == rate(3, 5)
    assert got["C1"] == rate(3, 3) and got["C2"] == rate(0, 2)
    assert figures("owners_committee_formation", structure_world, datetime.date(2024, 12, 31))["C2"] == rate(1, 2)
    # K3 was founded on 2024-01-01: the day before, it did not exist yet.
    assert figures("owners_committee_formation", structure_world, datetime.date(2023, 12, 31))["E3"] == rate(0, 1)


def test_red_committees_need_more_than_half_and_ignore_ended_members(structure_world):
    got = figures("red_owners_committees", structure_world)
    # K1: 2 party members of 3 → red. K2: 2 of 4, exactly half → not red. K3: chair and a member
    # ended on 2025-03-01; the one current member is a party member → red.
    assert got["S"] == rate(2, 3) and got["S"].value == Decimal("66.7")
    assert got["E1"] == rate(1, 1)
    assert got["E2"] == rate(0, 1)
    assert got["E3"] == rate(1, 1)
    assert got["E4"] == rate(0, 0) and got["E4"].value is None
    # While K3's chair P9 (party) and P11 (not) were in office: 2 of 3 → still red.
    assert figures("red_owners_committees", structure_world, datetime.date(2025, 2, 28))["E3"] == rate(1, 1)


def test_dual_chairs_need_the_same_person_in_both_posts(structure_world):
    got = figures("dual_chairs", structure_world)
    assert got["S"] == rate(1, 3) and got["S"].value == Decimal("33.3")
    assert got["E1"] == rate(1, 1) and got["E2"] == rate(0, 1) and got["E3"] == rate(0, 1)


def test_cross_appointments_count_people_in_two_of_the_three_parties(structure_world):
    got = figures("cross_appointments", structure_world)
    # P1 (branch + committee at E1), P3 (committee + company at E1), P8 (branch B2 + company X1 at
    # E3). P5's branch membership ended, so P5 is only on K2.
    assert got["S"] == Figure.count(3)
    assert got["C1"] == Figure.count(3) and got["C2"] == Figure.count(0)
    assert got["E1"] == Figure.count(2) and got["E2"] == Figure.count(0) and got["E3"] == Figure.count(1)
    # The day after, X1 no longer serves E3: P8 is no longer cross-appointed.
    assert figures("cross_appointments", structure_world, datetime.date(2025, 7, 1))["S"] == Figure.count(2)


def test_community_members_on_committees(structure_world):
    got = figures("community_members_on_committees", structure_world)
    # P2 is a community worker and on K1; P6's community post ended on D (not held on D).
    assert got["S"] == Figure.count(1) and got["E1"] == Figure.count(1) and got["E2"] == Figure.count(0)
    assert figures("community_members_on_committees", structure_world, D - datetime.timedelta(days=1))[
        "S"
    ] == Figure.count(2)
    # From 2025-07-01 P4, K2's chair, is a part-time member of the community party committee:
    # part-time members are not "two committees" members, so P4 does not count.
    assert figures("community_members_on_committees", structure_world, datetime.date(2025, 7, 1))["S"] == Figure.count(
        1
    )


def test_part_time_members_only_above_the_estate(structure_world):
    got = figures("part_time_members", structure_world)
    assert got["S"] == Figure.count(1) and got["C1"] == Figure.count(1) and got["C2"] == Figure.count(0)
    assert got["E1"].value is None
    assert figures("part_time_members", structure_world, datetime.date(2025, 7, 1))["C1"] == Figure.count(2)
    assert REGISTRY["part_time_members"].applies_to("community")
    assert not REGISTRY["part_time_members"].applies_to("estate")


def test_property_service_coverage_reads_contract_dates(structure_world):
    got = figures("property_service_coverage", structure_world)
    # E1, E3 (its contract's last day is D) and E5; E2's contract starts the day after D.
    assert got["S"] == rate(3, 5)
    assert got["E2"] == rate(0, 1) and got["E3"] == rate(1, 1)
    after = figures("property_service_coverage", structure_world, datetime.date(2025, 7, 1))
    assert after["E2"] == rate(1, 1) and after["E3"] == rate(0, 1) and after["S"] == rate(3, 5)


def test_companies_with_party_org_count_companies_serving_the_place(structure_world):
    got = figures("companies_with_party_org", structure_world)
    # X1 (party org) serves E1 and E3; X2 (none) serves E5 only (E2 from the day after).
    assert got["S"] == rate(1, 2)
    assert got["C1"] == rate(1, 1) and got["C2"] == rate(0, 1)
    assert got["E2"] == rate(0, 0)
    assert figures("companies_with_party_org", structure_world, datetime.date(2025, 7, 1))["C1"] == rate(1, 2)


def test_party_check_ins_count_current_check_ins(structure_world):
    got = figures("party_check_ins", structure_world)
    assert got["S"] == Figure.count(1) and got["E2"] == Figure.count(1) and got["E1"] == Figure.count(0)
    assert figures("party_check_ins", structure_world, datetime.date(2025, 7, 1))["S"] == Figure.count(2)


def test_grid_party_members_count_party_members_only(structure_world):
    got = figures("grid_party_members", structure_world)
    # P13 (grid worker, party) in E1's building, P10 (building head, party) in E3; P6 is no party member.
    assert got["S"] == Figure.count(2)
    assert got["E1"] == Figure.count(1) and got["E3"] == Figure.count(1) and got["C2"] == Figure.count(0)


def test_volunteer_supervisors_and_their_coverage(structure_world):
    got = figures("volunteer_supervisors", structure_world)
    assert got["S"] == Figure.count(2) and got["E4"] == Figure.count(1)
    coverage = figures("supervisor_coverage", structure_world)
    assert coverage["S"] == rate(2, 5) and coverage["C2"] == rate(1, 2)
    assert figures("volunteer_supervisors", structure_world, datetime.date(2025, 5, 31))["E4"] == Figure.count(2)


def test_compute_is_compute_many_for_one_place(structure_world):
    indicator = REGISTRY["party_branch_coverage"]
    assert indicator.compute(structure_world.c1, Period.day(D)) == rate(3, 3)


def test_no_places_no_queries(structure_world):
    for key in STRUCTURE_KEYS:
        assert REGISTRY[key].compute_many([], Period.day(D)) == {}


@pytest.mark.parametrize("key", STRUCTURE_KEYS)
def test_query_count_does_not_grow_with_the_places(structure_world, key):
    indicator = REGISTRY[key]
    one = [structure_world.subdistrict]
    many = [structure_world.subdistrict, structure_world.c1, structure_world.c2, *structure_world.estates.values()]
    with CaptureQueriesContext(connection) as few:
        indicator.compute_many(one, Period.day(D))
    with CaptureQueriesContext(connection) as more:
        indicator.compute_many(many, Period.day(D))
    assert len(few) == len(more)


def test_shared_facts_give_the_same_figures_with_fewer_queries(structure_world):
    from gongzhi.indicators.scope import shared_facts

    places = [structure_world.subdistrict, structure_world.c1, structure_world.c2, *structure_world.estates.values()]
    period = Period.day(D)
    with CaptureQueriesContext(connection) as alone:
        separately = {key: REGISTRY[key].compute_many(places, period) for key in STRUCTURE_KEYS}
    with CaptureQueriesContext(connection) as together, shared_facts():
        shared = {key: REGISTRY[key].compute_many(places, period) for key in STRUCTURE_KEYS}
    assert shared == separately
    assert len(together) < len(alone)
    # Another day inside the same block is not mixed up with the first.
    with shared_facts():
        first = REGISTRY["property_service_coverage"].compute(structure_world.estates["E2"], period)
        later = REGISTRY["property_service_coverage"].compute(
            structure_world.estates["E2"], Period.day(datetime.date(2025, 7, 1))
        )
    assert first == rate(0, 1) and later == rate(1, 1)
