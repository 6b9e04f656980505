from gongzhi.core.periodic import job
from gongzhi.notifications.services import outbox_deliver_due


@job("notifications.deliver_outbox", order=900)
def deliver_outbox(now):
    """Runs last, so messages queued by the other jobs of the same run go out at once."""
    return outbox_deliver_due(now=now)
