"""Excel files in the layout staff already use: a title row, the unit and date, a bordered table
with a bold header, frozen header, sensible column widths, printable on A4 landscape."""

import io
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gongzhi.core.excel import BORDER, HEADER_FILL, WRAP, titled_sheet
from gongzhi.oversight.models import LedgerState


def _sheet(title: str, subtitle: str, headers: list[tuple[str, int]]):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    titled_sheet(sheet, title, subtitle, headers)
    return workbook, sheet


def _row(sheet, row: int, values: list) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = BORDER
        cell.alignment = WRAP


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def ledger_workbook(estate, items) -> bytes:
    """整改台账: one row per finding, numbered, with source, responsible party, deadline, progress,
    state and the sign-off (who verified, when, and what they saw)."""
    today = timezone.localdate()
    workbook, sheet = _sheet(
        _("%(estate)s问题整改台账") % {"estate": estate.name},
        _("导出日期：%(d)s") % {"d": today.isoformat()},
        [
            (_("序号"), 6),
            (_("编号"), 8),
            (_("问题来源"), 12),
            (_("发现时间"), 12),
            (_("发现人"), 10),
            (_("问题描述"), 40),
            (_("位置"), 14),
            (_("责任单位"), 18),
            (_("整改时限"), 12),
            (_("整改情况"), 36),
            (_("状态"), 12),
            (_("是否超期"), 8),
            (_("销号时间"), 12),
            (_("核验人"), 10),
            (_("核验意见"), 30),
            (_("诉求编号"), 16),
        ],
    )
    row = 4
    for index, item in enumerate(items, start=1):
        rectification = "；".join(e.note for e in item.evidence.all() if e.kind == "rectification" and e.note)
        verification = item.verifications.all()
        last = verification[len(verification) - 1] if verification else None
        _row(
            sheet,
            row,
            [
                index,
                item.number,
                item.get_source_display(),
                _local(item.created_at),
                item.found_by,
                f"{item.title}\n{item.description}".strip(),
                item.location,
                item.responsible.name if item.responsible else "",
                item.deadline.isoformat() if item.deadline else "",
                rectification,
                item.get_state_display(),
                _("是") if item.is_overdue(today) else _("否"),
                _local(item.signed_off_at) if item.state == LedgerState.SIGNED_OFF else "",
                last.by_name if last else "",
                last.note if last else "",
                item.case.number if item.case_id else "",
            ],
        )
        row += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def company_rating_workbook(company, history) -> bytes:
    """The rating history of a property company, as a tender asks for it (seed 004: the star
    rating is attached to the tender documents)."""
    workbook, sheet = _sheet(
        _("%(company)s 星级评定及信用评价记录") % {"company": company.name},
        _("统一社会信用代码：%(code)s    导出日期：%(d)s")
        % {"code": company.credit_code or "—", "d": timezone.localdate().isoformat()},
        [
            (_("序号"), 6),
            (_("小区"), 16),
            (_("评分表"), 24),
            (_("版本"), 6),
            (_("考评期"), 24),
            (_("得分"), 10),
            (_("得分率%"), 10),
            (_("星级"), 10),
            (_("信用等级"), 10),
            (_("是否达标"), 10),
            (_("提交日期"), 12),
            (_("评语"), 30),
        ],
    )
    for index, assessment in enumerate(history, start=1):
        _row(
            sheet,
            3 + index,
            [
                index,
                assessment.estate.name,
                assessment.scorecard.name,
                f"v{assessment.scorecard.version}",
                f"{assessment.period_start} — {assessment.period_end}",
                assessment.total,
                assessment.percent,
                "★" * (assessment.stars or 0),
                assessment.credit_grade,
                _("达标") if assessment.passed else _("不达标"),
                _local(assessment.submitted_at),
                assessment.note,
            ],
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def survey_results_workbook(results) -> bytes:
    """The survey's results as on the page: one sheet per estate row and one row per question
    option. Cells drawn from fewer answers than the minimum group size carry the same notice as
    the page, never the figures (the selector has already withheld them)."""
    survey = results.survey
    withheld = results.small_group_text
    scope = results.estate.name if results.estate else survey.place.name
    workbook, sheet = _sheet(
        _("%(title)s测评结果") % {"title": survey.title},
        _("%(scope)s · 导出日期：%(date)s") % {"scope": scope, "date": _local(timezone.now())},
        [(_("小区"), 22), (_("户数"), 10), (_("答卷"), 10), (_("参与率%"), 12), (_("平均分"), 10), (_("满意率%"), 12)],
    )
    row = 4
    for item in results.estates:
        if item.suppressed:
            _row(sheet, row, [item.estate.name, item.flats, withheld, "", "", ""])
        else:
            _row(
                sheet,
                row,
                [
                    item.estate.name,
                    item.flats,
                    item.responses,
                    float(item.response_rate) if item.response_rate is not None else None,
                    float(item.average) if item.average is not None else None,
                    float(item.satisfaction) if item.satisfaction is not None else None,
                ],
            )
        row += 1
    _row(
        sheet,
        row,
        [
            _("合计"),
            results.flats,
            results.responses,
            float(results.response_rate) if results.response_rate is not None else None,
            "",
            withheld
            if results.suppressed
            else (float(results.satisfaction) if results.satisfaction is not None else None),
        ],
    )
    questions = workbook.create_sheet(_("各题"))
    headers = [(_("序号"), 8), (_("题目"), 40), (_("选项/意见"), 40), (_("人数"), 10), (_("占比%"), 10)]
    for column, (header, width) in enumerate(headers, start=1):
        cell = questions.cell(row=1, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        questions.column_dimensions[get_column_letter(column)].width = width
    questions.freeze_panes = "A2"
    row = 2
    for number, question in enumerate(results.questions, start=1):
        text = question.question.text
        if question.suppressed:
            _row(questions, row, [number, text, withheld, "", ""])
            row += 1
            continue
        if question.average is not None:
            _row(questions, row, [number, text, _("平均分"), float(question.average), ""])
            row += 1
        for option in question.options:
            share = float(option.share) if option.share is not None else None
            _row(questions, row, [number, text, option.label, option.count, share])
            row += 1
        for comment in question.comments:
            _row(questions, row, [number, text, comment, "", ""])
            row += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
