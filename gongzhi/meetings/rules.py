"""Who may do what in deliberation. Every predicate asks ``access.can`` at the object's place."""

import rules

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability as C
from gongzhi.accounts.rules import capability_at


def _place(obj):
    return getattr(obj, "place", None) or getattr(obj, "estate", None) or obj


@rules.predicate
def sees_here(user, obj=None):
    if obj is None:
        return False
    place = _place(obj)
    if access.can(user, C.VIEW_INTERNAL, place) or access.can(user, C.RESIDENT, place):
        return True
    # A community's meetings (四方联席会议) concern the residents of its estates.
    path = getattr(place, "path", "")
    return getattr(place, "kind", "") == "community" and any(
        p.startswith(path) for p in access.paths_with(user, C.RESIDENT)
    )


@rules.predicate
def manages_here(user, obj=None):
    return obj is not None and access.can(user, C.MEETING_MANAGE, _place(obj))


def _within(user, capability, obj) -> bool:
    from gongzhi.meetings.services import works_within

    return works_within(user, capability, _place(obj))


@rules.predicate
def works_here(user, obj=None):
    return obj is not None and _within(user, C.VIEW_INTERNAL, obj)


@rules.predicate
def resident_here(user, obj=None):
    return obj is not None and access.can(user, C.RESIDENT, _place(obj))


@rules.predicate
def adds_staff_topics_here(user, obj=None):
    if obj is None:
        return False
    return access.can(user, C.MEETING_MANAGE, _place(obj)) or _within(user, C.CASE_INSPECT, obj)


rules.add_perm("meetings.view_meeting", sees_here)
rules.add_perm("meetings.manage_meeting", manages_here)
rules.add_perm("meetings.call_ad_hoc_meeting", works_here)
rules.add_perm("meetings.propose_topic", resident_here)
rules.add_perm("meetings.back_topic", resident_here)
rules.add_perm("meetings.add_topic", adds_staff_topics_here)
rules.add_perm("meetings.view_topic", sees_here)
rules.add_perm("meetings.export_meeting", capability_at(C.VIEW_INTERNAL))
