"""Who may do what with funds, revenue, micro-works, micro-wishes and renovation."""

import rules

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability as C
from gongzhi.accounts.rules import capability_at


def _place_path(obj) -> str | None:
    return access.place_path_of(obj)


@rules.predicate
def in_the_area(user, obj) -> bool:
    """Staff or residents anywhere in the object's area, or above it: a fund's balance and flows
    are public to its whole subdistrict."""
    path = _place_path(obj)
    if path is None:
        return False
    paths = access.paths_with(user, C.VIEW_INTERNAL) + access.paths_with(user, C.RESIDENT)
    return any(p.startswith(path) or path.startswith(p) for p in paths)


@rules.predicate
def reviews_for_community(user, estate) -> bool:
    """业财社管: revenue management at the estate's community (not just the estate)."""
    estate = getattr(estate, "estate", estate)
    if estate is None or estate.parent_id is None:
        return False
    return access.can(user, C.REVENUE_MANAGE, estate.parent)


@rules.predicate
def may_see_wish(user, wish) -> bool:
    """Approved wishes are shown to residents of the wish's community, staff over the estate and
    the contacts of partner units; a pending one only to its poster and the reviewers."""
    if wish is None:
        return False
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    if person is not None and wish.poster_id == person.id:
        return True
    if wish.status == "pending" or wish.status == "rejected":
        # Before approval a wish is between the wisher and the staff who review it.
        return access.can(user, C.WORKS_MANAGE, wish.estate)
    if access.can(user, C.VIEW_INTERNAL, wish.estate):
        return True
    community = wish.estate.path.rsplit("/", 2)[0] + "/"
    if any(p.startswith(community) for p in access.paths_with(user, C.RESIDENT)):
        return True
    return any(wish.estate.path.startswith(p) for p in access.paths_with(user, C.VIEW_INTERNAL))


is_staff_here = capability_at(C.VIEW_INTERNAL)
is_resident_here = capability_at(C.RESIDENT)

rules.add_perm("funds.view_fund", in_the_area)
rules.add_perm("funds.manage_fund", capability_at(C.FUND_MANAGE))
rules.add_perm("funds.view_revenue", is_staff_here)
rules.add_perm("funds.view_published_revenue", is_staff_here | is_resident_here)
rules.add_perm("funds.manage_revenue", capability_at(C.REVENUE_MANAGE))
rules.add_perm("funds.review_revenue", reviews_for_community)
rules.add_perm("funds.view_works", is_staff_here | is_resident_here)
rules.add_perm("funds.manage_works", capability_at(C.WORKS_MANAGE))
rules.add_perm("funds.post_wish", is_resident_here)
rules.add_perm("funds.view_wish", may_see_wish)
rules.add_perm("funds.review_wish", capability_at(C.WORKS_MANAGE))
rules.add_perm("funds.claim_wish", may_see_wish & rules.is_authenticated)
rules.add_perm("funds.view_renovation", is_staff_here)
rules.add_perm("funds.manage_renovation", capability_at(C.WORKS_MANAGE))
