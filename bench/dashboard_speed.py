"""What the subdistrict and community dashboards cost with every area's records, as cases grow.

Run:

    .venv/bin/python bench/dashboard_speed.py
    .venv/bin/python bench/dashboard_speed.py --cases 20000 --multiples 1,4,16 --renders 20
    # measure the dashboards again on the database already built (no build):
    .venv/bin/python bench/dashboard_speed.py --measure-only

The database (``--database``, default ``gz_dash`` on the local PostgreSQL; ``DATABASE_URL`` wins if
set) is dropped, created and migrated. It then builds one subdistrict of ``--communities`` (10)
communities with ``--estates`` (10) estates each, with the structure of the demo builder (party
branches, owners' committees, property companies, supervisors, check-ins, grid workers), and the
records of every other area over 2024–2025: meetings with their attendance and topics, surveys,
the oversight ledger, a fund with its entries, micro-projects and micro-wishes, volunteer teams,
service events and participations. Cases (with their dispatch, reply and review events) are
written inside PostgreSQL (``INSERT … SELECT`` over ``generate_series``), ``--cases`` × each
multiple, and the case roll-ups rebuilt.

For each size it prints, for the subdistrict dashboard (100 estates in its table) and a community
dashboard (10 estates), p50 / p95 over ``--renders`` renders (Django test client, full middleware
and templates, as the subdistrict administrator, period = the year 2025, each area's table and
trend in turn), the queries, the CPU time and the time waiting for the database per render; the
first ("cold") render after records changed; and the same dashboards with the stored figures
switched off (every indicator computed live).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database: str) -> None:
    url = os.environ.get("DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    name = url.rsplit("/", 1)[1]
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_structure(communities: int, estates: int):
    from gongzhi.demo.builder import CompanySpec, EstateSpec, build_subdistrict

    companies = [CompanySpec(f"物业公司{n}", n % 3 != 0) for n in range(8)]
    rng = random.Random(3)
    specs = {
        f"第{c + 1}社区": [
            EstateSpec(
                name=f"{c + 1}-{n + 1}小区",
                buildings=4,
                flats_per_building=30,
                branch=rng.random() < 0.9,
                committee_size=rng.choice([0, 5, 7, 7, 9]),
                committee_party=rng.randrange(0, 6),
                dual_chair=rng.random() < 0.4,
                company=rng.choice(companies).name if rng.random() < 0.9 else "",
                supervisors=rng.randrange(0, 3),
                check_ins=rng.randrange(0, 8),
                grid_party_members=rng.randrange(0, 3),
                community_member_on_committee=rng.random() < 0.3,
            )
            for n in range(estates)
        ]
        for c in range(communities)
    }
    return build_subdistrict(
        name="测试街道",
        subdistrict_kind="street",
        communities=specs,
        companies=companies,
        start=datetime.date(2023, 1, 1),
    )


def build_records(built, user, rng) -> dict:
    """Two years of records of every area other than cases, in bulk."""
    from django.utils import timezone

    from gongzhi.accounts.models import Person
    from gongzhi.funds.models import Fund, FundEntry, MicroProject, MicroWish
    from gongzhi.meetings.models import Attendance, Meeting, Topic
    from gongzhi.oversight.models import LedgerItem, Survey
    from gongzhi.volunteers.models import Participation, ServiceEvent, VolunteerTeam

    tz = timezone.get_current_timezone()
    first = datetime.date(2024, 1, 1)
    estates = list(built.estates.values())
    communities = list(built.communities.values())
    people = list(Person.objects.all()[:400])

    def moment(days=730):
        day = first + datetime.timedelta(days=rng.randrange(days))
        return datetime.datetime.combine(day, datetime.time(rng.choice([9, 10, 15, 19])), tzinfo=tz)

    kinds = ["three_party", "four_party", "joint_day", "open_day", "neighbourhood"]
    parties = ["branch", "committee", "company", "community", "building_head", "grid_worker", "resident_representative"]
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                place=rng.choice(estates) if rng.random() < 0.85 else rng.choice(communities),
                kind=rng.choice(kinds),
                title=f"议事会{n}",
                starts_at=moment(),
                location="党群服务站",
                is_ad_hoc=rng.random() < 0.15,
                status="closed" if rng.random() < 0.9 else rng.choice(["planned", "cancelled"]),
            )
            for n in range(len(estates) * 24)
        ],
        batch_size=2000,
    )
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, party=rng.choice(parties), name=f"参会人{i}")
            for meeting in meetings
            for i in range(rng.randrange(4, 12))
        ],
        batch_size=5000,
    )
    topics = Topic.objects.bulk_create(
        [
            Topic(estate=rng.choice(estates), title=f"议题{n}", source=rng.choice(["resident", "case", "supervisor"]))
            for n in range(len(estates) * 12)
        ],
        batch_size=2000,
    )
    for topic in topics:
        topic.created_at = moment()
    Topic.objects.bulk_update(topics, ["created_at"], batch_size=2000)
    for community in communities:
        for quarter in range(8):
            opens = datetime.datetime(2024 + quarter // 4, quarter % 4 * 3 + 1, 5, tzinfo=tz)
            Survey.objects.create(
                title=f"满意度测评{quarter}",
                place=community,
                status="published",
                opens_at=opens,
                closes_at=opens + datetime.timedelta(days=20),
                created_by=user,
            )
    items = []
    for n in range(len(estates) * 10):
        created = moment()
        state = rng.choice(["open", "rectified", "signed_off", "signed_off"])
        items.append(
            LedgerItem(
                estate=rng.choice(estates),
                number=n + 1,
                source=rng.choice(["inspection", "survey", "assessment"]),
                title=f"问题{n}",
                deadline=(created + datetime.timedelta(days=rng.choice([7, 15, 30]))).date(),
                state=state,
                created_at=created,
                signed_off_at=created + datetime.timedelta(days=rng.randrange(2, 40))
                if state == "signed_off"
                else None,
            )
        )
    LedgerItem.objects.bulk_create(items, batch_size=2000)
    fund = Fund.objects.create(place=built.subdistrict, name="美好家园基金", description="")
    FundEntry.objects.bulk_create(
        [
            FundEntry(
                fund=fund,
                kind=rng.choice(["contribution", "contribution", "grant"]),
                amount=Decimal(rng.randrange(500, 50000)),
                on_date=moment().date(),
                source=rng.choice(["government", "company", "resident", "shop"]),
                counterparty="捐赠方",
                purpose="小区微改造",
                estate=rng.choice(estates),
                evidence="",
                created_by=user,
            )
            for _n in range(len(estates) * 8)
        ],
        batch_size=2000,
    )
    projects = []
    for n in range(len(estates) * 12):
        month = datetime.date(2024 + n % 2, rng.randrange(1, 13), 1)
        done = rng.random() < 0.7
        projects.append(
            MicroProject(
                estate=rng.choice(estates),
                month=month,
                title=f"微实事{n}",
                status="done" if done else "planned",
                done_on=month + datetime.timedelta(days=rng.randrange(0, 45)) if done else None,
                photo="funds/bench.jpg",
                created_by=user,
            )
        )
    MicroProject.objects.bulk_create(projects, batch_size=2000)
    wishes = []
    for n in range(len(estates) * 6):
        posted = moment()
        status = rng.choice(["approved", "claimed", "fulfilled", "fulfilled"])
        wishes.append(
            MicroWish(
                estate=rng.choice(estates),
                poster=rng.choice(people),
                title=f"微心愿{n}",
                status=status,
                claimed_at=posted + datetime.timedelta(days=2) if status in ("claimed", "fulfilled") else None,
                fulfilled_at=posted + datetime.timedelta(days=8) if status == "fulfilled" else None,
                photo="funds/bench.jpg",
            )
        )
    MicroWish.objects.bulk_create(wishes, batch_size=2000)
    MicroWish.objects.filter(pk__in=[w.pk for w in wishes]).update(created_at=moment())
    teams = VolunteerTeam.objects.bulk_create(
        [VolunteerTeam(place=estate, name=f"{estate.name}志愿队") for estate in estates]
    )
    events = ServiceEvent.objects.bulk_create(
        [
            ServiceEvent(
                team=team,
                estate=team.place,
                title=f"志愿服务{n}",
                on_date=moment().date(),
                hours=Decimal(rng.choice(["1.0", "2.0", "3.0"])),
                created_by=user,
            )
            for team in teams
            for n in range(20)
        ],
        batch_size=2000,
    )
    Participation.objects.bulk_create(
        [
            Participation(event=event, person=person, hours=event.hours)
            for event in events
            for person in rng.sample(people, k=min(len(people), rng.randrange(2, 8)))
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    return {
        "meetings": len(meetings),
        "topics": len(topics),
        "ledger items": len(items),
        "micro-projects": len(projects),
        "wishes": len(wishes),
        "service events": len(events),
    }


CASES_SQL = """
WITH estates AS (SELECT array_agg(id ORDER BY id) AS ids FROM places_place WHERE kind = 'estate'),
made AS (
  INSERT INTO cases_case (number, estate_id, address, title, description, channel, state, urgency,
    deadline, is_anonymous, contact_name, contact_phone, on_agenda, source_kind, created_at, dispatched_at,
    responded_at, resolved_at, closed_at, is_overdue, escalation_level, rework_count, rating, solved,
    closed_without_review, updated_at)
  SELECT 'B' || lpad(n::text, 9, '0'), ids[1 + (n::bigint * 7919) %% array_length(ids, 1)], '', '楼道灯不亮', '',
    'app', 'reviewed', 'normal', t + interval '3 days', false, '', '', false, '', t, t + interval '2 hours',
    t + interval '5 hours', t + ((n %% 97) || ' hours')::interval, t + interval '5 days', false, 0, 0,
    (ARRAY['satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied'])[1 + n %% 4], n %% 9 <> 0, false, t
  FROM estates, generate_series(%(first)s, %(last)s) AS n,
    LATERAL (SELECT timestamptz '2024-01-01 08:00+08' + ((n::bigint * 104729) %% 63072000) * interval '1 second' AS t) AS s
  RETURNING id, created_at
)
INSERT INTO cases_caseevent (case_id, kind, at, from_state, to_state, note, rating, data)
SELECT id, kind, created_at + delay, '', '', '', rating, '{}'::jsonb
FROM made, (VALUES ('dispatched', interval '2 hours', ''), ('replied', interval '5 hours', ''),
                   ('reviewed', interval '6 days', 'satisfied')) AS e(kind, delay, rating)
"""


def add_cases(first: int, count: int) -> None:
    from django.db import connection

    step = 50000
    with connection.cursor() as cursor:
        for start in range(first, first + count, step):
            cursor.execute(CASES_SQL, {"first": start, "last": min(first + count, start + step) - 1})
        cursor.execute("ANALYZE")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def render(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # the log keeps 9,000 queries; a rebuild before may have filled it
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    assert response.status_code == 200, (url, response.status_code)
    CPU.append(cpu)
    SQL.append(sum(float(query["time"]) for query in queries.captured_queries) * 1000)
    return elapsed, len(queries)


CPU: list[float] = []  # this process's CPU time per render (ms): what the render costs without the
# time spent waiting for a core on a shared machine (the database's own time is not in it)
SQL: list[float] = []  # time spent waiting for the database per render (ms)


def measure(client, urls, renders):
    """p50 / p95 over ``renders`` renders cycling through the urls; the queries of each; the
    medians of the CPU time and of the time waiting for the database."""
    times, counts = [], set()
    for url in urls:
        render(client, url)  # warm: the area's figures stored once
    CPU.clear()
    SQL.clear()
    for n in range(renders):
        elapsed, queries = render(client, urls[n % len(urls)])
        times.append(elapsed)
        counts.add(queries)
    return (
        statistics.median(times),
        percentile(times, 0.95),
        f"{min(counts)}–{max(counts)}",
        statistics.median(CPU),
        statistics.median(SQL),
    )


AREAS = ["structure", "cases", "meetings", "evaluation", "elections", "money", "works", "volunteers"]


def urls_of(place):
    return [f"/dashboard/?place={place.id}&date=2025-12-31&area={area}" for area in AREAS]


def measure_only(args) -> None:
    """The dashboards measured again on the database as built (e.g. after a change of code)."""
    url = os.environ.get("DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from gongzhi.accounts.models import User
    from gongzhi.places.models import Place

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(username="bench_admin"))
    subdistrict = Place.objects.filter(kind="subdistrict").order_by("id").first()
    community = Place.objects.filter(kind="community", parent=subdistrict).order_by("id").first()
    estates = Place.objects.within(subdistrict).filter(kind="estate").count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    print(f"measuring on {args.database}: subdistrict of {estates} estates, {cases:,} cases")
    before = os.getloadavg()
    sub = measure(client, urls_of(subdistrict), args.renders)
    com = measure(client, urls_of(community), args.renders)
    after = os.getloadavg()
    for name, figures in (("subdistrict", sub), ("community", com)):
        print(
            f"{name:>11}: p50 {figures[0]:.0f} ms, p95 {figures[1]:.0f} ms; per render (medians) CPU "
            f"{figures[3]:.0f} ms, waiting for SQL {figures[4]:.0f} ms; queries {figures[2]}"
        )
    print(f"load average {before[0]:.1f}/{before[1]:.1f} → {after[0]:.1f}/{after[1]:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="gz_dash")
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--estates", type=int, default=10, help="per community")
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--multiples", default="1,4,16")
    parser.add_argument("--renders", type=int, default=24)
    parser.add_argument(
        "--measure-only", action="store_true", help="measure the dashboards on the database as it is (no build)"
    )
    args = parser.parse_args()
    if args.measure_only:
        measure_only(args)
        return
    setup(args.database)

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from gongzhi.indicators import rollups, store

    settings.ALLOWED_HOSTS = ["*"]
    rng = random.Random(8)
    started = time.perf_counter()
    built = build_structure(args.communities, args.estates)
    admin = _admin(built.subdistrict)
    made = build_records(built, admin, rng)
    print(
        f"subdistrict: {len(built.communities)} communities, {len(built.estates)} estates; records: "
        + ", ".join(f"{v} {k}" for k, v in made.items())
        + f" ({time.perf_counter() - started:.1f}s)"
    )
    client = Client()
    client.force_login(admin)
    community = next(iter(built.communities.values()))
    urls = urls_of

    started = time.perf_counter()
    computed = store.precompute(timezone.now().replace(year=2026, month=1, day=15), months=12)
    print(
        f"periodic job: {computed} figures of 2025's months stored in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    print(
        f"{'cases':>8} | {'sub p50':>8} {'p95':>7} {'cpu p50':>7} {'queries':>8} {'cold':>7} | {'com p50':>8} "
        f"{'p95':>7} {'cpu p50':>7} {'queries':>8} | {'live sub p50':>12} {'queries':>8}"
    )
    total = 0
    for multiple in [int(m) for m in args.multiples.split(",")]:
        target = args.cases * multiple
        add_cases(total, target - total)
        total = target
        rollups.refresh(full=True)
        # A record changes (a meeting is held): the next render recomputes what it read.
        from gongzhi.meetings.models import Meeting

        Meeting.objects.filter(pk=Meeting.objects.order_by("pk").values("pk")[:1]).update(title="已更新")
        cold, _q = render(client, urls(built.subdistrict)[2])
        sub = measure(client, urls(built.subdistrict), args.renders)
        com = measure(client, urls(community), args.renders)
        settings.GONGZHI["INDICATOR_STORE"] = False
        live = measure(client, urls(built.subdistrict)[:2], max(4, args.renders // 4))
        settings.GONGZHI["INDICATOR_STORE"] = True
        print(
            f"{total:>8} | {sub[0]:>6.0f}ms {sub[1]:>5.0f}ms {sub[3]:>5.0f}ms {sub[2]:>8} {cold:>5.0f}ms | "
            f"{com[0]:>6.0f}ms {com[1]:>5.0f}ms {com[3]:>5.0f}ms {com[2]:>8} | {live[0]:>10.0f}ms {live[2]:>8}",
            flush=True,
        )
        print(
            f"  waiting for SQL per render (median): subdistrict {sub[4]:.0f} ms, community {com[4]:.0f} ms; "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    print(f"load average: {os.getloadavg()[0]:.1f}")


def _admin(subdistrict):
    """A subdistrict administrator: the post gives the dashboard of every place under it."""
    from gongzhi.accounts import services as people

    person = people.person_create(name="测试管理员", phone="13800000000", is_party_member=True)
    user = people.user_create_for_person(person=person, username="bench_admin", password="bench-pw-1234")
    people.appointment_create(
        person=person, post="subdistrict_admin", place=subdistrict, starts_on=datetime.date(2020, 1, 1)
    )
    return user


if __name__ == "__main__":
    main()
