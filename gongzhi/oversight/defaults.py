"""The default scorecards, mirroring the practice the reports describe. Plain data, installed by a
data migration as published version 1 of each family; administrators revise them from there.

- 物业服务企业星级评定: 20 criteria (龙港《物业服务企业星级评定实施方案》, "明确了20项评定细则",
  including helping the estate build a "共享社·幸福里" venue and the "三审两公开一备案", "业标街管",
  "业财社管" rules), 5 points each, 100 in all; the result is attached to tender documents.
- 小区党支部评星定级: 32 items in 3 areas (鲤城《居民小区党支部标准化规范化细则》, "细化3个方面32项内容"),
  weighted 40 / 40 / 20.
- 小区党建指导员履职考核: a duty list of 20 items (龙港《小区党建指导员考核细则》, "细化履职清单20条"),
  5 points each.
"""

COMPANY_STARS = {
    "family": "property_company_stars",
    "name": "物业服务企业星级评定",
    "subject_kind": "company",
    "scoring": "points",
    "pass_mark": "60",
    "source": "物业服务企业星级评定实施方案（20项评定细则）",
    "groups": [
        (
            "党建引领",
            None,
            [
                ("建立企业党组织或选派党建指导员，党员亮身份", 5, "assessor"),
                ("协助所在小区创建“共享社·幸福里”党群服务阵地", 5, "assessor"),
                ("参加三方联动议事会、逢七联议等固定议事日，落实议定事项", 5, "assessor"),
                ("推行“三审两公开一备案”，重大事项公开透明", 5, "assessor"),
                ("配合落实“业标街管”“业财社管”制度", 5, "assessor"),
            ],
        ),
        (
            "基础服务",
            None,
            [
                ("公共区域保洁及时，垃圾分类日产日清", 5, "assessor"),
                ("绿化养护到位，无黄土裸露、枯死苗木", 5, "assessor"),
                ("门岗值守、巡逻到位，出入管理规范", 5, "assessor"),
                ("电梯、水泵、消防等共用设施设备按规定维保", 5, "assessor"),
                ("消防通道畅通，消防设施完好有效", 5, "assessor"),
                ("车辆及电动车停放有序，充电设施安全管理", 5, "assessor"),
                ("二次供水、化粪池等按期清洗清掏", 5, "assessor"),
            ],
        ),
        (
            "诉求响应",
            None,
            [
                ("诉求按时办结率", 5, "case_on_time_rate"),
                ("诉求回访满意率", 5, "case_satisfaction"),
                ("整改台账按期销号率", 5, "ledger_closed_rate"),
                ("设施报修24小时内响应，急修30分钟到场", 5, "assessor"),
            ],
        ),
        (
            "规范管理",
            None,
            [
                ("服务内容、收费标准、公共收益收支按季度公示", 5, "assessor"),
                ("物业服务合同规范履行，档案资料齐全", 5, "assessor"),
                ("汛期、台风等应急预案完备并组织演练", 5, "assessor"),
                ("居民满意度测评满意率", 5, "survey_satisfaction"),
            ],
        ),
    ],
}

BRANCH_GRADING = {
    "family": "party_branch_grading",
    "name": "小区党支部评星定级",
    "subject_kind": "branch",
    "scoring": "weighted",
    "pass_mark": "60",
    "source": "居民小区党支部标准化规范化细则（3个方面32项）",
    "groups": [
        (
            "组织建设",
            "40",
            [
                ("支部建在小区上，按期换届，班子配备齐全", 3, "assessor"),
                ("支部书记由政治素质好、热心公益的党员担任", 3, "assessor"),
                ("推行支部书记与业委会主任“一肩挑”或交叉任职", 3, "assessor"),
                ("小区党员全部编入楼栋党小组或网格", 3, "assessor"),
                ("在职党员到小区报到并亮身份", 3, "assessor"),
                ("落实“三会一课”制度，记录完整", 3, "assessor"),
                ("每月开展主题党日活动", 3, "assessor"),
                ("按规定开展组织生活会和民主评议党员", 3, "assessor"),
                ("党费按时足额收缴", 3, "assessor"),
                ("发展党员、入党积极分子培养规范", 3, "assessor"),
                ("党员楼栋长、党员中心户设置到位", 3, "assessor"),
                ("支部工作制度上墙、台账规范", 3, "assessor"),
            ],
        ),
        (
            "引领治理",
            "40",
            [
                ("牵头召开三方联动议事会，每周不少于一次", 3, "assessor"),
                ("落实固定议事日，点题—议题—答题—阅题闭环", 3, "assessor"),
                ("议定事项按期落实", 3, "ledger_closed_rate"),
                ("居民诉求按时办结", 3, "case_on_time_rate"),
                ("指导业委会依法依规履职", 3, "assessor"),
                ("监督物业服务企业履约", 3, "assessor"),
                ("推动党组织领导小区治理写入议事规则和管理规约", 3, "assessor"),
                ("加强对公共收益、维修资金使用的监督", 3, "assessor"),
                ("组织志愿服务队伍，常态化开展志愿服务", 3, "assessor"),
                ("开展矛盾纠纷排查化解", 3, "assessor"),
                ("组织居民满意度测评，每年不少于两次", 3, "assessor"),
                ("居民对支部工作满意率", 3, "survey_satisfaction"),
            ],
        ),
        (
            "阵地保障",
            "20",
            [
                ("有固定的党群服务阵地", 3, "assessor"),
                ("阵地标识规范，功能完善", 3, "assessor"),
                ("阵地按时开放，服务项目公示", 3, "assessor"),
                ("活动经费有保障，使用规范", 3, "assessor"),
                ("党务、居务、财务公开及时", 3, "assessor"),
                ("建立党员、楼栋、网格信息台账", 3, "assessor"),
                ("利用线上平台联系服务群众", 3, "assessor"),
                ("获得表彰或形成特色治理品牌", 3, "assessor"),
            ],
        ),
    ],
}

INSTRUCTOR_DUTIES = {
    "family": "party_instructor_duties",
    "name": "小区党建指导员履职考核",
    "subject_kind": "instructor",
    "scoring": "points",
    "pass_mark": "60",
    "source": "小区党建指导员考核细则（履职清单20条）",
    "groups": [
        (
            "指导组织建设",
            None,
            [
                ("指导小区党组织组建和按期换届", 5, "assessor"),
                ("指导落实“三会一课”等组织生活制度", 5, "assessor"),
                ("指导开展主题党日夜学", 5, "assessor"),
                ("指导在职党员到小区报到、亮身份", 5, "assessor"),
                ("指导建立党员信息和楼栋网格台账", 5, "assessor"),
            ],
        ),
        (
            "指导小区治理",
            None,
            [
                ("每月至少两次进驻小区开展工作", 5, "assessor"),
                ("参加小区联席会议、公开议事日", 5, "assessor"),
                ("指导业委会选举和规范运行", 5, "assessor"),
                ("指导落实“三审两公开一备案”", 5, "assessor"),
                ("指导物业服务企业党建工作", 5, "assessor"),
                ("协调解决小区治理难题", 5, "assessor"),
                ("推动居民诉求按时办结", 5, "case_on_time_rate"),
            ],
        ),
        (
            "指导服务群众",
            None,
            [
                ("指导开展各类服务活动", 5, "assessor"),
                ("指导“微心愿”认领和微实事办理", 5, "assessor"),
                ("指导党群服务阵地标准化建设", 5, "assessor"),
                ("指导开展满意度测评", 5, "assessor"),
                ("走访困难群众和特殊群体", 5, "assessor"),
                ("收集上报社情民意", 5, "assessor"),
                ("履职纪实及时完整", 5, "assessor"),
                ("居民对指导工作满意率", 5, "survey_satisfaction"),
            ],
        ),
    ],
}

DEFAULT_SCORECARDS = [COMPANY_STARS, BRANCH_GRADING, INSTRUCTOR_DUTIES]

# Items a supervisor checks on a walk (duties of the committee and of the company). Meeting
# resolutions are listed from the estate's open resolution cases.
COMMITTEE_DUTIES = [
    "按期召开业委会会议并公示会议决定",
    "公共收益收支按季度公示",
    "维修资金使用履行“三审两公开一备案”",
    "及时回应业主意见建议",
    "监督物业服务合同履行",
]
COMPANY_DUTIES = [
    "公共区域保洁",
    "绿化养护",
    "门岗值守与巡逻",
    "消防通道畅通、消防设施完好",
    "电梯等共用设施设备运行",
    "车辆和电动车停放充电秩序",
    "服务与收费公示",
]


def install_default_scorecards(scorecard_model, group_model, criterion_model) -> int:
    """Create each default scorecard as published version 1 unless its family exists. Takes the
    model classes so that the data migration can pass its historical models."""
    from decimal import Decimal

    from django.utils import timezone

    created = 0
    for spec in DEFAULT_SCORECARDS:
        if scorecard_model.objects.filter(family=spec["family"]).exists():
            continue
        card = scorecard_model.objects.create(
            family=spec["family"],
            version=1,
            name=spec["name"],
            subject_kind=spec["subject_kind"],
            scoring=spec["scoring"],
            pass_mark=Decimal(spec["pass_mark"]),
            source=spec["source"],
            status="published",
            published_at=timezone.now(),
            grade_bands=[["AAA", "90"], ["AA", "80"], ["A", "70"], ["B", "60"], ["C", "0"]],
            star_bands=[[5, "90"], [4, "80"], [3, "70"], [2, "60"], [1, "0"]],
        )
        for g_position, (name, weight, criteria) in enumerate(spec["groups"], start=1):
            group = group_model.objects.create(
                scorecard=card, name=name, position=g_position, weight=Decimal(weight) if weight else None
            )
            criterion_model.objects.bulk_create(
                [
                    criterion_model(
                        scorecard=card,
                        group=group,
                        position=c_position,
                        text=text,
                        max_points=Decimal(points),
                        method=method,
                    )
                    for c_position, (text, points, method) in enumerate(criteria, start=1)
                ]
            )
        created += 1
    return created
