"""Reads of votes and elections: the live tally, the chain check, receipts, reconciliation, and
lists scoped to what the user may see."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability as C
from gongzhi.elections import tally as law
from gongzhi.elections.models import (
    Ballot,
    BallotKind,
    Candidate,
    CandidateStatus,
    Election,
    ElectionStatus,
    RollEntry,
    RuleVersion,
    Vote,
    VoteStatus,
)


def _hundredths(value: Decimal) -> int:
    # Areas are stored with two decimals; as integer hundredths the sums stay exact and fast.
    return int(value.scaleb(2).to_integral_value())


def counted_ballots(vote: Vote):
    """The ballot that counts for each owner: the last one (no successor), if it is not a void."""
    return Ballot.objects.filter(vote=vote, superseded_by__isnull=True, kind=BallotKind.CAST)


def vote_result(vote: Vote):
    """The result as it stands: the published result of a closed vote; for an open one, the
    running totals kept with every ballot (one row, no scan of the ballots). Equal to a recount
    (tested, and checked by ``verify_chain``)."""
    if vote.status == VoteStatus.CLOSED and vote.result:
        return vote_recount(vote)
    if vote.total_owners is None:
        raise ValueError("the roll is not frozen yet")
    if vote.is_election:
        return _election_result(vote)
    # Read the totals afresh: the caller's instance may predate the latest ballots.
    live = Vote.objects.filter(pk=vote.pk).values_list("live", flat=True).first() or {}

    def area_of(choice):
        return Fraction(live.get(choice, [0, 0])[0], 100)

    def owners_of(choice):
        return live.get(choice, [0, 0])[1]

    return law.Result(
        special=vote.special,
        total_area=law.exact(vote.total_area),
        total_owners=vote.total_owners,
        participating_area=area_of(law.YES) + area_of(law.NO) + area_of(law.ABSTAIN),
        participating_owners=owners_of(law.YES) + owners_of(law.NO) + owners_of(law.ABSTAIN),
        yes_area=area_of(law.YES),
        yes_owners=owners_of(law.YES),
        no_area=area_of(law.NO),
        no_owners=owners_of(law.NO),
        abstain_area=area_of(law.ABSTAIN),
        abstain_owners=owners_of(law.ABSTAIN),
    )


def vote_recount(vote: Vote):
    """The result recounted from the frozen denominators and the counted ballots (one query; the
    roll is not loaded). Equals ``tally.tally`` over the full roll (tested)."""
    if vote.total_owners is None:
        raise ValueError("the roll is not frozen yet")
    total_area = law.exact(vote.total_area)
    if vote.is_election:
        return _election_recount(vote)
    sums = {law.YES: [0, 0], law.NO: [0, 0], law.ABSTAIN: [0, 0]}
    for area, choice in counted_ballots(vote).values_list("entry__area", "choice"):
        bucket = sums[choice]
        bucket[0] += _hundredths(area)
        bucket[1] += 1

    def area_of(choice):
        return Fraction(sums[choice][0], 100)

    return law.Result(
        special=vote.special,
        total_area=total_area,
        total_owners=vote.total_owners,
        participating_area=area_of(law.YES) + area_of(law.NO) + area_of(law.ABSTAIN),
        participating_owners=sums[law.YES][1] + sums[law.NO][1] + sums[law.ABSTAIN][1],
        yes_area=area_of(law.YES),
        yes_owners=sums[law.YES][1],
        no_area=area_of(law.NO),
        no_owners=sums[law.NO][1],
        abstain_area=area_of(law.ABSTAIN),
        abstain_owners=sums[law.ABSTAIN][1],
    )


def roll_areas(vote: Vote) -> dict[str, Fraction]:
    return {key: law.exact(area) for key, area in RollEntry.objects.filter(vote=vote).values_list("key", "area")}


def _qualified_candidate_ids(vote: Vote) -> list[int]:
    return list(
        Candidate.objects.filter(election__vote=vote, status=CandidateStatus.QUALIFIED).values_list("id", flat=True)
    )


def _election_result(vote: Vote):
    """Live progress of an election: the running totals kept with every ballot and the frozen
    denominators — two queries whatever the number of owners and ballots."""
    live = Vote.objects.filter(pk=vote.pk).values_list("live", flat=True).first() or {}
    participating = live.get("all", [0, 0])
    return law.tally_election_totals(
        total_area=law.exact(vote.total_area),
        total_owners=vote.total_owners,
        participating_area=Fraction(participating[0], 100),
        participating_owners=participating[1],
        for_candidate={
            int(candidate): (Fraction(hundredths, 100), owners)
            for candidate, (hundredths, owners) in live.get("candidates", {}).items()
        },
        candidate_ids=_qualified_candidate_ids(vote),
        seats=vote.seats,
    )


def _election_recount(vote: Vote):
    """An election's result recounted from the counted ballots and the frozen denominators (one
    pass over the ballots; the roll is not loaded)."""
    participating_area, participating_owners = 0, 0
    for_candidate: dict[int, list[int]] = {}
    for area, selections in counted_ballots(vote).values_list("entry__area", "selections"):
        hundredths = _hundredths(area)
        participating_area += hundredths
        participating_owners += 1
        for candidate in set(selections or []):
            bucket = for_candidate.setdefault(int(candidate), [0, 0])
            bucket[0] += hundredths
            bucket[1] += 1
    return law.tally_election_totals(
        total_area=law.exact(vote.total_area),
        total_owners=vote.total_owners,
        participating_area=Fraction(participating_area, 100),
        participating_owners=participating_owners,
        for_candidate={c: (Fraction(h, 100), n) for c, (h, n) in for_candidate.items()},
        candidate_ids=_qualified_candidate_ids(vote),
        seats=vote.seats,
    )


def reference_result(vote: Vote):
    """The same result through the pure function over the full roll (for checks and tests)."""
    roll = roll_areas(vote)
    if vote.is_election:
        selections = dict(counted_ballots(vote).values_list("entry__key", "selections"))
        return law.tally_election(roll, selections, _qualified_candidate_ids(vote), seats=vote.seats)
    choices = dict(counted_ballots(vote).values_list("entry__key", "choice"))
    return law.tally(roll, choices, special=vote.special)


@dataclass
class ChainCheck:
    ok: bool
    ballots: int
    problems: list[str]


def verify_chain(vote: Vote) -> ChainCheck:
    """Recompute every ballot's hash from its stored content and the previous hash. A ballot
    edited, deleted or inserted in the database breaks the chain at that point."""
    from gongzhi.elections.services import ballot_digest, genesis_hash

    problems: list[str] = []
    previous = genesis_hash(vote)
    expected_sequence = 1
    entry_of: dict[int, int] = {}
    count = 0
    for ballot in Ballot.objects.filter(vote=vote).select_related("entry").order_by("sequence"):
        count += 1
        if ballot.sequence != expected_sequence:
            problems.append(f"#{ballot.sequence}: expected sequence {expected_sequence}")
        if ballot.previous_hash != previous:
            problems.append(f"#{ballot.sequence}: previous hash does not match")
        digest = ballot_digest(
            previous_hash=ballot.previous_hash,
            vote_id=vote.id,
            sequence=ballot.sequence,
            entry_key=ballot.entry.key,
            ballot=ballot,
        )
        if digest != ballot.hash:
            problems.append(f"#{ballot.sequence}: content does not match its hash")
        if ballot.supersedes_id and entry_of.get(ballot.supersedes_id) != ballot.entry_id:
            problems.append(f"#{ballot.sequence}: supersedes a ballot of another owner")
        entry_of[ballot.id] = ballot.entry_id
        previous = ballot.hash
        expected_sequence = ballot.sequence + 1
    if vote.roll_fingerprint:
        from gongzhi.elections.services import stored_roll_fingerprint

        if stored_roll_fingerprint(vote) != vote.roll_fingerprint:
            problems.append("roll: the stored roll does not match its published fingerprint")
    if vote.status == VoteStatus.CLOSED and vote.result:
        if vote_recount(vote).as_dict() != vote.result:
            problems.append("result: the published result does not match the ballots")
    if vote.status == VoteStatus.OPEN:
        if vote_result(vote).as_dict() != vote_recount(vote).as_dict():
            problems.append("live: the running totals do not match the ballots")
    return ChainCheck(ok=not problems, ballots=count, problems=problems)


@dataclass
class ReceiptStatus:
    found: bool
    counted: bool = False
    superseded: bool = False
    voided: bool = False
    ballot: Ballot | None = None


def receipt_lookup(vote: Vote, code: str) -> ReceiptStatus:
    code = (code or "").strip().lower()
    if len(code) < 16:
        return ReceiptStatus(found=False)
    ballot = Ballot.objects.filter(vote=vote, hash__startswith=code[:16]).first()
    if ballot is None:
        return ReceiptStatus(found=False)
    successor = Ballot.objects.filter(supersedes=ballot).first()
    return ReceiptStatus(
        found=True,
        counted=successor is None and ballot.kind == BallotKind.CAST,
        superseded=successor is not None and successor.kind == BallotKind.CAST,
        voided=successor is not None and successor.kind == BallotKind.VOID,
        ballot=ballot,
    )


def published_receipts(vote: Vote) -> list[tuple[str, str, list]]:
    """Receipt codes of the counted ballots with what they say, no names: each owner can find
    their own receipt and see it was counted as cast."""
    return [
        (h[:16], choice, selections)
        for h, choice, selections in counted_ballots(vote).order_by("hash").values_list("hash", "choice", "selections")
    ]


def my_ballot(vote: Vote, person) -> Ballot | None:
    if person is None:
        return None
    return (
        Ballot.objects.filter(vote=vote, entry__rollmember__person=person, superseded_by__isnull=True)
        .select_related("person")
        .first()
    )


def reconciliation(vote: Vote) -> dict:
    """For tellers: counted ballots per channel, owners who voted through more than one channel
    (the last counts), paper serials and voids, owners of the roll not yet voted."""
    counted = Counter(counted_ballots(vote).values_list("channel", flat=True))
    channels_per_entry: dict[int, set[str]] = {}
    for entry_id, channel in Ballot.objects.filter(vote=vote, kind=BallotKind.CAST).values_list("entry_id", "channel"):
        channels_per_entry.setdefault(entry_id, set()).add(channel)
    multi = [e for e, chans in channels_per_entry.items() if len(chans) > 1]
    voted = set(counted_ballots(vote).values_list("entry_id", flat=True))
    return {
        "counted_by_channel": dict(counted),
        "paper_entered": Ballot.objects.filter(vote=vote, channel="paper", kind=BallotKind.CAST).count(),
        "voids": Ballot.objects.filter(vote=vote, kind=BallotKind.VOID).count(),
        "multi_channel_entries": list(RollEntry.objects.filter(id__in=multi).order_by("label")),
        "not_voted": RollEntry.objects.filter(vote=vote).exclude(id__in=voted).order_by("label"),
        "not_voted_count": (vote.total_owners or 0) - len(voted),
    }


# --- Lists ---------------------------------------------------------------------------------


def votes_visible(user):
    """Votes of the estates where the user is staff or an owner/resident (owners see every vote
    of their estate that has opened)."""
    staff = access.scope_q(user, C.VIEW_INTERNAL, "estate__path")
    resident = access.scope_q(user, C.RESIDENT, "estate__path") & ~Q(status=VoteStatus.DRAFT)
    return Vote.objects.filter(staff | resident).select_related("estate").distinct()


def elections_visible(user):
    staff = access.scope_q(user, C.VIEW_INTERNAL, "estate__path")
    resident = access.scope_q(user, C.RESIDENT, "estate__path")
    return (
        Election.objects.filter(staff | resident)
        .select_related("estate", "vote")
        .annotate(candidate_count=Count("candidates"))
        .distinct()
    )


@dataclass
class Flag:
    level: str
    text: str
    url: str


def dashboard_flags(user, today: datetime.date | None = None) -> list[dict]:
    """Warnings for staff: terms ending within the warning window, filings due or late."""
    from gongzhi.elections.rulesets import rule_set
    from gongzhi.elections.services import months_before

    today = today or timezone.localdate()
    items = []
    scope = access.scope_q(user, C.VIEW_INTERNAL, "estate__path")
    for election in Election.objects.filter(scope).exclude(status=ElectionStatus.CANCELLED).select_related("estate"):
        rules = rule_set(election.rule_set)
        if election.term_ends_on and election.term_ends_on > today:
            furthest = max(rules.term_warning_months)
            if today >= months_before(election.term_ends_on, furthest):
                items.append({"kind": "term", "election": election, "days": (election.term_ends_on - today).days})
        if election.filing_due_on and not election.filed_on:
            items.append({"kind": "filing", "election": election, "days": (election.filing_due_on - today).days})
    return items


def rule_versions(estate):
    return RuleVersion.objects.filter(estate=estate).select_related("vote").order_by("kind", "-number")
