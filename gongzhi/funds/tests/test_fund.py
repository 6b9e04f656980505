import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core.errors import DomainError
from gongzhi.funds import services
from gongzhi.funds.models import FundEntry
from gongzhi.funds.selectors import fund_summary
from gongzhi.indicators.registry import REGISTRY, Period

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 3, 1)


def contribute(fund, admin, amount, source="government"):
    return services.fund_contribute(
        fund=fund,
        source=source,
        amount=amount,
        counterparty="青阳街道财政",
        on_date=DAY,
        evidence="财政拨款单 001",
        acting_user=admin,
    )


def test_contributions_and_a_grant_with_co_funding_show_balance_and_leverage(world, fund, admin):
    contribute(fund, admin, "500000.00")
    contribute(fund, admin, "1200000", source="company")
    contribute(fund, admin, "300000.50", source="resident")
    services.fund_grant(
        fund=fund,
        amount="50000",
        co_funding="500000",
        purpose="象峰安置小区基础设施改造",
        estate=world.estate,
        counterparty="檀悦小区业委会",
        on_date=DAY,
        evidence="拨付单 17",
        acting_user=admin,
    )
    summary = fund_summary(fund)
    assert summary["balance"] == Decimal("1950000.50")
    assert summary["raised"] == Decimal("2000000.50")
    assert summary["leverage"] == Decimal("10.00")
    period = Period(datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
    assert REGISTRY["funds.raised"].compute(world.subdistrict, period).value == Decimal("2000000.50")
    assert REGISTRY["funds.seed_money"].compute(world.subdistrict, period).value == Decimal("500000.00")
    assert REGISTRY["funds.leverage"].compute(world.subdistrict, period).value == Decimal("10.00")


@pytest.mark.parametrize(
    "amount,message",
    [
        ("-100", "必须大于零"),
        ("0", "必须大于零"),
        ("12.345", "两位小数"),
        ("abc", "必须是数字"),
        ("NaN", "必须是数字"),
        ("", "请填写"),
    ],
)
def test_bad_contribution_amounts_are_refused_and_change_nothing(fund, admin, amount, message):
    with pytest.raises(DomainError) as error:
        contribute(fund, admin, amount)
    assert message in error.value.message
    assert FundEntry.objects.count() == 0


def test_every_entry_needs_evidence(fund, admin):
    with pytest.raises(DomainError, match="凭证"):
        services.fund_contribute(
            fund=fund, source="shop", amount="10", counterparty="便利店", on_date=DAY, evidence=" ", acting_user=admin
        )


def test_a_grant_larger_than_the_balance_is_refused(world, fund, admin):
    contribute(fund, admin, "80000")
    with pytest.raises(DomainError) as error:
        services.fund_grant(
            fund=fund,
            amount="80000.01",
            purpose="成立社区物业公司",
            estate=None,
            counterparty="霞行社区",
            on_date=DAY,
            evidence="拨付单",
            acting_user=admin,
        )
    assert "超过基金余额" in error.value.message and error.value.status == 409
    assert FundEntry.objects.count() == 1


def test_only_fund_managers_write_the_fund(world, fund):
    with pytest.raises(DomainError) as error:
        contribute(fund, world.users["community_worker"], "10")
    assert error.value.status == 403


def test_a_correction_is_a_reversing_entry_and_the_original_stays(fund, admin):
    entry = contribute(fund, admin, "1000")
    reversal = services.fund_entry_reverse(entry=entry, reason="重复入账", evidence="更正单 1", acting_user=admin)
    assert reversal.amount == Decimal("-1000.00") and reversal.reverses == entry
    assert FundEntry.objects.count() == 2
    assert services.fund_balance(fund) == 0
    with pytest.raises(DomainError, match="已冲正"):
        services.fund_entry_reverse(entry=entry, reason="再冲", evidence="x", acting_user=admin)
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()


def test_reversing_a_contribution_already_granted_away_is_refused(world, fund, admin):
    entry = contribute(fund, admin, "100")
    services.fund_grant(
        fund=fund,
        amount="60",
        purpose="绿植修复",
        estate=world.estate,
        counterparty="物业",
        on_date=DAY,
        evidence="单",
        acting_user=admin,
    )
    with pytest.raises(DomainError, match="负数"):
        services.fund_entry_reverse(entry=entry, reason="错", evidence="单", acting_user=admin)


operations = st.lists(
    st.tuples(
        st.sampled_from(["contribute", "grant", "reverse"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
        st.integers(min_value=0, max_value=20),
    ),
    min_size=1,
    max_size=15,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_the_balance_is_always_the_sum_of_the_entries(world, admin, ops):
    fund = services.fund_create(place=world.subdistrict, name="基金", acting_user=admin)
    expected = Decimal("0.00")
    for op, amount, pick in ops:
        try:
            if op == "contribute":
                contribute(fund, admin, amount)
                expected += amount
            elif op == "grant":
                services.fund_grant(
                    fund=fund,
                    amount=amount,
                    purpose="p",
                    estate=None,
                    counterparty="c",
                    on_date=DAY,
                    evidence="e",
                    acting_user=admin,
                )
                expected -= amount
            else:
                entries = list(fund.entries.exclude(kind="reversal").filter(reversed_by__isnull=True))
                if entries:
                    entry = entries[pick % len(entries)]
                    services.fund_entry_reverse(entry=entry, reason="r", evidence="e", acting_user=admin)
                    expected -= entry.amount
        except DomainError:
            pass  # refused operations change nothing
        balance = services.fund_balance(fund)
        assert balance == expected
        assert balance >= 0
        assert balance == sum((e.amount for e in fund.entries.all()), Decimal("0"))
        assert fund_summary(fund)["balance"] == balance
