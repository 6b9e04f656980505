import datetime

import pytest
from django.utils import timezone

from gongzhi.cases import services
from gongzhi.cases.models import Category


@pytest.fixture
def category(db):
    return Category.objects.get(code="repair")


@pytest.fixture
def report(world, category):
    """A resident's report through the service, as the phone form files it."""

    def make(persona="resident", **fields):
        values = {
            "estate": world.estate,
            "description": "3号楼电梯按钮失灵，老人上下楼不方便",
            "channel": "app",
            "category": category,
            "acting_user": world.users[persona],
        }
        values.update(fields)
        return services.case_create(**values)

    return make


@pytest.fixture
def dispatched(world, report):
    def make(**fields):
        case = report(**fields)
        return services.case_dispatch(case=case, acting_user=world.users["community_worker"], responsible=world.company)

    return make


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)
