"""The case ledger speaks through the notification outbox after each commit."""

from gongzhi.cases import services
from gongzhi.notifications.models import Notification


def test_dispatch_and_review_request_reach_the_right_inboxes(world, report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report()
        case = services.case_dispatch(case=case, acting_user=world.users["community_worker"], responsible=world.company)
    steward_inbox = Notification.objects.filter(user=world.users["steward"])
    assert steward_inbox.filter(kind="case.dispatched", url=f"/cases/{case.pk}/").count() == 1
    assert not Notification.objects.filter(user=world.users["committee_chair"]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_resolve(case=case, acting_user=world.users["steward"], note="已处理")
        from gongzhi.core.periodic import run_all

        run_all(case.resolved_at, only="cases.request_review")
    assert Notification.objects.filter(user=world.users["resident"], kind="case.review_requested").count() == 1
