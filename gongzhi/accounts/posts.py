"""Posts (职务) and what each allows.

A post is held by a person through an ``Appointment`` at an organization or a place. What the post
allows is a set of *capabilities*; where it allows them is its *scope* (the place of the
appointment and everything under it; for a property company's staff, the estates the company
serves under a current contract). ``gongzhi.accounts.access`` is the one function that combines
the two; views, selectors and the API ask it and never filter by hand.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Capability:
    VIEW_INTERNAL = "view_internal"  # staff pages of places in scope
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE_PLACES = "manage_places"  # place tree, flats, Excel import
    MANAGE_ORGS = "manage_orgs"  # organizations, service contracts
    MANAGE_PEOPLE = "manage_people"  # people, appointments, owners
    REVEAL_PERSONAL_DATA = "reveal_personal_data"
    EXPORT_DATA = "export_data"
    CASE_INTAKE = "case_intake"  # enter cases for callers and visitors, phone reviews
    CASE_DISPATCH = "case_dispatch"
    CASE_WORK = "case_work"  # work cases assigned to one's own organization
    CASE_INSPECT = "case_inspect"  # snapshot and inspection findings
    MEETING_MANAGE = "meeting_manage"
    SURVEY_MANAGE = "survey_manage"
    ASSESS = "assess"
    SCORECARD_MANAGE = "scorecard_manage"  # define and version scorecards (subdistrict administrators)
    LEDGER_VERIFY = "ledger_verify"
    VOTE_MANAGE = "vote_manage"
    ELECTION_MANAGE = "election_manage"
    TELLER = "teller"
    FUND_MANAGE = "fund_manage"
    REVENUE_MANAGE = "revenue_manage"
    WORKS_MANAGE = "works_manage"
    AUDIT_READ = "audit_read"
    # Residents: granted by owning or living in a flat, not by a post.
    RESIDENT = "resident"
    OWNER = "owner"


C = Capability
ALL_CAPABILITIES = frozenset(
    value for name, value in vars(Capability).items() if name.isupper() and name not in {"RESIDENT", "OWNER"}
)

STAFF_COMMON = {C.VIEW_INTERNAL, C.VIEW_DASHBOARD}
COMMUNITY_STAFF = STAFF_COMMON | {
    C.MANAGE_PLACES,
    C.MANAGE_ORGS,
    C.MANAGE_PEOPLE,
    C.REVEAL_PERSONAL_DATA,
    C.EXPORT_DATA,
    C.CASE_INTAKE,
    C.CASE_DISPATCH,
    # Cases assigned to the residents' committee or the community party committee themselves
    # (neighbour disputes and the like) are worked by the community's own staff.
    C.CASE_WORK,
    C.CASE_INSPECT,
    C.MEETING_MANAGE,
    C.SURVEY_MANAGE,
    C.ASSESS,
    C.LEDGER_VERIFY,
    C.ELECTION_MANAGE,
    C.VOTE_MANAGE,
    C.TELLER,
    C.WORKS_MANAGE,
    C.REVENUE_MANAGE,
    C.AUDIT_READ,
}


class PostKind(models.TextChoices):
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("街道管理员")
    SUBDISTRICT_STAFF = "subdistrict_staff", _("街道工作人员")
    HOTLINE_OPERATOR = "hotline_operator", _("热线接线员")
    COMMUNITY_SECRETARY = "community_secretary", _("社区党委书记")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    PART_TIME_MEMBER = "part_time_member", _("社区党组织兼职委员")
    BRANCH_SECRETARY = "branch_secretary", _("小区党支部书记")
    BRANCH_MEMBER = "branch_member", _("小区党支部委员")
    PARTY_GROUP_LEADER = "party_group_leader", _("楼栋党小组长")
    COMMITTEE_CHAIR = "committee_chair", _("业委会主任")
    COMMITTEE_VICE_CHAIR = "committee_vice_chair", _("业委会副主任")
    COMMITTEE_MEMBER = "committee_member", _("业委会委员")
    SUPERVISORY_MEMBER = "supervisory_member", _("监事会成员")
    COMPANY_MANAGER = "company_manager", _("物业项目经理")
    COMPANY_STEWARD = "company_steward", _("物业管家")
    BUILDING_HEAD = "building_head", _("楼栋长")
    GRID_WORKER = "grid_worker", _("网格员")
    SUPERVISOR = "supervisor", _("义务监督员")
    PARTY_INSTRUCTOR = "party_instructor", _("党建指导员")
    DEPARTMENT_STAFF = "department_staff", _("职能部门工作人员")
    PARTNER_CONTACT = "partner_contact", _("共建单位联络人")


P = PostKind


class PostRule:
    def __init__(self, *, capabilities, org_kinds=(), place_kind=None, single_holder=False, party=None):
        self.capabilities = frozenset(capabilities)
        # The organization kinds a holder is appointed in (empty: appointed at a place directly).
        self.org_kinds = tuple(org_kinds)
        # For posts held at a place: the kind of place ("subdistrict", "community", "estate",
        # "building", or "grid" for a grid worker).
        self.place_kind = place_kind
        # Only one person may hold it at a time in one organization (a secretary, a chair).
        self.single_holder = single_holder
        # Which of the three parties of an estate the post belongs to ("branch", "committee",
        # "company"), used for cross-appointments and meeting attendance.
        self.party = party


POSTS: dict[str, PostRule] = {
    P.SUBDISTRICT_ADMIN: PostRule(capabilities=ALL_CAPABILITIES, place_kind="subdistrict"),
    P.SUBDISTRICT_STAFF: PostRule(capabilities=COMMUNITY_STAFF - {C.MANAGE_PEOPLE}, place_kind="subdistrict"),
    P.HOTLINE_OPERATOR: PostRule(capabilities={C.VIEW_INTERNAL, C.CASE_INTAKE}, place_kind="subdistrict"),
    P.COMMUNITY_SECRETARY: PostRule(capabilities=COMMUNITY_STAFF, org_kinds=("party_committee",), single_holder=True),
    P.COMMUNITY_WORKER: PostRule(capabilities=COMMUNITY_STAFF, org_kinds=("residents_committee", "party_committee")),
    P.PART_TIME_MEMBER: PostRule(capabilities=STAFF_COMMON, org_kinds=("party_committee",)),
    P.BRANCH_SECRETARY: PostRule(
        capabilities=STAFF_COMMON | {C.MEETING_MANAGE, C.CASE_WORK, C.CASE_INSPECT, C.WORKS_MANAGE},
        org_kinds=("party_branch",),
        single_holder=True,
        party="branch",
    ),
    P.BRANCH_MEMBER: PostRule(
        capabilities=STAFF_COMMON | {C.CASE_WORK, C.CASE_INSPECT}, org_kinds=("party_branch",), party="branch"
    ),
    P.PARTY_GROUP_LEADER: PostRule(capabilities={C.VIEW_INTERNAL, C.CASE_INSPECT}, org_kinds=("party_group",)),
    P.COMMITTEE_CHAIR: PostRule(
        capabilities=STAFF_COMMON
        | {C.MEETING_MANAGE, C.CASE_WORK, C.VOTE_MANAGE, C.TELLER, C.REVENUE_MANAGE, C.WORKS_MANAGE},
        org_kinds=("owners_committee",),
        single_holder=True,
        party="committee",
    ),
    P.COMMITTEE_VICE_CHAIR: PostRule(
        capabilities=STAFF_COMMON | {C.CASE_WORK, C.TELLER, C.REVENUE_MANAGE},
        org_kinds=("owners_committee",),
        party="committee",
    ),
    P.COMMITTEE_MEMBER: PostRule(
        capabilities=STAFF_COMMON | {C.CASE_WORK, C.TELLER}, org_kinds=("owners_committee",), party="committee"
    ),
    P.SUPERVISORY_MEMBER: PostRule(capabilities=STAFF_COMMON, org_kinds=("supervisory_board",)),
    P.COMPANY_MANAGER: PostRule(
        capabilities=STAFF_COMMON | {C.CASE_WORK, C.REVEAL_PERSONAL_DATA},
        org_kinds=("property_company",),
        party="company",
    ),
    P.COMPANY_STEWARD: PostRule(
        capabilities={C.VIEW_INTERNAL, C.CASE_WORK, C.REVEAL_PERSONAL_DATA},
        org_kinds=("property_company",),
        party="company",
    ),
    P.BUILDING_HEAD: PostRule(capabilities={C.VIEW_INTERNAL, C.CASE_INSPECT}, place_kind="building"),
    P.GRID_WORKER: PostRule(capabilities={C.VIEW_INTERNAL, C.CASE_INSPECT, C.CASE_INTAKE}, place_kind="grid"),
    P.SUPERVISOR: PostRule(capabilities={C.VIEW_INTERNAL, C.CASE_INSPECT, C.LEDGER_VERIFY}, place_kind="estate"),
    P.PARTY_INSTRUCTOR: PostRule(capabilities=STAFF_COMMON | {C.CASE_INSPECT}, place_kind="estate"),
    P.DEPARTMENT_STAFF: PostRule(capabilities={C.VIEW_INTERNAL, C.CASE_WORK}, org_kinds=("department",)),
    P.PARTNER_CONTACT: PostRule(capabilities={C.VIEW_INTERNAL}, org_kinds=("partner_unit",)),
}
