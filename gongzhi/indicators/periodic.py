"""Periodic work of the indicators: keep the case roll-ups up to date."""

from gongzhi.core.periodic import job
from gongzhi.indicators import rollups


@job("indicators.refresh_rollups", order=90)
def refresh_rollups(now) -> int:
    """Fold the cases and case events since the watermark into the monthly and daily roll-ups."""
    return rollups.refresh(now)
