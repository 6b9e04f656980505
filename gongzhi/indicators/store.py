"""Stored figures for the indicators that are not case figures (structure, meetings, evaluation,
votes, money, works, volunteers): a dashboard reads them in a fixed number of queries, and a figure
is recomputed only when the records behind it changed since it was stored.

**What is stored.** ``StoredFigure``: one row per (indicator, place, period) with the figure
(value, numerator, denominator, exact), the *version* of its sources when computed, a fingerprint of
the code and settings that computed it, and the day it was computed.

**Versions.** Each area declares the tables its figures read (``SOURCES``, with additions per
indicator in ``EXTRA_SOURCES``; ``test_store.py`` checks the declarations against the tables the
computations actually query). ``SourceVersion`` holds a counter per such table. An execute wrapper
installed on every database connection raises the counter of a table after each statement that
writes to it (INSERT, UPDATE, DELETE, TRUNCATE) — in the same transaction, so the new counter
becomes visible exactly when the new records do. It sees every write made through Django: ``save``,
``delete``, many-to-many changes, ``bulk_create``, ``QuerySet.update``/``delete`` and raw SQL on
Django's cursor. Loads that bypass Django (``COPY`` through the driver) call ``invalidate()``.

An indicator's version is the sum of the counters of its tables (they only grow, so any write
changes the sum). A stored figure is fresh when its version and fingerprint are the current ones,
and — for a period not over when it was computed (some figures depend on "today") — it was computed
today. Anything else is recomputed with the indicator's own ``compute_many`` for the places that
need it, then stored.

**Order of reads.** The counters are read *before* the records: a write committed in between makes
the stored version older than the current one, so the figure is recomputed on the next read, never
shown stale.
"""

import datetime
import functools
import hashlib
import inspect
import json
import re
import sys
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.test.signals import setting_changed
from django.utils import timezone

from gongzhi.indicators.registry import REGISTRY, Figure, Indicator, Period
from gongzhi.indicators.scope import shared_facts

# The tables each area's figures read, as model labels ("app.Model", or "app.Model_field" for a
# many-to-many table). Every area reads the place tree.
PLACES = ("places.Place",)
PEOPLE_IN_POSTS = ("accounts.Appointment", "accounts.Person", "orgs.Organization")
SOURCES: dict[str, tuple[str, ...]] = {
    "structure": (
        *PLACES,
        *PEOPLE_IN_POSTS,
        "places.Grid",
        "places.Grid_buildings",
        "orgs.Organization_covered_places",
        "orgs.ServiceContract",
        "accounts.PartyCheckIn",
    ),
    "meetings": (
        *PLACES,
        "meetings.Meeting",
        "meetings.Attendance",
        "meetings.Topic",
        "meetings.AgendaItem",
        "meetings.Resolution",
    ),
    "evaluation": (
        *PLACES,
        "places.Flat",
        "oversight.Survey",
        "oversight.SurveyResponse",
        "oversight.SurveyTally",
        "oversight.LedgerItem",
        "oversight.Assessment",
    ),
    "elections": (*PLACES, *PEOPLE_IN_POSTS, "elections.Election", "elections.Vote"),
    "money": (
        *PLACES,
        "funds.Fund",
        "funds.FundEntry",
        "funds.RevenueEntry",
        "funds.RenovationProject",
        "funds.FundingApplication",
    ),
    "works": (*PLACES, "funds.MicroProject", "funds.MicroWish"),
    "volunteers": (
        *PLACES,
        "accounts.PartyCheckIn",
        "volunteers.VolunteerTeam",
        "volunteers.ServiceEvent",
        "volunteers.Participation",
        "volunteers.PartyServiceLog",
        "volunteers.EnforcementPatrol",
        "volunteers.PatrolProblem",
        "volunteers.ReceptionVisit",
        "volunteers.VisitProblem",
        "volunteers.ServiceOrder",
        "volunteers.Booking",
        "volunteers.Room",
        "volunteers.Venue",
    ),
}
# Tables read by one indicator beyond its area's.
EXTRA_SOURCES: dict[str, tuple[str, ...]] = {}
# Computed on every read instead of stored: these read the case ledger, whose rows are written many
# times a second (every report filed from a phone); counting those writes would make every report
# wait on one counter row. Their queries are bounded by their own records (a resolution's case by
# id), not by the size of the ledger.
LIVE: frozenset[str] = frozenset({"meetings.resolutions_on_time"})
STORE_BATCH = 2000


def enabled() -> bool:
    return settings.GONGZHI.get("INDICATOR_STORE", True)


def stored(indicator: Indicator) -> bool:
    """Whether the indicator's figures go through the store (the case figures have roll-ups)."""
    return indicator.area in SOURCES and indicator.key not in LIVE


# --- Sources and their tables ---------------------------------------------------------------------


def _table(label: str) -> str:
    app_label, _dot, name = label.partition(".")
    model_name, _sep, field = name.partition("_")
    model = apps.get_model(app_label, model_name)
    if field:
        return model._meta.get_field(field).remote_field.through._meta.db_table
    return model._meta.db_table


_TABLES: dict[str, frozenset[str]] = {}


def tables_of(indicator: Indicator) -> frozenset[str]:
    """The database tables the indicator's figure is computed from."""
    if indicator.key not in _TABLES:
        labels = (*SOURCES.get(indicator.area, ()), *EXTRA_SOURCES.get(indicator.key, ()))
        _TABLES[indicator.key] = frozenset(_table(label) for label in labels)
    return _TABLES[indicator.key]


_TRACKED: frozenset[str] | None = None


def tracked_tables() -> frozenset[str]:
    global _TRACKED
    if _TRACKED is None:
        _TRACKED = frozenset().union(*(tables_of(i) for i in REGISTRY.values() if stored(i)))
    return _TRACKED


# --- Counting writes ------------------------------------------------------------------------------

_WRITE = re.compile(
    r'^\s*(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE
)
_WRITE_ANYWHERE = re.compile(
    r'\b(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE
)
_WITH = re.compile(r"^\s*WITH\b", re.IGNORECASE)
_TRUNCATE = re.compile(r"^\s*TRUNCATE\b", re.IGNORECASE)
_NAME = re.compile(r'"?(\w+)"?')
_BUMP = (
    "INSERT INTO indicators_sourceversion (source, version) VALUES (%s, 1) "
    "ON CONFLICT (source) DO UPDATE SET version = indicators_sourceversion.version + 1"
)
_paused = False


def _written_tables(sql: str) -> list[str]:
    if not sql or sql.lstrip()[:1] not in "IiUuDdTtRrWw":
        return []
    # The same statements come back all the time (the ORM's and the services' own): their tables
    # are read from the text once. Long texts (bulk inserts) are not kept.
    names = _tables_in(sql) if len(sql) <= 4096 else _tables_in.__wrapped__(sql)
    tracked = tracked_tables()
    return [name for name in names if name in tracked]


@functools.lru_cache(maxsize=2048)
def _tables_in(sql: str) -> tuple[str, ...]:
    """The tables a statement writes to, by its text."""
    match = _WRITE.match(sql)
    if match:
        return (match.group(1),)
    if _WITH.match(sql):  # a data-modifying WITH: every table it writes
        return tuple(sorted(set(_WRITE_ANYWHERE.findall(sql))))
    if _TRUNCATE.match(sql):
        return tuple(_NAME.findall(sql))
    return ()


_ready: bool | None = None  # whether the counter table exists: asked once per process, set by migrate


def _versions_ready(connection) -> bool:
    global _ready
    if _ready is None:
        _ready = "indicators_sourceversion" in connection.introspection.table_names()
    return _ready


def _track_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if _paused:
        return result
    written = _written_tables(sql)
    if written and _versions_ready(context["connection"]):
        with context["connection"].cursor() as cursor:
            for table in written:
                cursor.execute(_BUMP, [table])
    return result


def _install(sender, connection, **kwargs) -> None:
    if _track_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_track_writes)


def _pause(sender, **kwargs) -> None:
    global _paused
    _paused = True


def _resume(sender, using="default", **kwargs) -> None:
    global _paused, _ready
    _paused = False
    if getattr(sender, "label", "") == "indicators":
        _ready = "indicators_sourceversion" in connections[using].introspection.table_names()


def connect_signals() -> None:
    """Called from the app's ``ready()``: count writes on every connection (not while migrating,
    when the counter table may not exist yet)."""
    connection_created.connect(_install, dispatch_uid="gongzhi_indicator_versions")
    setting_changed.connect(_forget_fingerprints, dispatch_uid="gongzhi_indicator_fingerprints")
    pre_migrate.connect(_pause, dispatch_uid="gongzhi_indicator_versions_pause")
    post_migrate.connect(_resume, dispatch_uid="gongzhi_indicator_versions_resume")
    for connection in connections.all(initialized_only=True):
        _install(None, connection)


def _forget_fingerprints(sender, setting, **kwargs) -> None:
    if setting == "GONGZHI":
        _FINGERPRINTS.clear()


def invalidate(tables=None) -> None:
    """Raise the counters of ``tables`` (every tracked table by default): after writes that bypass
    Django, e.g. a bulk load with ``COPY``."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in sorted(tables or tracked_tables()):
            cursor.execute(_BUMP, [table])


def versions() -> dict[str, int]:
    """Every table's counter (one query; a few dozen rows)."""
    from gongzhi.indicators.models import SourceVersion

    return dict(SourceVersion.objects.values_list("source", "version"))


def version_of(indicator: Indicator, counters: dict[str, int]) -> int:
    return sum(counters.get(table, 0) for table in tables_of(indicator))


# --- Definitions fingerprint ----------------------------------------------------------------------

_FINGERPRINTS: dict[str, str] = {}


def fingerprint(indicator: Indicator) -> str:
    """A hash of the module that computes the figure and of the project's indicator settings: a
    deploy that changes a definition makes its stored figures stale."""
    if indicator.key not in _FINGERPRINTS:
        module = sys.modules.get(indicator.compute_many.__module__)
        try:
            code = inspect.getsource(module) if module else indicator.compute_many.__qualname__
        except (OSError, TypeError):
            code = indicator.compute_many.__qualname__
        options = json.dumps(settings.GONGZHI, sort_keys=True, default=str)
        digest = hashlib.sha256(f"{indicator.key}\n{code}\n{options}".encode()).hexdigest()
        _FINGERPRINTS[indicator.key] = digest[:16]
    return _FINGERPRINTS[indicator.key]


# --- Encoding figures -----------------------------------------------------------------------------


def _encode_number(number):
    if number is None or isinstance(number, bool):
        return number
    if isinstance(number, int):
        return number
    if isinstance(number, Decimal):
        return {"d": str(number)}
    return {"f": number}


def _decode_number(number):
    if isinstance(number, dict):
        if "d" in number:
            return Decimal(number["d"])
        return number["f"]
    return number


def encode(figure: Figure) -> str:
    numbers = [_encode_number(figure.value), _encode_number(figure.numerator), _encode_number(figure.denominator)]
    return json.dumps(numbers, separators=(",", ":"))


@functools.lru_cache(maxsize=4096)
def decode(text: str) -> Figure:
    """The figure stored as ``text`` (remembered: figures are immutable and often repeat)."""
    value, numerator, denominator = (_decode_number(item) for item in json.loads(text))
    return Figure(value, numerator, denominator)


# --- Reading --------------------------------------------------------------------------------------


def _is_current(computed_on: datetime.date, period: Period, today: datetime.date) -> bool:
    """A figure of a period still running when it was computed may depend on "today"."""
    return computed_on >= min(period.last_day, today)


def lookup(requests, stats: dict | None = None) -> dict[tuple[Period, str], dict[int, Figure]]:
    """The figures asked for: ``requests`` is a list of (period, indicators, places). Stored
    figures are read in one query per distinct list of places; the missing or stale ones are
    computed (each indicator's ``compute_many`` once per period, for the places that need it) and
    stored in one more. Case figures come from the case roll-ups."""
    from gongzhi.indicators import rollups
    from gongzhi.indicators.models import StoredFigure

    result: dict[tuple[Period, str], dict[int, Figure]] = {}
    wanted: dict[tuple[int, ...], list[tuple[Period, Indicator]]] = defaultdict(list)
    rolled_up: dict[tuple[int, ...], dict[Period, list[Indicator]]] = defaultdict(dict)
    place_lists: dict[tuple[int, ...], list] = {}
    with shared_facts():
        for period, chosen, places in requests:
            ids = tuple(sorted({place.id for place in places}))
            place_lists[ids] = list(places)
            for indicator in chosen:
                if enabled() and stored(indicator):
                    wanted[ids].append((period, indicator))
                elif rollups.enabled() and indicator.key in rollups.FAST:
                    rolled_up[ids].setdefault(period, []).append(indicator)
                else:
                    figures = rollups.compute_many(indicator, list(places), period)
                    result.setdefault((period, indicator.key), {}).update(figures)
        for ids, by_period in rolled_up.items():
            # The case figures: each place's sums once per period, every case figure from them;
            # several periods of the same places (a trend) summed together.
            if len(by_period) == 1:
                period = next(iter(by_period))
                sums = {period: rollups.place_sums(place_lists[ids], period)}
            else:
                sums = rollups.sums_by_period(place_lists[ids], list(by_period))
            for period, rolled in by_period.items():
                by_place = {place_id: rollups.figures_from_sums(counts) for place_id, counts in sums[period].items()}
                for indicator in rolled:
                    result.setdefault((period, indicator.key), {}).update(
                        {place_id: figures[indicator.key] for place_id, figures in by_place.items()}
                    )
        if not wanted:
            return result
        counters = versions()
        today = timezone.localdate()
        found: dict[tuple[Period, str], dict[int, Figure]] = defaultdict(dict)
        for ids, items in wanted.items():
            keys = {indicator.key for _period, indicator in items}
            starts = {period.start for period, _indicator in items}
            ends = {period.end for period, _indicator in items}
            expected = {
                (period.start, period.end, indicator.key): (
                    period,
                    version_of(indicator, counters),
                    fingerprint(indicator),
                    min(period.last_day, today),  # computed on or after this day: see _is_current
                )
                for period, indicator in items
            }
            rows = StoredFigure.objects.filter(
                start__in=starts, end__in=ends, key__in=keys, place_id__in=ids
            ).values_list("start", "end", "key", "place_id", "figure", "version", "definition", "computed_on")
            for start, end, key, place_id, figure, version, definition, computed_on in rows:
                wish = expected.get((start, end, key))
                if wish is None:
                    continue
                period, current, code, since = wish
                if version == current and definition == code and computed_on >= since:
                    found[(period, key)][place_id] = decode(figure)
        fresh_rows = []
        now = timezone.now()
        for ids, items in wanted.items():
            for period, indicator in items:
                have = found[(period, indicator.key)]
                missing = [place for place in place_lists[ids] if place.id not in have]
                if missing:
                    computed = indicator.compute_many(missing, period)
                    version, code = version_of(indicator, counters), fingerprint(indicator)
                    for place in missing:
                        figure = computed[place.id]
                        have[place.id] = figure
                        fresh_rows.append(
                            StoredFigure(
                                key=indicator.key,
                                place_id=place.id,
                                start=period.start,
                                end=period.end,
                                figure=encode(figure),
                                version=version,
                                definition=code,
                                computed_on=today,
                                computed_at=now,
                            )
                        )
                # The same indicator and period may be asked for several lists of places.
                result.setdefault((period, indicator.key), {}).update(
                    {place.id: have[place.id] for place in place_lists[ids]}
                )
    if fresh_rows:
        _save(fresh_rows)
    if stats is not None:
        stats["computed"] = stats.get("computed", 0) + len(fresh_rows)
    return result


def _save(rows: list) -> None:
    from gongzhi.indicators.models import StoredFigure

    # Unique on (start, end, key, place): a row stored meanwhile by another request is overwritten;
    # either way its version says whether it is current.
    unique = {(row.start, row.end, row.key, row.place_id): row for row in rows}
    StoredFigure.objects.bulk_create(
        list(unique.values()),
        batch_size=STORE_BATCH,
        update_conflicts=True,
        unique_fields=["start", "end", "key", "place"],
        update_fields=["figure", "version", "definition", "computed_on", "computed_at"],
    )


def figures(chosen: list[Indicator], places: list, period: Period) -> dict[str, dict[int, Figure]]:
    """Each indicator's figure for each place over the period."""
    found = lookup([(period, chosen, places)])
    return {indicator.key: found[(period, indicator.key)] for indicator in chosen}


def month_starts(last_day: datetime.date, months: int) -> list[datetime.date]:
    """The first days of the ``months`` months ending with the month of ``last_day``, oldest first."""
    year, month = last_day.year, last_day.month
    result = []
    for _i in range(months):
        result.append(datetime.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return result[::-1]


def monthly(chosen: list[Indicator], places: list, firsts: list[datetime.date]) -> dict:
    """month → indicator key → place id → figure, for whole months (the last one may be running)."""
    periods = {first: Period.month(first.year, first.month) for first in firsts}
    found = lookup([(period, chosen, places) for period in periods.values()])
    return {
        first: {indicator.key: found[(period, indicator.key)] for indicator in chosen}
        for first, period in periods.items()
    }


# --- Periodic work --------------------------------------------------------------------------------


def precompute(now: datetime.datetime, months: int | None = None) -> int:
    """Store the figures of the past whole months for every active place (district down to
    estate), so trends and open data read them; only what is missing or stale is computed.
    Returns the number of figures computed."""
    from gongzhi.indicators.registry import indicators
    from gongzhi.places.models import Place, PlaceKind

    if not enabled():
        return 0
    months = months or settings.GONGZHI.get("INDICATOR_STORE_MONTHS", 12)
    today = timezone.localtime(now).date()
    last_month_day = today.replace(day=1) - datetime.timedelta(days=1)
    firsts = month_starts(last_month_day, months)
    kinds = (PlaceKind.DISTRICT, PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.ESTATE)
    places = list(Place.objects.filter(kind__in=kinds, is_active=True).order_by("path"))
    chosen = [indicator for indicator in indicators() if stored(indicator)]
    stats: dict[str, int] = {}
    by_kind = defaultdict(list)
    for place in places:
        by_kind[place.kind].append(place)
    for kind, group in by_kind.items():
        applying = [indicator for indicator in chosen if indicator.applies_to(kind)]
        for first in range(0, len(group), 500):
            batch = group[first : first + 500]
            lookup([(Period.month(m.year, m.month), applying, batch) for m in firsts], stats)
    return stats.get("computed", 0)


def prune(now: datetime.datetime, keep_days: int = 7) -> int:
    """Forget figures of periods other than whole months computed more than ``keep_days`` ago
    (dashboards of past dates): they are recomputed if asked for again."""
    from gongzhi.indicators.models import StoredFigure

    cutoff = timezone.localtime(now).date() - datetime.timedelta(days=keep_days)
    old = StoredFigure.objects.filter(computed_on__lt=cutoff)
    stale = [pk for pk, start, end in old.values_list("pk", "start", "end") if not _whole_month(start, end)]
    for first in range(0, len(stale), 5000):
        StoredFigure.objects.filter(pk__in=stale[first : first + 5000]).delete()
    return len(stale)


def _whole_month(start: datetime.date, end: datetime.date) -> bool:
    return start.day == 1 and end == Period.month(start.year, start.month).end
