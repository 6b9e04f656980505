import datetime

from django.db.models import Prefetch, Q

from gongzhi.accounts import access
from gongzhi.orgs.models import Organization, OrgKind, ServiceContract
from gongzhi.places.models import Place


def _ancestor_ids(paths: list[str]) -> set[int]:
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


def organizations_visible(user, capability: str = "view_internal"):
    """Organizations at places in the user's scope, plus the companies and party branches that
    serve or cover an estate in scope, plus subdistrict-level units above the user's places
    (a company or department registered at the subdistrict that works in the community)."""
    paths = access.paths_with(user, capability)
    if not paths:
        return Organization.objects.none()
    in_scope = access.scope_q(user, capability, "place__path")
    serving = Q(contracts__estate__in=Place.objects.filter(access.scope_q(user, capability)))
    covering = Q(covered_places__in=Place.objects.filter(access.scope_q(user, capability)))
    above = Q(
        place_id__in=_ancestor_ids(paths),
        kind__in=[OrgKind.PROPERTY_COMPANY, OrgKind.PARTNER_UNIT, OrgKind.DEPARTMENT],
    )
    ids = Organization.objects.filter(in_scope | serving | covering | above).values("id")
    return Organization.objects.filter(id__in=ids).select_related("place")


def companies_for_contracts(user):
    return organizations_visible(user, "manage_orgs").filter(kind=OrgKind.PROPERTY_COMPANY).current()


def contracts_of(organization: Organization):
    return ServiceContract.objects.filter(company=organization).select_related("estate").order_by("-starts_on")


def contracts_of_estate(estate: Place):
    return ServiceContract.objects.filter(estate=estate).select_related("company").order_by("-starts_on")


def current_contract(estate: Place, on: datetime.date) -> ServiceContract | None:
    return (
        ServiceContract.objects.filter(estate=estate, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("company")
        .first()
    )


def estate_parties(estate: Place, on: datetime.date) -> dict:
    """The three parties of an estate on a day: its party branch, its owners' committee and the
    property company under a current contract, each with the holder of its leading post."""
    from gongzhi.accounts.models import Appointment

    current_posts = Appointment.objects.current(on).select_related("person").order_by("starts_on")
    organizations = (
        Organization.objects.filter(
            Q(kind=OrgKind.PARTY_BRANCH, covered_places=estate)
            | Q(kind=OrgKind.PARTY_BRANCH, place=estate)
            | Q(kind=OrgKind.OWNERS_COMMITTEE, place=estate)
        )
        .distinct()
        .prefetch_related(Prefetch("appointments", queryset=current_posts, to_attr="current_appointments"))
    )
    branch = committee = None
    for org in organizations:
        if not org.is_current(on):
            continue
        if org.kind == OrgKind.PARTY_BRANCH and branch is None:
            branch = org
        elif org.kind == OrgKind.OWNERS_COMMITTEE and committee is None:
            committee = org
    contract = current_contract(estate, on)
    return {
        "branch": branch,
        "branch_secretary": _holder(branch, "branch_secretary"),
        "committee": committee,
        "committee_chair": _holder(committee, "committee_chair"),
        "company": contract.company if contract else None,
        "contract": contract,
    }


def _holder(org, post: str):
    if org is None:
        return None
    return next((a.person for a in org.current_appointments if a.post == post), None)


def appointments_of(organization: Organization, on: datetime.date):
    from gongzhi.accounts.models import Appointment

    return (
        Appointment.objects.filter(organization=organization).select_related("person").order_by("ends_on", "-starts_on")
    )
