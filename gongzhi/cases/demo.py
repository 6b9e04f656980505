"""Demo cases: a month of problems in the flagship estate, in every state of the loop, so the
resident's list, the staff queues, the public board and the three rates have something to show."""

import datetime

from django.utils import timezone

from gongzhi.cases import services
from gongzhi.cases.models import Case, Category
from gongzhi.demo import seeds

# description, category code, channel, days ago, how far it got, review (solved, rating)
STORIES = [
    ("2号楼电梯门关不上，夜里一直报警", "elevator", "app", 1, "received", None),
    ("东门垃圾分类亭满溢，气味很大", "sanitation", "app", 2, "dispatched", None),
    ("地下车库B区有车辆长期占用消防通道", "parking", "snapshot", 3, "signed", None),
    ("5号楼楼道声控灯坏了三盏", "repair", "hotline", 4, "resolved", None),
    ("小区南侧绿化带杂草丛生", "greening", "app", 6, "reviewed", (True, "satisfied")),
    ("1号楼单元门门禁失灵", "repair", "app", 8, "reviewed", (True, "basically_satisfied")),
    ("楼上住户装修噪音持续到晚上十点", "neighbour", "reception_visit", 9, "reviewed", (True, "satisfied")),
    ("3号楼外墙瓷砖脱落，存在安全隐患", "safety", "app", 10, "reopened", (False, "dissatisfied")),
    ("儿童游乐区滑梯开裂", "repair", "open_door_day", 12, "closed", None),
    ("业委会公示的公共收益明细看不懂", "committee_affairs", "app", 14, "dispatched", None),
]


def load(context):
    estate = context.estate(seeds.FLAGSHIP)
    if Case.objects.filter(estate=estate).exists():
        return
    users = context.users
    worker, steward, resident = users["community_worker"], users["steward"], users["resident"]
    categories = {c.code: c for c in Category.objects.all()}
    now = timezone.now()
    for description, code, channel, days_ago, reached, review in STORIES:
        category = categories[code]
        intake = channel not in ("app",)
        case = services.case_create(
            estate=estate,
            description=description,
            channel=channel,
            category=category,
            acting_user=worker if intake else resident,
            contact_name="赵先生" if intake else "",
            contact_phone="13912345678" if intake else "",
            created_at=now - datetime.timedelta(days=days_ago, hours=3),
        )
        if reached == "received":
            continue
        responsible = services.suggest_responsible(estate=estate, category=category)
        if responsible is None:
            continue
        case = services.case_dispatch(case=case, acting_user=worker, responsible=responsible)
        if reached == "dispatched" or responsible.pk != _company_of(steward):
            continue
        case = services.case_sign(case=case, acting_user=steward)
        if reached == "signed":
            continue
        case = services.case_resolve(case=case, acting_user=steward, note="已安排维修人员现场处理完毕")
        if reached == "closed":
            services.case_close(case=case, acting_user=worker, note="多次电话联系反映人未接通")
        elif review:
            solved, rating = review
            reviewer = resident if case.reporter_id else worker
            services.case_review(
                case=case,
                acting_user=reviewer,
                solved=solved,
                rating=rating,
                comment="" if solved else "只清理了表面，脱落处还没修补",
                by_phone=reviewer is worker,
            )
    flagged = Case.objects.filter(estate=estate, category__code="committee_affairs").first()
    if flagged:
        services.case_flag_agenda(case=flagged, acting_user=worker, note="涉及公共收益，提交三方联动议事会")


def _company_of(user):
    from gongzhi.accounts.models import Appointment

    appointment = Appointment.objects.filter(person__user=user, post="company_steward").first()
    return appointment.organization_id if appointment else None
