"""Open data: public, per estate and month, and with no personal data at all."""

import csv
import io
import json

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.indicators.tests.casefixture import random_cases

pytestmark = pytest.mark.django_db


def _url(dataset, fmt):
    return reverse("reports:open-data-export", args=[dataset, fmt])


def test_page_is_public(client_for, world):
    response = client_for(None).get(reverse("reports:open-data"))
    assert response.status_code == 200 and "不含任何个人信息" in response.content.decode()


@pytest.mark.parametrize("dataset", ["indicators", "cases"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_exports_carry_no_personal_data(client_for, world, dataset, fmt):
    cases = random_cases([world.estate, world.third_estate, world.other_estate], count=60, seed=4)
    response = client_for(None).get(
        _url(dataset, fmt), {"place": world.subdistrict.id, "from": "2025-01", "to": "2025-08"}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    rows = json.loads(body)["rows"] if fmt == "json" else list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows
    # Nothing that leads to a person or a case: no contact, title, text, number, exact time.
    for case in cases:
        for secret in (case.contact_phone, case.contact_name, case.title, case.number):
            assert secret not in body
    assert "13800001111" not in body and "T0" not in body
    expected = {"estate_id", "estate", "month"}
    assert expected <= set(rows[0])
    forbidden = {
        "title",
        "description",
        "number",
        "address",
        "latitude",
        "longitude",
        "reporter",
        "contact_name",
        "contact_phone",
        "building",
        "created_at",
    }
    assert not forbidden & set(rows[0])
    if dataset == "cases":
        counted = Case.objects.exclude(state__in=("merged", "rejected")).count()
        assert len(rows) == counted
    else:
        assert (
            sum(int(row["received"]) for row in rows) == Case.objects.exclude(state__in=("merged", "rejected")).count()
        )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2025-01", "to": "2025-08"}, "请选择地点"),
        ({"place": "x"}, "请选择地点"),
        ({"place": "PLACE", "from": "2025/1"}, "格式不正确"),
        ({"place": "PLACE", "from": "2025-06", "to": "2025-01"}, "开始月份不能晚于结束月份"),
    ],
)
def test_bad_requests_get_a_message(client_for, world, query, message):
    query = {key: (world.subdistrict.id if value == "PLACE" else value) for key, value in query.items()}
    response = client_for(None).get(_url("indicators", "csv"), query)
    assert response.status_code == 400 and message in response.content.decode()


def test_case_rows_are_limited_to_twelve_months(client_for, world):
    response = client_for(None).get(
        _url("cases", "csv"), {"place": world.subdistrict.id, "from": "2024-01", "to": "2025-06"}
    )
    assert response.status_code == 400 and "最多导出12个月" in response.content.decode()


def test_unknown_dataset_is_404(client_for, world):
    assert client_for(None).get(_url("people", "csv"), {"place": world.subdistrict.id}).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_area_per_estate_and_month_equals_the_figures_computed_from_the_records(client_for, world, fmt):
    from gongzhi.indicators.registry import REGISTRY, Period
    from gongzhi.indicators.tests.recordfixture import random_records
    from gongzhi.places.models import Place

    estates = [world.estate, world.third_estate, world.other_estate]
    random_records(estates, world.users["community_worker"], world.person("resident"), count=20, seed=21)
    cases = random_cases(estates, count=30, seed=22)
    response = client_for(None).get(
        _url("figures", fmt), {"place": world.subdistrict.id, "from": "2025-02", "to": "2025-04"}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    rows = json.loads(body)["rows"] if fmt == "json" else list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    areas = {row["area"] for row in rows}
    assert {"structure", "cases", "meetings", "evaluation", "money", "works", "volunteers"} <= areas
    assert {row["month"] for row in rows} == {"2025-02", "2025-03", "2025-04"}
    assert {int(row["estate_id"]) for row in rows} == {e.id for e in Place.objects.filter(kind="estate")}
    # Each figure is the one the indicator computes from the records for that estate and month.
    for row in rows[:: max(1, len(rows) // 150)]:
        year, month = (int(part) for part in row["month"].split("-"))
        estate = Place.objects.get(pk=int(row["estate_id"]))
        figure = REGISTRY[row["indicator"]].compute(estate, Period.month(year, month))
        value = None if row["value"] in (None, "") else float(row["value"])
        assert value == (None if figure.value is None else float(figure.value)), row
    for case in cases:
        for secret in (case.contact_phone, case.contact_name, case.title, case.number):
            assert secret not in body
    # Records' titles and attendees' names never appear, only counts.
    assert "随机会议" not in body and "微心愿21-" not in body and "随机问题" not in body and "参会0" not in body


def test_figures_are_limited_to_twenty_four_months(client_for, world):
    response = client_for(None).get(
        _url("figures", "json"), {"place": world.subdistrict.id, "from": "2023-01", "to": "2025-06"}
    )
    assert response.status_code == 400 and "最多导出24个月" in response.content.decode()
