"""The estate's meeting page and the community's "upcoming meetings" page with a realistic load:
300 estates, two years of weekly three-party and monthly joint meetings (with agendas, attendance
and resolutions for the ones held), and 1,000,000 cases.

Run: .venv/bin/python bench/meetings_pages.py [--estates 300] [--cases 1000000] [--requests 200]

Builds a fresh database (SQLite in a temporary file unless DATABASE_URL is set, in which case a
``bench_…`` database is created next to it and dropped afterwards). Pages are requested in-process
through Django's test client as a signed-in community worker (middleware, permission checks,
template rendering included). Prints p50/p95 per page and the number of SQL queries each request
made (which must be the same for every estate and community). Fails if a p95 is 100 ms or more or
if a page's query count varies.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT_MS = 100.0
COMMUNITIES = 10


def configure_database() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = f"bench_meetings_{os.getpid()}"
        base, _, _ = url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/{name}"
        return name
    handle, path = tempfile.mkstemp(suffix=".sqlite3", prefix="gongzhi-bench-")
    os.close(handle)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return None


def build(estates_count: int, cases_count: int):
    from django.utils import timezone

    from gongzhi.accounts import services as people
    from gongzhi.cases.models import Case
    from gongzhi.meetings import schedule
    from gongzhi.meetings.models import (
        AgendaItem,
        Attendance,
        Meeting,
        MeetingSeries,
        MeetingStatus,
        Resolution,
        Topic,
    )
    from gongzhi.meetings.services import local_datetime
    from gongzhi.orgs import services as orgs
    from gongzhi.places import services as places

    started = time.perf_counter()
    subdistrict = places.place_create(kind="subdistrict", name="基准街道", parent=None)
    communities = [
        places.place_create(kind="community", name=f"基准{c + 1}社区", parent=subdistrict) for c in range(COMMUNITIES)
    ]
    residents_committee = orgs.organization_create(
        kind="residents_committee", name="基准1社区居委会", place=communities[0]
    )
    estates, companies = [], []
    for c, community in enumerate(communities):
        company = orgs.organization_create(kind="property_company", name=f"基准物业{c + 1}", place=subdistrict)
        companies.append(company)
        for e in range(estates_count // COMMUNITIES):
            estate = places.place_create(kind="estate", name=f"基准{c + 1}-{e + 1}小区", parent=community)
            orgs.contract_create(company=company, estate=estate, starts_on=datetime.date(2020, 1, 1))
            estates.append(estate)
    worker = people.person_create(name="基准社工", phone="13900000001")
    user = people.user_create_for_person(person=worker, username="bench-worker", password="bench-password-123")
    people.appointment_create(
        person=worker, post="community_worker", organization=residents_committee, starts_on=datetime.date(2020, 1, 1)
    )
    print(f"places: {len(communities)} communities, {len(estates)} estates ({time.perf_counter() - started:.1f} s)")

    # Two years of meetings: 21 months held, 3 months ahead, as the periodic job would have left them.
    started = time.perf_counter()
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=640)
    last_day = today + datetime.timedelta(days=90)
    series_rows = []
    for estate in estates:
        series_rows.append(
            MeetingSeries(
                place=estate,
                kind="three_party",
                title="三方联动议事会",
                frequency="weekly",
                weekday=0,
                holiday_rule="next_working_day",
                location="物业服务中心",
                expected_parties=["branch", "committee", "company"],
                starts_on=first_day,
            )
        )
        series_rows.append(
            MeetingSeries(
                place=estate,
                kind="joint_day",
                title="逢七联议",
                frequency="monthly",
                month_day=7,
                holiday_rule="next_working_day",
                location="邻里中心议事室",
                expected_parties=["branch", "committee", "company", "community"],
                starts_on=first_day,
            )
        )
    MeetingSeries.objects.bulk_create(series_rows, batch_size=2000)
    meetings = []
    for series in series_rows:
        for nominal, actual in schedule.occurrences(
            frequency=series.frequency,
            holiday_rule=series.holiday_rule,
            start=first_day,
            end=last_day,
            month_day=series.month_day,
            weekday=series.weekday,
        ):
            held = actual < today
            meetings.append(
                Meeting(
                    series=series,
                    nominal_date=nominal,
                    place_id=series.place_id,
                    kind=series.kind,
                    title=series.title,
                    starts_at=local_datetime(actual, datetime.time(19, 30)),
                    location=series.location,
                    expected_parties=series.expected_parties,
                    status=MeetingStatus.CLOSED if held else MeetingStatus.PLANNED,
                    closed_at=local_datetime(actual, datetime.time(21, 0)) if held else None,
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    held = [m for m in meetings if m.status == MeetingStatus.CLOSED]
    topics = [
        Topic(estate_id=m.place_id, title=f"议题{i}", source="resident", status="adopted", backer_count=i % 7)
        for i, m in enumerate(held)
    ]
    Topic.objects.bulk_create(topics, batch_size=5000)
    items = [
        AgendaItem(meeting=m, topic=t, answer="resolution" if i % 3 == 0 else "not_adopted", answer_reason="理由")
        for i, (m, t) in enumerate(zip(held, topics, strict=True))
    ]
    AgendaItem.objects.bulk_create(items, batch_size=5000)
    company_of = {estate.id: companies[i // (estates_count // COMMUNITIES)].id for i, estate in enumerate(estates)}
    Resolution.objects.bulk_create(
        [
            Resolution(
                item=item,
                responsible_id=company_of[item.meeting.place_id],
                action="落实",
                deadline=item.meeting.starts_at.date() + datetime.timedelta(days=14),
            )
            for item in items
            if item.answer == "resolution"
        ],
        batch_size=5000,
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=m, party=p, name=f"{p}代表") for m in held for p in ("branch", "committee", "company")],
        batch_size=10000,
    )
    # A few open topics per estate for the page's list.
    Topic.objects.bulk_create(
        [Topic(estate=e, title=f"待议{n}", source="resident", backer_count=n) for e in estates for n in range(5)],
        batch_size=5000,
    )
    print(
        f"meetings: {len(meetings):,} ({len(held):,} held with agenda, answers and attendance), "
        f"{Topic.objects.count():,} topics ({time.perf_counter() - started:.1f} s)"
    )

    started = time.perf_counter()
    insert_cases(Case, estates, cases_count)
    print(f"cases: {Case.objects.count():,} ({time.perf_counter() - started:.1f} s)")
    return user, estates, communities


def insert_cases(Case, estates, count: int) -> None:
    """A million cases as plain rows: one template case gives every column's database value and
    only the number, estate, state, time and agenda flag vary (model instances would take minutes)."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    template = Case(title="基准诉求", description="基准", channel="app", created_at=now, updated_at=now)
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    base = [f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields]
    columns = [f.column for f in fields]
    varying = {name: columns.index(name) for name in ("number", "estate_id", "state", "created_at", "on_agenda")}
    states = ["received", "dispatched", "signed", "resolved", "reviewed", "closed"]
    created_base = now - datetime.timedelta(days=730)
    created_field = Case._meta.get_field("created_at")
    # Table and column names come from the model's metadata, not from input.
    table = connection.ops.quote_name(Case._meta.db_table)
    sql = (
        f"INSERT INTO {table} "  # noqa: S608
        f"({', '.join(connection.ops.quote_name(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    batch_size = 20000
    with transaction.atomic(), connection.cursor() as cursor:
        for first in range(0, count, batch_size):
            rows = []
            for n in range(first, min(first + batch_size, count)):
                row = list(base)
                row[varying["number"]] = f"B{n:09d}"
                row[varying["estate_id"]] = estates[n % len(estates)].id
                row[varying["state"]] = states[n % len(states)]
                row[varying["created_at"]] = created_field.get_db_prep_save(
                    created_base + datetime.timedelta(seconds=n * 60), connection
                )
                row[varying["on_agenda"]] = n % 997 == 0
                rows.append(row)
            cursor.executemany(sql, rows)


def measure(client, urls: list[str], requests: int) -> tuple[list[float], set[int]]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    timings, cpu_timings, query_counts = [], [], set()
    for i in range(requests):
        url = urls[i % len(urls)]
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu_timings.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        query_counts.add(len(queries))
    return timings, cpu_timings, query_counts


def p95_of(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def report(name: str, timings: list[float], cpu_timings: list[float], query_counts: set[int]) -> bool:
    p95 = p95_of(timings)
    ok = p95 < LIMIT_MS and len(query_counts) == 1
    # CPU time of this process (with SQLite it includes the database work) shows how much of the
    # wall time was the machine being busy with other work.
    print(
        f"{name}: {len(timings)} requests, p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(timings):.1f} ms (CPU p95 {p95_of(cpu_timings):.1f} ms), "
        f"queries per request {sorted(query_counts)} -> {'OK' if ok else 'FAIL'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--estates", type=int, default=300)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    pg_name = configure_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("RATELIMIT_ENABLED", "false")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if pg_name:
        import psycopg

        admin = os.environ["DATABASE_URL"].rpartition("/")[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
    ok = False
    try:
        call_command("migrate", verbosity=0)
        user, estates, communities = build(args.estates, args.cases)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        from django.test import Client

        client = Client()
        client.force_login(user)
        print(f"database: {connection.vendor}")
        # The signed-in worker reaches the first community's estates; warm up once.
        community = communities[0]
        reachable = [e for e in estates if e.parent_id == community.id]
        random.seed(7)
        estate_urls = [f"/meetings/places/{e.id}/" for e in random.sample(reachable, min(20, len(reachable)))]
        client.get(estate_urls[0])
        client.get(f"/meetings/places/{community.id}/")
        ok_estate = report("estate meeting page", *measure(client, estate_urls, args.requests))
        ok_community = report(
            "community upcoming meetings", *measure(client, [f"/meetings/places/{community.id}/"], args.requests)
        )
        ok = ok_estate and ok_community
    finally:
        connection.close()
        if pg_name:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
        else:
            db_path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
            for suffix in ("", "-wal", "-shm"):
                Path(db_path + suffix).unlink(missing_ok=True)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
