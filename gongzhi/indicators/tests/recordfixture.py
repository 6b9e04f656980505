"""Random records of the areas other than cases (meetings with their attendance and topics, the
oversight ledger, micro-projects and wishes, volunteer service), written straight into the tables,
for comparing the stored figures with the figures recomputed from the raw records."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from gongzhi.funds.models import MicroProject, MicroWish
from gongzhi.meetings.models import Attendance, Meeting, Topic
from gongzhi.oversight.models import LedgerItem
from gongzhi.volunteers.models import Participation, ServiceEvent, VolunteerTeam

MEETING_KINDS = [k for k, _l in Meeting._meta.get_field("kind").choices]
MEETING_STATES = [k for k, _l in Meeting._meta.get_field("status").choices]
PARTIES = [k for k, _l in Attendance._meta.get_field("party").choices]
TOPIC_SOURCES = [k for k, _l in Topic._meta.get_field("source").choices]
LEDGER_STATES = [k for k, _l in LedgerItem._meta.get_field("state").choices]
LEDGER_SOURCES = [k for k, _l in LedgerItem._meta.get_field("source").choices]
WISH_STATES = [k for k, _l in MicroWish._meta.get_field("status").choices]


def _moment(rng, first: datetime.date, days: int) -> datetime.datetime:
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(first, datetime.time(), tzinfo=tz) + datetime.timedelta(
        days=rng.randrange(days), hours=rng.choice([0, 7, 15, 23]), minutes=rng.randrange(60)
    )


def random_records(estates, user, person, *, count=40, seed=7, first=datetime.date(2025, 1, 1), days=330) -> None:
    """About ``count`` records of each kind, spread over ``days`` days from ``first`` and over the
    estates (and their communities, for meetings)."""
    rng = random.Random(seed)
    places = [*estates, *{estate.parent for estate in estates if estate.parent}]
    for n in range(count):
        starts = _moment(rng, first, days)
        meeting = Meeting.objects.create(
            place=rng.choice(places),
            kind=rng.choice(MEETING_KINDS),
            title=f"随机会议{seed}-{n}",
            starts_at=starts,
            location="活动室",
            is_ad_hoc=rng.random() < 0.3,
            status=rng.choice(MEETING_STATES),
        )
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, party=rng.choice(PARTIES), name=f"参会{i}")
                for i in range(rng.randrange(0, 6))
            ]
        )
        topic = Topic.objects.create(
            estate=rng.choice(estates), title=f"随机议题{seed}-{n}", source=rng.choice(TOPIC_SOURCES)
        )
        Topic.objects.filter(pk=topic.pk).update(created_at=_moment(rng, first, days))
        state = rng.choice(LEDGER_STATES)
        created = _moment(rng, first, days)
        item = LedgerItem.objects.create(
            estate=rng.choice(estates),
            number=seed * 1000 + n,
            source=rng.choice(LEDGER_SOURCES),
            title=f"随机问题{n}",
            deadline=(created + datetime.timedelta(days=rng.choice([3, 10, 40]))).date(),
            state=state,
            signed_off_at=created + datetime.timedelta(days=rng.randrange(1, 30)) if state == "signed_off" else None,
        )
        LedgerItem.objects.filter(pk=item.pk).update(created_at=created)
        month = first.replace(month=rng.randrange(1, 12))
        done = rng.random() < 0.5
        MicroProject.objects.create(
            estate=rng.choice(estates),
            month=month,
            title=f"微实事{seed}-{n}",
            status="done" if done else rng.choice(["planned", "cancelled"]),
            done_on=month + datetime.timedelta(days=rng.randrange(0, 60)) if done else None,
            photo="funds/random.jpg",
            created_by=user,
        )
        wish_state = rng.choice(WISH_STATES)
        posted = _moment(rng, first, days)
        wish = MicroWish.objects.create(
            estate=rng.choice(estates),
            poster=person,
            title=f"微心愿{seed}-{n}",
            status=wish_state,
            claimed_at=posted + datetime.timedelta(days=3) if wish_state in ("claimed", "fulfilled") else None,
            fulfilled_at=posted + datetime.timedelta(days=9) if wish_state == "fulfilled" else None,
            photo="funds/random.jpg",
        )
        MicroWish.objects.filter(pk=wish.pk).update(created_at=posted)
    teams = [VolunteerTeam.objects.get_or_create(place=estate, name=f"志愿队{estate.pk}")[0] for estate in estates[:2]]
    for n in range(count // 2):
        event = ServiceEvent.objects.create(
            team=rng.choice(teams),
            estate=rng.choice(estates),
            title=f"志愿服务{seed}-{n}",
            on_date=_moment(rng, first, days).date(),
            hours=Decimal(rng.choice(["1.5", "2.0", "3.0"])),
            created_by=user,
        )
        if rng.random() < 0.7:
            Participation.objects.create(event=event, person=person, hours=event.hours)
