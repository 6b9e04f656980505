"""Who may do what with a case. Views, the API and the services ask these permissions only.

- ``cases.view_case``: the reporter, staff with internal access at the estate, and the members of
  the responsible organization.
- ``cases.report_case`` (on an estate): residents of the estate, and posts that take in cases there
  (intake, inspection/snapshot, dispatch) or file them from meetings, surveys and assessments.
- ``cases.intake_case`` (on an estate): hotline and front-desk staff, grid workers.
- ``cases.dispatch_case``: the community or subdistrict dispatcher.
- ``cases.work_case``: members of the organization the case is assigned to.
- ``cases.review_case``: the reporter; intake staff for a phone review (回访).
"""

import rules

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability as C
from gongzhi.accounts.rules import capability_at


@rules.predicate
def is_reporter(user, case=None) -> bool:
    if case is None or not getattr(case, "reporter_id", None) or not getattr(user, "is_authenticated", False):
        return False
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    return person is not None and person.id == case.reporter_id


@rules.predicate
def works_for_responsible(user, case=None) -> bool:
    if case is None or not getattr(case, "responsible_id", None):
        return False
    return case.responsible_id in access.organization_ids(user, C.CASE_WORK) and access.can(user, C.CASE_WORK, case)


is_staff_here = capability_at(C.VIEW_INTERNAL)
can_dispatch = capability_at(C.CASE_DISPATCH)
can_intake = capability_at(C.CASE_INTAKE)
can_inspect = capability_at(C.CASE_INSPECT)
is_resident_here = capability_at(C.RESIDENT)

rules.add_perm("cases.view_case", is_reporter | is_staff_here | works_for_responsible)
# Meetings (resolutions), surveys and assessments (findings) and ledger sign-off file cases too.
files_findings = (
    capability_at(C.MEETING_MANAGE)
    | capability_at(C.SURVEY_MANAGE)
    | capability_at(C.ASSESS)
    | capability_at(C.LEDGER_VERIFY)
)
rules.add_perm("cases.report_case", is_resident_here | can_intake | can_inspect | can_dispatch | files_findings)
rules.add_perm("cases.intake_case", can_intake)
rules.add_perm("cases.dispatch_case", can_dispatch)
rules.add_perm("cases.work_case", works_for_responsible)
rules.add_perm("cases.review_case", is_reporter | can_intake)
