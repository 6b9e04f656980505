import rules

from gongzhi.accounts.posts import Capability as C
from gongzhi.accounts.rules import capability_at


@rules.predicate
def is_subdistrict(user, place=None):
    return place is not None and getattr(place, "kind", "") == "subdistrict"


rules.add_perm("reports.view_report", capability_at(C.VIEW_DASHBOARD))
rules.add_perm("reports.schedule_report", capability_at(C.EXPORT_DATA) & is_subdistrict)
