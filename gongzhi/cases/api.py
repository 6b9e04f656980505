"""The cases JSON API (``/api/v1/cases/``): everything the case pages do, for phone apps and other
programs. Each endpoint asks the same permissions and calls the same services and selectors as the
pages; a refused action answers ``{"detail": "…"}`` with 400, 403, 404 or 409 and changes nothing.

Sign in with the browser session (with the CSRF token) or ``Authorization: Bearer <app token>``
(issued at ``/open311/v2/app-tokens/`` or by ``POST /api/v1/cases/app-tokens``)."""

import datetime

from django.contrib.auth import authenticate
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability
from gongzhi.cases import selectors, services, states
from gongzhi.cases.models import Case, CaseState, Category, Channel, Rating, Urgency
from gongzhi.core.errors import DomainError
from gongzhi.core.masking import mask_phone
from gongzhi.core.ratelimit import check_rate
from gongzhi.open311.auth import API_AUTH, grants_generation, memo
from gongzhi.orgs.models import Organization
from gongzhi.places.models import Place, PlaceKind

router = Router(auth=API_AUTH, tags=["cases"])

PAGE_MAX = 100
API_PREFIX = "/api/v1/cases/"


# --- schemas -------------------------------------------------------------------------------------


class Error(Schema):
    detail: str
    errors: list[str] = []


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    description: str
    default_org_kind: str
    working_days: int
    urgent_working_days: int
    emergency_hours: int


class OrgOut(Schema):
    id: int
    name: str
    kind: str


class CaseSummary(Schema):
    id: int
    number: str
    title: str
    state: str
    state_label: str
    urgency: str
    channel: str
    estate_id: int
    estate: str
    category: str | None
    responsible: str | None
    deadline: datetime.datetime | None
    is_overdue: bool
    on_agenda: bool
    created_at: datetime.datetime


class CaseCreated(Schema):
    id: int
    number: str
    state: str
    state_label: str
    created_at: datetime.datetime
    url: str


class CasePage(Schema):
    results: list[CaseSummary]
    # No COUNT(*) over the ledger (slow on a million cases): whether another page follows.
    has_more: bool
    next_offset: int | None


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    at: datetime.datetime
    actor: str
    from_state: str
    to_state: str
    note: str
    responsible: str | None
    deadline: datetime.datetime | None
    rating: str
    solved: bool | None
    photos: list[str]


class CaseDetail(CaseSummary):
    description: str
    building: str | None
    address: str
    latitude: float | None
    longitude: float | None
    is_anonymous: bool
    reporter: str
    contact_phone: str
    extension_requested_until: datetime.datetime | None
    rating: str
    solved: bool | None
    merged_into: str | None
    allowed_actions: list[str]
    timeline: list[EventOut]


class ReportIn(Schema):
    estate: int = Field(description="小区编号")
    description: str
    title: str = ""
    category: str | None = Field(None, description="类别编码（如 repair）")
    channel: str = Channel.APP
    urgency: str = Urgency.NORMAL
    is_anonymous: bool = False
    building: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    responsible: int | None = Field(None, description="直接派单给该组织（仅工作人员）")
    deadline: datetime.datetime | None = None


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str = ""


class DispatchIn(Schema):
    responsible: int
    deadline: datetime.datetime | None = None
    urgency: str | None = None
    note: str = ""


class TransferIn(Schema):
    responsible: int
    deadline: datetime.datetime | None = None
    note: str = ""


class MergeIn(Schema):
    into: str = Field(description="目标诉求的编号或 id")
    note: str = ""


class ReviewIn(Schema):
    solved: bool | None = None
    rating: str = Field("", description="satisfied / basically_satisfied / dissatisfied")
    comment: str = ""
    by_phone: bool = False


class ExtensionIn(Schema):
    until: datetime.datetime | None = None
    reason: str = ""


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = ""


class AgendaIn(Schema):
    on_agenda: bool = True
    note: str = ""


class ResponsibleChoices(Schema):
    suggested: OrgOut | None
    choices: list[OrgOut]


class QueueQuery(Schema):
    queue: str = Field("", description="new / mine / due_soon / overdue / awaiting_review / all / reported")
    estate: int | None = None
    category: str | None = None
    state: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = ""
    on_agenda: bool = False
    limit: int = Field(20, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=10**9)


class TokenIn(Schema):
    username: str
    password: str
    name: str = Field(description="设备名称，如“我的手机”")
    otp: str = Field("", description="开启了两步验证的账号：动态验证码")


class TokenOut(Schema):
    id: int
    name: str
    token: str


# --- helpers -------------------------------------------------------------------------------------

ERRORS = {400: Error, 403: Error, 404: Error, 409: Error}

# Which permission each state-machine verb needs (the same as the pages and the services).
VERB_PERMISSIONS = {
    "dispatch": "cases.dispatch_case",
    "transfer": "cases.dispatch_case",
    "merge": "cases.dispatch_case",
    "reject": "cases.dispatch_case",
    "flag_agenda": "cases.dispatch_case",
    "extend_decide": "cases.dispatch_case",
    "reopen": "cases.dispatch_case",
    "close": "cases.dispatch_case",
    "sign": "cases.work_case",
    "reply": "cases.work_case",
    "resolve": "cases.work_case",
    "return": "cases.work_case",
    "extend_request": "cases.work_case",
    "review": "cases.review_case",
}


def _case(request, case_id: int) -> Case:
    try:
        return selectors.case_for_user(request.user, case_id)
    except Http404:
        raise DomainError(_("诉求不存在"), status=404) from None


CATEGORY_SECONDS = 60


def _category(code_or_id, generation: int | None = None) -> Category | None:
    """By code or id. Categories change rarely (in the admin): kept a minute in the cache, dropped at
    once when a category is saved (it bumps the generation in the key, see ``CasesConfig``)."""
    if code_or_id in (None, ""):
        return None

    def read():
        query = Q(code=str(code_or_id))
        if str(code_or_id).isdecimal():
            query |= Q(pk=int(code_or_id))
        category = Category.objects.filter(query).order_by().first()
        if category is None:
            raise DomainError(_("类别不存在"))
        return category

    key = f"gongzhi:category:{generation or grants_generation()}:{code_or_id}"
    return memo.get_or_read(key, CATEGORY_SECONDS, read)


def _organization(org_id: int | None) -> Organization | None:
    if org_id is None:
        return None
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise DomainError(_("责任方不存在"))
    return org


def _place(place_id: int | None, kind: str, message) -> Place | None:
    if place_id is None:
        return None
    try:
        return Place.objects.get(pk=place_id, kind=kind)
    except Place.DoesNotExist:
        raise DomainError(message) from None


def _summary(case: Case) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_label": str(CaseState(case.state).label),
        "urgency": case.urgency,
        "channel": case.channel,
        "estate_id": case.estate_id,
        "estate": case.estate.name,
        "category": case.category.name if case.category_id else None,
        "responsible": case.responsible.name if case.responsible_id else None,
        "deadline": case.deadline,
        "is_overdue": case.is_overdue,
        "on_agenda": case.on_agenda,
        "created_at": case.created_at,
    }


def _photo_url(photo) -> str:
    return reverse("cases:photo", args=[photo.pk])


def _allowed_actions(user, case: Case) -> list[str]:
    allowed = []
    decided: dict[str, bool] = {}
    for verb, perm in VERB_PERMISSIONS.items():
        if not states.allowed(verb, case.state):
            continue
        if perm not in decided:
            decided[perm] = user.has_perm(perm, case)
        if decided[perm]:
            allowed.append(verb)
    return allowed


def _detail(request, case: Case) -> dict:
    user = request.user
    staff = access.can(user, Capability.VIEW_INTERNAL, case)
    is_reporter = bool(case.reporter_id) and getattr(getattr(user, "person", None), "id", None) == case.reporter_id
    reporter = ""
    if case.reporter_id and (is_reporter or (staff and not case.is_anonymous)):
        reporter = case.reporter.name
    elif case.contact_name and staff:
        reporter = case.contact_name
    contact = ""
    if staff or is_reporter:
        contact = mask_phone(case.contact_phone or (case.reporter.phone if case.reporter_id else ""))
    events = []
    for event in selectors.timeline(case):
        if event.actor_organization_id:
            actor = event.actor_organization.name
        elif staff and event.actor_id and getattr(event.actor, "person", None):
            actor = event.actor.person.name
        else:
            actor = ""
        events.append(
            {
                "id": event.pk,
                "kind": event.kind,
                "kind_label": event.get_kind_display(),
                "at": event.at,
                "actor": actor,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "note": event.note,
                "responsible": event.responsible.name if event.responsible_id else None,
                "deadline": event.deadline,
                "rating": event.rating,
                "solved": event.solved,
                "photos": [_photo_url(p) for p in event.photos.all()],
            }
        )
    data = _summary(case)
    data.update(
        description=case.description,
        building=case.building.name if case.building_id else None,
        address=case.address,
        latitude=float(case.latitude) if case.latitude is not None else None,
        longitude=float(case.longitude) if case.longitude is not None else None,
        is_anonymous=case.is_anonymous,
        reporter=reporter,
        contact_phone=contact,
        extension_requested_until=case.extension_requested_until,
        rating=case.rating,
        solved=case.solved,
        merged_into=case.merged_into.number if case.merged_into_id else None,
        allowed_actions=_allowed_actions(user, case),
        timeline=events,
    )
    return data


def _is_staff(user) -> bool:
    return access.can(user, Capability.VIEW_INTERNAL)


ESTATE_SECONDS = 60


def _estate(estate_id: int, generation: int | None = None) -> Place:
    """The estate a report is filed in, kept a minute in the cache so a phone's report reads no place
    row. Saving any place drops it at once (the key holds the generation of the cached grants,
    which a saved place bumps; see ``gongzhi.open311.auth``)."""
    key = f"gongzhi:estate:{generation or grants_generation()}:{estate_id}"
    return memo.get_or_read(key, ESTATE_SECONDS, lambda: _place(estate_id, PlaceKind.ESTATE, _("小区不存在")))


def _create(request, payload: ReportIn, photos=()) -> Case:
    user = request.user
    if not access.can(user, Capability.VIEW_INTERNAL):
        # Residents: a limit per account, so one phone cannot flood the ledger.
        check_rate(request, "case_report", key=lambda r: f"user:{r.user.pk}")
    generation = getattr(request, "gongzhi_generation", None)
    estate = _estate(payload.estate, generation)
    return services.case_create(
        estate=estate,
        title=payload.title,
        description=payload.description,
        channel=payload.channel,
        acting_user=user,
        category=_category(payload.category, generation),
        is_anonymous=payload.is_anonymous,
        responsible=_organization(payload.responsible),
        deadline=payload.deadline,
        urgency=payload.urgency,
        building=None if payload.building is None else _place(payload.building, PlaceKind.BUILDING, _("楼栋不存在")),
        latitude=payload.latitude,
        longitude=payload.longitude,
        address=payload.address,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        photos=photos,
    )


# --- endpoints -----------------------------------------------------------------------------------


@router.post("/app-tokens", auth=None, response={201: TokenOut, 400: Error, 401: Error, 409: Error})
def app_token_create(request, payload: TokenIn):
    """A phone app signs in once with username and password and keeps the token it gets back."""
    from gongzhi.core.two_factor import confirmed_device
    from gongzhi.open311.services import app_token_issue

    check_rate(request, "login")
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return Status(401, {"detail": _("用户名或密码不正确")})
    device = confirmed_device(user)
    if device is not None and not (payload.otp.strip() and device.verify_token(payload.otp.strip())):
        # The second factor protects an app token as it protects a browser session.
        return Status(401, {"detail": _("请输入正确的动态验证码")})
    token, secret = app_token_issue(acting_user=user, name=payload.name)
    return Status(201, {"id": token.pk, "name": token.name, "token": secret})


@router.get("/categories", response=list[CategoryOut])
def category_list(request):
    return list(Category.objects.filter(is_active=True).order_by("order", "name"))


@router.get("/", response={200: CasePage, 400: Error})
def case_list(request, filters: QueueQuery = Query(...)):  # noqa: B008 - django-ninja's way
    """Staff queues (new, mine, due_soon, overdue, awaiting_review, all) with filters, or the
    user's own reports (``queue=reported``, the default for residents)."""
    user = request.user
    tab = filters.queue or ("all" if _is_staff(user) else "reported")
    if tab == "reported":
        cases = selectors.my_reports(user)
        if filters.state:
            cases = cases.filter(state=filters.state)
    elif tab in selectors.QUEUE_TABS:
        category = _category(filters.category)
        cases = selectors.queue(
            user,
            tab,
            selectors.QueueFilters(
                estate=filters.estate,
                category=category.pk if category else None,
                state=filters.state,
                date_from=filters.date_from,
                date_to=filters.date_to,
                q=filters.q,
                on_agenda=filters.on_agenda,
            ),
        )
    else:
        raise DomainError(_("队列无效"))
    if filters.state and filters.state not in CaseState.values:
        raise DomainError(_("状态无效"))
    cases = cases.select_related("estate", "category", "responsible")
    window = list(cases[filters.offset : filters.offset + filters.limit + 1])
    has_more = len(window) > filters.limit
    return {
        "results": [_summary(c) for c in window[: filters.limit]],
        "has_more": has_more,
        "next_offset": filters.offset + filters.limit if has_more else None,
    }


def _created(case: Case) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "state": case.state,
        "state_label": str(CaseState(case.state).label),
        "created_at": case.created_at,
        "url": f"{API_PREFIX}{case.pk}",
    }


@router.post("/", response={201: CaseCreated, **ERRORS})
def case_report(request, payload: ReportIn):
    """Report a problem (a resident) or enter one for a caller (hotline and front desk). Answers
    with the case number at once; ``GET url`` gives the case with its timeline."""
    return Status(201, _created(_create(request, payload)))


@router.post("/with-photos", response={201: CaseCreated, **ERRORS})
def case_report_with_photos(
    request,
    payload: Form[ReportIn],
    photos: list[UploadedFile] = File(None),  # noqa: B008 - django-ninja's way
):
    """The same as ``POST /`` as a multipart form, with up to six photos in ``photos``."""
    return Status(201, _created(_create(request, payload, photos or ())))


@router.get("/{int:case_id}", response={200: CaseDetail, 404: Error})
def case_detail(request, case_id: int):
    return _detail(request, _case(request, case_id))


@router.get("/{int:case_id}/responsible-choices", response={200: ResponsibleChoices, **ERRORS})
def responsible_choices(request, case_id: int):
    case = _case(request, case_id)
    if not request.user.has_perm("cases.dispatch_case", case):
        raise DomainError(_("您没有权限执行此操作"), status=403)
    suggested = services.suggest_responsible(estate=case.estate, category=case.category)
    return {"suggested": suggested, "choices": list(services.responsible_choices(case.estate))}


def _act(request, case_id: int, service, **arguments):
    case = _case(request, case_id)
    service(case=case, acting_user=request.user, **arguments)
    return _detail(request, _case(request, case_id))


@router.post("/{int:case_id}/dispatch", response={200: CaseDetail, **ERRORS})
def case_dispatch(request, case_id: int, payload: DispatchIn):
    return _act(
        request,
        case_id,
        services.case_dispatch,
        responsible=_organization(payload.responsible),
        deadline=payload.deadline,
        urgency=payload.urgency,
        note=payload.note,
    )


@router.post("/{int:case_id}/transfer", response={200: CaseDetail, **ERRORS})
def case_transfer(request, case_id: int, payload: TransferIn):
    return _act(
        request,
        case_id,
        services.case_transfer,
        responsible=_organization(payload.responsible),
        deadline=payload.deadline,
        note=payload.note,
    )


@router.post("/{int:case_id}/merge", response={200: CaseDetail, **ERRORS})
def case_merge(request, case_id: int, payload: MergeIn):
    target = payload.into.strip()
    query = Q(number=target) | (Q(pk=int(target)) if target.isdecimal() else Q(pk__in=[]))
    into = Case.objects.filter(query).first()
    if into is None or not request.user.has_perm("cases.view_case", into):
        raise DomainError(_("目标诉求不存在"))
    return _act(request, case_id, services.case_merge, into=into, note=payload.note)


@router.post("/{int:case_id}/reject", response={200: CaseDetail, **ERRORS})
def case_reject(request, case_id: int, payload: ReasonIn):
    return _act(request, case_id, services.case_reject, reason=payload.reason)


@router.post("/{int:case_id}/agenda", response={200: CaseDetail, **ERRORS})
def case_flag_agenda(request, case_id: int, payload: AgendaIn):
    return _act(request, case_id, services.case_flag_agenda, on_agenda=payload.on_agenda, note=payload.note)


@router.post("/{int:case_id}/sign", response={200: CaseDetail, **ERRORS})
def case_sign(request, case_id: int, payload: NoteIn):
    return _act(request, case_id, services.case_sign, note=payload.note)


@router.post("/{int:case_id}/reply", response={200: CaseDetail, **ERRORS})
def case_reply(request, case_id: int, payload: NoteIn):
    return _act(request, case_id, services.case_reply, note=payload.note)


@router.post("/{int:case_id}/resolve", response={200: CaseDetail, **ERRORS})
def case_resolve(request, case_id: int, payload: NoteIn):
    return _act(request, case_id, services.case_resolve, note=payload.note)


@router.post("/{int:case_id}/resolve-with-photos", response={200: CaseDetail, **ERRORS})
def case_resolve_with_photos(
    request,
    case_id: int,
    payload: Form[NoteIn],
    photos: list[UploadedFile] = File(None),  # noqa: B008 - django-ninja's way
):
    """办结 with evidence photos (multipart form)."""
    return _act(request, case_id, services.case_resolve, note=payload.note, photos=photos or ())


@router.post("/{int:case_id}/return", response={200: CaseDetail, **ERRORS})
def case_return(request, case_id: int, payload: ReasonIn):
    return _act(request, case_id, services.case_return, reason=payload.reason)


@router.post("/{int:case_id}/extension", response={200: CaseDetail, **ERRORS})
def case_extend_request(request, case_id: int, payload: ExtensionIn):
    return _act(request, case_id, services.case_extend_request, until=payload.until, reason=payload.reason)


@router.post("/{int:case_id}/extension/decision", response={200: CaseDetail, **ERRORS})
def case_extend_decide(request, case_id: int, payload: ExtensionDecisionIn):
    return _act(request, case_id, services.case_extend_decide, approve=payload.approve, note=payload.note)


@router.post("/{int:case_id}/review", response={200: CaseDetail, **ERRORS})
def case_review(request, case_id: int, payload: ReviewIn):
    if payload.rating and payload.rating not in Rating.values:
        raise DomainError(_("请选择满意程度"))
    return _act(
        request,
        case_id,
        services.case_review,
        solved=payload.solved,
        rating=payload.rating,
        comment=payload.comment,
        by_phone=payload.by_phone,
    )


@router.post("/{int:case_id}/reopen", response={200: CaseDetail, **ERRORS})
def case_reopen(request, case_id: int, payload: NoteIn):
    return _act(request, case_id, services.case_reopen, note=payload.note)


@router.post("/{int:case_id}/close", response={200: CaseDetail, **ERRORS})
def case_close(request, case_id: int, payload: NoteIn):
    return _act(request, case_id, services.case_close, note=payload.note)
