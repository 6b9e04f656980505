"""Rule sets a deployment chooses. Local regulations differ on committee size, terms, notice periods
and the formation timetable; the national defaults come from the Civil Code and the State Council's
物业管理条例 / 住建部《业主大会和业主委员会指导规则》:

- committee of 5 to 11 members, an odd number (指导规则 art. 31);
- a term of at most 5 years (指导规则 art. 33);
- filing with the subdistrict within 30 days of the election (物业管理条例 art. 16);
- the owners' assembly is noticed 15 days ahead (物业管理条例 art. 13 / 指导规则 art. 21).

A deployment picks one with the setting ``ELECTION_RULE_SET`` (a key of ``RULE_SETS``) and may add
its own in ``ELECTION_RULE_SETS`` (a dict of keyword arguments for ``RuleSet``).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RuleSet:
    key: str
    label: object
    committee_min: int = 5
    committee_max: int = 11
    committee_odd: bool = True
    term_years_max: int = 5
    filing_days: int = 30
    assembly_notice_days: int = 15
    candidate_notice_days: int = 5
    review_working_days: int = 1  # seed 002: each review finished within one working day
    online_voting: bool = True
    term_warning_months: tuple[int, ...] = (6, 3, 1)
    # The "31-day formation" (seed 003): day offsets of each step from the day the election opens.
    timetable: tuple[tuple[str, int], ...] = field(
        default=(
            ("announce", 0),
            ("nominations_close", 7),
            ("review_done", 9),
            ("notice_start", 10),
            ("notice_end", 14),
            ("vote_open", 15),
            ("vote_close", 22),
            ("result_notice", 23),
            ("first_meeting", 25),
            ("filing", 31),
        )
    )

    def seats_valid(self, seats: int) -> bool:
        if not self.committee_min <= seats <= self.committee_max:
            return False
        return not self.committee_odd or seats % 2 == 1


NATIONAL = RuleSet(key="national", label=_("国家默认规则"))

RULE_SETS: dict[str, RuleSet] = {NATIONAL.key: NATIONAL}


def _extra() -> dict[str, RuleSet]:
    extra = getattr(settings, "ELECTION_RULE_SETS", {}) or {}
    return {key: RuleSet(key=key, **{"label": key, **values}) for key, values in extra.items()}


def all_rule_sets() -> dict[str, RuleSet]:
    return {**RULE_SETS, **_extra()}


def rule_set(key: str | None = None) -> RuleSet:
    sets = all_rule_sets()
    chosen = key or getattr(settings, "ELECTION_RULE_SET", NATIONAL.key)
    return sets.get(chosen, NATIONAL)
