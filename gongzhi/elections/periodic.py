from gongzhi.core.periodic import job
from gongzhi.elections import services


@job("elections.term_end_warnings", order=60)
def term_end_warnings(now):
    """Warn months ahead of a committee's term end (once per threshold)."""
    return services.term_warnings_raise(now)


@job("elections.vote_notices", order=55)
def vote_notices(now):
    """Tell the owners on the roll of votes that opened or closed and were not announced yet
    (each vote's notices go out once)."""
    return services.vote_notices_catch_up(now)
