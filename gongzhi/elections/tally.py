"""The law of owners' votes as a pure function: a frozen roll and the counted ballots in, a result
out. Exact rational arithmetic (``fractions.Fraction``) throughout; no float ever touches a figure
that decides an outcome. Nothing here reads the database.

Sources of every rule:
- Civil Code art. 278: participation of owners holding at least two thirds of the exclusive area
  *and* at least two thirds of the owners; consent of at least three quarters of the participating
  area and owners for items 6–8 (raising maintenance funds, rebuilding, changing the use of common
  parts or using them for business), more than half for every other matter.
- Civil Code art. 1259: "以上" includes the bound (≥), "过半数" does not (>).
- SPC interpretation on building ownership (法释〔2009〕7号), art. 8: the area of an exclusive part is
  the registered area; if not registered, the surveyed area; if not surveyed, the contract area.
- Same interpretation, art. 9: each exclusive part counts as one owner, except that all parts the
  developer has not sold, or sold but not delivered, count as one together, and one buyer of several
  parts counts as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

YES = "yes"
NO = "no"
ABSTAIN = "abstain"
CHOICES = (YES, NO, ABSTAIN)

PARTICIPATION_BOUND = Fraction(2, 3)  # art. 278: "三分之二以上" — at least
SPECIAL_CONSENT_BOUND = Fraction(3, 4)  # art. 278 items 6–8: "四分之三以上" — at least
ORDINARY_CONSENT_BOUND = Fraction(1, 2)  # art. 278 other items: "过半数" — strictly more than

DEVELOPER_KEY = "developer"


def exact(value) -> Fraction:
    """A Decimal, int, str or Fraction as an exact Fraction. Floats are refused: a float cannot
    hold 88.35 exactly, and a threshold decided by its rounding would be decided by accident."""
    if isinstance(value, float):
        raise TypeError("floats are not allowed in vote arithmetic")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Decimal | int):
        return Fraction(value)
    return Fraction(Decimal(str(value)))


# --- Area and owners: SPC interpretation arts. 8 and 9 ---------------------------------------


def statutory_area(*, registered=None, surveyed=None, contract=None) -> tuple[Fraction, str]:
    """Art. 8: the registered area, else the surveyed area, else the contract area."""
    for source, value in (("registered", registered), ("surveyed", surveyed), ("contract", contract)):
        if value is not None:
            area = exact(value)
            if area <= 0:
                raise ValueError("an exclusive area must be positive")
            return area, source
    raise ValueError("an exclusive part needs a registered, surveyed or contract area")


@dataclass(frozen=True)
class FlatRecord:
    """One exclusive part as the roll sees it."""

    flat_id: int
    area: Fraction
    area_source: str
    # Current owners (person ids). Empty for a delivered flat whose owner is not on record: it is
    # still one exclusive part and counts in the denominators.
    owner_ids: frozenset[int] = frozenset()
    # Unsold, or sold but not delivered: counts with the developer (art. 9).
    with_developer: bool = False


@dataclass(frozen=True)
class Voter:
    """One owner as art. 9 counts owners, with all the area they vote with."""

    key: str
    area: Fraction
    flat_ids: tuple[int, ...]
    owner_ids: frozenset[int]
    kind: str  # "owner", "developer", "unrecorded"


def voter_key(owner_ids: frozenset[int]) -> str:
    return "owners:" + ",".join(str(i) for i in sorted(owner_ids))


def build_roll(flats: Iterable[FlatRecord]) -> list[Voter]:
    """Group exclusive parts into owners as art. 9 counts them.

    - The developer's unsold and undelivered parts: one owner together.
    - Parts held by the same owner, or by the same group of joint owners, count as one owner
      with their areas added (joint owners of a part are one owner of it and vote once).
    - A delivered part with no owner on record: one owner of its own.
    """
    groups: dict[str, list[FlatRecord]] = {}
    kinds: dict[str, str] = {}
    for flat in flats:
        if flat.with_developer:
            key, kind = DEVELOPER_KEY, "developer"
        elif flat.owner_ids:
            key, kind = voter_key(flat.owner_ids), "owner"
        else:
            key, kind = f"flat:{flat.flat_id}", "unrecorded"
        groups.setdefault(key, []).append(flat)
        kinds[key] = kind
    voters = []
    for key in sorted(groups):
        members = groups[key]
        voters.append(
            Voter(
                key=key,
                area=sum((f.area for f in members), Fraction(0)),
                flat_ids=tuple(sorted(f.flat_id for f in members)),
                owner_ids=frozenset() if kinds[key] != "owner" else members[0].owner_ids,
                kind=kinds[key],
            )
        )
    return voters


# --- The decision: Civil Code arts. 278 and 1259 ----------------------------------------------


@dataclass(frozen=True)
class Share:
    """A part of a whole, exact. ``percent`` is for display only (two decimals, rounded half up
    on the exact value; never used to decide)."""

    numerator: Fraction
    denominator: Fraction

    @property
    def value(self) -> Fraction:
        return self.numerator / self.denominator if self.denominator else Fraction(0)

    @property
    def fraction_text(self) -> str:
        return f"{_num(self.numerator)}/{_num(self.denominator)}"

    @property
    def percent(self) -> str:
        if not self.denominator:
            return "—"
        hundredths = self.value * 10000
        rounded = (hundredths.numerator * 2 + hundredths.denominator) // (2 * hundredths.denominator)
        return f"{rounded // 100}.{rounded % 100:02d}%"

    def at_least(self, bound: Fraction) -> bool:
        # "以上" (art. 1259): the bound itself is enough. Cross-multiplied, exact.
        return self.denominator > 0 and self.numerator >= bound * self.denominator

    def more_than(self, bound: Fraction) -> bool:
        # "过半数": strictly more than.
        return self.denominator > 0 and self.numerator > bound * self.denominator

    def as_dict(self) -> dict:
        return {
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
            "fraction": self.fraction_text,
            "percent": self.percent,
        }


def _num(value: Fraction) -> str:
    """An exact number as text: an integer, a finite decimal (areas) or p/q."""
    if value.denominator == 1:
        return str(value.numerator)
    # Areas are given in hundredths; print them as decimals when they are finite decimals.
    d = value.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d == 1:
        places = max(twos, fives)
        scaled = value * 10**places
        sign = "-" if scaled < 0 else ""
        digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
        return f"{sign}{digits[:-places]}.{digits[-places:]}"
    return f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class Result:
    special: bool
    total_area: Fraction
    total_owners: int
    participating_area: Fraction
    participating_owners: int
    yes_area: Fraction
    yes_owners: int
    no_area: Fraction
    no_owners: int
    abstain_area: Fraction
    abstain_owners: int
    participation_area: Share = field(init=False)
    participation_owners: Share = field(init=False)
    consent_area: Share = field(init=False)
    consent_owners: Share = field(init=False)

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "participation_area", Share(self.participating_area, self.total_area))
        set_(self, "participation_owners", Share(Fraction(self.participating_owners), Fraction(self.total_owners)))
        set_(self, "consent_area", Share(self.yes_area, self.participating_area))
        set_(self, "consent_owners", Share(Fraction(self.yes_owners), Fraction(self.participating_owners)))

    @property
    def quorum_met(self) -> bool:
        return self.participation_area.at_least(PARTICIPATION_BOUND) and self.participation_owners.at_least(
            PARTICIPATION_BOUND
        )

    @property
    def consent_met(self) -> bool:
        if self.special:
            return self.consent_area.at_least(SPECIAL_CONSENT_BOUND) and self.consent_owners.at_least(
                SPECIAL_CONSENT_BOUND
            )
        return self.consent_area.more_than(ORDINARY_CONSENT_BOUND) and self.consent_owners.more_than(
            ORDINARY_CONSENT_BOUND
        )

    @property
    def passed(self) -> bool:
        return self.quorum_met and self.consent_met

    @property
    def rule_code(self) -> str:
        return "special" if self.special else "ordinary"

    def as_dict(self) -> dict:
        return {
            "rule": self.rule_code,
            "total_area": _num(self.total_area),
            "total_owners": self.total_owners,
            "participating_area": _num(self.participating_area),
            "participating_owners": self.participating_owners,
            "yes_area": _num(self.yes_area),
            "yes_owners": self.yes_owners,
            "no_area": _num(self.no_area),
            "no_owners": self.no_owners,
            "abstain_area": _num(self.abstain_area),
            "abstain_owners": self.abstain_owners,
            "participation_area": self.participation_area.as_dict(),
            "participation_owners": self.participation_owners.as_dict(),
            "consent_area": self.consent_area.as_dict(),
            "consent_owners": self.consent_owners.as_dict(),
            "quorum_met": self.quorum_met,
            "consent_met": self.consent_met,
            "passed": self.passed,
        }


def tally(roll: Mapping[str, Fraction], choices: Mapping[str, str], *, special: bool) -> Result:
    """The result of a matter vote.

    ``roll`` maps each owner's key to their exclusive area (the frozen roll); ``choices`` maps the
    keys of owners whose last valid ballot counts to "yes", "no" or "abstain". Abstaining is taking
    part without consenting. A ballot for a key not on the roll is an error, not a silent skip.
    """
    totals = {YES: [Fraction(0), 0], NO: [Fraction(0), 0], ABSTAIN: [Fraction(0), 0]}
    for key, choice in choices.items():
        if key not in roll:
            raise KeyError(f"ballot for {key!r}, who is not on the roll")
        bucket = totals[choice]
        bucket[0] += roll[key]
        bucket[1] += 1
    total_area = sum(roll.values(), Fraction(0))
    return Result(
        special=special,
        total_area=total_area,
        total_owners=len(roll),
        participating_area=totals[YES][0] + totals[NO][0] + totals[ABSTAIN][0],
        participating_owners=totals[YES][1] + totals[NO][1] + totals[ABSTAIN][1],
        yes_area=totals[YES][0],
        yes_owners=totals[YES][1],
        no_area=totals[NO][0],
        no_owners=totals[NO][1],
        abstain_area=totals[ABSTAIN][0],
        abstain_owners=totals[ABSTAIN][1],
    )


# --- Elections: N seats -----------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateResult:
    candidate_id: int
    owners: int
    area: Fraction
    consent_area: Share
    consent_owners: Share
    qualified: bool  # reached the statutory majority on its own
    elected: bool = False
    rank: int = 0
    note: str = ""  # "tie", "no_seat", "no_majority", "no_quorum"

    def as_dict(self) -> dict:
        return {
            "candidate_id": self.candidate_id,
            "owners": self.owners,
            "area": _num(self.area),
            "consent_area": self.consent_area.as_dict(),
            "consent_owners": self.consent_owners.as_dict(),
            "qualified": self.qualified,
            "elected": self.elected,
            "rank": self.rank,
            "note": self.note,
        }


@dataclass(frozen=True)
class ElectionResult:
    seats: int
    turnout: Result  # participation (who cast any election ballot); consent fields unused
    candidates: tuple[CandidateResult, ...]
    unfilled: int
    tied: tuple[int, ...]

    @property
    def elected_ids(self) -> list[int]:
        return [c.candidate_id for c in self.candidates if c.elected]

    def as_dict(self) -> dict:
        return {
            "seats": self.seats,
            "turnout": self.turnout.as_dict(),
            "candidates": [c.as_dict() for c in self.candidates],
            "unfilled": self.unfilled,
            "tied": list(self.tied),
            "elected": self.elected_ids,
        }


def tally_election(
    roll: Mapping[str, Fraction], selections: Mapping[str, Iterable[int]], candidate_ids: Iterable[int], *, seats: int
) -> ElectionResult:
    """Electing the owners' committee is item 3 of art. 278: participation of two thirds, and each
    elected member needs more than half of the participating area *and* owners. Among those who
    reach it, seats go by number of owners, then by area. If candidates tie for the last seat(s)
    none of the tied is elected by lot here — the seats stay open for a further round and the result
    says so. ``selections`` maps each counted owner to the candidates they voted for (an empty set
    is a blank ballot: taking part, consenting to no one)."""
    candidate_ids = list(candidate_ids)
    for_candidate: dict[int, tuple[Fraction, int]] = {c: (Fraction(0), 0) for c in candidate_ids}
    participating_area, participating_owners = Fraction(0), 0
    for key, chosen in selections.items():
        if key not in roll:
            raise KeyError(f"ballot for {key!r}, who is not on the roll")
        participating_area += roll[key]
        participating_owners += 1
        for candidate in set(chosen):
            if candidate not in for_candidate:
                raise KeyError(f"vote for unknown candidate {candidate!r}")
            area, owners = for_candidate[candidate]
            for_candidate[candidate] = (area + roll[key], owners + 1)
    return tally_election_totals(
        total_area=sum(roll.values(), Fraction(0)),
        total_owners=len(roll),
        participating_area=participating_area,
        participating_owners=participating_owners,
        for_candidate=for_candidate,
        candidate_ids=candidate_ids,
        seats=seats,
    )


def tally_election_totals(
    *,
    total_area: Fraction,
    total_owners: int,
    participating_area: Fraction,
    participating_owners: int,
    for_candidate: Mapping[int, tuple[Fraction, int]],
    candidate_ids: Iterable[int],
    seats: int,
) -> ElectionResult:
    """The same decision as ``tally_election`` from totals already summed (the frozen roll's
    denominators, the participating owners and area, and each candidate's area and owners), so
    that live progress needs no pass over the roll or the ballots."""
    candidate_ids = list(candidate_ids)
    turnout = Result(
        special=False,
        total_area=total_area,
        total_owners=total_owners,
        participating_area=participating_area,
        participating_owners=participating_owners,
        yes_area=Fraction(0),
        yes_owners=0,
        no_area=Fraction(0),
        no_owners=0,
        abstain_area=Fraction(0),
        abstain_owners=0,
    )
    quorum = turnout.quorum_met
    rows = []
    for candidate in candidate_ids:
        area, owners = for_candidate.get(candidate, (Fraction(0), 0))
        consent_area = Share(area, participating_area)
        consent_owners = Share(Fraction(owners), Fraction(participating_owners))
        qualified = (
            quorum
            and consent_area.more_than(ORDINARY_CONSENT_BOUND)
            and consent_owners.more_than(ORDINARY_CONSENT_BOUND)
        )
        rows.append((candidate, owners, area, consent_area, consent_owners, qualified))
    rows.sort(key=lambda r: (-r[1], -r[2], r[0]))
    qualified_rows = [r for r in rows if r[5]]
    elected: set[int] = set()
    tied: list[int] = []
    index = 0
    while index < len(qualified_rows) and len(elected) < seats:
        score = (qualified_rows[index][1], qualified_rows[index][2])
        group = [r for r in qualified_rows[index:] if (r[1], r[2]) == score]
        if len(elected) + len(group) <= seats:
            elected.update(r[0] for r in group)
        else:
            tied.extend(r[0] for r in group)
            break
        index += len(group)
    results = []
    for rank, (candidate, owners, area, consent_area, consent_owners, qualified) in enumerate(rows, start=1):
        if candidate in elected:
            note = ""
        elif not quorum:
            note = "no_quorum"
        elif candidate in tied:
            note = "tie"
        elif not qualified:
            note = "no_majority"
        else:
            note = "no_seat"
        results.append(
            CandidateResult(
                candidate_id=candidate,
                owners=owners,
                area=area,
                consent_area=consent_area,
                consent_owners=consent_owners,
                qualified=qualified,
                elected=candidate in elected,
                rank=rank,
                note=note,
            )
        )
    return ElectionResult(
        seats=seats,
        turnout=turnout,
        candidates=tuple(results),
        unfilled=seats - len(elected),
        tied=tuple(tied),
    )
