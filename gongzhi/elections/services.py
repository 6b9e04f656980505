"""Every write of owners' votes, committee elections, rule documents and major decisions.

Each top-level service is one transaction, takes ``acting_user``, checks permission through
``gongzhi.accounts.access``, validates, writes and records an audit row. A refused action raises
``DomainError`` with a message for the user and changes nothing. ``now``/``today`` parameters let a
caller state the moment an action happens (a teller entering yesterday's paper ballots, tests); the
pages never pass them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from decimal import Decimal

import chinese_calendar
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.accounts import services as people
from gongzhi.accounts.models import Appointment, Ownership, Person
from gongzhi.accounts.posts import Capability as C
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.elections import tally as law
from gongzhi.elections.models import (
    DECISION_STEP_ORDER,
    DOCUMENT_MATTER,
    Ballot,
    BallotKind,
    Candidate,
    CandidateStatus,
    Channel,
    ChecklistStep,
    Decision,
    DecisionStep,
    DecisionStepKind,
    DocumentKind,
    Election,
    ElectionStatus,
    Matter,
    NegativeListItem,
    NominationSource,
    Organizer,
    ReviewFinding,
    ReviewTask,
    RollEntry,
    RollFlat,
    RollMember,
    RuleVersion,
    TermWarning,
    VersionStatus,
    Vote,
    VoteAttachment,
    VoteStatus,
)
from gongzhi.elections.rulesets import rule_set
from gongzhi.orgs import services as orgs
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.places.models import DeliveryStatus, Flat, Place

GENESIS = "0" * 64


def _require(user, capability: str, obj, message=None) -> None:
    if not access.can(user, capability, obj):
        raise DomainError(message or _("您没有权限进行此操作"), status=403)


def _sha256_file(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The ``count``-th working day after ``day`` by the official calendar (holidays and adjusted
    workdays); plain weekdays outside the years the calendar knows."""
    current = day
    while count > 0:
        current += datetime.timedelta(days=1)
        try:
            working = chinese_calendar.is_workday(current)
        except NotImplementedError:
            working = current.weekday() < 5
        if working:
            count -= 1
    return current


# ============================================================================================
# Votes
# ============================================================================================


def _check_window(opens_at, closes_at) -> None:
    if opens_at is None or closes_at is None:
        raise DomainError(_("请填写投票开始和截止时间"))
    if closes_at <= opens_at:
        raise DomainError(_("投票截止时间必须晚于开始时间"))


@transaction.atomic
def vote_create(
    *,
    estate: Place,
    title: str,
    matter: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    acting_user,
    text: str = "",
    organizer: str = Organizer.COMMITTEE,
    allow_online: bool = True,
    allow_paper: bool = True,
    allow_proxy: bool = True,
    seats: int | None = None,
) -> Vote:
    """A draft vote. The committee opens votes of its estate; the community opens the first
    assembly's votes (there is no committee yet)."""
    if estate.kind != "estate":
        raise DomainError(_("表决只能在小区范围内发起"))
    if organizer == Organizer.COMMUNITY:
        _require(acting_user, C.ELECTION_MANAGE, estate, _("只有社区可以组织首次业主大会的表决"))
    else:
        _require(acting_user, C.VOTE_MANAGE, estate, _("只有本小区业委会可以发起业主表决"))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写表决事项"))
    if matter not in Matter.values:
        raise DomainError(_("请选择法定事项类别"))
    _check_window(opens_at, closes_at)
    if not (allow_online or allow_paper or allow_proxy):
        raise DomainError(_("请至少选择一种投票渠道"))
    if allow_online and not rule_set().online_voting:
        raise DomainError(_("本地规则不允许线上投票"))
    organization = None
    if organizer == Organizer.COMMITTEE:
        organization = Organization.objects.current().filter(kind=OrgKind.OWNERS_COMMITTEE, place=estate).first()
    vote = Vote.objects.create(
        estate=estate,
        title=title,
        matter=matter,
        text=text.strip(),
        organizer=organizer,
        organization=organization,
        opens_at=opens_at,
        closes_at=closes_at,
        allow_online=allow_online,
        allow_paper=allow_paper,
        allow_proxy=allow_proxy,
        seats=seats,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    _build_roll(vote)
    audit_record(acting_user=acting_user, action="vote.create", target=f"vote:{vote.id}", detail={"title": title})
    return vote


def _require_manager(user, vote: Vote) -> None:
    capability = C.ELECTION_MANAGE if vote.organizer == Organizer.COMMUNITY else C.VOTE_MANAGE
    if not (access.can(user, capability, vote.estate) or access.can(user, C.ELECTION_MANAGE, vote.estate)):
        raise DomainError(_("您没有权限管理这次表决"), status=403)


def _require_draft(vote: Vote) -> None:
    if vote.status != VoteStatus.DRAFT:
        raise DomainError(
            _("表决已于%(when)s开始，业主名册和表决内容已冻结，不能修改")
            % {
                "when": timezone.localtime(vote.roll_frozen_at).strftime("%Y-%m-%d %H:%M")
                if vote.roll_frozen_at
                else ""
            },
            status=409,
        )


@transaction.atomic
def vote_update(*, vote: Vote, acting_user, **fields) -> Vote:
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    _require_manager(acting_user, vote)
    _require_draft(vote)
    allowed = {"title", "text", "opens_at", "closes_at", "allow_online", "allow_paper", "allow_proxy"}
    for key, value in fields.items():
        if key not in allowed:
            raise DomainError(_("不能修改该项"))
        setattr(vote, key, value)
    _check_window(vote.opens_at, vote.closes_at)
    vote.save()
    return vote


@transaction.atomic
def vote_attach(*, vote: Vote, upload, acting_user, name: str = "") -> VoteAttachment:
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    _require_manager(acting_user, vote)
    _require_draft(vote)
    if upload is None or not upload.size:
        raise DomainError(_("请选择要上传的文件"))
    if upload.size > 20 * 1024 * 1024:
        raise DomainError(_("附件不能超过20MB"))
    attachment = VoteAttachment(vote=vote, name=(name or upload.name)[:200], sha256=_sha256_file(upload))
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


def flat_records(estate: Place) -> list[law.FlatRecord]:
    """The estate's exclusive parts with their current owners, as the law counts them."""
    today = timezone.localdate()
    flats = list(
        Flat.objects.filter(estate=estate, is_active=True).values_list(
            "id", "area_m2", "area_source", "delivery_status"
        )
    )
    owners: dict[int, set[int]] = defaultdict(set)
    current = Q(ends_on__isnull=True) | Q(ends_on__gt=today)
    started = Q(starts_on__isnull=True) | Q(starts_on__lte=today)
    for flat_id, person_id in Ownership.objects.filter(current, started, flat__estate=estate).values_list(
        "flat_id", "person_id"
    ):
        owners[flat_id].add(person_id)
    records = []
    for flat_id, area, source, delivery in flats:
        # Flat rows hold one area with the source it came from (art. 8 order applied when it was
        # entered); the roll keeps the source so tellers can see which it was.
        records.append(
            law.FlatRecord(
                flat_id=flat_id,
                area=law.exact(area),
                area_source=source,
                owner_ids=frozenset(owners.get(flat_id, ())),
                with_developer=delivery in (DeliveryStatus.UNSOLD, DeliveryStatus.SOLD_UNDELIVERED),
            )
        )
    return records


def roll_fingerprint(vote_id: int, estate_id: int, entries) -> str:
    """sha256 of the canonical roll: one line per owner (key, kind, area, flats), sorted by key."""
    lines = [f"vote:{vote_id}|estate:{estate_id}"]
    for key, kind, area, flat_ids in sorted(entries):
        lines.append(f"{key}|{kind}|{Decimal(area):.2f}|{','.join(str(i) for i in sorted(flat_ids))}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _build_roll(vote: Vote) -> None:
    """Build the (draft) roll from the flat and ownership records: owners as art. 9 counts them."""
    records = flat_records(vote.estate)
    if not records:
        raise DomainError(_("该小区还没有房屋数据，无法生成业主名册"))
    voters = law.build_roll(records)
    source_of = {r.flat_id: r.area_source for r in records}
    labels = {
        f.id: f"{f.building.name}{f.number}" for f in Flat.objects.filter(estate=vote.estate).select_related("building")
    }
    RollEntry.objects.bulk_create(
        [
            RollEntry(
                vote=vote,
                key=v.key,
                kind=v.kind,
                area=Decimal(v.area.numerator) / Decimal(v.area.denominator),
                flat_count=len(v.flat_ids),
                label="、".join(labels[i] for i in v.flat_ids[:6]) + ("…" if len(v.flat_ids) > 6 else ""),
            )
            for v in voters
        ],
        batch_size=1000,
    )
    by_key = dict(RollEntry.objects.filter(vote=vote).values_list("key", "id"))
    RollFlat.objects.bulk_create(
        [
            RollFlat(entry_id=by_key[v.key], flat_id=flat_id, area_source=source_of[flat_id])
            for v in voters
            for flat_id in v.flat_ids
        ],
        batch_size=2000,
    )
    RollMember.objects.bulk_create(
        [RollMember(entry_id=by_key[v.key], person_id=p, vote=vote) for v in voters for p in sorted(v.owner_ids)],
        batch_size=2000,
    )


def stored_roll_fingerprint(vote: Vote) -> str:
    """The fingerprint recomputed from the stored roll (to check it against the published one)."""
    flats: dict[int, list[int]] = defaultdict(list)
    for entry_id, flat_id in RollFlat.objects.filter(entry__vote=vote).values_list("entry_id", "flat_id"):
        flats[entry_id].append(flat_id)
    entries = [
        (key, kind, area, flats.get(entry_id, []))
        for entry_id, key, kind, area in RollEntry.objects.filter(vote=vote).values_list("id", "key", "kind", "area")
    ]
    return roll_fingerprint(vote.id, vote.estate_id, entries)


def _seal_roll(vote: Vote, now) -> None:
    rows = list(RollEntry.objects.filter(vote=vote).values_list("area", "flat_count"))
    if not rows:
        raise DomainError(_("业主名册为空，无法开始表决"))
    vote.total_area = sum((area for area, _count in rows), Decimal(0))
    vote.total_owners = len(rows)
    vote.total_flats = sum(count for _area, count in rows)
    vote.roll_fingerprint = stored_roll_fingerprint(vote)
    vote.roll_frozen_at = now


@transaction.atomic
def vote_roll_rebuild(*, vote: Vote, acting_user) -> Vote:
    """Rebuild the draft roll from the current flat and ownership records (after corrections).
    Refused once the vote has opened: the roll is frozen."""
    vote = Vote.objects.select_for_update().select_related("estate").get(pk=vote.pk)
    _require_manager(acting_user, vote)
    _require_draft(vote)
    RollMember.objects.filter(vote=vote).delete()
    RollFlat.objects.filter(entry__vote=vote).delete()
    RollEntry.objects.filter(vote=vote).delete()
    _build_roll(vote)
    audit_record(acting_user=acting_user, action="vote.roll_rebuild", target=f"vote:{vote.id}")
    return vote


@transaction.atomic
def roll_entry_correct_area(*, vote: Vote, entry: RollEntry, area, note: str, acting_user) -> RollEntry:
    """Correct one owner's area on the draft roll (SPC interpretation art. 8: e.g. a registration
    certificate turns up for a flat entered with its contract area). Refused once frozen."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    _require_manager(acting_user, vote)
    _require_draft(vote)
    if entry.vote_id != vote.id:
        raise DomainError(_("该业主不在本次表决的名册中"))
    try:
        area = Decimal(str(area)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise DomainError(_("面积格式不正确")) from None
    if area <= 0:
        raise DomainError(_("面积必须大于0"))
    if not (note or "").strip():
        raise DomainError(_("请说明面积更正的依据（登记、测绘或合同面积）"))
    before = entry.area
    entry.area = area
    entry.save(update_fields=["area"])
    audit_record(
        acting_user=acting_user,
        action="vote.roll_correct",
        target=f"vote:{vote.id}",
        detail={"entry": entry.key, "from": str(before), "to": str(area), "note": note.strip()},
    )
    return entry


@transaction.atomic
def vote_open(
    *, vote: Vote, acting_user, now: datetime.datetime | None = None, noticed_on: datetime.date | None = None
) -> Vote:
    """Open a vote: freeze and publish the roll with its denominators and fingerprint. The owners
    must have been told at least the rule set's notice period before voting starts (15 days
    nationally); ``noticed_on`` is when the assembly was announced (an election's opening day),
    today if not given."""
    now = now or timezone.now()
    vote = Vote.objects.select_for_update().select_related("estate").get(pk=vote.pk)
    _require_manager(acting_user, vote)
    _require_draft(vote)
    rules = rule_set()
    noticed_on = noticed_on or timezone.localdate(now)
    if vote.closes_at <= now:
        raise DomainError(_("投票截止时间已过，请修改投票时间"))
    first_day = timezone.localdate(vote.opens_at)
    if (first_day - noticed_on).days < rules.assembly_notice_days:
        raise DomainError(
            _("业主大会应当于投票开始%(days)d日前公告：最早可于%(date)s开始投票")
            % {
                "days": rules.assembly_notice_days,
                "date": noticed_on + datetime.timedelta(days=rules.assembly_notice_days),
            }
        )
    if not RollEntry.objects.filter(vote=vote).exists():
        _build_roll(vote)
    _seal_roll(vote, now)
    vote.status = VoteStatus.OPEN
    vote.save()
    audit_record(
        acting_user=acting_user,
        action="vote.open",
        target=f"vote:{vote.id}",
        detail={"fingerprint": vote.roll_fingerprint, "owners": vote.total_owners, "area": str(vote.total_area)},
    )
    vote_owners_notify(vote=vote, notice=NOTICE_OPENING, now=now)
    vote.refresh_from_db(fields=["opening_notified_at"])
    return vote


# --- Telling the owners ---------------------------------------------------------------------

NOTICE_OPENING = "opening"
NOTICE_RESULT = "result"
_NOTICE_MARKER = {NOTICE_OPENING: "opening_notified_at", NOTICE_RESULT: "result_notified_at"}
_NOTICE_STATUS = {NOTICE_OPENING: VoteStatus.OPEN, NOTICE_RESULT: VoteStatus.CLOSED}


def roll_users(vote: Vote):
    """The active logins of the owners on the frozen roll (one query; joint owners each get
    their own message). The person comes along for senders that need the phone number."""
    from gongzhi.accounts.models import User

    members = RollMember.objects.filter(vote_id=vote.pk).values("person_id")
    return User.objects.filter(is_active=True, person__in=members).select_related("person").order_by("id")


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _opening_message(vote: Vote) -> tuple[str, str]:
    window = {"opens": _local(vote.opens_at), "closes": _local(vote.closes_at)}
    if vote.is_election:
        title = _("%(estate)s业委会选举投票开始：%(title)s") % {"estate": vote.estate.name, "title": vote.title}
        body = _("选举业主委员会委员%(n)d名，投票时间%(opens)s至%(closes)s。") % {"n": vote.seats, **window}
    else:
        title = _("%(estate)s业主表决开始：%(title)s") % {"estate": vote.estate.name, "title": vote.title}
        body = _("投票时间%(opens)s至%(closes)s。") % window
    channels = [
        label
        for allowed, label in (
            (vote.allow_online, _("线上投票")),
            (vote.allow_paper, _("纸质票")),
            (vote.allow_proxy, _("书面委托他人投票")),
        )
        if allowed
    ]
    body += _("可通过%(channels)s参与；共有房屋的共有人按一人计算，由其中一人投票。") % {
        "channels": "、".join(str(c) for c in channels)
    }
    return title, body


def _result_message(vote: Vote) -> tuple[str, str]:
    result = vote.result or {}
    if vote.is_election:
        title = _("%(estate)s业委会选举结果：%(title)s") % {"estate": vote.estate.name, "title": vote.title}
        turnout = result.get("turnout", {})
        elected = set(result.get("elected", []))
        names = [
            c.person.name
            for c in Candidate.objects.filter(election__vote=vote, id__in=elected).select_related("person")
        ]
        body = (_("当选委员：%(names)s。") % {"names": "、".join(names)} if names else _("本次投票未选出委员。")) + _(
            "参与表决面积%(area)s，人数%(owners)s。"
        ) % {
            "area": turnout.get("participation_area", {}).get("percent", "—"),
            "owners": turnout.get("participation_owners", {}).get("percent", "—"),
        }
        if result.get("unfilled"):
            body += _("尚有%(n)d个名额未选出，需另行选举。") % {"n": result["unfilled"]}
        return title, body
    title = _("%(estate)s业主表决结果：%(title)s") % {"estate": vote.estate.name, "title": vote.title}
    body = (_("表决通过。") if vote.passed else _("表决未通过。")) + _(
        "参与表决面积%(area)s、人数%(owners)s；同意面积%(yes_area)s、人数%(yes_owners)s（占参与表决）。"
    ) % {
        "area": result.get("participation_area", {}).get("percent", "—"),
        "owners": result.get("participation_owners", {}).get("percent", "—"),
        "yes_area": result.get("consent_area", {}).get("percent", "—"),
        "yes_owners": result.get("consent_owners", {}).get("percent", "—"),
    }
    return title, body


@transaction.atomic
def vote_owners_notify(*, vote: Vote, notice: str, now: datetime.datetime | None = None) -> int:
    """Tell every owner on the frozen roll that voting has opened (``NOTICE_OPENING``) or what
    the result is (``NOTICE_RESULT``): the in-app inbox and every configured channel, through
    the outbox. Each owner is told once: the vote's marker is claimed by a conditional update in
    the same transaction as the messages, so a second call (a second click, the periodic job,
    two workers at once) writes nothing. Returns the number of owners told. A fixed number of
    queries whatever the number of owners."""
    from gongzhi.notifications.services import notification_send

    marker = _NOTICE_MARKER[notice]
    claimed = Vote.objects.filter(pk=vote.pk, status=_NOTICE_STATUS[notice], **{f"{marker}__isnull": True}).update(
        **{marker: now or timezone.now()}
    )
    if not claimed:
        return 0
    vote = Vote.objects.select_related("estate").get(pk=vote.pk)
    title, body = _opening_message(vote) if notice == NOTICE_OPENING else _result_message(vote)
    rows = notification_send(
        users=roll_users(vote),
        title=title,
        body=body,
        url=reverse("elections:vote", args=[vote.pk]),
        kind=f"vote_{notice}",
    )
    return len(rows)


def vote_notices_catch_up(now: datetime.datetime) -> int:
    """The periodic job: notices not yet sent (votes opened or closed before owners were told, or
    a notice whose transaction failed). Idempotent: a vote's notice goes out once."""
    told = 0
    for notice in (NOTICE_OPENING, NOTICE_RESULT):
        pending = Vote.objects.filter(
            status=_NOTICE_STATUS[notice], **{f"{_NOTICE_MARKER[notice]}__isnull": True}
        ).values_list("pk", flat=True)
        for vote_id in pending:
            told += vote_owners_notify(vote=Vote(pk=vote_id), notice=notice, now=now)
    return told


# --- Ballots -------------------------------------------------------------------------------


def ballot_digest(*, previous_hash: str, vote_id: int, sequence: int, entry_key: str, ballot: Ballot) -> str:
    payload = json.dumps(
        [
            previous_hash,
            vote_id,
            sequence,
            entry_key,
            ballot.kind,
            ballot.choice,
            sorted(int(c) for c in (ballot.selections or [])),
            ballot.channel,
            ballot.person_id,
            ballot.proxy_name,
            ballot.authorization_sha256,
            ballot.paper_serial,
            ballot.supersedes_id,
            ballot.cast_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def genesis_hash(vote: Vote) -> str:
    return hashlib.sha256(f"vote:{vote.id}:{vote.roll_fingerprint}".encode()).hexdigest()


def _append(vote: Vote, entry: RollEntry, ballot: Ballot, now) -> Ballot:
    """Append a ballot to the vote's chain. The caller holds the vote's row lock, so the chain
    does not fork; the unique constraints make the database refuse a fork anyway."""
    last = Ballot.objects.filter(vote=vote).order_by("-sequence").values_list("sequence", "hash").first()
    sequence, previous = (last[0] + 1, last[1]) if last else (1, genesis_hash(vote))
    current = Ballot.objects.filter(vote=vote, entry=entry, superseded_by__isnull=True).first()
    ballot.vote = vote
    ballot.entry = entry
    ballot.sequence = sequence
    ballot.supersedes = current
    ballot.cast_at = now
    ballot.previous_hash = previous
    ballot.hash = ballot_digest(
        previous_hash=previous, vote_id=vote.id, sequence=sequence, entry_key=entry.key, ballot=ballot
    )
    try:
        with transaction.atomic():
            ballot.save(force_insert=True)
    except IntegrityError:
        raise DomainError(_("同一业主的另一张选票正在提交，请刷新后查看您的投票"), status=409) from None
    vote.live = live_totals_apply(vote.live, entry.area, current, ballot)
    Vote.objects.filter(pk=vote.pk).update(live=vote.live)
    return ballot


def live_totals_apply(live: dict, area: Decimal, old: Ballot | None, new: Ballot) -> dict:
    """The running totals after ``new`` replaces ``old`` as an owner's counted ballot."""
    live = {
        "yes": list(live.get("yes", [0, 0])),
        "no": list(live.get("no", [0, 0])),
        "abstain": list(live.get("abstain", [0, 0])),
        "all": list(live.get("all", [0, 0])),
        "candidates": {k: list(v) for k, v in live.get("candidates", {}).items()},
    }
    hundredths = int(Decimal(area).scaleb(2).to_integral_value())

    def add(ballot: Ballot, sign: int) -> None:
        if ballot is None or ballot.kind != BallotKind.CAST:
            return
        live["all"][0] += sign * hundredths
        live["all"][1] += sign
        if ballot.choice:
            live[ballot.choice][0] += sign * hundredths
            live[ballot.choice][1] += sign
        for candidate in ballot.selections or []:
            bucket = live["candidates"].setdefault(str(candidate), [0, 0])
            bucket[0] += sign * hundredths
            bucket[1] += sign

    add(old, -1)
    add(new, +1)
    return live


def _validate_content(vote: Vote, choice: str, selections) -> tuple[str, list[int]]:
    if vote.is_election:
        chosen = sorted({int(c) for c in (selections or [])})
        if len(chosen) > (vote.seats or 0):
            raise DomainError(_("最多可选%(n)d人") % {"n": vote.seats})
        valid = set(
            Candidate.objects.filter(election__vote=vote, status=CandidateStatus.QUALIFIED).values_list("id", flat=True)
        )
        if set(chosen) - valid:
            raise DomainError(_("所选人选不在候选人名单中"))
        return "", chosen
    if choice not in law.CHOICES:
        raise DomainError(_("请选择同意、反对或弃权"))
    return choice, []


def _lock_open_vote(vote: Vote) -> Vote:
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.status == VoteStatus.DRAFT:
        raise DomainError(_("表决尚未开始"), status=409)
    if vote.status != VoteStatus.OPEN:
        raise DomainError(_("表决已结束，不能再投票"), status=409)
    return vote


def entries_of(vote: Vote, person: Person):
    return RollEntry.objects.filter(vote=vote, rollmember__person=person).order_by("key")


@transaction.atomic
def ballot_cast(
    *,
    vote: Vote,
    acting_user,
    choice: str = "",
    selections=None,
    entry: RollEntry | None = None,
    now: datetime.datetime | None = None,
) -> Ballot:
    """An owner votes online (or changes their vote) within the window. Joint owners are one
    owner: once one of them has voted, the others cannot vote over them."""
    now = now or timezone.now()
    vote = _lock_open_vote(vote)
    if not vote.allow_online:
        raise DomainError(_("本次表决不接受线上投票，请使用纸质票"))
    if now < vote.opens_at:
        raise DomainError(
            _("投票尚未开始，开始时间：%(t)s") % {"t": timezone.localtime(vote.opens_at).strftime("%Y-%m-%d %H:%M")},
            status=409,
        )
    if now >= vote.closes_at:
        raise DomainError(
            _("投票已于%(t)s截止") % {"t": timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")}, status=409
        )
    person = getattr(acting_user, "person", None) if getattr(acting_user, "is_authenticated", False) else None
    entries = list(entries_of(vote, person)) if person else []
    if not entries:
        raise DomainError(_("您不在本次表决的业主名册中（名册按投票开始时的产权登记冻结）"), status=403)
    if entry is None:
        if len(entries) > 1:
            raise DomainError(_("您在名册中有多个表决权（如单独所有和与他人共有的房屋），请选择以哪一份投票"))
        entry = entries[0]
    elif entry.id not in {e.id for e in entries}:
        raise DomainError(_("您不是这份表决权的业主"), status=403)
    choice, chosen = _validate_content(vote, choice, selections)
    current = Ballot.objects.filter(vote=vote, entry=entry, superseded_by__isnull=True).select_related("person").first()
    if current is not None and current.person_id and current.person_id != person.id:
        raise DomainError(
            _("该房屋已由共有人%(name)s投票，共有人按一人计算，只能投一次") % {"name": current.person.name}, status=409
        )
    ballot = _append(
        vote,
        entry,
        Ballot(kind=BallotKind.CAST, choice=choice, selections=chosen, channel=Channel.ONLINE, person=person),
        now,
    )
    audit_record(
        acting_user=acting_user, action="ballot.cast", target=f"vote:{vote.id}", detail={"sequence": ballot.sequence}
    )
    return ballot


def _teller_entry_checks(vote: Vote, acting_user, entry: RollEntry, now) -> None:
    if not access.can(acting_user, C.TELLER, vote.estate):
        raise DomainError(_("只有计票人可以录入纸质票和委托票"), status=403)
    if entry.vote_id != vote.id:
        raise DomainError(_("该业主不在本次表决的名册中"))
    if now < vote.opens_at:
        raise DomainError(_("投票尚未开始，不能录入选票"), status=409)


@transaction.atomic
def paper_ballot_enter(
    *,
    vote: Vote,
    entry: RollEntry,
    acting_user,
    serial: str,
    choice: str = "",
    selections=None,
    person: Person | None = None,
    now: datetime.datetime | None = None,
) -> Ballot:
    """A teller enters a paper ballot. Paper ballots handed in by the deadline may be entered until
    the vote is closed."""
    now = now or timezone.now()
    vote = _lock_open_vote(vote)
    if not vote.allow_paper:
        raise DomainError(_("本次表决不接受纸质票"))
    _teller_entry_checks(vote, acting_user, entry, now)
    serial = (serial or "").strip()
    if not serial:
        raise DomainError(_("请填写纸质票编号"))
    if Ballot.objects.filter(vote=vote, paper_serial=serial).exists():
        raise DomainError(_("纸质票编号%(s)s已录入过") % {"s": serial}, status=409)
    if person is not None and not RollMember.objects.filter(entry=entry, person=person).exists():
        raise DomainError(_("签名人不是该房屋的业主"))
    choice, chosen = _validate_content(vote, choice, selections)
    ballot = _append(
        vote,
        entry,
        Ballot(
            kind=BallotKind.CAST,
            choice=choice,
            selections=chosen,
            channel=Channel.PAPER,
            person=person,
            paper_serial=serial,
            entered_by=acting_user,
        ),
        now,
    )
    audit_record(acting_user=acting_user, action="ballot.paper", target=f"vote:{vote.id}", detail={"serial": serial})
    return ballot


@transaction.atomic
def proxy_ballot_enter(
    *,
    vote: Vote,
    entry: RollEntry,
    acting_user,
    proxy_name: str,
    authorization,
    choice: str = "",
    selections=None,
    now: datetime.datetime | None = None,
) -> Ballot:
    """A teller enters a vote cast by a proxy. A written authorization signed by the owner is
    required and kept with its sha256 in the ballot's hash."""
    now = now or timezone.now()
    vote = _lock_open_vote(vote)
    if not vote.allow_proxy:
        raise DomainError(_("本次表决不接受委托投票"))
    _teller_entry_checks(vote, acting_user, entry, now)
    proxy_name = (proxy_name or "").strip()
    if not proxy_name:
        raise DomainError(_("请填写受托人姓名"))
    if authorization is None or not getattr(authorization, "size", 0):
        raise DomainError(_("委托投票须上传业主签署的书面授权委托书"))
    choice, chosen = _validate_content(vote, choice, selections)
    ballot = Ballot(
        kind=BallotKind.CAST,
        choice=choice,
        selections=chosen,
        channel=Channel.PROXY,
        proxy_name=proxy_name,
        authorization_sha256=_sha256_file(authorization),
        entered_by=acting_user,
    )
    ballot.authorization.save(authorization.name, authorization, save=False)
    ballot = _append(vote, entry, ballot, now)
    audit_record(acting_user=acting_user, action="ballot.proxy", target=f"vote:{vote.id}", detail={"proxy": proxy_name})
    return ballot


@transaction.atomic
def ballot_void(*, vote: Vote, entry: RollEntry, acting_user, reason: str, now=None) -> Ballot:
    """A teller voids an owner's current ballot (e.g. a spoiled paper ballot). The void is a new
    row; the owner may vote again while the window is open."""
    now = now or timezone.now()
    vote = _lock_open_vote(vote)
    _teller_entry_checks(vote, acting_user, entry, now)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请说明作废原因"))
    current = Ballot.objects.filter(vote=vote, entry=entry, superseded_by__isnull=True).first()
    if current is None or current.kind == BallotKind.VOID:
        raise DomainError(_("该业主没有可作废的选票"), status=409)
    ballot = _append(
        vote,
        entry,
        Ballot(kind=BallotKind.VOID, channel=current.channel, note=reason[:200], entered_by=acting_user),
        now,
    )
    audit_record(acting_user=acting_user, action="ballot.void", target=f"vote:{vote.id}", detail={"reason": reason})
    return ballot


@transaction.atomic
def vote_close(*, vote: Vote, acting_user, note: str = "", now: datetime.datetime | None = None) -> Vote:
    """Close the vote and record its result. Closing before the window ends needs a reason."""
    from gongzhi.elections import selectors

    now = now or timezone.now()
    vote = Vote.objects.select_for_update().select_related("estate").get(pk=vote.pk)
    _require_manager(acting_user, vote)
    if vote.status != VoteStatus.OPEN:
        raise DomainError(_("只有表决中的表决可以截止"), status=409)
    note = (note or "").strip()
    if now < vote.opens_at:
        raise DomainError(_("投票尚未开始，不能截止"), status=409)
    if now < vote.closes_at and not note:
        raise DomainError(_("投票窗口尚未结束，提前截止须说明理由"))
    result = selectors.vote_recount(vote)
    vote.result = result.as_dict()
    vote.passed = bool(result.passed) if not vote.is_election else bool(result.elected_ids)
    vote.status = VoteStatus.CLOSED
    vote.closed_at = now
    vote.close_note = note[:200]
    vote.save()
    audit_record(
        acting_user=acting_user,
        action="vote.close",
        target=f"vote:{vote.id}",
        detail={"passed": vote.passed, "note": note},
    )
    if hasattr(vote, "rule_version"):
        _rule_version_apply(vote.rule_version, vote, now)
    try:
        election = vote.election
    except Election.DoesNotExist:
        election = None
    if election is not None:
        _election_apply_result(election, vote, result, acting_user, now)
    vote_owners_notify(vote=vote, notice=NOTICE_RESULT, now=now)
    vote.refresh_from_db(fields=["result_notified_at"])
    return vote


# ============================================================================================
# Elections
# ============================================================================================


TIMETABLE_STEPS = {
    "announce",
    "nominations_close",
    "review_done",
    "notice_start",
    "notice_end",
    "vote_open",
    "vote_close",
    "result_notice",
    "first_meeting",
    "filing",
}


def _mark_step(election: Election, key: str, on: datetime.date) -> None:
    ChecklistStep.objects.filter(election=election, key=key, done_on__isnull=True).update(done_on=on)


@transaction.atomic
def election_open(
    *,
    estate: Place,
    title: str,
    seats: int,
    acting_user,
    opened_on: datetime.date | None = None,
    first_assembly: bool = False,
    rule_set_key: str | None = None,
) -> Election:
    """The community opens an owners' committee election and plans the formation timetable."""
    _require(acting_user, C.ELECTION_MANAGE, estate, _("只有社区（街道）可以启动业委会选举"))
    if estate.kind != "estate":
        raise DomainError(_("业委会选举只能在小区范围内启动"))
    rules = rule_set(rule_set_key)
    try:
        seats = int(seats)
    except (TypeError, ValueError):
        raise DomainError(_("请填写委员名额")) from None
    if not rules.seats_valid(seats):
        raise DomainError(
            _("业委会委员应为%(min)d至%(max)d人的单数") % {"min": rules.committee_min, "max": rules.committee_max}
        )
    if (
        Election.objects.filter(estate=estate)
        .exclude(status__in=[ElectionStatus.FILED, ElectionStatus.CANCELLED])
        .exists()
    ):
        raise DomainError(_("该小区已有进行中的业委会选举"), status=409)
    title = (title or "").strip() or _("%(estate)s业主委员会选举") % {"estate": estate.name}
    opened_on = opened_on or timezone.localdate()
    offsets = dict(rules.timetable)
    election = Election.objects.create(
        estate=estate,
        title=title,
        seats=seats,
        rule_set=rules.key,
        first_assembly=first_assembly,
        opened_on=opened_on,
        nominations_close_on=opened_on + datetime.timedelta(days=offsets.get("nominations_close", 7)),
        created_by=acting_user,
    )
    ChecklistStep.objects.bulk_create(
        [
            ChecklistStep(election=election, key=key, planned_on=opened_on + datetime.timedelta(days=days), order=i)
            for i, (key, days) in enumerate(rules.timetable)
        ]
    )
    _mark_step(election, "announce", opened_on)
    audit_record(
        acting_user=acting_user, action="election.open", target=f"election:{election.id}", detail={"seats": seats}
    )
    return election


def _owns_in(person: Person, estate: Place, on: datetime.date) -> bool:
    return (
        Ownership.objects.filter(person=person, flat__estate=estate)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))
        .exists()
    )


@transaction.atomic
def candidate_nominate(
    *,
    election: Election,
    person: Person,
    source: str,
    acting_user,
    nominated_by: str = "",
    statement: str = "",
    today: datetime.date | None = None,
) -> Candidate:
    """A nomination from one of the three sources of seed 002. Owners nominate themselves; the
    community enters party and owners' representatives' nominations."""
    today = today or timezone.localdate()
    election = Election.objects.select_for_update().get(pk=election.pk)
    if source not in NominationSource.values:
        raise DomainError(_("请选择提名方式"))
    self_nomination = getattr(acting_user, "person", None) == person and source == NominationSource.SELF
    if not self_nomination:
        _require(acting_user, C.ELECTION_MANAGE, election.estate, _("只能自荐，其他提名由社区录入"))
    if election.status != ElectionStatus.NOMINATING:
        raise DomainError(_("提名阶段已结束"), status=409)
    if today > election.nominations_close_on:
        raise DomainError(_("提名已于%(d)s截止") % {"d": election.nominations_close_on}, status=409)
    if not _owns_in(person, election.estate, today):
        raise DomainError(_("%(name)s不是本小区业主，不能被提名为业委会委员") % {"name": person.name})
    if source != NominationSource.SELF and not (nominated_by or "").strip():
        raise DomainError(_("请填写推荐组织或联名推荐的业主代表"))
    if Candidate.objects.filter(election=election, person=person).exists():
        raise DomainError(_("%(name)s已在人选名单中") % {"name": person.name}, status=409)
    candidate = Candidate.objects.create(
        election=election,
        person=person,
        source=source,
        nominated_by=(nominated_by or "").strip()[:200],
        statement=(statement or "").strip(),
    )
    audit_record(
        acting_user=acting_user,
        action="candidate.nominate",
        target=f"election:{election.id}",
        detail={"person": person.id, "source": source},
    )
    return candidate


@transaction.atomic
def candidate_interview(*, candidate: Candidate, on: datetime.date, acting_user) -> Candidate:
    _require(acting_user, C.ELECTION_MANAGE, candidate.election.estate)
    candidate.interviewed_on = on
    candidate.save(update_fields=["interviewed_on"])
    return candidate


@transaction.atomic
def candidate_withdraw(*, candidate: Candidate, acting_user) -> Candidate:
    election = candidate.election
    if getattr(acting_user, "person", None) != candidate.person:
        _require(acting_user, C.ELECTION_MANAGE, election.estate)
    if election.status in (ElectionStatus.VOTING, ElectionStatus.ELECTED, ElectionStatus.FORMED, ElectionStatus.FILED):
        raise DomainError(_("选举投票已开始，不能退出"), status=409)
    candidate.status = CandidateStatus.WITHDRAWN
    candidate.save(update_fields=["status"])
    return candidate


@transaction.atomic
def election_start_review(
    *, election: Election, departments: list[Organization], acting_user, today: datetime.date | None = None
) -> list[ReviewTask]:
    """Close nominations and send each candidate to every reviewing department, each with a
    deadline in working days (seed 002: within one working day)."""
    today = today or timezone.localdate()
    election = Election.objects.select_for_update().get(pk=election.pk)
    _require(acting_user, C.ELECTION_MANAGE, election.estate)
    if election.status != ElectionStatus.NOMINATING:
        raise DomainError(_("只有提名阶段可以提交资格审查"), status=409)
    if not departments:
        raise DomainError(_("请选择参与联审的部门"))
    if any(d.kind != OrgKind.DEPARTMENT for d in departments):
        raise DomainError(_("只有职能部门可以参与资格审查"))
    candidates = list(election.candidates.filter(status=CandidateStatus.NOMINATED))
    if not candidates:
        raise DomainError(_("还没有人选，不能提交审查"))
    due_on = add_working_days(today, rule_set(election.rule_set).review_working_days)
    tasks = [ReviewTask(candidate=c, department=d, due_on=due_on) for c in candidates for d in departments]
    ReviewTask.objects.bulk_create(tasks)
    Candidate.objects.filter(id__in=[c.id for c in candidates]).update(status=CandidateStatus.UNDER_REVIEW)
    election.status = ElectionStatus.REVIEWING
    election.save(update_fields=["status"])
    _mark_step(election, "nominations_close", today)
    audit_record(
        acting_user=acting_user,
        action="election.review",
        target=f"election:{election.id}",
        detail={"departments": [d.id for d in departments]},
    )
    return list(ReviewTask.objects.filter(candidate__election=election))


def may_review(user, task: ReviewTask) -> bool:
    return task.department_id in access.organization_ids(user) or access.can(
        user, C.ELECTION_MANAGE, task.candidate.election.estate
    )


@transaction.atomic
def review_record(
    *,
    task: ReviewTask,
    finding: str,
    acting_user,
    hits: list[NegativeListItem] | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> ReviewTask:
    today = today or timezone.localdate()
    task = ReviewTask.objects.select_for_update().select_related("candidate__election__estate").get(pk=task.pk)
    if not may_review(acting_user, task):
        raise DomainError(_("只有承担审查任务的部门可以填写审查结论"), status=403)
    if task.candidate.election.status != ElectionStatus.REVIEWING:
        raise DomainError(_("资格审查阶段已结束"), status=409)
    if finding not in (ReviewFinding.PASSED, ReviewFinding.FAILED):
        raise DomainError(_("请选择审查结论"))
    hits = hits or []
    if finding == ReviewFinding.FAILED and not hits:
        raise DomainError(_("审查不通过须勾选触及的负面清单条目"))
    if finding == ReviewFinding.PASSED and hits:
        raise DomainError(_("触及负面清单的人选不能审查通过"))
    task.finding = finding
    task.note = (note or "").strip()[:300]
    task.reviewed_by = acting_user
    task.reviewed_on = today
    task.save()
    task.hits.set(hits)
    candidate = task.candidate
    findings = set(candidate.reviews.values_list("finding", flat=True))
    if ReviewFinding.FAILED in findings:
        candidate.status = CandidateStatus.DISQUALIFIED
    elif findings == {ReviewFinding.PASSED}:
        candidate.status = CandidateStatus.QUALIFIED
    candidate.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user, action="review.record", target=f"candidate:{candidate.id}", detail={"finding": finding}
    )
    return task


@transaction.atomic
def election_start_notice(*, election: Election, acting_user, starts_on: datetime.date | None = None) -> Election:
    """Publish the candidate list for the rule set's notice period."""
    starts_on = starts_on or timezone.localdate()
    election = Election.objects.select_for_update().get(pk=election.pk)
    _require(acting_user, C.ELECTION_MANAGE, election.estate)
    if election.status != ElectionStatus.REVIEWING:
        raise DomainError(_("资格审查完成后才能公示候选人"), status=409)
    pending = ReviewTask.objects.filter(candidate__election=election, finding=ReviewFinding.PENDING).count()
    if pending:
        raise DomainError(_("还有%(n)d项审查任务未完成") % {"n": pending}, status=409)
    qualified = election.candidates.filter(status=CandidateStatus.QUALIFIED).count()
    if qualified < election.seats:
        raise DomainError(
            _("审查通过的候选人（%(q)d人）少于委员名额（%(s)d人），请补充提名后再审查")
            % {"q": qualified, "s": election.seats}
        )
    rules = rule_set(election.rule_set)
    election.notice_starts_on = starts_on
    election.notice_ends_on = starts_on + datetime.timedelta(days=rules.candidate_notice_days - 1)
    election.status = ElectionStatus.NOTICE
    election.save()
    _mark_step(election, "review_done", starts_on)
    _mark_step(election, "notice_start", starts_on)
    audit_record(acting_user=acting_user, action="election.notice", target=f"election:{election.id}")
    return election


@transaction.atomic
def election_start_vote(
    *,
    election: Election,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    acting_user,
    now: datetime.datetime | None = None,
) -> Vote:
    """After the notice period, the owners elect the committee: a vote of the committee-election
    kind with one ballot choosing up to N of the qualified candidates. The assembly was announced
    when the election opened."""
    now = now or timezone.now()
    election = Election.objects.select_for_update().select_related("estate").get(pk=election.pk)
    _require(acting_user, C.ELECTION_MANAGE, election.estate)
    if election.status != ElectionStatus.NOTICE:
        raise DomainError(_("候选人公示后才能开始选举投票"), status=409)
    if timezone.localdate(now) <= election.notice_ends_on:
        raise DomainError(_("候选人公示期至%(d)s结束，公示期满后才能投票") % {"d": election.notice_ends_on}, status=409)
    vote = vote_create(
        estate=election.estate,
        title=election.title,
        matter=Matter.COMMITTEE_ELECTION,
        opens_at=opens_at,
        closes_at=closes_at,
        acting_user=acting_user,
        text=_("选举业主委员会委员%(n)d名。每名当选委员须经参与表决专有部分面积过半数且参与表决人数过半数的业主同意。")
        % {"n": election.seats},
        organizer=Organizer.COMMUNITY if election.first_assembly else Organizer.COMMITTEE,
        seats=election.seats,
    )
    vote = vote_open(vote=vote, acting_user=acting_user, now=now, noticed_on=election.opened_on)
    election.vote = vote
    election.status = ElectionStatus.VOTING
    election.save(update_fields=["vote", "status"])
    _mark_step(election, "notice_end", election.notice_ends_on)
    _mark_step(election, "vote_open", timezone.localdate(opens_at))
    return vote


def _committee_of(estate: Place, acting_user) -> Organization:
    committee = Organization.objects.current().filter(kind=OrgKind.OWNERS_COMMITTEE, place=estate).first()
    if committee is None:
        committee = orgs.organization_create(
            kind=OrgKind.OWNERS_COMMITTEE, name=_("%(estate)s业主委员会") % {"estate": estate.name}, place=estate
        )
    return committee


COMMITTEE_POSTS = ("committee_chair", "committee_vice_chair", "committee_member")


def _election_apply_result(election: Election, vote: Vote, result, acting_user, now) -> None:
    """Elected members become committee members from the day the vote closed; the previous term's
    appointments end that day. Unfilled seats stay open and are shown."""
    on = timezone.localdate(now)
    rules = rule_set(election.rule_set)
    _mark_step(election, "vote_close", on)
    election.elected_on = on
    if not result.elected_ids:
        election.status = ElectionStatus.ELECTED
        election.save()
        return
    committee = _committee_of(election.estate, acting_user)
    for appointment in Appointment.objects.current(on).filter(organization=committee, post__in=COMMITTEE_POSTS):
        if appointment.starts_on < on:
            people.appointment_end(appointment=appointment, ends_on=on)
    try:
        term_end = on.replace(year=on.year + rules.term_years_max)
    except ValueError:  # 29 February
        term_end = on.replace(year=on.year + rules.term_years_max, day=28)
    by_id = {c.id: c for c in election.candidates.select_related("person")}
    for candidate_id in result.elected_ids:
        people.appointment_create(
            person=by_id[candidate_id].person,
            post="committee_member",
            organization=committee,
            starts_on=on,
            ends_on=term_end,
            note=election.title[:200],
        )
    election.committee = committee
    election.term_starts_on = on
    election.term_ends_on = term_end
    election.filing_due_on = on + datetime.timedelta(days=rules.filing_days)
    election.status = ElectionStatus.ELECTED
    election.save()


@transaction.atomic
def committee_first_meeting(
    *, election: Election, held_on: datetime.date, chair: Person, acting_user, vice_chairs: list[Person] | None = None
) -> Election:
    """The elected members choose the chair and vice-chair(s) at their first meeting."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    if not (
        access.can(acting_user, C.ELECTION_MANAGE, election.estate)
        or access.can(acting_user, C.VOTE_MANAGE, election.estate)
    ):
        raise DomainError(_("您没有权限登记首次会议"), status=403)
    if election.status != ElectionStatus.ELECTED or election.committee_id is None:
        raise DomainError(_("选出委员后才能登记首次会议"), status=409)
    if held_on < election.elected_on:
        raise DomainError(_("首次会议不能早于选举日期"))
    members = set(
        Appointment.objects.filter(
            organization=election.committee, post="committee_member", starts_on=election.term_starts_on
        ).values_list("person_id", flat=True)
    )
    vice_chairs = vice_chairs or []
    if chair.id not in members or any(v.id not in members for v in vice_chairs):
        raise DomainError(_("主任、副主任须从本届当选委员中推选"))
    if chair in vice_chairs:
        raise DomainError(_("主任不能同时担任副主任"))
    people.appointment_create(
        person=chair,
        post="committee_chair",
        organization=election.committee,
        starts_on=held_on,
        ends_on=election.term_ends_on,
    )
    for vice in vice_chairs:
        people.appointment_create(
            person=vice,
            post="committee_vice_chair",
            organization=election.committee,
            starts_on=held_on,
            ends_on=election.term_ends_on,
        )
    election.first_meeting_on = held_on
    election.status = ElectionStatus.FORMED
    election.save()
    _mark_step(election, "first_meeting", held_on)
    _mark_step(election, "result_notice", election.elected_on)
    audit_record(
        acting_user=acting_user,
        action="election.first_meeting",
        target=f"election:{election.id}",
        detail={"chair": chair.id},
    )
    return election


@transaction.atomic
def election_file(*, election: Election, filed_on: datetime.date, reference: str, acting_user) -> Election:
    """Filing with the subdistrict (within 30 days of the election nationally). A late filing is
    accepted and shown as late."""
    election = Election.objects.select_for_update().get(pk=election.pk)
    _require(acting_user, C.ELECTION_MANAGE, election.estate, _("只有街道、社区可以登记备案"))
    if election.status != ElectionStatus.FORMED:
        raise DomainError(_("推选主任后才能备案"), status=409)
    if filed_on < election.elected_on:
        raise DomainError(_("备案日期不能早于选举日期"))
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("请填写备案文号"))
    election.filed_on = filed_on
    election.filing_reference = reference[:100]
    election.status = ElectionStatus.FILED
    election.save()
    _mark_step(election, "filing", filed_on)
    audit_record(acting_user=acting_user, action="election.file", target=f"election:{election.id}")
    return election


@transaction.atomic
def checklist_step_done(*, step: ChecklistStep, done_on: datetime.date, acting_user) -> ChecklistStep:
    _require(acting_user, C.ELECTION_MANAGE, step.election.estate)
    if step.done_on:
        raise DomainError(_("该步骤已完成"), status=409)
    step.done_on = done_on
    step.save(update_fields=["done_on"])
    return step


def term_warnings_raise(now: datetime.datetime) -> int:
    """Raise a warning at each of the rule set's months-ahead thresholds before a term ends."""
    today = timezone.localdate(now)
    created = 0
    for election in Election.objects.filter(term_ends_on__gt=today).exclude(status=ElectionStatus.CANCELLED):
        rules = rule_set(election.rule_set)
        for months in rules.term_warning_months:
            if today >= months_before(election.term_ends_on, months):
                _, made = TermWarning.objects.get_or_create(
                    election=election, months_ahead=months, term_ends_on=election.term_ends_on
                )
                created += int(made)
    return created


def months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


# ============================================================================================
# Estate rules as versioned documents
# ============================================================================================


@transaction.atomic
def rule_version_draft(*, estate: Place, kind: str, text: str, acting_user, summary: str = "") -> RuleVersion:
    if kind not in DocumentKind.values:
        raise DomainError(_("请选择文件类别"))
    if not (access.can(acting_user, C.VOTE_MANAGE, estate) or access.can(acting_user, C.ELECTION_MANAGE, estate)):
        raise DomainError(_("只有业委会或社区可以起草规约"), status=403)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写正文"))
    last = RuleVersion.objects.select_for_update().filter(estate=estate, kind=kind).order_by("-number").first()
    version = RuleVersion.objects.create(
        estate=estate,
        kind=kind,
        number=(last.number + 1 if last else 1),
        text=text,
        summary=summary.strip()[:300],
        created_by=acting_user,
    )
    audit_record(acting_user=acting_user, action="rules.draft", target=f"rule_version:{version.id}")
    return version


@transaction.atomic
def rule_version_submit(
    *, version: RuleVersion, opens_at, closes_at, acting_user, organizer: str = Organizer.COMMITTEE
) -> Vote:
    """Put a draft to the owners: a vote of the matter its document needs (art. 278 items 1, 2,
    or 9 for the residents' convention)."""
    version = RuleVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise DomainError(_("只有草案可以提交表决"), status=409)
    vote = vote_create(
        estate=version.estate,
        title=_("表决通过%(doc)s（第%(n)d版）") % {"doc": version.get_kind_display(), "n": version.number},
        matter=DOCUMENT_MATTER[DocumentKind(version.kind)],
        opens_at=opens_at,
        closes_at=closes_at,
        acting_user=acting_user,
        text=version.text,
        organizer=organizer,
    )
    version.vote = vote
    version.status = VersionStatus.IN_VOTE
    version.save(update_fields=["vote", "status"])
    return vote


def _rule_version_apply(version: RuleVersion, vote: Vote, now) -> None:
    if version.status != VersionStatus.IN_VOTE:
        return
    if vote.passed and vote.matter == DOCUMENT_MATTER[DocumentKind(version.kind)]:
        RuleVersion.objects.filter(estate=version.estate, kind=version.kind, status=VersionStatus.IN_FORCE).update(
            status=VersionStatus.SUPERSEDED
        )
        version.status = VersionStatus.IN_FORCE
        version.effective_on = timezone.localdate(now)
    else:
        version.status = VersionStatus.REJECTED
    version.save(update_fields=["status", "effective_on"])


# ============================================================================================
# 三审两公开一备案
# ============================================================================================

# Who records each step: the committee its own review and the disclosures, the branch its review,
# the community its review and the filing.
STEP_CAPABILITY = {
    DecisionStepKind.COMMITTEE_REVIEW: C.VOTE_MANAGE,
    DecisionStepKind.BRANCH_REVIEW: C.MEETING_MANAGE,
    DecisionStepKind.COMMUNITY_REVIEW: C.ELECTION_MANAGE,
    DecisionStepKind.NOTICE_BEFORE: C.VOTE_MANAGE,
    DecisionStepKind.NOTICE_AFTER: C.VOTE_MANAGE,
    DecisionStepKind.FILING: C.ELECTION_MANAGE,
}


@transaction.atomic
def decision_create(*, estate: Place, title: str, acting_user, description: str = "") -> Decision:
    _require(acting_user, C.VOTE_MANAGE, estate, _("只有业委会可以登记重大事项"))
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写重大事项名称"))
    decision = Decision.objects.create(
        estate=estate, title=title, description=description.strip(), created_by=acting_user
    )
    audit_record(acting_user=acting_user, action="decision.create", target=f"decision:{decision.id}")
    return decision


@transaction.atomic
def decision_step_record(
    *, decision: Decision, kind: str, done_on: datetime.date, acting_user, note: str = ""
) -> DecisionStep:
    """Record one of 三审两公开一备案, in order, each on or after the previous step's date."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if kind not in DecisionStepKind.values:
        raise DomainError(_("未知的步骤"))
    kind = DecisionStepKind(kind)
    if kind == DecisionStepKind.BRANCH_REVIEW:
        # The estate's party branch reviews: a secretary or member of a branch covering the estate.
        allowed = access.can(acting_user, C.VIEW_INTERNAL, decision.estate) and bool(
            access.posts_of(acting_user) & {"branch_secretary", "branch_member"}
        )
    else:
        allowed = access.can(acting_user, STEP_CAPABILITY[kind], decision.estate)
    if not allowed:
        raise DomainError(_("您不能登记“%(step)s”") % {"step": kind.label}, status=403)
    done = {s.kind: s for s in decision.steps.all()}
    if kind in done:
        raise DomainError(_("“%(step)s”已登记") % {"step": kind.label}, status=409)
    position = DECISION_STEP_ORDER.index(kind)
    for earlier in DECISION_STEP_ORDER[:position]:
        if earlier not in done:
            raise DomainError(_("请先完成“%(step)s”") % {"step": DecisionStepKind(earlier).label}, status=409)
    if position and done_on < done[DECISION_STEP_ORDER[position - 1]].done_on:
        raise DomainError(_("日期不能早于上一步骤"))
    step = DecisionStep.objects.create(
        decision=decision, kind=kind, done_on=done_on, note=note.strip()[:300], recorded_by=acting_user
    )
    audit_record(
        acting_user=acting_user, action="decision.step", target=f"decision:{decision.id}", detail={"kind": kind}
    )
    return step
