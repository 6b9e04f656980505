from gongzhi.core.periodic import job
from gongzhi.privacy.services import retention_apply


@job("privacy.apply_retention", order=950)
def apply_retention(now):
    """Deletes what is past its retention period (see GONGZHI["RETENTION_DAYS"] in settings)."""
    return sum(retention_apply(now=now).values())
