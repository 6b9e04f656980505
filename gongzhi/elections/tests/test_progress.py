"""Live progress (turnout by owners and by area, and each candidate's votes) is kept with every
ballot, not recounted from the roll: after random ballots, changes and voids it equals a naive
recount over the full roll and every ballot, and the progress page takes as many queries after
sixty ballots as after ten."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.elections import selectors, services
from gongzhi.elections import tally as law
from gongzhi.elections.models import Ballot, CandidateStatus, RollEntry
from gongzhi.elections.tests.test_elections import police, run_to_notice  # noqa: F401 - fixture
from gongzhi.notifications.models import Notification
from gongzhi.places import services as places

pytestmark = pytest.mark.django_db


def naive_recount(vote):
    """Every ballot in chain order, the last one per owner counting unless it is a void, summed
    over the whole roll by the pure functions of the law."""
    roll = {key: law.exact(area) for key, area in RollEntry.objects.filter(vote=vote).values_list("key", "area")}
    last = {}
    for ballot in Ballot.objects.filter(vote=vote).select_related("entry").order_by("sequence"):
        last[ballot.entry.key] = ballot
    counted = {key: ballot for key, ballot in last.items() if ballot.kind == "cast"}
    if vote.is_election:
        qualified = vote.election.candidates.filter(status=CandidateStatus.QUALIFIED).values_list("id", flat=True)
        return law.tally_election(
            roll, {k: b.selections for k, b in counted.items()}, list(qualified), seats=vote.seats
        )
    return law.tally(roll, {k: b.choice for k, b in counted.items()}, special=vote.special)


def add_flats(world, rng, count=24):
    for n in range(count):
        places.flat_create(
            building=world.buildings[n % len(world.buildings)],
            number=f"8{n:03d}",
            area_m2=Decimal(rng.randint(4000, 16000)) / 100,
        )


def random_ballots(world, vote, rng, count, start=0):
    teller = world.users["committee_chair"]
    entries = list(RollEntry.objects.filter(vote=vote).order_by("id"))
    candidates = (
        list(vote.election.candidates.filter(status=CandidateStatus.QUALIFIED).values_list("id", flat=True))
        if vote.is_election
        else []
    )
    for n in range(start, start + count):
        entry = rng.choice(entries)
        current = Ballot.objects.filter(vote=vote, entry=entry, superseded_by__isnull=True).first()
        if current is not None and current.kind == "cast" and rng.random() < 0.15:
            services.ballot_void(vote=vote, entry=entry, acting_user=teller, reason="字迹无法辨认")
            continue
        services.paper_ballot_enter(
            vote=vote,
            entry=entry,
            acting_user=teller,
            serial=f"P{n:04d}",
            choice="" if vote.is_election else rng.choice(["yes", "yes", "no", "abstain"]),
            selections=rng.sample(candidates, rng.randint(0, vote.seats)) if vote.is_election else None,
        )


def progress_queries(client, vote):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/elections/votes/{vote.id}/progress/")
    assert response.status_code == 200
    for query in captured.captured_queries:
        sql = query["sql"]
        # Neither the ballots nor the whole roll are read: the roll only as a count per kind,
        # or the viewer's own entries.
        assert '"elections_ballot"' not in sql, sql
        if 'FROM "elections_rollentry"' in sql:
            assert "COUNT(" in sql or '"elections_rollmember"' in sql, sql
    return len(captured), response.content.decode()


def check_progress(world, client_for, vote, rng):
    client = client_for("community_worker")
    random_ballots(world, vote, rng, 10)
    expected = naive_recount(vote)
    assert selectors.vote_result(vote).as_dict() == expected.as_dict()
    few, _ = progress_queries(client, vote)
    random_ballots(world, vote, rng, 50, start=10)
    assert Ballot.objects.filter(vote=vote).count() >= 60
    expected = naive_recount(vote)
    assert selectors.vote_result(vote).as_dict() == expected.as_dict()
    assert selectors.verify_chain(vote).ok
    many, html = progress_queries(client, vote)
    assert many == few
    turnout = expected.turnout if vote.is_election else expected
    # What the page shows: participation by area and by owners as exact fractions.
    assert turnout.participation_area.fraction_text in html
    assert turnout.participation_owners.fraction_text in html
    return expected


@pytest.mark.parametrize("seed", [3, 17])
def test_vote_progress_equals_the_naive_recount(world, client_for, open_vote, seed):
    rng = random.Random(seed)
    add_flats(world, rng)
    vote = open_vote("fund_raise" if seed % 2 else "other")
    check_progress(world, client_for, vote, rng)


@pytest.mark.parametrize("seed", [5, 23])
def test_election_progress_equals_the_naive_recount(world, client_for, make_owner, police, seed):  # noqa: F811
    rng = random.Random(seed)
    today = timezone.localdate()
    election, _owners = run_to_notice(world, make_owner, police, opened_on=today - datetime.timedelta(days=20))
    add_flats(world, rng)
    now = timezone.now()
    vote = services.election_start_vote(
        election=election,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=3),
        acting_user=world.users["community_worker"],
    )
    expected = check_progress(world, client_for, vote, rng)
    # Each candidate's votes as well, and closing publishes the same figures.
    live = selectors.vote_result(vote)
    assert [c.as_dict() for c in live.candidates] == [c.as_dict() for c in expected.candidates]
    vote = services.vote_close(vote=vote, acting_user=world.users["community_worker"], note="测试")
    assert vote.result == expected.as_dict()
    # The owners on the roll were told when the election's voting opened, and now of who was elected.
    owners = set(services.roll_users(vote).values_list("id", flat=True))
    opening = Notification.objects.filter(kind="vote_opening")
    assert set(opening.values_list("user_id", flat=True)) == owners and opening.count() == len(owners)
    assert "业委会选举投票开始" in opening.first().title and "委员5名" in opening.first().body
    result = Notification.objects.filter(kind="vote_result")
    assert set(result.values_list("user_id", flat=True)) == owners and result.count() == len(owners)
    elected = vote.election.candidates.filter(id__in=vote.result["elected"]).select_related("person")
    body = result.first().body
    if elected:
        assert body.startswith("当选委员：") and all(c.person.name in body for c in elected)
    else:
        assert body.startswith("本次投票未选出委员。")
