"""Every write of 志愿与共建. One transaction each; refusals raise ``DomainError`` and change nothing."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.accounts import services as people
from gongzhi.accounts.models import PartyCheckIn, Person
from gongzhi.cases.models import Channel
from gongzhi.cases.services import case_create
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.places.models import Place, PlaceKind
from gongzhi.volunteers.models import (
    Booking,
    DutyShift,
    EnforcementPatrol,
    Need,
    OrderStatus,
    Participation,
    PartnershipAgreement,
    PartyServiceLog,
    PatrolProblem,
    ProblemOutcome,
    ReceptionVisit,
    Room,
    ServiceEvent,
    ServiceOrder,
    Venue,
    VisitProblem,
    VolunteerTeam,
)

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_HOURS = Decimal("24")
BOOKING_DAYS_AHEAD = 180


def _text(value, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    if len(value) > limit:
        raise DomainError(_("内容太长（不能超过%(n)s字）") % {"n": limit})
    return value


def _require(user, perm: str, obj, message: str | None = None) -> None:
    if not user.has_perm(perm, obj):
        raise DomainError(message or _("您无权执行此操作"), status=403)


def _estate(estate) -> Place:
    if not isinstance(estate, Place) or estate.kind != PlaceKind.ESTATE:
        raise DomainError(_("请选择小区"))
    return estate


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("时长必须是数字")) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise DomainError(_("时长须大于0且不超过24小时"))
    if hours != hours.quantize(Decimal("0.1")):
        raise DomainError(_("时长最多保留一位小数"))
    return hours


def _not_future(day: datetime.date) -> datetime.date:
    if day > timezone.localdate():
        raise DomainError(_("日期不能晚于今天"))
    return day


# --- teams and events ---------------------------------------------------------------------------


@transaction.atomic
def team_create(*, place: Place, name: str, colour: str, theme: str = "", leader=None, acting_user) -> VolunteerTeam:
    _require(acting_user, "volunteers.manage_volunteers", place)
    name = _text(name, _("请填写队伍名称"), 60)
    if not COLOUR.match(colour or ""):
        raise DomainError(_("颜色格式应为 #RRGGBB"))
    if VolunteerTeam.objects.filter(place=place, name=name).exists():
        raise DomainError(_("已有同名队伍"), status=409)
    team = VolunteerTeam.objects.create(
        place=place, name=name, colour=colour.lower(), theme=(theme or "").strip()[:60], leader=leader
    )
    audit_record(acting_user=acting_user, action="volunteer_team.create", target=place.path, detail={"id": team.id})
    return team


@transaction.atomic
def team_update(
    *,
    team: VolunteerTeam,
    acting_user,
    name: str | None = None,
    colour: str | None = None,
    theme: str | None = None,
    is_active: bool | None = None,
) -> VolunteerTeam:
    """Rename a team, change its colour or theme, stand it down or bring it back. A team is never
    deleted: its events and hours stay with it. Fields left ``None`` keep their value."""
    team = VolunteerTeam.objects.select_for_update().select_related("place").get(pk=team.pk)
    _require(acting_user, "volunteers.manage_volunteers", team.place)
    changed = {}
    if name is not None:
        name = _text(name, _("请填写队伍名称"), 60)
        if name != team.name and VolunteerTeam.objects.filter(place=team.place, name=name).exists():
            raise DomainError(_("已有同名队伍"), status=409)
        changed["name"] = name
    if colour is not None:
        if not COLOUR.match(colour):
            raise DomainError(_("颜色格式应为 #RRGGBB"))
        changed["colour"] = colour.lower()
    if theme is not None:
        theme = theme.strip()
        if len(theme) > 60:
            raise DomainError(_("内容太长（不能超过%(n)s字）") % {"n": 60})
        changed["theme"] = theme
    if is_active is not None:
        changed["is_active"] = bool(is_active)
    changed = {field: value for field, value in changed.items() if getattr(team, field) != value}
    if "is_active" in changed:
        changed["stood_down_at"] = None if changed["is_active"] else timezone.now()
    if changed:
        for field, value in changed.items():
            setattr(team, field, value)
        team.save(update_fields=list(changed))
        audit_record(
            acting_user=acting_user,
            action="volunteer_team.update",
            target=team.place.path,
            detail={"id": team.id, **{k: str(v) for k, v in changed.items()}},
        )
    return team


@transaction.atomic
def event_record(
    *, team: VolunteerTeam, estate: Place, title: str, on_date: datetime.date, hours, participants, acting_user
) -> ServiceEvent:
    """A service event held, with who took part; each participant is credited the event's hours."""
    _estate(estate)
    _require(acting_user, "volunteers.manage_volunteers", estate)
    if not estate.path.startswith(team.place.path) and not team.place.path.startswith(estate.path):
        raise DomainError(_("该队伍不在这个小区服务"))
    if not team.is_active:
        raise DomainError(_("该队伍已停用，不能再登记活动"), status=409)
    hours = _hours(hours)
    people_list = list({p.id: p for p in participants}.values())
    if not people_list:
        raise DomainError(_("请至少登记一名参与者"))
    event = ServiceEvent.objects.create(
        team=team,
        estate=estate,
        title=_text(title, _("请填写活动名称"), 100),
        on_date=_not_future(on_date),
        hours=hours,
        created_by=acting_user,
    )
    Participation.objects.bulk_create([Participation(event=event, person=p, hours=hours) for p in people_list])
    audit_record(acting_user=acting_user, action="service_event.record", target=estate.path, detail={"id": event.id})
    return event


# --- party members ------------------------------------------------------------------------------


def party_check_in(*, estate: Place, workplace: str, acting_user) -> PartyCheckIn:
    """A working party member checks in to their home estate (the accounts service decides)."""
    person = getattr(acting_user, "person", None)
    if person is None:
        raise DomainError(_("请先绑定人员信息"), status=403)
    return people.party_check_in(
        person=person, estate=estate, checked_in_on=timezone.localdate(), workplace=workplace, acting_user=acting_user
    )


@transaction.atomic
def party_service_log(*, description: str, hours, on_date: datetime.date, acting_user) -> PartyServiceLog:
    person = getattr(acting_user, "person", None)
    check_in = PartyCheckIn.objects.filter(person=person, ended_on__isnull=True).first() if person else None
    if check_in is None:
        raise DomainError(_("请先到居住小区报到，再记录服务"))
    day = _not_future(on_date)
    if day < check_in.checked_in_on:
        raise DomainError(_("服务日期不能早于报到日期"))
    log = PartyServiceLog.objects.create(
        check_in=check_in, on_date=day, hours=_hours(hours), description=_text(description, _("请填写服务内容"), 200)
    )
    audit_record(
        acting_user=acting_user, action="party_service.log", target=check_in.estate.path, detail={"id": log.id}
    )
    return log


# --- joint enforcement --------------------------------------------------------------------------


@transaction.atomic
def patrol_record(
    *, estate: Place, on_date: datetime.date, members: str, problems: list[dict], acting_user
) -> EnforcementPatrol:
    """A joint enforcement patrol with what it found. ``problems`` are dicts with ``description``,
    ``outcome`` (fixed on the spot, penalized, unresolved) and ``penalty``; each unresolved problem
    becomes a case with the channel "enforcement"."""
    _estate(estate)
    _require(acting_user, "volunteers.record_patrol", estate)
    members = _text(members, _("请填写参与力量"), 200)
    cleaned = []
    for problem in problems:
        description = _text(problem.get("description"), _("请描述发现的问题"), 200)
        outcome = problem.get("outcome")
        if outcome not in ProblemOutcome.values:
            raise DomainError(_("请选择处置结果"))
        penalty = (problem.get("penalty") or "").strip()[:200]
        if outcome == ProblemOutcome.PENALIZED and not penalty:
            raise DomainError(_("查处的问题请填写处罚情况"))
        cleaned.append((description, outcome, penalty))
    patrol = EnforcementPatrol.objects.create(
        estate=estate, on_date=_not_future(on_date), members=members, created_by=acting_user
    )
    for description, outcome, penalty in cleaned:
        case = None
        if outcome == ProblemOutcome.UNRESOLVED:
            case = case_create(
                estate=estate,
                title=description[:100],
                description=_("联合执法发现（%(date)s）：%(text)s") % {"date": patrol.on_date, "text": description},
                channel=Channel.ENFORCEMENT,
                acting_user=acting_user,
                source_kind="enforcement_patrol",
                source_id=patrol.id,
            )
        PatrolProblem.objects.create(
            patrol=patrol, description=description, outcome=outcome, penalty=penalty, case=case
        )
    audit_record(acting_user=acting_user, action="patrol.record", target=estate.path, detail={"id": patrol.id})
    return patrol


# --- reception visits ---------------------------------------------------------------------------


@transaction.atomic
def reception_visit_record(
    *, estate: Place, leader: str, on_date: datetime.date, attendance, problems: list[dict], acting_user
) -> ReceptionVisit:
    """面对面大接访. Every problem raised becomes a case with the channel "reception visit"; one
    solved on the spot is recorded as such (and its case resolved at once by the case ledger's
    own steps is left to the staff, who answer it there)."""
    _estate(estate)
    _require(acting_user, "volunteers.record_visit", estate)
    try:
        attendance = int(attendance)
    except (TypeError, ValueError):
        raise DomainError(_("来访人数必须是整数")) from None
    if attendance < 0 or attendance > 100000:
        raise DomainError(_("来访人数不正确"))
    cleaned = [
        (_text(p.get("description"), _("请描述居民反映的问题"), 200), bool(p.get("solved_on_spot"))) for p in problems
    ]
    visit = ReceptionVisit.objects.create(
        estate=estate,
        leader=_text(leader, _("请填写接访领导"), 50),
        on_date=_not_future(on_date),
        attendance=attendance,
        created_by=acting_user,
    )
    for description, solved in cleaned:
        case = case_create(
            estate=estate,
            title=description[:100],
            description=_("面对面接访（%(leader)s，%(date)s）：%(text)s")
            % {"leader": visit.leader, "date": visit.on_date, "text": description},
            channel=Channel.RECEPTION_VISIT,
            acting_user=acting_user,
            source_kind="reception_visit",
            source_id=visit.id,
        )
        VisitProblem.objects.create(visit=visit, description=description, solved_on_spot=solved, case=case)
    audit_record(acting_user=acting_user, action="reception_visit.record", target=estate.path, detail={"id": visit.id})
    return visit


# --- needs, orders and partner units ------------------------------------------------------------


@transaction.atomic
def need_post(*, estate: Place, description: str, acting_user) -> Need:
    _estate(estate)
    _require(acting_user, "volunteers.post_need", estate, _("只有本小区居民可以点单"))
    need = Need.objects.create(
        estate=estate, person=acting_user.person, description=_text(description, _("请描述您的需求"), 200)
    )
    audit_record(acting_user=acting_user, action="need.post", target=estate.path, detail={"id": need.id})
    return need


@transaction.atomic
def order_publish(*, estate: Place, title: str, needs, acting_user) -> ServiceOrder:
    """小区下单: the estate turns collected needs into an order for partner units."""
    _estate(estate)
    _require(acting_user, "volunteers.manage_volunteers", estate)
    needs = list(needs)
    for need in needs:
        if need.estate_id != estate.id:
            raise DomainError(_("需求不属于该小区"))
        if need.order_id:
            raise DomainError(_("需求已在其他订单中"), status=409)
    order = ServiceOrder.objects.create(
        estate=estate, title=_text(title, _("请填写订单内容"), 100), created_by=acting_user
    )
    Need.objects.filter(pk__in=[n.pk for n in needs]).update(order=order)
    audit_record(acting_user=acting_user, action="order.publish", target=estate.path, detail={"id": order.id})
    return order


def partner_units_of(user) -> list[Organization]:
    ids = access.organization_ids(user)
    return list(Organization.objects.filter(pk__in=ids, kind=OrgKind.PARTNER_UNIT))


@transaction.atomic
def order_take(*, order: ServiceOrder, partner: Organization, acting_user) -> ServiceOrder:
    """共建单位接单: a partner unit under an agreement with the estate's community takes the order."""
    if partner.kind != OrgKind.PARTNER_UNIT or partner.id not in access.organization_ids(acting_user):
        raise DomainError(_("只有共建单位联络人可以接单"), status=403)
    if not PartnershipAgreement.objects.filter(community_id=order.estate.parent_id, partner=partner).exists():
        raise DomainError(_("该单位尚未与本社区签订共建协议"), status=403)
    taken = ServiceOrder.objects.filter(pk=order.pk, status=OrderStatus.PUBLISHED).update(
        status=OrderStatus.TAKEN, partner=partner, taken_at=timezone.now()
    )
    if not taken:
        raise DomainError(_("该订单已被接单"), status=409)
    audit_record(acting_user=acting_user, action="order.take", target=order.estate.path, detail={"id": order.id})
    order.refresh_from_db()
    _tell_needers(order, _("您点的单“%(title)s”已由%(unit)s接单") % {"title": order.title, "unit": partner.name})
    return order


@transaction.atomic
def order_complete(*, order: ServiceOrder, report: str, acting_user) -> ServiceOrder:
    order = ServiceOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.TAKEN:
        raise DomainError(_("只有已接单的订单可以报告完成"), status=409)
    if order.partner_id not in access.organization_ids(acting_user):
        raise DomainError(_("只有接单单位可以报告完成"), status=403)
    order.report = _text(report, _("请填写完成情况"), 200)
    order.status = OrderStatus.DONE
    order.done_at = timezone.now()
    order.save()
    audit_record(acting_user=acting_user, action="order.done", target=order.estate.path, detail={"id": order.id})
    _tell_needers(order, _("您点的单“%(title)s”已完成") % {"title": order.title})
    return order


def _tell_needers(order: ServiceOrder, title: str) -> None:
    """Residents whose needs went into the order hear when it is taken up and when it is done."""
    from gongzhi.notifications.services import notification_send

    users = [need.person.user for need in order.needs.select_related("person__user") if need.person.user_id]
    transaction.on_commit(
        lambda: notification_send(users=users, title=title, url="/volunteers/orders/", kind="service_order")
    )


@transaction.atomic
def agreement_sign(
    *,
    community: Place,
    partner: Organization,
    signed_on: datetime.date,
    partner_promises: str,
    community_promises: str = "",
    acting_user,
) -> PartnershipAgreement:
    if community.kind != PlaceKind.COMMUNITY:
        raise DomainError(_("共建协议由社区签订"))
    _require(acting_user, "volunteers.manage_agreements", community)
    if partner.kind != OrgKind.PARTNER_UNIT:
        raise DomainError(_("请选择共建单位"))
    agreement = PartnershipAgreement.objects.create(
        community=community,
        partner=partner,
        signed_on=_not_future(signed_on),
        partner_promises=_text(partner_promises, _("请填写共建单位的承诺事项"), 1000),
        community_promises=(community_promises or "").strip()[:1000],
    )
    audit_record(acting_user=acting_user, action="agreement.sign", target=community.path, detail={"id": agreement.id})
    return agreement


# --- venues and bookings ------------------------------------------------------------------------


@transaction.atomic
def venue_create(
    *, estate: Place, name: str, opening_hours: str, rooms: list[tuple[str, bool, int]], acting_user
) -> Venue:
    _estate(estate)
    _require(acting_user, "volunteers.manage_volunteers", estate)
    venue = Venue.objects.create(
        estate=estate,
        name=_text(name, _("请填写阵地名称"), 60),
        opening_hours=_text(opening_hours, _("请填写开放时间"), 100),
    )
    for room_name, bookable, capacity in rooms:
        Room.objects.create(
            venue=venue,
            name=_text(room_name, _("请填写功能室名称"), 60),
            is_bookable=bool(bookable),
            capacity=_capacity(capacity),
        )
    audit_record(acting_user=acting_user, action="venue.create", target=estate.path, detail={"id": venue.id})
    return venue


MAX_CAPACITY = 10000


def _capacity(value) -> int:
    try:
        capacity = int(str(value if value is not None else 0).strip() or 0)
    except (TypeError, ValueError):
        raise DomainError(_("容纳人数必须是整数")) from None
    if not 0 <= capacity <= MAX_CAPACITY:
        raise DomainError(_("容纳人数须在0到%(n)s之间") % {"n": MAX_CAPACITY})
    return capacity


@transaction.atomic
def venue_update(
    *,
    venue: Venue,
    acting_user,
    name: str | None = None,
    opening_hours: str | None = None,
    is_active: bool | None = None,
) -> Venue:
    """Change a venue's name or opening hours, close it or open it again. A closed venue stays on
    record with its bookings and takes no new ones; it is never deleted."""
    venue = Venue.objects.select_for_update().select_related("estate").get(pk=venue.pk)
    _require(acting_user, "volunteers.manage_volunteers", venue.estate)
    changed = {}
    if name is not None:
        changed["name"] = _text(name, _("请填写阵地名称"), 60)
    if opening_hours is not None:
        changed["opening_hours"] = _text(opening_hours, _("请填写开放时间"), 100)
    if is_active is not None:
        changed["is_active"] = bool(is_active)
    changed = {field: value for field, value in changed.items() if getattr(venue, field) != value}
    if changed:
        for field, value in changed.items():
            setattr(venue, field, value)
        venue.save(update_fields=list(changed))
        audit_record(
            acting_user=acting_user,
            action="venue.update",
            target=venue.estate.path,
            detail={"id": venue.id, **{k: str(v) for k, v in changed.items()}},
        )
    return venue


@transaction.atomic
def room_add(*, venue: Venue, name: str, is_bookable: bool, capacity=0, acting_user) -> Room:
    _require(acting_user, "volunteers.manage_volunteers", venue.estate)
    name = _text(name, _("请填写功能室名称"), 60)
    if venue.rooms.filter(name=name).exists():
        raise DomainError(_("该阵地已有同名功能室"), status=409)
    room = Room.objects.create(venue=venue, name=name, is_bookable=bool(is_bookable), capacity=_capacity(capacity))
    audit_record(acting_user=acting_user, action="room.add", target=venue.estate.path, detail={"id": room.id})
    return room


@transaction.atomic
def room_update(
    *,
    room: Room,
    acting_user,
    name: str | None = None,
    is_bookable: bool | None = None,
    capacity=None,
    is_active: bool | None = None,
) -> Room:
    """Rename a room, open or close it to bookings, change its capacity, close it. Bookings already
    made stay; a closed or unbookable room takes no new ones."""
    room = Room.objects.select_for_update().select_related("venue__estate").get(pk=room.pk)
    _require(acting_user, "volunteers.manage_volunteers", room.venue.estate)
    changed = {}
    if name is not None:
        name = _text(name, _("请填写功能室名称"), 60)
        if name != room.name and room.venue.rooms.filter(name=name).exists():
            raise DomainError(_("该阵地已有同名功能室"), status=409)
        changed["name"] = name
    if is_bookable is not None:
        changed["is_bookable"] = bool(is_bookable)
    if capacity is not None:
        changed["capacity"] = _capacity(capacity)
    if is_active is not None:
        changed["is_active"] = bool(is_active)
    changed = {field: value for field, value in changed.items() if getattr(room, field) != value}
    if changed:
        for field, value in changed.items():
            setattr(room, field, value)
        room.save(update_fields=list(changed))
        audit_record(
            acting_user=acting_user,
            action="room.update",
            target=room.venue.estate.path,
            detail={"id": room.id, **{k: str(v) for k, v in changed.items()}},
        )
    return room


@transaction.atomic
def booking_create(
    *, room: Room, starts_at: datetime.datetime, ends_at: datetime.datetime, purpose: str, acting_user
) -> Booking:
    """A resident books a bookable room. Overlapping bookings of the same room are refused; the
    room row is locked so two residents booking the same hour cannot both succeed."""
    room = Room.objects.select_for_update().select_related("venue__estate").get(pk=room.pk)
    _require(acting_user, "volunteers.book_room", room.venue.estate, _("只有本小区居民可以预约"))
    if not room.venue.is_active or not room.is_active:
        raise DomainError(_("该阵地或功能室已停用，不能预约"), status=409)
    if not room.is_bookable:
        raise DomainError(_("该功能室不开放预约"))
    if starts_at is None or ends_at is None:
        raise DomainError(_("请填写预约时间"))
    if ends_at <= starts_at:
        raise DomainError(_("结束时间必须晚于开始时间"))
    if starts_at < timezone.now():
        raise DomainError(_("不能预约过去的时间"))
    if ends_at - starts_at > datetime.timedelta(hours=8):
        raise DomainError(_("一次预约不能超过8小时"))
    if starts_at > timezone.now() + datetime.timedelta(days=BOOKING_DAYS_AHEAD):
        raise DomainError(_("只能预约%(n)s天内的时段") % {"n": BOOKING_DAYS_AHEAD})
    clash = Booking.objects.filter(room=room, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if clash.exists():
        raise DomainError(_("该时段已被预约，请换个时间"), status=409)
    booking = Booking.objects.create(
        room=room,
        person=acting_user.person,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=_text(purpose, _("请填写用途"), 100),
    )
    audit_record(
        acting_user=acting_user, action="booking.create", target=room.venue.estate.path, detail={"id": booking.id}
    )
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user) -> Booking:
    """Cancel a booking: the person who booked, or staff who manage the venue's estate. The
    booking stays in the ledger, marked cancelled (by whom and when); the slot is free again."""
    booking = Booking.objects.select_for_update().select_related("room__venue__estate").get(pk=booking.pk)
    estate = booking.room.venue.estate
    if not may_cancel_booking(acting_user, booking):
        raise DomainError(_("只有预约人或阵地管理人员可以取消预约"), status=403)
    if booking.cancelled_at:
        raise DomainError(_("该预约已取消"), status=409)
    if booking.ends_at <= timezone.now():
        raise DomainError(_("预约已结束，不能取消"), status=409)
    booking.cancelled_at = timezone.now()
    booking.cancelled_by = acting_user
    booking.save(update_fields=["cancelled_at", "cancelled_by"])
    audit_record(acting_user=acting_user, action="booking.cancel", target=estate.path, detail={"id": booking.id})
    return booking


def may_cancel_booking(user, booking: Booking) -> bool:
    person = person_for(user)
    if person is not None and booking.person_id == person.id:
        return True
    return user.has_perm("volunteers.manage_volunteers", booking.room.venue.estate)


# --- duty rotas and themes ----------------------------------------------------------------------


@transaction.atomic
def duty_rota_create(
    *, estate: Place, rota: str, start: datetime.date, on_duty: list[str], task: str = "", acting_user
) -> list[DutyShift]:
    """A rota: the listed parties take turns, one day each, from ``start``."""
    _estate(estate)
    _require(acting_user, "volunteers.manage_volunteers", estate)
    rota = _text(rota, _("请填写轮值表名称"), 60)
    names = [n.strip()[:100] for n in on_duty if n and n.strip()]
    if not names:
        raise DomainError(_("请至少填写一个值班方"))
    if len(names) > 366:
        raise DomainError(_("一次最多排366天"))
    shifts = DutyShift.objects.bulk_create(
        [
            DutyShift(
                estate=estate,
                rota=rota,
                on_date=start + datetime.timedelta(days=i),
                on_duty=name,
                task=(task or "")[:100],
            )
            for i, name in enumerate(names)
        ]
    )
    audit_record(acting_user=acting_user, action="duty_rota.create", target=estate.path, detail={"rota": rota})
    return shifts


@transaction.atomic
def estate_theme_set(*, estate: Place, theme: str, acting_user) -> Place:
    """一区一策一主题: the estate's governance theme."""
    _estate(estate)
    _require(acting_user, "volunteers.set_theme", estate)
    theme = (theme or "").strip()
    if len(theme) > 100:
        raise DomainError(_("主题不能超过100字"))
    Place.objects.filter(pk=estate.pk).update(theme=theme)
    estate.theme = theme
    audit_record(acting_user=acting_user, action="estate.theme", target=estate.path, detail={"theme": theme})
    return estate


def person_for(user) -> Person | None:
    return getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
