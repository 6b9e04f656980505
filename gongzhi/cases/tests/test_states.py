"""The state machine: every verb from every state, allowed or refused. A refused move raises a
clear error and changes nothing."""

import pytest

from gongzhi.cases import services, states
from gongzhi.cases.models import Case, CaseEvent, CaseState
from gongzhi.cases.tests.conftest import in_days
from gongzhi.core.errors import DomainError

ALL_STATES = list(CaseState.values)


@pytest.fixture
def case_in(world, report, dispatched):
    """Bring a new case to ``state`` through the services, as users would."""
    worker = world.users["community_worker"]
    steward = world.users["steward"]

    def make(state):
        if state == CaseState.RECEIVED:
            return report()
        if state == CaseState.REJECTED:
            return services.case_reject(case=report(), acting_user=worker, reason="重复反映的无效信息")
        if state == CaseState.MERGED:
            return services.case_merge(case=report(), acting_user=worker, into=report(description="同一问题"))
        case = dispatched()
        if state == CaseState.DISPATCHED:
            return case
        case = services.case_sign(case=case, acting_user=steward)
        if state == CaseState.SIGNED:
            return case
        case = services.case_resolve(case=case, acting_user=steward, note="已处理")
        if state == CaseState.RESOLVED:
            return case
        case = services.case_review(case=case, acting_user=world.users["resident"], solved=True, rating="satisfied")
        if state == CaseState.REVIEWED:
            return case
        return services.case_close(case=case, acting_user=worker)

    return make


def actions(world, report):
    worker = world.users["community_worker"]
    steward = world.users["steward"]

    def extend_decide(case):
        if case.extension_requested_until is None and states.allowed("extend_request", case.state):
            case = services.case_extend_request(case=case, acting_user=steward, until=in_days(40), reason="材料未到")
        return services.case_extend_decide(case=case, acting_user=worker, approve=True)

    return {
        "dispatch": lambda c: services.case_dispatch(case=c, acting_user=worker, responsible=world.company),
        "sign": lambda c: services.case_sign(case=c, acting_user=steward),
        "reply": lambda c: services.case_reply(case=c, acting_user=steward, note="明天上门"),
        "resolve": lambda c: services.case_resolve(case=c, acting_user=steward, note="已修复"),
        "review": lambda c: services.case_review(
            case=c, acting_user=world.users["resident"], solved=True, rating="basically_satisfied"
        ),
        "reopen": lambda c: services.case_reopen(case=c, acting_user=worker, note="复查仍未修好"),
        "return": lambda c: services.case_return(case=c, acting_user=steward, reason="属于市政管网"),
        "transfer": lambda c: services.case_transfer(
            case=c, acting_user=worker, responsible=world.committee, note="需业委会决定"
        ),
        "extend_request": lambda c: services.case_extend_request(
            case=c, acting_user=steward, until=in_days(40), reason="等配件"
        ),
        "extend_decide": extend_decide,
        "merge": lambda c: services.case_merge(case=c, acting_user=worker, into=report(description="另一条")),
        "reject": lambda c: services.case_reject(case=c, acting_user=worker, reason="不属实"),
        "flag_agenda": lambda c: services.case_flag_agenda(case=c, acting_user=worker),
        "close": lambda c: services.case_close(case=c, acting_user=worker, note="联系不上反映人"),
    }


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.state,
        fresh.responsible_id,
        fresh.deadline,
        fresh.on_agenda,
        CaseEvent.objects.filter(case=case).count(),
    )


def test_moves_cover_every_verb_of_the_services():
    assert set(states.MOVES) == {
        "dispatch", "sign", "reply", "resolve", "review", "reopen", "return", "transfer",
        "extend_request", "extend_decide", "merge", "reject", "flag_agenda", "close",
    }  # fmt: skip
    for verb in states.MOVES:
        assert callable(getattr(services, f"case_{verb}"))


@pytest.mark.parametrize("state", ALL_STATES)
def test_every_verb_from_every_state(world, report, case_in, state):
    for verb, act in actions(world, report).items():
        case = case_in(state)
        before = snapshot(case)
        if states.allowed(verb, state):
            after = act(case)
            expected = states.MOVES[verb].target or state
            assert after.state == expected, (verb, state)
            assert CaseEvent.objects.filter(case=case).count() > before[-1], (verb, state)
        else:
            with pytest.raises(DomainError) as refused:
                act(case)
            assert refused.value.status in (403, 404, 409), (verb, state)
            assert refused.value.message
            assert snapshot(case) == before, (verb, state)


@pytest.mark.parametrize("state", ALL_STATES)
def test_refused_moves_answer_409_with_the_state_in_the_message(state):
    for verb, move in states.MOVES.items():
        if state in move.sources:
            assert states.check(verb, state) == (move.target or state)
        else:
            with pytest.raises(DomainError) as refused:
                states.check(verb, state)
            assert refused.value.status == 409
            assert str(CaseState(state).label) in refused.value.message


def test_bad_review_reopens_for_rework_and_the_resident_sees_why(world, case_in):
    case = case_in(CaseState.RESOLVED)
    case = services.case_review(
        case=case, acting_user=world.users["resident"], solved=False, rating="dissatisfied", comment="还是漏水"
    )
    assert case.state == CaseState.DISPATCHED and case.rework_count == 1 and case.responsible == world.company
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", "note"))
    assert kinds[-2:] == [("reviewed", "还是漏水"), ("reopened", "还是漏水")]
