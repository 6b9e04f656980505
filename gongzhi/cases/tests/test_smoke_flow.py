from gongzhi.cases import services
from gongzhi.cases.models import CaseEvent, CaseState


def test_report_dispatch_sign_resolve_review(world, report):
    case = report()
    assert case.number.startswith("GZ") and case.state == CaseState.RECEIVED
    case = services.case_dispatch(case=case, acting_user=world.users["community_worker"], responsible=world.company)
    case = services.case_sign(case=case, acting_user=world.users["steward"])
    case = services.case_resolve(case=case, acting_user=world.users["steward"], note="已更换按钮")
    case = services.case_review(case=case, acting_user=world.users["resident"], solved=True, rating="satisfied")
    assert case.state == CaseState.REVIEWED
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "created",
        "dispatched",
        "signed",
        "resolved",
        "reviewed",
    ]
