"""Spreadsheets of the money ledgers, in the layout treasurers already keep: a title row, the place
and export date, a bordered table with a bold frozen header, amounts as numbers with two decimals
(so the sheet adds up in Excel), A4 landscape.

The fund ledger (美好家园基金) is public to its whole area, like its page; the names of residents who
gave are shown only to those who may see them (as on the page). The public revenue workbook (公共收益)
holds the quarters published to the owners; staff of the estate also get every entry."""

import io
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.core.excel import BORDER, WRAP, titled_sheet
from gongzhi.funds.models import ZERO, FundEntryKind, RevenueEntry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN = "#,##0.00"


def _row(sheet, row: int, values: list, *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = BORDER
        cell.alignment = WRAP
        if isinstance(value, Decimal):
            cell.number_format = YUAN
        if bold:
            cell.font = Font(bold=True)


def _subtitle(place_name: str) -> str:
    return _("%(place)s · 导出日期：%(d)s") % {"place": place_name, "d": timezone.localdate().isoformat()}


def _bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fund_workbook(fund, summary: dict, entries, *, shows_contributors: bool) -> bytes:
    """Three sheets: 收支明细 (every entry in date order with the running balance; the last row is
    the total, equal to the balance), 资助项目 (grants with the co-funding each drew in) and 汇总
    (balance, raised by source, granted, co-funding, leverage)."""
    workbook = Workbook()
    ledger = workbook.active
    ledger.title = _("收支明细")
    titled_sheet(
        ledger,
        _("%(fund)s收支明细账") % {"fund": fund.name},
        _subtitle(fund.place.name),
        [
            (_("序号"), 6),
            (_("日期"), 12),
            (_("类型"), 8),
            (_("来源"), 8),
            (_("出资方/受助方"), 18),
            (_("用途/摘要"), 30),
            (_("小区"), 14),
            (_("金额（元）"), 16),
            (_("带动配套资金（元）"), 16),
            (_("余额（元）"), 16),
            (_("凭证"), 18),
            (_("冲正对象"), 10),
        ],
    )
    balance = ZERO
    row = 4
    number = {e.id: index for index, e in enumerate(entries, start=1)}
    for index, entry in enumerate(entries, start=1):
        balance += entry.amount
        _row(
            ledger,
            row,
            [
                index,
                entry.on_date,
                entry.get_kind_display(),
                entry.get_source_display() if entry.source else "",
                shown_counterparty(entry, shows_contributors),
                entry.purpose,
                entry.estate.name if entry.estate_id else "",
                entry.amount,
                entry.co_funding,
                balance,
                entry.evidence,
                _("第%(n)s笔") % {"n": number.get(entry.reverses_id, "")} if entry.reverses_id else "",
            ],
        )
        ledger.cell(row=row, column=2).number_format = "yyyy-mm-dd"
        row += 1
    total_amount = sum((e.amount for e in entries), ZERO)
    total_co = sum((e.co_funding for e in entries), ZERO)
    _row(ledger, row, [_("合计"), "", "", "", "", "", "", total_amount, total_co, balance, "", ""], bold=True)

    grants = workbook.create_sheet(_("资助项目"))
    titled_sheet(
        grants,
        _("%(fund)s资助项目") % {"fund": fund.name},
        _subtitle(fund.place.name),
        [
            (_("序号"), 6),
            (_("日期"), 12),
            (_("用途"), 30),
            (_("小区"), 14),
            (_("受助方"), 18),
            (_("资助金额（元）"), 16),
            (_("带动配套资金（元）"), 16),
            (_("撬动倍数"), 10),
            (_("状态"), 10),
            (_("凭证"), 18),
        ],
    )
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    row = 4
    for index, entry in enumerate((e for e in entries if e.kind == FundEntryKind.GRANT), start=1):
        granted = -entry.amount
        _row(
            grants,
            row,
            [
                index,
                entry.on_date,
                entry.purpose,
                entry.estate.name if entry.estate_id else "",
                entry.counterparty,
                granted,
                entry.co_funding,
                (entry.co_funding / granted).quantize(Decimal("0.01")) if granted else "",
                _("已冲正") if entry.id in reversed_ids else _("有效"),
                entry.evidence,
            ],
        )
        grants.cell(row=row, column=2).number_format = "yyyy-mm-dd"
        grants.cell(row=row, column=8).number_format = "0.00"
        row += 1

    totals = workbook.create_sheet(_("汇总"))
    titled_sheet(
        totals, _("%(fund)s汇总") % {"fund": fund.name}, _subtitle(fund.place.name), [(_("项目"), 24), (_("金额"), 18)]
    )
    lines = [(_("余额（元）"), summary["balance"]), (_("累计筹集（元）"), summary["raised"])]
    lines += [(_("其中：%(source)s（元）") % {"source": label}, amount) for label, amount in summary["by_source"]]
    lines += [
        (_("累计资助（元）"), summary["granted"]),
        (_("带动配套资金（元）"), summary["co_funding"]),
        (_("撬动倍数"), summary["leverage"] if summary["leverage"] is not None else "—"),
    ]
    for row, (label, value) in enumerate(lines, start=4):
        _row(totals, row, [label, value])
    return _bytes(workbook)


def shown_counterparty(entry, shows_contributors: bool) -> str:
    """A resident who gave is a private person: their name only to those who may see it."""
    from gongzhi.core.masking import mask_name
    from gongzhi.funds.models import ContributionSource

    if entry.source == ContributionSource.RESIDENT and not shows_contributors:
        return mask_name(entry.counterparty)
    return entry.counterparty


def revenue_workbook(estate, quarters, entries: list[RevenueEntry] | None) -> bytes:
    """季度公示: the published quarters (income, costs, the owners' net, the community's review).
    With ``entries`` (staff only) a second sheet lists every entry with the running net."""
    workbook = Workbook()
    published = workbook.active
    published.title = _("季度公示")
    titled_sheet(
        published,
        _("%(estate)s公共收益季度公示") % {"estate": estate.name},
        _subtitle(estate.name),
        [
            (_("年度"), 8),
            (_("季度"), 8),
            (_("收入（元）"), 16),
            (_("支出（元）"), 16),
            (_("业主净收益（元）"), 18),
            (_("社区审核意见"), 30),
            (_("审核日期"), 12),
            (_("公示日期"), 12),
        ],
    )
    row = 4
    for quarter in quarters:
        if not quarter.published_at:
            continue
        _row(
            published,
            row,
            [
                quarter.year,
                quarter.quarter,
                quarter.income,
                quarter.costs,
                quarter.net,
                quarter.review_note,
                timezone.localtime(quarter.reviewed_at).date() if quarter.reviewed_at else "",
                timezone.localtime(quarter.published_at).date(),
            ],
        )
        published.cell(row=row, column=7).number_format = "yyyy-mm-dd"
        published.cell(row=row, column=8).number_format = "yyyy-mm-dd"
        row += 1
    if entries is not None:
        ledger = workbook.create_sheet(_("收支明细"))
        titled_sheet(
            ledger,
            _("%(estate)s公共收益收支明细") % {"estate": estate.name},
            _subtitle(estate.name),
            [
                (_("序号"), 6),
                (_("日期"), 12),
                (_("类别"), 10),
                (_("收支"), 6),
                (_("摘要"), 30),
                (_("金额（元）"), 16),
                (_("累计净收益（元）"), 18),
                (_("凭证"), 18),
                (_("冲正对象"), 10),
            ],
        )
        net = ZERO
        row = 4
        number = {e.id: index for index, e in enumerate(entries, start=1)}
        for index, entry in enumerate(entries, start=1):
            net += entry.amount
            _row(
                ledger,
                row,
                [
                    index,
                    entry.on_date,
                    entry.get_category_display(),
                    _("支出") if entry.is_cost else _("收入"),
                    entry.note,
                    entry.amount,
                    net,
                    entry.evidence,
                    _("第%(n)s笔") % {"n": number.get(entry.reverses_id, "")} if entry.reverses_id else "",
                ],
            )
            ledger.cell(row=row, column=2).number_format = "yyyy-mm-dd"
            row += 1
        _row(ledger, row, [_("合计"), "", "", "", "", sum((e.amount for e in entries), ZERO), net, "", ""], bold=True)
    return _bytes(workbook)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
