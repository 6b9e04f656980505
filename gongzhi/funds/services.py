"""Every write of 资金与实事. Each top-level service is one transaction, checks permission, validates,
writes and records an audit row; a refusal raises ``DomainError`` and changes nothing."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases.photos import clean_photo
from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.funds.models import (
    ApplicationStatus,
    ContributionSource,
    DonorKind,
    Fund,
    FundEntry,
    FundEntryKind,
    FundingApplication,
    MicroProject,
    MicroProjectStatus,
    MicroWish,
    RenovationKind,
    RenovationProject,
    RevenueCategory,
    RevenueEntry,
    RevenueQuarter,
    WishStatus,
    WorkSource,
)
from gongzhi.places.models import Place, PlaceKind

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("999999999999.99")


def money(value, *, label: str = "", allow_zero: bool = False) -> Decimal:
    """Parse an amount in yuan: a number with at most two decimal places, positive (or zero when
    allowed), below a trillion. Floats are refused by going through ``str``."""
    label = label or _("金额")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(_("请填写%(label)s") % {"label": label})
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(label)s必须是数字") % {"label": label}) from None
    if not amount.is_finite():
        raise DomainError(_("%(label)s必须是数字") % {"label": label})
    if amount != amount.quantize(CENT):
        raise DomainError(_("%(label)s最多保留两位小数") % {"label": label})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(_("%(label)s必须大于零") % {"label": label})
    if amount > MONEY_LIMIT:
        raise DomainError(_("%(label)s太大") % {"label": label})
    return amount.quantize(CENT)


def cents(value) -> Decimal:
    """A database sum as exact yuan: SQLite adds decimals as floats, so round back to cents."""
    return Decimal(str(value or 0)).quantize(CENT)


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


def _date(value, label: str = "") -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("%(label)s日期格式不正确") % {"label": label}) from None


# --- the fund ------------------------------------------------------------------------------------


@transaction.atomic
def fund_create(*, place: Place, name: str, description: str = "", acting_user) -> Fund:
    if place.kind not in (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY):
        raise DomainError(_("基金只能设在街道或社区"))
    _require(acting_user, "funds.manage_fund", place)
    fund = Fund.objects.create(place=place, name=_text(name, _("请填写基金名称"), 100), description=description)
    audit_record(acting_user=acting_user, action="fund.create", target=place.path, detail={"fund": fund.id})
    return fund


def fund_balance(fund: Fund) -> Decimal:
    return cents(fund.entries.aggregate(total=Sum("amount"))["total"])


def _lock_fund(fund: Fund) -> Fund:
    return Fund.objects.select_for_update().get(pk=fund.pk)


@transaction.atomic
def fund_contribute(
    *, fund: Fund, source: str, amount, counterparty: str, on_date, evidence: str, acting_user
) -> FundEntry:
    """A contribution from the government, a company, a resident, a shop or another source."""
    _require(acting_user, "funds.manage_fund", fund)
    if source not in ContributionSource.values:
        raise DomainError(_("请选择出资来源"))
    amount = money(amount, label=_("捐资金额"))
    entry = FundEntry.objects.create(
        fund=_lock_fund(fund),
        kind=FundEntryKind.CONTRIBUTION,
        amount=amount,
        source=source,
        counterparty=_text(counterparty, _("请填写出资方"), 100),
        on_date=_date(on_date),
        evidence=_text(evidence, _("每笔收支都要有凭证（如收据号、转账单号）"), 200),
        created_by=acting_user,
    )
    audit_record(acting_user=acting_user, action="fund.contribute", target=fund.place.path, detail={"entry": entry.id})
    return entry


@transaction.atomic
def fund_grant(
    *,
    fund: Fund,
    amount,
    purpose: str,
    estate: Place | None,
    counterparty: str,
    on_date,
    evidence: str,
    acting_user,
    co_funding=0,
) -> FundEntry:
    """A grant to a project; ``co_funding`` is the money the grant drew in from others (seed 002:
    50,000 from the fund drew 500,000 from residents). Refused when larger than the balance."""
    _require(acting_user, "funds.manage_fund", fund)
    amount = money(amount, label=_("资助金额"))
    co_funding = money(co_funding or "0", label=_("配套资金"), allow_zero=True)
    purpose = _text(purpose, _("请填写资助用途"), 200)
    if estate is not None:
        _estate(estate)
        if not estate.path.startswith(fund.place.path):
            raise DomainError(_("该小区不在基金所属地区内"))
    locked = _lock_fund(fund)
    balance = fund_balance(locked)
    if amount > balance:
        raise DomainError(
            _("资助金额 %(amount)s 元超过基金余额 %(balance)s 元") % {"amount": amount, "balance": balance}, status=409
        )
    entry = FundEntry.objects.create(
        fund=locked,
        kind=FundEntryKind.GRANT,
        amount=-amount,
        purpose=purpose,
        estate=estate,
        counterparty=_text(counterparty, _("请填写受助方"), 100),
        co_funding=co_funding,
        on_date=_date(on_date),
        evidence=_text(evidence, _("每笔收支都要有凭证（如收据号、转账单号）"), 200),
        created_by=acting_user,
    )
    audit_record(acting_user=acting_user, action="fund.grant", target=fund.place.path, detail={"entry": entry.id})
    return entry


@transaction.atomic
def fund_entry_reverse(*, entry: FundEntry, reason: str, evidence: str, acting_user, on_date=None) -> FundEntry:
    """Correct a mistaken entry by a reversing entry of the opposite amount. Reversing a
    contribution is refused when the money has already been granted away."""
    _require(acting_user, "funds.manage_fund", entry.fund)
    if entry.kind == FundEntryKind.REVERSAL:
        raise DomainError(_("冲正记录不能再冲正"))
    if FundEntry.objects.filter(reverses=entry).exists():
        raise DomainError(_("该笔已冲正"), status=409)
    reason = _text(reason, _("请填写冲正原因"), 200)
    locked = _lock_fund(entry.fund)
    if entry.amount > 0 and fund_balance(locked) - entry.amount < 0:
        raise DomainError(_("冲正后基金余额将为负数，不能冲正该笔捐资"), status=409)
    reversal = FundEntry.objects.create(
        fund=locked,
        kind=FundEntryKind.REVERSAL,
        amount=-entry.amount,
        source=entry.source,
        counterparty=entry.counterparty,
        purpose=reason,
        estate=entry.estate,
        co_funding=-entry.co_funding,
        on_date=_date(on_date or timezone.localdate()),
        evidence=_text(evidence, _("每笔收支都要有凭证（如收据号、转账单号）"), 200),
        reverses=entry,
        created_by=acting_user,
    )
    audit_record(acting_user=acting_user, action="fund.reverse", target=locked.place.path, detail={"entry": entry.id})
    return reversal


# --- public revenue -----------------------------------------------------------------------------


def _quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, end


def _refuse_if_published(estate, day) -> None:
    year, quarter = _quarter_of(day)
    if RevenueQuarter.objects.filter(estate=estate, year=year, quarter=quarter, published_at__isnull=False).exists():
        raise DomainError(_("%(y)s年第%(q)s季度已公示，请记在当前季度") % {"y": year, "q": quarter}, status=409)


@transaction.atomic
def revenue_record(
    *, estate: Place, category: str, amount, is_cost: bool, on_date, note: str, evidence: str, acting_user
) -> RevenueEntry:
    """An income (parking, charging, advertising, leases, other) or a cost of an estate's common parts."""
    _estate(estate)
    _require(acting_user, "funds.manage_revenue", estate)
    if category not in RevenueCategory.values:
        raise DomainError(_("请选择收益类别"))
    amount = money(amount, label=_("金额"))
    day = _date(on_date)
    if day > timezone.localdate():
        raise DomainError(_("日期不能晚于今天"))
    _refuse_if_published(estate, day)
    entry = RevenueEntry.objects.create(
        estate=estate,
        category=category,
        is_cost=bool(is_cost),
        amount=-amount if is_cost else amount,
        on_date=day,
        note=_text(note, _("请填写摘要"), 200),
        evidence=_text(evidence, _("每笔收支都要有凭证（如收据号、转账单号）"), 200),
        created_by=acting_user,
    )
    audit_record(acting_user=acting_user, action="revenue.record", target=estate.path, detail={"entry": entry.id})
    return entry


@transaction.atomic
def revenue_entry_reverse(*, entry: RevenueEntry, reason: str, acting_user) -> RevenueEntry:
    _require(acting_user, "funds.manage_revenue", entry.estate)
    if entry.reverses_id:
        raise DomainError(_("冲正记录不能再冲正"))
    if RevenueEntry.objects.filter(reverses=entry).exists():
        raise DomainError(_("该笔已冲正"), status=409)
    today = timezone.localdate()
    _refuse_if_published(entry.estate, today)
    reversal = RevenueEntry.objects.create(
        estate=entry.estate,
        category=entry.category,
        is_cost=entry.is_cost,
        amount=-entry.amount,
        on_date=today,
        note=_text(reason, _("请填写冲正原因"), 200),
        evidence=entry.evidence,
        reverses=entry,
        created_by=acting_user,
    )
    audit_record(
        acting_user=acting_user, action="revenue.reverse", target=entry.estate.path, detail={"entry": entry.id}
    )
    return reversal


def revenue_totals(estate: Place, start: datetime.date, end: datetime.date) -> dict:
    rows = RevenueEntry.objects.filter(estate=estate, on_date__gte=start, on_date__lt=end)
    income = cents(rows.filter(is_cost=False).aggregate(t=Sum("amount"))["t"])
    costs = -cents(rows.filter(is_cost=True).aggregate(t=Sum("amount"))["t"])
    return {"income": income, "costs": costs, "net": income - costs}


def _quarter_row(estate, year, quarter) -> RevenueQuarter:
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise DomainError(_("季度无效"))
    row, _created = RevenueQuarter.objects.select_for_update().get_or_create(estate=estate, year=year, quarter=quarter)
    return row


@transaction.atomic
def revenue_quarter_review(*, estate: Place, year: int, quarter: int, note: str, acting_user) -> RevenueQuarter:
    """业财社管: the community reviews the quarter's accounts before they are published."""
    _estate(estate)
    _require(acting_user, "funds.review_revenue", estate, _("只有社区可以审核小区公共收益账目"))
    row = _quarter_row(estate, year, quarter)
    if row.published_at:
        raise DomainError(_("该季度已公示"), status=409)
    start, end = quarter_bounds(year, quarter)
    if end > timezone.localdate() + datetime.timedelta(days=1):
        raise DomainError(_("季度尚未结束，不能审核"))
    row.reviewed_at = timezone.now()
    row.reviewed_by = acting_user
    row.review_note = _text(note, _("请填写审核意见"), 200)
    row.save()
    audit_record(acting_user=acting_user, action="revenue.review", target=estate.path, detail={"y": year, "q": quarter})
    return row


@transaction.atomic
def revenue_quarter_publish(*, estate: Place, year: int, quarter: int, acting_user) -> RevenueQuarter:
    """Publish a reviewed quarter to the owners; the figures are frozen from then on."""
    from gongzhi.notifications.services import notification_send

    _estate(estate)
    _require(acting_user, "funds.manage_revenue", estate)
    row = _quarter_row(estate, year, quarter)
    if row.published_at:
        raise DomainError(_("该季度已公示"), status=409)
    if not row.reviewed_at:
        raise DomainError(_("社区审核（业财社管）之后才能公示"), status=409)
    start, end = quarter_bounds(year, quarter)
    totals = revenue_totals(estate, start, end)
    row.income, row.costs, row.net = totals["income"], totals["costs"], totals["net"]
    row.published_at = timezone.now()
    row.save()
    audit_record(
        acting_user=acting_user, action="revenue.publish", target=estate.path, detail={"y": year, "q": quarter}
    )
    from gongzhi.accounts.models import User

    owners = User.objects.filter(person__ownerships__flat__estate=estate, person__ownerships__ends_on__isnull=True)
    title = _("%(estate)s %(y)s年第%(q)s季度公共收益已公示") % {"estate": estate.name, "y": year, "q": quarter}
    transaction.on_commit(
        lambda: notification_send(users=list(owners), title=title, url=f"/funds/revenue/{estate.id}/", kind="revenue")
    )
    return row


# --- micro-works (微实事 月定月办) -------------------------------------------------------------------


def first_of_month(value) -> datetime.date:
    if isinstance(value, str):
        try:
            year, month = value[:7].split("-")
            return datetime.date(int(year), int(month), 1)
        except ValueError:
            raise DomainError(_("月份格式不正确")) from None
    return value.replace(day=1)


@transaction.atomic
def micro_project_plan(
    *, estate: Place, month, title: str, source: str = WorkSource.OTHER, source_case=None, acting_user
) -> MicroProject:
    _estate(estate)
    _require(acting_user, "funds.manage_works", estate)
    if source not in WorkSource.values:
        raise DomainError(_("请选择来源"))
    month = first_of_month(month)
    if month < first_of_month(timezone.localdate()) - datetime.timedelta(days=1):
        raise DomainError(_("不能为已过去的月份补计划"))
    if source_case is not None:
        if source_case.estate_id != estate.id:
            raise DomainError(_("来源诉求不属于该小区"))
        source = WorkSource.CASE
    project = MicroProject.objects.create(
        estate=estate,
        month=month,
        title=_text(title, _("请填写实事内容"), 100),
        source=source,
        source_case=source_case,
        created_by=acting_user,
    )
    audit_record(acting_user=acting_user, action="micro_project.plan", target=estate.path, detail={"id": project.id})
    return project


@transaction.atomic
def micro_project_complete(
    *, project: MicroProject, evidence: str, photo=None, acting_user, done_on=None
) -> MicroProject:
    project = MicroProject.objects.select_for_update().get(pk=project.pk)
    _require(acting_user, "funds.manage_works", project.estate)
    if project.status != MicroProjectStatus.PLANNED:
        raise DomainError(_("该实事已办结或已取消"), status=409)
    evidence = _text(evidence, _("办结需要凭证：请说明办理情况"), 200)
    if photo is None:
        raise DomainError(_("办结需要上传现场照片"))
    cleaned = clean_photo(photo)
    project.status = MicroProjectStatus.DONE
    project.done_on = done_on or timezone.localdate()
    project.evidence = evidence
    project.photo.save(cleaned.content.name, cleaned.content, save=False)
    project.save()
    audit_record(
        acting_user=acting_user, action="micro_project.done", target=project.estate.path, detail={"id": project.id}
    )
    return project


# --- micro-wishes (微心愿) -------------------------------------------------------------------------


@transaction.atomic
def micro_wish_post(*, estate: Place, title: str, description: str = "", acting_user) -> MicroWish:
    _estate(estate)
    _require(acting_user, "funds.post_wish", estate, _("只有本小区居民可以发布心愿"))
    wish = MicroWish.objects.create(
        estate=estate,
        poster=acting_user.person,
        title=_text(title, _("请写下您的心愿"), 60),
        description=(description or "").strip()[:500],
    )
    audit_record(acting_user=acting_user, action="micro_wish.post", target=estate.path, detail={"id": wish.id})
    return wish


@transaction.atomic
def micro_wish_review(*, wish: MicroWish, approve: bool, acting_user, reason: str = "") -> MicroWish:
    _require(acting_user, "funds.review_wish", wish)
    updated = MicroWish.objects.filter(pk=wish.pk, status=WishStatus.PENDING)
    values = {"reviewed_by": acting_user}
    if approve:
        values["status"] = WishStatus.APPROVED
    else:
        values["status"] = WishStatus.REJECTED
        values["reject_reason"] = _text(reason, _("请填写未通过原因"), 200)
    if not updated.update(**values):
        raise DomainError(_("该心愿已审核"), status=409)
    audit_record(acting_user=acting_user, action="micro_wish.review", target=wish.estate.path, detail={"id": wish.id})
    wish.refresh_from_db()
    return wish


@transaction.atomic
def micro_wish_claim(*, wish: MicroWish, donor_kind: str, acting_user, donor_unit=None) -> MicroWish:
    """A donor claims an approved wish. The status changes with one conditional UPDATE, so of two
    donors claiming at the same moment exactly one wins; the other gets a clear refusal."""
    from gongzhi.accounts import access
    from gongzhi.notifications.services import notification_send

    _require(acting_user, "funds.claim_wish", wish, _("您不能认领该心愿"))
    person = getattr(acting_user, "person", None)
    if donor_kind not in DonorKind.values:
        raise DomainError(_("请选择认领方式"))
    if donor_kind == DonorKind.PARTY_MEMBER and not (person and person.is_party_member):
        raise DomainError(_("只有党员可以以党员身份认领"))
    if donor_kind == DonorKind.PARTNER_UNIT:
        if donor_unit is None or donor_unit.kind != "partner_unit":
            raise DomainError(_("请选择共建单位"))
        if donor_unit.id not in access.organization_ids(acting_user):
            raise DomainError(_("您不是该共建单位的联络人"), status=403)
    else:
        donor_unit = None
    if wish.poster_id == getattr(person, "id", None):
        raise DomainError(_("不能认领自己的心愿"))
    claimed = MicroWish.objects.filter(pk=wish.pk, status=WishStatus.APPROVED).update(
        status=WishStatus.CLAIMED, donor_kind=donor_kind, donor=person, donor_unit=donor_unit, claimed_at=timezone.now()
    )
    if not claimed:
        current = MicroWish.objects.get(pk=wish.pk)
        if current.status in (WishStatus.CLAIMED, WishStatus.FULFILLED):
            raise DomainError(_("该心愿已被认领"), status=409)
        raise DomainError(_("该心愿尚未通过审核，不能认领"), status=409)
    wish.refresh_from_db()
    audit_record(acting_user=acting_user, action="micro_wish.claim", target=wish.estate.path, detail={"id": wish.id})
    poster_user = getattr(wish.poster, "user", None)
    title = _("您的心愿“%(title)s”已被认领") % {"title": wish.title}
    transaction.on_commit(
        lambda: notification_send(users=[poster_user], title=title, url=f"/funds/wishes/{wish.id}/", kind="wish")
    )
    return wish


@transaction.atomic
def micro_wish_fulfil(*, wish: MicroWish, photo, acting_user) -> MicroWish:
    wish = MicroWish.objects.select_for_update().get(pk=wish.pk)
    if wish.status != WishStatus.CLAIMED:
        raise DomainError(_("只有已认领的心愿可以标记实现"), status=409)
    person = getattr(acting_user, "person", None)
    is_donor = person is not None and wish.donor_id == person.id
    if not is_donor and not acting_user.has_perm("funds.review_wish", wish):
        raise DomainError(_("只有认领人或社区工作人员可以标记实现"), status=403)
    if photo is None:
        raise DomainError(_("请上传心愿实现的照片"))
    cleaned = clean_photo(photo)
    wish.photo.save(cleaned.content.name, cleaned.content, save=False)
    wish.status = WishStatus.FULFILLED
    wish.fulfilled_at = timezone.now()
    wish.save()
    audit_record(acting_user=acting_user, action="micro_wish.fulfil", target=wish.estate.path, detail={"id": wish.id})
    return wish


# --- renovation ----------------------------------------------------------------------------------


@transaction.atomic
def renovation_project_create(*, estate: Place, kind: str, title: str, amount, acting_user) -> RenovationProject:
    _estate(estate)
    _require(acting_user, "funds.manage_renovation", estate)
    if kind not in RenovationKind.values:
        raise DomainError(_("请选择改造类型"))
    project = RenovationProject.objects.create(
        estate=estate, kind=kind, title=_text(title, _("请填写项目名称"), 100), amount=money(amount, label=_("预算"))
    )
    audit_record(acting_user=acting_user, action="renovation.create", target=estate.path, detail={"id": project.id})
    return project


@transaction.atomic
def funding_application_create(
    *, place: Place, title: str, projects, funder: str = "", acting_user
) -> FundingApplication:
    """Package renovation projects of several estates into one application."""
    _require(acting_user, "funds.manage_renovation", place)
    projects = list(
        RenovationProject.objects.select_for_update().select_related("estate").filter(pk__in=[p.pk for p in projects])
    )
    if not projects:
        raise DomainError(_("项目包至少包含一个改造项目"))
    for project in projects:
        if not project.estate.path.startswith(place.path):
            raise DomainError(_("%(title)s不在申报地区内") % {"title": project.title})
        if project.application_id:
            raise DomainError(_("%(title)s已在其他项目包中") % {"title": project.title}, status=409)
    application = FundingApplication.objects.create(
        place=place, title=_text(title, _("请填写项目包名称"), 100), funder=(funder or "").strip()[:100]
    )
    RenovationProject.objects.filter(pk__in=[p.pk for p in projects]).update(application=application)
    audit_record(
        acting_user=acting_user, action="funding_application.create", target=place.path, detail={"id": application.id}
    )
    return application


def application_amount(application: FundingApplication) -> Decimal:
    return cents(application.projects.aggregate(t=Sum("amount"))["t"])


TRANSITIONS = {
    ApplicationStatus.DRAFT: {ApplicationStatus.SUBMITTED},
    ApplicationStatus.SUBMITTED: {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED},
}


@transaction.atomic
def funding_application_advance(
    *, application: FundingApplication, status: str, acting_user, amount_approved=None
) -> FundingApplication:
    application = FundingApplication.objects.select_for_update().get(pk=application.pk)
    _require(acting_user, "funds.manage_renovation", application.place)
    if status not in TRANSITIONS.get(application.status, set()):
        raise DomainError(_("项目包当前状态不能改为该状态"), status=409)
    if status == ApplicationStatus.SUBMITTED:
        application.submitted_on = timezone.localdate()
    if status == ApplicationStatus.APPROVED:
        approved = money(amount_approved, label=_("批复金额"))
        if approved > application_amount(application):
            raise DomainError(_("批复金额不能超过申报金额"))
        application.amount_approved = approved
    application.status = status
    application.save()
    audit_record(
        acting_user=acting_user,
        action="funding_application.status",
        target=application.place.path,
        detail={"status": status},
    )
    return application
