"""An existing Open311 client against a real server.

The client is the PyPI package ``georeport`` (a GeoReport v2 wrapper). It lists services, reads
service definitions and reads requests back, in JSON and in XML; it has no call for *posting* a
request, so the post is made with ``requests`` exactly as the spec describes (a form-encoded POST
to ``requests.{format}`` with ``api_key``)."""

import pytest
import requests
from georeport import GeoReport

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_open311_client_lists_services_posts_and_reads_back(live_server, categories, world, partner_key):
    root = f"{live_server.url}/open311/v2"
    client = GeoReport(root, api_key=partner_key.secret)
    services = client.get_service_list()
    assert {"elevator", "repair", "sanitation"} <= {s["service_code"] for s in services}
    assert client.get_service_definition("elevator")["service_code"] == "elevator"

    posted = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": partner_key.secret,
            "service_code": "elevator",
            "address_id": str(world.estate.pk),
            "description": "1号楼电梯门关不上",
            "first_name": "明",
            "last_name": "王",
        },
        timeout=10,
    )
    assert posted.status_code == 201
    number = posted.json()[0]["service_request_id"]

    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["service_code"] == "elevator"
    assert one["status"] == "open"
    found = client.get_service_requests(service_request_id=number)
    assert [r["service_request_id"] for r in found] == [number]
    assert number in {r["service_request_id"] for r in client.get_service_requests(status="open")}

    xml_client = GeoReport(root, output_format="xml")
    xml_services = xml_client.get_service_list()
    assert "elevator" in {s["service_code"] for s in xml_services}
    assert xml_client.get_service_request(number)["service_request_id"] == number
