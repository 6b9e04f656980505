"""Organizations over JSON (``/api/v1/orgs/``), through the same selectors as the pages."""

import datetime

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from gongzhi.orgs import selectors
from gongzhi.places.models import Place

router = Router(tags=["orgs"])


class OrganizationOut(Schema):
    id: int
    kind: str
    name: str
    place_id: int
    branch_type: str
    has_party_org: bool
    ownership: str
    department_kind: str
    founded_on: datetime.date | None
    dissolved_on: datetime.date | None


class PartyOut(Schema):
    id: int
    name: str
    leader: str | None = None


class PartiesOut(Schema):
    estate_id: int
    branch: PartyOut | None
    committee: PartyOut | None
    company: PartyOut | None
    contract_starts_on: datetime.date | None
    contract_ends_on: datetime.date | None


@router.get("/", response=list[OrganizationOut], summary="Organizations the user sees")
def organization_list(request, kind: str | None = None):
    organizations = selectors.organizations_visible(request.user).order_by("kind", "name")
    return organizations.filter(kind=kind) if kind else organizations


@router.get("/estates/{estate_id}/parties", response=PartiesOut, summary="The three parties of an estate")
def estate_parties(request, estate_id: int):
    estate = Place.objects.filter(pk=estate_id, kind="estate").first()
    if estate is None or not request.user.has_perm("places.view_place", estate):
        raise Http404
    parties = selectors.estate_parties(estate, timezone.localdate())
    contract = parties["contract"]

    def party(org, leader):
        return PartyOut(id=org.id, name=org.name, leader=leader.name if leader else None) if org else None

    return PartiesOut(
        estate_id=estate.id,
        branch=party(parties["branch"], parties["branch_secretary"]),
        committee=party(parties["committee"], parties["committee_chair"]),
        company=party(parties["company"], None),
        contract_starts_on=contract.starts_on if contract else None,
        contract_ends_on=contract.ends_on if contract else None,
    )
