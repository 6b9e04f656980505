"""A city's worth of data on PostgreSQL, and what the dashboards cost as the number of cases grows.

Run (defaults finish in a few minutes on a small machine):

    .venv/bin/python bench/city_scale.py
    .venv/bin/python bench/city_scale.py --subdistricts 2 --estates 10 --cases 50000 --multiples 1,4,16
    # the city of the issue (5,000 estates, 2,500,000 flats, 20,000,000 cases, 300,000 meetings):
    .venv/bin/python bench/city_scale.py --subdistricts 100 --communities 10 --estates 5 \
        --flats 500 --cases 1250000 --meetings 300000 --multiples 1,4,16
    # measure the dashboards again on the database already loaded (no load, no roll-up rebuild):
    .venv/bin/python bench/city_scale.py --measure-only

The database (``--database``, default ``gz_city`` on the local PostgreSQL; ``DATABASE_URL`` wins if
set) is dropped and created afresh, migrated, then filled in bulk, never row by row: the place tree
and the meetings by ``COPY``, flats, cases and case events generated inside PostgreSQL
(``INSERT … SELECT`` over ``generate_series``, one statement per chunk of estates writing the cases
and, from their ``RETURNING`` rows, their events), two chunks at a time on two connections. Before
each bulk load the secondary indexes, unique and foreign-key constraints of the case tables are
dropped, and created again afterwards (two at a time).

The data: estates of different sizes (flats and cases per estate log-normal around ``--flats``),
cases over five years (2021–2025) growing year on year with seasonal peaks (summer rains and air
conditioning, winter heating, a dip at the Spring Festival) and office-hours peaks, twelve
categories with their own weights and deadlines, channels (app, hotline, snapshots, chat groups…),
urgency, the estate's property company responsible for most cases, about 2 % rejected and 1 %
merged, response and resolution times drawn from skewed distributions, three in four resolved cases
reviewed (more dissatisfied when late), the rest closed without review after a week; the cases still
open at the end of 2025 are the recent ones.

For each multiple of the base number of cases (1×, 4×, 16×: cases are added between measurements,
over the same years and estates, so only the density grows) it:

1. refreshes the roll-ups with the periodic job's function (``rollups.refresh``) and prints its time;
2. renders the subdistrict and the community dashboards (Django test client, full middleware and
   templates, every registered indicator) ``--renders`` times as the subdistrict administrator and
   prints p50/p95 and the number of queries per render;
3. renders the subdistrict dashboard a few times with the roll-ups switched off (the naive path,
   reading the case ledger) for comparison;
4. times the subdistrict's quarterly report (build and Excel);
5. prints the load average and the database size.
"""

import argparse
import datetime
import itertools
import os
import random
import shutil
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = datetime.date(2021, 1, 1)
YEARS = 5
DAYS = YEARS * 365
END = "2026-01-01 00:00:00+08"  # the data set's "now": cases still open then are the recent ones
TIME_ZONE = "Asia/Shanghai"
CASE_TABLES = ["cases_case", "cases_caseevent"]
MIN_FREE_GB = 15

# Share of cases by month of the year (rains and air conditioning in summer, heating in winter, the
# Spring Festival in February), and growth year on year as more residents use the channels.
SEASON = [1.1, 0.75, 0.9, 0.95, 1.0, 1.15, 1.35, 1.3, 1.0, 0.85, 0.95, 1.1]
GROWTH = [0.6, 0.8, 1.0, 1.15, 1.3]
HOURS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 1, 2, 5, 7, 7, 6, 3, 3, 5, 6, 6, 5, 3, 3, 3, 2, 1, 0.5]
# Category code → (weight, deadline in days, title). Unknown codes get weight 2, five days.
CATEGORIES = {
    "repair": (22, 5, "楼道灯不亮"),
    "elevator": (8, 2, "电梯停运"),
    "water_power": (14, 2, "停水停电"),
    "sanitation": (14, 3, "垃圾未及时清运"),
    "greening": (5, 7, "绿化带缺损"),
    "parking": (10, 5, "车位被占"),
    "safety": (6, 1, "消防通道堵塞"),
    "neighbour": (7, 7, "楼上噪音扰民"),
    "illegal_building": (3, 15, "违章搭建"),
    "committee_affairs": (3, 10, "业委会公示"),
    "party_service": (2, 5, "党群服务咨询"),
    "other": (6, 5, "其他问题"),
}
CHANNELS = {
    "app": 30,
    "hotline": 22,
    "snapshot": 10,
    "chat_group": 10,
    "building_liaison": 6,
    "reception_visit": 6,
    "web": 5,
    "inspection": 5,
    "open_door_day": 2,
    "meeting": 2,
    "survey": 2,
}


def cumulative(weights) -> list[float]:
    """Lower bounds of each choice's share of [0, 1), for ``width_bucket``."""
    total = float(sum(weights))
    bounds, running = [], 0.0
    for weight in weights:
        bounds.append(running / total)
        running += weight
    return bounds


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


def open_existing(database: str) -> None:
    """Django on the database already loaded (``--measure-only``)."""
    url = os.environ.get("DATABASE_URL") or f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
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


def database_url() -> str:
    return os.environ["DATABASE_URL"]


def connect():
    """A psycopg connection of its own (one per loading thread), in autocommit, with the session
    settings of a bulk load."""
    import psycopg

    conn = psycopg.connect(database_url(), autocommit=True)
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute("SET work_mem = '256MB'")
    conn.execute(f"SET TIME ZONE '{TIME_ZONE}'")
    return conn


def check_disk() -> None:
    free = shutil.disk_usage(ROOT).free / 2**30
    if free < MIN_FREE_GB:
        print(f"stopping: {free:.1f} GB free on the disk, below {MIN_FREE_GB} GB", flush=True)
        os._exit(3)


def estate_weights(count: int, rng) -> list[float]:
    """Relative sizes of the estates: log-normal (a few big estates, many small ones), clipped."""
    return [min(4.0, max(0.2, rng.lognormvariate(0, 0.6))) for _n in range(count)]


def spread(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing exactly."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    counts = [int(value) for value in exact]
    rest = total - sum(counts)
    for index in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)[:rest]:
        counts[index] += 1
    return counts


def build_places(args, weights):
    """District → subdistricts → communities → estates → buildings (one COPY), then the flats
    (generated in PostgreSQL, as many per estate as its size says). Returns the subdistrict,
    community and estate ids and the number of flats."""
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
    conn = connect()
    indexes, constraints = secondary_structures(conn, ["places_flat"])
    for _name, drop, _create in constraints + indexes:
        conn.execute(drop)
    flats = spread(args.flats * len(estates), weights)
    per_building = []
    for index, (bid, eid) in enumerate(buildings):
        estate_index, nth = divmod(index, args.buildings)
        share = flats[estate_index] // args.buildings + (1 if nth < flats[estate_index] % args.buildings else 0)
        per_building.append((bid, eid, share))
    with conn.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO places_flat (number, area_m2, area_source, delivery_status, is_active, building_id, estate_id)
            SELECT (g / 20 + 1)::text || lpad((g %% 20 + 1)::text, 2, '0'),
                   round((55 + random() * 90)::numeric, 2), 'contract', 'delivered', true, b.id, b.estate
            FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS b (id, estate, flats),
                 generate_series(0, b.flats - 1) AS g
            """,
            [[b[0] for b in per_building], [b[1] for b in per_building], [b[2] for b in per_building]],
        )
    rebuild(indexes, constraints, 2)
    conn.close()
    return subdistricts, communities, estates, sum(flats)


def build_orgs(subdistrict_ids, estates):
    """Property companies (one per 20 estates) under contract, and the subdistrict administrator."""
    from gongzhi.accounts import services as people
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
    # Neighbouring estates often share a company: runs of estates go to the same one.
    company_of = [company_ids[(i // 3) % len(company_ids)] for i in range(len(estates))]
    copy(
        "orgs_servicecontract",
        ["starts_on", "ends_on", "note", "company_id", "estate_id"],
        ((datetime.date(2020, 1, 1), None, "", company_of[i], eid) for i, eid in enumerate(estates)),
    )
    person = people.person_create(name="街道管理员", phone="13700000000")
    user = people.user_create_for_person(person=person, username="city_admin", password="bench-pass-1234")
    people.appointment_create(
        person=person,
        post="subdistrict_admin",
        place=Place.objects.get(pk=subdistrict_ids[0]),
        starts_on=datetime.date(2020, 1, 1),
    )
    return user, company_ids, company_of


def build_meetings(estates, weights, count, rng):
    base = datetime.datetime(2021, 1, 1, 9, tzinfo=datetime.UTC)
    kinds = ["three_party"] * 6 + ["four_party"] * 2 + ["joint_day", "open_day", "neighbourhood"]
    cum = list(itertools.accumulate(weights))
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
                rng.choice(kinds),
                f"议事会{n}",
                base + datetime.timedelta(days=rng.randrange(DAYS), hours=rng.choice([0, 1, 5, 9])),
                rng.choice([60, 90, 120]),
                "活动室",
                '["branch", "committee", "company"]',
                rng.random() < 0.1,
                "",
                "closed",
                True,
                "",
                "",
                base,
                rng.choices(estates, cum_weights=cum)[0],
            )
            for n in range(count)
        ),
    )


# Indexes and constraints around a bulk load ------------------------------------------------------


def secondary_structures(conn, tables) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(name, drop, create) of the secondary indexes of ``tables``, then of their unique and
    foreign-key constraints (the primary keys stay)."""
    indexes = conn.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s) AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = t.oid)
        ORDER BY t.relname DESC, i.relname
        """,
        [tables],
    ).fetchall()
    constraints = conn.execute(
        """
        SELECT c.conname, t.relname, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE t.relname = ANY(%s) AND c.contype IN ('u', 'f')
        ORDER BY c.contype DESC, t.relname DESC, c.conname
        """,
        [tables],
    ).fetchall()
    return (
        [(name, f'DROP INDEX "{name}"', definition) for name, definition in indexes],
        [
            (
                name,
                f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"',
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}',
            )
            for name, table, definition, _kind in constraints
        ],
    )


def run_parallel(statements: list[str], workers: int) -> None:
    """Run the statements on ``workers`` connections, each its own in turn."""
    connections = threading.local()
    opened = []

    def run(sql):
        if not hasattr(connections, "conn"):
            connections.conn = connect()
            opened.append(connections.conn)
        connections.conn.execute(sql)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(run, statements))
    for conn in opened:
        conn.close()


def rebuild(indexes, constraints, workers) -> dict:
    """Create the indexes and unique constraints again, then the foreign keys (each validated by one
    join, not row by row); ``workers`` at a time."""
    timings = {}
    began = time.perf_counter()
    run_parallel([create for _n, _d, create in indexes] + [c for _n, _d, c in constraints if "UNIQUE" in c], workers)
    timings["indexes"] = time.perf_counter() - began
    began = time.perf_counter()
    run_parallel([c for _n, _d, c in constraints if "UNIQUE" not in c], workers)
    timings["foreign keys"] = time.perf_counter() - began
    return timings


# Cases and events ---------------------------------------------------------------------------------

CASES_SQL = """
WITH base AS (
    SELECT e.estate_id, e.company_id, e.first_id + g - 1 AS id,
           random() AS u_month, random() AS u_day, random() AS u_hour, random() AS u_second,
           random() AS u_cat, random() AS u_channel, random() AS u_fate, random() AS u_resp,
           random() AS u_dispatch, random() AS u_sign, random() AS n1, random() AS n2,
           random() AS u_review, random() AS u_rating, random() AS u_solved, random() AS u_urgency
    FROM bench_estates AS e, generate_series(1, e.cases) AS g
    WHERE e.idx >= %(lo)s AND e.idx < %(hi)s
), picked AS MATERIALIZED (
    SELECT b.*,
           %(start)s::timestamp + (width_bucket(u_month, %(month_bounds)s::float8[]) - 1) * interval '1 month'
               AS month_start,
           width_bucket(u_cat, %(category_bounds)s::float8[]) AS cat,
           width_bucket(u_hour, %(hour_bounds)s::float8[]) - 1 AS hour
    FROM base AS b
), created AS MATERIALIZED (
    SELECT p.*,
           (month_start
            + floor(u_day * extract(day FROM month_start + interval '1 month' - interval '1 day')) * interval '1 day'
            + hour * interval '1 hour' + floor(u_second * 3600) * interval '1 second') AT TIME ZONE %(tz)s
               AS created_at,
           CASE WHEN u_urgency < 0.02 THEN 'emergency' WHEN u_urgency < 0.1 THEN 'urgent' ELSE 'normal' END
               AS urgency,
           (%(category_ids)s::bigint[])[cat] AS category_id,
           CASE WHEN u_resp < 0.85 THEN company_id
                ELSE (%(companies)s::bigint[])[1 + floor((u_resp - 0.85) / 0.15 * %(company_count)s)::int]
           END AS responsible_id
    FROM picked AS p
), timed AS MATERIALIZED (
    SELECT c.*,
           created_at + CASE urgency WHEN 'emergency' THEN interval '4 hours'
                                     WHEN 'urgent' THEN greatest(1, (%(category_days)s::int[])[cat] / 2) * interval '1 day'
                                     ELSE (%(category_days)s::int[])[cat] * interval '1 day' END AS deadline,
           created_at + (5 + 235 * u_dispatch * u_dispatch) * interval '1 minute' AS dispatch_at
    FROM created AS c
), steps AS MATERIALIZED (
    SELECT t.*,
           dispatch_at - ln(1 - u_sign) * 9 * interval '1 hour' AS sign_at,
           dispatch_at - ln(1 - u_sign) * 9 * interval '1 hour'
               + exp(ln(30) + sqrt(-2 * ln(1 - n1)) * cos(2 * pi() * n2)) * interval '1 hour' AS resolve_at
    FROM timed AS t
), fate AS MATERIALIZED (
    SELECT s.*,
           CASE WHEN u_fate < 0.02 THEN 'rejected' WHEN u_fate < 0.03 THEN 'merged'
                WHEN dispatch_at >= %(end)s THEN 'received' WHEN sign_at >= %(end)s THEN 'dispatched'
                WHEN resolve_at >= %(end)s THEN 'signed'
                WHEN u_review < 0.75 AND resolve_at + (4 + 60 * u_review) * interval '1 hour' < %(end)s THEN 'reviewed'
                WHEN resolve_at + interval '7 days' < %(end)s THEN 'closed'
                ELSE 'resolved' END AS state
    FROM steps AS s
), rated AS MATERIALIZED (
    SELECT f.*,
           CASE WHEN state <> 'reviewed' THEN ''
                WHEN u_rating < CASE WHEN resolve_at > deadline THEN 0.15 ELSE 0.04 END THEN 'dissatisfied'
                WHEN u_rating < CASE WHEN resolve_at > deadline THEN 0.15 ELSE 0.04 END + 0.13 THEN 'basically_satisfied'
                ELSE 'satisfied' END AS rating,
           state NOT IN ('rejected', 'merged', 'received') AS was_dispatched,
           state NOT IN ('rejected', 'merged', 'received', 'dispatched') AS was_signed,
           state IN ('resolved', 'reviewed', 'closed') AS was_resolved
    FROM fate AS f
), inserted AS (
    INSERT INTO cases_case (
        id, number, address, title, description, channel, state, urgency, deadline, is_anonymous,
        contact_name, contact_phone, on_agenda, source_kind, created_at, dispatched_at, responded_at,
        resolved_at, closed_at, review_requested_at, is_overdue, escalation_level, rework_count, rating,
        solved, closed_without_review, updated_at, estate_id, responsible_id, category_id)
    SELECT id, 'C' || lpad(id::text, 10, '0'), '', (%(titles)s::text[])[cat], '示例', (%(channels)s::text[])[
               width_bucket(u_channel, %(channel_bounds)s::float8[])],
           state, urgency, deadline, u_channel < 0.03, '', '', u_urgency > 0.997, '', created_at,
           CASE WHEN was_dispatched THEN dispatch_at END,
           CASE WHEN was_signed THEN sign_at END,
           CASE WHEN was_resolved THEN resolve_at END,
           CASE state WHEN 'reviewed' THEN resolve_at + (4 + 60 * u_review) * interval '1 hour'
                      WHEN 'closed' THEN resolve_at + interval '7 days' END,
           CASE WHEN was_resolved THEN resolve_at END,
           (NOT was_resolved AND state NOT IN ('rejected', 'merged') AND deadline < %(end)s)
               OR (was_resolved AND resolve_at > deadline),
           0, 0, rating,
           CASE WHEN state <> 'reviewed' THEN NULL WHEN rating = 'dissatisfied' THEN u_solved < 0.4
                ELSE u_solved < 0.99 END,
           state = 'closed', created_at, estate_id,
           CASE WHEN state <> 'rejected' THEN responsible_id END, category_id
    FROM rated
    RETURNING id, state, created_at, dispatched_at, responded_at, resolved_at, closed_at, rating, solved,
              responsible_id
)
INSERT INTO cases_caseevent (id, case_id, kind, at, from_state, to_state, note, rating, solved, data, responsible_id)
SELECT c.id * 8 + v.slot, c.id, v.kind, v.at, v.from_state, v.to_state, '', v.rating, v.solved, '{}'::jsonb,
       v.responsible_id
FROM inserted AS c,
LATERAL (VALUES
    (0, 'created', c.created_at, '', 'received', '', NULL::boolean, NULL::bigint),
    (1, 'dispatched', c.dispatched_at, 'received', 'dispatched', '', NULL, c.responsible_id),
    (2, 'transferred', CASE WHEN c.id %% 16 = 0 THEN c.dispatched_at + (c.responded_at - c.dispatched_at) / 2 END,
        'dispatched', 'dispatched', '', NULL, c.responsible_id),
    (3, 'signed', c.responded_at, 'dispatched', 'signed', '', NULL, NULL),
    (4, 'resolved', c.resolved_at, 'signed', 'resolved', '', NULL, NULL),
    (5, 'reviewed', CASE WHEN c.state = 'reviewed' THEN c.closed_at END, 'resolved', 'reviewed', c.rating, c.solved,
        NULL),
    (6, 'closed_no_review', CASE WHEN c.state = 'closed' THEN c.closed_at END, 'resolved', 'closed', '', NULL, NULL),
    (7, c.state, CASE WHEN c.state IN ('rejected', 'merged') THEN c.created_at + interval '1 hour' END,
        'received', c.state, '', NULL, NULL)
) AS v (slot, kind, at, from_state, to_state, rating, solved, responsible_id)
WHERE v.at IS NOT NULL
"""


def case_parameters(categories, companies) -> dict:
    """The distributions, as small arrays the generating statement indexes into."""
    months = [SEASON[m] * GROWTH[y] for y in range(YEARS) for m in range(12)]
    weights = [CATEGORIES.get(code, (2, 5, "其他问题"))[0] for _id, code in categories]
    return {
        "start": START.isoformat(),
        "end": END,
        "tz": TIME_ZONE,
        "month_bounds": cumulative(months),
        "hour_bounds": cumulative(HOURS),
        "category_bounds": cumulative(weights),
        "category_ids": [cid for cid, _code in categories],
        "category_days": [CATEGORIES.get(code, (2, 5, ""))[1] for _id, code in categories],
        "titles": [CATEGORIES.get(code, (2, 5, "其他问题"))[2] for _id, code in categories],
        "channels": list(CHANNELS),
        "channel_bounds": cumulative(CHANNELS.values()),
        "companies": companies,
        "company_count": len(companies),
    }


def build_cases(estates, company_of, weights, before: int, target: int, params: dict, workers: int) -> dict:
    """Add cases until there are ``target`` (``before`` exist), spread over the estates by size, with
    their events: drop the secondary indexes and constraints of the case tables, generate the rows
    in chunks of estates on ``workers`` connections, create the indexes and constraints again,
    ANALYZE. Returns the time of each step."""
    timings = {}
    conn = connect()
    previous = spread(before, weights) if before else [0] * len(estates)
    wanted = spread(target, weights)
    first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cases_case").fetchone()[0]
    rows = []
    for index, (estate, company) in enumerate(zip(estates, company_of, strict=True)):
        cases = wanted[index] - previous[index]
        rows.append((index, estate, company, cases, first_id))
        first_id += cases
    conn.execute("DROP TABLE IF EXISTS bench_estates")
    conn.execute(
        "CREATE UNLOGGED TABLE bench_estates (idx int, estate_id bigint, company_id bigint, cases int, first_id bigint)"
    )
    with conn.cursor() as cursor:
        with cursor.copy("COPY bench_estates FROM STDIN") as out:
            for row in rows:
                out.write_row(row)
    began = time.perf_counter()
    indexes, constraints = secondary_structures(conn, CASE_TABLES)
    for _name, drop, _create in constraints + indexes:
        conn.execute(drop)
    timings["drop"] = time.perf_counter() - began

    # Chunks of about 1/40 of the cases added (at least 20,000), in estate order.
    added = target - before
    size = max(20000, added // 40)
    chunks, lo, running = [], 0, 0
    for index, row in enumerate(rows):
        running += row[3]
        if running >= size or index == len(rows) - 1:
            chunks.append((lo, index + 1, running))
            lo, running = index + 1, 0
    began = time.perf_counter()
    done = {"cases": 0}
    lock = threading.Lock()
    local = threading.local()
    opened = []

    def load(chunk):
        check_disk()
        if not hasattr(local, "conn"):
            local.conn = connect()
            opened.append(local.conn)
        chunk_lo, chunk_hi, count = chunk
        local.conn.execute(CASES_SQL, {**params, "lo": chunk_lo, "hi": chunk_hi})
        with lock:
            done["cases"] += count
            elapsed = time.perf_counter() - began
            print(
                f"  … {done['cases']:,} / {added:,} cases ({done['cases'] / elapsed:,.0f}/s, "
                f"load {os.getloadavg()[0]:.1f})",
                flush=True,
            )

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(load, chunks))
    for opened_conn in opened:
        opened_conn.close()
    timings["insert"] = time.perf_counter() - began
    check_disk()
    timings.update(rebuild(indexes, constraints, workers))
    began = time.perf_counter()
    for table in CASE_TABLES:
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    run_parallel([f"ANALYZE {table}" for table in CASE_TABLES], workers)
    timings["analyze"] = time.perf_counter() - began
    conn.execute("DROP TABLE bench_estates")
    conn.close()
    return timings


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(client, url, renders, warm_up=True):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, cpu, sql = [], [], [], []
    if warm_up:
        client.get(url)
    for _n in range(renders):
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(captured))
        sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
    if not times:
        return float("nan"), 0, 0, 0, float("nan"), float("nan")
    # Besides the wall-clock time (which other work on the machine inflates): the CPU time of the
    # Django process and the time spent waiting for the database, as medians.
    return (
        statistics.median(times),
        percentile(times, 0.95),
        min(queries),
        max(queries),
        statistics.median(cpu),
        statistics.median(sql),
    )


def database_size() -> str:
    with raw().cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return cursor.fetchone()[0]


def load_average() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


HEADER = (
    f"{'cases':>10} {'events':>11} | {'sub p50':>8} {'p95':>7} {'q':>4} | {'com p50':>8} {'p95':>7} {'q':>4} | "
    f"{'naive p50':>9} {'q':>4} | {'report s':>8} {'xlsx s':>6} | load avg"
)


def measure_all(args, client, subdistrict, community):
    """One line of the table: the dashboards (roll-ups, then naive), the report and its workbook."""
    from django.conf import settings
    from django.db import connection

    from gongzhi.indicators.registry import Period
    from gongzhi.reports import services as reports

    day = "2025-12-31"
    sub_url = f"/dashboard/?place={subdistrict.id}&date={day}&area=cases"
    com_url = f"/dashboard/?place={community.id}&date={day}&area=cases"
    load_before = load_average()
    sub = measure(client, sub_url, args.renders)
    com = measure(client, com_url, args.renders)
    if args.naive_renders:
        settings.GONGZHI["INDICATOR_ROLLUPS"] = False
        naive = measure(client, sub_url, args.naive_renders, warm_up=False)
        settings.GONGZHI["INDICATOR_ROLLUPS"] = True
    else:
        naive = (float("nan"), 0, 0, 0, 0, 0)
    began = time.perf_counter()
    content = reports.build_report(subdistrict, Period(datetime.date(2025, 10, 1), datetime.date(2026, 1, 1)))
    report_s = time.perf_counter() - began
    began = time.perf_counter()
    reports.report_workbook(content)
    xlsx_s = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_caseevent")
        events = cursor.fetchone()[0]
    print(
        f"{cases:>10,} {events:>11,} | {sub[0]:>6.0f}ms {sub[1]:>5.0f}ms {sub[2]:>4} | {com[0]:>6.0f}ms "
        f"{com[1]:>5.0f}ms {com[2]:>4} | {naive[0]:>7.0f}ms {naive[2]:>4} | {report_s:>8.2f} {xlsx_s:>6.2f} | "
        f"{load_before} → {load_average()}",
        flush=True,
    )
    print(
        f"  median per render — subdistrict: Django CPU {sub[4]:.0f} ms, waiting for SQL {sub[5]:.0f} ms; "
        f"community: CPU {com[4]:.0f} ms, SQL {com[5]:.0f} ms"
    )
    if sub[2] != sub[3] or com[2] != com[3]:
        print(f"  (queries per render varied: subdistrict {sub[2]}–{sub[3]}, community {com[2]}–{com[3]})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="gz_city")
    parser.add_argument("--subdistricts", type=int, default=2)
    parser.add_argument("--communities", type=int, default=10, help="per subdistrict")
    parser.add_argument("--estates", type=int, default=10, help="per community")
    parser.add_argument("--buildings", type=int, default=5, help="per estate")
    parser.add_argument("--flats", type=int, default=500, help="per estate, on average")
    parser.add_argument("--cases", type=int, default=50000, help="the base (1×) number of cases")
    parser.add_argument("--meetings", type=int, default=3000)
    parser.add_argument("--multiples", default="1,4,16")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--naive-renders", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="connections loading and indexing at once")
    parser.add_argument(
        "--measure-only", action="store_true", help="measure the dashboards on the database as it is (no load)"
    )
    args = parser.parse_args()
    global MIN_FREE_GB
    MIN_FREE_GB = int(os.environ.get("BENCH_MIN_FREE_GB", MIN_FREE_GB))
    if args.measure_only:
        open_existing(args.database)
    else:
        setup(args.database)

    from django.test import Client

    from gongzhi.accounts.models import User
    from gongzhi.cases.models import Category
    from gongzhi.indicators import rollups, store
    from gongzhi.places.models import Place

    client = Client()
    if args.measure_only:
        client.force_login(User.objects.get(username="city_admin"))
        subdistrict = Place.objects.filter(kind="subdistrict").order_by("id").first()
        community = Place.objects.filter(kind="community", parent=subdistrict).order_by("id").first()
        estates = Place.objects.within(subdistrict).filter(kind="estate").count()
        print(f"measuring on {args.database}: subdistrict of {estates} estates; roll-ups fresh: {rollups.is_fresh()}")
        print(HEADER)
        measure_all(args, client, subdistrict, community)
        print(f"database size {database_size()}")
        return

    rng = random.Random(8)
    count = args.subdistricts * args.communities * args.estates
    weights = estate_weights(count, rng)
    began = time.perf_counter()
    subdistricts, communities, estates, flats = build_places(args, weights)
    places_s = time.perf_counter() - began
    began = time.perf_counter()
    user, companies, company_of = build_orgs(subdistricts, estates)
    meetings = build_meetings(estates, weights, args.meetings, rng)
    others_s = time.perf_counter() - began
    analyze()
    print(
        f"places: {len(subdistricts)} subdistricts, {len(communities)} communities, {len(estates)} estates, "
        f"{flats:,} flats ({places_s:.1f}s); {len(companies)} companies, {meetings:,} meetings ({others_s:.1f}s); "
        f"load avg {load_average()}",
        flush=True,
    )
    categories = list(Category.objects.order_by("id").values_list("id", "code"))
    params = case_parameters(categories, companies)
    client.force_login(user)
    subdistrict = Place.objects.get(pk=subdistricts[0])
    community = Place.objects.get(pk=communities[0])
    in_scope = Place.objects.within(subdistrict).filter(kind="estate").count()
    print(f"dashboards: subdistrict of {in_scope} estates, community of {args.estates} estates; period 2025")
    total = 0
    for multiple in [int(m) for m in args.multiples.split(",")]:
        target = args.cases * multiple
        began = time.perf_counter()
        timings = build_cases(estates, company_of, weights, total, target, params, args.workers)
        # The rows were written on connections of their own, past the counters of the stored figures.
        store.invalidate(CASE_TABLES)
        load_s = time.perf_counter() - began
        added = target - total
        total = target
        steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in timings.items())
        print(
            f"load {multiple}×: +{added:,} cases in {load_s:.1f}s ({added / load_s:,.0f} cases/s; {steps}); "
            f"load avg {load_average()}",
            flush=True,
        )
        began = time.perf_counter()
        written = rollups.refresh(full=True)  # after a bulk import (the job's own refresh: incremental)
        rollup_s = time.perf_counter() - began
        analyze()
        print(
            f"roll-up {multiple}×: {written:,} rows in {rollup_s:.1f}s; load avg {load_average()}; "
            f"database {database_size()}",
            flush=True,
        )
        print(HEADER)
        measure_all(args, client, subdistrict, community)


if __name__ == "__main__":
    main()
