"""Who may do what in 效度联评. Each predicate asks ``access`` with one capability at the place of
the object; surveys also depend on their window (answers only while open)."""

import rules

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability as C
from gongzhi.accounts.rules import capability_at


@rules.predicate
def survey_is_open(user, survey) -> bool:
    return survey is not None and survey.phase() == "open"


@rules.predicate
def survey_is_closed(user, survey) -> bool:
    return survey is not None and survey.phase() == "closed"


@rules.predicate
def lives_in_survey_area(user, survey) -> bool:
    """A resident of an estate the survey covers."""
    if survey is None:
        return False
    return any(path.startswith(survey.place.path) for path in access.paths_with(user, C.RESIDENT))


@rules.predicate
def staff_in_survey_area(user, survey) -> bool:
    if survey is None:
        return False
    if access.can(user, C.VIEW_INTERNAL, survey.place):
        return True
    # Estate staff of an estate inside a community- or subdistrict-wide survey.
    return any(path.startswith(survey.place.path) for path in access.paths_with(user, C.VIEW_INTERNAL))


@rules.predicate
def manages_surveys_in_area(user, survey) -> bool:
    """Survey staff of the survey's place, or of some estates inside a wider survey (they enter
    the paper answers of their own estates)."""
    if survey is None:
        return False
    return any(
        survey.place.path.startswith(path) or path.startswith(survey.place.path)
        for path in access.paths_with(user, C.SURVEY_MANAGE)
    )


@rules.predicate
def sees_company(user, company) -> bool:
    """Staff or residents of an estate the company serves or has served, and its own staff."""
    from gongzhi.oversight.selectors import company_estate_paths

    if company is None:
        return False
    if company.id in access.organization_ids(user):
        return True
    paths = access.paths_with(user, C.VIEW_INTERNAL) + access.paths_with(user, C.RESIDENT)
    return any(estate_path.startswith(p) for estate_path in company_estate_paths(company) for p in paths)


@rules.predicate
def acts_for_responsible(user, item) -> bool:
    return bool(item and item.responsible_id and item.responsible_id in access.organization_ids(user, C.CASE_WORK))


@rules.predicate
def may_manage_scorecards(user, scorecard=None) -> bool:
    return access.can(user, C.SCORECARD_MANAGE)


@rules.predicate
def is_staff_anywhere(user, obj=None) -> bool:
    return bool(access.paths_with(user, C.VIEW_INTERNAL))


is_staff_here = capability_at(C.VIEW_INTERNAL)
manages_surveys = capability_at(C.SURVEY_MANAGE)

rules.add_perm("oversight.manage_survey", manages_surveys)
rules.add_perm("oversight.view_survey", manages_surveys | staff_in_survey_area | lives_in_survey_area)
rules.add_perm("oversight.answer_survey", lives_in_survey_area & survey_is_open)
rules.add_perm("oversight.enter_paper_answers", manages_surveys_in_area & survey_is_open)
rules.add_perm(
    "oversight.view_survey_results", manages_surveys | staff_in_survey_area | (lives_in_survey_area & survey_is_closed)
)

rules.add_perm("oversight.inspect_estate", capability_at(C.CASE_INSPECT))
rules.add_perm("oversight.view_inspection", is_staff_here)
rules.add_perm("oversight.view_ledger", is_staff_here)
rules.add_perm("oversight.export_ledger", capability_at(C.EXPORT_DATA))
rules.add_perm("oversight.verify_ledgeritem", capability_at(C.LEDGER_VERIFY) & ~acts_for_responsible)
rules.add_perm("oversight.rectify_ledgeritem", acts_for_responsible | capability_at(C.CASE_DISPATCH))

rules.add_perm("oversight.manage_scorecard", may_manage_scorecards)
rules.add_perm("oversight.assess_estate", capability_at(C.ASSESS))
rules.add_perm("oversight.view_assessment", is_staff_here)
rules.add_perm("oversight.view_company_rating", sees_company)
rules.add_perm("oversight.export_company_rating", sees_company & is_staff_anywhere)
