"""Two requests casting the same owner's vote at the same moment leave exactly one counted ballot,
and the hash chain does not fork."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from gongzhi.core.errors import DomainError
from gongzhi.elections import selectors, services
from gongzhi.elections.models import Ballot

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_casts_leave_one_counted_ballot(world, open_vote):
    vote = open_vote()
    user = world.users["resident"]
    user_id = user.id
    barrier = threading.Barrier(4)
    outcomes = []

    def cast(choice):
        from gongzhi.accounts.models import User

        try:
            me = User.objects.get(pk=user_id)
            barrier.wait(timeout=10)
            services.ballot_cast(vote=vote, acting_user=me, choice=choice)
            outcomes.append("ok")
        except DomainError as error:  # the database refused a fork: a clear 409, nothing written
            outcomes.append(f"refused:{error.status}")
        except Exception as error:  # noqa: BLE001 - SQLite may report "database is locked"
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(c,)) for c in ("yes", "no", "abstain", "yes")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "ok" in outcomes
    entry = vote.roll.get(rollmember__person=world.person("resident"))
    counted = selectors.counted_ballots(vote).filter(entry=entry)
    assert counted.count() == 1
    if connection.vendor == "postgresql":
        # Row locks serialize the casts: all four are kept in order, the last one counts.
        assert outcomes.count("ok") == 4
        assert Ballot.objects.filter(vote=vote).count() == 4
    assert selectors.verify_chain(vote).ok


def test_the_database_refuses_a_second_first_ballot(world, open_vote):
    # What a race that slipped past the row lock would try: two ballots for one owner, neither
    # superseding the other. The constraint refuses it on every backend.
    vote = open_vote()
    first = services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="yes")
    fork = Ballot(
        vote=vote,
        entry=first.entry,
        sequence=2,
        choice="no",
        channel="online",
        cast_at=first.cast_at,
        previous_hash=first.hash,
        hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()
    # Nor can two ballots supersede the same one.
    second = services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="no")
    twin = Ballot(
        vote=vote,
        entry=first.entry,
        sequence=3,
        supersedes=first,
        choice="abstain",
        channel="online",
        cast_at=second.cast_at,
        previous_hash=second.hash,
        hash="e" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert selectors.counted_ballots(vote).count() == 1
