"""Reads of 资金与实事, scoped to what the user may see."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from gongzhi.accounts import access
from gongzhi.funds.models import (
    ZERO,
    ContributionSource,
    Fund,
    FundEntryKind,
    FundingApplication,
    MicroProject,
    MicroWish,
    RenovationProject,
    RevenueQuarter,
    WishStatus,
)
from gongzhi.funds.services import cents, quarter_bounds, revenue_totals
from gongzhi.places.models import Place, PlaceKind


def estates_for(user, perm: str):
    """Estates where ``perm`` holds (residents' own estates, staff's estates in scope)."""
    capability = {
        "funds.post_wish": "resident",
        "funds.manage_renovation": "works_manage",
        "funds.manage_works": "works_manage",
    }.get(perm)
    if capability:
        q = access.scope_q(user, capability, "path")
    else:
        q = access.scope_q(user, "view_internal", "path") | access.scope_q(user, "resident", "path")
    return list(Place.objects.filter(q, kind=PlaceKind.ESTATE, is_active=True).order_by("path")[:300])


def funds_for(user) -> list[Fund]:
    paths = access.paths_with(user, "view_internal") + access.paths_with(user, "resident")
    funds = Fund.objects.select_related("place").annotate(balance=Sum("entries__amount"))
    visible = [f for f in funds if any(p.startswith(f.place.path) or f.place.path.startswith(p) for p in paths)]
    for f in visible:
        f.balance = cents(f.balance)
    return visible


def fund_summary(fund: Fund) -> dict:
    entries = fund.entries.all()
    balance = cents(entries.aggregate(t=Sum("amount"))["t"])
    by_source = dict.fromkeys(ContributionSource.values, ZERO)
    for row in (
        entries.filter(
            Q(kind=FundEntryKind.CONTRIBUTION)
            | Q(kind=FundEntryKind.REVERSAL, reverses__kind=FundEntryKind.CONTRIBUTION)
        )
        .values("source")
        .annotate(t=Sum("amount"))
    ):
        by_source[row["source"]] = cents(row["t"])
    grants = entries.filter(
        Q(kind=FundEntryKind.GRANT) | Q(kind=FundEntryKind.REVERSAL, reverses__kind=FundEntryKind.GRANT)
    ).aggregate(g=Sum("amount"), c=Sum("co_funding"))
    granted = -cents(grants["g"])
    drawn = cents(grants["c"])
    return {
        "balance": balance,
        "raised": sum(by_source.values(), ZERO),
        "by_source": [(label, by_source[value]) for value, label in ContributionSource.choices],
        "granted": granted,
        "co_funding": drawn,
        "leverage": (drawn / granted).quantize(Decimal("0.01")) if granted else None,
    }


def fund_entries(fund: Fund):
    return list(
        fund.entries.select_related("estate", "reverses")
        .prefetch_related("reversed_by")
        .order_by("-on_date", "-id")[:500]
    )


def fund_ledger(fund: Fund) -> list:
    """Every entry of a fund in date order, for the spreadsheet (the page shows the latest 500)."""
    return list(fund.entries.select_related("estate").order_by("on_date", "id"))


def shows_contributors(user, fund: Fund) -> bool:
    """Residents who gave are private persons: named to the fund's managers and to posts that may
    reveal personal data over the fund's area; masked (王**) for everyone else."""
    return user.has_perm("funds.manage_fund", fund) or access.can(user, "reveal_personal_data", fund.place)


def revenue_ledger(estate) -> list:
    return list(estate.revenue_entries.order_by("on_date", "id"))


def revenue_entries(estate):
    return list(
        estate.revenue_entries.select_related("reverses")
        .prefetch_related("reversed_by")
        .order_by("-on_date", "-id")[:500]
    )


def revenue_quarters(estate, *, published_only: bool):
    rows = RevenueQuarter.objects.filter(estate=estate)
    if published_only:
        rows = rows.filter(published_at__isnull=False)
    return list(rows.select_related("reviewed_by"))


def quarters_to_review(estate, today: datetime.date | None = None) -> list[dict]:
    """The last four finished quarters not yet published, with their current figures."""
    from django.utils import timezone

    today = today or timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    published = {(q.year, q.quarter): q for q in RevenueQuarter.objects.filter(estate=estate)}
    result = []
    for _i in range(4):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        row = published.get((year, quarter))
        if row and row.published_at:
            continue
        start, end = quarter_bounds(year, quarter)
        result.append({"year": year, "quarter": quarter, "row": row, **revenue_totals(estate, start, end)})
    return result


def works_of_month(estate, month: datetime.date):
    return list(
        MicroProject.objects.filter(estate=estate, month=month).select_related("source_case").order_by("status", "id")
    )


def works_backlog(estate, month: datetime.date):
    return list(MicroProject.objects.filter(estate=estate, month__lt=month, status="planned").order_by("month", "id"))


def works_by_month(estate, today: datetime.date, months: int = 6) -> list[dict]:
    """Plan vs done for the last ``months`` months (月定月办)."""
    first = today.replace(day=1)
    for _i in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    rows = (
        MicroProject.objects.filter(estate=estate, month__gte=first)
        .exclude(status="cancelled")
        .values("month")
        .annotate(planned=Count("id"), done=Count("id", filter=Q(status="done")))
    )
    by_month = {r["month"]: r for r in rows}
    result = []
    month = first
    for _i in range(months):
        row = by_month.get(month, {"planned": 0, "done": 0})
        result.append({"month": month, "planned": row["planned"], "done": row["done"]})
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


def open_cases(estate):
    from gongzhi.cases.models import Case

    return list(
        Case.objects.filter(estate=estate).exclude(state__in=("closed", "resolved", "reviewed")).order_by("-id")[:50]
    )


def wishes_open(user):
    """Approved wishes waiting for a donor, in the communities the user lives in or looks after."""
    paths = access.paths_with(user, "resident")
    communities = {p.rsplit("/", 2)[0] + "/" for p in paths}
    q = access.scope_q(user, "view_internal", "estate__path")
    for c in communities:
        q |= Q(estate__path__startswith=c)
    return list(
        MicroWish.objects.filter(q, status=WishStatus.APPROVED).select_related("estate", "poster").order_by("-id")[:200]
    )


def wishes_mine(user):
    person = getattr(user, "person", None)
    if person is None:
        return []
    return list(MicroWish.objects.filter(poster=person).select_related("estate").order_by("-id")[:50])


def wishes_claimed_by(user):
    person = getattr(user, "person", None)
    if person is None:
        return []
    return list(MicroWish.objects.filter(donor=person).select_related("estate").order_by("-id")[:50])


def wishes_to_review(user):
    q = access.scope_q(user, "works_manage", "estate__path")
    return list(
        MicroWish.objects.filter(q, status__in=(WishStatus.PENDING, WishStatus.CLAIMED)).select_related(
            "estate", "poster"
        )[:200]
    )


def renovation_projects(user):
    q = access.scope_q(user, "view_internal", "estate__path")
    return list(RenovationProject.objects.filter(q).select_related("estate", "application")[:500])


def funding_applications(user):
    q = access.scope_q(user, "view_internal", "place__path")
    return list(
        FundingApplication.objects.filter(q).select_related("place").annotate(total=Sum("projects__amount"))[:200]
    )
