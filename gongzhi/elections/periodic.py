from gongzhi.core.periodic import job
from gongzhi.elections import services


@job("elections.term_end_warnings", order=60)
def term_end_warnings(now):
    """Warn months ahead of a committee's term end (once per threshold)."""
    return services.term_warnings_raise(now)
