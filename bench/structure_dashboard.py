"""The structure dashboard for a subdistrict of 300 estates: query count and render time.

Run: .venv/bin/python bench/structure_dashboard.py [--renders 30]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_bench_dashboard .venv/bin/python bench/structure_dashboard.py

Builds (bulk inserts) three subdistricts shaped like the demo's — 30, 100 and 300 estates in 10
communities, each estate with a party branch, an owners' committee of 5–9 members, a property
company under contract, supervisors, checked-in party members and grid members — in a fresh SQLite
database in a temporary directory (or the PostgreSQL database named in DATABASE_URL, which should
be empty: the tables are created by migrate). Then renders /dashboard/ for each subdistrict as its
administrator through Django's test client (full middleware, templates, every registered indicator)
and prints the number of queries per render, which must be the same at every size, and the p50/p95
render time. The tables are ANALYZEd after each bulk load (as autovacuum would do in production).
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    if "DATABASE_URL" not in os.environ:
        directory = tempfile.mkdtemp(prefix="gongzhi-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/dashboard.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client see the rendered context
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # Keep one connection across renders, as a test does, so the queries of a render can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def build(estates: int, name: str):
    from gongzhi.demo.builder import CompanySpec, EstateSpec, build_subdistrict

    companies = [CompanySpec(f"{name}物业{n}", n % 3 != 0) for n in range(max(3, estates // 10))]
    per_community = estates // 10
    communities = {
        f"{name}第{c + 1}社区": [
            EstateSpec(
                name=f"{name}{c + 1}-{n + 1}小区",
                buildings=4,
                flats_per_building=10,
                committee_size=(5, 7, 9)[n % 3],
                committee_party=(3, 3, 5)[n % 3] if n % 2 else 2,
                dual_chair=n % 3 == 0,
                company=companies[(c * per_community + n) % len(companies)].name,
                supervisors=2,
                check_ins=3,
                community_member_on_committee=n % 2 == 0,
                grid_party_members=4,
            )
            for n in range(per_community)
        ]
        for c in range(10)
    }
    return build_subdistrict(
        name=name,
        subdistrict_kind="street",
        communities=communities,
        companies=companies,
        start=datetime.date(2023, 1, 1),
    ).subdistrict


def admin_for(subdistrict, username: str):
    from gongzhi.accounts import services as people

    person = people.person_create(name=f"{subdistrict.name}管理员", is_party_member=True)
    user = people.user_create_for_person(person=person, username=username, password="bench-password-1")
    people.appointment_create(
        person=person, post="subdistrict_admin", place=subdistrict, starts_on=datetime.date(2023, 1, 1)
    )
    return user


def measure(user, place, renders: int) -> tuple[int, float, float, int]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    url = reverse("indicators:dashboard")
    client.get(url, {"place": place.id})  # warm up
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, {"place": place.id})
    assert response.status_code == 200, response.status_code
    rows = len(response.context["dashboard"].estates)
    times = []
    for _ in range(renders):
        began = time.perf_counter()
        client.get(url, {"place": place.id})
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return len(queries), statistics.median(times), p95, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=30, help="renders per size (default 30)")
    options = parser.parse_args()
    setup()
    from django.db import connection, transaction

    print(f"database: {connection.vendor}")
    results = []
    for size, name in ((30, "甲"), (100, "乙"), (300, "丙")):
        began = time.perf_counter()
        with transaction.atomic():
            subdistrict = build(size, f"{name}街道")
            user = admin_for(subdistrict, f"bench_admin_{size}")
        with connection.cursor() as cursor:
            # Fresh statistics, as autovacuum would gather after a bulk load; without them
            # PostgreSQL plans the joins for empty tables.
            cursor.execute("ANALYZE")
        built = time.perf_counter() - began
        queries, p50, p95, rows = measure(user, subdistrict, options.renders)
        results.append(queries)
        print(
            f"{size:>4} estates: built in {built:5.1f} s; dashboard render: {queries} queries, "
            f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms ({rows} estate rows, {options.renders} renders)"
        )
    same = len(set(results)) == 1
    print(f"query count independent of the number of estates: {'yes' if same else 'NO'} ({results})")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
