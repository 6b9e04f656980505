import datetime
import itertools

import pytest
from django.utils import timezone

from gongzhi.accounts import services as people
from gongzhi.elections import services
from gongzhi.places import services as places
from gongzhi.testing import PASSWORD

_numbers = itertools.count(1)


@pytest.fixture
def make_owner(world):
    """A new owner (with a login) of a new flat in the world's estate."""

    def make(name=None, *, area="88.50", estate=None, party=False, flat=None, username=None):
        n = next(_numbers)
        if flat is None:
            building = world.buildings[0] if estate is None else estate.children.first()
            flat = places.flat_create(building=building, number=f"9{n:03d}", area_m2=area)
        person = people.person_create(name=name or f"业主{n}", phone=f"139{n:08d}", is_party_member=party)
        username = username or f"owner{n}"
        people.user_create_for_person(person=person, username=username, password=PASSWORD)
        people.ownership_add(person=person, flat=flat)
        return person

    return make


@pytest.fixture
def open_vote(world):
    """An opened vote of the world's estate whose window is running now (announced 20 days ago)."""

    def make(matter="other", *, title="加装电梯方案", user=None, closes_in_days=7, **fields):
        now = timezone.now()
        vote = services.vote_create(
            estate=world.estate,
            title=title,
            matter=matter,
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=closes_in_days),
            acting_user=user or world.users["committee_chair"],
            **fields,
        )
        return services.vote_open(
            vote=vote, acting_user=user or world.users["committee_chair"], now=now - datetime.timedelta(days=20)
        )

    return make
