import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.accounts.models import Appointment, Ownership, PartyCheckIn, Person, Residence, User
from gongzhi.accounts.posts import POSTS, PostKind
from gongzhi.core.errors import DomainError
from gongzhi.core.masking import normalize_phone
from gongzhi.core.services import audit_record
from gongzhi.orgs.models import Organization
from gongzhi.places.models import Flat, Grid, Place


def _validated(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise DomainError("；".join(error.messages)) from None


@transaction.atomic
def person_create(
    *,
    name: str,
    phone: str = "",
    id_number: str = "",
    is_party_member: bool = False,
    acting_user=None,
    user: User | None = None,
    registered_at: Place | None = None,
    note: str = "",
) -> Person:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("姓名不能为空"))
    if registered_at is not None and registered_at.kind not in {"subdistrict", "community", "estate"}:
        raise DomainError(_("登记地点必须是街道、社区或小区"))
    person = Person(
        name=name,
        phone=normalize_phone(phone),
        id_number=(id_number or "").strip().upper(),
        is_party_member=is_party_member,
        user=user,
        registered_at=registered_at,
        note=(note or "").strip(),
    )
    _validated(person)
    person.save()
    if acting_user is not None:
        audit_record(acting_user=acting_user, action="person.create", target=f"person:{person.id}")
    return person


PERSON_EDITABLE_FIELDS = {"name", "phone", "id_number", "is_party_member", "note", "registered_at"}


@transaction.atomic
def person_update(*, person: Person, acting_user=None, **fields) -> Person:
    unknown = set(fields) - PERSON_EDITABLE_FIELDS
    if unknown:
        raise DomainError(_("不能修改该项：%(field)s") % {"field": "、".join(sorted(unknown))})
    if "phone" in fields:
        fields["phone"] = normalize_phone(fields["phone"])
    if "id_number" in fields:
        fields["id_number"] = (fields["id_number"] or "").strip().upper()
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise DomainError(_("姓名不能为空"))
    for key, value in fields.items():
        setattr(person, key, value)
    _validated(person)
    person.save()
    if acting_user is not None:
        # Which fields changed, never their values: the audit log is not a copy of personal data.
        audit_record(
            acting_user=acting_user,
            action="person.update",
            target=f"person:{person.id}",
            detail={"fields": sorted(fields)},
        )
    return person


@transaction.atomic
def persons_update_from_import(*, changes: dict[int, dict[str, str]], acting_user) -> int:
    """Apply the changes an import found for registered persons ({person id: {field: value}},
    values already checked by the import), in bulk, with one audit row per person naming the
    changed fields, never their values."""
    from gongzhi.core.models import AuditEntry

    changes = {pk: fields for pk, fields in changes.items() if fields}
    unknown = {name for fields in changes.values() for name in fields} - {"name", "phone", "id_number"}
    if unknown:
        raise DomainError(_("不能修改该项：%(field)s") % {"field": "、".join(sorted(unknown))})
    persons = list(Person.objects.filter(pk__in=list(changes)))
    for person in persons:
        for name, value in changes[person.pk].items():
            setattr(person, name, value)
    Person.objects.bulk_update(persons, ["name", "phone", "id_number"], batch_size=1000)
    actor = acting_user if getattr(acting_user, "is_authenticated", False) else None
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor,
                action="person.update",
                target=f"person:{person.pk}",
                detail={"fields": sorted(changes[person.pk]), "source": "import"},
            )
            for person in persons
        ],
        batch_size=1000,
    )
    return len(persons)


@transaction.atomic
def user_create_for_person(*, person: Person, username: str, password: str, acting_user=None) -> User:
    if person.user_id:
        raise DomainError(_("该人员已有账号"))
    if User.objects.filter(username=username).exists():
        raise DomainError(_("用户名“%(name)s”已被使用") % {"name": username})
    user = User.objects.create_user(username=username, password=password, first_name=person.name)
    person.user = user
    person.save(update_fields=["user"])
    return user


def _overlaps(qs, starts_on, ends_on):
    # Two periods [s1, e1) and [s2, e2) overlap when s1 < e2 and s2 < e1 (open end = forever).
    qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on))
    if ends_on is not None:
        qs = qs.filter(starts_on__lt=ends_on)
    return qs


@transaction.atomic
def appointment_create(
    *,
    person: Person,
    post: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    organization: Organization | None = None,
    place: Place | None = None,
    grid: Grid | None = None,
    note: str = "",
    acting_user=None,
) -> Appointment:
    rule = POSTS.get(post)
    if rule is None:
        raise DomainError(_("未知的职务：%(post)s") % {"post": post})
    label = PostKind(post).label
    if ends_on is not None and ends_on <= starts_on:
        raise DomainError(_("结束日期必须晚于开始日期"))
    if rule.org_kinds:
        if organization is None or organization.kind not in rule.org_kinds:
            raise DomainError(_("“%(post)s”必须任职于相应的组织") % {"post": label})
        if organization.dissolved_on and organization.dissolved_on <= starts_on:
            raise DomainError(_("该组织已撤销"))
    elif rule.place_kind == "grid":
        if grid is None:
            raise DomainError(_("网格员必须指定网格"))
    else:
        if place is None or place.kind != rule.place_kind:
            raise DomainError(_("“%(post)s”必须任职于一个%(kind)s") % {"post": label, "kind": rule.place_kind})
    if rule.single_holder and organization is not None:
        clash = _overlaps(Appointment.objects.filter(post=post, organization=organization), starts_on, ends_on)
        if clash.exists():
            other = clash.select_related("person").first()
            raise DomainError(
                _("%(org)s在该期间已有%(post)s（%(name)s），任期不能重叠")
                % {"org": organization.name, "post": label, "name": other.person.name}
            )
    same = _overlaps(
        Appointment.objects.filter(person=person, post=post, organization=organization, place=place, grid=grid),
        starts_on,
        ends_on,
    )
    if same.exists():
        raise DomainError(_("该人员在该期间已担任此职务"))
    appointment = Appointment.objects.create(
        person=person,
        post=post,
        organization=organization,
        place=place,
        grid=grid,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="appointment.create",
            target=str(appointment),
            detail={"person": person.id, "post": post, "starts_on": str(starts_on)},
        )
    if person.user_id:
        access.forget_grants(person.user)
    return appointment


@transaction.atomic
def appointment_end(*, appointment: Appointment, ends_on: datetime.date, acting_user=None) -> Appointment:
    if ends_on <= appointment.starts_on:
        raise DomainError(_("结束日期必须晚于开始日期"))
    if appointment.ends_on is not None and appointment.ends_on <= ends_on:
        raise DomainError(_("该任职已于%(date)s结束") % {"date": appointment.ends_on})
    appointment.ends_on = ends_on
    appointment.save(update_fields=["ends_on"])
    if acting_user is not None:
        audit_record(
            acting_user=acting_user, action="appointment.end", target=str(appointment), detail={"ends_on": str(ends_on)}
        )
    return appointment


@transaction.atomic
def ownership_add(*, person: Person, flat: Flat, starts_on: datetime.date | None = None, acting_user=None) -> Ownership:
    """Register a person as an owner of a flat. A flat may have several (joint) owners and a
    person may own several flats."""
    if Ownership.objects.filter(person=person, flat=flat, ends_on__isnull=True).exists():
        raise DomainError(_("%(name)s已是该房屋的业主") % {"name": person.name})
    ownership = Ownership.objects.create(person=person, flat=flat, starts_on=starts_on)
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="ownership.add",
            target=f"flat:{flat.id}",
            detail={"person": person.id},
        )
    if person.user_id:
        access.forget_grants(person.user)
    return ownership


@transaction.atomic
def ownership_end(*, ownership: Ownership, ends_on: datetime.date, acting_user=None) -> Ownership:
    """The owner no longer owns the flat (sold, transferred) from ``ends_on``."""
    if ownership.ends_on is not None:
        raise DomainError(_("该产权登记已结束"))
    if ownership.starts_on and ends_on <= ownership.starts_on:
        raise DomainError(_("结束日期必须晚于开始日期"))
    ownership.ends_on = ends_on
    ownership.save(update_fields=["ends_on"])
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="ownership.end",
            target=f"flat:{ownership.flat_id}",
            detail={"person": ownership.person_id, "ends_on": str(ends_on)},
        )
    if ownership.person.user_id:
        access.forget_grants(ownership.person.user)
    return ownership


@transaction.atomic
def residence_add(*, person: Person, flat: Flat, role: str = "family", acting_user=None) -> Residence:
    return Residence.objects.create(person=person, flat=flat, role=role)


def lives_in_estate(person: Person, estate: Place) -> bool:
    current = Q(ends_on__isnull=True)
    return (
        Ownership.objects.filter(current, person=person, flat__estate=estate).exists()
        or Residence.objects.filter(current, person=person, flat__estate=estate).exists()
    )


@transaction.atomic
def party_check_in(
    *, person: Person, estate: Place, checked_in_on: datetime.date, workplace: str = "", acting_user=None
) -> PartyCheckIn:
    if not person.is_party_member:
        raise DomainError(_("只有党员可以到小区报到"))
    if estate.kind != "estate":
        raise DomainError(_("报到地点必须是小区"))
    if not lives_in_estate(person, estate):
        raise DomainError(
            _("%(name)s不住在%(estate)s，不能到该小区报到") % {"name": person.name, "estate": estate.name}
        )
    if PartyCheckIn.objects.filter(person=person, ended_on__isnull=True).exists():
        raise DomainError(_("%(name)s已在其他小区报到") % {"name": person.name})
    check_in = PartyCheckIn.objects.create(
        person=person, estate=estate, checked_in_on=checked_in_on, workplace=(workplace or "").strip()[:100]
    )
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="party_check_in.create",
            target=estate.path,
            detail={"person": person.id, "on": str(checked_in_on)},
        )
    return check_in


@transaction.atomic
def party_check_in_end(*, check_in: PartyCheckIn, ended_on: datetime.date, acting_user=None) -> PartyCheckIn:
    if check_in.ended_on is not None:
        raise DomainError(_("该报到已结束"))
    if ended_on < check_in.checked_in_on:
        raise DomainError(_("结束日期不能早于报到日期"))
    check_in.ended_on = ended_on
    check_in.save(update_fields=["ended_on"])
    if acting_user is not None:
        audit_record(
            acting_user=acting_user,
            action="party_check_in.end",
            target=check_in.estate.path,
            detail={"person": check_in.person_id, "on": str(ended_on)},
        )
    return check_in


@transaction.atomic
def personal_data_reveal(*, person: Person, field: str, acting_user, reason: str = "") -> str:
    """Return the full value of a personal field, if the user's post allows it at a place the
    person is linked to, and log the reveal."""
    if field not in {"phone", "id_number"}:
        raise DomainError(_("不支持查看该字段"))
    places = list(Place.objects.filter(estate_flats__ownerships__person=person).distinct())
    places += list(Place.objects.filter(estate_flats__residences__person=person).distinct())
    places += [
        a.organization.place if a.organization_id else a.place
        for a in person.appointments.select_related("organization__place", "place")
        if a.place_id or a.organization_id
    ]
    if person.registered_at_id:
        places.append(person.registered_at)
    allowed = any(access.can(acting_user, "reveal_personal_data", p) for p in places if p is not None)
    if not allowed and not acting_user.is_superuser:
        raise DomainError(_("您无权查看该人员的完整个人信息"), status=403)
    audit_record(
        acting_user=acting_user,
        action="personal_data.reveal",
        target=f"person:{person.id}",
        detail={"field": field, "reason": reason},
    )
    return getattr(person, field)
