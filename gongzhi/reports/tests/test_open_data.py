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
