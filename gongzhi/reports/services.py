"""The report: for a place and a period, the headline figures of every area, a short written
summary generated from them, the case figures per estate and the overdue and flagged items. Built
as plain data (JSON-able) once; the page, the Excel workbook and the stored monthly reports all
render the same data."""

import datetime
import io

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.core.services import audit_record
from gongzhi.indicators import rollups, selectors
from gongzhi.indicators.registry import Period, area_label, indicators
from gongzhi.places.models import Place, PlaceKind
from gongzhi.reports.models import ReportSchedule, StoredReport

ITEM_LIMIT = 200
CASE_KEYS = (
    "cases.received",
    "cases.response_rate",
    "cases.resolution_rate",
    "cases.satisfaction_rate",
    "cases.on_time_rate",
    "cases.composite_score",
)


def _figure(indicator, figure) -> dict:
    unit = str(indicator.unit)
    value = (
        None if figure.value is None else (float(figure.value) if not isinstance(figure.value, int) else figure.value)
    )
    shown = "—" if figure.value is None else (f"{figure.value}%" if indicator.is_rate else f"{figure.value}{unit}")
    return {
        "key": indicator.key,
        "label": str(indicator.label),
        "unit": unit,
        "value": value,
        "shown": shown,
        "formula": str(indicator.formula),
    }


def _period_words(period: Period) -> str:
    start, last = period.start, period.last_day
    if start.day == 1 and period.end.day == 1:
        months = (period.end.year - start.year) * 12 + period.end.month - start.month
        if months == 1:
            return _("%(year)d年%(month)d月") % {"year": start.year, "month": start.month}
        if months == 3 and start.month in (1, 4, 7, 10):
            return _("%(year)d年第%(quarter)d季度") % {"year": start.year, "quarter": (start.month - 1) // 3 + 1}
        if months == 12 and start.month == 1:
            return _("%(year)d年") % {"year": start.year}
    return _("%(start)s至%(end)s") % {
        "start": f"{start.year}年{start.month}月{start.day}日",
        "end": f"{last.year}年{last.month}月{last.day}日",
    }


def _summary(place: Place, period: Period, headline: dict, overdue: int, flagged: int) -> list[str]:
    """Paragraphs in the manner of the work reports: figures quoted, one area a sentence."""
    words = _period_words(period)
    paragraphs = []
    received = headline.get("cases.received")
    if received is not None:
        sentence = _("%(period)s，%(place)s共受理诉求%(count)s件") % {
            "period": words,
            "place": place.name,
            "count": received["value"] or 0,
        }
        rates = [
            (key, label)
            for key, label in (
                ("cases.response_rate", _("响应率")),
                ("cases.on_time_rate", _("按时办结率")),
                ("cases.resolution_rate", _("解决率")),
                ("cases.satisfaction_rate", _("满意率")),
            )
            if key in headline and headline[key]["value"] is not None
        ]
        if rates:
            sentence += "，" + "，".join(f"{label}{headline[key]['shown']}" for key, label in rates)
        sentence += "。"
        if overdue:
            sentence += _("截至期末仍有超期未办结诉求%(count)d件，需督促办理。") % {"count": overdue}
        else:
            sentence += _("截至期末没有超期未办结的诉求。")
        if flagged:
            sentence += _("列入议事协商的诉求%(count)d件。") % {"count": flagged}
        paragraphs.append(sentence)
    for area, figures in _by_area(headline).items():
        if area == "cases":
            continue
        shown = [f for f in figures if f["value"] is not None][:4]
        if not shown:
            continue
        paragraphs.append(
            _("%(area)s方面，%(items)s。")
            % {"area": area_label(area), "items": "，".join(f"{f['label']}{f['shown']}" for f in shown)}
        )
    return paragraphs


def _by_area(headline: dict) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for indicator in indicators():
        if indicator.key in headline:
            grouped.setdefault(indicator.area, []).append(headline[indicator.key])
    return grouped


def _items(place: Place, period: Period) -> tuple[list[dict], list[dict], int, int]:
    """Open overdue cases at the end of the period and cases flagged for the agenda in it."""
    from gongzhi.cases.models import Case, CaseState

    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(period.end, datetime.time(), tzinfo=tz)
    under = Q(estate_id=place.id) if place.kind == PlaceKind.ESTATE else Q(estate__path__startswith=place.path)
    open_states = (CaseState.RECEIVED, CaseState.DISPATCHED, CaseState.SIGNED)
    overdue_qs = Case.objects.filter(under, state__in=open_states, deadline__lt=min(end, timezone.now()))
    flagged_qs = Case.objects.filter(under, on_agenda=True, created_at__gte=start, created_at__lt=end)

    def rows(qs):
        return [
            {
                "number": number,
                "title": title,
                "estate": estate,
                "category": category or "",
                "responsible": responsible or "",
                "state": str(CaseState(state).label),
                "created": timezone.localtime(created).date().isoformat(),
                "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") if deadline else "",
                "id": pk,
            }
            for pk, number, title, estate, category, responsible, state, created, deadline in qs.order_by(
                "deadline", "id"
            ).values_list(
                "id",
                "number",
                "title",
                "estate__name",
                "category__name",
                "responsible__name",
                "state",
                "created_at",
                "deadline",
            )[:ITEM_LIMIT]
        ]

    return rows(overdue_qs), rows(flagged_qs), overdue_qs.count(), flagged_qs.count()


def build_report(place: Place, period: Period) -> dict:
    """The report's content as plain data."""
    data = selectors.dashboard(place, period, breakdown=False)
    headline = {card.indicator.key: _figure(card.indicator, card.figure) for s in data.sections for card in s.cards}
    estates = list(Place.objects.within(place).filter(kind=PlaceKind.ESTATE, is_active=True).select_related("parent"))
    estates.sort(key=lambda e: e.path)
    estate_columns = [i for i in indicators() if i.key in CASE_KEYS]
    computed = {i.key: rollups.compute_many(i, estates, period) for i in estate_columns} if estates else {}
    estate_rows = [
        {
            "name": estate.name,
            "community": estate.parent.name if estate.parent else "",
            "figures": [_figure(i, computed[i.key][estate.id]) for i in estate_columns],
        }
        for estate in estates
    ]
    overdue, flagged, overdue_count, flagged_count = _items(place, period)
    return {
        "place": {"id": place.id, "name": place.name, "kind": place.kind, "kind_label": str(place.get_kind_display())},
        "start": period.start.isoformat(),
        "end": period.last_day.isoformat(),
        "period_words": _period_words(period),
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "summary": _summary(place, period, headline, overdue_count, flagged_count),
        "areas": [{"label": str(area_label(area)), "figures": figures} for area, figures in _by_area(headline).items()],
        "estate_columns": [str(i.short_label or i.label) for i in estate_columns],
        "estates": estate_rows,
        "overdue": overdue,
        "overdue_count": overdue_count,
        "flagged": flagged,
        "flagged_count": flagged_count,
    }


def report_workbook(content: dict) -> bytes:
    """The report as an Excel workbook: one sheet per section."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("概要")
    sheet.append([_("%(place)s工作报告") % {"place": content["place"]["name"]}])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("期间"), f"{content['start']} — {content['end']}"])
    sheet.append([_("生成时间"), content["generated_at"]])
    sheet.append([])
    for paragraph in content["summary"]:
        sheet.append([paragraph])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 40

    figures = book.create_sheet(_("主要指标"))
    figures.append([_("类别"), _("指标"), _("数值"), _("单位"), _("公式")])
    for area in content["areas"]:
        for f in area["figures"]:
            figures.append(
                [area["label"], f["label"], f["value"], "%" if f["shown"].endswith("%") else f["unit"], f["formula"]]
            )
    figures.column_dimensions["B"].width = 24
    figures.column_dimensions["E"].width = 60

    estates = book.create_sheet(_("各小区"))
    estates.append([_("小区"), _("社区"), *content["estate_columns"]])
    for row in content["estates"]:
        estates.append([row["name"], row["community"], *[f["value"] for f in row["figures"]]])
    estates.column_dimensions["A"].width = 20

    for title, key in ((_("超期事项"), "overdue"), (_("列入议事"), "flagged")):
        items = book.create_sheet(title)
        items.append([_("编号"), _("标题"), _("小区"), _("类别"), _("责任方"), _("状态"), _("受理日期"), _("办理时限")])
        for item in content[key]:
            items.append(
                [
                    item["number"],
                    item["title"],
                    item["estate"],
                    item["category"],
                    item["responsible"],
                    item["state"],
                    item["created"],
                    item["deadline"],
                ]
            )
        items.column_dimensions["B"].width = 36
    for book_sheet in book.worksheets:
        for cell in book_sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def previous_month(on: datetime.date) -> Period:
    first = on.replace(day=1)
    last = first - datetime.timedelta(days=1)
    return Period.month(last.year, last.month)


def schedule_set(*, acting_user, place: Place, active: bool) -> ReportSchedule | None:
    """Turn the monthly report of a subdistrict on or off."""
    if not acting_user.has_perm("reports.schedule_report", place):
        if place.kind != PlaceKind.SUBDISTRICT:
            raise DomainError(_("只有街道可以设置每月自动生成报告"), status=403)
        raise DomainError(_("您无权为该街道设置月度报告"), status=403)
    current = ReportSchedule.objects.filter(place=place, is_active=True).first()
    if active and current is None:
        current = ReportSchedule.objects.create(place=place, created_by=acting_user)
        audit_record(
            acting_user=acting_user,
            action="reports.schedule_on",
            target=f"ReportSchedule#{current.pk}",
            detail={"place": place.id},
        )
    elif not active and current is not None:
        current.is_active = False
        current.save(update_fields=["is_active"])
        audit_record(
            acting_user=acting_user,
            action="reports.schedule_off",
            target=f"ReportSchedule#{current.pk}",
            detail={"place": place.id},
        )
        current = None
    return current


def generate_scheduled(now: datetime.datetime) -> int:
    """For every active schedule: last month's report, once. Stores it and notifies whoever set
    the schedule."""
    from django.urls import reverse

    from gongzhi.notifications.services import notification_send

    period = previous_month(timezone.localtime(now).date())
    made = 0
    for schedule in ReportSchedule.objects.filter(is_active=True).select_related("place", "created_by"):
        if StoredReport.objects.filter(schedule=schedule, start=period.start, end=period.last_day).exists():
            continue
        content = build_report(schedule.place, period)
        stored = StoredReport.objects.create(
            place=schedule.place,
            schedule=schedule,
            start=period.start,
            end=period.last_day,
            content=content,
            generated_at=now,
        )
        notification_send(
            users=[schedule.created_by],
            title=_("%(place)s%(period)s工作报告已生成")
            % {"place": schedule.place.name, "period": content["period_words"]},
            body=content["summary"][0] if content["summary"] else "",
            url=reverse("reports:stored", args=[stored.pk]),
            kind="reports.monthly",
        )
        made += 1
    return made
