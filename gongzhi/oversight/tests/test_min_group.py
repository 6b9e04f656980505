"""Survey results never show a figure drawn from fewer answers than the minimum group size
(setting ``SURVEY_MIN_GROUP_SIZE``, 5 by default): on the page, in the Excel export and in the
API, such a cell says "少于5份，不显示" instead."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gongzhi.oversight import selectors, services
from gongzhi.oversight.tests.conftest import answers_for, close_survey

pytestmark = pytest.mark.django_db

WITHHELD = "少于5份，不显示"


def answer_on_paper(world, survey, flats, **kwargs):
    for flat in flats:
        services.survey_answer_submit(
            survey=survey,
            flat=flat,
            answers=answers_for(survey, **kwargs),
            acting_user=world.users["community_worker"],
            channel="paper",
        )


@pytest.fixture
def community_survey(world, make_survey):
    """Five sheets from 檀悦小区 (scores 1–5, no comment), two from 鸿盛名邸 (one comment each)."""
    survey = make_survey(world.community)
    for score, flat in enumerate(world.flats[0:5], start=1):
        answer_on_paper(world, survey, [flat], scale=score)
    answer_on_paper(world, survey, [world.flats[6]], scale=1, single="不满意", text="二号楼电梯天天坏")
    answer_on_paper(world, survey, [world.flats[7]], scale=2, single="不满意", text="保洁员态度差")
    return survey


def test_small_groups_are_withheld_by_the_selector(world, community_survey):
    results = selectors.survey_results(community_survey)
    rows = {row.estate.name: row for row in results.estates}
    big, small = rows["檀悦小区"], rows["鸿盛名邸"]
    # Average over every scored answer: scales 1–5 and five "满意" (5 points).
    assert not big.suppressed and big.responses == 5 and big.average == Decimal("4.00")
    assert small.suppressed and small.flats == 6
    assert (small.responses, small.response_rate, small.average, small.satisfaction) == (None, None, None, None)
    # Seven sheets in all: the scale and single-choice questions are shown over the whole survey.
    scale, single, _multiple, text = results.questions
    assert not scale.suppressed and scale.answered == 7
    assert [(o.label, o.count) for o in single.options] == [("满意", 5), ("基本满意", 0), ("不满意", 2)]
    # Only two comments: a comment is a group of its own, and two are too few.
    assert text.suppressed and text.comments == []
    # One estate alone: two sheets, every figure withheld.
    alone = selectors.survey_results(community_survey, estate=world.third_estate)
    assert all(q.suppressed and not q.options and q.average is None for q in alone.questions if q.answered)
    assert alone.suppressed and alone.satisfaction is None


def test_page_shows_the_notice_instead_of_the_figures(world, community_survey, client_for):
    client = client_for("community_worker")
    html = client.get(f"/oversight/surveys/{community_survey.id}/results/").content.decode()
    assert WITHHELD in html
    assert "二号楼电梯天天坏" not in html and "保洁员态度差" not in html
    one = client.get(
        f"/oversight/surveys/{community_survey.id}/results/?estate={world.third_estate.id}"
    ).content.decode()
    assert one.count(WITHHELD) >= 3 and "二号楼电梯天天坏" not in one
    assert "1.50" not in one  # the two sheets' average score


def test_export_shows_the_notice_instead_of_the_figures(world, community_survey, client_for):
    response = client_for("community_worker").get(f"/oversight/surveys/{community_survey.id}/results.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    by_name = {row[0]: row for row in book.worksheets[0].iter_rows(min_row=4, values_only=True)}
    assert by_name["檀悦小区"][2] == 5 and by_name["檀悦小区"][4] == 4.0
    assert by_name["鸿盛名邸"][2] == WITHHELD and not any(by_name["鸿盛名邸"][3:])
    cells = [str(v) for row in book.worksheets[1].iter_rows(values_only=True) for v in row if v is not None]
    assert WITHHELD in cells
    assert not any("电梯天天坏" in v or "态度差" in v for v in cells)
    # Residents do not get the export.
    assert client_for("resident").get(f"/oversight/surveys/{community_survey.id}/results.xlsx").status_code in (
        403,
        404,
    )


def test_api_withholds_small_groups(world, community_survey, client_for):
    data = client_for("community_worker").get(f"/api/v1/oversight/surveys/{community_survey.id}/results").json()
    assert data["min_group_size"] == 5 and data["suppressed_text"] == WITHHELD
    rows = {row["estate"]: row for row in data["estates"]}
    assert rows["鸿盛名邸"]["suppressed"] is True and rows["鸿盛名邸"]["responses"] is None
    assert rows["鸿盛名邸"]["satisfaction"] is None
    assert rows["檀悦小区"]["suppressed"] is False and rows["檀悦小区"]["responses"] == 5
    text = data["questions"][3]
    assert text["suppressed"] is True and text["comments"] == []


def test_a_resident_of_a_small_estate_sees_no_figures(world, make_survey, client_for):
    survey = make_survey()
    answer_on_paper(world, survey, world.flats[0:2], scale=1, text="物业太差")
    close_survey(survey)
    client = client_for("resident")
    data = client.get(f"/api/v1/oversight/surveys/{survey.id}/results").json()
    assert data["suppressed"] is True and data["satisfaction"] is None
    assert all(q["suppressed"] and q["average"] is None and not q["options"] for q in data["questions"])
    html = client.get(f"/oversight/surveys/{survey.id}/results/").content.decode()
    assert WITHHELD in html and "物业太差" not in html


def test_the_minimum_group_size_is_a_setting(world, community_survey, settings):
    settings.GONGZHI = {**settings.GONGZHI, "SURVEY_MIN_GROUP_SIZE": 2}
    results = selectors.survey_results(community_survey)
    small = next(row for row in results.estates if row.estate.name == "鸿盛名邸")
    assert not small.suppressed and small.responses == 2 and small.average == Decimal("1.25")
    assert sorted(results.questions[3].comments) == ["二号楼电梯天天坏", "保洁员态度差"]
    settings.GONGZHI = {**settings.GONGZHI, "SURVEY_MIN_GROUP_SIZE": 10}
    results = selectors.survey_results(community_survey)
    assert results.small_group_text == "少于10份，不显示"
    assert all(row.suppressed for row in results.estates if row.responses != 0)


def test_the_overview_neither_shows_nor_flags_a_small_groups_satisfaction(world, make_survey, client_for):
    survey = make_survey()
    answer_on_paper(world, survey, world.flats[0:2], scale=1, single="不满意")
    close_survey(survey)
    client = client_for("community_worker")
    page = client.get("/oversight/").content.decode()
    assert WITHHELD in page and "小区满意度不达标" not in page
    # Five households are enough to show the rate and flag the committee.
    survey = make_survey()
    answer_on_paper(world, survey, world.flats[0:5], scale=1, single="不满意")
    close_survey(survey)
    page = client.get("/oversight/").content.decode()
    assert "小区满意度不达标" in page and "0.0%" in page
