"""Every write of 效度联评: surveys and answers, scorecards and assessments, inspections and the
rectification ledger. Each top-level function is one transaction and refuses bad input with a
``DomainError`` that changes nothing."""

import datetime
import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import access
from gongzhi.accounts.models import Appointment, Ownership, Residence
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.oversight.models import (
    AnswerChannel,
    Assessment,
    AssessmentScore,
    AssessmentStatus,
    CheckResult,
    CheckSubject,
    Criterion,
    CriterionMethod,
    EvidenceKind,
    Inspection,
    InspectionCheck,
    LedgerEvidence,
    LedgerItem,
    LedgerSource,
    LedgerState,
    QuestionKind,
    QuestionTarget,
    Scorecard,
    ScorecardGroup,
    ScorecardStatus,
    ScoringMode,
    SubjectKind,
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyPhase,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
    SurveyTally,
    Verification,
)
from gongzhi.places.models import Flat, Place, PlaceKind

CENT = Decimal("0.01")
# Findings from surveys and assessments get this many days to be rectified unless told otherwise.
FINDING_DAYS = 30
# Residents' channel names in the case ledger for each source of findings.
CASE_CHANNEL = {
    LedgerSource.INSPECTION: "inspection",
    LedgerSource.SURVEY: "survey",
    LedgerSource.ASSESSMENT: "assessment",
}


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def parse_decimal(value, *, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("%(field)s必须是数字") % {"field": field}) from None
    if not number.is_finite():
        raise DomainError(_("%(field)s必须是数字") % {"field": field})
    return number


# --------------------------------------------------------------------------------------------
# The three parties of an estate
# --------------------------------------------------------------------------------------------


def estate_company(estate: Place, on: datetime.date | None = None) -> Organization | None:
    from gongzhi.orgs.services import current_company

    return current_company(estate, on or timezone.localdate())


def estate_committee(estate: Place) -> Organization | None:
    return Organization.objects.current().filter(kind=OrgKind.OWNERS_COMMITTEE, place=estate).first()


def estate_branch(estate: Place) -> Organization | None:
    return (
        Organization.objects.current().filter(kind=OrgKind.PARTY_BRANCH, covered_places=estate).first()
        or Organization.objects.current().filter(kind=OrgKind.PARTY_BRANCH, place=estate).first()
    )


def party_of(estate: Place, target: str, on: datetime.date | None = None) -> Organization | None:
    if target in (QuestionTarget.COMPANY, SubjectKind.COMPANY):
        return estate_company(estate, on)
    if target == QuestionTarget.COMMITTEE:
        return estate_committee(estate)
    if target in (QuestionTarget.BRANCH, SubjectKind.BRANCH):
        return estate_branch(estate)
    return None


def estate_instructor(estate: Place, on: datetime.date | None = None):
    on = on or timezone.localdate()
    appointment = (
        Appointment.objects.current(on)
        .filter(post="party_instructor", place=estate)
        .select_related("person")
        .order_by("starts_on")
        .first()
    )
    return appointment.person if appointment else None


# --------------------------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------------------------


def _checked_photos(photos: Sequence) -> list:
    """Decode, size-check and re-encode each photo without its metadata (GPS, camera serial),
    the same way the case ledger does."""
    from gongzhi.cases.photos import CleanPhoto, clean_photos

    photos = [p for p in (photos or ()) if p]
    if all(isinstance(p, CleanPhoto) for p in photos):
        return photos
    return clean_photos(photos)


def _add_evidence(item: LedgerItem, kind: str, photos: Iterable, note: str, acting_user) -> None:
    photos = list(photos)
    if not photos and note:
        LedgerEvidence.objects.create(item=item, kind=kind, note=note, by=acting_user)
    for photo in photos:
        evidence = LedgerEvidence(item=item, kind=kind, note=note, by=acting_user)
        photo.content.seek(0)
        evidence.photo.save(photo.content.name, photo.content, save=False)
        evidence.save()


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


# --------------------------------------------------------------------------------------------
# Rectification ledger (整改台账)
# --------------------------------------------------------------------------------------------


def _open_case(item: LedgerItem, *, acting_user, photos: Sequence) -> None:
    """Track the finding as a case of the case ledger, routed like any other case: with a
    responsible party it is dispatched at once, without one it waits for the dispatcher."""
    from gongzhi.cases import services as case_services

    responsible = item.responsible
    if (
        responsible is not None
        and not case_services.responsible_choices(item.estate).filter(pk=responsible.pk).exists()
    ):
        responsible = None
    for photo in photos:
        photo.content.seek(0)
    case = case_services.case_create(
        estate=item.estate,
        title=item.title[:100],
        description=item.description or item.title,
        channel=CASE_CHANNEL[item.source],
        acting_user=acting_user,
        responsible=responsible,
        deadline=end_of_day(item.deadline) if (responsible is not None and item.deadline) else None,
        address=item.location,
        source_kind="oversight.ledgeritem",
        source_id=item.id,
        photos=[photo.content for photo in photos],
    )
    item.case = case
    updates = ["case"]
    if item.responsible_id is None and case.responsible_id:
        item.responsible_id = case.responsible_id
        updates.append("responsible")
    if item.deadline is None and case.deadline is not None:
        item.deadline = timezone.localdate(case.deadline)
        updates.append("deadline")
    item.save(update_fields=updates)


@transaction.atomic
def ledger_item_create(
    *,
    estate: Place,
    source: str,
    title: str,
    acting_user,
    description: str = "",
    location: str = "",
    responsible: Organization | None = None,
    deadline: datetime.date | None = None,
    found_by: str = "",
    photos: Sequence = (),
    **origin,
) -> LedgerItem:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写问题"))
    if estate.kind != PlaceKind.ESTATE:
        raise DomainError(_("整改事项必须属于一个小区"))
    if deadline is not None and deadline < timezone.localdate():
        raise DomainError(_("整改时限不能早于今天"))
    photos = _checked_photos(photos)
    Place.objects.select_for_update().filter(pk=estate.pk).first()
    number = (LedgerItem.objects.filter(estate=estate).aggregate(n=Max("number"))["n"] or 0) + 1
    item = LedgerItem.objects.create(
        estate=estate,
        number=number,
        source=source,
        title=title[:200],
        description=description.strip(),
        location=location.strip()[:120],
        responsible=responsible,
        deadline=deadline,
        found_by=found_by[:60],
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        **origin,
    )
    _add_evidence(item, EvidenceKind.FINDING, photos, "", acting_user)
    _open_case(item, acting_user=acting_user, photos=photos)
    return item


@transaction.atomic
def ledger_item_report_rectified(*, item: LedgerItem, note: str, acting_user, photos: Sequence = ()) -> LedgerItem:
    """The responsible party reports the fix with its evidence; verification follows."""
    item = LedgerItem.objects.select_for_update().get(pk=item.pk)
    if item.state == LedgerState.SIGNED_OFF:
        raise DomainError(_("该事项已销号"), status=409)
    note = (note or "").strip()
    photos = _checked_photos(photos)
    if not note and not photos:
        raise DomainError(_("请填写整改情况或上传整改照片"))
    item.state = LedgerState.RECTIFIED
    item.rectified_at = timezone.now()
    item.save(update_fields=["state", "rectified_at"])
    _add_evidence(item, EvidenceKind.RECTIFICATION, photos, note, acting_user)
    return item


@transaction.atomic
def ledger_item_verify(*, item: LedgerItem, passed: bool, note: str, photos: Sequence, acting_user) -> Verification:
    """销号 after an on-the-spot check: only a supervisor or community staff (``ledger_verify``),
    never someone acting for the responsible party, and always with a photo of the spot."""
    item = LedgerItem.objects.select_for_update().get(pk=item.pk)
    if not access.can(acting_user, "ledger_verify", item.estate):
        raise DomainError(_("只有义务监督员或社区工作人员可以现场核验销号"), status=403)
    if item.responsible_id and item.responsible_id in access.organization_ids(acting_user):
        raise DomainError(_("责任单位不能核验自己的整改"), status=403)
    if item.state == LedgerState.SIGNED_OFF:
        raise DomainError(_("该事项已销号"), status=409)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写现场核验意见"))
    photos = _checked_photos(photos)
    if not photos:
        raise DomainError(_("现场核验须上传至少一张现场照片作为证据"))
    person = getattr(acting_user, "person", None)
    verification = Verification.objects.create(
        item=item, passed=passed, note=note, by=acting_user, by_name=person.name if person else acting_user.username
    )
    _add_evidence(item, EvidenceKind.VERIFICATION, photos, note, acting_user)
    if passed:
        item.state = LedgerState.SIGNED_OFF
        item.signed_off_at = timezone.now()
        item.signed_off_by = acting_user
        item.save(update_fields=["state", "signed_off_at", "signed_off_by"])
    else:
        item.state = LedgerState.OPEN
        item.save(update_fields=["state"])
    audit_record(
        acting_user=acting_user,
        action="oversight.ledger_verify",
        target=str(item),
        detail={"item": item.id, "passed": passed},
    )
    return verification


RECTIFIED_CASE_STATES = {"resolved", "reviewed", "closed"}


def ledger_sync_from_case(case) -> int:
    """Keep a ledger item in step with the case that tracks it: responsible party and deadline
    as dispatched, "rectified, awaiting verification" once the case is resolved, and open again
    when the case is sent back for rework. Only verification closes it out."""
    changed = 0
    for item in LedgerItem.objects.filter(case_id=case.id).exclude(state=LedgerState.SIGNED_OFF):
        updates = []
        if case.responsible_id and item.responsible_id != case.responsible_id:
            item.responsible_id = case.responsible_id
            updates.append("responsible")
        deadline = timezone.localdate(case.deadline) if case.deadline else None
        if deadline is not None and item.deadline != deadline:
            item.deadline = deadline
            updates.append("deadline")
        if case.state in RECTIFIED_CASE_STATES and item.state == LedgerState.OPEN:
            item.state = LedgerState.RECTIFIED
            item.rectified_at = case.resolved_at or timezone.now()
            updates += ["state", "rectified_at"]
        elif case.state in {"dispatched", "signed", "received"} and item.state == LedgerState.RECTIFIED:
            item.state = LedgerState.OPEN
            updates.append("state")
        if updates:
            item.save(update_fields=updates)
            changed += 1
    return changed


# --------------------------------------------------------------------------------------------
# Inspections
# --------------------------------------------------------------------------------------------


@transaction.atomic
def inspection_start(*, estate: Place, acting_user, note: str = "") -> Inspection:
    if estate.kind != PlaceKind.ESTATE:
        raise DomainError(_("请选择一个小区"))
    if not access.can(acting_user, "case_inspect", estate):
        raise DomainError(_("您不是该小区的义务监督员"), status=403)
    person = getattr(acting_user, "person", None)
    if person is None:
        raise DomainError(_("账号未关联人员信息"))
    return Inspection.objects.create(estate=estate, inspector=person, note=(note or "").strip())


def _inspection_open(inspection: Inspection, acting_user) -> Inspection:
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.submitted_at:
        raise DomainError(_("巡查已提交，不能再修改"), status=409)
    if getattr(acting_user, "person", None) != inspection.inspector:
        raise DomainError(_("只能修改自己的巡查记录"), status=403)
    return inspection


@transaction.atomic
def inspection_add_finding(
    *,
    inspection: Inspection,
    title: str,
    acting_user,
    description: str = "",
    location: str = "",
    party: str = "",
    photos: Sequence = (),
) -> LedgerItem:
    """随手拍: a finding with photos; it becomes a case of channel "inspection" and a ledger item."""
    inspection = _inspection_open(inspection, acting_user)
    photos = _checked_photos(photos)
    if not photos:
        raise DomainError(_("请至少拍一张照片"))
    responsible = party_of(inspection.estate, party) if party else None
    return ledger_item_create(
        estate=inspection.estate,
        source=LedgerSource.INSPECTION,
        title=title,
        description=description,
        location=location,
        responsible=responsible,
        found_by=inspection.inspector.name,
        photos=photos,
        acting_user=acting_user,
        inspection=inspection,
    )


@transaction.atomic
def inspection_add_check(
    *,
    inspection: Inspection,
    subject: str,
    item: str,
    result: str,
    acting_user,
    note: str = "",
    case_id: int | None = None,
) -> InspectionCheck:
    """Follow-through of a meeting resolution, or a duty of the committee or the company."""
    inspection = _inspection_open(inspection, acting_user)
    if subject not in CheckSubject.values:
        raise DomainError(_("请选择监督内容"))
    if result not in CheckResult.values:
        raise DomainError(_("请选择检查结果"))
    item = (item or "").strip()
    if not item:
        raise DomainError(_("请填写检查事项"))
    if result == CheckResult.NOT_DONE and not (note or "").strip():
        raise DomainError(_("未落实的事项请说明情况"))
    return InspectionCheck.objects.create(
        inspection=inspection,
        subject=subject,
        item=item[:300],
        result=result,
        note=(note or "").strip()[:300],
        case_id=case_id,
    )


@transaction.atomic
def inspection_submit(*, inspection: Inspection, acting_user, note: str = "") -> Inspection:
    inspection = _inspection_open(inspection, acting_user)
    if not inspection.findings.exists() and not inspection.checks.exists():
        raise DomainError(_("巡查没有任何发现或检查记录，不能提交"))
    inspection.submitted_at = timezone.now()
    if note:
        inspection.note = note.strip()
    inspection.save(update_fields=["submitted_at", "note"])
    return inspection


# --------------------------------------------------------------------------------------------
# Surveys
# --------------------------------------------------------------------------------------------


def _survey_draft(survey: Survey) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.DRAFT:
        raise DomainError(_("测评已发布，题目和时间不能再修改"), status=409)
    return survey


def _check_window(opens_at, closes_at) -> None:
    if not opens_at or not closes_at:
        raise DomainError(_("请填写开始和截止时间"))
    if closes_at <= opens_at:
        raise DomainError(_("截止时间必须晚于开始时间"))


@transaction.atomic
def survey_create(
    *,
    place: Place,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    acting_user,
    description: str = "",
    low_score_threshold="3",
    min_answers_for_finding: int = 3,
) -> Survey:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写测评标题"))
    if place.kind not in (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY, PlaceKind.ESTATE):
        raise DomainError(_("测评范围必须是一个小区、社区或街道"))
    _check_window(opens_at, closes_at)
    threshold = parse_decimal(low_score_threshold, field=_("低分线"))
    if not Decimal(1) <= threshold <= Decimal(5):
        raise DomainError(_("低分线必须在1到5分之间"))
    survey = Survey.objects.create(
        place=place,
        title=title[:120],
        description=(description or "").strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        low_score_threshold=threshold,
        min_answers_for_finding=max(1, int(min_answers_for_finding or 1)),
        created_by=acting_user,
    )
    audit_record(acting_user=acting_user, action="oversight.survey_create", target=survey.title)
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, acting_user, **fields) -> Survey:
    survey = _survey_draft(survey)
    for key in ("title", "description", "opens_at", "closes_at"):
        if key in fields:
            setattr(survey, key, fields[key])
    if not (survey.title or "").strip():
        raise DomainError(_("请填写测评标题"))
    _check_window(survey.opens_at, survey.closes_at)
    survey.save()
    return survey


@transaction.atomic
def survey_question_add(
    *,
    survey: Survey,
    text: str,
    kind: str,
    target: str,
    acting_user,
    required: bool = True,
    options: Sequence[tuple[str, int | None]] = (),
) -> SurveyQuestion:
    survey = _survey_draft(survey)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写题目"))
    if kind not in QuestionKind.values:
        raise DomainError(_("未知的题型"))
    if target not in QuestionTarget.values:
        raise DomainError(_("请选择评价对象"))
    cleaned: list[tuple[str, int | None]] = []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        for label, score in options:
            label = (label or "").strip()
            if not label:
                continue
            if score is not None and kind == QuestionKind.MULTIPLE:
                raise DomainError(_("多选题的选项不设分值"))
            if score is not None and not 1 <= int(score) <= 5:
                raise DomainError(_("选项分值必须在1到5分之间"))
            cleaned.append((label[:120], None if score is None else int(score)))
        if len(cleaned) < 2:
            raise DomainError(_("选择题至少需要两个选项"))
        if len({label for label, _score in cleaned}) != len(cleaned):
            raise DomainError(_("选项不能重复"))
    position = (survey.questions.aggregate(n=Max("position"))["n"] or 0) + 1
    question = SurveyQuestion.objects.create(
        survey=survey, position=position, text=text[:300], kind=kind, target=target, required=required
    )
    SurveyOption.objects.bulk_create(
        [
            SurveyOption(question=question, position=i, label=label, score=score)
            for i, (label, score) in enumerate(cleaned)
        ]
    )
    return question


@transaction.atomic
def survey_question_remove(*, question: SurveyQuestion, acting_user) -> None:
    _survey_draft(question.survey)
    # A draft question has no answers: removing it loses nothing.
    SurveyOption.objects.filter(question=question).delete()
    question.delete()


@transaction.atomic
def survey_publish(*, survey: Survey, acting_user) -> Survey:
    survey = _survey_draft(survey)
    if not survey.questions.exists():
        raise DomainError(_("测评至少需要一道题目"))
    if survey.closes_at <= timezone.now():
        raise DomainError(_("截止时间已过，请先修改截止时间"))
    survey.status = SurveyStatus.PUBLISHED
    survey.save(update_fields=["status"])
    audit_record(acting_user=acting_user, action="oversight.survey_publish", target=survey.title)
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, acting_user) -> Survey:
    """Close an open survey now (e.g. when every flat has answered)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.phase() != SurveyPhase.OPEN:
        raise DomainError(_("只有进行中的测评可以提前结束"), status=409)
    survey.closes_at = timezone.now()
    survey.save(update_fields=["closes_at"])
    audit_record(acting_user=acting_user, action="oversight.survey_close", target=survey.title)
    return survey


def survey_estates(survey: Survey):
    """The estates a survey is open for."""
    if survey.place.kind == PlaceKind.ESTATE:
        return Place.objects.filter(pk=survey.place_id)
    return Place.objects.filter(kind=PlaceKind.ESTATE, is_active=True, path__startswith=survey.place.path)


def respondent_key(survey: Survey, person) -> str:
    """A keyed hash: lets the system recognise the same person changing their answer without
    storing who answered."""
    message = f"survey:{survey.id}:person:{person.id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def flats_for_answering(user, survey: Survey) -> list[Flat]:
    """The flats in the survey's estates that the user owns or lives in today."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    today = timezone.localdate()
    current = Q(ends_on__isnull=True) | Q(ends_on__gt=today)
    estate_path = survey.place.path
    owned = Ownership.objects.filter(current, person=person).values_list("flat_id", flat=True)
    lived = Residence.objects.filter(current, person=person).values_list("flat_id", flat=True)
    return list(
        Flat.objects.filter(pk__in=list(owned) + list(lived), is_active=True, estate__path__startswith=estate_path)
        .select_related("building", "estate")
        .order_by("estate__name", "building__name", "number")
    )


def _parse_answers(survey: Survey, answers: dict) -> list[dict]:
    rows: list[dict] = []
    questions = list(survey.questions.prefetch_related("options"))
    for question in questions:
        value = answers.get(question.id, answers.get(str(question.id)))
        options = {o.id: o for o in question.options.all()}
        blank = value in (None, "", [], ())
        if blank:
            if question.required:
                raise DomainError(_("第%(n)d题“%(text)s”为必答题") % {"n": question.position, "text": question.text})
            continue
        if question.kind == QuestionKind.SCALE:
            try:
                score = int(str(value))
            except ValueError:
                score = 0
            if not 1 <= score <= 5:
                raise DomainError(_("第%(n)d题的评分必须是1到5分") % {"n": question.position})
            rows.append({"question": question, "score": score})
        elif question.kind == QuestionKind.SINGLE:
            if isinstance(value, list | tuple):
                if len(value) != 1:
                    raise DomainError(_("第%(n)d题是单选题，只能选一项") % {"n": question.position})
                value = value[0]
            option = options.get(int(value)) if str(value).isdecimal() else None
            if option is None:
                raise DomainError(_("第%(n)d题的选项无效") % {"n": question.position})
            rows.append({"question": question, "option": option, "score": option.score})
        elif question.kind == QuestionKind.MULTIPLE:
            values = value if isinstance(value, list | tuple) else [value]
            chosen = []
            for v in values:
                option = options.get(int(v)) if str(v).isdecimal() else None
                if option is None:
                    raise DomainError(_("第%(n)d题的选项无效") % {"n": question.position})
                if option not in chosen:
                    chosen.append(option)
            rows.extend({"question": question, "option": option} for option in chosen)
        else:
            text = str(value).strip()
            if "\x00" in text:
                raise DomainError(_("第%(n)d题的意见含有无效字符") % {"n": question.position})
            if len(text) > 500:
                raise DomainError(_("第%(n)d题的意见不能超过500字") % {"n": question.position})
            if text:
                rows.append({"question": question, "text": text})
            elif question.required:
                raise DomainError(_("第%(n)d题“%(text)s”为必答题") % {"n": question.position, "text": question.text})
    return rows


def _tally_keys(rows) -> "Counter[tuple[int, str]]":
    """The tally keys of one answer sheet's rows: (question id, key) → count."""
    keys: Counter[tuple[int, str]] = Counter()
    for question_id in {row["question_id"] for row in rows}:
        keys[(question_id, "answered")] += 1
    for row in rows:
        if row.get("option_id"):
            keys[(row["question_id"], f"o{row['option_id']}")] += 1
        if row.get("score") is not None:
            keys[(row["question_id"], f"s{row['score']}")] += 1
        if row.get("text"):
            keys[(row["question_id"], "t")] += 1
    return keys


def _tally_apply(survey: Survey, estate_id: int, delta: "Counter[tuple[int, str]]") -> None:
    for (question_id, key), change in delta.items():
        if not change:
            continue
        lookup = {"survey": survey, "estate_id": estate_id, "question_id": question_id, "key": key}
        if SurveyTally.objects.filter(**lookup).update(count=F("count") + change):
            continue
        try:
            with transaction.atomic():
                SurveyTally.objects.create(count=change, **lookup)
        except IntegrityError:  # created meanwhile by a concurrent answer
            SurveyTally.objects.filter(**lookup).update(count=F("count") + change)


@transaction.atomic
def survey_tally_rebuild(*, survey: Survey) -> int:
    """Recount the tallies of a survey from its current answers (after a bulk load, or to check)."""
    SurveyTally.objects.filter(survey=survey).delete()
    counts: Counter[tuple[int, int, str]] = Counter()
    answered = (
        SurveyAnswer.objects.filter(survey=survey, is_current=True)
        .values("estate_id", "question_id")
        .annotate(n=Count("response_id", distinct=True))
    )
    for row in answered:
        counts[(row["estate_id"], row["question_id"], "answered")] += row["n"]
    for field, prefix in (("option_id", "o"), ("score", "s")):
        for row in (
            SurveyAnswer.objects.filter(survey=survey, is_current=True, **{f"{field}__isnull": False})
            .values("estate_id", "question_id", field)
            .annotate(n=Count("id"))
        ):
            counts[(row["estate_id"], row["question_id"], f"{prefix}{row[field]}")] += row["n"]
    for row in (
        SurveyAnswer.objects.filter(survey=survey, is_current=True)
        .exclude(text="")
        .values("estate_id", "question_id")
        .annotate(n=Count("id"))
    ):
        counts[(row["estate_id"], row["question_id"], "t")] += row["n"]
    SurveyTally.objects.bulk_create(
        [
            SurveyTally(survey=survey, estate_id=estate_id, question_id=question_id, key=key, count=n)
            for (estate_id, question_id, key), n in counts.items()
        ],
        batch_size=2000,
    )
    return len(counts)


@transaction.atomic
def survey_answer_submit(
    *, survey: Survey, flat: Flat, answers: dict, acting_user, channel: str = AnswerChannel.ONLINE
) -> SurveyResponse:
    """One answer sheet per flat. Online, the household member who answered may change it until
    the survey closes; a second sheet for the same flat — from another member or on paper — is
    refused. Staff enter paper sheets for flats that have not answered."""
    survey = Survey.objects.select_related("place").get(pk=survey.pk)
    phase = survey.phase()
    if phase == SurveyPhase.CLOSED:
        raise DomainError(_("测评已截止，不能再提交或修改答卷"), status=409)
    if phase != SurveyPhase.OPEN:
        raise DomainError(_("测评尚未开始"), status=409)
    flat = Flat.objects.select_related("estate").get(pk=flat.pk)
    if not flat.estate.path.startswith(survey.place.path) or not flat.is_active:
        raise DomainError(_("该房屋不在本次测评范围内"))
    if channel == AnswerChannel.PAPER:
        if not access.can(acting_user, "survey_manage", flat.estate):
            raise DomainError(_("只有社区工作人员可以录入纸质问卷"), status=403)
        key = hmac.new(
            settings.SECRET_KEY.encode(), f"survey:{survey.id}:paper:{flat.id}".encode(), hashlib.sha256
        ).hexdigest()
    else:
        if flat.id not in {f.id for f in flats_for_answering(acting_user, survey)}:
            raise DomainError(_("只能为自己居住或拥有的房屋答卷"), status=403)
        key = respondent_key(survey, acting_user.person)
    rows = _parse_answers(survey, answers)
    if not rows:
        raise DomainError(_("答卷是空的"))
    response = SurveyResponse.objects.select_for_update().filter(survey=survey, flat=flat).first()
    delta: Counter[tuple[int, str]] = Counter()
    if response is not None:
        if channel == AnswerChannel.PAPER or response.channel == AnswerChannel.PAPER or response.respondent_key != key:
            raise DomainError(_("该户已提交过答卷，每户只能提交一份"), status=409)
        superseded = SurveyAnswer.objects.filter(response=response, is_current=True)
        delta.subtract(_tally_keys(list(superseded.values("question_id", "option_id", "score", "text"))))
        superseded.update(is_current=False)
        response.revision += 1
        response.save(update_fields=["revision", "updated_at"])
    else:
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(
                    survey=survey, flat=flat, estate=flat.estate, channel=channel, respondent_key=key
                )
        except IntegrityError:
            raise DomainError(_("该户已提交过答卷，每户只能提交一份"), status=409) from None
    SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(
                response=response,
                survey=survey,
                estate=flat.estate,
                question=row["question"],
                option=row.get("option"),
                score=row.get("score"),
                text=row.get("text", ""),
            )
            for row in rows
        ]
    )
    delta.update(
        _tally_keys(
            [
                {
                    "question_id": row["question"].id,
                    "option_id": row["option"].id if row.get("option") else None,
                    "score": row.get("score"),
                    "text": row.get("text", ""),
                }
                for row in rows
            ]
        )
    )
    _tally_apply(survey, flat.estate_id, delta)
    return response


def my_current_answers(survey: Survey, flat: Flat, user) -> dict[int, list]:
    """The answers this user gave for this flat (to prefill the form when they change them).
    Empty if someone else in the household answered: answers are never shown to anyone else."""
    person = getattr(user, "person", None)
    if person is None:
        return {}
    response = SurveyResponse.objects.filter(survey=survey, flat=flat).first()
    if response is None or response.respondent_key != respondent_key(survey, person):
        return {}
    result: dict[int, list] = {}
    for answer in SurveyAnswer.objects.filter(response=response, is_current=True):
        value = answer.option_id or answer.text or answer.score
        if answer.option_id is None and answer.score is not None:
            value = answer.score
        result.setdefault(answer.question_id, []).append(value)
    return result


@transaction.atomic
def survey_findings_create(*, survey: Survey, acting_user) -> list[LedgerItem]:
    """Turn low-scoring questions into ledger findings: one per estate and question whose
    average score is below the survey's low-score line. Running it again adds nothing new."""
    from gongzhi.oversight.selectors import question_scores_by_estate

    survey = Survey.objects.select_for_update().select_related("place").get(pk=survey.pk)
    if survey.phase() != SurveyPhase.CLOSED:
        raise DomainError(_("测评结束后才能生成整改事项"), status=409)
    questions = {q.id: q for q in survey.questions.all()}
    estates = {e.id: e for e in survey_estates(survey)}
    existing = set(LedgerItem.objects.filter(survey=survey).values_list("survey_question_id", "estate_id"))
    created = []
    deadline = timezone.localdate() + datetime.timedelta(days=FINDING_DAYS)
    for (estate_id, question_id), (average, count) in sorted(question_scores_by_estate(survey).items()):
        if count < survey.min_answers_for_finding or average >= survey.low_score_threshold:
            continue
        if (question_id, estate_id) in existing or estate_id not in estates:
            continue
        question = questions[question_id]
        estate = estates[estate_id]
        created.append(
            ledger_item_create(
                estate=estate,
                source=LedgerSource.SURVEY,
                title=_("满意度测评低分：%(q)s") % {"q": question.text[:150]},
                description=_("“%(survey)s”中本小区该题平均%(avg)s分（%(n)d份答卷），低于%(line)s分。")
                % {"survey": survey.title, "avg": average, "n": count, "line": survey.low_score_threshold},
                responsible=party_of(estate, question.target),
                deadline=deadline,
                found_by=_("满意度测评"),
                acting_user=acting_user,
                survey=survey,
                survey_question=question,
            )
        )
    survey.findings_created_at = timezone.now()
    survey.save(update_fields=["findings_created_at"])
    return created


# --------------------------------------------------------------------------------------------
# Scorecards
# --------------------------------------------------------------------------------------------


def _bands(value, *, kind: str) -> list:
    """Validate grade or star bands: [[label, lower bound %], ...] strictly descending, ending at 0."""
    try:
        bands = [[label, Decimal(str(bound))] for label, bound in value]
    except (TypeError, ValueError, InvalidOperation):
        raise DomainError(_("分档格式不正确")) from None
    if not bands:
        raise DomainError(_("分档不能为空"))
    bounds = [bound for _label, bound in bands]
    if any(b < 0 or b > 100 for b in bounds):
        raise DomainError(_("分档下限必须在0到100之间"))
    if any(a <= b for a, b in zip(bounds, bounds[1:], strict=False)):
        raise DomainError(_("分档下限必须从高到低排列且不能重复"))
    if bounds[-1] != 0:
        raise DomainError(_("最低一档的下限必须为0"))
    if kind == "stars":
        return [[int(label), str(bound)] for label, bound in bands]
    labels = [str(label).strip() for label, _bound in bands]
    if any(not label for label in labels) or len(set(labels)) != len(labels):
        raise DomainError(_("等级名称不能为空或重复"))
    return [[label, str(bound)] for label, (_l, bound) in zip(labels, bands, strict=True)]


def parse_bands(text: str, *, kind: str) -> list:
    """Parse "AAA:90, AA:80, A:70, B:60, C:0" (or "5:90, 4:80, …") as typed on the scorecard form."""
    pairs = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        label, sep, bound = part.replace("：", ":").partition(":")
        if not sep:
            raise DomainError(_("分档格式不正确，应为“等级:下限”，用逗号分隔"))
        if kind == "stars" and not label.strip().isdecimal():
            raise DomainError(_("星级必须是数字"))
        pairs.append([label.strip(), bound.strip()])
    return _bands(pairs, kind=kind)


def _scorecard_draft(scorecard: Scorecard) -> Scorecard:
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.status != ScorecardStatus.DRAFT:
        raise DomainError(_("已发布的评分表不能直接修改，请另存为新版本后修改"), status=409)
    return scorecard


@transaction.atomic
def scorecard_create(
    *,
    family: str,
    name: str,
    subject_kind: str,
    scoring: str,
    acting_user,
    pass_mark="60",  # noqa: S107 - a percentage, not a password
    source: str = "",
) -> Scorecard:
    family = (family or "").strip()
    name = (name or "").strip()
    if not family or not name:
        raise DomainError(_("请填写评分表编码和名称"))
    if Scorecard.objects.filter(family=family).exists():
        raise DomainError(_("评分表编码“%(f)s”已存在") % {"f": family})
    if subject_kind not in SubjectKind.values:
        raise DomainError(_("请选择评价对象"))
    if scoring not in ScoringMode.values:
        raise DomainError(_("请选择计分方式"))
    pass_mark = parse_decimal(pass_mark, field=_("达标线"))
    if not 0 <= pass_mark <= 100:
        raise DomainError(_("达标线必须在0到100之间"))
    scorecard = Scorecard.objects.create(
        family=family, name=name, subject_kind=subject_kind, scoring=scoring, pass_mark=pass_mark, source=source
    )
    audit_record(acting_user=acting_user, action="oversight.scorecard_create", target=str(scorecard))
    return scorecard


@transaction.atomic
def scorecard_update(
    *, scorecard: Scorecard, acting_user, name=None, pass_mark=None, grade_bands=None, star_bands=None, source=None
) -> Scorecard:
    scorecard = _scorecard_draft(scorecard)
    if name is not None:
        if not name.strip():
            raise DomainError(_("请填写评分表名称"))
        scorecard.name = name.strip()
    if pass_mark is not None:
        pass_mark = parse_decimal(pass_mark, field=_("达标线"))
        if not 0 <= pass_mark <= 100:
            raise DomainError(_("达标线必须在0到100之间"))
        scorecard.pass_mark = pass_mark
    if grade_bands is not None:
        scorecard.grade_bands = _bands(grade_bands, kind="grades")
    if star_bands is not None:
        scorecard.star_bands = _bands(star_bands, kind="stars")
    if source is not None:
        scorecard.source = source.strip()
    scorecard.save()
    return scorecard


@transaction.atomic
def scorecard_group_add(*, scorecard: Scorecard, name: str, acting_user, weight=None) -> ScorecardGroup:
    scorecard = _scorecard_draft(scorecard)
    if not (name or "").strip():
        raise DomainError(_("请填写方面名称"))
    if weight not in (None, ""):
        weight = parse_decimal(weight, field=_("权重"))
        if not 0 < weight <= 100:
            raise DomainError(_("权重必须大于0且不超过100"))
    else:
        weight = None
    position = (scorecard.groups.aggregate(n=Max("position"))["n"] or 0) + 1
    return ScorecardGroup.objects.create(scorecard=scorecard, name=name.strip(), weight=weight, position=position)


@transaction.atomic
def scorecard_criterion_add(
    *,
    scorecard: Scorecard,
    group: ScorecardGroup,
    text: str,
    max_points,
    acting_user,
    method: str = CriterionMethod.ASSESSOR,
    pass_points=None,
) -> Criterion:
    scorecard = _scorecard_draft(scorecard)
    if group.scorecard_id != scorecard.id:
        raise DomainError(_("该方面不属于这张评分表"))
    if not (text or "").strip():
        raise DomainError(_("请填写评分细则"))
    max_points = parse_decimal(max_points, field=_("分值"))
    if max_points <= 0:
        raise DomainError(_("分值必须大于0"))
    if pass_points not in (None, ""):
        pass_points = parse_decimal(pass_points, field=_("合格分"))
        if not 0 <= pass_points <= max_points:
            raise DomainError(_("合格分不能超过该项分值"))
    else:
        pass_points = None
    if method not in CriterionMethod.values:
        raise DomainError(_("未知的评分方式"))
    position = (scorecard.criteria.filter(group=group).aggregate(n=Max("position"))["n"] or 0) + 1
    return Criterion.objects.create(
        scorecard=scorecard,
        group=group,
        text=text.strip()[:300],
        max_points=_q(max_points),
        pass_points=pass_points,
        method=method,
        position=position,
    )


@transaction.atomic
def scorecard_criterion_remove(*, criterion: Criterion, acting_user) -> None:
    _scorecard_draft(criterion.scorecard)
    # Draft criteria have never been used in an assessment.
    criterion.delete()


def scorecard_problems(scorecard: Scorecard) -> list[str]:
    problems = []
    groups = list(scorecard.groups.all())
    criteria = list(scorecard.criteria.all())
    if not criteria:
        problems.append(_("评分表至少需要一项评分细则"))
    for group in groups:
        if not any(c.group_id == group.id for c in criteria):
            problems.append(_("方面“%(g)s”没有评分细则") % {"g": group.name})
    if scorecard.scoring == ScoringMode.WEIGHTED:
        if any(g.weight is None for g in groups):
            problems.append(_("分组加权的评分表每个方面都要设权重"))
        total = sum((g.weight or Decimal(0) for g in groups), Decimal(0))
        if total != 100:
            problems.append(_("各方面权重合计必须为100%%，当前为%(t)s%%") % {"t": _q(total)})
    return problems


@transaction.atomic
def scorecard_publish(*, scorecard: Scorecard, acting_user) -> Scorecard:
    scorecard = _scorecard_draft(scorecard)
    problems = scorecard_problems(scorecard)
    if problems:
        raise DomainError(problems[0], errors=problems)
    Scorecard.objects.filter(family=scorecard.family, status=ScorecardStatus.PUBLISHED).update(
        status=ScorecardStatus.RETIRED
    )
    scorecard.status = ScorecardStatus.PUBLISHED
    scorecard.published_at = timezone.now()
    scorecard.save(update_fields=["status", "published_at"])
    audit_record(acting_user=acting_user, action="oversight.scorecard_publish", target=str(scorecard))
    return scorecard


@transaction.atomic
def scorecard_revise(*, scorecard: Scorecard, acting_user) -> Scorecard:
    """A new draft version copied from this one; assessments made on older versions keep theirs."""
    if Scorecard.objects.filter(family=scorecard.family, status=ScorecardStatus.DRAFT).exists():
        raise DomainError(_("该评分表已有一个待发布的新版本"), status=409)
    version = (Scorecard.objects.filter(family=scorecard.family).aggregate(v=Max("version"))["v"] or 0) + 1
    copy = Scorecard.objects.create(
        family=scorecard.family,
        version=version,
        name=scorecard.name,
        subject_kind=scorecard.subject_kind,
        scoring=scorecard.scoring,
        pass_mark=scorecard.pass_mark,
        grade_bands=scorecard.grade_bands,
        star_bands=scorecard.star_bands,
        source=scorecard.source,
        based_on=scorecard,
    )
    for group in scorecard.groups.all():
        new_group = ScorecardGroup.objects.create(
            scorecard=copy, name=group.name, weight=group.weight, position=group.position
        )
        Criterion.objects.bulk_create(
            [
                Criterion(
                    scorecard=copy,
                    group=new_group,
                    text=c.text,
                    max_points=c.max_points,
                    pass_points=c.pass_points,
                    method=c.method,
                    position=c.position,
                )
                for c in group.criteria.all()
            ]
        )
    audit_record(acting_user=acting_user, action="oversight.scorecard_revise", target=str(copy))
    return copy


def band_for(bands: list, percent: Decimal):
    for label, bound in bands:
        if percent >= Decimal(str(bound)):
            return label
    return bands[-1][0]


# --------------------------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------------------------


def _resolve_subject(scorecard: Scorecard, estate: Place, on: datetime.date):
    if scorecard.subject_kind == SubjectKind.INSTRUCTOR:
        person = estate_instructor(estate, on)
        if person is None:
            raise DomainError(_("%(e)s没有在任的党建指导员") % {"e": estate.name})
        return None, person, person.name
    org = party_of(estate, scorecard.subject_kind, on)
    if org is None:
        kind = SubjectKind(scorecard.subject_kind).label
        raise DomainError(_("%(e)s在考评期末没有%(k)s") % {"e": estate.name, "k": kind})
    return org, None, org.name


@transaction.atomic
def assessment_start(
    *, scorecard: Scorecard, estate: Place, period_start: datetime.date, period_end: datetime.date, acting_user
) -> Assessment:
    from gongzhi.oversight.selectors import computed_criterion_value

    if scorecard.status != ScorecardStatus.PUBLISHED:
        raise DomainError(_("只能使用已发布的评分表"), status=409)
    if estate.kind != PlaceKind.ESTATE:
        raise DomainError(_("请选择一个小区"))
    if not access.can(acting_user, "assess", estate):
        raise DomainError(_("您不能考评该小区"), status=403)
    if not period_start or not period_end or period_end < period_start:
        raise DomainError(_("考评期结束日期不能早于开始日期"))
    if period_end > timezone.localdate() + datetime.timedelta(days=366):
        raise DomainError(_("考评期不正确"))
    organization, person, name = _resolve_subject(scorecard, estate, period_end)
    duplicate = Assessment.objects.filter(
        scorecard__family=scorecard.family,
        estate=estate,
        subject_organization=organization,
        subject_person=person,
        period_start=period_start,
        period_end=period_end,
    )
    if duplicate.exists():
        raise DomainError(_("该对象在这个考评期已有考评"), status=409)
    assessment = Assessment.objects.create(
        scorecard=scorecard,
        estate=estate,
        subject_kind=scorecard.subject_kind,
        subject_organization=organization,
        subject_person=person,
        subject_name=name,
        period_start=period_start,
        period_end=period_end,
        assessor=acting_user,
    )
    for criterion in scorecard.criteria.exclude(method=CriterionMethod.ASSESSOR):
        rate, basis = computed_criterion_value(criterion.method, assessment)
        if rate is None:
            continue  # no records in the period: the assessor scores it
        AssessmentScore.objects.create(
            assessment=assessment,
            criterion=criterion,
            points=_q(criterion.max_points * rate / 100),
            computed=True,
            basis=basis,
        )
    return assessment


def _assessment_draft(assessment: Assessment, acting_user) -> Assessment:
    assessment = Assessment.objects.select_for_update().select_related("scorecard").get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise DomainError(_("考评已提交，不能再修改"), status=409)
    if not access.can(acting_user, "assess", assessment.estate):
        raise DomainError(_("您不能考评该小区"), status=403)
    return assessment


@transaction.atomic
def assessment_score(*, assessment: Assessment, scores: dict, acting_user, notes: dict | None = None) -> Assessment:
    """Record the assessor's points: ``scores`` maps criterion id → points (blank: not yet scored)."""
    assessment = _assessment_draft(assessment, acting_user)
    notes = notes or {}
    criteria = {c.id: c for c in assessment.scorecard.criteria.all()}
    existing = {s.criterion_id: s for s in assessment.scores.all()}
    number = {cid: i for i, cid in enumerate(criteria, start=1)}
    pending = []
    for key, raw in scores.items():
        criterion = criteria.get(int(key))
        if criterion is None:
            raise DomainError(_("评分细则不属于这张评分表"))
        if raw in (None, ""):
            continue
        current = existing.get(criterion.id)
        if current is not None and current.computed:
            raise DomainError(_("第%(n)d项按记录计算，不能手工打分") % {"n": number[criterion.id]})
        points = parse_decimal(raw, field=_("得分"))
        if points < 0:
            raise DomainError(_("第%(n)d项得分不能为负数") % {"n": number[criterion.id]})
        if points > criterion.max_points:
            raise DomainError(
                _("第%(n)d项得分%(p)s超过该项分值%(max)s分")
                % {"n": number[criterion.id], "p": points, "max": criterion.max_points}
            )
        if points != _q(points):
            raise DomainError(_("第%(n)d项得分最多保留两位小数") % {"n": number[criterion.id]})
        pending.append((criterion, points, (notes.get(key) or notes.get(criterion.id) or "").strip()[:300]))
    for criterion, points, note in pending:
        AssessmentScore.objects.update_or_create(
            assessment=assessment, criterion=criterion, defaults={"points": points, "note": note}
        )
    return assessment


def assessment_result(assessment: Assessment) -> dict:
    """Total, percentage, stars, credit grade and pass/fail from the scores (exact decimals)."""
    scorecard = assessment.scorecard
    criteria = list(scorecard.criteria.select_related("group"))
    points = {s.criterion_id: s.points for s in assessment.scores.all()}
    total = sum((points.get(c.id, Decimal(0)) for c in criteria), Decimal(0))
    maximum = sum((c.max_points for c in criteria), Decimal(0))
    if scorecard.scoring == ScoringMode.WEIGHTED:
        percent = Decimal(0)
        for group in scorecard.groups.all():
            members = [c for c in criteria if c.group_id == group.id]
            group_max = sum((c.max_points for c in members), Decimal(0))
            if group_max:
                group_points = sum((points.get(c.id, Decimal(0)) for c in members), Decimal(0))
                percent += (group.weight or Decimal(0)) * group_points / group_max
        percent = _q(percent)
        total = percent
    else:
        percent = _q(total * 100 / maximum) if maximum else Decimal(0)
    return {
        "total": _q(total),
        "maximum": _q(maximum) if scorecard.scoring == ScoringMode.POINTS else Decimal("100.00"),
        "percent": percent,
        "stars": int(band_for(scorecard.star_bands, percent)),
        "credit_grade": str(band_for(scorecard.grade_bands, percent)),
        "passed": percent >= scorecard.pass_mark,
        "failed": [c for c in criteria if c.id in points and points[c.id] < c.effective_pass_points],
    }


@transaction.atomic
def assessment_submit(*, assessment: Assessment, acting_user, note: str = "") -> Assessment:
    """Final: grade the subject and turn every failed item into a ledger finding."""
    assessment = _assessment_draft(assessment, acting_user)
    scored = set(assessment.scores.values_list("criterion_id", flat=True))
    missing = [i for i, c in enumerate(assessment.scorecard.criteria.all(), start=1) if c.id not in scored]
    if missing:
        raise DomainError(
            _("还有%(n)d项未打分（第%(items)s项）") % {"n": len(missing), "items": "、".join(map(str, missing[:10]))}
        )
    result = assessment_result(assessment)
    assessment.total = result["total"]
    assessment.percent = result["percent"]
    assessment.stars = result["stars"]
    assessment.credit_grade = result["credit_grade"]
    assessment.passed = result["passed"]
    assessment.note = (note or "").strip()
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save()
    deadline = timezone.localdate() + datetime.timedelta(days=FINDING_DAYS)
    notes = dict(assessment.scores.values_list("criterion_id", "note"))
    points = dict(assessment.scores.values_list("criterion_id", "points"))
    for criterion in result["failed"]:
        ledger_item_create(
            estate=assessment.estate,
            source=LedgerSource.ASSESSMENT,
            title=_("考评失分：%(c)s") % {"c": criterion.text[:150]},
            description=_("%(card)s（%(start)s至%(end)s）该项得%(p)s分，满分%(max)s分。%(note)s")
            % {
                "card": assessment.scorecard.name,
                "start": assessment.period_start,
                "end": assessment.period_end,
                "p": points[criterion.id],
                "max": criterion.max_points,
                "note": notes.get(criterion.id, ""),
            },
            responsible=assessment.subject_organization,
            deadline=deadline,
            found_by=_("考评"),
            acting_user=acting_user,
            assessment=assessment,
            criterion=criterion,
        )
    audit_record(
        acting_user=acting_user,
        action="oversight.assessment_submit",
        target=str(assessment),
        detail={"percent": str(assessment.percent), "grade": assessment.credit_grade},
    )
    return assessment
