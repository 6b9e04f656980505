from gongzhi.core.periodic import job
from gongzhi.reports import services


@job("reports.monthly", order=95)
def monthly_reports(now) -> int:
    """After a month ends: each scheduled subdistrict's report for it, generated once and stored."""
    return services.generate_scheduled(now)
