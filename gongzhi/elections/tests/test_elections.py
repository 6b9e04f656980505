"""A committee election from nomination to filing, the dated formation checklist, term warnings,
rule documents adopted by vote, and 三审两公开一备案."""

import datetime

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Appointment
from gongzhi.core.errors import DomainError
from gongzhi.core.periodic import run_all
from gongzhi.elections import selectors, services
from gongzhi.elections.models import (
    CandidateStatus,
    ElectionStatus,
    NegativeListItem,
    TermWarning,
    VersionStatus,
)
from gongzhi.orgs import services as orgs

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(world):
    return orgs.organization_create(
        kind="department", name="青阳派出所", place=world.subdistrict, department_kind="police"
    )


def test_seats_follow_the_rule_set(world):
    for seats in (4, 6, 13):
        with pytest.raises(DomainError, match="5至11人的单数"):
            services.election_open(
                estate=world.estate, title="", seats=seats, acting_user=world.users["community_worker"]
            )
    with pytest.raises(DomainError, match="只有社区"):
        services.election_open(estate=world.estate, title="", seats=5, acting_user=world.users["committee_chair"])


def run_to_notice(world, make_owner, police, *, opened_on):
    worker = world.users["community_worker"]
    election = services.election_open(
        estate=world.estate, title="檀悦小区第二届业委会选举", seats=5, acting_user=worker, opened_on=opened_on
    )
    steps = list(election.steps.values_list("key", "planned_on"))
    assert steps[0] == ("announce", opened_on) and steps[-1] == ("filing", opened_on + datetime.timedelta(days=31))
    owners = [make_owner(f"候选{i}", party=i < 3) for i in range(6)]
    # Self-nomination by the owner, party and owners' representatives entered by the community.
    services.candidate_nominate(
        election=election, person=owners[0], source="self", acting_user=owners[0].user, today=opened_on
    )
    with pytest.raises(DomainError, match="推荐组织"):
        services.candidate_nominate(
            election=election, person=owners[1], source="party", acting_user=worker, today=opened_on
        )
    services.candidate_nominate(
        election=election,
        person=owners[1],
        source="party",
        nominated_by="檀悦小区党支部",
        acting_user=worker,
        today=opened_on,
    )
    for person in owners[2:]:
        services.candidate_nominate(
            election=election,
            person=person,
            source="owners_representatives",
            nominated_by="1号楼业主代表10人联名",
            acting_user=worker,
            today=opened_on,
        )
    with pytest.raises(DomainError, match="不是本小区业主"):
        services.candidate_nominate(
            election=election,
            person=world.person("steward"),
            source="party",
            nominated_by="x",
            acting_user=worker,
            today=opened_on,
        )
    with pytest.raises(DomainError, match="已在人选名单中"):
        services.candidate_nominate(
            election=election, person=owners[0], source="self", acting_user=owners[0].user, today=opened_on
        )
    tasks = services.election_start_review(
        election=election,
        departments=[world.department, police],
        acting_user=worker,
        today=opened_on + datetime.timedelta(days=7),
    )
    assert len(tasks) == 12
    assert all(t.due_on > opened_on + datetime.timedelta(days=7) for t in tasks)
    with pytest.raises(DomainError, match="未完成"):
        services.election_start_notice(election=election, acting_user=worker)
    bad = owners[5]
    for task in tasks:
        if task.candidate.person == bad and task.department == police:
            with pytest.raises(DomainError, match="负面清单"):
                services.review_record(task=task, finding="failed", acting_user=worker)
            services.review_record(
                task=task, finding="failed", hits=[NegativeListItem.objects.get(code="N02")], acting_user=worker
            )
        else:
            services.review_record(task=task, finding="passed", acting_user=worker)
    assert election.candidates.get(person=bad).status == CandidateStatus.DISQUALIFIED
    assert election.candidates.filter(status=CandidateStatus.QUALIFIED).count() == 5
    election = services.election_start_notice(
        election=election, acting_user=worker, starts_on=opened_on + datetime.timedelta(days=10)
    )
    return election, owners


def test_election_from_nomination_to_filing(world, make_owner, police):
    worker = world.users["community_worker"]
    today = timezone.localdate()
    opened_on = today - datetime.timedelta(days=20)
    election, owners = run_to_notice(world, make_owner, police, opened_on=opened_on)
    assert election.status == ElectionStatus.NOTICE
    now = timezone.now()
    vote = services.election_start_vote(
        election=election,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=3),
        acting_user=worker,
    )
    assert vote.is_election and vote.seats == 5
    qualified = list(election.candidates.filter(status=CandidateStatus.QUALIFIED).order_by("id"))
    ids = [c.id for c in qualified]
    with pytest.raises(DomainError, match="最多可选5人"):
        services.ballot_cast(vote=vote, acting_user=owners[0].user, selections=ids + [ids[0] + 1000])
    disqualified = election.candidates.get(status=CandidateStatus.DISQUALIFIED)
    with pytest.raises(DomainError, match="不在候选人名单中"):
        services.ballot_cast(vote=vote, acting_user=owners[0].user, selections=[disqualified.id])
    # 12 owners on the roll (6 world flats + 6 new); 9 vote. Candidates 0–3 get 9 votes, 4 gets 4.
    voters = [o.user for o in owners] + [world.users[p] for p in ("resident", "building_head", "committee_chair")]
    for i, user in enumerate(voters):
        services.ballot_cast(vote=vote, acting_user=user, selections=ids[:4] + ([ids[4]] if i < 4 else []))
    vote = services.vote_close(vote=vote, acting_user=worker, note="提前完成")
    election.refresh_from_db()
    assert election.status == ElectionStatus.ELECTED
    assert vote.result["elected"] == ids[:4] and vote.result["unfilled"] == 1
    last = next(c for c in vote.result["candidates"] if c["candidate_id"] == ids[4])
    assert last["note"] == "no_majority" and last["consent_owners"]["fraction"] == "4/9"
    members = Appointment.objects.filter(organization=world.committee, post="committee_member")
    assert {a.person_id for a in members} == {c.person_id for c in qualified[:4]}
    # The previous chair's appointment ended when the new committee was elected.
    assert (
        not Appointment.objects.current(today)
        .filter(person=world.person("committee_chair"), post="committee_chair")
        .exists()
    )
    assert election.filing_due_on == election.elected_on + datetime.timedelta(days=30)
    assert election.term_ends_on.year == election.elected_on.year + 5
    with pytest.raises(DomainError, match="从本届当选委员中推选"):
        services.committee_first_meeting(election=election, held_on=today, chair=owners[5], acting_user=worker)
    services.committee_first_meeting(
        election=election,
        held_on=today,
        chair=qualified[0].person,
        vice_chairs=[qualified[1].person],
        acting_user=worker,
    )
    assert Appointment.objects.current(today).filter(person=qualified[0].person, post="committee_chair").exists()
    with pytest.raises(DomainError, match="备案文号"):
        services.election_file(election=election, filed_on=today, reference="", acting_user=worker)
    election = services.election_file(
        election=election, filed_on=today, reference="青街业备〔2026〕1号", acting_user=worker
    )
    assert election.status == ElectionStatus.FILED
    from gongzhi.indicators.registry import REGISTRY, Period

    fast = REGISTRY["elections.fast_formations"].compute(world.community, Period.day(today))
    assert (fast.numerator, fast.denominator) == (1, 1)  # 20 days from opening to filing
    done = dict(election.steps.values_list("key", "done_on"))
    assert all(done.values()), done
    # Term warnings: nothing now; 6, 3 and 1 month(s) ahead later, each raised once.
    assert run_all(timezone.now(), only="elections.term_end") == {"elections.term_end_warnings": 0}
    late = datetime.datetime.combine(
        election.term_ends_on - datetime.timedelta(days=20), datetime.time(9), tzinfo=datetime.UTC
    )
    assert run_all(late, only="elections.term_end") == {"elections.term_end_warnings": 3}
    assert run_all(late, only="elections.term_end") == {"elections.term_end_warnings": 0}
    assert TermWarning.objects.filter(election=election).count() == 3
    flags = selectors.dashboard_flags(worker, today=election.term_ends_on - datetime.timedelta(days=100))
    assert any(f["kind"] == "term" for f in flags)


def test_vote_cannot_start_during_notice(world, make_owner, police):
    today = timezone.localdate()
    election, _ = run_to_notice(world, make_owner, police, opened_on=today - datetime.timedelta(days=12))
    now = timezone.now()
    with pytest.raises(DomainError, match="公示期满后"):
        services.election_start_vote(
            election=election,
            opens_at=now,
            closes_at=now + datetime.timedelta(days=2),
            acting_user=world.users["community_worker"],
        )


def test_equal_votes_within_the_seats_elect_all(world, make_owner, police):
    today = timezone.localdate()
    election, owners = run_to_notice(world, make_owner, police, opened_on=today - datetime.timedelta(days=20))
    now = timezone.now()
    vote = services.election_start_vote(
        election=election,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
        acting_user=world.users["community_worker"],
    )
    ids = list(election.candidates.filter(status=CandidateStatus.QUALIFIED).order_by("id").values_list("id", flat=True))
    for user in [o.user for o in owners] + [world.users[p] for p in ("resident", "building_head")]:
        services.ballot_cast(vote=vote, acting_user=user, selections=ids[:5])
    vote = services.vote_close(vote=vote, acting_user=world.users["community_worker"], note="测试")
    # Five candidates with equal votes for five seats: a tie only matters at the last seat.
    assert vote.result["unfilled"] == 0 and vote.result["tied"] == []
    assert sorted(vote.result["elected"]) == ids


def test_rules_take_effect_only_through_a_passed_vote(world):
    chair = world.users["committee_chair"]
    first = services.rule_version_draft(
        estate=world.estate, kind="management_statute", text="第一条 ……", acting_user=chair
    )
    now = timezone.now()
    vote = services.rule_version_submit(
        version=first,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=3),
        acting_user=chair,
    )
    assert vote.matter == "management_statute"
    services.vote_open(vote=vote, acting_user=chair, now=now - datetime.timedelta(days=16))
    for persona in ("resident", "building_head", "committee_chair", "branch_secretary"):
        services.ballot_cast(vote=vote, acting_user=world.users[persona], choice="yes")
    services.vote_close(vote=vote, acting_user=chair, note="测试")
    first.refresh_from_db()
    assert first.status == VersionStatus.IN_FORCE and first.effective_on
    second = services.rule_version_draft(
        estate=world.estate, kind="management_statute", text="第一条 修订", summary="修订停车条款", acting_user=chair
    )
    assert second.number == 2
    vote = services.rule_version_submit(
        version=second,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=3),
        acting_user=chair,
    )
    services.vote_open(vote=vote, acting_user=chair, now=now - datetime.timedelta(days=16))
    services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="yes")
    services.vote_close(vote=vote, acting_user=chair, note="测试")
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == VersionStatus.REJECTED and first.status == VersionStatus.IN_FORCE
    with pytest.raises(DomainError, match="只有草案"):
        services.rule_version_submit(
            version=second, opens_at=now, closes_at=now + datetime.timedelta(days=1), acting_user=chair
        )
    assert [v.number for v in selectors.rule_versions(world.estate)] == [2, 1]


def test_major_decision_steps_in_order(world):
    chair = world.users["committee_chair"]
    decision = services.decision_create(estate=world.estate, title="使用公共收益改造车棚", acting_user=chair)
    day = datetime.date(2026, 3, 1)
    with pytest.raises(DomainError, match="请先完成“业委会初审”"):
        services.decision_step_record(
            decision=decision, kind="branch_review", done_on=day, acting_user=world.users["branch_secretary"]
        )
    services.decision_step_record(decision=decision, kind="committee_review", done_on=day, acting_user=chair)
    with pytest.raises(DomainError, match="不能登记"):
        services.decision_step_record(decision=decision, kind="branch_review", done_on=day, acting_user=chair)
    with pytest.raises(DomainError, match="不能早于"):
        services.decision_step_record(
            decision=decision,
            kind="branch_review",
            done_on=day - datetime.timedelta(days=1),
            acting_user=world.users["branch_secretary"],
        )
    services.decision_step_record(
        decision=decision, kind="branch_review", done_on=day, acting_user=world.users["branch_secretary"]
    )
    services.decision_step_record(
        decision=decision, kind="community_review", done_on=day, acting_user=world.users["community_worker"]
    )
    services.decision_step_record(decision=decision, kind="notice_before", done_on=day, acting_user=chair)
    services.decision_step_record(decision=decision, kind="notice_after", done_on=day, acting_user=chair)
    with pytest.raises(DomainError, match="已登记"):
        services.decision_step_record(decision=decision, kind="notice_after", done_on=day, acting_user=chair)
    services.decision_step_record(
        decision=decision, kind="filing", done_on=day, acting_user=world.users["community_worker"]
    )
    assert decision.steps.count() == 6


def test_a_deployment_chooses_its_rule_set(world, settings):
    settings.ELECTION_RULE_SETS = {
        "local": {"label": "某市条例", "committee_min": 3, "committee_max": 9, "filing_days": 15}
    }
    settings.ELECTION_RULE_SET = "local"
    election = services.election_open(
        estate=world.estate, title="", seats=3, acting_user=world.users["community_worker"]
    )
    assert election.rule_set == "local"
    with pytest.raises(DomainError, match="3至9人的单数"):
        services.election_open(
            estate=world.third_estate, title="", seats=11, acting_user=world.users["community_worker"]
        )
