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


def test_escalation_climbs_from_the_head_of_the_organization_to_the_subdistrict(
    world, report, django_capture_on_commit_callbacks
):
    import datetime

    from gongzhi.core.periodic import run_all

    case = services.case_dispatch(
        case=report(), acting_user=world.users["community_worker"], responsible=world.committee
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_all(case.deadline + datetime.timedelta(minutes=5), only="cases.mark_overdue")
    escalated = Notification.objects.filter(kind="case.escalated")
    assert set(escalated.values_list("user__username", flat=True)) == {"committee_chair"}
    with django_capture_on_commit_callbacks(execute=True):
        run_all(case.deadline + datetime.timedelta(days=20), only="cases.mark_overdue")
    # A late run still tells the community before the subdistrict.
    assert set(escalated.values_list("user__username", flat=True)) == {
        "committee_chair",
        "community_worker",
        "subdistrict_admin",
    }
