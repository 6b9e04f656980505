"""Soak: a mixed load against the production configuration (gunicorn, production settings, demo
data) on 127.0.0.1 for a bounded time. Residents report and follow their cases, staff work their
queues and open cases, others look at dashboards. Reports errors (must be 0), throughput, p50/p95
per kind of request and the memory (RSS) of each gunicorn worker at the start and the end.

    .venv/bin/python bench/soak.py [--seconds 120] [--workers 3] [--residents 8 --staff 4 --viewers 2]

Requests carry X-Forwarded-Proto and X-Forwarded-For as nginx would send them; each simulated
resident comes from its own address, so the per-address rate limits stay as in production. Only
endpoints that exist when it runs are used (the warm-up asks each once and lists what it left out).
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from prodserver import ProductionServer, rss_kib  # noqa: E402


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.errors = defaultdict(int)
        self.samples = []

    def record(self, name, seconds, ok, detail=""):
        with self.lock:
            self.latency[name].append(seconds)
            if not ok:
                self.errors[name] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{name}: {detail}")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def ids_from_database(database_url):
    """Look up the ids the load needs (estates of the demo residents, cases, places) directly."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from gongzhi.accounts.models import Ownership
    from gongzhi.places.models import Place

    estate = Ownership.objects.filter(person__user__username="resident").values_list("flat__estate_id", flat=True)
    subdistricts = list(Place.objects.filter(kind="subdistrict").values_list("id", flat=True))
    estates = list(Place.objects.filter(kind="estate").values_list("id", flat=True)[:20])
    return {"resident_estate": estate.first(), "subdistricts": subdistricts, "estates": estates}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--residents", type=int, default=8)
    parser.add_argument("--staff", type=int, default=4)
    parser.add_argument("--viewers", type=int, default=2)
    parser.add_argument("--report-every", type=float, default=3.0, help="seconds a resident waits between reports")
    args = parser.parse_args()

    began = time.perf_counter()
    folder_url = None
    # The simulated residents share the demo's one resident account, so its per-account limit on
    # reports (20 an hour in production) is raised for the run; every other limit stays.
    extra = {"GONGZHI_RATE_CASE_REPORT": "1000000/h"}
    with ProductionServer(workers=args.workers, demo=True, extra_env=extra) as server:
        folder_url = server.env["DATABASE_URL"]
        setup_seconds = time.perf_counter() - began
        ids = ids_from_database(folder_url)
        stats = Stats()
        sessions = {
            name: server.login(name) for name in ("resident", "steward", "community_worker", "subdistrict_admin")
        }

        def get(name, path, cookies, address):
            started = time.perf_counter()
            try:
                status, _h, body, _c = server.request(
                    "GET", path, cookies=cookies, headers={"X-Forwarded-For": address}
                )
                stats.record(name, time.perf_counter() - started, status == 200, f"{status} {path}")
                return status, body
            except OSError as error:
                stats.record(name, time.perf_counter() - started, False, f"{error!r} {path}")
                return 0, b""

        # Which pages and API endpoints exist now (others are being built): ask each once.
        resident_pages = ["/", "/cases/", "/cases/new/", "/privacy/", "/api/v1/cases/?limit=20"]
        staff_pages = [
            "/cases/queue/",
            "/api/v1/cases/?queue=mine&limit=20",
            "/api/v1/cases/?limit=50",
            "/cases/boards/",
            "/places/",
            "/notifications/",
        ]
        estate = ids["resident_estate"]
        dashboards = ["/dashboard/", "/api/v1/indicators/definitions"]
        for place in ids["subdistricts"][:2] + ids["estates"][:3]:
            dashboards.append(f"/api/v1/indicators/figures?place={place}")
            dashboards.append(f"/dashboard/?place={place}")
        left_out = []

        def available(paths, cookies):
            kept = []
            for path in paths:
                status, _h, _b, _c = server.request("GET", path, cookies=cookies)
                (kept if status == 200 else left_out).append(path if status == 200 else f"{path} ({status})")
            return kept

        resident_pages = available(resident_pages, sessions["resident"])
        staff_pages = available(staff_pages, sessions["steward"]) or available(
            staff_pages, sessions["community_worker"]
        )
        dashboards = available(dashboards, sessions["subdistrict_admin"])
        report_path = "/api/v1/cases/"
        status, _h, body, _c = server.post_json(
            report_path, {"estate": estate, "description": "预热：单元门禁失灵", "channel": "app"}, sessions["resident"]
        )
        can_report = status in (200, 201)
        if not can_report:
            left_out.append(f"POST {report_path} ({status} {body[:120]!r})")

        # Warm every worker on every endpoint (imports, caches, first queries) before the first
        # memory reading, so growth measured afterwards is growth under load.
        for _ in range(args.workers * 4):
            for path in resident_pages:
                server.request("GET", path, cookies=sessions["resident"])
            for path in staff_pages:
                server.request("GET", path, cookies=sessions["steward"])
            for path in dashboards:
                server.request("GET", path, cookies=sessions["subdistrict_admin"])
        rss_start = {pid: rss_kib(pid) for pid in server.worker_pids()}

        stop_at = time.monotonic() + args.seconds
        addresses = [f"10.{n // 250}.{n % 250}.{random.randint(1, 250)}" for n in range(1, 400)]  # noqa: S311

        def resident_loop(number):
            rng = random.Random(number)  # noqa: S311
            cookies = sessions["resident"]
            next_report = time.monotonic() + rng.uniform(0, args.report_every)
            while time.monotonic() < stop_at:
                address = rng.choice(addresses)
                if can_report and time.monotonic() >= next_report:
                    started = time.perf_counter()
                    try:
                        status, _h, body, _c = server.post_json(
                            report_path,
                            {
                                "estate": estate,
                                "description": f"第{rng.randint(1, 30)}号楼楼道灯不亮",
                                "channel": "app",
                            },
                            {**cookies},
                        )
                        ok = status in (200, 201)
                        stats.record(
                            "resident: report a case (API)",
                            time.perf_counter() - started,
                            ok,
                            f"{status} {body[:200]!r}",
                        )
                    except OSError as error:
                        stats.record("resident: report a case (API)", time.perf_counter() - started, False, repr(error))
                    next_report = time.monotonic() + args.report_every
                elif resident_pages:
                    path = rng.choice(resident_pages)
                    get(f"resident: GET {path.split('?')[0]}", path, cookies, address)
                time.sleep(rng.uniform(0, 0.05))

        def staff_loop(number):
            rng = random.Random(1000 + number)  # noqa: S311
            cookies = sessions["steward" if number % 2 == 0 else "community_worker"]
            while time.monotonic() < stop_at and staff_pages:
                path = rng.choice(staff_pages)
                get(f"staff: GET {path.split('?')[0]}", path, cookies, rng.choice(addresses))
                time.sleep(rng.uniform(0, 0.05))

        def viewer_loop(number):
            rng = random.Random(2000 + number)  # noqa: S311
            cookies = sessions["subdistrict_admin"]
            while time.monotonic() < stop_at and dashboards:
                path = rng.choice(dashboards)
                get(f"dashboard: GET {path.split('?')[0]}", path, cookies, rng.choice(addresses))
                time.sleep(rng.uniform(0, 0.1))

        threads = (
            [threading.Thread(target=resident_loop, args=(n,)) for n in range(args.residents)]
            + [threading.Thread(target=staff_loop, args=(n,)) for n in range(args.staff)]
            + [threading.Thread(target=viewer_loop, args=(n,)) for n in range(args.viewers)]
        )
        load_began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - load_began
        rss_end = {pid: rss_kib(pid) for pid in server.worker_pids()}
        workers_now = server.worker_pids()

    total = sum(len(v) for v in stats.latency.values())
    errors = sum(stats.errors.values())
    all_latency = [x for values in stats.latency.values() for x in values]
    print(f"Soak: {args.seconds}s of load, gunicorn {args.workers} workers (production settings, SQLite, demo data)")
    print(f"  clients: {args.residents} residents, {args.staff} staff, {args.viewers} dashboard viewers")
    print(f"  setup (migrate, demo, collectstatic, start): {setup_seconds:.1f}s")
    if left_out:
        print(f"  left out (not answering 200 yet): {', '.join(left_out)}")
    print(f"  requests: {total}  errors: {errors}  throughput: {total / elapsed:.1f} req/s")
    if all_latency:
        print(
            f"  latency all: p50 {statistics.median(all_latency) * 1000:.0f} ms, "
            f"p95 {percentile(all_latency, 0.95) * 1000:.0f} ms"
        )
    for name in sorted(stats.latency):
        values = stats.latency[name]
        print(
            f"    {name:<48} n={len(values):>6}  p50 {statistics.median(values) * 1000:6.0f} ms  "
            f"p95 {percentile(values, 0.95) * 1000:6.0f} ms  errors {stats.errors[name]}"
        )
    print("  worker memory (RSS):")
    for pid in sorted(set(rss_start) | set(rss_end)):
        start, end = rss_start.get(pid), rss_end.get(pid)
        if start and end:
            print(
                f"    pid {pid}: start {start / 1024:.1f} MiB, end {end / 1024:.1f} MiB, growth {(end - start) / 1024:+.1f} MiB"
            )
        else:
            print(f"    pid {pid}: start {start}, end {end} (worker replaced during the run)")
    if sorted(workers_now) != sorted(rss_start):
        print("  NOTE: the set of workers changed during the run (a worker was restarted)")
    for sample in stats.samples:
        print(f"  error sample: {sample}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
