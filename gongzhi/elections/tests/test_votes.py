"""Owners' votes through the services: opening and freezing the roll, casting, changing, receipts,
tellers, closing, and every refusal."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.accounts import services as people
from gongzhi.core.errors import DomainError
from gongzhi.elections import selectors, services
from gongzhi.elections.models import Ballot, RollEntry, VoteStatus
from gongzhi.places.models import Flat

pytestmark = pytest.mark.django_db


def snapshot(vote):
    return list(Ballot.objects.filter(vote=vote).values_list("id", "hash")), Flat.objects.count()


def test_opening_freezes_and_publishes_the_roll(world, open_vote):
    vote = open_vote()
    # 6 flats of 88.50 m²: 4 owners on record and 2 parts with no owner recorded.
    assert vote.status == VoteStatus.OPEN
    assert vote.total_owners == 6 and vote.total_flats == 6
    assert str(vote.total_area) == "531.00"
    assert len(vote.roll_fingerprint) == 64
    assert services.stored_roll_fingerprint(vote) == vote.roll_fingerprint
    # A later sale does not change the frozen roll.
    people.ownership_add(person=world.person("other_resident"), flat=world.flats[4])
    vote.refresh_from_db()
    assert RollEntry.objects.filter(vote=vote).count() == 6
    assert services.stored_roll_fingerprint(vote) == vote.roll_fingerprint


def test_roll_edit_after_opening_is_refused(world, open_vote):
    vote = open_vote()
    entry = vote.roll.first()
    with pytest.raises(DomainError, match="业主名册和表决内容已冻结"):
        services.roll_entry_correct_area(
            vote=vote, entry=entry, area="100", note="登记证", acting_user=world.users["committee_chair"]
        )
    with pytest.raises(DomainError, match="已冻结"):
        services.vote_roll_rebuild(vote=vote, acting_user=world.users["committee_chair"])
    with pytest.raises(DomainError, match="已冻结"):
        services.vote_update(vote=vote, acting_user=world.users["committee_chair"], title="别的")
    entry.refresh_from_db()
    assert str(entry.area) == "88.50"


def test_roll_can_be_corrected_while_draft(world):
    now = timezone.now()
    vote = services.vote_create(
        estate=world.estate,
        title="修改管理规约",
        matter="management_statute",
        opens_at=now + datetime.timedelta(days=16),
        closes_at=now + datetime.timedelta(days=20),
        acting_user=world.users["committee_chair"],
    )
    entry = vote.roll.first()
    services.roll_entry_correct_area(
        vote=vote, entry=entry, area="90.12", note="不动产登记证", acting_user=world.users["committee_chair"]
    )
    services.vote_open(vote=vote, acting_user=world.users["committee_chair"])
    vote.refresh_from_db()
    assert str(vote.total_area) == "532.62"


def test_notice_period_is_enforced(world):
    now = timezone.now()
    vote = services.vote_create(
        estate=world.estate,
        title="续聘物业",
        matter="property_manager",
        opens_at=now + datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=10),
        acting_user=world.users["committee_chair"],
    )
    with pytest.raises(DomainError, match="15日前公告"):
        services.vote_open(vote=vote, acting_user=world.users["committee_chair"])
    vote.refresh_from_db()
    assert vote.status == VoteStatus.DRAFT and not vote.roll_fingerprint


def test_owner_votes_changes_and_gets_a_receipt(world, open_vote):
    vote = open_vote()
    first = services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="yes")
    second = services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="no")
    assert second.supersedes_id == first.id
    assert Ballot.objects.filter(vote=vote).count() == 2  # the first is kept, not changed
    result = selectors.vote_result(vote)
    assert (result.yes_owners, result.no_owners) == (0, 1)
    old = selectors.receipt_lookup(vote, first.receipt)
    new = selectors.receipt_lookup(vote, second.receipt)
    assert old.found and old.superseded and not old.counted
    assert new.counted
    assert (second.receipt, "no", []) in selectors.published_receipts(vote)


def test_vote_outside_the_window_is_refused(world, open_vote):
    vote = open_vote()
    before = vote.opens_at - datetime.timedelta(minutes=1)
    with pytest.raises(DomainError, match="投票尚未开始"):
        services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="yes", now=before)
    with pytest.raises(DomainError, match="截止"):
        services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="yes", now=vote.closes_at)
    assert not Ballot.objects.filter(vote=vote).exists()


def test_non_owner_is_refused(world, open_vote):
    vote = open_vote()
    for persona in ("other_resident", "steward", "community_worker"):
        with pytest.raises(DomainError, match="不在本次表决的业主名册中"):
            services.ballot_cast(vote=vote, acting_user=world.users[persona], choice="yes")
    assert not Ballot.objects.filter(vote=vote).exists()


def test_co_owner_cannot_vote_over_the_other(world, open_vote, make_owner):
    spouse = make_owner("王太太", flat=world.flats[0])  # joint owner of the resident's flat
    vote = open_vote()
    assert vote.total_owners == 6  # joint owners are one owner
    services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="yes")
    with pytest.raises(DomainError, match="共有人王小明投票"):
        services.ballot_cast(vote=vote, acting_user=spouse.user, choice="no")
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_bad_choice_refused(world, open_vote):
    vote = open_vote()
    with pytest.raises(DomainError, match="同意、反对或弃权"):
        services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="maybe")


def test_multi_flat_owner_votes_once_with_all_area(world, open_vote):
    people.ownership_add(person=world.person("resident"), flat=world.flats[4])
    vote = open_vote()
    assert vote.total_owners == 5
    services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="yes")
    result = selectors.vote_result(vote)
    assert result.yes_area == 177 and result.yes_owners == 1


def test_developer_parts_count_as_one(world, open_vote):
    Flat.objects.filter(id__in=[world.flats[4].id, world.flats[5].id]).update(delivery_status="unsold")
    vote = open_vote()
    assert vote.total_owners == 5
    assert vote.roll.get(kind="developer").flat_count == 2


def test_paper_and_proxy_ballots(world, open_vote):
    vote = open_vote()
    teller = world.users["committee_chair"]
    unrecorded = vote.roll.filter(kind="unrecorded").order_by("key")
    services.paper_ballot_enter(vote=vote, entry=unrecorded[0], acting_user=teller, serial="P-001", choice="yes")
    with pytest.raises(DomainError, match="已录入过"):
        services.paper_ballot_enter(vote=vote, entry=unrecorded[1], acting_user=teller, serial="P-001", choice="no")
    with pytest.raises(DomainError, match="书面授权委托书"):
        services.proxy_ballot_enter(
            vote=vote, entry=unrecorded[1], acting_user=teller, proxy_name="张三", authorization=None, choice="no"
        )
    letter = SimpleUploadedFile("委托书.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    ballot = services.proxy_ballot_enter(
        vote=vote, entry=unrecorded[1], acting_user=teller, proxy_name="张三", authorization=letter, choice="no"
    )
    assert len(ballot.authorization_sha256) == 64
    with pytest.raises(DomainError, match="只有计票人"):
        services.paper_ballot_enter(
            vote=vote, entry=unrecorded[0], acting_user=world.users["resident"], serial="P-2", choice="no"
        )
    summary = selectors.reconciliation(vote)
    assert summary["counted_by_channel"] == {"paper": 1, "proxy": 1}
    assert summary["not_voted_count"] == 4
    services.ballot_void(vote=vote, entry=unrecorded[0], acting_user=teller, reason="字迹无法辨认")
    assert selectors.vote_result(vote).participating_owners == 1
    assert selectors.verify_chain(vote).ok


def test_close_records_the_result(world, open_vote):
    vote = open_vote()
    for persona in ("resident", "building_head", "committee_chair", "branch_secretary"):
        services.ballot_cast(vote=vote, acting_user=world.users[persona], choice="yes")
    with pytest.raises(DomainError, match="提前截止须说明理由"):
        services.vote_close(vote=vote, acting_user=world.users["committee_chair"])
    with pytest.raises(DomainError, match="没有权限"):
        services.vote_close(vote=vote, acting_user=world.users["resident"], note="x")
    vote = services.vote_close(vote=vote, acting_user=world.users["committee_chair"], note="全部业主已投票")
    assert vote.status == VoteStatus.CLOSED
    # 4 of 6 owners, 354 of 531 m²: exactly two thirds → quorum; all yes.
    assert vote.result["participation_owners"]["fraction"] == "4/6"
    assert vote.result["participation_area"]["percent"] == "66.67%"
    assert vote.result["quorum_met"] and vote.passed
    assert selectors.vote_result(vote).as_dict() == selectors.reference_result(vote).as_dict()
    with pytest.raises(DomainError, match="表决已结束"):
        services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="no")
    assert selectors.verify_chain(vote).ok


def test_special_matter_uses_three_quarters(world, open_vote):
    vote = open_vote("fund_raise")
    for persona, choice in (
        ("resident", "yes"),
        ("building_head", "yes"),
        ("committee_chair", "yes"),
        ("branch_secretary", "no"),
    ):
        services.ballot_cast(vote=vote, acting_user=world.users[persona], choice=choice)
    vote = services.vote_close(vote=vote, acting_user=world.users["committee_chair"], note="测试")
    assert vote.result["rule"] == "special"
    assert vote.result["consent_owners"]["fraction"] == "3/4" and vote.passed


def test_hash_chain_detects_tampering(world, open_vote):
    vote = open_vote()
    services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="no")
    services.ballot_cast(vote=vote, acting_user=world.users["building_head"], choice="no")
    assert selectors.verify_chain(vote).ok
    Ballot.objects.filter(vote=vote, sequence=1).update(choice="yes")
    check = selectors.verify_chain(vote)
    assert not check.ok and "#1" in check.problems[0]


def test_roll_tampering_is_detected(world, open_vote):
    vote = open_vote()
    RollEntry.objects.filter(vote=vote, key__startswith="owners:").update(area="1000.00")
    assert any("roll" in p for p in selectors.verify_chain(vote).problems)


def test_live_tally_equals_the_pure_function(world, open_vote, make_owner):
    for area in ("70.33", "120.07", "95.50"):
        make_owner(area=area)
    vote = open_vote()
    persons = [world.users[p] for p in ("resident", "building_head", "committee_chair")]
    for user, choice in zip(persons, ("yes", "no", "abstain"), strict=True):
        services.ballot_cast(vote=vote, acting_user=user, choice=choice)
    assert selectors.vote_result(vote).as_dict() == selectors.reference_result(vote).as_dict()
    # Changes, paper ballots over online ones, and voids keep the running totals equal to a recount.
    teller = world.users["committee_chair"]
    services.ballot_cast(vote=vote, acting_user=persons[0], choice="no")
    entry = vote.roll.get(rollmember__person=world.person("building_head"))
    services.paper_ballot_enter(vote=vote, entry=entry, acting_user=teller, serial="X1", choice="yes")
    services.ballot_void(vote=vote, entry=entry, acting_user=teller, reason="重复")
    for unrecorded in vote.roll.filter(kind__in=["unrecorded", "owner"]).exclude(ballots__isnull=False):
        services.paper_ballot_enter(
            vote=vote, entry=unrecorded, acting_user=teller, serial=f"U{unrecorded.id}", choice="yes"
        )
    live = selectors.vote_result(vote).as_dict()
    assert live == selectors.vote_recount(vote).as_dict() == selectors.reference_result(vote).as_dict()
    assert live["participating_owners"] == vote.total_owners - 1
    assert selectors.verify_chain(vote).ok


def test_only_the_committee_or_community_opens_votes(world):
    now = timezone.now()
    for persona in ("resident", "steward", "building_head", "supervisor"):
        with pytest.raises(DomainError):
            services.vote_create(
                estate=world.estate,
                title="x",
                matter="other",
                opens_at=now,
                closes_at=now + datetime.timedelta(days=1),
                acting_user=world.users[persona],
            )
    vote = services.vote_create(
        estate=world.estate,
        title="首次业主大会：表决议事规则",
        matter="rules_of_procedure",
        opens_at=now + datetime.timedelta(days=15),
        closes_at=now + datetime.timedelta(days=20),
        acting_user=world.users["community_worker"],
        organizer="community",
    )
    assert vote.status == VoteStatus.DRAFT
    with pytest.raises(DomainError, match="首次业主大会"):
        services.vote_create(
            estate=world.estate,
            title="x",
            matter="other",
            opens_at=now,
            closes_at=now + datetime.timedelta(days=1),
            acting_user=world.users["committee_chair"],
            organizer="community",
        )
