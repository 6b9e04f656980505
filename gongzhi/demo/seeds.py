"""The shape of the two demo places, taken from the reports (names invented):

- 东岚镇, a town like 东园镇 in seed 000: 23 estates, each with its own party branch (coverage 100 %);
  9 part-time members of the community party committees; 23 community committee members also on
  owners' committees; the branch secretary chairs the owners' committee in 15 of 23 estates
  (65.2 %, "超6成"); 128 party members in the building grids of its largest estate (檀樾府, like
  檀悦小区); 46 volunteer supervisors, two in every estate.
- 青禾街道, a subdistrict like 青阳街道 in seed 002: 19 estates, all with an owners' committee
  (100 %; 9 of 19 = 47.4 % before 2024, "从46%提升至100%"), 11 of them red (57.9 %); 16 property
  companies, all with their own party organization, serving every estate (4 "失管" old estates taken
  over by a state-owned company in 2024, "先享后买"); one joint branch covering two old estates.
"""

import datetime

from gongzhi.demo.builder import CompanySpec, EstateSpec

START = datetime.date(2022, 1, 1)

TOWN = "东岚镇"
FLAGSHIP = "檀樾府"  # the town's largest estate, where most personas live and work
OTHER_ESTATE = "尊湖苑"  # where the resident of another estate lives

TOWN_COMMUNITIES = {
    "东岚社区": [FLAGSHIP, "鸿福名邸", "凤林雅苑一期", "凤林雅苑二期", "玉泉花苑"],
    "溪岸社区": ["幸福湾花园", "锦溪花苑", "溪岸人家", "龙湖湾", "金桂园"],
    "湖畔社区": [OTHER_ESTATE, "翡丽公园", "东岚新城", "海湾壹号", "滨江华庭"],
    "凤山社区": ["紫荆花园", "书香门第", "阳光水岸", "新港花园"],
    "南岭社区": ["南山名苑", "璟园", "福泰家园", "怡景花园"],
}
TOWN_COMPANIES = [
    CompanySpec("东岚城市服务", True, "state_owned"),
    CompanySpec("鸿福物业", True),
    CompanySpec("凤林物业", True),
    CompanySpec("锦溪物业", False),
    CompanySpec("湖畔物业", True),
    CompanySpec("新港物业", False),
    CompanySpec("南岭物业", True),
    CompanySpec("东岚社区物业", True, "community_run"),
]
# Estates (by position in the town, flagship excluded) whose branch secretary chairs the committee.
TOWN_DUAL_CHAIRS = 15
TOWN_PART_TIME_MEMBERS = 9
TOWN_GRID_PARTY_MEMBERS = 128
TOWN_SUPERVISORS_PER_ESTATE = 2


def town_specs() -> dict[str, list[EstateSpec]]:
    communities = {}
    position = 0
    dual_left = TOWN_DUAL_CHAIRS
    for community, names in TOWN_COMMUNITIES.items():
        specs = []
        for name in names:
            flagship = name == FLAGSHIP
            dual = not flagship and dual_left > 0
            dual_left -= dual
            size = (7, 9, 5)[position % 3]
            specs.append(
                EstateSpec(
                    name=name,
                    kind="commodity" if position % 4 else "resettlement",
                    buildings=16 if flagship else 3,
                    flats_per_building=10 if flagship else 6,
                    committee_size=size,
                    committee_party=size // 2 + 1 if position % 3 != 2 else 2,
                    dual_chair=dual,
                    company=TOWN_COMPANIES[position % len(TOWN_COMPANIES)].name,
                    # The flagship's second supervisor and its 128th grid party member are personas.
                    supervisors=TOWN_SUPERVISORS_PER_ESTATE - flagship,
                    check_ins=3,
                    community_member_on_committee=True,
                    grid_party_members=TOWN_GRID_PARTY_MEMBERS - 1 if flagship else 0,
                )
            )
            position += 1
        communities[community] = specs
    return communities


STREET = "青禾街道"
STREET_COMMUNITIES = {
    "霞光社区": ["霞光里", "新佳园", "愿景家园", "晨光小区", "丰泽苑"],
    "象峰社区": ["象峰安置小区", "青禾花园", "世纪豪庭", "御景华府", "凤凰城"],
    "永安社区": ["永安里", "老街片区", "金色家园", "碧桂华庭", "万嘉广场"],
    "东环社区": ["东环南片", "天成名苑", "泰禾院子", "宝龙世家"],
}
# 4 old estates without management until the state-owned company took them over ("先享后买").
STREET_UNMANAGED = ["霞光里", "象峰安置小区", "老街片区", "东环南片"]
STREET_TAKEOVER = datetime.date(2024, 3, 1)
STREET_STATE_COMPANY = "青禾城市服务"
STREET_RED = 11  # of 19 committees: 57.9 %
STREET_COMMITTEES_BEFORE_2024 = 9  # of 19: 47.4 %
STREET_COMMITTEES_FOUNDED = datetime.date(2024, 5, 1)


def street_companies() -> list[CompanySpec]:
    others = [
        "霞光",
        "佳园",
        "愿景",
        "晨光",
        "丰泽",
        "青禾",
        "世纪",
        "御景",
        "凤凰",
        "金色",
        "碧桂",
        "万嘉",
        "天成",
        "泰禾",
        "宝龙",
    ]
    return [CompanySpec(STREET_STATE_COMPANY, True, "state_owned")] + [
        CompanySpec(f"{prefix}物业", True) for prefix in others
    ]


def street_specs() -> dict[str, list[EstateSpec]]:
    companies = iter(spec.name for spec in street_companies()[1:])
    communities = {}
    position = 0
    for community, names in STREET_COMMUNITIES.items():
        specs = []
        for name in names:
            unmanaged = name in STREET_UNMANAGED
            red = position < STREET_RED
            size = (5, 7, 9)[position % 3]
            specs.append(
                EstateSpec(
                    name=name,
                    kind="old" if unmanaged else "commodity",
                    buildings=2,
                    flats_per_building=8,
                    branch=name != "老街片区",
                    joint_with="永安里" if name == "老街片区" else "",
                    committee_size=size,
                    committee_party=size // 2 + 1 if red else size // 2,
                    committee_founded_on=START
                    if position < STREET_COMMITTEES_BEFORE_2024
                    else STREET_COMMITTEES_FOUNDED,
                    company=STREET_STATE_COMPANY if unmanaged else next(companies),
                    contract_starts_on=STREET_TAKEOVER if unmanaged else None,
                    supervisors=1,
                    check_ins=2,
                )
            )
            position += 1
        communities[community] = specs
    return communities
