"""People over JSON (``/api/v1/accounts/``): masked in lists; the full value only through the
logged reveal, as on the pages."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from gongzhi.accounts import access, selectors, services
from gongzhi.accounts.models import Person
from gongzhi.core.errors import DomainError

router = Router(tags=["accounts"])


class PersonOut(Schema):
    id: int
    name: str
    phone: str
    is_party_member: bool


class RevealIn(Schema):
    field: str = "phone"
    reason: str = ""


class RevealOut(Schema):
    field: str
    value: str


@router.get("/people", response=list[PersonOut], summary="People in the user's scope (phones masked)")
def people(request, q: str = "", limit: int = 100, offset: int = 0):
    if not access.can(request.user, "manage_people"):
        raise DomainError(_("您无权查看人员名单"), status=403)
    limit = max(1, min(limit, 500))
    offset = max(0, min(offset, 10**9))  # the database cannot take a negative or a 64-bit-overflowing offset
    persons = selectors.people_list(request.user, search=q)[offset : offset + limit]
    return [PersonOut(id=p.id, name=p.name, phone=p.masked_phone, is_party_member=p.is_party_member) for p in persons]


@router.post("/people/{person_id}/reveal", response=RevealOut, summary="Reveal one personal field (logged)")
def reveal(request, person_id: int, payload: RevealIn):
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404
    value = services.personal_data_reveal(
        person=person, field=payload.field, acting_user=request.user, reason=payload.reason
    )
    return RevealOut(field=payload.field, value=value or "")
