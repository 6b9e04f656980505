"""Spreadsheets of the fund ledger and the estate's public revenue: downloaded as a user would (page
and API, session and app token), opened with openpyxl, checked figure by figure, and searched for
personal data the user's post may not see."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.models import AuditEntry
from gongzhi.funds import selectors, services
from gongzhi.funds.exports import XLSX
from gongzhi.open311 import services as tokens

pytestmark = pytest.mark.django_db

HUGE = "2104750527380668809216"


def workbook_of(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    assert ".xlsx" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))


def rows_of(sheet):
    """Data rows under the three heading rows (title, place and date, column headings)."""
    return [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]


def yuan(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def every_cell(workbook) -> str:
    return "\n".join(
        str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value
    )


@pytest.fixture
def ledger(world, fund, admin):
    """Contributions from four sources (one a resident), two grants with co-funding, one of them
    reversed, and a mistaken contribution reversed."""
    entries = {}

    def give(source, amount, who, day):
        return services.fund_contribute(
            fund=fund,
            source=source,
            amount=amount,
            counterparty=who,
            on_date=day,
            evidence=f"收据 {day}",
            acting_user=admin,
        )

    entries["seed"] = give("government", "500000", "青阳街道财政所", "2025-01-05")
    entries["company"] = give("company", "120000.50", "红心物业", "2025-01-20")
    entries["resident"] = give("resident", "800", "赵建国", "2025-02-01")
    entries["shop"] = give("shop", "3000", "便利店", "2025-02-03")
    entries["mistake"] = give("other", "999", "无名", "2025-02-04")
    services.fund_entry_reverse(entry=entries["mistake"], reason="重复入账", evidence="更正单 1", acting_user=admin)
    entries["lift"] = services.fund_grant(
        fund=fund,
        amount="50000",
        purpose="加装电梯",
        estate=world.estate,
        counterparty="檀悦小区业委会",
        co_funding="500000",
        on_date="2025-03-01",
        evidence="拨款单 7",
        acting_user=admin,
    )
    entries["wrong"] = services.fund_grant(
        fund=fund,
        amount="1000",
        purpose="误拨",
        estate=None,
        counterparty="某项目",
        on_date="2025-03-02",
        evidence="拨款单 8",
        acting_user=admin,
    )
    services.fund_entry_reverse(entry=entries["wrong"], reason="拨错", evidence="更正单 2", acting_user=admin)
    return entries


def test_fund_workbook_adds_up_to_the_balance(world, fund, ledger, client_for):
    book = workbook_of(client_for("other_resident").get(f"/funds/{fund.id}/export.xlsx"))
    assert book.sheetnames == ["收支明细", "资助项目", "汇总"]
    rows = rows_of(book["收支明细"])
    entries, total = rows[:-1], rows[-1]
    assert len(entries) == 9 and total[0] == "合计"
    amounts = [yuan(r[7]) for r in entries]
    balance = services.fund_balance(fund)
    assert balance == Decimal("573800.50")
    # The balance is the sum of the entries, the running balance ends on it, the total row says it.
    assert sum(amounts) == balance == yuan(entries[-1][9]) == yuan(total[7]) == yuan(total[9])
    running = Decimal("0")
    for row in entries:
        running += yuan(row[7])
        assert yuan(row[9]) == running
    # A reversal names the line it corrects by its number in the sheet.
    reversal = next(r for r in entries if r[2] == "冲正" and r[5] == "重复入账")
    assert yuan(reversal[7]) == Decimal("-999.00") and reversal[11] == "第5笔"

    grants = rows_of(book["资助项目"])
    assert [(g[2], yuan(g[5]), yuan(g[6]), g[8]) for g in grants] == [
        ("加装电梯", Decimal("50000.00"), Decimal("500000.00"), "有效"),
        ("误拨", Decimal("1000.00"), Decimal("0.00"), "已冲正"),
    ]
    assert yuan(grants[0][7]) == Decimal("10.00")

    summary = dict((r[0], r[1]) for r in rows_of(book["汇总"]))
    expected = selectors.fund_summary(fund)
    assert yuan(summary["余额（元）"]) == expected["balance"] == balance
    assert yuan(summary["累计筹集（元）"]) == expected["raised"] == Decimal("623800.50")
    assert yuan(summary["其中：居民（元）"]) == Decimal("800.00")
    assert yuan(summary["累计资助（元）"]) == Decimal("50000.00")
    assert yuan(summary["撬动倍数"]) == Decimal("10.00")


def test_a_resident_who_gave_is_named_only_to_those_who_may_see_it(world, fund, ledger, client_for):
    for persona in ("other_resident", "resident", "community_worker", "steward"):
        text = every_cell(workbook_of(client_for(persona).get(f"/funds/{fund.id}/export.xlsx")))
        assert "赵建国" not in text and "赵**" in text, persona
        # Companies and shops are not private persons.
        assert "红心物业" in text and "便利店" in text
        # No phone number of anyone in the world, masked or not, and no account names.
        assert "138" not in text and "subdistrict_admin" not in text
        page = client_for(persona).get(f"/funds/{fund.id}/").content.decode()
        assert "赵建国" not in page and "赵**" in page
    text = every_cell(workbook_of(client_for("subdistrict_admin").get(f"/funds/{fund.id}/export.xlsx")))
    assert "赵建国" in text


def test_fund_export_is_scoped_and_audited(world, fund, ledger, client_for):
    other = services.fund_create(
        place=world.other_community, name="梅岭社区基金", acting_user=world.users["subdistrict_admin"]
    )
    # A resident of another community does not see that community's fund: not found, not forbidden.
    assert client_for("resident").get(f"/funds/{other.id}/export.xlsx").status_code == 404
    assert client_for("other_resident").get(f"/funds/{other.id}/export.xlsx").status_code == 200
    assert client_for("resident").get(f"/funds/{HUGE}/export.xlsx").status_code == 404
    anonymous = client_for(None).get(f"/funds/{fund.id}/export.xlsx")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert AuditEntry.objects.filter(action="fund.export", actor=world.users["other_resident"]).count() == 1
    # The fund page links to it.
    assert f"/funds/{fund.id}/export.xlsx" in client_for("resident").get(f"/funds/{fund.id}/").content.decode()


def test_fund_export_over_the_api_with_an_app_token(world, fund, ledger, client):
    _token, secret = tokens.app_token_issue(acting_user=world.users["resident"], name="手机")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    book = workbook_of(client.get(f"/api/v1/funds/{fund.id}/export.xlsx", **bearer))
    rows = rows_of(book["收支明细"])
    assert sum(yuan(r[7]) for r in rows[:-1]) == services.fund_balance(fund)
    assert "赵建国" not in every_cell(book)
    for url in (f"/api/v1/funds/{fund.id + 1000}/export.xlsx", f"/api/v1/funds/{HUGE}/export.xlsx"):
        missing = client.get(url, **bearer)
        assert missing.status_code == 404 and missing.json()["detail"] == "基金不存在", url
    assert client.get(f"/api/v1/funds/{fund.id}/export.xlsx").status_code == 401
    # The JSON view masks the same names.
    body = client.get(f"/api/v1/funds/{fund.id}", **bearer).json()
    assert "赵**" in [e["counterparty"] for e in body["entries"]]


def last_quarter():
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3
    if quarter == 0:
        year, quarter = year - 1, 4
    return year, quarter


@pytest.fixture
def published(world):
    """Last quarter published (income 15,000, costs 2,500.50), and an entry of this quarter not
    yet published."""
    chair = world.users["committee_chair"]
    year, quarter = last_quarter()
    start, _end = services.quarter_bounds(year, quarter)

    def record(amount, category="parking", is_cost=False, day=start + datetime.timedelta(days=3), note="地下车位月租"):
        return services.revenue_record(
            estate=world.estate,
            category=category,
            amount=amount,
            is_cost=is_cost,
            on_date=day,
            note=note,
            evidence="收据 88",
            acting_user=chair,
        )

    record("12000")
    record("3000", category="charging")
    record("2500.50", is_cost=True, category="other", note="充电桩电费")
    services.revenue_quarter_review(
        estate=world.estate, year=year, quarter=quarter, note="账目相符", acting_user=world.users["community_worker"]
    )
    services.revenue_quarter_publish(estate=world.estate, year=year, quarter=quarter, acting_user=chair)
    record("777.77", category="advertising", day=timezone.localdate(), note="电梯广告本季")
    return year, quarter


def test_owners_get_the_published_quarters_only(world, published, client_for):
    year, quarter = published
    book = workbook_of(client_for("resident").get(f"/funds/revenue/{world.estate.id}/export.xlsx"))
    assert book.sheetnames == ["季度公示"]
    (row,) = rows_of(book["季度公示"])
    assert (row[0], row[1]) == (year, quarter)
    income, costs, net = yuan(row[2]), yuan(row[3]), yuan(row[4])
    assert (income, costs, net) == (Decimal("15000.00"), Decimal("2500.50"), Decimal("12499.50"))
    assert income - costs == net and row[5] == "账目相符"
    text = every_cell(book)
    # Nothing of the unpublished quarter, no ledger lines, no evidence, no names.
    assert "777.77" not in text and "电梯广告本季" not in text and "收据 88" not in text
    assert "黄主任" not in text and "刘社工" not in text and "138" not in text
    assert (
        f"/funds/revenue/{world.estate.id}/export.xlsx"
        in client_for("resident").get(f"/funds/revenue/{world.estate.id}/").content.decode()
    )


def test_staff_also_get_every_entry_and_it_adds_up(world, published, client_for):
    book = workbook_of(client_for("committee_chair").get(f"/funds/revenue/{world.estate.id}/export.xlsx"))
    assert book.sheetnames == ["季度公示", "收支明细"]
    rows = rows_of(book["收支明细"])
    entries, total = rows[:-1], rows[-1]
    assert len(entries) == 4 and total[0] == "合计"
    assert sum(yuan(r[5]) for r in entries) == Decimal("13277.27") == yuan(total[5]) == yuan(entries[-1][6])
    assert [r[3] for r in entries].count("支出") == 1


def test_revenue_export_permissions_and_odd_ids(world, published, client_for, client):
    assert client_for("other_resident").get(f"/funds/revenue/{world.estate.id}/export.xlsx").status_code == 404
    assert client_for("resident").get(f"/funds/revenue/{HUGE}/export.xlsx").status_code == 404
    # A building, not an estate.
    assert client_for("resident").get(f"/funds/revenue/{world.buildings[0].id}/export.xlsx").status_code == 404
    _token, secret = tokens.app_token_issue(acting_user=world.users["resident"], name="手机")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    book = workbook_of(client.get(f"/api/v1/funds/revenue/{world.estate.id}/export.xlsx", **bearer))
    assert book.sheetnames == ["季度公示"]
    for estate_id in (world.other_estate.id, world.buildings[0].id, HUGE):
        refused = client.get(f"/api/v1/funds/revenue/{estate_id}/export.xlsx", **bearer)
        assert refused.status_code == 404 and refused.json()["detail"] == "小区不存在", estate_id
