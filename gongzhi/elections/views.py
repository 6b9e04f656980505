"""Pages for owners (phone first) and for the committee, the community and tellers. Views parse
input, ask permission, call one service or selector and render; refusals come back as messages."""

from __future__ import annotations

import datetime
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts import access
from gongzhi.accounts.models import Person
from gongzhi.accounts.posts import Capability as C
from gongzhi.core.errors import DomainError
from gongzhi.elections import selectors, services
from gongzhi.elections.models import (
    DECISION_STEP_ORDER,
    BallotChoice,
    Candidate,
    CandidateStatus,
    ChecklistStep,
    Decision,
    DecisionStepKind,
    DocumentKind,
    Election,
    ElectionStatus,
    Matter,
    NegativeListItem,
    NominationSource,
    Organizer,
    ReviewTask,
    RollEntry,
    RuleVersion,
    Vote,
    VoteStatus,
)
from gongzhi.elections.rulesets import rule_set
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.places.models import Place, PlaceKind

# --- helpers -----------------------------------------------------------------------------------


def _get(user, model, pk, perm):
    """404 for what the user may not see, 403 for what they see but may not do."""
    obj = get_object_or_404(model, pk=pk)
    view_perm = {
        Vote: "elections.view_vote",
        Election: "elections.view_election",
        RuleVersion: "elections.view_rules",
        Decision: "elections.view_decision",
    }[model]
    if not user.has_perm(view_perm, obj):
        raise Http404
    if perm and not user.has_perm(perm, obj):
        raise PermissionDenied
    return obj


def _try(request, action, success: str | None = None):
    try:
        result = action()
    except DomainError as error:
        messages.error(request, error.message)
        return None
    if success:
        messages.success(request, success)
    return result or True


def _estates_with(user, *capabilities):
    query = Q(pk__in=[])
    for capability in capabilities:
        query |= access.scope_q(user, capability, "path")
    return Place.objects.filter(query, kind=PlaceKind.ESTATE, is_active=True).order_by("path")


def _date(value, default=None):
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return None


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# --- index ---------------------------------------------------------------------------------


@login_required
def index(request):
    user = request.user
    now = timezone.now()
    votes = list(selectors.votes_visible(user)[:100])
    person = getattr(user, "person", None)
    open_for_me = []
    if person is not None:
        for vote in votes:
            if vote.status == VoteStatus.OPEN and vote.in_window(now) and services.entries_of(vote, person).exists():
                open_for_me.append((vote, selectors.my_ballot(vote, person)))
    is_staff = access.can(user, C.VIEW_INTERNAL)
    return render(
        request,
        "elections/index.html",
        {
            "votes": votes,
            "open_for_me": open_for_me,
            "elections": list(selectors.elections_visible(user)[:50]),
            "flags": selectors.dashboard_flags(user) if is_staff else [],
            "is_staff": is_staff,
            "can_open_vote": _estates_with(user, C.VOTE_MANAGE, C.ELECTION_MANAGE).exists(),
            "can_open_election": _estates_with(user, C.ELECTION_MANAGE).exists(),
            "now": now,
        },
    )


# --- votes ---------------------------------------------------------------------------------


class VoteForm(forms.Form):
    estate = forms.ModelChoiceField(queryset=Place.objects.none(), label=gettext_lazy("小区"))
    title = forms.CharField(max_length=200, label=gettext_lazy("表决事项"))
    matter = forms.ChoiceField(choices=Matter.choices, label=gettext_lazy("法定事项类别"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, label=gettext_lazy("表决内容"))
    organizer = forms.ChoiceField(choices=Organizer.choices, label=gettext_lazy("组织方"))
    opens_at = forms.DateTimeField(
        widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"], label=gettext_lazy("投票开始")
    )
    closes_at = forms.DateTimeField(
        widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"], label=gettext_lazy("投票截止")
    )
    allow_online = forms.BooleanField(required=False, initial=True, label=gettext_lazy("线上投票"))
    allow_paper = forms.BooleanField(required=False, initial=True, label=gettext_lazy("纸质票（计票人录入）"))
    allow_proxy = forms.BooleanField(required=False, initial=True, label=gettext_lazy("委托代理（须书面授权）"))
    attachment = forms.FileField(required=False, label=gettext_lazy("附件"))


@login_required
def vote_new(request):
    estates = _estates_with(request.user, C.VOTE_MANAGE, C.ELECTION_MANAGE)
    if not estates.exists():
        raise PermissionDenied
    notice = rule_set().assembly_notice_days
    start = timezone.localtime() + datetime.timedelta(days=notice)
    initial = {
        "opens_at": start.replace(hour=8, minute=0, second=0, microsecond=0),
        "closes_at": (start + datetime.timedelta(days=7)).replace(hour=20, minute=0, second=0, microsecond=0),
    }
    form = VoteForm(request.POST or None, request.FILES or None, initial=initial)
    form.fields["estate"].queryset = estates
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vote = services.vote_create(
                estate=data["estate"],
                title=data["title"],
                matter=data["matter"],
                text=data["text"],
                organizer=data["organizer"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                allow_online=data["allow_online"],
                allow_paper=data["allow_paper"],
                allow_proxy=data["allow_proxy"],
                acting_user=request.user,
            )
            if data.get("attachment"):
                services.vote_attach(vote=vote, upload=data["attachment"], acting_user=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("表决草稿已保存，核对名册后即可开始"))
            return redirect("elections:vote", vote.id)
    return render(request, "elections/vote_form.html", {"form": form, "notice_days": notice})


def _vote_context(request, vote: Vote) -> dict:
    user = request.user
    now = timezone.now()
    person = getattr(user, "person", None)
    my_entries = list(services.entries_of(vote, person)) if person and vote.status != VoteStatus.DRAFT else []
    mine = selectors.my_ballot(vote, person) if my_entries else None
    result = None
    if vote.status == VoteStatus.CLOSED:
        result = vote.result
    elif vote.status == VoteStatus.OPEN:
        result = selectors.vote_result(vote).as_dict()
    candidates = []
    if vote.is_election:
        candidates = list(
            Candidate.objects.filter(election__vote=vote, status=CandidateStatus.QUALIFIED).select_related("person")
        )
    names = {c.id: c.person.name for c in candidates}
    if vote.is_election and result:
        for row in result.get("candidates", []):
            row["name"] = names.get(row["candidate_id"], "")
    co_owner_voted = mine is not None and mine.person_id and person and mine.person_id != person.id
    return {
        "vote": vote,
        "phase": vote.window_phase(now),
        "result": result,
        "my_entries": my_entries,
        "mine": mine,
        "co_owner_voted": co_owner_voted,
        "can_cast": bool(my_entries)
        and vote.status == VoteStatus.OPEN
        and vote.in_window(now)
        and vote.allow_online
        and not co_owner_voted,
        "can_manage": user.has_perm("elections.manage_vote", vote),
        "can_enter": user.has_perm("elections.enter_ballot", vote) and vote.status == VoteStatus.OPEN,
        "can_export": user.has_perm("elections.export_vote", vote),
        "choices": BallotChoice.choices,
        "candidates": candidates,
        "mine_selections": set(mine.selections) if mine else set(),
        "attachments": list(vote.attachments.all()),
        "roll_counts": _roll_counts(vote),
        "figures": _figures(vote, result),
    }


def _figures(vote: Vote, result: dict | None) -> list[dict]:
    """The four statutory figures with the bound each must reach (display only: the decision
    itself is in the result, computed exactly)."""
    if not result:
        return []
    from gongzhi.elections import tally as law

    source = result["turnout"] if vote.is_election else result
    rows = [
        (
            "participation_area",
            _("参与表决的专有部分面积"),
            _("≥ 2/3（三分之二以上）"),
            law.PARTICIPATION_BOUND,
            "at_least",
        ),
        (
            "participation_owners",
            _("参与表决的业主人数"),
            _("≥ 2/3（三分之二以上）"),
            law.PARTICIPATION_BOUND,
            "at_least",
        ),
    ]
    if not vote.is_election:
        if vote.special:
            rows += [
                (
                    "consent_area",
                    _("同意的专有部分面积（占参与表决）"),
                    _("≥ 3/4（四分之三以上）"),
                    law.SPECIAL_CONSENT_BOUND,
                    "at_least",
                ),
                (
                    "consent_owners",
                    _("同意的业主人数（占参与表决）"),
                    _("≥ 3/4（四分之三以上）"),
                    law.SPECIAL_CONSENT_BOUND,
                    "at_least",
                ),
            ]
        else:
            rows += [
                (
                    "consent_area",
                    _("同意的专有部分面积（占参与表决）"),
                    _("> 1/2（过半数）"),
                    law.ORDINARY_CONSENT_BOUND,
                    "more_than",
                ),
                (
                    "consent_owners",
                    _("同意的业主人数（占参与表决）"),
                    _("> 1/2（过半数）"),
                    law.ORDINARY_CONSENT_BOUND,
                    "more_than",
                ),
            ]
    figures = []
    for key, label, bound_label, bound, how in rows:
        item = source[key]
        share = law.Share(law.Fraction(item["numerator"]), law.Fraction(item["denominator"]))
        figures.append(
            {
                "label": label,
                "fraction": item["fraction"],
                "percent": item["percent"],
                "meter": item["percent"].rstrip("%") if item["percent"] != "—" else "0",
                "bound": bound_label,
                "met": share.at_least(bound) if how == "at_least" else share.more_than(bound),
            }
        )
    return figures


def _roll_counts(vote: Vote) -> dict:
    # One aggregate query, not a pass over the (up to 10,000-owner) roll on every refresh.
    counts = dict.fromkeys(("owner", "developer", "unrecorded"), 0)
    counts.update(RollEntry.objects.filter(vote=vote).values_list("kind").annotate(n=Count("id")).order_by())
    return counts


@login_required
def vote_detail(request, vote_id: int):
    vote = _get(request.user, Vote, vote_id, None)
    return render(request, "elections/vote_detail.html", _vote_context(request, vote))


@login_required
def vote_progress(request, vote_id: int):
    vote = _get(request.user, Vote, vote_id, None)
    return render(request, "elections/_progress.html", _vote_context(request, vote))


@login_required
@require_POST
def vote_open(request, vote_id: int):
    vote = _get(request.user, Vote, vote_id, "elections.manage_vote")
    _try(
        request, lambda: services.vote_open(vote=vote, acting_user=request.user), _("表决已开始，业主名册已冻结并公布")
    )
    return redirect("elections:vote", vote.id)


@login_required
@require_POST
def vote_rebuild_roll(request, vote_id: int):
    vote = _get(request.user, Vote, vote_id, "elections.manage_vote")
    _try(
        request,
        lambda: services.vote_roll_rebuild(vote=vote, acting_user=request.user),
        _("名册已按最新房屋和产权数据重新生成"),
    )
    return redirect("elections:vote", vote.id)


@login_required
@require_POST
def vote_close(request, vote_id: int):
    vote = _get(request.user, Vote, vote_id, "elections.manage_vote")
    _try(
        request,
        lambda: services.vote_close(vote=vote, acting_user=request.user, note=request.POST.get("note", "")),
        _("表决已截止，结果已公布"),
    )
    return redirect("elections:vote", vote.id)


@login_required
@require_POST
def vote_cast(request, vote_id: int):
    vote = _get(request.user, Vote, vote_id, "elections.cast_ballot")
    entry = None
    if request.POST.get("entry"):
        entry = RollEntry.objects.filter(vote=vote, pk=request.POST["entry"]).first()
    ballot = _try(
        request,
        lambda: services.ballot_cast(
            vote=vote,
            acting_user=request.user,
            choice=request.POST.get("choice", ""),
            selections=request.POST.getlist("candidate"),
            entry=entry,
        ),
    )
    if ballot:
        messages.success(request, _("投票成功。您的回执码：%(code)s（截止前可修改）") % {"code": ballot.receipt})
    return redirect("elections:vote", vote.id)


@login_required
def vote_roll(request, vote_id: int):
    """The roll for the committee and tellers: flats and areas of each owner as counted (no names),
    with area corrections while the vote is a draft."""
    vote = _get(request.user, Vote, vote_id, "elections.export_vote")
    can_correct = request.user.has_perm("elections.manage_vote", vote) and vote.status == VoteStatus.DRAFT
    if request.method == "POST":
        if not request.user.has_perm("elections.manage_vote", vote):
            raise PermissionDenied
        entry = RollEntry.objects.filter(vote=vote, pk=request.POST.get("entry") or 0).first()
        if entry is None:
            messages.error(request, _("请选择名册中的业主"))
        else:
            _try(
                request,
                lambda: services.roll_entry_correct_area(
                    vote=vote,
                    entry=entry,
                    area=request.POST.get("area", ""),
                    note=request.POST.get("note", ""),
                    acting_user=request.user,
                ),
                _("面积已更正"),
            )
        return redirect("elections:roll", vote.id)
    query = request.GET.get("q", "").strip()
    entries = RollEntry.objects.filter(vote=vote).order_by("label")
    if query:
        entries = entries.filter(label__icontains=query)
    return render(
        request,
        "elections/roll.html",
        {"vote": vote, "entries": entries[:100], "q": query, "can_correct": can_correct, "count": entries.count()},
    )


@login_required
def vote_receipt(request, vote_id: int):
    vote = _get(request.user, Vote, vote_id, None)
    code = request.GET.get("code", "")
    status = selectors.receipt_lookup(vote, code) if code else None
    return render(request, "elections/receipt.html", {"vote": vote, "code": code, "status": status})


@login_required
def vote_teller(request, vote_id: int):
    """Tellers enter paper ballots and proxy votes, void spoiled ones, and reconcile."""
    vote = _get(request.user, Vote, vote_id, "elections.enter_ballot")
    if request.method == "POST":
        entry = RollEntry.objects.filter(vote=vote, pk=request.POST.get("entry") or 0).first()
        if entry is None:
            messages.error(request, _("请选择名册中的业主"))
        else:
            action = request.POST.get("action")
            common = {
                "vote": vote,
                "entry": entry,
                "acting_user": request.user,
                "choice": request.POST.get("choice", ""),
                "selections": request.POST.getlist("candidate"),
            }
            if action == "paper":
                _try(
                    request,
                    lambda: services.paper_ballot_enter(serial=request.POST.get("serial", ""), **common),
                    _("纸质票已录入"),
                )
            elif action == "proxy":
                _try(
                    request,
                    lambda: services.proxy_ballot_enter(
                        proxy_name=request.POST.get("proxy_name", ""),
                        authorization=request.FILES.get("authorization"),
                        **common,
                    ),
                    _("委托票已录入"),
                )
            elif action == "void":
                _try(
                    request,
                    lambda: services.ballot_void(
                        vote=vote, entry=entry, acting_user=request.user, reason=request.POST.get("reason", "")
                    ),
                    _("选票已作废"),
                )
        return redirect("elections:teller", vote.id)
    query = request.GET.get("q", "").strip()
    entries = RollEntry.objects.filter(vote=vote).order_by("label")
    if query:
        entries = entries.filter(label__icontains=query)
    candidates = list(
        Candidate.objects.filter(election__vote=vote, status=CandidateStatus.QUALIFIED).select_related("person")
    )
    return render(
        request,
        "elections/teller.html",
        {
            "vote": vote,
            "entries": entries[:50],
            "q": query,
            "summary": selectors.reconciliation(vote),
            "choices": BallotChoice.choices,
            "candidates": candidates,
            "can_enter": vote.status == VoteStatus.OPEN,
        },
    )


@login_required
def vote_verify(request, vote_id: int):
    vote = _get(request.user, Vote, vote_id, None)
    check = selectors.verify_chain(vote) if vote.status != VoteStatus.DRAFT else None
    return render(request, "elections/verify.html", {"vote": vote, "check": check})


@login_required
def vote_print(request, vote_id: int):
    vote = _get(request.user, Vote, vote_id, None)
    if vote.status != VoteStatus.CLOSED:
        raise Http404
    context = _vote_context(request, vote)
    context["receipts"] = selectors.published_receipts(vote)
    context["printed_at"] = timezone.localtime()
    return render(request, "elections/vote_print.html", context)


@login_required
def vote_export(request, vote_id: int):
    from openpyxl import Workbook

    vote = _get(request.user, Vote, vote_id, "elections.export_vote")
    if vote.status != VoteStatus.CLOSED:
        raise Http404
    result = vote.result
    book = Workbook()
    sheet = book.active
    sheet.title = _("表决结果")
    sheet.append([_("表决事项"), vote.title])
    sheet.append([_("小区"), vote.estate.name])
    sheet.append([_("法定事项类别"), vote.get_matter_display()])
    sheet.append(
        [
            _("投票时间"),
            f"{timezone.localtime(vote.opens_at):%Y-%m-%d %H:%M} — {timezone.localtime(vote.closes_at):%Y-%m-%d %H:%M}",
        ]
    )
    sheet.append([_("名册指纹（SHA-256）"), vote.roll_fingerprint])
    sheet.append(
        [_("专有部分总面积（㎡）"), result["turnout"]["total_area"] if vote.is_election else result["total_area"]]
    )
    sheet.append([_("业主总人数"), vote.total_owners])
    sheet.append([])
    if vote.is_election:
        turnout = result["turnout"]
        sheet.append(
            [_("参与表决面积"), turnout["participation_area"]["fraction"], turnout["participation_area"]["percent"]]
        )
        sheet.append(
            [_("参与表决人数"), turnout["participation_owners"]["fraction"], turnout["participation_owners"]["percent"]]
        )
        sheet.append([])
        sheet.append([_("排名"), _("候选人"), _("得票人数"), _("得票面积"), _("人数占比"), _("面积占比"), _("当选")])
        names = dict(Candidate.objects.filter(election__vote=vote).values_list("id", "person__name"))
        for row in result["candidates"]:
            sheet.append(
                [
                    row["rank"],
                    names.get(row["candidate_id"], ""),
                    row["owners"],
                    row["area"],
                    f"{row['consent_owners']['fraction']} ({row['consent_owners']['percent']})",
                    f"{row['consent_area']['fraction']} ({row['consent_area']['percent']})",
                    _("当选") if row["elected"] else "",
                ]
            )
    else:
        sheet.append([_("项目"), _("分数"), _("百分比")])
        for key, label in (
            ("participation_area", _("参与表决专有部分面积 / 总面积")),
            ("participation_owners", _("参与表决人数 / 总人数")),
            ("consent_area", _("同意面积 / 参与表决面积")),
            ("consent_owners", _("同意人数 / 参与表决人数")),
        ):
            sheet.append([label, result[key]["fraction"], result[key]["percent"]])
        sheet.append([_("同意"), result["yes_owners"], result["yes_area"]])
        sheet.append([_("反对"), result["no_owners"], result["no_area"]])
        sheet.append([_("弃权"), result["abstain_owners"], result["abstain_area"]])
        sheet.append(
            [
                _("适用规则"),
                _("四分之三以上（民法典第278条第6至8项）") if vote.special else _("过半数（民法典第278条）"),
            ]
        )
        sheet.append([_("结果"), _("通过") if vote.passed else _("未通过")])
    receipts = book.create_sheet(_("回执"))
    receipts.append([_("回执码"), _("意见")])
    labels = dict(BallotChoice.choices)
    for code, choice, selections in selectors.published_receipts(vote):
        receipts.append([code, str(labels.get(choice, "")) if choice else ",".join(str(s) for s in selections)])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.id}.xlsx"'
    return response


# --- elections ------------------------------------------------------------------------------


class ElectionForm(forms.Form):
    estate = forms.ModelChoiceField(queryset=Place.objects.none(), label=gettext_lazy("小区"))
    title = forms.CharField(max_length=200, required=False, label=gettext_lazy("名称"))
    seats = forms.IntegerField(min_value=1, max_value=99, initial=5, label=gettext_lazy("委员名额"))
    opened_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("启动日期"))
    first_assembly = forms.BooleanField(required=False, label=gettext_lazy("首次业主大会"))


@login_required
def election_new(request):
    estates = _estates_with(request.user, C.ELECTION_MANAGE)
    if not estates.exists():
        raise PermissionDenied
    form = ElectionForm(request.POST or None, initial={"opened_on": timezone.localdate()})
    form.fields["estate"].queryset = estates
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            election = services.election_open(
                estate=data["estate"],
                title=data["title"],
                seats=data["seats"],
                opened_on=data["opened_on"],
                first_assembly=data["first_assembly"],
                acting_user=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("elections:election", election.id)
    return render(request, "elections/election_form.html", {"form": form, "rules": rule_set()})


STEP_LABELS = {
    "announce": gettext_lazy("发布选举公告（业主大会公告）"),
    "nominations_close": gettext_lazy("提名截止、见面访谈"),
    "review_done": gettext_lazy("联合资格审查完成"),
    "notice_start": gettext_lazy("候选人公示开始"),
    "notice_end": gettext_lazy("候选人公示结束"),
    "vote_open": gettext_lazy("业主投票开始"),
    "vote_close": gettext_lazy("投票截止、计票"),
    "result_notice": gettext_lazy("选举结果公告"),
    "first_meeting": gettext_lazy("首次会议推选主任、副主任"),
    "filing": gettext_lazy("向街道（乡镇）备案"),
}


@login_required
def election_detail(request, election_id: int):
    election = _get(request.user, Election, election_id, None)
    user = request.user
    today = timezone.localdate()
    steps = [
        {"step": s, "label": STEP_LABELS.get(s.key, s.key), "late": s.done_on is None and s.planned_on < today}
        for s in election.steps.all()
    ]
    manage = user.has_perm("elections.manage_election", election)
    staff = access.can(user, C.VIEW_INTERNAL, election.estate)
    candidates = election.candidates.select_related("person").prefetch_related("reviews__department", "reviews__hits")
    if not staff:
        # Owners see the nominees and then the noticed candidates, never review findings.
        candidates = candidates.exclude(status__in=[CandidateStatus.DISQUALIFIED, CandidateStatus.WITHDRAWN])
    candidates = list(candidates)
    my_tasks = [
        t for c in candidates for t in c.reviews.all() if t.finding == "pending" and services.may_review(user, t)
    ]
    person = getattr(user, "person", None)
    members = []
    if election.committee_id and election.term_starts_on:
        from gongzhi.accounts.models import Appointment

        members = list(
            Appointment.objects.filter(
                organization_id=election.committee_id,
                post__in=services.COMMITTEE_POSTS,
                starts_on__gte=election.term_starts_on,
            ).select_related("person")
        )
    return render(
        request,
        "elections/election_detail.html",
        {
            "election": election,
            "steps": steps,
            "candidates": candidates,
            "manage": manage,
            "my_tasks": my_tasks,
            "negative_list": NegativeListItem.objects.filter(is_active=True),
            "departments": Organization.objects.current().filter(
                kind=OrgKind.DEPARTMENT, place__path__in=_ancestor_paths(election.estate)
            ),
            "sources": NominationSource.choices,
            "can_self_nominate": election.status == ElectionStatus.NOMINATING
            and user.has_perm("elections.nominate_self", election)
            and person is not None
            and not any(c.person_id == person.id for c in candidates),
            "owners": _owners_of(election.estate) if manage and election.status == ElectionStatus.NOMINATING else [],
            "members": members,
            "elected_members": [m for m in members if m.post == "committee_member"],
            "filing_late": election.filing_due_on and not election.filed_on and election.filing_due_on < today,
            "today": today,
            "rules": rule_set(election.rule_set),
            "staff": staff,
        },
    )


def _ancestor_paths(place: Place) -> list[str]:
    ids = place.ancestor_ids()
    return ["/" + "/".join(str(i) for i in ids[: n + 1]) + "/" for n in range(len(ids))]


def _owners_of(estate: Place):
    return (
        Person.objects.filter(ownerships__flat__estate=estate, ownerships__ends_on__isnull=True)
        .distinct()
        .order_by("name")
    )


@login_required
@require_POST
def election_action(request, election_id: int, action: str):
    election = _get(request.user, Election, election_id, None)
    user = request.user
    post = request.POST
    if action == "nominate":
        if post.get("source") == "self" and not post.get("person"):
            person = getattr(user, "person", None)
            if person is None or not user.has_perm("elections.nominate_self", election):
                raise PermissionDenied
        else:
            if not user.has_perm("elections.manage_election", election):
                raise PermissionDenied
            person = Person.objects.filter(pk=post.get("person") or 0).first()
            if person is None:
                messages.error(request, _("请选择人选"))
                return redirect("elections:election", election.id)
        _try(
            request,
            lambda: services.candidate_nominate(
                election=election,
                person=person,
                source=post.get("source", ""),
                nominated_by=post.get("nominated_by", ""),
                statement=post.get("statement", ""),
                acting_user=user,
            ),
            _("提名已登记"),
        )
    elif action == "review":
        task = get_object_or_404(ReviewTask, pk=post.get("task") or 0, candidate__election=election)
        hits = list(NegativeListItem.objects.filter(pk__in=post.getlist("hits")))
        _try(
            request,
            lambda: services.review_record(
                task=task, finding=post.get("finding", ""), hits=hits, note=post.get("note", ""), acting_user=user
            ),
            _("审查结论已登记"),
        )
    else:
        if not user.has_perm("elections.manage_election", election) and action != "first_meeting":
            raise PermissionDenied
        if action == "start_review":
            departments = list(Organization.objects.filter(pk__in=post.getlist("departments"), kind=OrgKind.DEPARTMENT))
            _try(
                request,
                lambda: services.election_start_review(election=election, departments=departments, acting_user=user),
                _("已提交联合资格审查"),
            )
        elif action == "notice":
            _try(
                request,
                lambda: services.election_start_notice(election=election, acting_user=user),
                _("候选人名单已公示"),
            )
        elif action == "vote":
            field = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"])
            try:
                opens_at, closes_at = field.clean(post.get("opens_at")), field.clean(post.get("closes_at"))
            except forms.ValidationError:
                messages.error(request, _("请填写投票开始和截止时间"))
                return redirect("elections:election", election.id)
            _try(
                request,
                lambda: services.election_start_vote(
                    election=election, opens_at=opens_at, closes_at=closes_at, acting_user=user
                ),
                _("选举投票已开始"),
            )
        elif action == "first_meeting":
            chair = Person.objects.filter(pk=post.get("chair") or 0).first()
            vices = list(Person.objects.filter(pk__in=post.getlist("vice_chairs")))
            if chair is None:
                messages.error(request, _("请选择主任"))
            else:
                _try(
                    request,
                    lambda: services.committee_first_meeting(
                        election=election,
                        held_on=_date(post.get("held_on"), timezone.localdate()),
                        chair=chair,
                        vice_chairs=vices,
                        acting_user=user,
                    ),
                    _("首次会议已登记"),
                )
        elif action == "file":
            _try(
                request,
                lambda: services.election_file(
                    election=election,
                    filed_on=_date(post.get("filed_on"), timezone.localdate()),
                    reference=post.get("reference", ""),
                    acting_user=user,
                ),
                _("备案已登记"),
            )
        elif action == "interview":
            candidate = get_object_or_404(Candidate, pk=post.get("candidate") or 0, election=election)
            _try(
                request,
                lambda: services.candidate_interview(
                    candidate=candidate, on=_date(post.get("on"), timezone.localdate()), acting_user=user
                ),
                _("见面访谈已记录"),
            )
        elif action == "step":
            step = get_object_or_404(ChecklistStep, pk=post.get("step") or 0, election=election)
            _try(
                request,
                lambda: services.checklist_step_done(
                    step=step, done_on=_date(post.get("done_on"), timezone.localdate()), acting_user=user
                ),
            )
        else:
            raise Http404
    return redirect("elections:election", election.id)


# --- rule documents --------------------------------------------------------------------------


@login_required
def rules_index(request, estate_id: int):
    estate = get_object_or_404(Place, pk=estate_id, kind=PlaceKind.ESTATE)
    if not request.user.has_perm("elections.view_rules", estate):
        raise Http404
    can_manage = request.user.has_perm("elections.manage_rules", estate)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        version = _try(
            request,
            lambda: services.rule_version_draft(
                estate=estate,
                kind=request.POST.get("kind", ""),
                text=request.POST.get("text", ""),
                summary=request.POST.get("summary", ""),
                acting_user=request.user,
            ),
            _("草案已保存"),
        )
        if version and version is not True:
            return redirect("elections:rule_version", version.id)
        return redirect("elections:rules", estate.id)
    versions = list(selectors.rule_versions(estate))
    documents = [
        {"kind": kind, "label": label, "versions": [v for v in versions if v.kind == kind]}
        for kind, label in DocumentKind.choices
    ]
    for doc in documents:
        doc["current"] = next((v for v in doc["versions"] if v.status == "in_force"), None)
    return render(
        request,
        "elections/rules.html",
        {"estate": estate, "documents": documents, "can_manage": can_manage, "kinds": DocumentKind.choices},
    )


@login_required
def rule_version(request, version_id: int):
    version = get_object_or_404(RuleVersion, pk=version_id)
    if not request.user.has_perm("elections.view_rules", version.estate):
        raise Http404
    can_manage = request.user.has_perm("elections.manage_rules", version.estate)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        field = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M"])
        try:
            opens_at, closes_at = field.clean(request.POST.get("opens_at")), field.clean(request.POST.get("closes_at"))
        except forms.ValidationError:
            messages.error(request, _("请填写投票开始和截止时间"))
            return redirect("elections:rule_version", version.id)
        vote = _try(
            request,
            lambda: services.rule_version_submit(
                version=version, opens_at=opens_at, closes_at=closes_at, acting_user=request.user
            ),
            _("已生成表决草稿"),
        )
        if vote and vote is not True:
            return redirect("elections:vote", vote.id)
        return redirect("elections:rule_version", version.id)
    return render(request, "elections/rule_version.html", {"version": version, "can_manage": can_manage})


# --- major decisions -----------------------------------------------------------------------


@login_required
def decisions(request, estate_id: int):
    estate = get_object_or_404(Place, pk=estate_id, kind=PlaceKind.ESTATE)
    if not request.user.has_perm("elections.view_decision", estate):
        raise Http404
    can_create = request.user.has_perm("elections.create_decision", estate)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        decision = _try(
            request,
            lambda: services.decision_create(
                estate=estate,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                acting_user=request.user,
            ),
        )
        if decision and decision is not True:
            return redirect("elections:decision", decision.id)
        return redirect("elections:decisions", estate.id)
    items = Decision.objects.filter(estate=estate).prefetch_related("steps")
    return render(
        request,
        "elections/decisions.html",
        {"estate": estate, "decisions": items, "can_create": can_create, "total_steps": len(DECISION_STEP_ORDER)},
    )


@login_required
def decision_detail(request, decision_id: int):
    decision = _get(request.user, Decision, decision_id, None)
    if request.method == "POST":
        if not request.user.has_perm("elections.record_decision_step", decision):
            raise PermissionDenied
        _try(
            request,
            lambda: services.decision_step_record(
                decision=decision,
                kind=request.POST.get("kind", ""),
                done_on=_date(request.POST.get("done_on"), timezone.localdate()),
                note=request.POST.get("note", ""),
                acting_user=request.user,
            ),
            _("步骤已登记"),
        )
        return redirect("elections:decision", decision.id)
    done = {s.kind: s for s in decision.steps.select_related("recorded_by")}
    steps = [{"kind": k, "label": DecisionStepKind(k).label, "step": done.get(k)} for k in DECISION_STEP_ORDER]
    next_kind = next((s["kind"] for s in steps if s["step"] is None), None)
    return render(
        request,
        "elections/decision_detail.html",
        {
            "decision": decision,
            "steps": steps,
            "next_kind": next_kind,
            "next_label": DecisionStepKind(next_kind).label if next_kind else "",
            "can_record": request.user.has_perm("elections.record_decision_step", decision),
            "today": timezone.localdate(),
        },
    )
