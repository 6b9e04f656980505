"""Periodic work of the indicators: keep the case roll-ups up to date; store the figures of past
months for trends and open data."""

from gongzhi.core.periodic import job
from gongzhi.indicators import rollups, store


@job("indicators.refresh_rollups", order=90)
def refresh_rollups(now) -> int:
    """Fold the cases and case events since the watermark into the monthly and daily roll-ups."""
    return rollups.refresh(now)


@job("indicators.store_months", order=91)
def store_months(now) -> int:
    """Compute and store the figures of the past whole months that are missing or stale."""
    return store.precompute(now)


@job("indicators.prune_stored", order=92)
def prune_stored(now) -> int:
    """Forget stored figures of odd periods (not whole months) not asked for in a week."""
    return store.prune(now)
