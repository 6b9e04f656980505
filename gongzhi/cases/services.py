"""Every change of a case. Each top-level service is one transaction: it locks the case row
(``select_for_update``, so two dispatchers acting at once cannot both win), checks permission and
the state machine (``gongzhi.cases.states``), validates, writes the case and one immutable
``CaseEvent``, and sends ``case_changed`` and notifications after commit. A refused action raises
``DomainError`` and changes nothing."""

import datetime
import functools
import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts import access
from gongzhi.accounts.posts import POSTS, Capability
from gongzhi.cases import states
from gongzhi.cases.deadlines import deadline_for
from gongzhi.cases.models import (
    INTAKE_CHANNELS,
    Case,
    CaseEvent,
    CaseNumberCounter,
    CasePhoto,
    CaseState,
    Category,
    Channel,
    EventKind,
    Rating,
    Urgency,
)
from gongzhi.cases.photos import clean_photos
from gongzhi.cases.signals import case_changed
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.orgs.services import current_company
from gongzhi.places.models import Place, PlaceKind

log = logging.getLogger(__name__)

TITLE_LENGTH = 30
DESCRIPTION_REQUIRED = gettext_lazy("请描述遇到的问题")
MAX_TEXT = 2000
# Channels a resident may use for their own report.
RESIDENT_CHANNELS = (Channel.APP, Channel.WEB, Channel.API)
CHANNELS = frozenset(Channel.values)
URGENCIES = frozenset(Urgency.values)


# --- helpers -----------------------------------------------------------------------------------


def _now() -> datetime.datetime:
    return timezone.now()


def _config(key: str, default):
    return settings.GONGZHI.get(key, default)


def _user_label(user) -> str:
    return getattr(user, "username", "") or "system"


def _require(acting_user, perm: str, case, message=None) -> None:
    if acting_user is None:
        return  # the system itself (periodic jobs, internal callers)
    if not acting_user.has_perm("cases.view_case", case) and not acting_user.has_perm(perm, case):
        raise DomainError(_("诉求不存在"), status=404)
    if not acting_user.has_perm(perm, case):
        raise DomainError(message or _("您没有权限执行此操作"), status=403)


def _text(value: str, *, required_message, max_length: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(required_message)
    if len(value) > max_length:
        raise DomainError(_("内容太长（不能超过 %(n)s 字）") % {"n": max_length})
    return value


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",)).select_related("estate", "responsible", "category").get(pk=case.pk)
    )


def _acting_org(acting_user, case: Case) -> Organization | None:
    if acting_user is None or not case.responsible_id:
        return None
    if case.responsible_id in access.organization_ids(acting_user, Capability.CASE_WORK):
        return case.responsible
    return None


def _record(
    case: Case,
    *,
    kind: str,
    acting_user,
    from_state: str,
    note: str = "",
    organization=None,
    photos=(),
    at=None,
    **fields,
) -> CaseEvent:
    event = CaseEvent(
        case=case,
        kind=kind,
        at=at or _now(),
        actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        actor_organization=organization,
        from_state=from_state,
        to_state=case.state,
        note=note,
        **fields,
    )
    event.save()
    for photo in photos:
        CasePhoto.objects.create(
            case=case,
            event=event,
            image=photo.content,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size_bytes=photo.size_bytes,
            uploaded_by=event.actor,
        )
    # The event is the step's audit record (who, when, what, from which state to which); the audit
    # log holds the sensitive actions around cases, such as revealing a caller's phone number.
    _after_commit(case, event)
    return event


def _after_commit(case: Case, event: CaseEvent) -> None:
    def send():
        case_changed.send(sender=Case, case=case, event=event)
        _notify_for(case, event)

    transaction.on_commit(send)


def _notify(users, *, title: str, body: str = "", url: str = "", kind: str = "") -> None:
    users = [u for u in users if u is not None]
    if not users:
        return
    try:
        from gongzhi.notifications.services import notification_send
    except ImportError:  # the outbox is optional until it is installed
        return
    try:
        notification_send(users=users, title=title, body=body, url=url, kind=kind)
    except Exception:  # a failed notification must not undo the case change
        log.exception("notification for case failed")


def organization_users(organization: Organization | None, *, heads_only: bool = False):
    """Users currently holding a post in ``organization`` (``heads_only``: its head — the single
    holder post such as a secretary or chair, or a company's project manager)."""
    from gongzhi.accounts.models import User

    if organization is None:
        return User.objects.none()
    today = timezone.localdate()
    posts = None
    if heads_only:
        posts = [p for p, rule in POSTS.items() if rule.single_holder] + ["company_manager"]
    query = Q(person__appointments__organization=organization, person__appointments__starts_on__lte=today) & (
        Q(person__appointments__ends_on__isnull=True) | Q(person__appointments__ends_on__gt=today)
    )
    if posts is not None:
        query &= Q(person__appointments__post__in=posts)
    return User.objects.filter(query, is_active=True).distinct()


def dispatcher_users(estate: Place, *, level: str | None = None):
    """Users who may dispatch cases of ``estate`` (``level``: only those whose post sits at the
    community or the subdistrict of the estate)."""
    from gongzhi.accounts.models import Appointment, User

    today = timezone.localdate()
    posts = [p for p, rule in POSTS.items() if Capability.CASE_DISPATCH in rule.capabilities]
    ids = set()
    for appointment in (
        Appointment.objects.current(today)
        .filter(post__in=posts)
        .select_related("organization__place", "place", "person")
    ):
        place = appointment.place or (appointment.organization.place if appointment.organization else None)
        if place is None or not estate.path.startswith(place.path):
            continue
        if level and place.kind != level:
            continue
        if appointment.person.user_id:
            ids.add(appointment.person.user_id)
    return User.objects.filter(id__in=ids, is_active=True)


def _case_url(case: Case) -> str:
    try:
        return reverse("cases:detail", args=[case.pk])
    except Exception:  # noqa: BLE001 - URLs may not be loaded in a bare script
        return ""


def _reporter_user(case: Case):
    if case.reporter_id and case.reporter.user_id:
        return case.reporter.user
    return None


NOTIFYING_EVENTS = frozenset(
    {
        EventKind.DISPATCHED,
        EventKind.TRANSFERRED,
        EventKind.REOPENED,
        EventKind.REPLIED,
        EventKind.REJECTED,
        EventKind.MERGED,
        EventKind.REVIEW_REQUESTED,
        EventKind.RETURNED,
        EventKind.EXTENSION_REQUESTED,
        EventKind.ESCALATED,
    }
)


def _notify_for(case: Case, event: CaseEvent) -> None:
    if event.kind not in NOTIFYING_EVENTS:
        return  # e.g. a new report: nobody is told until it is dispatched
    url = _case_url(case)
    title_args = {"number": case.number, "title": case.title}
    kind = f"case.{event.kind}"
    if event.kind in (EventKind.DISPATCHED, EventKind.TRANSFERRED, EventKind.REOPENED):
        _notify(
            organization_users(case.responsible),
            title=_("新派单：%(number)s %(title)s") % title_args,
            body=event.note,
            url=url,
            kind=kind,
        )
    if event.kind in (EventKind.REPLIED, EventKind.DISPATCHED, EventKind.REJECTED, EventKind.MERGED):
        _notify(
            [_reporter_user(case)],
            title=_("您反映的问题有新进展：%(number)s") % title_args,
            body=event.note,
            url=url,
            kind=kind,
        )
    if event.kind == EventKind.REVIEW_REQUESTED:
        _notify(
            [_reporter_user(case)],
            title=_("您反映的问题已办结，请评价：%(number)s") % title_args,
            body=event.note,
            url=url,
            kind="case.review_requested",
        )
    if event.kind in (EventKind.RETURNED, EventKind.EXTENSION_REQUESTED):
        _notify(
            dispatcher_users(case.estate),
            title=_("待处理：%(number)s %(title)s") % title_args,
            body=event.note,
            url=url,
            kind=kind,
        )
    if event.kind == EventKind.ESCALATED:
        level = event.data.get("level", 1)
        if level == 1:
            users = organization_users(case.responsible, heads_only=True)
        else:
            users = dispatcher_users(case.estate, level=PlaceKind.COMMUNITY if level == 2 else PlaceKind.SUBDISTRICT)
        _notify(users, title=_("超期督办：%(number)s %(title)s") % title_args, body=event.note, url=url, kind=kind)


NUMBER_SEQUENCE = "cases_case_number_seq"  # created by migration 0003


def next_case_number(on: datetime.date) -> str:
    """GZyyyymmdd-nnnn: the day the case was taken in and a serial.

    On PostgreSQL the serial comes from a sequence shared by all days. Drawing from a sequence
    never waits for another transaction, so reports filed at the same moment do not queue behind
    one another (a per-day counter row would stay locked by each report until it commits). Numbers
    are unique and increase; a number drawn by a report that fails afterwards is skipped.
    Elsewhere (SQLite, which writes one transaction at a time anyway) a counter per day."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [NUMBER_SEQUENCE])
            return f"GZ{on:%Y%m%d}-{cursor.fetchone()[0]:04d}"
    for _attempt in range(3):
        updated = CaseNumberCounter.objects.filter(day=on).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    CaseNumberCounter.objects.create(day=on, last=1)
            except IntegrityError:
                continue
        last = CaseNumberCounter.objects.filter(day=on).values_list("last", flat=True).get()
        return f"GZ{on:%Y%m%d}-{last:04d}"
    raise DomainError(_("编号生成冲突，请重试"), status=409)


_UNKNOWN = object()


def suggest_responsible(*, estate: Place, category: Category | None, company=_UNKNOWN) -> Organization | None:
    """The party a category usually goes to at this estate (the current property company, the
    estate's owners' committee or party branch, the community's residents' committee, or a
    department of the subdistrict)."""
    if category is None or not category.default_org_kind:
        return None
    kind = category.default_org_kind
    if kind == OrgKind.PROPERTY_COMPANY:
        # ``company``: the estate's current company when the caller already looked it up.
        return current_company(estate, timezone.localdate()) if company is _UNKNOWN else company
    ancestors = estate.ancestor_ids()
    candidates = (
        Organization.objects.current().filter(kind=kind).filter(Q(place_id__in=ancestors) | Q(covered_places=estate))
    )
    # Nearest place first (the estate's own, then the community's, then the subdistrict's).
    by_place = {org.place_id: org for org in candidates.order_by("-place__depth", "id")}
    for place_id in reversed(ancestors):
        if place_id in by_place:
            return by_place[place_id]
    return candidates.first()


def responsible_choices(estate: Place, *, company=_UNKNOWN):
    """Organizations a case of ``estate`` may be assigned to (``company``: the estate's current
    property company when the caller already looked it up)."""
    if company is _UNKNOWN:
        company = current_company(estate, timezone.localdate())
    query = Q(
        place_id__in=estate.ancestor_ids(),
        kind__in=[
            OrgKind.PARTY_BRANCH,
            OrgKind.OWNERS_COMMITTEE,
            OrgKind.RESIDENTS_COMMITTEE,
            OrgKind.PARTY_COMMITTEE,
            OrgKind.DEPARTMENT,
            OrgKind.PARTNER_UNIT,
        ],
    ) | Q(covered_places=estate)
    if company:
        query |= Q(pk=company.pk)
    return Organization.objects.current().filter(query).distinct().order_by("kind", "name")


def _check_deadline(deadline, now) -> None:
    if deadline is None:
        raise DomainError(_("请填写办理时限"))
    if deadline <= now:
        raise DomainError(_("办理时限不能早于现在"))


def _check_responsible(responsible: Organization, estate: Place) -> None:
    if responsible is None:
        raise DomainError(_("请选择责任方"))
    if not responsible_choices(estate).filter(pk=responsible.pk).exists():
        raise DomainError(_("“%(org)s”不能承办本小区的诉求") % {"org": responsible.name})


# --- create --------------------------------------------------------------------------------------


def case_create(
    *,
    estate: Place,
    title: str = "",
    description: str,
    channel: str,
    acting_user,
    category: Category | None = None,
    reporter=None,
    is_anonymous: bool = False,
    responsible: Organization | None = None,
    deadline: datetime.datetime | None = None,
    urgency: str = Urgency.NORMAL,
    building: Place | None = None,
    latitude=None,
    longitude=None,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    source_kind: str = "",
    source_id: int | None = None,
    photos=(),
    created_at: datetime.datetime | None = None,
) -> Case:
    """Take in a case. It gets its number at once. With ``responsible`` (and a ``deadline``, or
    the category's policy) it is created already dispatched — e.g. from a meeting's resolution."""
    if estate is None or estate.kind != PlaceKind.ESTATE:
        raise DomainError(_("请选择小区"))
    if channel not in CHANNELS:
        raise DomainError(_("渠道无效"))
    if urgency not in URGENCIES:
        raise DomainError(_("紧急程度无效"))
    if acting_user is not None:
        if not acting_user.has_perm("cases.report_case", estate):
            raise DomainError(_("您不能在该小区反映问题"), status=403)
        staff = access.can(acting_user, Capability.VIEW_INTERNAL, estate)
        if (
            channel in INTAKE_CHANNELS
            and channel != Channel.SNAPSHOT
            and not access.can(acting_user, Capability.CASE_INTAKE, estate)
            and not access.can(acting_user, Capability.CASE_DISPATCH, estate)
        ):
            raise DomainError(_("只有热线和接待人员可以代为登记"), status=403)
        if channel not in RESIDENT_CHANNELS and not staff:
            raise DomainError(_("居民只能通过手机或网页反映问题"), status=403)
        if responsible is not None and not staff:
            raise DomainError(_("您不能直接指定责任方"), status=403)
    description = _text(description, required_message=DESCRIPTION_REQUIRED)
    title = (title or "").strip() or description.splitlines()[0][:TITLE_LENGTH]
    if len(title) > 100:
        raise DomainError(_("标题太长（不能超过100字）"))
    if building is not None and (building.kind != PlaceKind.BUILDING or building.parent_id != estate.pk):
        raise DomainError(_("楼栋不属于该小区"))
    if (latitude is None) != (longitude is None):
        raise DomainError(_("位置需同时包含经度和纬度"))
    if latitude is not None and not (-90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180):
        raise DomainError(_("位置坐标无效"))
    if contact_phone:
        from gongzhi.core.masking import normalize_phone

        contact_phone = normalize_phone(contact_phone)
        if not (contact_phone.isascii() and contact_phone.isdecimal()) or not 7 <= len(contact_phone) <= 12:
            raise DomainError(_("联系电话格式不正确"))
    if category is not None and not category.is_active:
        raise DomainError(_("该类别已停用"))
    now = _now()
    created_at = created_at or now
    if responsible is not None:
        _check_responsible(responsible, estate)
        if deadline is None:
            deadline = deadline_for(category=category, urgency=urgency, start=created_at)
        _check_deadline(deadline, now)
    cleaned = clean_photos(photos)
    if reporter is None and acting_user is not None and channel in RESIDENT_CHANNELS:
        reporter = getattr(acting_user, "person", None)
    case = _new(
        Case,
        estate_id=estate.pk,
        building_id=building.pk if building is not None else None,
        latitude=latitude,
        longitude=longitude,
        address=(address or "").strip()[:200],
        category_id=category.pk if category is not None else None,
        title=title,
        description=description,
        channel=channel,
        urgency=urgency,
        reporter_id=reporter.pk if reporter is not None else None,
        is_anonymous=is_anonymous,
        contact_name=(contact_name or "").strip()[:50],
        contact_phone=contact_phone,
        source_kind=source_kind,
        source_id=source_id,
        created_by_id=acting_user.pk if getattr(acting_user, "is_authenticated", False) else None,
        created_at=created_at,
        updated_at=now,
        state=CaseState.RECEIVED,
    )
    # The related rows the caller already holds, so that reading them costs no query.
    case._state.fields_cache.update(
        estate=estate,
        building=building,
        category=category,
        reporter=reporter,
        created_by=acting_user if case.created_by_id else None,
    )
    if connection.vendor == "postgresql" and not cleaned and responsible is None:
        # The report a phone files: one statement, so no transaction of its own is needed.
        _write_created(case, acting_user)
        return case
    with transaction.atomic():
        case.number = next_case_number(timezone.localtime(created_at).date())
        case.save()
        _record(case, kind=EventKind.CREATED, acting_user=acting_user, from_state="", photos=cleaned, at=created_at)
        if responsible is not None:
            _dispatch_at_creation(case, acting_user, responsible, deadline, created_at)
    return case


def _dispatch_at_creation(case: Case, acting_user, responsible, deadline, created_at) -> None:
    case.state = CaseState.DISPATCHED
    case.responsible = responsible
    case.deadline = deadline
    case.dispatched_at = created_at
    case.save()
    _record(
        case,
        kind=EventKind.DISPATCHED,
        acting_user=acting_user,
        from_state=CaseState.RECEIVED,
        responsible=responsible,
        deadline=deadline,
        at=created_at,
    )


@functools.cache
def _defaults(model) -> dict:
    """Each column's attribute and the value a new row has in it unless given, in the model's
    order of fields (the order of ``Model(*values)``)."""
    return {field.attname: field.get_default() for field in model._meta.concrete_fields}


@functools.cache
def _computed_defaults(model) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields if f.has_default() and callable(f.default))


def _new(model, **values):
    """A new, unsaved row built from its column values: the defaults, then ``values`` (by
    attribute: ``estate_id``, not ``estate``). Django's positional construction, several times
    cheaper than keyword arguments."""
    unknown = values.keys() - _defaults(model).keys()
    if unknown:
        raise TypeError(f"{model.__name__} has no column {sorted(unknown)}")
    missing = _computed_defaults(model) - values.keys()
    if missing:  # a default computed per row (e.g. ``dict``) must be given
        raise TypeError(f"{model.__name__}: give {sorted(missing)}")
    return model(*(_defaults(model) | values).values())


_PLAIN = (str, int, bool, type(None))


def _saving_sets(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


@functools.cache
def _insert_columns(model) -> tuple[str, tuple]:
    """The quoted table name, and per column: the field, its quoted name, the attribute holding its
    value and whether saving sets it (``auto_now``)."""
    quote = connection.ops.quote_name
    columns = tuple(
        (field, quote(field.column), field.attname, _saving_sets(field))
        for field in model._meta.local_concrete_fields
        if not field.primary_key
    )
    return quote(model._meta.db_table), columns


def _insert_sql(obj, db, **expressions) -> tuple[str, list[str], list[str], list]:
    """The table, column list and values of an INSERT of ``obj`` as the ORM would write it
    (defaults and ``auto_now`` applied), with the given fields' values replaced by SQL expressions."""
    table, fields = _insert_columns(type(obj))
    row = obj.__dict__
    columns, values, params = [], [], []
    for field, column, attname, computed in fields:
        columns.append(column)
        if field.name in expressions:
            values.append(expressions[field.name])
            continue
        value = field.pre_save(obj, True) if computed else row[attname]
        if not isinstance(value, _PLAIN):  # dates, decimals, JSON: as the field writes them
            value = field.get_db_prep_save(value, db)
        # Empty values are written as SQL literals: fewer parameters, and statements of the same
        # shape, which PostgreSQL keeps prepared.
        if value is None:
            values.append("NULL")
        elif value is True or value is False:
            values.append("TRUE" if value else "FALSE")
        elif not value and isinstance(value, str | int):
            values.append("''" if isinstance(value, str) else "0")
        else:
            values.append("%s")
            params.append(value)
    return table, columns, values, params


# How the creation event is filled from the new case row ``c``. Every column must be named: a column
# added to the model fails here, loudly.
_CREATED_EVENT = {
    "case": "c.id",
    "kind": f"'{EventKind.CREATED.value}'",
    "at": "c.created_at",
    "actor": "c.created_by_id",
    "actor_organization": "NULL",
    "from_state": "''",
    "to_state": "c.state",
    "note": "''",
    "responsible": "NULL",
    "deadline": "NULL",
    "rating": "''",
    "solved": "NULL",
    "data": "'{}'::jsonb",
}


@functools.cache
def _created_tail() -> str:
    def insert(model, values, source):
        table, fields = _insert_columns(model)
        columns = ", ".join(column for _field, column, _attname, _computed in fields)
        chosen = ", ".join(values[field.name] for field, _column, _attname, _computed in fields)
        return f"INSERT INTO {table} ({columns}) SELECT {chosen} FROM {source}"  # noqa: S608

    # Names from the models and fixed expressions: no value from a request is part of the text.
    return (
        f" e AS ({insert(CaseEvent, _CREATED_EVENT, 'c')} RETURNING id)"  # noqa: S608
        " SELECT c.id, c.number, e.id FROM c, e"
    )


def _write_created(case: Case, acting_user) -> None:
    """Write a new case and its creation event in one statement (PostgreSQL).

    The number is drawn from the sequence inside the statement; a statement is atomic on its own,
    so a report costs one round trip to the database instead of five (begin, number, two inserts,
    commit). The rows are those the ORM path writes (``test_query_budget.py`` compares them)."""
    db = connections[DEFAULT_DB_ALIAS]
    table, columns, values, params = _insert_sql(case, db, number=_NUMBER)
    params.insert(sum(value.count("%s") for value in values[: values.index(_NUMBER)]), _number_prefix(case))
    with _report_cursor(db) as cursor:
        cursor.execute(_created_sql(table, tuple(columns), tuple(values)), params)
        case.pk, case.number, event_id = cursor.fetchone()
    case._state.adding = False
    event = _new(
        CaseEvent,
        id=event_id,
        case_id=case.pk,
        kind=EventKind.CREATED,
        at=case.created_at,
        actor_id=case.created_by_id,
        to_state=case.state,
        data={},
    )
    event._state.fields_cache["case"] = case
    event._state.adding = False
    _after_commit(case, event)


# The case's number: the day's prefix (a parameter) and the next value of the sequence (a constant).
_NUMBER = (
    "%s || (SELECT CASE WHEN n < 10000 THEN lpad(n::text, 4, '0') ELSE n::text END"  # noqa: S608
    f" FROM (SELECT nextval('{NUMBER_SEQUENCE}') AS n) AS drawn)"
)


@functools.lru_cache(maxsize=64)
def _created_sql(table: str, columns: tuple[str, ...], values: tuple[str, ...]) -> str:
    """The statement for one shape of report (which columns are empty); the same text each time,
    so the driver and PostgreSQL keep it prepared. Names come from the model and values are
    parameters or fixed literals (see ``_insert_sql``): no value from a request is part of it."""
    return (
        f"WITH c AS (INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(values)})"  # noqa: S608
        f" RETURNING id, number, created_at, created_by_id, state),{_created_tail()}"
    )


def _report_cursor(db):
    """A cursor for the report's statement: Django's own (its error translation, query log and
    execute wrappers), over a psycopg cursor that binds the values on the server and keeps the
    statement prepared on the connection, so PostgreSQL parses and plans it once per connection
    instead of once per report. Off with ``GONGZHI["CASE_PREPARED_WRITE"] = 0`` (behind a pooler
    in transaction mode that cannot carry prepared statements)."""
    if not _config("CASE_PREPARED_WRITE", 1):
        return db.cursor()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's automatic preparing off (None), which also ignores an explicit
        # ``prepare=True``. A threshold no statement reaches keeps the automatic preparing off and
        # lets this cursor prepare its one statement. (Django's own cursors bind on the client and
        # never prepare.)
        raw.prepare_threshold = 2**31
    with db.wrap_database_errors:
        return db._prepare_cursor(_prepared_cursor_class(db.queries_logged)(raw))


@functools.cache
def _prepared_cursor_class(logged: bool):
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            super().execute(query, params, prepare=True, binary=binary)
            if logged and self._query is None:
                # psycopg keeps no text of a prepared execution; Django's query log (tests,
                # DEBUG) shows the statement with its parameters.
                self._query = self._convert_query(query, params)
            return self

    return PreparedCursor


def _number_prefix(case: Case) -> str:
    return f"GZ{timezone.localtime(case.created_at).date():%Y%m%d}-"


# --- dispatcher ----------------------------------------------------------------------------------


@transaction.atomic
def case_dispatch(
    *, case: Case, acting_user, responsible: Organization, deadline=None, urgency: str | None = None, note: str = ""
) -> Case:
    """Send a new case to the party responsible, with a deadline (from the category × urgency
    policy unless given)."""
    case = _lock(case)
    _require(acting_user, "cases.dispatch_case", case)
    from_state = case.state
    states.check("dispatch", case.state)
    if urgency is not None:
        if urgency not in Urgency.values:
            raise DomainError(_("紧急程度无效"))
        case.urgency = urgency
    _check_responsible(responsible, case.estate)
    now = _now()
    deadline = deadline or deadline_for(category=case.category, urgency=case.urgency, start=now)
    _check_deadline(deadline, now)
    case.state = states.check("dispatch", case.state)
    case.responsible = responsible
    case.deadline = deadline
    case.is_overdue = False
    case.escalation_level = 0
    case.dispatched_at = case.dispatched_at or now
    case.save()
    _record(
        case,
        kind=EventKind.DISPATCHED,
        acting_user=acting_user,
        from_state=from_state,
        note=(note or "").strip(),
        responsible=responsible,
        deadline=deadline,
    )
    return case


@transaction.atomic
def case_transfer(*, case: Case, acting_user, responsible: Organization, deadline=None, note: str) -> Case:
    """转办: the dispatcher gives the case to another party (with a reason)."""
    case = _lock(case)
    _require(acting_user, "cases.dispatch_case", case)
    from_state = case.state
    target = states.check("transfer", case.state)
    note = _text(note, required_message=_("请填写转办理由"))
    _check_responsible(responsible, case.estate)
    if responsible.pk == case.responsible_id:
        raise DomainError(_("新责任方与原责任方相同"))
    now = _now()
    deadline = deadline or deadline_for(category=case.category, urgency=case.urgency, start=now)
    _check_deadline(deadline, now)
    case.state = target
    case.responsible = responsible
    case.deadline = deadline
    case.extension_requested_until = None
    case.is_overdue = False
    case.escalation_level = 0
    case.dispatched_at = case.dispatched_at or now
    case.save()
    _record(
        case,
        kind=EventKind.TRANSFERRED,
        acting_user=acting_user,
        from_state=from_state,
        note=note,
        responsible=responsible,
        deadline=deadline,
    )
    return case


@transaction.atomic
def case_merge(*, case: Case, acting_user, into: Case, note: str = "") -> Case:
    """Close ``case`` as a duplicate of ``into`` (same estate, still alive)."""
    case = _lock(case)
    _require(acting_user, "cases.dispatch_case", case)
    from_state = case.state
    target = states.check("merge", case.state)
    if into is None or into.pk == case.pk:
        raise DomainError(_("不能合并到自身"))
    into = Case.objects.get(pk=into.pk)
    if into.estate_id != case.estate_id:
        raise DomainError(_("只能合并同一小区的诉求"))
    if into.state in (CaseState.MERGED, CaseState.REJECTED, CaseState.CLOSED):
        raise DomainError(_("目标诉求已结束，不能合并"))
    case.state = target
    case.merged_into = into
    case.closed_at = _now()
    case.save()
    _record(
        case,
        kind=EventKind.MERGED,
        acting_user=acting_user,
        from_state=from_state,
        note=(note or "").strip() or _("与 %(number)s 重复") % {"number": into.number},
        data={"into": into.pk, "into_number": into.number},
    )
    return case


@transaction.atomic
def case_reject(*, case: Case, acting_user, reason: str) -> Case:
    """不予受理: an invalid case, with the reason the reporter sees."""
    case = _lock(case)
    _require(acting_user, "cases.dispatch_case", case)
    from_state = case.state
    target = states.check("reject", case.state)
    reason = _text(reason, required_message=_("请填写不予受理的理由"))
    case.state = target
    case.closed_at = _now()
    case.save()
    _record(case, kind=EventKind.REJECTED, acting_user=acting_user, from_state=from_state, note=reason)
    return case


@transaction.atomic
def case_flag_agenda(*, case: Case, acting_user, on_agenda: bool = True, note: str = "") -> Case:
    """Put the case on (or take it off) the agenda of the next deliberation meeting."""
    case = _lock(case)
    _require(acting_user, "cases.dispatch_case", case)
    states.check("flag_agenda", case.state)
    if case.on_agenda == on_agenda:
        raise DomainError(_("已列入议事") if on_agenda else _("未列入议事"), status=409)
    case.on_agenda = on_agenda
    case.save()
    _record(
        case,
        kind=EventKind.AGENDA_FLAGGED if on_agenda else EventKind.AGENDA_UNFLAGGED,
        acting_user=acting_user,
        from_state=case.state,
        note=(note or "").strip(),
    )
    return case


@transaction.atomic
def case_extend_decide(*, case: Case, acting_user, approve: bool, note: str = "") -> Case:
    case = _lock(case)
    _require(acting_user, "cases.dispatch_case", case)
    states.check("extend_decide", case.state)
    if case.extension_requested_until is None:
        raise DomainError(_("没有待审批的延期申请"), status=409)
    requested = case.extension_requested_until
    case.extension_requested_until = None
    if approve:
        if requested <= _now():
            raise DomainError(_("申请的时限已过，不能同意"))
        case.deadline = requested
        case.is_overdue = False
        case.escalation_level = 0
    elif not (note or "").strip():
        raise DomainError(_("请填写不同意延期的理由"))
    case.save()
    _record(
        case,
        kind=EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED,
        acting_user=acting_user,
        from_state=case.state,
        note=(note or "").strip(),
        deadline=requested,
    )
    return case


@transaction.atomic
def case_close(*, case: Case, acting_user, note: str = "") -> Case:
    """Archive a reviewed case, or close a resolved one whose reporter cannot be reached (this
    counts as "no review", never as satisfied)."""
    case = _lock(case)
    _require(acting_user, "cases.dispatch_case", case)
    from_state = case.state
    target = states.check("close", case.state)
    if from_state == CaseState.RESOLVED:
        note = _text(note, required_message=_("未经评价关闭，请填写理由"))
        case.closed_without_review = True
    case.state = target
    case.closed_at = _now()
    case.save()
    _record(
        case,
        kind=EventKind.CLOSED if from_state == CaseState.REVIEWED else EventKind.CLOSED_NO_REVIEW,
        acting_user=acting_user,
        from_state=from_state,
        note=(note or "").strip(),
    )
    return case


@transaction.atomic
def case_reopen(*, case: Case, acting_user, note: str, deadline=None) -> Case:
    """Send a resolved, reviewed or closed case back to the same party for rework."""
    case = _lock(case)
    _require(acting_user, "cases.dispatch_case", case)
    return _reopen(
        case, acting_user=acting_user, note=_text(note, required_message=_("请填写重新办理的理由")), deadline=deadline
    )


def _reopen(case: Case, *, acting_user, note: str, deadline=None) -> Case:
    from_state = case.state
    target = states.check("reopen", case.state)
    if case.responsible_id is None:
        raise DomainError(_("该诉求没有责任方，不能重新办理"), status=409)
    now = _now()
    deadline = deadline or deadline_for(category=case.category, urgency=case.urgency, start=now)
    _check_deadline(deadline, now)
    case.state = target
    case.deadline = deadline
    case.is_overdue = False
    case.escalation_level = 0
    case.rework_count += 1
    case.resolved_at = None
    case.closed_at = None
    case.review_requested_at = None
    case.closed_without_review = False
    case.save()
    _record(
        case,
        kind=EventKind.REOPENED,
        acting_user=acting_user,
        from_state=from_state,
        note=note,
        responsible=case.responsible,
        deadline=deadline,
    )
    return case


# --- responsible party ---------------------------------------------------------------------------


def _responded(case: Case, now) -> None:
    if case.responded_at is None:
        case.responded_at = now


@transaction.atomic
def case_sign(*, case: Case, acting_user, note: str = "") -> Case:
    """签收: the responsible party acknowledges the case."""
    case = _lock(case)
    _require(acting_user, "cases.work_case", case)
    from_state = case.state
    case.state = states.check("sign", case.state)
    _responded(case, _now())
    case.save()
    _record(
        case,
        kind=EventKind.SIGNED,
        acting_user=acting_user,
        from_state=from_state,
        note=(note or "").strip(),
        organization=_acting_org(acting_user, case),
    )
    return case


@transaction.atomic
def case_reply(*, case: Case, acting_user, note: str, photos=()) -> Case:
    """A progress reply the reporter sees (e.g. "维修师傅明天上午上门")."""
    case = _lock(case)
    _require(acting_user, "cases.work_case", case)
    states.check("reply", case.state)
    note = _text(note, required_message=_("请填写答复内容"))
    cleaned = clean_photos(photos)
    _responded(case, _now())
    case.save()
    _record(
        case,
        kind=EventKind.REPLIED,
        acting_user=acting_user,
        from_state=case.state,
        note=note,
        photos=cleaned,
        organization=_acting_org(acting_user, case),
    )
    return case


@transaction.atomic
def case_resolve(*, case: Case, acting_user, note: str, photos=()) -> Case:
    """办结: the party says it is done, with what was done and evidence photos. The reporter is
    asked for a review."""
    case = _lock(case)
    _require(acting_user, "cases.work_case", case)
    from_state = case.state
    target = states.check("resolve", case.state)
    note = _text(note, required_message=_("请填写办理结果"))
    cleaned = clean_photos(photos)
    now = _now()
    _responded(case, now)
    case.state = target
    case.resolved_at = now
    case.extension_requested_until = None
    case.save()
    _record(
        case,
        kind=EventKind.RESOLVED,
        acting_user=acting_user,
        from_state=from_state,
        note=note,
        photos=cleaned,
        organization=_acting_org(acting_user, case),
        data={"on_time": bool(case.deadline and now <= case.deadline)},
    )
    return case


@transaction.atomic
def case_return(*, case: Case, acting_user, reason: str) -> Case:
    """退单: the party sends the case back to the dispatcher as not theirs."""
    case = _lock(case)
    _require(acting_user, "cases.work_case", case)
    from_state = case.state
    target = states.check("return", case.state)
    reason = _text(reason, required_message=_("请填写退单理由"))
    organization = _acting_org(acting_user, case)
    returned_by = case.responsible
    case.state = target
    case.responsible = None
    case.deadline = None
    case.extension_requested_until = None
    case.is_overdue = False
    case.escalation_level = 0
    case.save()
    _record(
        case,
        kind=EventKind.RETURNED,
        acting_user=acting_user,
        from_state=from_state,
        note=reason,
        organization=organization,
        responsible=returned_by,
    )
    return case


@transaction.atomic
def case_extend_request(*, case: Case, acting_user, until: datetime.datetime, reason: str) -> Case:
    case = _lock(case)
    _require(acting_user, "cases.work_case", case)
    states.check("extend_request", case.state)
    reason = _text(reason, required_message=_("请填写延期理由"))
    if until is None:
        raise DomainError(_("请填写申请延至的时间"))
    if case.extension_requested_until is not None:
        raise DomainError(_("已有待审批的延期申请"), status=409)
    if until <= _now() or (case.deadline and until <= case.deadline):
        raise DomainError(_("申请延至的时间必须晚于现有时限"))
    case.extension_requested_until = until
    case.save()
    _record(
        case,
        kind=EventKind.EXTENSION_REQUESTED,
        acting_user=acting_user,
        from_state=case.state,
        note=reason,
        deadline=until,
        organization=_acting_org(acting_user, case),
    )
    return case


# --- reporter ------------------------------------------------------------------------------------


@transaction.atomic
def case_review(
    *,
    case: Case,
    acting_user,
    solved: bool,
    rating: str,
    comment: str = "",
    by_phone: bool = False,
) -> Case:
    """回访: the reporter says whether it was solved and rates it. "Not solved" or 不满意 sends
    the case back to the same party for rework. Staff record a phone review with ``by_phone``."""
    case = _lock(case)
    _require(acting_user, "cases.review_case", case)
    from_state = case.state
    states.check("review", case.state)
    if rating not in Rating.values:
        raise DomainError(_("请选择满意程度"))
    if solved is None:
        raise DomainError(_("请选择问题是否已解决"))
    comment = (comment or "").strip()
    if len(comment) > MAX_TEXT:
        raise DomainError(_("内容太长（不能超过 %(n)s 字）") % {"n": MAX_TEXT})
    if acting_user is not None:
        reporter_self = (
            case.reporter_id and getattr(getattr(acting_user, "person", None), "id", None) == case.reporter_id
        )
        if not reporter_self and not by_phone:
            raise DomainError(_("代为回访时请勾选“电话回访”"))
    positive = bool(solved) and rating != Rating.DISSATISFIED
    if not positive and not comment:
        raise DomainError(_("请说明哪里还没有解决或不满意"))
    case.rating = rating
    case.solved = bool(solved)
    if positive:
        case.state = CaseState.REVIEWED
    case.save()
    _record(
        case,
        kind=EventKind.REVIEWED,
        acting_user=acting_user,
        from_state=from_state,
        note=comment,
        rating=rating,
        solved=bool(solved),
        data={"by_phone": bool(by_phone)},
    )
    if not positive:
        _reopen(case, acting_user=acting_user, note=comment)
    return case


def case_contact_reveal(*, case: Case, acting_user, reason: str = "") -> dict:
    """The reporter's full name and phone, for a callback (回访) or to ask for details. Allowed to
    posts that may reveal personal data at the case's estate, never for an anonymous report; every
    reveal is written to the audit log."""
    if not acting_user.has_perm("cases.view_case", case):
        raise DomainError(_("诉求不存在"), status=404)
    if not acting_user.has_perm("accounts.reveal_personal_data", case):
        raise DomainError(_("您无权查看完整联系方式"), status=403)
    if case.is_anonymous:
        raise DomainError(_("匿名反映，不能查看联系方式"), status=403)
    if case.reporter_id:
        name, phone = case.reporter.name, case.reporter.phone
    else:
        name, phone = case.contact_name, case.contact_phone
    if not phone:
        raise DomainError(_("没有登记联系电话"), status=404)
    audit_record(
        acting_user=acting_user,
        action="case.contact_reveal",
        target=case.number,
        detail={"case": case.pk, "reason": (reason or "").strip()[:200]},
    )
    return {"name": name, "phone": phone}
