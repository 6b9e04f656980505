"""Helpers for computing one figure for many places in a fixed number of queries.

A ``PlaceScope`` turns the places asked for into a few path-prefix filters (a place already under
another one adds nothing), so a query for "everything under these places" has the same shape
whether one community or three hundred estates are asked for. Rows found are then attributed back
to each place whose path is a prefix of the row's path, in Python.

The ``*_current_q`` functions say once what "current on a day" means for each kind of record:

- an organization: founded on or before the day (or no date) and not dissolved on or before it;
- an appointment: started on or before the day, ``ends_on`` (the first day without the post) after it;
- a service contract: started on or before the day, ``ends_on`` (the last day served) on or after it;
- a party check-in: checked in on or before the day, ``ended_on`` after it.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Q

from gongzhi.indicators.registry import Figure


def org_current_q(day: datetime.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}founded_on__isnull": True}) | Q(**{f"{prefix}founded_on__lte": day})) & (
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": day})
    )


def appointment_current_q(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": day})
    )


def contract_current_q(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


def check_in_current_q(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}checked_in_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day})
    )


_SHARED: ContextVar[dict | None] = ContextVar("gongzhi_indicator_facts", default=None)


@contextmanager
def shared_facts() -> Iterator[None]:
    """Within this block, facts several indicators read (the estates under the places, the
    branches covering them, committee members…) are queried once and shared. A dashboard computes
    all its figures inside one block; outside, every call queries afresh. A block inside another
    shares the outer one's facts (a dashboard page's cards, tables, trend and analysis)."""
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(key: tuple, compute: Callable):
    """``compute()``, remembered under ``key`` inside a ``shared_facts`` block. The result must be
    treated as read-only by its users."""
    memo = _SHARED.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def places_below(place) -> list:
    """The active communities and estates under ``place`` (not itself), each with its parent, in
    path order (one query; shared within a block: the dashboard's tables and its rankings)."""
    from gongzhi.places.models import Place, PlaceKind

    def query():
        return list(
            Place.objects.within(place)
            .filter(kind__in=(PlaceKind.COMMUNITY, PlaceKind.ESTATE), is_active=True)
            .exclude(pk=place.pk)
            .select_related("parent")
            .order_by("path")
        )

    return shared(("below", place.pk, place.path), query)


def _ids_of_path(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


class PlaceScope:
    """The places one figure is computed for."""

    def __init__(self, places: Iterable):
        self.places = list(places)
        self.by_id = {place.id: place for place in self.places}
        kept: list[str] = []
        for path in sorted({place.path for place in self.places}, key=len):
            if not any(path.startswith(shorter) for shorter in kept):
                kept.append(path)
        self.prefixes = kept
        self._estates: dict[int, str] | None = None
        self.key = tuple(self.prefixes)  # what a fact about "everything under the places" depends on

    def q(self, path_field: str) -> Q:
        """Rows whose place (reached through ``path_field``) is one of the places or under one."""
        if not self.prefixes:
            return Q(pk__in=[])
        query = Q()
        for prefix in self.prefixes:
            query |= Q(**{f"{path_field}__startswith": prefix})
        return query

    def owners(self, path: str) -> list[int]:
        """The ids of the places asked for that ``path`` lies at or under."""
        return [place_id for place_id in _ids_of_path(path) if place_id in self.by_id]

    def estates(self) -> dict[int, str]:
        """Active estates at or under the places: id → path (one query, then remembered)."""
        if self._estates is None:
            from gongzhi.places.models import Place, PlaceKind

            def query():
                return dict(
                    Place.objects.filter(self.q("path"), kind=PlaceKind.ESTATE, is_active=True).values_list(
                        "id", "path"
                    )
                )

            self._estates = shared(("estates", *self.prefixes), query)
        return self._estates

    def group(self, pairs: Iterable[tuple[str, object]]) -> dict[int, set]:
        """``(path, item)`` pairs → for each place asked for, the set of items at or under it."""
        grouped: dict[int, set] = {place.id: set() for place in self.places}
        for path, item in pairs:
            for owner in self.owners(path):
                grouped[owner].add(item)
        return grouped

    def estates_by_place(self) -> dict[int, set[int]]:
        return self.group((path, estate_id) for estate_id, path in self.estates().items())

    def counts(self, pairs: Iterable[tuple[str, object]]) -> dict[int, Figure]:
        """A count of distinct items at or under each place."""
        return {place_id: Figure.count(len(items)) for place_id, items in self.group(pairs).items()}

    def estate_rates(
        self, numerator_estates: set[int], denominator_estates: set[int] | None = None
    ) -> dict[int, Figure]:
        """For each place: estates in ``numerator_estates`` / estates in ``denominator_estates``
        (all active estates when None), both counted among the estates at or under the place."""
        figures = {}
        for place_id, estate_ids in self.estates_by_place().items():
            denominator = estate_ids if denominator_estates is None else estate_ids & denominator_estates
            figures[place_id] = Figure.rate(len(denominator & numerator_estates), len(denominator))
        return figures

    def estate_counts(self, estates: set[int]) -> dict[int, Figure]:
        return {
            place_id: Figure.count(len(estate_ids & estates))
            for place_id, estate_ids in self.estates_by_place().items()
        }


def merge_sets(mapping: dict, keys: Iterable) -> set:
    result: set = set()
    for key in keys:
        result |= mapping.get(key, set())
    return result


def multimap(pairs: Iterable[tuple]) -> dict:
    result: dict = defaultdict(set)
    for key, value in pairs:
        result[key].add(value)
    return result
