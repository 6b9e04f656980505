"""Case pages: the resident's report and follow-up, the front desk's intake, the staff queues,
the case page with its actions, photos, and the public estate board. Views parse input, ask
permission, call one service or selector, and render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability as C
from gongzhi.cases import selectors, services, states
from gongzhi.cases.forms import IntakeForm, QueueFilterForm, ReportForm, ReviewForm
from gongzhi.cases.models import Case, CasePhoto, CaseState, Category, Channel, EventKind, Rating, Urgency
from gongzhi.core.errors import DomainError
from gongzhi.open311.auth import GRANTS_SECONDS, grants_generation, use_session_grants
from gongzhi.orgs.models import OrgKind
from gongzhi.orgs.services import current_company
from gongzhi.places.models import Place, PlaceKind

try:
    from gongzhi.core.ratelimit import check_rate
except ImportError:  # rate limiting is optional

    def check_rate(request, group, rate=None, key=None):
        return None


def _estates_with(user, capability):
    return (
        Place.objects.filter(access.scope_q(user, capability, "path"), kind=PlaceKind.ESTATE)
        .only("id", "name", "kind", "path", "parent_id")
        .order_by("path")
    )


def _resident_estates(user):
    return Place.objects.filter(kind=PlaceKind.ESTATE, path__in=access.paths_with(user, C.RESIDENT)).order_by("path")


@login_required
def my_cases(request):
    cases = selectors.my_reports(request.user)[:100]
    estates = _resident_estates(request.user)
    can_report = estates.exists() or access.can(request.user, C.CASE_INSPECT)
    return render(
        request,
        "cases/my_cases.html",
        {
            "cases": cases,
            "estates": estates,
            "can_report": can_report,
            "is_staff": access.can(request.user, C.VIEW_INTERNAL),
        },
    )


def _report_estates(user):
    resident = _resident_estates(user)
    if resident.exists():
        return resident
    # Building heads, supervisors and grid workers snap problems where they serve.
    return _estates_with(user, C.CASE_INSPECT) | Place.objects.filter(
        kind=PlaceKind.ESTATE,
        pk__in=[
            p.parent_id
            for p in Place.objects.filter(access.scope_q(user, C.CASE_INSPECT, "path"), kind=PlaceKind.BUILDING)
        ],
    )


@login_required
def report(request):
    estates = _report_estates(request.user)
    if not estates.exists():
        raise PermissionDenied
    form = ReportForm(request.POST or None, request.FILES or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = access.can(request.user, C.RESIDENT, data["estate"])
        try:
            check_rate(request, "case_report")
            case = services.case_create(
                estate=data["estate"],
                category=data["category"],
                description=data["description"],
                channel=Channel.APP if resident else Channel.SNAPSHOT,
                acting_user=request.user,
                reporter=getattr(request.user, "person", None),
                is_anonymous=data["is_anonymous"],
                building=data["building"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已受理，编号 %(number)s。办理进展会在这里显示。") % {"number": case.number})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/report.html", {"form": form})


@login_required
def intake(request):
    estates = _estates_with(request.user, C.CASE_INTAKE)
    if not estates.exists():
        raise PermissionDenied
    form = IntakeForm(request.POST or None, request.FILES or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_create(
                estate=data["estate"],
                category=data["category"],
                description=data["description"],
                channel=data["channel"],
                urgency=data["urgency"],
                acting_user=request.user,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                address=data["address"],
                is_anonymous=data["is_anonymous"],
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已登记，编号 %(number)s") % {"number": case.number})
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/intake.html", {"form": form})


def _parse_filters(form) -> selectors.QueueFilters:
    if not form.is_valid():
        return selectors.QueueFilters()
    data = form.cleaned_data
    return selectors.QueueFilters(
        estate=data["estate"].pk if data.get("estate") else None,
        category=data["category"].pk if data.get("category") else None,
        state=data.get("state") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        q=data.get("q") or "",
        on_agenda=bool(data.get("on_agenda")),
    )


PAGE_SIZE = 30
TAB_LABELS = {
    "new": gettext_lazy("新件"),
    "mine": gettext_lazy("我的待办"),
    "due_soon": gettext_lazy("即将到期"),
    "overdue": gettext_lazy("已超期"),
    "awaiting_review": gettext_lazy("待评价"),
    "all": gettext_lazy("全部"),
}


STATE_BADGES = {
    CaseState.RECEIVED: "text-bg-secondary",
    CaseState.DISPATCHED: "text-bg-primary",
    CaseState.SIGNED: "text-bg-primary",
    CaseState.RESOLVED: "text-bg-warning",
    CaseState.REVIEWED: "text-bg-success",
}


def _labels(choices) -> dict:
    """Value → label of a choices class in the active language, for labels shown many times on a
    page (``get_FOO_display`` re-translates every choice on each call)."""
    return {value: str(label) for value, label in choices.choices}


def _queue_rows(cases, now):
    """What each queue row shows, worked out once here: the labels of the state and channel are
    translated once per page, not per row (a row template and ``get_FOO_display`` per row cost
    more than the database on a page of 30 cases)."""
    states_shown = _labels(CaseState)
    channels = _labels(Channel)
    sentinel = "987654321"
    detail_url = reverse("cases:detail", args=[int(sentinel)])  # one reverse() for the page
    for case in cases:
        case.url = detail_url.replace(sentinel, str(case.pk))
        late = case.is_overdue and case.state in (CaseState.DISPATCHED, CaseState.SIGNED)
        case.state_label = states_shown.get(case.state, case.state)
        case.state_badge = "text-bg-danger" if late else STATE_BADGES.get(case.state, "text-bg-light border")
        case.channel_label = channels.get(case.channel, case.channel)
        case.shows_overdue = case.is_overdue and case.is_open
        case.shows_deadline = bool(case.deadline) and case.is_open
        case.past_deadline = bool(case.deadline) and case.deadline < now
    return cases


def _filter_choices(form, estates, user) -> dict:
    """The filter's options and the chosen values, for a form written out in the template (the
    form widgets' own templates render each option separately)."""
    data = form.data if form.is_bound else {}
    # Kept as long as the user's grants (see gongzhi.open311.auth): a saved place, post or category
    # changes the generation in the key.
    key = f"gongzhi:queue-options:{grants_generation()}:{user.pk}"
    options = cache.get(key)
    if options is None:
        options = (
            [(str(pk), name) for pk, name in estates.values_list("id", "name")],
            [(str(pk), name) for pk, name in Category.objects.order_by("order", "name").values_list("id", "name")],
        )
        cache.set(key, options, GRANTS_SECONDS)
    return {
        "estates": options[0],
        "categories": options[1],
        "states": [(value, str(label)) for value, label in CaseState.choices],
        "estate": data.get("estate", ""),
        "category": data.get("category", ""),
        "state": data.get("state", ""),
        "q": data.get("q", ""),
        "date_from": data.get("date_from", ""),
        "date_to": data.get("date_to", ""),
        "on_agenda": bool(data.get("on_agenda")),
    }


@login_required
def queue(request):
    use_session_grants(request)
    if not access.can(request.user, C.VIEW_INTERNAL) and not access.organization_ids(request.user, C.CASE_WORK):
        raise PermissionDenied
    tab = request.GET.get("tab", "new")
    if tab not in selectors.QUEUE_TABS:
        tab = "new"
    estates = _estates_with(request.user, C.VIEW_INTERNAL)
    form = QueueFilterForm(request.GET or None, estates=estates)
    filters = _parse_filters(form)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    # No COUNT(*) over the whole ledger: fetch one row more than a page to know if there is a next.
    rows = list(selectors.queue(request.user, tab, filters)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("tab", None)
    now = timezone.now()
    return render(
        request,
        "cases/queue.html",
        {
            "tab": tab,
            "tabs": [(key, TAB_LABELS[key]) for key in selectors.QUEUE_TABS],
            "form": form,
            "choices": _filter_choices(form, estates, request.user),
            "cases": _queue_rows(rows[:PAGE_SIZE], now),
            "page": page,
            "has_next": has_next,
            "query": query.urlencode(),
            "now": now,
            "can_intake": access.can(request.user, C.CASE_INTAKE),
        },
    )


def _actions_for(user, case) -> dict:
    """Which action forms to show; the services decide again when they are used."""
    dispatcher = user.has_perm("cases.dispatch_case", case)
    worker = user.has_perm("cases.work_case", case)
    reviewer = user.has_perm("cases.review_case", case)
    state = case.state
    shown = {}
    for verb in ("dispatch", "transfer", "merge", "reject", "flag_agenda", "reopen", "close"):
        shown[verb] = dispatcher and states.allowed(verb, state)
    shown["extend_decide"] = (
        dispatcher and states.allowed("extend_decide", state) and bool(case.extension_requested_until)
    )
    for verb in ("sign", "reply", "resolve", "return", "extend_request"):
        shown[verb] = worker and states.allowed(verb, state)
    shown["extend_request"] = shown["extend_request"] and not case.extension_requested_until
    shown["review"] = reviewer and states.allowed("review", state)
    return shown


def case_detail(request, pk):
    if not request.user.is_authenticated:
        return redirect(f"{_login_url()}?next={request.path}")
    use_session_grants(request)
    case = selectors.case_for_user(request.user, pk)
    actions = _actions_for(request.user, case)
    staff = access.can(request.user, C.VIEW_INTERNAL, case) or request.user.has_perm("cases.work_case", case)
    is_reporter = (
        bool(case.reporter_id) and getattr(getattr(request.user, "person", None), "id", None) == case.reporter_id
    )
    _queue_rows([case], timezone.now())
    case.urgency_label = _labels(Urgency).get(case.urgency, case.urgency)
    case.rating_label = _labels(Rating).get(case.rating, case.rating)
    context = {
        "case": case,
        "events": _timeline_with_actors(case, staff=staff),
        "actions": actions,
        "any_action": any(actions.values()),
        "staff": staff,
        "is_reporter": is_reporter,
        "review_form": ReviewForm(),
        "urgencies": Urgency.choices,
        "now": timezone.now(),
        "can_reveal": staff
        and not case.is_anonymous
        and bool(case.reporter_id or case.contact_phone)
        and request.user.has_perm("accounts.reveal_personal_data", case),
    }
    if actions["dispatch"] or actions["transfer"]:
        kinds = _labels(OrgKind)
        company = current_company(case.estate, timezone.localdate())
        choices = list(services.responsible_choices(case.estate, company=company))
        for org in choices:
            org.kind_label = kinds.get(org.kind, org.kind)
        context["responsible_choices"] = choices
        context["suggested"] = services.suggest_responsible(estate=case.estate, category=case.category, company=company)
    return render(request, "cases/detail.html", context)


def _timeline_with_actors(case, *, staff: bool):
    """The timeline with who did each step, as the viewer may see it: the reporter is shown as
    "反映人" (never by name, so an anonymous report stays anonymous), staff by their organization,
    and by name only to other staff."""
    events = list(selectors.timeline(case))
    kinds, ratings = _labels(EventKind), _labels(Rating)
    for event in events:
        event.kind_label = kinds.get(event.kind, event.kind)
        event.rating_label = ratings.get(event.rating, event.rating)
        person = getattr(event.actor, "person", None) if event.actor_id else None
        if event.actor_id is None:
            label = _("系统")
        elif person is not None and case.reporter_id and person.id == case.reporter_id:
            label = _("反映人")
        elif event.actor_organization_id:
            label = event.actor_organization.name
            if staff and person is not None:
                label = f"{label} · {person.name}"
        elif staff:
            label = person.name if person is not None else event.actor.username
        else:
            label = _("工作人员")
        event.shown_actor = label
    return events


def _login_url():
    from django.conf import settings

    return reverse(settings.LOGIN_URL)


def _datetime(value: str):
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise DomainError(_("时间格式不正确")) from None
        parsed = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _organization(value):
    from gongzhi.orgs.models import Organization

    if not value:
        raise DomainError(_("请选择责任方"))
    try:
        return Organization.objects.get(pk=int(value))
    except (ValueError, Organization.DoesNotExist):
        raise DomainError(_("请选择责任方")) from None


def _merge_target(case, value):
    value = (value or "").strip()
    if not value:
        raise DomainError(_("请填写要合并到的诉求编号"))
    target = Case.objects.filter(number=value).first()
    if target is None:
        raise DomainError(_("找不到编号为 %(number)s 的诉求") % {"number": value})
    return target


def _run(verb, request, case):
    post = request.POST
    user = request.user
    note = post.get("note", "")
    photos = request.FILES.getlist("photos")
    if verb == "dispatch":
        return services.case_dispatch(
            case=case,
            acting_user=user,
            responsible=_organization(post.get("responsible")),
            deadline=_datetime(post.get("deadline")),
            urgency=post.get("urgency") or None,
            note=note,
        )
    if verb == "transfer":
        return services.case_transfer(
            case=case,
            acting_user=user,
            responsible=_organization(post.get("responsible")),
            deadline=_datetime(post.get("deadline")),
            note=note,
        )
    if verb == "merge":
        return services.case_merge(case=case, acting_user=user, into=_merge_target(case, post.get("into")), note=note)
    if verb == "reject":
        return services.case_reject(case=case, acting_user=user, reason=note)
    if verb == "flag_agenda":
        return services.case_flag_agenda(case=case, acting_user=user, on_agenda=post.get("on") != "0", note=note)
    if verb == "reopen":
        return services.case_reopen(case=case, acting_user=user, note=note)
    if verb == "close":
        return services.case_close(case=case, acting_user=user, note=note)
    if verb == "extend_decide":
        return services.case_extend_decide(case=case, acting_user=user, approve=post.get("approve") == "1", note=note)
    if verb == "sign":
        return services.case_sign(case=case, acting_user=user, note=note)
    if verb == "reply":
        return services.case_reply(case=case, acting_user=user, note=note, photos=photos)
    if verb == "resolve":
        return services.case_resolve(case=case, acting_user=user, note=note, photos=photos)
    if verb == "return":
        return services.case_return(case=case, acting_user=user, reason=note)
    if verb == "extend_request":
        return services.case_extend_request(
            case=case, acting_user=user, until=_datetime(post.get("until")), reason=note
        )
    if verb == "review":
        form = ReviewForm(post)
        if not form.is_valid():
            raise DomainError(_("请选择是否解决和满意程度"))
        data = form.cleaned_data
        return services.case_review(
            case=case,
            acting_user=user,
            solved=data["solved"],
            rating=data["rating"],
            comment=data["comment"],
            by_phone=data["by_phone"],
        )
    raise Http404


VERB_PERMS = {
    **dict.fromkeys(
        ("dispatch", "transfer", "merge", "reject", "flag_agenda", "reopen", "close", "extend_decide"),
        "cases.dispatch_case",
    ),
    **dict.fromkeys(("sign", "reply", "resolve", "return", "extend_request"), "cases.work_case"),
    "review": "cases.review_case",
}
DONE = {
    "dispatch": gettext_lazy("已派单"),
    "transfer": gettext_lazy("已转办"),
    "merge": gettext_lazy("已合并"),
    "reject": gettext_lazy("已不予受理"),
    "flag_agenda": gettext_lazy("已更新议事标记"),
    "reopen": gettext_lazy("已退回重新办理"),
    "close": gettext_lazy("已关闭"),
    "extend_decide": gettext_lazy("已处理延期申请"),
    "sign": gettext_lazy("已签收"),
    "reply": gettext_lazy("已答复"),
    "resolve": gettext_lazy("已办结"),
    "return": gettext_lazy("已退单"),
    "extend_request": gettext_lazy("已提交延期申请"),
    "review": gettext_lazy("感谢您的评价"),
}


@login_required
@require_POST
def case_action(request, pk, verb):
    if verb not in VERB_PERMS:
        raise Http404
    case = selectors.case_for_user(request.user, pk)
    if not request.user.has_perm(VERB_PERMS[verb], case):
        raise PermissionDenied
    try:
        _run(verb, request, case)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message)
        return render(
            request,
            "cases/action_error.html",
            {"case": case, "message": error.message},
            status=error.status if error.status in (400, 409) else 400,
        )
    messages.success(request, DONE[verb])
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def contact(request, pk):
    """Show the reporter's full phone for a callback; each reveal is logged."""
    case = selectors.case_for_user(request.user, pk)
    try:
        revealed = services.case_contact_reveal(
            case=case, acting_user=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        if error.status == 404:
            raise Http404 from None
        raise PermissionDenied from None
    response = render(request, "cases/contact.html", {"case": case, "revealed": revealed})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def photo(request, pk):
    item = get_object_or_404(CasePhoto.objects.select_related("case__estate"), pk=pk)
    if not request.user.has_perm("cases.view_case", item.case):
        raise Http404
    response = FileResponse(item.image.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def board(request, pk):
    """The public board of an estate: figures only, no personal data, open to everyone."""
    estate = get_object_or_404(Place, pk=pk, kind=PlaceKind.ESTATE)
    on = timezone.localdate()
    month = request.GET.get("month", "")
    if month:
        try:
            on = datetime.date.fromisoformat(f"{month}-01")
        except ValueError:
            pass
    return render(request, "cases/board.html", {"estate": estate, "board": selectors.estate_board(estate, on)})


def boards(request):
    estates = Place.objects.filter(kind=PlaceKind.ESTATE, is_active=True).order_by("path")[:500]
    return render(request, "cases/boards.html", {"estates": estates})
