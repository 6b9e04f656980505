"""Pages of deliberation. Each view parses input, asks permission, calls one service or selector."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts import access
from gongzhi.accounts.models import Person
from gongzhi.accounts.posts import Capability as C
from gongzhi.core.errors import DomainError
from gongzhi.meetings import exports, selectors, services
from gongzhi.meetings.models import (
    AgendaItem,
    CalendarToken,
    Frequency,
    HolidayRule,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingSeries,
    Party,
    Topic,
    TopicReview,
    TopicSource,
    Weekday,
)
from gongzhi.orgs.models import Organization
from gongzhi.places.models import Place, PlaceKind

# --- lookups: 404 for outsiders, 403 for those who see but may not act ---------------------------


def _place_for(user, place_id: int, perm: str | None = None) -> Place:
    place = get_object_or_404(Place, pk=place_id, kind__in=[PlaceKind.ESTATE, PlaceKind.COMMUNITY])
    if not user.has_perm("meetings.view_meeting", place):
        raise Http404
    if perm and not user.has_perm(perm, place):
        raise PermissionDenied
    return place


def _meeting_for(user, meeting_id: int, perm: str | None = None) -> Meeting:
    meeting = selectors.meeting_detail(meeting_id)
    if meeting is None or not user.has_perm("meetings.view_meeting", meeting):
        raise Http404
    if perm and not user.has_perm(perm, meeting):
        raise PermissionDenied
    return meeting


def _topic_for(user, topic_id: int) -> Topic:
    topic = get_object_or_404(Topic.objects.select_related("estate", "proposer"), pk=topic_id)
    if not user.has_perm("meetings.view_topic", topic):
        raise Http404
    return topic


def _error(request, error: DomainError) -> None:
    messages.error(request, error.message)


def _status_for(error: DomainError) -> int:
    return error.status if error.status in (400, 403, 409) else 400


# --- forms (input parsing only; rules live in the services) ---------------------------------------


class SeriesForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("会议类型"), choices=[c for c in MeetingKind.choices if c[0] != "ad_hoc"]
    )
    title = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    frequency = forms.ChoiceField(label=gettext_lazy("周期"), choices=Frequency.choices)
    month_day = forms.IntegerField(label=gettext_lazy("每月几日"), required=False, min_value=1, max_value=31)
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("星期"),
        choices=[("", "—")] + list(Weekday.choices),
        required=False,
        coerce=int,
        empty_value=None,
    )
    holiday_rule = forms.ChoiceField(label=gettext_lazy("遇节假日"), choices=HolidayRule.choices)
    time_of_day = forms.TimeField(label=gettext_lazy("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=gettext_lazy("时长（分钟）"), initial=90)
    location = forms.CharField(label=gettext_lazy("会议地点"), max_length=120)
    expected_parties = forms.MultipleChoiceField(
        label=gettext_lazy("应到各方"),
        choices=Party.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不选则按会议类型：三方会议为党支部、业委会、物业；四方会议再加社区。"),
    )
    starts_on = forms.DateField(label=gettext_lazy("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=gettext_lazy("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AdHocForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("会议名称"), max_length=120)
    reason = forms.CharField(label=gettext_lazy("召集事由"), widget=forms.Textarea(attrs={"rows": 3}))
    day = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=gettext_lazy("时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(label=gettext_lazy("会议地点"), max_length=120)
    expected_parties = forms.MultipleChoiceField(
        label=gettext_lazy("应到各方"), choices=Party.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class TopicForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("题目"), max_length=120)
    description = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class StaffTopicForm(TopicForm):
    source = forms.ChoiceField(
        label=gettext_lazy("来源"),
        choices=[(v, label) for v, label in TopicSource.choices if v not in ("resident", "case")],
    )
    source_note = forms.CharField(label=gettext_lazy("来源说明"), required=False, max_length=200)


# --- index and place pages -------------------------------------------------------------------------


@login_required
def index(request):
    user = request.user
    person = getattr(user, "person", None)
    resident_estates = list(selectors.estates_of(user, C.RESIDENT)[:10])
    managed = list(
        Place.objects.filter(kind__in=[PlaceKind.ESTATE, PlaceKind.COMMUNITY])
        .filter(access.scope_q(user, C.VIEW_INTERNAL, "path"))
        .order_by("path")[:100]
    )
    upcoming = list(selectors.meetings_visible(user).upcoming().select_related("place")[:20])
    return render(
        request,
        "meetings/index.html",
        {
            "resident_estates": resident_estates,
            "places": managed,
            "upcoming": upcoming,
            "invitations": selectors.my_invitations(person) if person else [],
        },
    )


@login_required
def place(request, place_id: int):
    place = _place_for(request.user, place_id)
    can_manage = request.user.has_perm("meetings.manage_meeting", place)
    if place.kind == PlaceKind.COMMUNITY:
        page = request.GET.get("page", "1")
        page = int(page) if page.isdigit() and 0 < int(page) < 1000 else 1
        upcoming, has_next = selectors.community_upcoming(place, page=page)
        return render(
            request,
            "meetings/community.html",
            {
                "community": place,
                "upcoming": upcoming,
                "page": page,
                "has_next": has_next,
                "can_manage": can_manage,
                "can_call": request.user.has_perm("meetings.call_ad_hoc_meeting", place),
                "series": list(place.meeting_series.filter(is_active=True)),
            },
        )
    context = selectors.estate_page(place)
    context.update(
        estate=place,
        can_manage=can_manage,
        can_call=request.user.has_perm("meetings.call_ad_hoc_meeting", place),
        can_propose=request.user.has_perm("meetings.propose_topic", place),
        can_add_topic=request.user.has_perm("meetings.add_topic", place),
    )
    return render(request, "meetings/estate.html", context)


@login_required
def series_new(request, place_id: int):
    place = _place_for(request.user, place_id, "meetings.manage_meeting")
    form = SeriesForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_create(place=place, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
            status = _status_for(error)
        else:
            messages.success(request, _("已设立“%(title)s”，近期会议已排期") % {"title": series.title})
            return redirect("meetings:place", place.id)
    elif request.method == "POST":
        status = 400
    return render(request, "meetings/series_form.html", {"form": form, "place": place}, status=status)


@login_required
def series_edit(request, series_id: int):
    series = get_object_or_404(MeetingSeries.objects.select_related("place"), pk=series_id)
    _place_for(request.user, series.place_id, "meetings.manage_meeting")
    initial = {name: getattr(series, name) for name in SeriesForm.base_fields if hasattr(series, name)}
    form = SeriesForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    form.fields["starts_on"].disabled = True
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.SERIES_RULE_FIELDS}
        try:
            replanned = services.series_update(series=series, acting_user=request.user, **data)
        except DomainError as error:
            form.add_error(None, error.message)
            status = _status_for(error)
        else:
            messages.success(request, _("规则已更新，重新安排了%(n)s场未准备的会议") % {"n": replanned})
            return redirect("meetings:place", series.place_id)
    elif request.method == "POST":
        status = 400
    return render(
        request, "meetings/series_form.html", {"form": form, "place": series.place, "series": series}, status=status
    )


@login_required
def ad_hoc_new(request, place_id: int):
    place = _place_for(request.user, place_id, "meetings.call_ad_hoc_meeting")
    form = AdHocForm(request.POST or None, initial={"day": timezone.localdate()})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_call_ad_hoc(
                place=place,
                title=data["title"],
                reason=data["reason"],
                starts_at=services.local_datetime(data["day"], data["time"]),
                location=data["location"],
                expected_parties=data["expected_parties"],
                acting_user=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status = _status_for(error)
        else:
            messages.success(request, _("已召集临时议事"))
            return redirect("meetings:meeting", meeting.id)
    elif request.method == "POST":
        status = 400
    return render(request, "meetings/ad_hoc_form.html", {"form": form, "place": place}, status=status)


# --- topics ----------------------------------------------------------------------------------------


@login_required
def topics(request, place_id: int):
    place = _place_for(request.user, place_id)
    return render(
        request,
        "meetings/topics.html",
        {
            "place": place,
            "topics": selectors.topic_pool(place),
            "can_propose": request.user.has_perm("meetings.propose_topic", place),
            "can_add_topic": request.user.has_perm("meetings.add_topic", place),
            "backed_ids": set(Topic.objects.filter(backings__person__user=request.user).values_list("id", flat=True)),
        },
    )


@login_required
def topic_new(request, place_id: int):
    place = _place_for(request.user, place_id, "meetings.propose_topic")
    form = TopicForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_propose(estate=place, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
            status = _status_for(error)
        else:
            messages.success(request, _("已提交，其他居民可以附议"))
            return redirect("meetings:topic", topic.id)
    elif request.method == "POST":
        status = 400
    return render(request, "meetings/topic_form.html", {"form": form, "place": place}, status=status)


@login_required
def topic_add(request, place_id: int):
    place = _place_for(request.user, place_id, "meetings.add_topic")
    form = StaffTopicForm(request.POST or None)
    status = 200
    open_cases = []
    try:
        from gongzhi.cases.models import Case

        if request.user.has_perm("meetings.manage_meeting", place):
            open_cases = list(
                Case.objects.open()
                .filter(estate=place)
                .exclude(id__in=Topic.objects.filter(case_id__isnull=False).values("case_id"))
                .order_by("-id")[:30]
            )
    except ImportError:
        pass
    if request.method == "POST" and request.POST.get("case_id"):
        from gongzhi.cases.models import Case

        case = get_object_or_404(Case, pk=request.POST["case_id"], estate=place)
        try:
            topic = services.topic_from_case(case=case, acting_user=request.user)
        except DomainError as error:
            _error(request, error)
            return redirect("meetings:topic-add", place.id)
        messages.success(request, _("已将诉求列入待议事项"))
        return redirect("meetings:topic", topic.id)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_add(estate=place, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
            status = _status_for(error)
        else:
            messages.success(request, _("已加入待议事项"))
            return redirect("meetings:topic", topic.id)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "meetings/topic_add.html",
        {"form": form, "place": place, "open_cases": open_cases},
        status=status,
    )


@login_required
def topic(request, topic_id: int):
    topic = _topic_for(request.user, topic_id)
    person = getattr(request.user, "person", None)
    items = list(
        AgendaItem.objects.filter(topic=topic)
        .select_related("meeting", "resolution__responsible")
        .prefetch_related("corrections")
        .order_by("meeting__starts_at")
    )
    case = None
    case_ids = [topic.case_id] + [getattr(i, "resolution", None) and i.resolution.case_id for i in items]
    cases = {}
    try:
        from gongzhi.cases.models import Case

        cases = {c.id: c for c in Case.objects.filter(id__in=[i for i in case_ids if i])}
    except ImportError:
        pass
    case = cases.get(topic.case_id)
    reviewers = services.topic_reviewers(topic)
    may_review = (
        person is not None
        and topic.review_requested_at is not None
        and person.id in {p.id for p in reviewers}
        and not topic.reviews.filter(person=person).exists()
    )
    return render(
        request,
        "meetings/topic.html",
        {
            "topic": topic,
            "items": [(item, cases.get(getattr(getattr(item, "resolution", None), "case_id", None))) for item in items],
            "source_case": case,
            "reviews": list(topic.reviews.select_related("person")),
            "backings": topic.backer_count,
            "can_back": request.user.has_perm("meetings.back_topic", topic)
            and person is not None
            and topic.proposer_id != person.id
            and not topic.backings.filter(person=person).exists()
            and (topic.is_open or topic.status == "on_agenda"),
            "may_review": may_review,
            "verdicts": TopicReview.Verdict.choices,
        },
    )


@login_required
@require_POST
def topic_back(request, topic_id: int):
    topic = _topic_for(request.user, topic_id)
    if not request.user.has_perm("meetings.back_topic", topic):
        raise PermissionDenied
    try:
        services.topic_back(topic=topic, acting_user=request.user)
        messages.success(request, _("已附议"))
    except DomainError as error:
        _error(request, error)
    return redirect(request.POST.get("next") or reverse("meetings:topic", args=[topic.id]))


@login_required
@require_POST
def topic_review(request, topic_id: int):
    topic = _topic_for(request.user, topic_id)
    try:
        services.topic_review(
            topic=topic,
            verdict=request.POST.get("verdict", ""),
            comment=request.POST.get("comment", ""),
            acting_user=request.user,
        )
        messages.success(request, _("感谢您的评价"))
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        _error(request, error)
    return redirect("meetings:topic", topic.id)


# --- a meeting --------------------------------------------------------------------------------------


@login_required
def meeting(request, meeting_id: int):
    meeting = _meeting_for(request.user, meeting_id)
    can_manage = request.user.has_perm("meetings.manage_meeting", meeting)
    person = getattr(request.user, "person", None)
    my_invitation = meeting.invitations.filter(person=person).first() if person else None
    attendances = list(meeting.attendances.all())
    return render(
        request,
        "meetings/meeting.html",
        {
            "meeting": meeting,
            "items": list(meeting.items.all()),
            "attendances": attendances,
            "missing": [Party(p).label for p in services.missing_parties(meeting, attendances)],
            "corrections": list(meeting.corrections.all()),
            "can_manage": can_manage,
            "is_staff": access.can(request.user, C.VIEW_INTERNAL, meeting.place),
            "invitations": selectors.invitations_of(meeting) if can_manage else [],
            "my_invitation": my_invitation,
            "show_agenda": can_manage or meeting.agenda_published_at or meeting.is_closed,
        },
    )


@login_required
def agenda(request, meeting_id: int):
    meeting = _meeting_for(request.user, meeting_id, "meetings.manage_meeting")
    if request.method == "POST":
        try:
            if "add" in request.POST:
                topic = get_object_or_404(Topic, pk=request.POST["add"])
                services.agenda_add(meeting=meeting, topic=topic, acting_user=request.user)
            elif "remove" in request.POST:
                item = get_object_or_404(AgendaItem, pk=request.POST["remove"], meeting=meeting)
                services.agenda_remove(item=item, acting_user=request.user)
            elif "publish" in request.POST:
                services.agenda_publish(meeting=meeting, acting_user=request.user)
                messages.success(request, _("议题已向小区公布"))
                return redirect("meetings:meeting", meeting.id)
        except DomainError as error:
            _error(request, error)
        return redirect("meetings:agenda", meeting.id)
    return render(
        request,
        "meetings/agenda.html",
        {
            "meeting": meeting,
            "items": list(meeting.items.select_related("topic__estate")),
            "pool": selectors.topic_pool(meeting.place),
        },
    )


@login_required
def invitations(request, meeting_id: int):
    meeting = _meeting_for(request.user, meeting_id, "meetings.manage_meeting")
    role = request.GET.get("role") or request.POST.get("role") or Party.BUILDING_HEAD
    if role not in Party.values:
        role = Party.BUILDING_HEAD
    if request.method == "POST":
        try:
            if "all" in request.POST:
                count = services.invitations_by_role(meeting=meeting, role=role, acting_user=request.user)
                messages.success(request, _("已邀请%(n)s位") % {"n": count})
            else:
                person = Person.objects.filter(pk=request.POST.get("person") or 0).first()
                organization = Organization.objects.filter(pk=request.POST.get("organization") or 0).first()
                services.invitation_create(
                    meeting=meeting,
                    role=role,
                    person=person,
                    organization=organization,
                    note=request.POST.get("note", ""),
                    acting_user=request.user,
                )
                messages.success(request, _("已发出邀请"))
        except DomainError as error:
            _error(request, error)
            return render(
                request,
                "meetings/invitations.html",
                _invitation_context(meeting, role),
                status=_status_for(error),
            )
        return redirect(f"{reverse('meetings:invitations', args=[meeting.id])}?role={role}")
    return render(request, "meetings/invitations.html", _invitation_context(meeting, role))


def _invitation_context(meeting, role):
    return {
        "meeting": meeting,
        "role": role,
        "roles": Party.choices,
        "candidates": services.role_candidates(meeting, role),
        "invitations": selectors.invitations_of(meeting),
    }


@login_required
@require_POST
def invitation_respond(request, invitation_id: int):
    invitation = get_object_or_404(Invitation.objects.select_related("meeting__place"), pk=invitation_id)
    person = getattr(request.user, "person", None)
    if person is None or invitation.person_id != person.id:
        raise Http404
    try:
        services.invitation_respond(
            invitation=invitation,
            accept=request.POST.get("answer") == "confirm",
            note=request.POST.get("note", ""),
            acting_user=request.user,
        )
        messages.success(request, _("已回复"))
    except DomainError as error:
        _error(request, error)
    return redirect("meetings:meeting", invitation.meeting_id)


def _attendance_entries(request, meeting) -> list[dict]:
    entries = []
    people = {p.id: p for p in Person.objects.filter(id__in=request.POST.getlist("present"))}
    for person_id in request.POST.getlist("present"):
        person = people.get(int(person_id)) if person_id.isdigit() else None
        if person is not None:
            entries.append({"party": request.POST.get(f"party_{person.id}", ""), "person": person})
    for index in range(int(request.POST.get("extra_count", "0") or 0)):
        name = request.POST.get(f"extra_name_{index}", "").strip()
        if name:
            entries.append({"party": request.POST.get(f"extra_party_{index}", ""), "name": name})
    return entries


def _attendance_candidates(meeting) -> list[tuple]:
    """People who may be ticked as present: invitees and holders of the expected parties' posts."""
    from gongzhi.accounts.models import Appointment
    from gongzhi.accounts.posts import POSTS

    candidates: dict[int, tuple] = {}
    for invitation in meeting.invitations.select_related("person").filter(person__isnull=False):
        candidates[invitation.person_id] = (invitation.person, invitation.role)
    on = timezone.localdate()
    appointments = Appointment.objects.current(on).select_related("person", "organization__place")
    place_path = meeting.place.path
    for appointment in appointments.filter(organization__isnull=False):
        party = POSTS[appointment.post].party if appointment.post in POSTS else None
        org = appointment.organization
        if party is None and org.kind in ("party_committee", "residents_committee"):
            party = Party.COMMUNITY
        if party is None:
            continue
        if services.organization_relates_to_place(org, meeting.place, on) and (
            party != Party.COMMUNITY or place_path.startswith(org.place.path)
        ):
            candidates.setdefault(appointment.person_id, (appointment.person, party))
    return sorted(candidates.values(), key=lambda pair: (pair[1], pair[0].name))


@login_required
def record(request, meeting_id: int):
    meeting = _meeting_for(request.user, meeting_id, "meetings.manage_meeting")
    if request.method == "GET" and not meeting.is_open:
        # A closed record is read on the meeting page (with its corrections), never edited here.
        return redirect("meetings:meeting", meeting.id)
    status = 200
    if request.method == "POST":
        try:
            if "attendance" in request.POST:
                services.attendance_set(
                    meeting=meeting, entries=_attendance_entries(request, meeting), acting_user=request.user
                )
                messages.success(request, _("出席情况已保存"))
            elif "item" in request.POST:
                item = get_object_or_404(AgendaItem, pk=request.POST["item"], meeting=meeting)
                deadline = None
                if request.POST.get("deadline"):
                    try:
                        deadline = datetime.date.fromisoformat(request.POST["deadline"])
                    except ValueError:
                        raise DomainError(_("完成时限的日期格式不正确")) from None
                responsible = Organization.objects.filter(pk=request.POST.get("responsible") or 0).first()
                services.item_record(
                    item=item,
                    minutes=request.POST.get("minutes", ""),
                    answer=request.POST.get("answer", ""),
                    reason=request.POST.get("reason", ""),
                    responsible=responsible,
                    action=request.POST.get("action", ""),
                    deadline=deadline,
                    acting_user=request.user,
                )
                messages.success(request, _("已保存“%(title)s”的答题") % {"title": item.topic.title})
            elif "close" in request.POST:
                services.meeting_close(
                    meeting=meeting, summary=request.POST.get("summary", ""), acting_user=request.user
                )
                messages.success(request, _("会议已结束，结果已向小区公布，决议已转为诉求事项跟踪办理"))
                return redirect("meetings:meeting", meeting.id)
            elif "correction" in request.POST:
                item = AgendaItem.objects.filter(pk=request.POST.get("correction_item") or 0, meeting=meeting).first()
                services.correction_append(
                    meeting=meeting, item=item, text=request.POST.get("text", ""), acting_user=request.user
                )
                messages.success(request, _("更正已追加"))
                return redirect("meetings:meeting", meeting.id)
            return redirect("meetings:record", meeting.id)
        except DomainError as error:
            _error(request, error)
            status = _status_for(error)
            if "correction" in request.POST:
                return redirect("meetings:meeting", meeting.id)
    meeting = selectors.meeting_detail(meeting.id)
    attendances = list(meeting.attendances.all())
    present = {a.person_id: a.party for a in attendances if a.person_id}
    responsible_choices = (
        list(
            Organization.objects.current()
            .filter(
                kind__in=[
                    "party_branch",
                    "owners_committee",
                    "property_company",
                    "residents_committee",
                    "party_committee",
                    "department",
                    "partner_unit",
                ]
            )
            .filter(place__path__in=_ancestor_paths(meeting.place))
            .order_by("kind", "name")
        )
        + list(
            Organization.objects.current()
            .filter(kind="property_company", contracts__estate__path__startswith=meeting.place.path)
            .distinct()
        )
        + list(
            Organization.objects.current()
            .filter(place__path__startswith=meeting.place.path)
            .exclude(place=meeting.place)
            .filter(kind__in=["party_branch", "owners_committee"])
        )
    )
    return render(
        request,
        "meetings/record.html",
        {
            "meeting": meeting,
            "items": list(meeting.items.all()),
            "candidates": [
                (p, present.get(p.id, party), p.id in present) for p, party in _attendance_candidates(meeting)
            ],
            "extras": [a for a in attendances if not a.person_id],
            "extra_rows": range(3),
            "parties": Party.choices,
            "answers": AgendaItem.Answer.choices,
            "responsible_choices": list(dict.fromkeys(responsible_choices)),
            "missing": [Party(p).label for p in services.missing_parties(meeting, attendances)],
            "attendance_count": len(attendances),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _ancestor_paths(place: Place) -> list[str]:
    ids = place.ancestor_ids()
    return ["/" + "/".join(str(i) for i in ids[: n + 1]) + "/" for n in range(len(ids))]


@login_required
def print_record(request, meeting_id: int):
    meeting = _meeting_for(request.user, meeting_id)
    if not meeting.is_closed and not request.user.has_perm("meetings.manage_meeting", meeting):
        raise PermissionDenied
    return render(
        request,
        "meetings/print.html",
        {
            "meeting": meeting,
            "items": list(meeting.items.all()),
            "attendances": list(meeting.attendances.all()),
            "corrections": list(meeting.corrections.all()),
            "missing": [Party(p).label for p in services.missing_parties(meeting)],
        },
    )


@login_required
def export_record(request, meeting_id: int):
    meeting = _meeting_for(request.user, meeting_id)
    if not meeting.is_closed and not request.user.has_perm("meetings.manage_meeting", meeting):
        raise PermissionDenied
    content = exports.meeting_workbook(meeting)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    local = meeting.local_start
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}-{local:%Y%m%d}.xlsx"'
    return response


# --- iCal feeds -------------------------------------------------------------------------------------


def place_calendar(request, place_id: int):
    """A public feed of an estate's meetings (time, place, title — what the notice board shows)."""
    place = get_object_or_404(Place, pk=place_id, kind__in=[PlaceKind.ESTATE, PlaceKind.COMMUNITY])
    body = exports.ical(selectors.feed_meetings_for_place(place), name=_("%(place)s议事日历") % {"place": place.name})
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def person_calendar(request, token: str):
    entry = CalendarToken.objects.select_related("person__user").filter(token=token).first()
    if entry is None:
        raise Http404
    body = exports.ical(selectors.feed_meetings_for_person(entry.person), name=_("我的议事日历"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
def calendar(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    if request.method == "POST":
        services.calendar_token_renew(acting_user=request.user)
        messages.success(request, _("已生成新的订阅地址，旧地址已失效"))
        return redirect("meetings:calendar")
    token = services.calendar_token_for(person)
    return render(
        request,
        "meetings/calendar.html",
        {
            "feed_url": request.build_absolute_uri(reverse("meetings:person-calendar", args=[token.token])),
            "estates": list(selectors.estates_of(request.user, C.RESIDENT)),
        },
    )


@login_required
@require_POST
def meeting_change(request, meeting_id: int):
    """Move a meeting (time, venue) or cancel it with a reason."""
    meeting = _meeting_for(request.user, meeting_id, "meetings.manage_meeting")
    try:
        if "cancel" in request.POST:
            services.meeting_cancel(meeting=meeting, reason=request.POST.get("reason", ""), acting_user=request.user)
            messages.success(request, _("会议已取消，议程上的议题已退回待议事项"))
        else:
            try:
                day = datetime.date.fromisoformat(request.POST.get("day", ""))
                time = datetime.time.fromisoformat(request.POST.get("time", ""))
            except ValueError:
                raise DomainError(_("请填写正确的日期和时间")) from None
            services.meeting_update(
                meeting=meeting,
                starts_at=services.local_datetime(day, time),
                location=request.POST.get("location", ""),
                acting_user=request.user,
            )
            messages.success(request, _("会议时间地点已更新"))
    except DomainError as error:
        _error(request, error)
    return redirect("meetings:meeting", meeting.id)
