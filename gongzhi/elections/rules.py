"""Who may do what with votes, elections, rule documents and major decisions."""

import rules

from gongzhi.accounts.posts import Capability as C
from gongzhi.accounts.rules import capability_at


@rules.predicate
def is_published(user, vote=None):
    return vote is not None and getattr(vote, "status", "draft") != "draft"


staff_here = capability_at(C.VIEW_INTERNAL)
resident_here = capability_at(C.RESIDENT)
manages_votes = capability_at(C.VOTE_MANAGE) | capability_at(C.ELECTION_MANAGE)

rules.add_perm("elections.view_vote", staff_here | (resident_here & is_published))
rules.add_perm("elections.manage_vote", manages_votes)
rules.add_perm("elections.cast_ballot", capability_at(C.OWNER))
rules.add_perm("elections.enter_ballot", capability_at(C.TELLER))
rules.add_perm("elections.export_vote", staff_here)
rules.add_perm("elections.view_election", staff_here | resident_here)
rules.add_perm("elections.manage_election", capability_at(C.ELECTION_MANAGE))
rules.add_perm("elections.nominate_self", capability_at(C.OWNER))
rules.add_perm("elections.view_rules", staff_here | resident_here)
rules.add_perm("elections.manage_rules", manages_votes)
rules.add_perm("elections.view_decision", staff_here | resident_here)
rules.add_perm("elections.create_decision", capability_at(C.VOTE_MANAGE))
rules.add_perm("elections.record_decision_step", staff_here)
