"""The law as arithmetic: Civil Code arts. 278 and 1259, SPC interpretation arts. 8 and 9."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.elections import tally as law
from gongzhi.elections.tally import ABSTAIN, NO, YES, FlatRecord


def reference(areas_hundredths: dict[str, int], choices: dict[str, str], special: bool) -> dict:
    """A deliberately plain reading of art. 278 in integers (areas in hundredths of m²)."""
    total_area = sum(areas_hundredths.values())
    total_owners = len(areas_hundredths)
    part = [k for k in choices]
    part_area = sum(areas_hundredths[k] for k in part)
    yes = [k for k, c in choices.items() if c == YES]
    yes_area = sum(areas_hundredths[k] for k in yes)
    quorum = 3 * part_area >= 2 * total_area and 3 * len(part) >= 2 * total_owners
    if special:
        consent = part and 4 * yes_area >= 3 * part_area and 4 * len(yes) >= 3 * len(part)
    else:
        consent = part and 2 * yes_area > part_area and 2 * len(yes) > len(part)
    return {"quorum": bool(quorum), "consent": bool(consent), "passed": bool(quorum and consent)}


areas = st.integers(min_value=1, max_value=40_000)


@st.composite
def electorates(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    roll = {f"o{i}": draw(areas) for i in range(n)}
    choices = {}
    for key in roll:
        c = draw(st.sampled_from([YES, NO, ABSTAIN, None, None]))
        if c:
            choices[key] = c
    return roll, choices


@settings(max_examples=400, deadline=None)
@given(electorates(), st.booleans())
def test_tally_agrees_with_the_plain_reading(electorate, special):
    roll, choices = electorate
    result = law.tally({k: Fraction(v, 100) for k, v in roll.items()}, choices, special=special)
    expected = reference(roll, choices, special)
    assert result.quorum_met == expected["quorum"]
    assert result.consent_met == expected["consent"]
    assert result.passed == expected["passed"]
    assert result.participating_owners == len(choices)
    assert result.yes_owners + result.no_owners + result.abstain_owners == len(choices)
    assert result.yes_area + result.no_area + result.abstain_area == result.participating_area


def _roll(*areas):
    return {f"o{i}": Fraction(a) for i, a in enumerate(areas)}


def test_participation_of_exactly_two_thirds_is_enough():
    # "三分之二以上" includes two thirds (art. 1259): 2 of 3 owners holding 200 of 300 m².
    roll = _roll(100, 100, 100)
    result = law.tally(roll, {"o0": YES, "o1": YES}, special=False)
    assert result.participation_area.fraction_text == "200/300"
    assert result.participation_owners.value == Fraction(2, 3)
    assert result.quorum_met and result.passed


def test_participation_just_under_two_thirds_of_area_fails_even_with_two_thirds_of_owners():
    roll = {"a": Fraction("100"), "b": Fraction("99.99"), "c": Fraction("100.01")}
    result = law.tally(roll, {"a": YES, "b": YES}, special=False)
    assert result.participation_owners.at_least(law.PARTICIPATION_BOUND)
    assert not result.participation_area.at_least(law.PARTICIPATION_BOUND)
    assert not result.quorum_met and not result.passed


def test_participation_needs_both_area_and_head_count():
    # Two big owners: enough area, not enough owners.
    roll = _roll(1000, 1000, 10, 10, 10, 10)
    result = law.tally(roll, {"o0": YES, "o1": YES}, special=False)
    assert result.participation_area.at_least(law.PARTICIPATION_BOUND)
    assert not result.participation_owners.at_least(law.PARTICIPATION_BOUND)
    assert not result.quorum_met


def test_special_matter_exactly_three_quarters_passes():
    # Items 6–8: "四分之三以上" includes three quarters.
    roll = _roll(*[100] * 4)
    result = law.tally(roll, {"o0": YES, "o1": YES, "o2": YES, "o3": NO}, special=True)
    assert result.consent_area.fraction_text == "300/400"
    assert result.consent_owners.percent == "75.00%"
    assert result.passed


def test_special_matter_just_under_three_quarters_fails():
    roll = {"a": Fraction("100"), "b": Fraction("100"), "c": Fraction("99.99"), "d": Fraction("100.03")}
    result = law.tally(roll, {"a": YES, "b": YES, "c": YES, "d": NO}, special=True)
    assert result.consent_owners.at_least(law.SPECIAL_CONSENT_BOUND)
    assert not result.consent_area.at_least(law.SPECIAL_CONSENT_BOUND)
    assert not result.passed


def test_ordinary_matter_exactly_half_is_not_a_majority():
    # "过半数" excludes one half (art. 1259).
    roll = _roll(100, 100, 100, 100)
    result = law.tally(roll, {"o0": YES, "o1": YES, "o2": NO, "o3": NO}, special=False)
    assert result.quorum_met
    assert result.consent_area.value == Fraction(1, 2)
    assert not result.consent_met and not result.passed


def test_ordinary_matter_a_hundredth_over_half_passes():
    roll = {"a": Fraction("100.01"), "b": Fraction("100"), "c": Fraction("50"), "d": Fraction("50")}
    result = law.tally(roll, {"a": YES, "b": NO, "c": YES, "d": NO}, special=False)
    # Owners: 2 of 4 = exactly half → not a majority by head count, though area is over half.
    assert result.consent_area.more_than(law.ORDINARY_CONSENT_BOUND)
    assert not result.consent_owners.more_than(law.ORDINARY_CONSENT_BOUND)
    assert not result.passed
    result = law.tally(roll, {"a": YES, "b": NO, "c": YES}, special=False)
    assert result.passed


def test_abstention_counts_as_taking_part_not_as_consent():
    roll = _roll(100, 100, 100)
    result = law.tally(roll, {"o0": YES, "o1": ABSTAIN, "o2": ABSTAIN}, special=False)
    assert result.quorum_met
    assert not result.passed
    assert result.abstain_owners == 2


def test_no_floats_on_the_path():
    with pytest.raises(TypeError):
        law.exact(88.5)
    assert law.exact(Decimal("88.35")) == Fraction(8835, 100)


def test_a_ballot_from_outside_the_roll_is_an_error():
    with pytest.raises(KeyError):
        law.tally(_roll(1), {"stranger": YES}, special=False)


def test_share_text_and_percent():
    share = law.Share(Fraction("200.5"), Fraction(300))
    assert share.fraction_text == "200.5/300"
    assert share.percent == "66.83%"
    assert law.Share(Fraction(1, 3), Fraction(1)).fraction_text == "1/3/1"


# --- SPC interpretation art. 8 -------------------------------------------------------------


def test_area_source_order():
    assert law.statutory_area(registered="90.1", surveyed="91", contract="95") == (Fraction("90.1"), "registered")
    assert law.statutory_area(surveyed="91", contract="95") == (Fraction(91), "surveyed")
    assert law.statutory_area(contract="95") == (Fraction(95), "contract")
    with pytest.raises(ValueError):
        law.statutory_area()


# --- SPC interpretation art. 9 -------------------------------------------------------------


def flat(i, area, owners=(), developer=False):
    return FlatRecord(
        flat_id=i, area=Fraction(area), area_source="registered", owner_ids=frozenset(owners), with_developer=developer
    )


def test_each_exclusive_part_is_one_owner():
    roll = law.build_roll([flat(1, 90, {10}), flat(2, 80, {11})])
    assert len(roll) == 2


def test_developers_unsold_and_undelivered_parts_count_as_one_together():
    roll = law.build_roll([flat(1, 90, developer=True), flat(2, 80, {5}, developer=True), flat(3, 70, {6})])
    developer = [v for v in roll if v.kind == "developer"]
    assert len(developer) == 1 and developer[0].area == 170 and developer[0].flat_ids == (1, 2)
    assert len(roll) == 2


def test_one_buyer_of_several_parts_counts_once_with_all_their_area():
    roll = law.build_roll([flat(1, 90, {7}), flat(2, 60, {7}), flat(3, 70, {8})])
    assert len(roll) == 2
    assert next(v for v in roll if v.owner_ids == {7}).area == 150


def test_joint_owners_of_a_part_vote_once():
    roll = law.build_roll([flat(1, 90, {7, 8}), flat(2, 60, {8})])
    assert len(roll) == 2
    assert {v.owner_ids for v in roll} == {frozenset({7, 8}), frozenset({8})}


def test_a_part_with_no_owner_on_record_still_counts():
    roll = law.build_roll([flat(1, 90), flat(2, 60)])
    assert [v.kind for v in roll] == ["unrecorded", "unrecorded"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 9_999), st.frozensets(st.integers(1, 6), max_size=2), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_art9_roll_against_a_plain_count(parts):
    flats = [flat(i, area, owners, developer) for i, (area, owners, developer) in enumerate(parts)]
    roll = law.build_roll(flats)
    developer = any(f.with_developer for f in flats)
    owner_groups = {f.owner_ids for f in flats if not f.with_developer and f.owner_ids}
    unrecorded = sum(1 for f in flats if not f.with_developer and not f.owner_ids)
    assert len(roll) == int(developer) + len(owner_groups) + unrecorded
    assert sum(v.area for v in roll) == sum(f.area for f in flats)
    assert sorted(i for v in roll for i in v.flat_ids) == list(range(len(flats)))


# --- Elections -----------------------------------------------------------------------------


def test_each_elected_member_needs_the_majority_and_seats_go_by_votes():
    roll = _roll(*[100] * 10)
    selections = {f"o{i}": [1, 2] for i in range(6)}  # 6 of 10 take part... not quorum
    result = law.tally_election(roll, selections, [1, 2, 3], seats=2)
    assert not result.turnout.quorum_met and result.unfilled == 2
    assert {c.note for c in result.candidates} == {"no_quorum"}
    selections = {f"o{i}": [1, 2] for i in range(5)} | {"o5": [1, 3], "o6": [3]}
    result = law.tally_election(roll, selections, [1, 2, 3], seats=2)
    # 7 take part; 1 has 6 votes, 2 has 5, 3 has 2 (no majority).
    assert result.elected_ids == [1, 2]
    assert [c.rank for c in result.candidates] == [1, 2, 3]
    assert result.candidates[2].note == "no_majority"


def test_a_tie_for_the_last_seat_leaves_it_open():
    roll = _roll(*[100] * 6)
    selections = {f"o{i}": [1, 2, 3] for i in range(4)} | {"o4": [1], "o5": [1]}
    result = law.tally_election(roll, selections, [1, 2, 3], seats=2)
    assert result.elected_ids == [1]
    assert set(result.tied) == {2, 3}
    assert result.unfilled == 1


def test_more_qualified_than_seats():
    roll = _roll(*[100] * 3)
    selections = {"o0": [1, 2], "o1": [1, 2], "o2": [1, 3]}
    result = law.tally_election(roll, selections, [1, 2, 3], seats=1)
    assert result.elected_ids == [1]
    assert next(c for c in result.candidates if c.candidate_id == 2).note == "no_seat"
