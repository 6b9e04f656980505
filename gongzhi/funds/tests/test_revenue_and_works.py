import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.errors import DomainError
from gongzhi.funds import services
from gongzhi.funds.models import MicroProject, RevenueEntry
from gongzhi.indicators.registry import REGISTRY, Period
from gongzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def last_quarter():
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3
    if quarter == 0:
        year, quarter = year - 1, 4
    return year, quarter


def record(world, amount, *, is_cost=False, category="parking", day=None, user="committee_chair"):
    year, quarter = last_quarter()
    start, _end = services.quarter_bounds(year, quarter)
    return services.revenue_record(
        estate=world.estate,
        category=category,
        amount=amount,
        is_cost=is_cost,
        on_date=day or start + datetime.timedelta(days=3),
        note="地下车位月租",
        evidence="收据 88",
        acting_user=world.users[user],
    )


def test_quarter_published_only_after_the_community_review(world, client_for, django_capture_on_commit_callbacks):
    record(world, "12000")
    record(world, "3000", category="charging")
    record(world, "2500.50", is_cost=True, category="other")
    year, quarter = last_quarter()
    chair = world.users["committee_chair"]
    with pytest.raises(DomainError, match="业财社管"):
        services.revenue_quarter_publish(estate=world.estate, year=year, quarter=quarter, acting_user=chair)
    with pytest.raises(DomainError) as error:
        services.revenue_quarter_review(
            estate=world.estate, year=year, quarter=quarter, note="账目相符", acting_user=chair
        )
    assert error.value.status == 403
    services.revenue_quarter_review(
        estate=world.estate, year=year, quarter=quarter, note="账目相符", acting_user=world.users["community_worker"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        row = services.revenue_quarter_publish(estate=world.estate, year=year, quarter=quarter, acting_user=chair)
    assert (row.income, row.costs, row.net) == (Decimal("15000.00"), Decimal("2500.50"), Decimal("12499.50"))
    assert Notification.objects.filter(user=world.users["resident"], kind="revenue").exists()
    # The owner sees the published net on the phone; the ledger lines stay with staff.
    page = client_for("resident").get(f"/funds/revenue/{world.estate.id}/")
    assert "12499.50" in page.content.decode() and "收据 88" not in page.content.decode()
    # A published quarter is frozen: a late entry dated inside it is refused.
    with pytest.raises(DomainError, match="已公示"):
        record(world, "100")
    assert RevenueEntry.objects.count() == 3


def test_revenue_corrections_are_reversing_entries(world):
    entry = record(world, "500", day=timezone.localdate())
    services.revenue_entry_reverse(entry=entry, reason="记错金额", acting_user=world.users["committee_chair"])
    totals = services.revenue_totals(
        world.estate, timezone.localdate(), timezone.localdate() + datetime.timedelta(days=1)
    )
    assert totals["net"] == 0 and RevenueEntry.objects.count() == 2


@pytest.mark.parametrize("amount", ["-5", "0", "1.001", "x"])
def test_bad_revenue_amounts_are_refused(world, amount):
    with pytest.raises(DomainError):
        record(world, amount)
    assert RevenueEntry.objects.count() == 0


def test_a_resident_cannot_keep_the_books(world):
    with pytest.raises(DomainError) as error:
        record(world, "10", user="resident")
    assert error.value.status == 403


def test_micro_works_plan_vs_done_and_backlog(world, photo):
    staff = world.users["branch_secretary"]
    this_month = timezone.localdate().replace(day=1)
    a = services.micro_project_plan(
        estate=world.estate, month=this_month, title="修复3号楼绿植", source="meeting", acting_user=staff
    )
    services.micro_project_plan(
        estate=world.estate, month=this_month, title="搭建停车棚", source="survey", acting_user=staff
    )
    with pytest.raises(DomainError, match="照片"):
        services.micro_project_complete(project=a, evidence="已补种", photo=None, acting_user=staff)
    with pytest.raises(DomainError, match="凭证"):
        services.micro_project_complete(project=a, evidence="", photo=photo(), acting_user=staff)
    services.micro_project_complete(project=a, evidence="已补种20株", photo=photo(), acting_user=staff)
    with pytest.raises(DomainError, match="已办结"):
        services.micro_project_complete(project=a, evidence="again", photo=photo(), acting_user=staff)
    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    month = Period(this_month, next_month)
    estate = world.estate
    assert REGISTRY["works.planned"].compute(estate, month).value == 2
    assert REGISTRY["works.done"].compute(estate, month).value == 1
    assert REGISTRY["works.done_rate"].compute(estate, month).value == Decimal("50.0")
    following = Period(next_month, (next_month + datetime.timedelta(days=32)).replace(day=1))
    assert REGISTRY["works.backlog"].compute(world.subdistrict, following).value == 1
    MicroProject.objects.get(pk=a.pk).photo.open("rb").close()


def test_micro_works_refused_for_past_months_and_outsiders(world):
    with pytest.raises(DomainError, match="已过去"):
        services.micro_project_plan(
            estate=world.estate, month=datetime.date(2020, 1, 1), title="x", acting_user=world.users["branch_secretary"]
        )
    with pytest.raises(DomainError) as error:
        services.micro_project_plan(
            estate=world.estate, month=timezone.localdate(), title="x", acting_user=world.users["steward"]
        )
    assert error.value.status == 403


def test_renovation_package_with_amount_and_status(world):
    worker = world.users["community_worker"]
    lift = services.renovation_project_create(
        estate=world.estate, kind="lift", title="1号楼加装电梯", amount="800000", acting_user=worker
    )
    fire = services.renovation_project_create(
        estate=world.third_estate, kind="fire_main", title="消防管网改造", amount="1200000", acting_user=worker
    )
    application = services.funding_application_create(
        place=world.community,
        title="阳光社区老旧小区改造项目包",
        funder="中央预算内资金",
        projects=[lift, fire],
        acting_user=worker,
    )
    assert services.application_amount(application) == Decimal("2000000.00")
    with pytest.raises(DomainError, match="其他项目包"):
        services.funding_application_create(place=world.community, title="再包", projects=[lift], acting_user=worker)
    with pytest.raises(DomainError):
        services.funding_application_advance(
            application=application, status="approved", amount_approved="1", acting_user=worker
        )
    services.funding_application_advance(application=application, status="submitted", acting_user=worker)
    with pytest.raises(DomainError, match="超过申报金额"):
        services.funding_application_advance(
            application=application, status="approved", amount_approved="2000000.01", acting_user=worker
        )
    done = services.funding_application_advance(
        application=application, status="approved", amount_approved="1800000", acting_user=worker
    )
    assert done.amount_approved == Decimal("1800000.00")
