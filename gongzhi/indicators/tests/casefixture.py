"""A random case ledger written straight into the tables (cases, their events), for comparing the
roll-ups with the figures recomputed from the raw records."""

import datetime
import random

from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent, CaseState, Category, EventKind
from gongzhi.orgs.models import Organization

STATES = [s for s, _label in CaseState.choices]
RATINGS = ["satisfied", "basically_satisfied", "dissatisfied", ""]


def random_cases(estates, *, count=150, seed=7, first=datetime.date(2025, 1, 1), days=200) -> list[Case]:
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    categories = list(Category.objects.all()[:6]) or [Category.objects.create(code="misc", name="其他")]
    companies = list(Organization.objects.all()[:4])
    cases = []
    for n in range(count):
        created = datetime.datetime.combine(first, datetime.time(), tzinfo=tz) + datetime.timedelta(
            days=rng.randrange(days), hours=rng.choice([0, 1, 8, 15, 23]), minutes=rng.randrange(60)
        )
        deadline = created + datetime.timedelta(days=rng.choice([1, 3, 5])) if rng.random() < 0.85 else None
        resolved = created + datetime.timedelta(hours=rng.randrange(1, 200)) if rng.random() < 0.7 else None
        case = Case.objects.create(
            number=f"R{seed:02d}{n:06d}",
            estate=rng.choice(estates),
            title=f"随机诉求{n}",
            description="随机生成",
            category=rng.choice([*categories, None]),
            responsible=rng.choice([*companies, None]) if companies else None,
            state=rng.choice(STATES),
            created_at=created,
            deadline=deadline,
            resolved_at=resolved,
            is_overdue=rng.random() < 0.2,
            contact_name="张三",
            contact_phone="13800001111",
        )
        at = created
        events = [CaseEvent(case=case, kind=EventKind.CREATED, at=at)]
        for _step in range(rng.randrange(0, 7)):
            at = at + datetime.timedelta(hours=rng.choice([0, 1, 5, 23, 24, 25, 60]))
            kind = rng.choice(
                [
                    EventKind.DISPATCHED,
                    EventKind.TRANSFERRED,
                    EventKind.SIGNED,
                    EventKind.REPLIED,
                    EventKind.RESOLVED,
                    EventKind.REVIEWED,
                    EventKind.REOPENED,
                ]
            )
            review = kind == EventKind.REVIEWED
            events.append(
                CaseEvent(
                    case=case,
                    kind=kind,
                    at=at,
                    rating=rng.choice(RATINGS) if review else "",
                    solved=rng.choice([True, False, None]) if review else None,
                )
            )
        CaseEvent.objects.bulk_create(events)
        cases.append(case)
    return cases
