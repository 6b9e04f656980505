import csv
import datetime
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts import access
from gongzhi.accounts.posts import Capability
from gongzhi.core.errors import DomainError
from gongzhi.indicators import selectors
from gongzhi.indicators.registry import Period
from gongzhi.places.models import Place
from gongzhi.reports import opendata, services
from gongzhi.reports.models import ReportSchedule, StoredReport


def _place(request, value) -> Place:
    try:
        place = Place.objects.get(pk=int(value), kind__in=selectors.DASHBOARD_KINDS)
    except (TypeError, ValueError, Place.DoesNotExist):
        raise Http404 from None
    if not request.user.has_perm("reports.view_report", place):
        raise Http404
    return place


def _period(request) -> tuple[Period, list[str]]:
    """start/end (inclusive) from the query; last month by default."""
    default = services.previous_month(timezone.localdate())
    errors = []
    try:
        end = selectors.parse_day(request.GET.get("end"), default=default.last_day)
        start = selectors.parse_day(request.GET.get("start"), default=end.replace(day=1))
        period = selectors.period_for(start, end)
    except DomainError as error:
        errors.append(error.message)
        period = default
    return period, errors


def _require_dashboard(request):
    if not access.can(request.user, Capability.VIEW_DASHBOARD):
        raise PermissionDenied


@login_required
def report(request):
    _require_dashboard(request)
    place = _place(request, request.GET["place"]) if request.GET.get("place") else selectors.default_place(request.user)
    if place is None:
        raise PermissionDenied
    period, errors = _period(request)
    content = services.build_report(place, period) if not errors else None
    schedule = ReportSchedule.objects.filter(place=place, is_active=True).first()
    return render(
        request,
        "reports/report.html",
        {
            "content": content,
            "place": place,
            "choices": selectors.place_choices(request.user, place),
            "start": period.start,
            "end": period.last_day,
            "errors": errors,
            "can_schedule": request.user.has_perm("reports.schedule_report", place),
            "schedule": schedule,
            "stored": StoredReport.objects.filter(place=place).only("id", "start", "end", "generated_at")[:12],
            "xlsx_query": f"place={place.id}&start={period.start.isoformat()}&end={period.last_day.isoformat()}",
        },
    )


def _xlsx_response(content: dict) -> HttpResponse:
    response = HttpResponse(
        services.report_workbook(content),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"report-{content['place']['id']}-{content['start']}-{content['end']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def report_xlsx(request):
    _require_dashboard(request)
    place = _place(request, request.GET.get("place"))
    period, errors = _period(request)
    if errors:
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    return _xlsx_response(services.build_report(place, period))


@login_required
def stored(request, pk):
    _require_dashboard(request)
    report_row = get_object_or_404(StoredReport.objects.select_related("place"), pk=pk)
    if not request.user.has_perm("reports.view_report", report_row.place):
        raise Http404
    if request.GET.get("format") == "xlsx":
        return _xlsx_response(report_row.content)
    return render(request, "reports/stored.html", {"content": report_row.content, "stored": report_row})


@login_required
@require_POST
def schedule(request):
    _require_dashboard(request)
    place = _place(request, request.POST.get("place"))
    try:
        services.schedule_set(acting_user=request.user, place=place, active=request.POST.get("active") == "1")
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("已保存月度报告设置"))
    return redirect(f"{reverse('reports:report')}?place={place.id}")


# Open data (public) ------------------------------------------------------------------------------

OPEN_KINDS = ("district", "subdistrict", "community", "estate")
MAX_CASE_MONTHS = 12
MAX_FIGURE_MONTHS = 24


def _month_value(value: str | None, default: datetime.date) -> datetime.date:
    if not value:
        return default
    try:
        year, month = (int(part) for part in value.split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        raise DomainError(_("月份“%(value)s”格式不正确，请按“年-月”填写，例如2025-06") % {"value": value}) from None


def open_data(request):
    places = Place.objects.filter(kind__in=("district", "subdistrict", "community"), is_active=True).order_by("path")
    return render(request, "reports/open_data.html", {"places": places})


def open_data_export(request, dataset, fmt):
    if dataset not in ("indicators", "figures", "cases") or fmt not in ("csv", "json"):
        raise Http404
    try:
        place = Place.objects.get(pk=int(request.GET.get("place", "")), kind__in=OPEN_KINDS, is_active=True)
    except (TypeError, ValueError, Place.DoesNotExist):
        return HttpResponse(_("请选择地点"), status=400, content_type="text/plain; charset=utf-8")
    today = timezone.localdate().replace(day=1)
    try:
        last = _month_value(request.GET.get("to"), services.previous_month(today).start)
        first = _month_value(request.GET.get("from"), datetime.date(last.year - 1, last.month, 1))
        if first > last:
            raise DomainError(_("开始月份不能晚于结束月份"))
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if dataset == "cases" and months > MAX_CASE_MONTHS:
            raise DomainError(_("逐件数据一次最多导出%(count)d个月") % {"count": MAX_CASE_MONTHS})
        if dataset == "figures" and months > MAX_FIGURE_MONTHS:
            raise DomainError(_("各项指标一次最多导出%(count)d个月") % {"count": MAX_FIGURE_MONTHS})
    except DomainError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    period = Period(first, (last + datetime.timedelta(days=32)).replace(day=1))
    if dataset == "indicators":
        rows, fields = opendata.indicator_rows(place, period), opendata.INDICATOR_FIELDS
    elif dataset == "figures":
        rows, fields = opendata.figure_rows(place, period), opendata.FIGURE_FIELDS
    else:
        rows, fields = opendata.case_rows(place, period), opendata.CASE_FIELDS
    name = f"gongzhi-{dataset}-{place.id}-{first:%Y-%m}-{last:%Y-%m}.{fmt}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(
                {"dataset": dataset, "place": place.name, "fields": fields, "rows": list(rows)}, ensure_ascii=False
            ),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = StreamingHttpResponse(_csv_lines(fields, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_lines(fields, rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields)
    buffer.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
