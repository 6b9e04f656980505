"""Owners on the frozen roll are told when voting opens and of the result when it closes: in the
in-app inbox and on every configured channel (through the outbox), once each, in bulk."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.periodic import run_all
from gongzhi.elections import services
from gongzhi.elections.models import RollMember, Vote
from gongzhi.notifications.models import Notification, OutboxMessage
from gongzhi.notifications.senders import SmsSender
from gongzhi.notifications.services import outbox_deliver_due

pytestmark = pytest.mark.django_db

SENT: list[tuple[str, str]] = []


class RecordingSms(SmsSender):
    """An SMS gateway as a deployment writes one; this one keeps what it sends."""

    def send_text(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


@pytest.fixture
def sms(settings):
    settings.GONGZHI_NOTIFICATION_SENDERS = {"sms": {"BACKEND": "gongzhi.elections.tests.test_notices.RecordingSms"}}
    SENT.clear()
    return SENT


def roll_user_ids(vote):
    return set(
        RollMember.objects.filter(vote=vote, person__user__isnull=False).values_list("person__user_id", flat=True)
    )


def draft(world, title="加装电梯方案", matter="other", **fields):
    now = timezone.now()
    return services.vote_create(
        estate=world.estate,
        title=title,
        matter=matter,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=7),
        acting_user=world.users["committee_chair"],
        **fields,
    )


def open_now(world, vote):
    return services.vote_open(
        vote=vote, acting_user=world.users["committee_chair"], now=timezone.now() - datetime.timedelta(days=20)
    )


def test_opening_tells_every_owner_on_the_roll_once(world, make_owner, sms):
    extra = [make_owner() for _ in range(3)]
    vote = open_now(world, draft(world))
    owners = roll_user_ids(vote)
    assert {p.user_id for p in extra} <= owners
    inbox = Notification.objects.filter(kind="vote_opening")
    assert sorted(inbox.values_list("user_id", flat=True)) == sorted(owners)
    # Not the steward or the community worker: they are not owners on the roll.
    assert world.users["steward"].id not in owners and world.users["community_worker"].id not in owners
    message = inbox.get(user=extra[0].user)
    assert "加装电梯方案" in message.title and "开始" in message.title
    assert message.url == f"/elections/votes/{vote.id}/"
    assert "线上投票" in message.body and "共有人按一人计算" in message.body
    # Every owner with a phone number gets an SMS through the outbox, delivered later.
    queued = OutboxMessage.objects.filter(notification__kind="vote_opening", channel="sms")
    assert queued.count() == sum(1 for u in owners if world_user(u).person.phone)
    outbox_deliver_due(now=timezone.now())
    assert (extra[0].phone, f"{message.title}：{message.body}") in sms
    # Opening again is refused and tells nobody anything; the periodic job has nothing to do.
    before = Notification.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(Exception, match="已冻结"):
        open_now(world, vote)
    assert services.vote_owners_notify(vote=vote, notice=services.NOTICE_OPENING) == 0
    assert run_all(timezone.now(), only="elections.vote_notices") == {"elections.vote_notices": 0}
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == before


def world_user(user_id):
    from gongzhi.accounts.models import User

    return User.objects.select_related("person").get(pk=user_id)


def test_closing_tells_every_owner_the_result_once(world, sms):
    vote = open_now(world, draft(world, title="续聘物业"))
    owners = roll_user_ids(vote)
    for persona in ("resident", "building_head", "committee_chair"):
        services.ballot_cast(vote=vote, acting_user=world.users[persona], choice="yes")
    services.vote_close(vote=vote, acting_user=world.users["committee_chair"], note="全部业主已表决")
    results = Notification.objects.filter(kind="vote_result")
    assert set(results.values_list("user_id", flat=True)) == owners and results.count() == len(owners)
    notice = results.first()
    vote.refresh_from_db()
    assert "续聘物业" in notice.title and "结果" in notice.title
    assert notice.body.startswith("表决通过" if vote.passed else "表决未通过")
    assert vote.result["participation_owners"]["percent"] in notice.body
    # A periodic re-run or a second call tells nobody twice.
    assert services.vote_owners_notify(vote=vote, notice=services.NOTICE_RESULT) == 0
    assert run_all(timezone.now(), only="elections.vote_notices") == {"elections.vote_notices": 0}
    assert Notification.objects.filter(kind="vote_result").count() == len(owners)
    assert Notification.objects.filter(kind="vote_opening").count() == len(owners)


def test_a_vote_opened_before_owners_were_told_is_caught_up_by_the_periodic_job(world):
    vote = open_now(world, draft(world))
    owners = roll_user_ids(vote)
    # The state a vote opened before this feature is in (the migration leaves open votes unmarked).
    Notification.objects.filter(kind="vote_opening").delete()
    Vote.objects.filter(pk=vote.pk).update(opening_notified_at=None)
    assert run_all(timezone.now(), only="elections.vote_notices") == {"elections.vote_notices": len(owners)}
    assert run_all(timezone.now(), only="elections.vote_notices") == {"elections.vote_notices": 0}
    assert Notification.objects.filter(kind="vote_opening").count() == len(owners)


def test_a_draft_vote_tells_nobody(world):
    vote = draft(world)
    assert services.vote_owners_notify(vote=vote, notice=services.NOTICE_OPENING) == 0
    assert run_all(timezone.now(), only="elections.vote_notices") == {"elections.vote_notices": 0}
    assert not Notification.objects.filter(kind__startswith="vote_").exists()


def test_opening_takes_the_same_number_of_queries_for_more_owners(world, make_owner, sms):
    def queries_to_open(title):
        vote = draft(world, title=title)
        with CaptureQueriesContext(connection) as captured:
            open_now(world, vote)
        return len(captured), Notification.objects.filter(kind="vote_opening", title__contains=title).count()

    few = queries_to_open("第一次表决")
    for _ in range(12):
        make_owner()
    many = queries_to_open("第二次表决")
    assert many[1] == few[1] + 12
    assert many[0] == few[0]
