"""Import a workbook of 10,000 flats in 20 estates through the same service as the import page.

Run: .venv/bin/python bench/import_flats.py [--flats 10000] [--estates 20]

Builds a fresh database (SQLite in a temporary file unless DATABASE_URL is set, in which case a
``bench_…`` database is created next to it and dropped afterwards), registers one subdistrict
and one community, writes the workbook with openpyxl, then imports it twice: the first import
creates everything, the second must change nothing. Prints rows/second and peak memory (the process's maximum resident set size).
"""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT_SECONDS = 10.0


def configure_database() -> str | None:
    """Point Django at a throwaway database; return the PostgreSQL database name to drop."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = f"bench_import_{os.getpid()}"
        base, _, _ = url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/{name}"
        return name
    handle, path = tempfile.mkstemp(suffix=".sqlite3", prefix="gongzhi-bench-")
    os.close(handle)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return None


def build_workbook(flats: int, estates: int) -> bytes:
    from openpyxl import Workbook

    from gongzhi.places.excel import HEADERS

    book = Workbook(write_only=True)
    sheet = book.create_sheet("房屋")
    sheet.append(HEADERS)
    per_estate = flats // estates
    for e in range(estates):
        for i in range(per_estate):
            building = i // 100 + 1
            floor = (i % 100) // 4 + 1
            unit = i % 4 + 1
            n = e * per_estate + i
            owner = ["", "", ""]
            if n % 10:  # nine flats in ten have a registered owner
                owner = [f"业主{n}", f"139{n:08d}", ""]
            sheet.append(
                [
                    "基准社区",
                    f"基准{e + 1}小区",
                    f"{building}号楼",
                    f"{floor}{unit:02d}",
                    60 + (n % 80) + 0.25,
                    "登记面积",
                    "已交付",
                    *owner,
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flats", type=int, default=10_000)
    parser.add_argument("--estates", type=int, default=20)
    args = parser.parse_args()

    pg_name = configure_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if pg_name:
        import psycopg

        admin = os.environ["DATABASE_URL"].rpartition("/")[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
    try:
        call_command("migrate", verbosity=0)
        run(args.flats, args.estates)
    finally:
        connection.close()
        if pg_name:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
        else:
            db_path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
            for suffix in ("", "-wal", "-shm"):
                Path(db_path + suffix).unlink(missing_ok=True)


def run(flats: int, estates: int) -> None:
    from django.db import connection

    from gongzhi.accounts.models import User
    from gongzhi.places import services
    from gongzhi.places.models import Flat

    admin = User.objects.create_superuser(username="bench", password="bench-password-123")
    subdistrict = services.place_create(kind="subdistrict", name="基准街道", parent=None)
    services.place_create(kind="community", name="基准社区", parent=subdistrict)

    started = time.perf_counter()
    data = build_workbook(flats, estates)
    print(
        f"workbook: {flats} flats in {estates} estates, {len(data) / 1024:.0f} KiB, "
        f"written in {time.perf_counter() - started:.2f} s"
    )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    cpu_started = time.process_time()
    report = services.flats_import(workbook=io.BytesIO(data), acting_user=admin, apply=True)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert report.ok, report.errors[:5]
    assert Flat.objects.count() == flats
    print(f"database: {connection.vendor}")
    print(
        f"first import: {report.rows} rows in {elapsed:.2f} s = {report.rows / elapsed:,.0f} rows/s; "
        f"created {report.estates_created} estates, {report.buildings_created} buildings, "
        f"{report.flats_created} flats, {report.persons_created} owners"
    )
    # On a busy machine wall time includes waiting for a core; CPU time of this process does not
    # (the database's own work is inside it for SQLite, outside it for PostgreSQL).
    print(f"CPU time of the import: {cpu:.2f} s; load average now {os.getloadavg()[0]:.1f}")
    print(f"peak resident memory: {rss_before:.0f} MiB before, {rss_after:.0f} MiB after the import")

    # The second import reads and checks the same file and must change nothing.
    started = time.perf_counter()
    again = services.flats_import(workbook=io.BytesIO(data), acting_user=admin, apply=True)
    elapsed_again = time.perf_counter() - started
    assert again.ok and again.changes == 0, again.counts()
    print(
        f"re-import of the same file: {elapsed_again:.2f} s = {again.rows / elapsed_again:,.0f} rows/s, "
        f"{again.flats_unchanged} flats unchanged, {again.changes} changes"
    )
    verdict = "OK" if elapsed < LIMIT_SECONDS else "TOO SLOW"
    print(f"limit {LIMIT_SECONDS:.0f} s: {verdict}")
    if elapsed >= LIMIT_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    main()
