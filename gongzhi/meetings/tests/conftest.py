import datetime

import pytest
from django.utils import timezone

from gongzhi.meetings import services


def local(day: datetime.date, hour: int = 19, minute: int = 30) -> datetime.datetime:
    return services.local_datetime(day, datetime.time(hour, minute))


@pytest.fixture
def secretary(world):
    return world.users["branch_secretary"]


@pytest.fixture
def ad_hoc(world, secretary):
    """An ad hoc meeting of 檀悦小区 in two hours, called by the branch secretary."""

    def make(place=None, **fields):
        values = {
            "place": place or world.estate,
            "title": "电梯故障临时议事",
            "reason": "3号楼电梯连续三天停运，需要三方商定抢修方案",
            "starts_at": timezone.now() + datetime.timedelta(hours=2),
            "location": "小区党群服务中心议事室",
            "acting_user": secretary,
        }
        values.update(fields)
        return services.meeting_call_ad_hoc(**values)

    return make


@pytest.fixture
def proposed(world):
    def make(persona="resident", title="电动车充电桩不够用", **fields):
        return services.topic_propose(
            estate=fields.pop("estate", world.estate),
            title=title,
            description=fields.pop("description", "晚上充电要排队，希望增设充电桩"),
            acting_user=world.users[persona],
        )

    return make


@pytest.fixture
def three_parties(world):
    """Attendance entries for the three parties of 檀悦小区."""
    return [
        {"party": "branch", "person": world.person("branch_secretary")},
        {"party": "committee", "person": world.person("committee_chair")},
        {"party": "company", "person": world.person("steward")},
    ]
