"""资金与实事、志愿与共建 at the size of seed 002's town.

Run: .venv/bin/python bench/funds_bench.py [--estates 70] [--entries 20000]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_bench_funds .venv/bin/python bench/funds_bench.py

1. Builds a fresh data set: one subdistrict of 10 communities and ``--estates`` estates (a new SQLite
   file in var/ without DATABASE_URL; with a PostgreSQL URL the named database is dropped and created
   again — use a bench database). A fund with ``--entries`` ledger entries (contributions, grants,
   reversals) written through the services; per estate 1,051 ÷ 70 ≈ 15 micro-works per month over five
   months (seed 002: 1,051 planned, 881 done), public revenue lines, service events with participants,
   patrols and reception visits.
2. Measures writing one contribution and one grant through the services (the grant locks the fund
   and sums the ledger): p50/p95.
3. Computes every funds/works/volunteers indicator for all communities and all estates and checks
   the query count does not grow with the number of places.
4. Checks that the fund's balance equals the sum of its entries.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
SQLITE = ROOT / "var" / "bench_funds.sqlite3"


def configure_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        SQLITE.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE}"
    elif url.startswith("postgres"):
        import psycopg

        parts = urllib.parse.urlparse(url)
        name = parts.path.lstrip("/")
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--estates", type=int, default=70)
    parser.add_argument("--entries", type=int, default=20000)
    args = parser.parse_args()
    configure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from django.contrib.auth.hashers import make_password

    from gongzhi.accounts import services as people
    from gongzhi.accounts.models import Person, User
    from gongzhi.funds import services as funds
    from gongzhi.funds.models import FundEntry, MicroProject, RevenueEntry
    from gongzhi.indicators.registry import REGISTRY, Period
    from gongzhi.places import services as places
    from gongzhi.volunteers.models import (
        EnforcementPatrol,
        Participation,
        PatrolProblem,
        ReceptionVisit,
        ServiceEvent,
        VolunteerTeam,
    )

    random.seed(7)
    started = time.perf_counter()
    sub = places.place_create(kind="subdistrict", name="池店镇", parent=None, subdistrict_kind="town")
    communities = [places.place_create(kind="community", name=f"社区{i}", parent=sub) for i in range(10)]
    estates = [
        places.place_create(kind="estate", name=f"小区{i}", parent=communities[i % 10], estate_kind="commodity")
        for i in range(args.estates)
    ]
    person = Person.objects.create(name="管理员", phone="13800000000", is_party_member=True)
    admin = User.objects.create(username="admin", password=make_password("x"))
    person.user = admin
    person.save()
    people.appointment_create(person=person, post="subdistrict_admin", place=sub, starts_on=datetime.date(2020, 1, 1))
    admin = User.objects.get(pk=admin.pk)

    today = datetime.date.today()
    fund = funds.fund_create(place=sub, name="美好家园基金", acting_user=admin)
    first_day = today - datetime.timedelta(days=365)
    entries = []
    balance = Decimal("0")
    for i in range(args.entries):
        day = first_day + datetime.timedelta(days=i % 365)
        if i % 5 == 4 and balance > 1000:
            amount = Decimal(random.randint(100, int(min(balance, 50000)))).quantize(Decimal("0.01"))
            balance -= amount
            entries.append(
                FundEntry(
                    fund=fund,
                    kind="grant",
                    amount=-amount,
                    on_date=day,
                    purpose="微实事",
                    estate=random.choice(estates),
                    counterparty="业委会",
                    co_funding=amount * random.randint(0, 10),
                    evidence=f"J{i}",
                    created_by=admin,
                )
            )
        else:
            amount = Decimal(random.randint(100, 200000)) / 100
            balance += amount
            source = random.choice(["government", "company", "resident", "shop", "other"])
            entries.append(
                FundEntry(
                    fund=fund,
                    kind="contribution",
                    amount=amount,
                    on_date=day,
                    source=source,
                    counterparty="x",
                    evidence=f"R{i}",
                    created_by=admin,
                )
            )
    FundEntry.objects.bulk_create(entries, batch_size=2000)

    works, revenue, events, participations, patrols, problems, visits = [], [], [], [], [], [], []
    month = today.replace(day=1)
    months = []
    for _ in range(5):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    for estate in estates:
        for m in months:
            for n in range(15):
                done = random.random() < 881 / 1051
                works.append(
                    MicroProject(
                        estate=estate,
                        month=m,
                        title=f"实事{n}",
                        status="done" if done else "planned",
                        done_on=m + datetime.timedelta(days=9) if done else None,
                        created_by=admin,
                    )
                )
        for d in range(0, 360, 10):
            revenue.append(
                RevenueEntry(
                    estate=estate,
                    category="parking",
                    amount=Decimal("3000.00"),
                    on_date=first_day + datetime.timedelta(days=d),
                    note="车位",
                    evidence="票",
                    created_by=admin,
                )
            )
        team = VolunteerTeam.objects.create(place=estate, name="志愿队", colour="#d0021b")
        for e in range(7):
            events.append(
                ServiceEvent(
                    team=team,
                    estate=estate,
                    title="服务",
                    on_date=today - datetime.timedelta(days=e * 20),
                    hours=Decimal("2.0"),
                    created_by=admin,
                )
            )
        patrols.append(
            EnforcementPatrol(
                estate=estate, on_date=today - datetime.timedelta(days=30), members="执法队", created_by=admin
            )
        )
        visits.append(
            ReceptionVisit(
                estate=estate,
                leader="镇领导",
                on_date=today - datetime.timedelta(days=20),
                attendance=15,
                created_by=admin,
            )
        )
    MicroProject.objects.bulk_create(works, batch_size=2000)
    RevenueEntry.objects.bulk_create(revenue, batch_size=2000)
    ServiceEvent.objects.bulk_create(events, batch_size=2000)
    EnforcementPatrol.objects.bulk_create(patrols)
    ReceptionVisit.objects.bulk_create(visits)
    for event in ServiceEvent.objects.all():
        participations.append(Participation(event=event, person=person, hours=Decimal("2.0")))
    Participation.objects.bulk_create(participations, batch_size=2000)
    for patrol in EnforcementPatrol.objects.all():
        for outcome in ("fixed_on_spot", "penalized", "fixed_on_spot"):
            problems.append(
                PatrolProblem(
                    patrol=patrol, description="乱堆", outcome=outcome, penalty="罚款" if outcome == "penalized" else ""
                )
            )
    PatrolProblem.objects.bulk_create(problems)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"data set: {args.estates} estates, {FundEntry.objects.count()} fund entries, {len(works)} micro-works, "
        f"{len(revenue)} revenue lines, {len(events)} events; built in {time.perf_counter() - started:.1f} s ({connection.vendor})"
    )

    timings = {"contribute": [], "grant": []}
    for _ in range(50):
        t = time.perf_counter()
        funds.fund_contribute(
            fund=fund,
            source="resident",
            amount="100.00",
            counterparty="居民",
            on_date=today,
            evidence="R",
            acting_user=admin,
        )
        timings["contribute"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        funds.fund_grant(
            fund=fund,
            amount="50.00",
            purpose="p",
            estate=estates[0],
            counterparty="c",
            on_date=today,
            evidence="J",
            acting_user=admin,
        )
        timings["grant"].append((time.perf_counter() - t) * 1000)
    for name, values in timings.items():
        print(f"{name}: p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms")

    keys = [k for k in REGISTRY if k.startswith(("funds.", "works.", "volunteers."))]
    period = Period(today - datetime.timedelta(days=150), today + datetime.timedelta(days=1))
    counts = {}
    for label, chosen in (("10 communities", communities), (f"{len(estates) + 10} places", communities + estates)):
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            for key in keys:
                REGISTRY[key].compute_many(chosen, period)
            elapsed = (time.perf_counter() - t) * 1000
        counts[label] = len(queries)
        print(f"{len(keys)} indicators for {label}: {len(queries)} queries, {elapsed:.0f} ms")
    assert len(set(counts.values())) == 1, counts
    whole = {
        key: REGISTRY[key].compute(sub, period).value
        for key in ("works.planned", "works.done", "works.done_rate", "volunteers.patrol_penalties", "funds.leverage")
    }
    print("subdistrict figures:", {k: str(v) for k, v in whole.items()})
    total = sum((e.amount for e in FundEntry.objects.filter(fund=fund).only("amount")), Decimal("0"))
    assert funds.fund_balance(fund) == total, (funds.fund_balance(fund), total)
    print(f"balance {funds.fund_balance(fund)} = sum of {FundEntry.objects.filter(fund=fund).count()} entries")


if __name__ == "__main__":
    main()
