"""Who may do what in 志愿与共建."""

import rules

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability as C
from gongzhi.accounts.rules import capability_at


@rules.predicate
def acts_for_partner_unit(user, obj=None) -> bool:
    from gongzhi.orgs.models import Organization

    ids = access.organization_ids(user)
    return bool(ids) and Organization.objects.filter(pk__in=ids, kind="partner_unit").exists()


is_staff_here = capability_at(C.VIEW_INTERNAL)
is_resident_here = capability_at(C.RESIDENT)

rules.add_perm("volunteers.view_volunteers", is_staff_here | is_resident_here)
rules.add_perm("volunteers.manage_volunteers", capability_at(C.WORKS_MANAGE))
rules.add_perm("volunteers.view_internal", is_staff_here)
rules.add_perm("volunteers.record_patrol", capability_at(C.CASE_INTAKE))
rules.add_perm("volunteers.record_visit", capability_at(C.CASE_INTAKE))
rules.add_perm("volunteers.post_need", is_resident_here)
rules.add_perm("volunteers.take_order", is_staff_here & acts_for_partner_unit)
rules.add_perm("volunteers.manage_agreements", capability_at(C.MANAGE_ORGS))
rules.add_perm("volunteers.book_room", is_resident_here)
rules.add_perm("volunteers.set_theme", capability_at(C.MANAGE_PLACES))
