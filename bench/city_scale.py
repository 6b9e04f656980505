"""A city's worth of data on PostgreSQL, and what the dashboards cost as the number of cases grows.

Run (defaults finish in a few minutes on a small machine):

    .venv/bin/python bench/city_scale.py
    .venv/bin/python bench/city_scale.py --subdistricts 2 --estates 10 --cases 50000 --multiples 1,4,16
    # the city of the issue (5,000 estates, 2,500,000 flats, 20,000,000 cases, 300,000 meetings),
    # on a large machine:
    .venv/bin/python bench/city_scale.py --subdistricts 100 --communities 10 --estates 5 \
        --flats 500 --cases 1250000 --meetings 300000 --multiples 1,16

The database (``--database``, default ``gz_city`` on the local PostgreSQL; ``DATABASE_URL`` wins if
set) is dropped and created afresh, migrated, then filled by bulk load: places, flats, companies and
service contracts, meetings, cases and case events are written with COPY through psycopg (never row
by row through the ORM). The cases are spread over five years (2021–2025).

For each multiple of the base number of cases (1×, 4×, 16×: cases are added between measurements,
over the same years and estates, so only the density grows) it:

1. refreshes the roll-ups with the periodic job (``indicators.refresh_rollups``) and prints its time;
2. renders the subdistrict and the community dashboards (Django test client, full middleware and
   templates, every registered indicator) ``--renders`` times as the subdistrict administrator and
   prints p50/p95 and the number of queries per render;
3. renders the subdistrict dashboard a few times with the roll-ups switched off (the naive path,
   reading the case ledger) for comparison;
4. times the subdistrict's quarterly report (build and Excel).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = datetime.date(2021, 1, 1)
DAYS = 5 * 365
CATEGORY_COUNT = 8


def setup(database: str) -> None:
    import psycopg

    url = os.environ.get("DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/{database}"
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def raw():
    """The psycopg connection under Django's."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


def copy(table: str, columns: list[str], rows) -> int:
    count = 0
    with raw().cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
            for row in rows:
                out.write_row(row)
                count += 1
    return count


def reset_sequence(table: str) -> None:
    with raw().cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
        )


def analyze() -> None:
    with raw().cursor() as cursor:
        cursor.execute("ANALYZE")


def build_places(args):
    """District → subdistricts → communities → estates → buildings, flats. Returns the estates'
    ids grouped by subdistrict and the first subdistrict/community ids."""
    now = datetime.datetime.now(datetime.UTC)
    rows = []
    next_id = 1

    def place(kind, name, parent, path, depth, sub_kind="", estate_kind=""):
        nonlocal next_id
        pid = next_id
        next_id += 1
        full = f"{path}{pid}/"
        rows.append((pid, kind, parent, name, "", full, depth, sub_kind, estate_kind, "", "", True, now))
        return pid, full

    district, dpath = place("district", "示范区", None, "/", 0)
    estates, buildings = [], []
    subdistricts, communities = [], []
    for s in range(args.subdistricts):
        sid, spath = place("subdistrict", f"第{s + 1}街道", district, dpath, 1, "street")
        subdistricts.append(sid)
        for c in range(args.communities):
            cid, cpath = place("community", f"{s + 1}-{c + 1}社区", sid, spath, 2)
            communities.append(cid)
            for e in range(args.estates):
                eid, epath = place("estate", f"{s + 1}-{c + 1}-{e + 1}小区", cid, cpath, 3, estate_kind="commodity")
                estates.append(eid)
                for b in range(args.buildings):
                    bid, _p = place("building", f"{b + 1}栋", eid, epath, 4)
                    buildings.append((bid, eid))
    copy(
        "places_place",
        [
            "id",
            "kind",
            "parent_id",
            "name",
            "code",
            "path",
            "depth",
            "subdistrict_kind",
            "estate_kind",
            "address",
            "theme",
            "is_active",
            "created_at",
        ],
        rows,
    )
    reset_sequence("places_place")
    per_building = max(1, args.flats // args.buildings)
    copy(
        "places_flat",
        ["number", "area_m2", "area_source", "delivery_status", "is_active", "building_id", "estate_id"],
        (
            (f"{n // 100 + 1}{n % 100 + 1:02d}", "89.50", "contract", "delivered", True, bid, eid)
            for bid, eid in buildings
            for n in range(per_building)
        ),
    )
    return subdistricts, communities, estates, len(buildings) * per_building


def build_orgs(subdistrict_ids, estates):
    """Property companies (one per 20 estates) under contract, and the subdistrict administrator."""
    from gongzhi.accounts import services as people
    from gongzhi.cases.models import Category
    from gongzhi.orgs.models import Organization
    from gongzhi.places.models import Place

    companies = max(3, len(estates) // 20)
    copy(
        "orgs_organization",
        [
            "kind",
            "name",
            "branch_type",
            "has_party_org",
            "ownership",
            "credit_code",
            "department_kind",
            "contact_phone",
            "place_id",
        ],
        (
            ("property_company", f"物业公司{n + 1}", "", n % 2 == 0, "", "", "", "", subdistrict_ids[0])
            for n in range(companies)
        ),
    )
    company_ids = list(Organization.objects.filter(kind="property_company").values_list("id", flat=True))
    copy(
        "orgs_servicecontract",
        ["starts_on", "ends_on", "note", "company_id", "estate_id"],
        (
            (datetime.date(2020, 1, 1), None, "", company_ids[i % len(company_ids)], eid)
            for i, eid in enumerate(estates)
        ),
    )
    person = people.person_create(name="街道管理员", phone="13700000000")
    user = people.user_create_for_person(person=person, username="city_admin", password="bench-pass-1234")
    people.appointment_create(
        person=person,
        post="subdistrict_admin",
        place=Place.objects.get(pk=subdistrict_ids[0]),
        starts_on=datetime.date(2020, 1, 1),
    )
    categories = list(Category.objects.values_list("id", flat=True))
    for n in range(len(categories), CATEGORY_COUNT):
        categories.append(Category.objects.create(code=f"bench{n}", name=f"类别{n}").id)
    return user, company_ids, categories[:CATEGORY_COUNT]


def build_meetings(estates, count, rng):
    base = datetime.datetime(2021, 1, 1, 9, tzinfo=datetime.UTC)
    return copy(
        "meetings_meeting",
        [
            "kind",
            "title",
            "starts_at",
            "duration_minutes",
            "location",
            "expected_parties",
            "is_ad_hoc",
            "reason",
            "status",
            "touched",
            "summary",
            "cancel_reason",
            "created_at",
            "place_id",
        ],
        (
            (
                "three_party",
                f"议事会{n}",
                base + datetime.timedelta(days=rng.randrange(DAYS)),
                90,
                "活动室",
                '["branch", "committee", "company"]',
                False,
                "",
                "closed",
                True,
                "",
                "",
                base,
                rng.choice(estates),
            )
            for n in range(count)
        ),
    )


def build_cases(estates, companies, categories, count, rng, first_number):
    """``count`` cases with their events (about three each), by COPY. The case numbers continue
    from ``first_number``."""
    import json

    from django.db import connection

    tz = datetime.timezone(datetime.timedelta(hours=8))
    base = datetime.datetime(2021, 1, 1, tzinfo=tz)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_case")
        first_id = cursor.fetchone()[0] + 1
    case_columns = [
        "id",
        "number",
        "address",
        "title",
        "description",
        "channel",
        "state",
        "urgency",
        "is_anonymous",
        "contact_name",
        "contact_phone",
        "on_agenda",
        "source_kind",
        "created_at",
        "is_overdue",
        "escalation_level",
        "rework_count",
        "rating",
        "closed_without_review",
        "updated_at",
        "estate_id",
        "category_id",
        "responsible_id",
        "deadline",
        "resolved_at",
        "dispatched_at",
        "solved",
    ]
    event_columns = ["kind", "at", "from_state", "to_state", "note", "rating", "data", "case_id", "solved"]
    empty = json.dumps({})

    def rows(first, last):
        for n in range(first, last):
            case_id = first_id + n
            created = base + datetime.timedelta(seconds=rng.randrange(DAYS * 86400))
            deadline = created + datetime.timedelta(days=5)
            roll = rng.random()
            resolved = created + datetime.timedelta(hours=rng.randrange(2, 160)) if roll < 0.9 else None
            state = "closed" if resolved else "signed"
            rating = (
                rng.choice(["satisfied", "satisfied", "satisfied", "basically_satisfied", "dissatisfied"])
                if resolved and roll < 0.7
                else ""
            )
            solved = (rating != "dissatisfied") if rating else None
            dispatched = created + datetime.timedelta(minutes=rng.randrange(5, 240))
            yield (
                "case",
                (
                    case_id,
                    f"B{first_number + n:09d}",
                    "",
                    "楼道灯不亮",
                    "示例",
                    "app",
                    state,
                    "normal",
                    False,
                    "",
                    "",
                    False,
                    "",
                    created,
                    resolved is None and deadline < datetime.datetime(2026, 1, 1, tzinfo=tz),
                    0,
                    0,
                    rating,
                    False,
                    created,
                    rng.choice(estates),
                    rng.choice(categories),
                    rng.choice(companies),
                    deadline,
                    resolved,
                    dispatched,
                    solved,
                ),
            )
            yield "event", ("created", created, "", "received", "", "", empty, case_id, None)
            yield "event", ("dispatched", dispatched, "received", "dispatched", "", "", empty, case_id, None)
            signed = dispatched + datetime.timedelta(hours=rng.choice([1, 3, 8, 20, 30]))
            yield "event", ("signed", signed, "dispatched", "signed", "", "", empty, case_id, None)
            if resolved:
                yield "event", ("resolved", resolved, "signed", "resolved", "", "", empty, case_id, None)
            if rating:
                at = (resolved or created) + datetime.timedelta(days=1)
                yield "event", ("reviewed", at, "resolved", "reviewed", "", rating, empty, case_id, solved)

    # Chunks of 50,000 cases: a COPY of the cases, then one of their events (they reference them).
    made = events = 0
    for first in range(0, count, 50000):
        buffered = []
        with raw().cursor() as cursor:
            with cursor.copy(f"COPY cases_case ({', '.join(case_columns)}) FROM STDIN") as out:
                for kind, row in rows(first, min(count, first + 50000)):
                    if kind == "case":
                        out.write_row(row)
                        made += 1
                    else:
                        buffered.append(row)
            with cursor.copy(f"COPY cases_caseevent ({', '.join(event_columns)}) FROM STDIN") as out:
                for row in buffered:
                    out.write_row(row)
        events += len(buffered)
    reset_sequence("cases_case")
    return made, events


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(client, url, renders):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], []
    client.get(url)  # warm up
    for _n in range(renders):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(captured))
    return statistics.median(times), percentile(times, 0.95), min(queries), max(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="gz_city")
    parser.add_argument("--subdistricts", type=int, default=2)
    parser.add_argument("--communities", type=int, default=10, help="per subdistrict")
    parser.add_argument("--estates", type=int, default=10, help="per community")
    parser.add_argument("--buildings", type=int, default=5, help="per estate")
    parser.add_argument("--flats", type=int, default=500, help="per estate")
    parser.add_argument("--cases", type=int, default=50000, help="the base (1×) number of cases")
    parser.add_argument("--meetings", type=int, default=3000)
    parser.add_argument("--multiples", default="1,4,16")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--naive-renders", type=int, default=3)
    args = parser.parse_args()
    setup(args.database)

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from gongzhi.indicators import rollups
    from gongzhi.indicators.registry import Period
    from gongzhi.places.models import Place
    from gongzhi.reports import services as reports

    rng = random.Random(8)
    started = time.perf_counter()
    subdistricts, communities, estates, flats = build_places(args)
    user, companies, categories = build_orgs(subdistricts, estates)
    meetings = build_meetings(estates, args.meetings, rng)
    analyze()
    print(
        f"places: {len(subdistricts)} subdistricts, {len(communities)} communities, {len(estates)} estates, "
        f"{flats} flats, {len(companies)} companies, {meetings} meetings "
        f"({time.perf_counter() - started:.1f}s)"
    )
    client = Client()
    client.force_login(user)
    subdistrict = Place.objects.get(pk=subdistricts[0])
    community = Place.objects.get(pk=communities[0])
    in_scope = Place.objects.within(subdistrict).filter(kind="estate").count()
    day = "2025-12-31"
    sub_url = f"/dashboard/?place={subdistrict.id}&date={day}&area=cases"
    com_url = f"/dashboard/?place={community.id}&date={day}&area=cases"
    total = 0
    print(f"dashboards: subdistrict of {in_scope} estates, community of {args.estates} estates; period 2025")
    header = (
        f"{'cases':>10} {'events':>10} {'load s':>7} {'rollup s':>8} | {'sub p50':>8} {'p95':>7} {'q':>5} | "
        f"{'com p50':>8} {'p95':>7} {'q':>5} | {'naive p50':>9} {'q':>4} | {'report s':>8} {'xlsx s':>6}"
    )
    print(header)
    for multiple in [int(m) for m in args.multiples.split(",")]:
        target = args.cases * multiple
        loaded = time.perf_counter()
        added, events = build_cases(estates, companies, categories, target - total, rng, total)
        total += added
        analyze()
        load_s = time.perf_counter() - loaded
        refreshed = time.perf_counter()
        rollups.refresh()
        analyze()
        rollup_s = time.perf_counter() - refreshed
        sub = measure(client, sub_url, args.renders)
        com = measure(client, com_url, args.renders)
        settings.GONGZHI["INDICATOR_ROLLUPS"] = False
        naive = measure(client, sub_url, args.naive_renders)
        settings.GONGZHI["INDICATOR_ROLLUPS"] = True
        began = time.perf_counter()
        content = reports.build_report(subdistrict, Period(datetime.date(2025, 10, 1), datetime.date(2026, 1, 1)))
        report_s = time.perf_counter() - began
        began = time.perf_counter()
        reports.report_workbook(content)
        xlsx_s = time.perf_counter() - began
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cases_caseevent")
            events_total = cursor.fetchone()[0]
        print(
            f"{total:>10} {events_total:>10} {load_s:>7.1f} {rollup_s:>8.1f} | {sub[0]:>6.0f}ms {sub[1]:>5.0f}ms "
            f"{sub[2]:>5} | {com[0]:>6.0f}ms {com[1]:>5.0f}ms {com[2]:>5} | {naive[0]:>7.0f}ms {naive[2]:>4} | "
            f"{report_s:>8.2f} {xlsx_s:>6.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
