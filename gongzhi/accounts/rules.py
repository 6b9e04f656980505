"""Object permissions built on the place tree and posts (package ``rules``).

Each predicate asks ``gongzhi.accounts.access.can`` with one capability at the object's place.
Other apps build theirs the same way with ``capability_at``."""

import rules

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability as C


def capability_at(capability: str):
    @rules.predicate(name=f"capability_at:{capability}")
    def predicate(user, obj=None):
        return access.can(user, capability, obj)

    return predicate


is_staff_here = capability_at(C.VIEW_INTERNAL)
is_resident_here = capability_at(C.RESIDENT)

rules.add_perm("places.view_place", is_staff_here | is_resident_here)
rules.add_perm("places.view_internal", is_staff_here)
rules.add_perm("places.manage_place", capability_at(C.MANAGE_PLACES))
rules.add_perm("orgs.manage_organization", capability_at(C.MANAGE_ORGS))
rules.add_perm("accounts.manage_person", capability_at(C.MANAGE_PEOPLE))
rules.add_perm("accounts.reveal_personal_data", capability_at(C.REVEAL_PERSONAL_DATA))
rules.add_perm("indicators.view_dashboard", capability_at(C.VIEW_DASHBOARD))
rules.add_perm("core.export_data", capability_at(C.EXPORT_DATA))
rules.add_perm("core.read_audit", capability_at(C.AUDIT_READ))
