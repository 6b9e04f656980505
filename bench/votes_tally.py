"""The live tally of an owners' vote on a large estate.

Run: .venv/bin/python bench/votes_tally.py [--flats 10000] [--ballots 8000] [--changes 500] [--rounds 300]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/gz_bench_votes .venv/bin/python bench/votes_tally.py

1. Builds a fresh data set: one estate of 10,000 flats in 50 buildings with registered, surveyed or
   contract areas; 200 flats unsold (the developer, one owner together), 100 buyers of two flats,
   200 flats held jointly by two owners. Without DATABASE_URL it uses a new SQLite file in var/;
   with a PostgreSQL URL the named database is dropped and created again (use a bench database).
2. Opens a vote (freezing the roll) and enters 8,000 paper ballots through the teller service,
   then 500 changed votes (new rows superseding the old ones), each appended to the hash chain.
   Opening notifies every owner on the roll (inbox and outbox); prints its time and query count.
3. Measures the live tally (``selectors.vote_result``: the running totals kept with every ballot,
   read afresh in one query, then exact arithmetic) over many rounds and prints
   p50/p95 (floor: p95 < 50 ms); also a full recount from the 8,500 ballot rows (what closing
   does), the pure reference over the full roll, and the chain verification; checks that all
   three agree. Then closes the vote (the result notice to every owner) and prints its time.
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
SQLITE = ROOT / "var" / "bench_votes.sqlite3"


def configure_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        SQLITE.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE}"
        os.environ["DATABASE_URL"] = url
        return url
    if url.startswith("postgres"):
        import psycopg

        parts = urllib.parse.urlparse(url)
        name = parts.path.lstrip("/")
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    return url


def build(flats_total: int):
    from gongzhi.accounts.models import Ownership, Person, User
    from gongzhi.places import services as places
    from gongzhi.places.models import Flat

    admin = User.objects.create_superuser("bench-admin", password="bench-pw")  # noqa: S106
    Person.objects.create(name="计票人", user=admin)
    sub = places.place_create(kind="subdistrict", name="基准街道", parent=None, subdistrict_kind="street")
    community = places.place_create(kind="community", name="基准社区", parent=sub)
    estate = places.place_create(kind="estate", name="万户小区", parent=community, estate_kind="commodity")
    buildings = [places.place_create(kind="building", name=f"{b}号楼", parent=estate) for b in range(1, 51)]
    rng = random.Random(7)
    per_building = flats_total // len(buildings)
    flats = []
    for building in buildings:
        for n in range(per_building):
            flats.append(
                Flat(
                    building=building,
                    estate=estate,
                    number=f"{n // 4 + 1:02d}{n % 4 + 1:02d}",
                    area_m2=Decimal(rng.randint(4500, 16000)) / 100,
                    area_source=rng.choice(["registered"] * 8 + ["surveyed", "contract"]),
                )
            )
    Flat.objects.bulk_create(flats, batch_size=2000)
    flat_ids = list(Flat.objects.filter(estate=estate).order_by("id").values_list("id", flat=True))
    unsold = flat_ids[:200]
    Flat.objects.filter(id__in=unsold).update(delivery_status="unsold")
    sold = flat_ids[200:]
    # Every owner has a login with an e-mail address, so opening the vote notifies each of them
    # in the inbox and queues an e-mail in the outbox (the default channel).
    User.objects.bulk_create(
        [User(username=f"owner{i}", email=f"owner{i}@example.org", password="!") for i in range(len(sold))],
        batch_size=2000,
    )
    user_ids = dict(User.objects.filter(username__startswith="owner").values_list("username", "id"))
    persons = Person.objects.bulk_create(
        [Person(name=f"业主{i}", user_id=user_ids[f"owner{i}"]) for i in range(len(sold))], batch_size=2000
    )
    person_ids = (
        [p.id for p in persons]
        if persons[0].id
        else list(Person.objects.filter(name__startswith="业主").order_by("id").values_list("id", flat=True))
    )
    ownerships = []
    for index, flat_id in enumerate(sold):
        owner = person_ids[index]
        if index < 100:  # the first 100 buyers also own the next flat
            ownerships.append(Ownership(person_id=owner, flat_id=sold[index + 100]))
        if 100 <= index < 200:
            continue  # owned by a buyer of two flats
        ownerships.append(Ownership(person_id=owner, flat_id=flat_id))
        if 200 <= index < 400:  # jointly with a spouse
            ownerships.append(Ownership(person_id=person_ids[index + 1000], flat_id=flat_id))
    Ownership.objects.bulk_create(ownerships, batch_size=2000)
    return admin, estate


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flats", type=int, default=10_000)
    parser.add_argument("--ballots", type=int, default=8_000)
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    url = configure_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from gongzhi.elections import selectors, services
    from gongzhi.elections.models import RollEntry

    print(f"database: {url.split('@')[-1] if '@' in url else url}")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    admin, estate = build(args.flats)
    print(f"built {args.flats} flats in {time.perf_counter() - started:.1f} s")

    now = timezone.now()
    started = time.perf_counter()
    vote = services.vote_create(
        estate=estate,
        title="续聘物业服务企业",
        matter="property_manager",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=7),
        acting_user=admin,
        allow_online=False,
    )
    print(f"draft vote with its roll built in {time.perf_counter() - started:.1f} s")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.notifications.models import Notification, OutboxMessage

    started, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as opening:
        vote = services.vote_open(vote=vote, acting_user=admin, now=now - datetime.timedelta(days=20))
    opening_cpu = time.process_time() - cpu
    told = Notification.objects.filter(kind="vote_opening").count()
    from gongzhi.accounts.models import User

    owners_with_login = User.objects.filter(person__ownerships__isnull=False).distinct().count()
    print(
        f"opened (roll frozen, owners notified) in {time.perf_counter() - started:.1f} s "
        f"({opening_cpu:.1f} s CPU in this process) with {len(opening)} queries: "
        f"{vote.total_owners} owners, {vote.total_flats} flats, {vote.total_area} m², "
        f"fingerprint {vote.roll_fingerprint[:16]}…; {told} inbox messages (owners with a login: {owners_with_login}), "
        f"{OutboxMessage.objects.filter(notification__kind='vote_opening').count()} e-mails queued"
    )
    started = time.perf_counter()
    again = services.vote_owners_notify(vote=vote, notice=services.NOTICE_OPENING)
    print(f"notifying again (the periodic job) told {again} owners in {(time.perf_counter() - started) * 1000:.0f} ms")

    rng = random.Random(11)
    entries = list(RollEntry.objects.filter(vote=vote).order_by("id"))
    chosen = rng.sample(entries, min(args.ballots, len(entries)))
    started = time.perf_counter()
    for index, entry in enumerate(chosen):
        services.paper_ballot_enter(
            vote=vote,
            entry=entry,
            acting_user=admin,
            serial=f"P{index:06d}",
            choice=rng.choice(["yes", "yes", "yes", "no", "abstain"]),
        )
    for index, entry in enumerate(chosen[: args.changes]):
        services.paper_ballot_enter(
            vote=vote, entry=entry, acting_user=admin, serial=f"C{index:06d}", choice=rng.choice(["no", "yes"])
        )
    elapsed = time.perf_counter() - started
    count = len(chosen) + min(args.changes, len(chosen))
    print(f"entered {count} ballots in {elapsed:.1f} s ({elapsed / count * 1000:.1f} ms each, hash-chained)")

    from gongzhi.elections.models import Vote

    vote = Vote.objects.select_related("estate").get(pk=vote.pk)
    timings = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        result = selectors.vote_result(vote)  # reads the running totals afresh: one query
        result.as_dict()
        timings.append((time.perf_counter() - t0) * 1000)
    p50, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(f"live tally over {args.rounds} rounds: p50 {p50:.1f} ms, p95 {p95:.1f} ms (floor p95 < 50 ms)")
    recounts = []
    for _ in range(20):
        t0 = time.perf_counter()
        recount = selectors.vote_recount(vote)
        recounts.append((time.perf_counter() - t0) * 1000)
    print(
        f"full recount from the ballots (20 rounds): p50 {statistics.median(recounts):.1f} ms, "
        f"p95 {percentile(recounts, 0.95):.1f} ms; agrees with the live tally: {recount.as_dict() == result.as_dict()}"
    )
    print(
        f"  participation: area {result.participation_area.fraction_text} = {result.participation_area.percent}, "
        f"owners {result.participation_owners.fraction_text} = {result.participation_owners.percent}; "
        f"consent: area {result.consent_area.percent}, owners {result.consent_owners.percent}; passed {result.passed}"
    )
    t0 = time.perf_counter()
    reference = selectors.reference_result(vote)
    print(
        f"pure reference over the full roll: {(time.perf_counter() - t0) * 1000:.1f} ms; agrees: {reference.as_dict() == result.as_dict()}"
    )
    t0 = time.perf_counter()
    check = selectors.verify_chain(vote)
    print(
        f"hash chain of {check.ballots} ballots verified in {(time.perf_counter() - t0) * 1000:.0f} ms: ok={check.ok}"
    )
    started, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as closing:
        vote = services.vote_close(vote=vote, acting_user=admin, note="基准测试")
    print(
        f"closed (recount, result published, owners notified) in {time.perf_counter() - started:.1f} s "
        f"({time.process_time() - cpu:.1f} s CPU in this process) with "
        f"{len(closing)} queries; {Notification.objects.filter(kind='vote_result').count()} result messages"
    )
    if (
        p95 >= 50
        or reference.as_dict() != result.as_dict()
        or recount.as_dict() != result.as_dict()
        or not check.ok
        or again
        or told != owners_with_login
    ):
        sys.exit(1)


if __name__ == "__main__":
    main()
