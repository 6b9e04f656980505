"""The figures this app declares, computed from the records a user would check."""

import pytest
from django.utils import timezone

from gongzhi.accounts import services as people
from gongzhi.elections import services
from gongzhi.indicators.registry import REGISTRY, Period

pytestmark = pytest.mark.django_db


def test_votes_held_turnout_and_passed(world, open_vote, django_assert_max_num_queries):
    vote = open_vote()
    for persona in ("resident", "building_head", "committee_chair", "branch_secretary"):
        services.ballot_cast(vote=vote, acting_user=world.users[persona], choice="yes")
    services.vote_close(vote=vote, acting_user=world.users["committee_chair"], note="测试")
    today = timezone.localdate()
    period = Period(today.replace(day=1), Period.month(today.year, today.month).end)
    places = [world.subdistrict, world.community, world.estate, world.other_estate]
    held = REGISTRY["elections.votes_held"].compute_many(places, period)
    assert held[world.estate.id].value == 1 and held[world.subdistrict.id].value == 1
    assert held[world.other_estate.id].value == 0
    turnout = REGISTRY["elections.vote_turnout"].compute_many(places, period)
    assert (turnout[world.estate.id].numerator, turnout[world.estate.id].denominator) == (4, 6)
    assert turnout[world.other_estate.id].value is None
    assert REGISTRY["elections.votes_passed"].compute_many(places, period)[world.community.id].value == 1
    # A fixed number of queries whatever the number of places.
    for key in ("elections.votes_held", "elections.vote_turnout", "elections.committee_party_members"):
        with django_assert_max_num_queries(3):
            REGISTRY[key].compute_many(places, period)


def test_party_members_among_committee_members(world):
    # The world's committee: its chair (a party member). Add two members, one a party member.
    people.appointment_create(
        person=world.person("resident"),
        post="committee_member",
        organization=world.committee,
        starts_on=timezone.localdate(),
    )
    people.appointment_create(
        person=world.person("building_head"),
        post="committee_member",
        organization=world.committee,
        starts_on=timezone.localdate(),
    )
    figure = REGISTRY["elections.committee_party_members"].compute(world.subdistrict, Period.day(timezone.localdate()))
    assert (figure.numerator, figure.denominator) == (2, 3)


def test_not_declared_twice():
    # Formation, red committees and dual chairs belong to the structure indicators.
    assert "owners_committee_formation" in REGISTRY and "red_owners_committees" in REGISTRY
    assert not [
        k for k in REGISTRY if k.startswith("elections.") and ("red" in k or "dual" in k or "formation_rate" in k)
    ]
