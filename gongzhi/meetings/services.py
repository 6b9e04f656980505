"""Every write of deliberation: series rules and their materialization, ad hoc meetings, topics
and backing, the agenda, invitations, the record (attendance, minutes, answers), closing (which
turns resolutions into tracked cases), corrections and residents' reviews."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.accounts.models import Appointment, Ownership, Person, Residence
from gongzhi.accounts.posts import Capability as C
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.meetings import schedule
from gongzhi.meetings.models import (
    DEFAULT_PARTIES,
    AgendaItem,
    Attendance,
    CalendarToken,
    Correction,
    Frequency,
    HolidayRule,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingSeries,
    MeetingStatus,
    Party,
    Resolution,
    Topic,
    TopicBacking,
    TopicReview,
    TopicSource,
    TopicStatus,
)
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.places.models import Place, PlaceKind

# How far ahead the periodic job keeps a series' meetings scheduled.
HORIZON_DAYS = 62
RESOLUTION_SOURCE_KIND = "meeting_resolution"


# --- helpers -------------------------------------------------------------------------------------


def _person_of(user) -> Person | None:
    return getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None


def works_within(user, capability: str, place: Place) -> bool:
    """Holds ``capability`` at the place, above it, or somewhere under it (a building head at one
    building of the estate works within the estate)."""
    return any(_related_paths(path, place.path) for path in access.paths_with(user, capability))


def _require(user, capability: str, obj, message=None) -> None:
    if not access.can(user, capability, obj):
        raise DomainError(message or _("您没有权限进行此操作"), status=403)


def _clean_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("请填写%(field)s") % {"field": field})
    if len(value) > max_length:
        raise DomainError(_("%(field)s不能超过%(n)s个字") % {"field": field, "n": max_length})
    return value


def _clean_parties(parties: Iterable[str] | None, kind: str) -> list[str]:
    if not parties:
        return [str(p) for p in DEFAULT_PARTIES.get(kind, [])]
    cleaned = []
    for party in parties:
        if party not in Party.values:
            raise DomainError(_("未知的参会方：%(party)s") % {"party": party})
        if party not in cleaned:
            cleaned.append(party)
    return cleaned


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A wall-clock time in the project's time zone (Asia/Shanghai) as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _meeting_place_ok(place: Place) -> None:
    if place.kind not in (PlaceKind.ESTATE, PlaceKind.COMMUNITY):
        raise DomainError(_("议事会议只能设在小区或社区"))


def _notify(*, users, title: str, body: str = "", url: str = "", kind: str = "meetings") -> None:
    """Send through the notification outbox once the transaction commits."""
    users = [u for u in users if u is not None]
    if not users:
        return
    try:
        from gongzhi.notifications.services import notification_send
    except ImportError:
        return

    transaction.on_commit(lambda: notification_send(users=users, title=title, body=body, url=url, kind=kind))


# --- series --------------------------------------------------------------------------------------


def _validate_rule(*, frequency: str, month_day, weekday, holiday_rule: str) -> tuple[int | None, int | None]:
    if frequency not in Frequency.values:
        raise DomainError(_("请选择周期"))
    if holiday_rule not in HolidayRule.values:
        raise DomainError(_("请选择节假日规则"))
    if frequency == Frequency.WEEKLY:
        if weekday in (None, ""):
            raise DomainError(_("每周举行的会议请选择星期几"))
        weekday = int(weekday)
        if not 0 <= weekday <= 6:
            raise DomainError(_("星期几应为星期一到星期日"))
        return None, weekday
    if frequency == Frequency.MONTHLY_LAST_DAY:
        return None, None
    if month_day in (None, ""):
        raise DomainError(_("每月举行的会议请填写日期（1–28日）"))
    month_day = int(month_day)
    if month_day > schedule.LATEST_MONTH_DAY and month_day <= 31:
        raise DomainError(
            _(
                "不是每个月都有%(day)s日（2月只有28或29天，4、6、9、11月只有30天），按此规则这些月份将无法开会。"
                "请选择1–28日，或选择“每月最后一天”（在短月自动落在当月最后一天）。"
            )
            % {"day": month_day}
        )
    if not 1 <= month_day <= 31:
        raise DomainError(_("日期应在1–28日之间"))
    return month_day, None


@transaction.atomic
def series_create(
    *,
    place: Place,
    kind: str,
    title: str,
    frequency: str,
    location: str,
    starts_on: datetime.date,
    acting_user,
    month_day: int | None = None,
    weekday: int | None = None,
    holiday_rule: str = HolidayRule.NEXT_WORKING_DAY,
    time_of_day: datetime.time = datetime.time(19, 30),
    duration_minutes: int = 90,
    expected_parties: Iterable[str] | None = None,
    ends_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> MeetingSeries:
    _require(acting_user, C.MEETING_MANAGE, place)
    _meeting_place_ok(place)
    if kind not in MeetingKind.values or kind == MeetingKind.AD_HOC:
        raise DomainError(_("请选择会议类型（临时议事无需设置固定日）"))
    month_day, weekday = _validate_rule(
        frequency=frequency, month_day=month_day, weekday=weekday, holiday_rule=holiday_rule
    )
    if ends_on is not None and ends_on <= starts_on:
        raise DomainError(_("结束日期必须晚于起始日期"))
    if not 15 <= int(duration_minutes) <= 600:
        raise DomainError(_("会议时长应在15分钟到10小时之间"))
    series = MeetingSeries.objects.create(
        place=place,
        kind=kind,
        title=_clean_text(title, field=_("名称"), max_length=100),
        frequency=frequency,
        month_day=month_day,
        weekday=weekday,
        holiday_rule=holiday_rule,
        time_of_day=time_of_day,
        duration_minutes=int(duration_minutes),
        location=_clean_text(location, field=_("会议地点"), max_length=120),
        expected_parties=_clean_parties(expected_parties, kind),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=acting_user,
    )
    audit_record(acting_user=acting_user, action="meetings.series_create", target=f"series:{series.id}")
    series_materialize(series=series, now=now or timezone.now())
    return series


SERIES_RULE_FIELDS = (
    "title",
    "frequency",
    "month_day",
    "weekday",
    "holiday_rule",
    "time_of_day",
    "duration_minutes",
    "location",
    "expected_parties",
    "ends_on",
    "is_active",
)


@transaction.atomic
def series_update(*, series: MeetingSeries, acting_user, now: datetime.datetime | None = None, **fields) -> int:
    """Change the rule. Future meetings nobody has touched (no agenda, invitations or edits) are
    re-planned from the new rule; meetings already prepared or held stay as they are. Returns the
    number of meetings re-planned."""
    _require(acting_user, C.MEETING_MANAGE, series.place)
    now = now or timezone.now()
    unknown = set(fields) - set(SERIES_RULE_FIELDS)
    if unknown:
        raise DomainError(_("不能修改：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    merged = {name: fields.get(name, getattr(series, name)) for name in SERIES_RULE_FIELDS}
    merged["month_day"], merged["weekday"] = _validate_rule(
        frequency=merged["frequency"],
        month_day=merged["month_day"],
        weekday=merged["weekday"],
        holiday_rule=merged["holiday_rule"],
    )
    merged["title"] = _clean_text(merged["title"], field=_("名称"), max_length=100)
    merged["location"] = _clean_text(merged["location"], field=_("会议地点"), max_length=120)
    merged["expected_parties"] = _clean_parties(merged["expected_parties"], series.kind)
    if merged["ends_on"] is not None and merged["ends_on"] <= series.starts_on:
        raise DomainError(_("结束日期必须晚于起始日期"))
    for name, value in merged.items():
        setattr(series, name, value)
    series.save()
    # Planned rows are a cache of the rule; untouched future ones carry nothing and are re-made.
    untouched = Meeting.objects.filter(
        series=series, starts_at__gt=now, status=MeetingStatus.PLANNED, touched=False
    ).filter(items__isnull=True, invitations__isnull=True)
    replanned = untouched.count()
    Meeting.objects.filter(id__in=list(untouched.values_list("id", flat=True))).delete()
    created = series_materialize(series=series, now=now)
    audit_record(
        acting_user=acting_user,
        action="meetings.series_update",
        target=f"series:{series.id}",
        detail={"replanned": replanned, "created": created},
    )
    return replanned


def series_materialize(*, series: MeetingSeries, now: datetime.datetime, horizon_days: int = HORIZON_DAYS) -> int:
    """Create the series' meetings from today to ``horizon_days`` ahead that do not exist yet.
    Idempotent: one meeting per (series, nominal date)."""
    if not series.is_active:
        return 0
    today = timezone.localdate(now)
    start = max(today, series.starts_on)
    end = today + datetime.timedelta(days=horizon_days)
    if series.ends_on is not None:
        end = min(end, series.ends_on)
    if start >= end:
        return 0
    dates = schedule.occurrences(
        frequency=series.frequency,
        holiday_rule=series.holiday_rule,
        start=start,
        end=end,
        month_day=series.month_day,
        weekday=series.weekday,
    )
    existing = set(
        Meeting.objects.filter(series=series, nominal_date__gte=start, nominal_date__lt=end).values_list(
            "nominal_date", flat=True
        )
    )
    new = [
        Meeting(
            series=series,
            nominal_date=nominal,
            place_id=series.place_id,
            kind=series.kind,
            title=series.title,
            starts_at=local_datetime(actual, series.time_of_day),
            duration_minutes=series.duration_minutes,
            location=series.location,
            expected_parties=series.expected_parties,
        )
        for nominal, actual in dates
        if nominal not in existing
    ]
    Meeting.objects.bulk_create(new)
    return len(new)


def materialize_all(now: datetime.datetime) -> int:
    count = 0
    for series in MeetingSeries.objects.filter(is_active=True).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=timezone.localdate(now))
    ):
        with transaction.atomic():
            count += series_materialize(series=series, now=now)
    return count


# --- meetings ------------------------------------------------------------------------------------


@transaction.atomic
def meeting_call_ad_hoc(
    *,
    place: Place,
    title: str,
    reason: str,
    starts_at: datetime.datetime,
    location: str,
    acting_user,
    expected_parties: Iterable[str] | None = None,
    duration_minutes: int = 60,
    now: datetime.datetime | None = None,
) -> Meeting:
    """临时议事: anyone who works at the place (down to a building head) may call one for an
    urgent matter, with a reason."""
    if not works_within(acting_user, C.VIEW_INTERNAL, place):
        raise DomainError(_("您没有权限进行此操作"), status=403)
    _meeting_place_ok(place)
    reason = _clean_text(reason, field=_("召集事由"), max_length=2000)
    now = now or timezone.now()
    if starts_at < now - datetime.timedelta(days=1):
        raise DomainError(_("临时议事的时间不能早于昨天"))
    meeting = Meeting.objects.create(
        place=place,
        kind=MeetingKind.AD_HOC,
        title=_clean_text(title, field=_("会议名称"), max_length=120),
        reason=reason,
        is_ad_hoc=True,
        touched=True,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=_clean_text(location, field=_("会议地点"), max_length=120),
        expected_parties=_clean_parties(expected_parties, MeetingKind.AD_HOC),
        created_by=acting_user,
        chair=_person_of(acting_user),
    )
    audit_record(acting_user=acting_user, action="meetings.ad_hoc_call", target=f"meeting:{meeting.id}")
    return meeting


def _require_open(meeting: Meeting) -> None:
    """Read the status from the database, locking the row, so that a stale copy of a meeting
    closed meanwhile cannot be written to."""
    meeting.status = Meeting.objects.select_for_update().values_list("status", flat=True).get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CLOSED:
        raise DomainError(_("会议已结束，记录不能再修改；如需更正请追加更正说明"), status=409)
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("会议已取消"), status=409)


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, acting_user, starts_at=None, location: str | None = None, duration_minutes=None
) -> Meeting:
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    if starts_at is not None:
        meeting.starts_at = starts_at
    if location is not None:
        meeting.location = _clean_text(location, field=_("会议地点"), max_length=120)
    if duration_minutes is not None:
        meeting.duration_minutes = int(duration_minutes)
    meeting.touched = True
    meeting.save()
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, acting_user) -> Meeting:
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    meeting.cancel_reason = _clean_text(reason, field=_("取消原因"), max_length=200)
    meeting.status = MeetingStatus.CANCELLED
    meeting.touched = True
    meeting.save()
    # Topics on its agenda go back to the pool for the next meeting.
    Topic.objects.filter(agenda_items__meeting=meeting, status=TopicStatus.ON_AGENDA).update(
        status=TopicStatus.PROPOSED
    )
    audit_record(acting_user=acting_user, action="meetings.cancel", target=f"meeting:{meeting.id}")
    return meeting


# --- topics (点题) -------------------------------------------------------------------------------


def _require_estate(estate: Place) -> None:
    if estate.kind != PlaceKind.ESTATE:
        raise DomainError(_("议题须属于某个小区"))


@transaction.atomic
def topic_propose(*, estate: Place, title: str, description: str = "", acting_user) -> Topic:
    """A resident raises a matter for the next meeting (居民点题)."""
    _require_estate(estate)
    _require(acting_user, C.RESIDENT, estate, _("只有本小区居民可以点题"))
    person = _person_of(acting_user)
    topic = Topic.objects.create(
        estate=estate,
        title=_clean_text(title, field=_("题目"), max_length=120),
        description=_clean_text(description, field=_("说明"), max_length=2000, required=False),
        source=TopicSource.RESIDENT,
        proposer=person,
        created_by=acting_user,
    )
    return topic


@transaction.atomic
def topic_back(*, topic: Topic, acting_user) -> TopicBacking:
    _require(acting_user, C.RESIDENT, topic.estate, _("只有本小区居民可以附议"))
    person = _person_of(acting_user)
    if topic.proposer_id and topic.proposer_id == person.id:
        raise DomainError(_("不能附议自己提出的议题"))
    if not topic.is_open and topic.status != TopicStatus.ON_AGENDA:
        raise DomainError(_("该议题已有结果，不能再附议"), status=409)
    if TopicBacking.objects.filter(topic=topic, person=person).exists():
        raise DomainError(_("您已附议过该议题"), status=409)
    backing = TopicBacking.objects.create(topic=topic, person=person)
    Topic.objects.filter(id=topic.id).update(backer_count=F("backer_count") + 1)
    topic.refresh_from_db(fields=["backer_count"])
    return backing


STAFF_SOURCES = {
    TopicSource.SUPERVISOR: C.CASE_INSPECT,
    TopicSource.OPEN_DOOR_DAY: C.MEETING_MANAGE,
    TopicSource.STAFF: C.MEETING_MANAGE,
}


@transaction.atomic
def topic_add(
    *, estate: Place, title: str, source: str, acting_user, description: str = "", source_note: str = ""
) -> Topic:
    """Staff add a topic: a supervisor's finding (义务监督员), a matter raised at an open-door day
    (开门纳谏日), or their own."""
    _require_estate(estate)
    if source not in STAFF_SOURCES:
        raise DomainError(_("请选择议题来源"))
    if not (
        access.can(acting_user, STAFF_SOURCES[source], estate) or access.can(acting_user, C.MEETING_MANAGE, estate)
    ):
        raise DomainError(_("您没有权限进行此操作"), status=403)
    return Topic.objects.create(
        estate=estate,
        title=_clean_text(title, field=_("题目"), max_length=120),
        description=_clean_text(description, field=_("说明"), max_length=2000, required=False),
        source=source,
        source_note=_clean_text(source_note, field=_("来源说明"), max_length=200, required=False),
        created_by=acting_user,
        proposer=_person_of(acting_user) if source == TopicSource.SUPERVISOR else None,
    )


def topic_from_case(*, case, acting_user=None) -> Topic:
    """A case of the ledger put on the agenda (by the dispatcher's flag, or by staff picking it).
    Idempotent: one topic per case."""
    existing = Topic.objects.filter(case_id=case.id).first()
    if existing is not None:
        return existing
    if acting_user is not None and not access.can(acting_user, C.MEETING_MANAGE, case.estate):
        raise DomainError(_("您没有权限进行此操作"), status=403)
    try:
        with transaction.atomic():
            return Topic.objects.create(
                estate=case.estate,
                title=(case.title or "")[:120],
                description=case.description or "",
                source=TopicSource.CASE,
                case_id=case.id,
                source_note=_("诉求事项 #%(id)s") % {"id": case.id},
                created_by=acting_user,
            )
    except IntegrityError:
        return Topic.objects.get(case_id=case.id)


# --- agenda (议题) -------------------------------------------------------------------------------


@transaction.atomic
def agenda_add(*, meeting: Meeting, topic: Topic, acting_user) -> AgendaItem:
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    if not topic.estate.path.startswith(meeting.place.path):
        raise DomainError(_("该议题不属于本会议所在的小区或社区"))
    if not topic.is_open:
        raise DomainError(_("该议题已在其他会议的议程上或已有结果"), status=409)
    position = meeting.items.count() + 1
    item = AgendaItem.objects.create(meeting=meeting, topic=topic, position=position)
    topic.status = TopicStatus.ON_AGENDA
    topic.save(update_fields=["status"])
    Meeting.objects.filter(id=meeting.id).update(touched=True)
    return item


@transaction.atomic
def agenda_remove(*, item: AgendaItem, acting_user) -> None:
    meeting = item.meeting
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    topic = item.topic
    if hasattr(item, "resolution"):
        item.resolution.delete()
    item.delete()
    topic.status = TopicStatus.PROPOSED
    topic.save(update_fields=["status"])


@transaction.atomic
def agenda_publish(*, meeting: Meeting, acting_user) -> Meeting:
    """Publish the agenda to the estate: residents of the place and the invitees are told."""
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    if not meeting.items.exists():
        raise DomainError(_("议程为空，请先从待议事项中选择议题"))
    meeting.status = MeetingStatus.AGENDA_PUBLISHED
    meeting.agenda_published_at = timezone.now()
    meeting.touched = True
    meeting.chair = meeting.chair or _person_of(acting_user)
    meeting.save()
    audit_record(acting_user=acting_user, action="meetings.agenda_publish", target=f"meeting:{meeting.id}")
    from gongzhi.accounts.models import User

    users = User.objects.filter(
        Q(
            person__ownerships__flat__estate__path__startswith=meeting.place.path,
            person__ownerships__ends_on__isnull=True,
        )
        | Q(person__invitations__meeting=meeting)
    ).distinct()
    _notify(
        users=list(users),
        title=_("议题公布：%(title)s") % {"title": meeting.title},
        body=_("%(when)s 在%(where)s召开，共%(n)s项议题。")
        % {"when": f"{meeting.local_start:%Y-%m-%d %H:%M}", "where": meeting.location, "n": meeting.items.count()},
        url=reverse("meetings:meeting", args=[meeting.id]),
    )
    return meeting


# --- invitations ---------------------------------------------------------------------------------


def _related_paths(path_a: str, path_b: str) -> bool:
    return path_a.startswith(path_b) or path_b.startswith(path_a)


def person_relates_to_place(person: Person, place: Place, on: datetime.date) -> bool:
    """Does the person live, own or hold a post at the place, above it or under it?"""
    current = Q(ends_on__isnull=True) | Q(ends_on__gt=on)
    estate_paths = list(Ownership.objects.filter(current, person=person).values_list("flat__estate__path", flat=True))
    estate_paths += list(Residence.objects.filter(current, person=person).values_list("flat__estate__path", flat=True))
    if any(_related_paths(p, place.path) for p in estate_paths):
        return True
    appointments = (
        Appointment.objects.current(on).filter(person=person).select_related("organization__place", "place", "grid")
    )
    for appointment in appointments:
        if any(_related_paths(p, place.path) for p in access._appointment_paths(appointment, on)):
            return True
    return False


def organization_relates_to_place(organization: Organization, place: Place, on: datetime.date) -> bool:
    if organization.kind == OrgKind.PROPERTY_COMPANY:
        return organization.contracts.filter(estate__path__startswith=place.path, starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        ).exists() or organization.place.path.startswith(place.path)
    if _related_paths(organization.place.path, place.path):
        return True
    return organization.covered_places.filter(path__startswith=place.path).exists()


ROLE_POSTS = {
    Party.BUILDING_HEAD: ["building_head"],
    Party.GRID_WORKER: ["grid_worker"],
    Party.SUPERVISOR: ["supervisor"],
}
ROLE_ORG_KINDS = {
    Party.BRANCH: [OrgKind.PARTY_BRANCH],
    Party.COMMITTEE: [OrgKind.OWNERS_COMMITTEE],
    Party.COMPANY: [OrgKind.PROPERTY_COMPANY],
    Party.COMMUNITY: [OrgKind.PARTY_COMMITTEE, OrgKind.RESIDENTS_COMMITTEE],
    Party.PARTNER_UNIT: [OrgKind.PARTNER_UNIT],
    Party.DEPARTMENT: [OrgKind.DEPARTMENT],
}


@transaction.atomic
def invitation_create(
    *,
    meeting: Meeting,
    role: str,
    acting_user,
    person: Person | None = None,
    organization: Organization | None = None,
    note: str = "",
) -> Invitation:
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    if role not in Party.values:
        raise DomainError(_("请选择邀请对象的身份"))
    if person is None and organization is None:
        raise DomainError(_("请选择要邀请的人员或单位"))
    on = timezone.localdate()
    if person is not None and not person_relates_to_place(person, meeting.place, on):
        raise DomainError(
            _("%(name)s不在%(place)s居住或任职，不能邀请") % {"name": person.name, "place": meeting.place.name}
        )
    if organization is not None:
        if role in ROLE_ORG_KINDS and organization.kind not in ROLE_ORG_KINDS[role]:
            raise DomainError(_("%(name)s不是所选身份的单位") % {"name": organization.name})
        if not organization_relates_to_place(organization, meeting.place, on):
            raise DomainError(
                _("%(name)s不在%(place)s所属范围内，不能邀请")
                % {"name": organization.name, "place": meeting.place.name}
            )
    duplicate = Invitation.objects.filter(meeting=meeting)
    duplicate = (
        duplicate.filter(person=person) if person else duplicate.filter(person__isnull=True, organization=organization)
    )
    if duplicate.exists():
        raise DomainError(_("已经邀请过了"), status=409)
    invitation = Invitation.objects.create(
        meeting=meeting,
        role=role,
        person=person,
        organization=organization,
        note=_clean_text(note, field=_("备注"), max_length=200, required=False),
        invited_by=acting_user,
    )
    Meeting.objects.filter(id=meeting.id).update(touched=True)
    if person is not None and person.user_id:
        _notify(
            users=[person.user],
            title=_("会议邀请：%(title)s") % {"title": meeting.title},
            body=_("%(when)s 在%(where)s，请确认是否参加。")
            % {"when": f"{meeting.local_start:%Y-%m-%d %H:%M}", "where": meeting.location},
            url=reverse("meetings:meeting", args=[meeting.id]),
        )
    return invitation


def role_candidates(meeting: Meeting, role: str, on: datetime.date | None = None) -> dict:
    """Who can be invited for a role: current holders of the post at or under the place, or the
    organizations of that kind around it."""
    on = on or timezone.localdate()
    place = meeting.place
    if role in ROLE_POSTS:
        appointments = Appointment.objects.current(on).filter(post__in=ROLE_POSTS[role]).select_related("person")
        if role == Party.GRID_WORKER:
            appointments = appointments.filter(grid__buildings__path__startswith=place.path)
        else:
            appointments = appointments.filter(place__path__startswith=place.path)
        return {"people": list({a.person for a in appointments}), "organizations": []}
    if role in ROLE_ORG_KINDS:
        ancestors = place.ancestor_ids()
        orgs = Organization.objects.current().filter(kind__in=ROLE_ORG_KINDS[role])
        if role == Party.COMPANY:
            orgs = orgs.filter(contracts__estate__path__startswith=place.path).filter(
                Q(contracts__ends_on__isnull=True) | Q(contracts__ends_on__gte=on)
            )
        else:
            orgs = orgs.filter(Q(place_id__in=ancestors) | Q(place__path__startswith=place.path))
        return {"people": [], "organizations": list(orgs.distinct())}
    if role == Party.RESIDENT_REPRESENTATIVE:
        people = Person.objects.filter(
            ownerships__flat__estate__path__startswith=place.path, ownerships__ends_on__isnull=True
        ).distinct()[:200]
        return {"people": list(people), "organizations": []}
    return {"people": [], "organizations": []}


@transaction.atomic
def invitations_by_role(*, meeting: Meeting, role: str, acting_user) -> int:
    """Invite every current holder of a role at the place (all building heads, all grid workers…)."""
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    if role == Party.RESIDENT_REPRESENTATIVE:
        raise DomainError(_("居民代表请逐一选择邀请"))
    candidates = role_candidates(meeting, role)
    existing_people = set(meeting.invitations.filter(person__isnull=False).values_list("person_id", flat=True))
    existing_orgs = set(meeting.invitations.filter(person__isnull=True).values_list("organization_id", flat=True))
    count = 0
    for person in candidates["people"]:
        if person.id not in existing_people:
            invitation_create(meeting=meeting, role=role, person=person, acting_user=acting_user)
            count += 1
    for organization in candidates["organizations"]:
        if organization.id not in existing_orgs:
            invitation_create(meeting=meeting, role=role, organization=organization, acting_user=acting_user)
            count += 1
    if not count:
        raise DomainError(_("没有可邀请的%(role)s（或已全部邀请）") % {"role": Party(role).label})
    return count


@transaction.atomic
def invitation_respond(*, invitation: Invitation, accept: bool, acting_user, note: str = "") -> Invitation:
    person = _person_of(acting_user)
    if person is None or invitation.person_id != person.id:
        raise DomainError(_("只有被邀请人本人可以回复"), status=403)
    _require_open(invitation.meeting)
    invitation.status = Invitation.Status.CONFIRMED if accept else Invitation.Status.DECLINED
    invitation.note = _clean_text(note, field=_("备注"), max_length=200, required=False)
    invitation.responded_at = timezone.now()
    invitation.save()
    return invitation


# --- the record: attendance, minutes, answers (答题) ---------------------------------------------


@transaction.atomic
def attendance_set(*, meeting: Meeting, entries: list[dict], acting_user) -> list[Attendance]:
    """Replace the attendance list. Each entry: party, and a person or a name (and optionally an
    organization)."""
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    rows = []
    seen_people = set()
    for entry in entries:
        party = entry.get("party")
        if party not in Party.values:
            raise DomainError(_("请为每位出席人员选择代表哪一方"))
        person = entry.get("person")
        name = (entry.get("name") or (person.name if person else "")).strip()
        if not name:
            raise DomainError(_("出席人员姓名不能为空"))
        if len(name) > 50:
            raise DomainError(_("姓名不能超过50个字"))
        if person is not None:
            if person.id in seen_people:
                raise DomainError(_("%(name)s重复登记") % {"name": person.name})
            seen_people.add(person.id)
        rows.append(
            Attendance(meeting=meeting, party=party, person=person, name=name, organization=entry.get("organization"))
        )
    meeting.attendances.all().delete()
    Attendance.objects.bulk_create(rows)
    Meeting.objects.filter(id=meeting.id).update(touched=True)
    return rows


def missing_parties(meeting: Meeting, attendances: Iterable[Attendance] | None = None) -> list[str]:
    """Expected parties (三方/四方) nobody attended for."""
    attendances = meeting.attendances.all() if attendances is None else attendances
    present = {a.party for a in attendances}
    return [p for p in meeting.expected_parties if p not in present]


@transaction.atomic
def item_record(
    *,
    item: AgendaItem,
    acting_user,
    minutes: str = "",
    answer: str = "",
    reason: str = "",
    responsible: Organization | None = None,
    action: str = "",
    deadline: datetime.date | None = None,
) -> AgendaItem:
    """Minutes and the answer (答题) of one agenda item: a resolution (responsible party, action,
    deadline not before the meeting) or a reasoned "not adopted" / "deferred"."""
    meeting = item.meeting
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    minutes = _clean_text(minutes, field=_("讨论记录"), max_length=5000, required=False)
    if answer and answer not in AgendaItem.Answer.values:
        raise DomainError(_("请选择答题结果"))
    resolution = getattr(item, "resolution", None)
    if answer == AgendaItem.Answer.RESOLUTION:
        if responsible is None:
            raise DomainError(_("决议须指定责任方"))
        action = _clean_text(action, field=_("落实事项"), max_length=2000)
        if deadline is None:
            raise DomainError(_("决议须有完成时限"))
        meeting_day = meeting.local_start.date()
        if deadline < meeting_day:
            raise DomainError(
                _("完成时限（%(deadline)s）不能早于会议日期（%(day)s）") % {"deadline": deadline, "day": meeting_day}
            )
        if deadline < timezone.localdate():
            raise DomainError(_("完成时限（%(deadline)s）已经过去，请填写今天或以后的日期") % {"deadline": deadline})
        from gongzhi.cases.services import responsible_choices

        if not responsible_choices(item.topic.estate).filter(pk=responsible.pk).exists():
            raise DomainError(
                _("“%(name)s”不能承办%(estate)s的事项") % {"name": responsible.name, "estate": item.topic.estate.name}
            )
        reason = _clean_text(reason, field=_("理由"), max_length=2000, required=False)
        if resolution is None:
            resolution = Resolution(item=item)
        resolution.responsible = responsible
        resolution.action = action
        resolution.deadline = deadline
        resolution.save()
    else:
        if answer:
            reason = _clean_text(reason, field=_("理由"), max_length=2000)
        if resolution is not None:
            resolution.delete()
            item._state.fields_cache.pop("resolution", None)
    item.minutes = minutes
    item.answer = answer
    item.answer_reason = reason
    item.save()
    Meeting.objects.filter(id=meeting.id).update(touched=True)
    return item


TOPIC_STATUS_FOR_ANSWER = {
    AgendaItem.Answer.RESOLUTION: TopicStatus.ADOPTED,
    AgendaItem.Answer.NOT_ADOPTED: TopicStatus.NOT_ADOPTED,
    AgendaItem.Answer.DEFERRED: TopicStatus.DEFERRED,
}


def _resolution_case(*, topic: Topic, meeting: Meeting, resolution: Resolution, entered_by):
    """The tracked case of a resolution: dispatched at once to the responsible party, due at the
    end of the deadline day."""
    from gongzhi.cases.deadlines import end_of_day
    from gongzhi.cases.services import case_create

    return case_create(
        estate=topic.estate,
        title=topic.title[:100],
        description=_("%(meeting)s决议：%(action)s") % {"meeting": meeting, "action": resolution.action},
        channel="meeting",
        acting_user=entered_by,
        responsible=resolution.responsible,
        deadline=end_of_day(resolution.deadline),
        source_kind=RESOLUTION_SOURCE_KIND,
        source_id=resolution.id,
    )


@transaction.atomic
def meeting_close(*, meeting: Meeting, acting_user, summary: str = "") -> Meeting:
    """Close the record: it needs attendance and an answer for every agenda item. Each resolution
    becomes a tracked case in the ledger (channel "meeting", responsible party and deadline set,
    so deadlines, escalation and the three rates apply to it). The outcome is published to the
    estate. Nothing of the record changes afterwards."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    _require_open(meeting)
    if not meeting.attendances.exists():
        raise DomainError(_("请先登记出席人员，再结束会议"))
    items = list(meeting.items.select_related("topic__estate", "resolution__responsible"))
    unanswered = [item.topic.title for item in items if not item.answer]
    if unanswered:
        raise DomainError(
            _("还有%(n)s项议题没有答题：%(titles)s") % {"n": len(unanswered), "titles": "、".join(unanswered)},
            errors=unanswered,
        )
    # The case is entered in the chair's name when their posts let them enter cases at the estate;
    # otherwise (say, a community-level chair with only meeting rights) it is entered by the system
    # on the meeting's authority, and the audit row below names who closed the meeting.
    for item in items:
        topic = item.topic
        topic.status = TOPIC_STATUS_FOR_ANSWER[item.answer]
        topic.save(update_fields=["status"])
        if item.answer != AgendaItem.Answer.RESOLUTION:
            continue
        resolution = item.resolution
        entered_by = acting_user if acting_user.has_perm("cases.report_case", topic.estate) else None
        try:
            case = _resolution_case(topic=topic, meeting=meeting, resolution=resolution, entered_by=entered_by)
        except DomainError as error:
            raise DomainError(
                _("“%(title)s”的决议无法转为诉求事项：%(reason)s") % {"title": topic.title, "reason": error.message},
                status=error.status,
            ) from None
        resolution.case_id = case.id
        resolution.save(update_fields=["case_id"])
    meeting.summary = _clean_text(summary, field=_("会议纪要"), max_length=5000, required=False)
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = timezone.now()
    meeting.closed_by = acting_user
    meeting.chair = meeting.chair or _person_of(acting_user)
    meeting.touched = True
    meeting.save()
    audit_record(
        acting_user=acting_user,
        action="meetings.close",
        target=f"meeting:{meeting.id}",
        detail={"items": len(items), "attendances": meeting.attendances.count()},
    )
    # The outcome goes to everyone who raised or backed a topic that was answered.
    people = Person.objects.filter(
        Q(proposed_topics__agenda_items__meeting=meeting) | Q(topic_backings__topic__agenda_items__meeting=meeting)
    ).select_related("user")
    _notify(
        users=list({p.user for p in people if p.user_id}),
        title=_("议事结果公布：%(title)s") % {"title": meeting.title},
        url=reverse("meetings:meeting", args=[meeting.id]),
    )
    return meeting


@transaction.atomic
def correction_append(*, meeting: Meeting, text: str, acting_user, item: AgendaItem | None = None) -> Correction:
    _require(acting_user, C.MEETING_MANAGE, meeting.place)
    meeting.status = Meeting.objects.values_list("status", flat=True).get(pk=meeting.pk)
    if meeting.status != MeetingStatus.CLOSED:
        raise DomainError(_("会议尚未结束，可直接修改记录"), status=409)
    if item is not None and item.meeting_id != meeting.id:
        raise DomainError(_("该议题不属于本次会议"))
    correction = Correction.objects.create(
        meeting=meeting, item=item, text=_clean_text(text, field=_("更正内容"), max_length=2000), created_by=acting_user
    )
    audit_record(acting_user=acting_user, action="meetings.correction", target=f"meeting:{meeting.id}")
    return correction


# --- review (阅题) -------------------------------------------------------------------------------


def topic_reviewers(topic: Topic) -> list[Person]:
    people = []
    if topic.proposer_id and topic.source == TopicSource.RESIDENT:
        people.append(topic.proposer)
    people += [b.person for b in topic.backings.select_related("person__user")]
    return people


def review_request_for_resolution(*, resolution_id: int) -> bool:
    """A resolution's case was resolved: ask the residents who proposed or backed the topic to
    review the outcome. Idempotent (asks once)."""
    resolution = (
        Resolution.objects.select_related("item__topic__proposer__user", "item__meeting")
        .filter(id=resolution_id)
        .first()
    )
    if resolution is None:
        return False
    topic = resolution.item.topic
    if topic.review_requested_at is not None:
        return False
    topic.review_requested_at = timezone.now()
    topic.status = TopicStatus.DONE
    topic.save(update_fields=["review_requested_at", "status"])
    _notify(
        users=[p.user for p in topic_reviewers(topic) if p.user_id],
        title=_("请评价：%(title)s") % {"title": topic.title},
        body=_("您提出或附议的议题已办结，请告诉我们是否解决了问题。"),
        url=reverse("meetings:topic", args=[topic.id]),
        kind="meetings.review",
    )
    return True


@transaction.atomic
def topic_review(*, topic: Topic, verdict: str, acting_user, comment: str = "") -> TopicReview:
    person = _person_of(acting_user)
    if person is None or person.id not in {p.id for p in topic_reviewers(topic)}:
        raise DomainError(_("只有提出或附议该议题的居民可以阅题评价"), status=403)
    if topic.review_requested_at is None:
        raise DomainError(_("该议题尚未办结，暂不能评价"), status=409)
    if verdict not in TopicReview.Verdict.values:
        raise DomainError(_("请选择评价"))
    if TopicReview.objects.filter(topic=topic, person=person).exists():
        raise DomainError(_("您已评价过该议题"), status=409)
    return TopicReview.objects.create(
        topic=topic,
        person=person,
        verdict=verdict,
        comment=_clean_text(comment, field=_("意见"), max_length=1000, required=False),
    )


# --- calendar ------------------------------------------------------------------------------------


def calendar_token_for(person: Person) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(person=person)
    return token


@transaction.atomic
def calendar_token_renew(*, acting_user) -> CalendarToken:
    """A new secret: the old feed URL stops working (e.g. after it was shared by mistake)."""
    from gongzhi.meetings.models import new_calendar_token

    person = _person_of(acting_user)
    if person is None:
        raise DomainError(_("请先登录"), status=403)
    token = calendar_token_for(person)
    token.token = new_calendar_token()
    token.save(update_fields=["token"])
    return token


def topics_sync_from_cases() -> int:
    """Every open case flagged "put on the agenda" has its topic (idempotent)."""
    from gongzhi.cases.models import Case

    flagged = (
        Case.objects.open()
        .filter(on_agenda=True)
        .exclude(id__in=Topic.objects.filter(case_id__isnull=False).values("case_id"))
    )
    count = 0
    for case in flagged.select_related("estate"):
        topic_from_case(case=case)
        count += 1
    return count


RESOLVED_CASE_STATES = ("resolved", "reviewed", "closed")


def case_is_resolved(case) -> bool:
    return case.state in RESOLVED_CASE_STATES and case.resolved_at is not None
