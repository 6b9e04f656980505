"""A meeting's record as an Excel workbook, and meetings as an iCalendar feed (RFC 5545)."""

import datetime
import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font


def meeting_workbook(meeting) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("会议记录")[:31]
    bold = Font(bold=True)
    rows = [
        (_("会议名称"), meeting.title),
        (_("会议类型"), meeting.get_kind_display()),
        (_("地点"), f"{meeting.place.name} · {meeting.location}"),
        (_("时间"), f"{meeting.local_start:%Y-%m-%d %H:%M}"),
        (_("状态"), meeting.get_status_display()),
        (_("召集事由"), meeting.reason),
        (_("会议纪要"), meeting.summary),
    ]
    for label, value in rows:
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append([])
    sheet.append(
        [
            _("议题"),
            _("来源"),
            _("讨论记录"),
            _("答题"),
            _("理由"),
            _("责任方"),
            _("落实事项"),
            _("完成时限"),
            _("事项编号"),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for item in meeting.items.select_related("topic", "resolution__responsible"):
        resolution = getattr(item, "resolution", None)
        sheet.append(
            [
                item.topic.title,
                item.topic.get_source_display(),
                item.minutes,
                item.get_answer_display(),
                item.answer_reason,
                resolution.responsible.name if resolution else "",
                resolution.action if resolution else "",
                resolution.deadline.isoformat() if resolution else "",
                resolution.case_id if resolution and resolution.case_id else "",
            ]
        )
    attendance = workbook.create_sheet(_("出席")[:31])
    attendance.append([_("姓名"), _("代表")])
    for row in meeting.attendances.all():
        attendance.append([row.name, row.get_party_display()])
    corrections = list(meeting.corrections.select_related("item__topic"))
    if corrections:
        sheet_c = workbook.create_sheet(_("更正")[:31])
        sheet_c.append([_("时间"), _("议题"), _("更正内容")])
        for correction in corrections:
            sheet_c.append(
                [
                    f"{timezone.localtime(correction.created_at):%Y-%m-%d %H:%M}",
                    correction.item.topic.title if correction.item else "",
                    correction.text,
                ]
            )
    for ws in workbook.worksheets:
        for column in ("A", "B", "C", "D", "E", "F", "G"):
            ws.column_dimensions[column].width = 22
        for row in ws.iter_rows():
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return (
        str(text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """RFC 5545 §3.1: lines longer than 75 octets are folded (continuation starts with a space)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 74:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return out


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def ical(meetings, *, name: str) -> str:
    now = _utc(timezone.now())
    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS and settings.ALLOWED_HOSTS[0] != "*" else "gongzhi"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Gongzhi//Meetings//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for meeting in meetings:
        status = "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED"
        description = meeting.reason or meeting.get_kind_display()
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.id}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(meeting.ends_at)}",
            f"SUMMARY:{_escape(meeting.title)}",
            f"LOCATION:{_escape(meeting.place.name + ' ' + meeting.location)}",
            f"DESCRIPTION:{_escape(description)}",
            f"STATUS:{status}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    folded = []
    for line in lines:
        folded += _fold(line)
    return "\r\n".join(folded) + "\r\n"
