"""The case roll-ups: how they are kept and how the dashboards read them.

Keeping (``refresh``): a case's counts depend on the case row (state, estate, category,
responsible party, deadline, resolved_at) and its events. The watermark in ``RollupState`` is the
highest event id and case id already folded in. A refresh finds the cases created or given an event
since then (plus a look-back of ``LOOKBACK_EVENTS`` ids, for transactions that committed late),
collects their buckets — (estate, day taken in) for ``CaseDay``, (estate, month) for
``CaseMonthBreakdown`` — and recomputes those buckets whole from the raw records. Recomputing a
bucket is idempotent, so running the job twice changes nothing.

Reading (``FAST``): for each case indicator, a function with the same signature as its
``compute_many`` that sums the roll-up rows of the places asked for (one query, rows = estates, not
cases). ``gongzhi/indicators/tests/test_rollups.py`` recomputes every figure naively on a random
fixture and compares.
"""

import dataclasses
import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q, Subquery, Sum
from django.utils import timezone

from gongzhi.indicators.models import CaseDay, CaseMonthBreakdown, Dimension, RollupState
from gongzhi.indicators.registry import Figure, Period
from gongzhi.indicators.scope import PlaceScope, shared

LOOKBACK_EVENTS = 500
COUNTS = CaseDay.COUNTS
STATE_NAME = "cases"


def enabled() -> bool:
    return settings.GONGZHI.get("INDICATOR_ROLLUPS", True)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _day_bounds(first: datetime.date, last_exclusive: datetime.date):
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(first, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(last_exclusive, datetime.time(), tzinfo=tz),
    )


def case_counts(cases: list[dict], events: dict[int, list]) -> dict[int, dict]:
    """Each case's contribution (a dict of 0/1 counts and its rating), from its row and its events
    in time order — the same rules as ``gongzhi.cases.indicators``."""
    from gongzhi.cases.indicators import RESPONSE_KINDS
    from gongzhi.cases.models import EventKind

    limit = datetime.timedelta(hours=settings.GONGZHI.get("CASE_RESPONSE_HOURS", 24))
    result = {}
    for case in cases:
        dispatched = responded = review = None
        for kind, at, rating, solved in events.get(case["id"], ()):
            if kind in (EventKind.DISPATCHED, EventKind.TRANSFERRED):
                if dispatched is None:
                    dispatched = at
            elif kind in RESPONSE_KINDS:
                if dispatched is not None and responded is None:
                    responded = at
            elif kind == EventKind.REVIEWED:
                review = (rating, solved)
        counts = dict.fromkeys(COUNTS, 0)
        counts["received"] = 1
        if dispatched is not None:
            counts["dispatched"] = 1
            counts["responded"] = int(responded is not None and responded - dispatched <= limit)
        if review is not None:
            rating, solved = review
            counts["reviewed"] = 1
            counts["solved"] = int(bool(solved))
            if rating in ("satisfied", "basically_satisfied", "dissatisfied"):
                counts[rating] = 1
        if case["resolved_at"] is not None and case["deadline"] is not None:
            counts["resolved"] = 1
            counts["on_time"] = int(case["resolved_at"] <= case["deadline"])
        result[case["id"]] = counts
    return result


def _cases_and_events(case_q: Q):
    """The cases matching ``case_q`` that the figures count, and their events (two queries)."""
    from gongzhi.cases.indicators import EXCLUDED, RESPONSE_KINDS
    from gongzhi.cases.models import Case, CaseEvent, EventKind

    cases = list(
        Case.objects.filter(case_q)
        .exclude(state__in=EXCLUDED)
        .values("id", "estate_id", "created_at", "resolved_at", "deadline", "category_id", "responsible_id")
    )
    events: dict[int, list] = defaultdict(list)
    kinds = (EventKind.DISPATCHED, EventKind.TRANSFERRED, *RESPONSE_KINDS, EventKind.REVIEWED)
    ids = [case["id"] for case in cases]
    # By explicit ids, in chunks: an index lookup per case, whatever the size of the event ledger.
    for first in range(0, len(ids), 2000):
        rows = (
            CaseEvent.objects.filter(case_id__in=ids[first : first + 2000], kind__in=kinds)
            .order_by("case_id", "at", "id")
            .values_list("case_id", "kind", "at", "rating", "solved")
        )
        for case_id, kind, at, rating, solved in rows:
            events[case_id].append((kind, at, rating, solved))
    return cases, events


def _rebuild_months(estate_ids: set[int], month: datetime.date) -> int:
    """Recompute the month breakdown rows of ``estate_ids`` for ``month`` and their day rows."""
    nxt = (month + datetime.timedelta(days=32)).replace(day=1)
    start, end = _day_bounds(month, nxt)
    cases, events = _cases_and_events(Q(estate_id__in=estate_ids, created_at__gte=start, created_at__lt=end))
    per_case = case_counts(cases, events)
    day_sums: dict[tuple, dict] = {}
    month_sums: dict[tuple, dict] = {}
    for case in cases:
        on = _local_day(case["created_at"])
        counts = per_case[case["id"]]
        buckets = [(day_sums, (case["estate_id"], on))]
        for dimension, key in (
            (Dimension.TOTAL, 0),
            (Dimension.CATEGORY, case["category_id"]),
            (Dimension.RESPONSIBLE, case["responsible_id"]),
        ):
            buckets.append((month_sums, (case["estate_id"], month, dimension, key or 0)))
        for target, bucket in buckets:
            sums = target.setdefault(bucket, dict.fromkeys(COUNTS, 0))
            for name in COUNTS:
                sums[name] += counts[name]
    CaseDay.objects.filter(estate_id__in=estate_ids, day__gte=month, day__lt=nxt).delete()
    CaseMonthBreakdown.objects.filter(estate_id__in=estate_ids, month=month).delete()
    CaseDay.objects.bulk_create(
        [CaseDay(estate_id=estate, day=on, **sums) for (estate, on), sums in day_sums.items()], batch_size=2000
    )
    CaseMonthBreakdown.objects.bulk_create(
        [
            CaseMonthBreakdown(estate_id=estate, month=on, dimension=dimension, key=key, **sums)
            for (estate, on, dimension, key), sums in month_sums.items()
        ],
        batch_size=2000,
    )
    return len(day_sums) + len(month_sums)


def _watermarks() -> tuple[int, int]:
    from gongzhi.cases.models import Case, CaseEvent

    top_event = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    top_case = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return top_event, top_case


def is_fresh() -> bool:
    """Whether the watermark is the newest event and case (one query: the state row with the two
    highest ids beside it)."""
    from gongzhi.cases.models import Case, CaseEvent

    state = (
        RollupState.objects.filter(name=STATE_NAME)
        .annotate(
            top_event=Subquery(CaseEvent.objects.order_by("-id").values("id")[:1]),
            top_case=Subquery(Case.objects.order_by("-id").values("id")[:1]),
        )
        .values_list("last_event_id", "last_case_id", "top_event", "top_case")
        .first()
    )
    if state is None:
        return False
    last_event, last_case, top_event, top_case = state
    return (last_event, last_case) == (top_event or 0, top_case or 0)


# Above this many new cases and events, PostgreSQL rebuilds the touched buckets set-based (a few
# INSERT … SELECT … GROUP BY statements) instead of case by case in Python.
SQL_THRESHOLD = 20000


def _use_sql(method: str | None, changes: int, full: bool) -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    if method is not None:
        return method == "sql"
    return full or changes > SQL_THRESHOLD


def refresh(now: datetime.datetime | None = None, *, full: bool = False, method: str | None = None) -> int:
    """Fold the cases and events since the watermark into the roll-ups; with ``full``, rebuild
    every month that has cases. Returns the number of buckets written.

    On PostgreSQL a full rebuild, or a refresh with many changes, runs set-based (``_rebuild_sql``);
    otherwise (SQLite, the usual few minutes of changes) bucket by bucket in Python. ``method``
    ("python" or "sql") forces one of the two (tests compare them)."""
    from gongzhi.cases.models import Case, CaseEvent

    now = now or timezone.now()
    with transaction.atomic():
        state, _created = RollupState.objects.select_for_update().get_or_create(name=STATE_NAME)
        top_event, top_case = _watermarks()
        if not full and (state.last_event_id, state.last_case_id) == (top_event, top_case):
            return 0
        full = full or (state.last_event_id, state.last_case_id) == (0, 0)  # nothing folded in yet
        changes = (top_case - state.last_case_id) + (top_event - state.last_event_id)
        if _use_sql(method, changes, full):
            written = _rebuild_sql(None if full else (state.last_case_id, state.last_event_id))
            state.last_event_id, state.last_case_id, state.refreshed_at = top_event, top_case, now
            state.save()
            return written
        buckets: dict[datetime.date, set[int]] = defaultdict(set)

        def collect(queryset):
            for estate_id, created_at in queryset.values_list("estate_id", "created_at").iterator(chunk_size=10000):
                buckets[_month(_local_day(created_at))].add(estate_id)

        if full:
            collect(Case.objects.all())
        else:
            # New cases by id range, then the older cases that got events: two index range scans
            # (never an IN-subquery over the ledger, which planners may run once per case row).
            collect(Case.objects.filter(id__gt=state.last_case_id))
            changed = set(
                CaseEvent.objects.filter(
                    id__gt=max(0, state.last_event_id - LOOKBACK_EVENTS), case_id__lte=state.last_case_id
                ).values_list("case_id", flat=True)
            )
            ordered = sorted(changed)
            for first in range(0, len(ordered), 5000):
                collect(Case.objects.filter(id__in=ordered[first : first + 5000]))
        written = 0
        for month, estate_ids in sorted(buckets.items()):
            written += _rebuild_months(estate_ids, month)
        state.last_event_id, state.last_case_id, state.refreshed_at = top_event, top_case, now
        state.save()
    return written


def _rebuild_sql(since: tuple[int, int] | None) -> int:
    """PostgreSQL: recompute the roll-ups set-based, the same rules as ``case_counts``. With
    ``since`` = (last case id, last event id) only the (estate, month) buckets of the cases created
    or given an event since then; without, every bucket. Temporary tables, one pass per step:

    1. the cases counted (not merged or rejected) with their local day (``rollup_cases``);
    2. per case, from its rate events: the first dispatch or transfer (time, and (time, id) as the
       events' order), the last review ((time, id)) (``rollup_firsts``);
    3. per case, the time of the first response after that dispatch (``rollup_responses``);
    4. per case, its 0/1 counts (``rollup_counts``), then one INSERT … SELECT … GROUP BY for the day
       table and one per breakdown dimension.

    Everything happens in the caller's transaction: readers see the old rows until it commits."""
    from django.db import connection

    from gongzhi.cases.indicators import EXCLUDED, RESPONSE_KINDS
    from gongzhi.cases.models import EventKind

    tz = timezone.get_current_timezone_name()
    limit = datetime.timedelta(hours=settings.GONGZHI.get("CASE_RESPONSE_HOURS", 24))
    params = {
        "tz": tz,
        "limit": limit,
        "excluded": [str(state) for state in EXCLUDED],
        "dispatch": [str(EventKind.DISPATCHED), str(EventKind.TRANSFERRED)],
        "response": [str(kind) for kind in RESPONSE_KINDS],
        "reviewed": str(EventKind.REVIEWED),
    }
    params["kinds"] = params["dispatch"] + params["response"] + [params["reviewed"]]
    key = "ARRAY[(extract(epoch FROM e.at) * 1000000)::bigint, e.id]"
    sums = ", ".join(f"sum({name})" for name in COUNTS)
    columns = ", ".join(COUNTS)
    day_table = CaseDay._meta.db_table
    month_table = CaseMonthBreakdown._meta.db_table
    names = {"day_table": day_table, "month_table": month_table, "columns": columns, "sums": sums, "key": key}
    with connection.cursor() as cursor:

        def run(sql: str, params=None, **more) -> None:
            cursor.execute(sql.format(**names, **more), params)

        run("SET LOCAL work_mem = '256MB'")
        for table in ("rollup_buckets", "rollup_cases", "rollup_firsts", "rollup_responses", "rollup_counts"):
            run("DROP TABLE IF EXISTS {table}", table=table)
        if since is None:
            # A new empty file for each table (no dead rows for the unique checks to visit); the
            # lock it takes makes dashboards wait for the rebuild's commit instead of reading it half
            # done. A full rebuild is for after a bulk import or a change of the rules.
            # Rows written earlier in the same transaction (their foreign-key checks pending) forbid
            # the TRUNCATE: then delete them.
            try:
                with transaction.atomic():
                    run("TRUNCATE {day_table}, {month_table}")
            except OperationalError:
                run("DELETE FROM {day_table}")
                run("DELETE FROM {month_table}")
            bucket_join = ""
        else:
            last_case, last_event = since
            params["last_case"], params["last_event"] = last_case, max(0, last_event - LOOKBACK_EVENTS)
            run(
                """
                CREATE TEMP TABLE rollup_buckets ON COMMIT DROP AS
                SELECT estate_id, month
                FROM (
                    SELECT estate_id, date_trunc('month', created_at AT TIME ZONE %(tz)s)::date AS month
                    FROM cases_case WHERE id > %(last_case)s
                    UNION
                    SELECT c.estate_id, date_trunc('month', c.created_at AT TIME ZONE %(tz)s)::date
                    FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
                    WHERE e.id > %(last_event)s AND e.case_id <= %(last_case)s
                ) AS touched
                """,
                params,
            )
            run("ANALYZE rollup_buckets")
            run(
                "DELETE FROM {day_table} AS r USING rollup_buckets AS b WHERE r.estate_id = b.estate_id "
                "AND r.day >= b.month AND r.day < b.month + interval '1 month'"
            )
            run(
                "DELETE FROM {month_table} AS r USING rollup_buckets AS b "
                "WHERE r.estate_id = b.estate_id AND r.month = b.month"
            )
            # An equality join on (estate, local month): one hash probe per case.
            bucket_join = (
                "JOIN rollup_buckets AS b ON b.estate_id = c.estate_id "
                "AND b.month = date_trunc('month', c.created_at AT TIME ZONE %(tz)s)::date"
            )
        run(
            """
            CREATE TEMP TABLE rollup_cases ON COMMIT DROP AS
            SELECT c.id, c.estate_id, coalesce(c.category_id, 0) AS category_id,
                   coalesce(c.responsible_id, 0) AS responsible_id,
                   (c.created_at AT TIME ZONE %(tz)s)::date AS day,
                   (c.resolved_at IS NOT NULL AND c.deadline IS NOT NULL)::int AS resolved,
                   coalesce(c.resolved_at <= c.deadline, false)::int AS on_time
            FROM cases_case AS c {bucket_join}
            WHERE c.state <> ALL(%(excluded)s)
            """,
            params,
            bucket_join=bucket_join,
        )
        run("ANALYZE rollup_cases")
        run(
            """
            CREATE TEMP TABLE rollup_firsts ON COMMIT DROP AS
            SELECT e.case_id,
                   min(e.at) FILTER (WHERE e.kind = ANY(%(dispatch)s)) AS dispatched_at,
                   min({key}) FILTER (WHERE e.kind = ANY(%(dispatch)s)) AS dispatched_key,
                   max({key}) FILTER (WHERE e.kind = %(reviewed)s) AS review_key
            FROM cases_caseevent AS e JOIN rollup_cases AS c ON c.id = e.case_id
            WHERE e.kind = ANY(%(kinds)s)
            GROUP BY e.case_id
            """,
            params,
        )
        run("ANALYZE rollup_firsts")
        run(
            """
            CREATE TEMP TABLE rollup_responses ON COMMIT DROP AS
            SELECT e.case_id, min(e.at) AS responded_at
            FROM cases_caseevent AS e JOIN rollup_firsts AS f ON f.case_id = e.case_id
            WHERE f.dispatched_key IS NOT NULL AND e.kind = ANY(%(response)s) AND {key} > f.dispatched_key
            GROUP BY e.case_id
            """,
            params,
        )
        run("ANALYZE rollup_responses")
        run(
            """
            CREATE TEMP TABLE rollup_counts ON COMMIT DROP AS
            SELECT c.estate_id, c.day, c.category_id, c.responsible_id,
                   1 AS received,
                   (f.dispatched_at IS NOT NULL)::int AS dispatched,
                   coalesce(r.responded_at - f.dispatched_at <= %(limit)s, false)::int AS responded,
                   (v.id IS NOT NULL)::int AS reviewed,
                   coalesce(v.solved, false)::int AS solved,
                   (coalesce(v.rating, '') = 'satisfied')::int AS satisfied,
                   (coalesce(v.rating, '') = 'basically_satisfied')::int AS basically_satisfied,
                   (coalesce(v.rating, '') = 'dissatisfied')::int AS dissatisfied,
                   c.resolved, c.on_time
            FROM rollup_cases AS c
            LEFT JOIN rollup_firsts AS f ON f.case_id = c.id
            LEFT JOIN rollup_responses AS r ON r.case_id = c.id
            LEFT JOIN cases_caseevent AS v ON v.id = f.review_key[2]
            """,
            params,
        )
        run(
            "INSERT INTO {day_table} (estate_id, day, {columns}) "
            "SELECT estate_id, day, {sums} FROM rollup_counts GROUP BY estate_id, day ORDER BY estate_id, day"
        )
        written = cursor.rowcount
        for dimension, key_column in (
            (Dimension.TOTAL, "0"),
            (Dimension.CATEGORY, "category_id"),
            (Dimension.RESPONSIBLE, "responsible_id"),
        ):
            run(
                "INSERT INTO {month_table} (estate_id, month, dimension, key, {columns}) "
                "SELECT estate_id, date_trunc('month', day)::date, %s, {key_column}, {sums} FROM rollup_counts "
                "GROUP BY 1, 2, 4 ORDER BY 1, 2, 4",
                [str(dimension)],
                key_column=key_column,
            )
            written += cursor.rowcount
        for table in ("rollup_buckets", "rollup_cases", "rollup_firsts", "rollup_responses", "rollup_counts"):
            run("DROP TABLE IF EXISTS {table}", table=table)
    return written


def ensure_fresh() -> None:
    """Before a dashboard reads the roll-ups: catch up on what changed since the last job run
    (bounded by the changes, not by the ledger). Two index lookups when nothing changed; once per
    ``shared_facts`` block (a dashboard page)."""
    if enabled():
        shared(("rollups_fresh",), _catch_up)


def _catch_up() -> bool:
    if not is_fresh():
        refresh()
    return True


# Reading -----------------------------------------------------------------------------------------


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _split(period: Period) -> tuple[list[tuple], tuple | None]:
    """The period as day ranges (the partial months at either end) and one range of whole months."""
    first_full = period.start if period.start.day == 1 else _next_month(period.start)
    last_full = period.end.replace(day=1)  # exclusive
    if first_full >= last_full:
        return [(period.start, period.end)], None
    days = [(start, end) for start, end in ((period.start, first_full), (last_full, period.end)) if start < end]
    return days, (first_full, last_full)


def _estates_under(scope: PlaceScope) -> Q:
    """Roll-up rows of the estates at or under the places, as a filter on the estate ids (a
    subquery): the planner walks the roll-up index estate by estate instead of reading the whole
    city's rows of the period and joining each to its place to test the path."""
    from gongzhi.places.models import Place, PlaceKind

    return Q(estate_id__in=Place.objects.filter(scope.q("path"), kind=PlaceKind.ESTATE).values("id"))


def _sums_by_estate(places, period: Period) -> tuple[PlaceScope, list[dict]]:
    """Summed counts per estate: whole months from the month totals, the days at either end from
    the day table — at most estates × (months + 60) rows, whatever the number of cases."""
    scope = PlaceScope(places)
    sums = {name: Sum(name) for name in COUNTS}

    def query():
        days, months = _split(period)
        rows = []
        if days:
            day_q = Q()
            for start, end in days:
                day_q |= Q(day__gte=start, day__lt=end)
            rows += list(
                CaseDay.objects.filter(_estates_under(scope), day_q)
                .values("estate_id", "estate__path")
                .annotate(**sums)
            )
        if months:
            rows += list(
                CaseMonthBreakdown.objects.filter(
                    _estates_under(scope), dimension=Dimension.TOTAL, month__gte=months[0], month__lt=months[1]
                )
                .values("estate_id", "estate__path")
                .annotate(**sums)
            )
        return rows

    return scope, shared(("caseday", scope.key, period), query)


def place_sums(places, period: Period) -> dict[int, dict]:
    """For each place: the summed counts of the estates at or under it over the period."""
    scope, rows = _sums_by_estate(places, period)
    result = {place.id: dict.fromkeys(COUNTS, 0) for place in places}
    for row in rows:
        for owner in scope.owners(row["estate__path"]):
            for name in COUNTS:
                result[owner][name] += row[name] or 0
    return result


def _months_of(first: datetime.date, last_exclusive: datetime.date) -> list[datetime.date]:
    months = []
    while first < last_exclusive:
        months.append(first)
        first = _next_month(first)
    return months


def sums_by_period(places, periods) -> dict[Period, dict[int, dict]]:
    """``place_sums`` for several periods at once (a trend's months): at most two queries for all
    of them — the month totals of their whole months and the day rows of their partial months —
    instead of one or two per period. One place: the rows are summed per month or day in the
    database; several: per estate too, then attributed to the places as ``place_sums`` does."""
    scope = PlaceScope(places)
    per_estate = len(scope.by_id) > 1
    split = {period: _split(period) for period in periods}
    months = sorted({m for _days, whole in split.values() if whole for m in _months_of(*whole)})
    day_ranges = sorted({days for ranges, _whole in split.values() for days in ranges})
    group = ("estate_id", "estate__path") if per_estate else ()
    sums = {name: Sum(name) for name in COUNTS}
    month_rows, day_rows = [], []
    if months and not per_estate:
        month_rows = _month_totals(scope, months)
    elif months:
        month_rows = list(
            CaseMonthBreakdown.objects.filter(_estates_under(scope), dimension=Dimension.TOTAL, month__in=months)
            .values("month", *group)
            .annotate(**sums)
        )
    if day_ranges:
        day_q = Q()
        for start, end in day_ranges:
            day_q |= Q(day__gte=start, day__lt=end)
        day_rows = list(CaseDay.objects.filter(_estates_under(scope), day_q).values("day", *group).annotate(**sums))
    only = next(iter(scope.by_id), None)
    result = {}
    for period, (ranges, whole) in split.items():
        totals = {place_id: dict.fromkeys(COUNTS, 0) for place_id in scope.by_id}
        chosen = []
        if whole:
            chosen += [row for row in month_rows if whole[0] <= _as_date(row["month"]) < whole[1]]
        for start, end in ranges:
            chosen += [row for row in day_rows if start <= _as_date(row["day"]) < end]
        for row in chosen:
            for owner in scope.owners(row["estate__path"]) if per_estate else (only,):
                counts = totals[owner]
                for name in COUNTS:
                    counts[name] += row[name] or 0
        result[period] = totals
    return result


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


_WEIGHTS: dict = {}


def _weights() -> tuple[dict, dict]:
    """The rating weights and the rate weights, parsed once for as long as the settings stay the
    same (a dashboard turns a few hundred sums into figures)."""
    from gongzhi.cases.indicators import rate_weights, rating_weights

    options = settings.GONGZHI
    key = (repr(options.get("CASE_RATING_WEIGHTS")), repr(options.get("CASE_RATE_WEIGHTS")))
    if _WEIGHTS.get("key") != key:
        _WEIGHTS.update(key=key, value=(rating_weights(), rate_weights()))
    return _WEIGHTS["value"]


_RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")
_RATES = (
    ("response", "cases.response_rate"),
    ("resolution", "cases.resolution_rate"),
    ("satisfaction", "cases.satisfaction_rate"),
)


def figures_from_sums(sums: dict) -> dict[str, Figure]:
    from gongzhi.cases.indicators import _weighted_rate

    rating_weights, rate_weights = _weights()
    satisfaction = sum((rating_weights.get(name, Decimal(0)) * sums[name] for name in _RATINGS), Decimal(0))
    figures = {
        "cases.received": Figure.count(sums["received"]),
        "cases.response_rate": Figure.rate(sums["responded"], sums["dispatched"]),
        "cases.resolution_rate": Figure.rate(sums["solved"], sums["reviewed"]),
        "cases.satisfaction_rate": _weighted_rate(satisfaction, sums["reviewed"]),
        "cases.on_time_rate": Figure.rate(sums["on_time"], sums["resolved"]),
    }
    total = weight_sum = Decimal(0)
    for key, name in _RATES:
        value = figures[name].value
        if value is not None and rate_weights.get(key):
            total += rate_weights[key] * Decimal(value)
            weight_sum += rate_weights[key]
    figures["cases.composite_score"] = (
        Figure((total / weight_sum).quantize(Decimal("0.1"), ROUND_HALF_UP), total, weight_sum)
        if weight_sum
        else Figure(None)
    )
    return figures


def _figures_by_place(places, period: Period) -> dict[int, dict[str, Figure]]:
    """Every case figure of each place, computed once per dashboard for the six indicators."""

    def compute():
        return {place_id: figures_from_sums(sums) for place_id, sums in place_sums(places, period).items()}

    return shared(("casefigures", tuple(sorted(place.id for place in places)), period), compute)


def _fast(key: str):
    def compute_many(places, period: Period) -> dict[int, Figure]:
        return {place_id: figures[key] for place_id, figures in _figures_by_place(places, period).items()}

    compute_many.__name__ = f"fast_{key.replace('.', '_')}"
    return compute_many


FAST = {
    key: _fast(key)
    for key in (
        "cases.received",
        "cases.response_rate",
        "cases.resolution_rate",
        "cases.satisfaction_rate",
        "cases.on_time_rate",
        "cases.composite_score",
    )
}


def compute_many(indicator, places, period: Period) -> dict[int, Figure]:
    """The figure through the roll-ups when there is a fast path, else the indicator's own."""
    if enabled() and indicator.key in FAST:
        return FAST[indicator.key](places, period)
    return indicator.compute_many(places, period)


def _month_totals(scope: PlaceScope, months: list[datetime.date]) -> list[dict]:
    """The month totals of every estate under the scope, summed per month (one query; shared
    within a block, so a dashboard's analysis trend and its case area's trend read them once)."""

    def query():
        return list(
            CaseMonthBreakdown.objects.filter(_estates_under(scope), dimension=Dimension.TOTAL, month__in=months)
            .values("month")
            .annotate(**{name: Sum(name) for name in COUNTS})
        )

    return shared(("month_totals", scope.key, tuple(months)), query)


def monthly(place, first_month: datetime.date, months: int) -> list[tuple[datetime.date, dict[str, Figure]]]:
    """The case figures of ``place`` for ``months`` months from ``first_month`` (one query)."""
    scope = PlaceScope([place])
    end = first_month
    for _i in range(months):
        end = (end + datetime.timedelta(days=32)).replace(day=1)
    by_month = {}
    for row in _month_totals(scope, _months_of(first_month, end)):
        by_month[_as_date(row["month"])] = {name: row[name] or 0 for name in COUNTS}
    result = []
    month = first_month
    while month < end:
        result.append((month, figures_from_sums(by_month.get(month, dict.fromkeys(COUNTS, 0)))))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


def breakdown(place, period: Period, dimension: str) -> list[tuple[int, dict[str, Figure], dict]]:
    """(key, figures, sums) per category or responsible party, over the whole months the period
    touches, largest first (one query; the breakdowns asked for in one block share it)."""
    return breakdowns(place, period, (Dimension.CATEGORY, Dimension.RESPONSIBLE))[dimension]


@dataclasses.dataclass(frozen=True)
class Rest:
    """The key of the line that sums the lines left out of a breakdown: how many they are."""

    count: int


def breakdowns(
    place, period: Period, dimensions, keep: dict[str, int] | None = None
) -> dict[str, list[tuple[int, dict[str, Figure], dict]]]:
    """``breakdown`` for several dimensions in one query. ``keep`` limits a dimension to its
    largest lines (by cases received); the others are summed into one last line keyed ``Rest``."""
    scope = PlaceScope([place])
    dimensions = tuple(sorted(dimensions))

    def query():
        return list(
            CaseMonthBreakdown.objects.filter(
                _estates_under(scope), dimension__in=dimensions, month__gte=_month(period.start), month__lt=period.end
            )
            .values("dimension", "key")
            .annotate(**{name: Sum(name) for name in COUNTS})
        )

    rows: dict[str, list] = {dimension: [] for dimension in dimensions}
    for row in shared(("breakdowns", scope.key, period, dimensions), query):
        rows[row["dimension"]].append((row["key"], {name: row[name] or 0 for name in COUNTS}))
    result: dict[str, list] = {}
    for dimension, lines in rows.items():
        lines.sort(key=lambda item: (-item[1]["received"], item[0] is None, item[0] or 0))
        limit = (keep or {}).get(dimension)
        rest = lines[limit:] if limit is not None and len(lines) > limit + 1 else []
        shown = lines[: len(lines) - len(rest)]
        result[dimension] = [(key, figures_from_sums(sums), sums) for key, sums in shown]
        if rest:
            total = {name: sum(sums[name] for _key, sums in rest) for name in COUNTS}
            result[dimension].append((Rest(len(rest)), figures_from_sums(total), total))
    return result
