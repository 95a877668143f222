"""Every versioned resource answers with its version as ETag, for a read-modify-write loop."""

import pytest


def topic(api) -> str:
    return f"/v1/topics/{api.post('/v1/topics', json={'name': 'Agent'}).get_json()['id']}"


def handoff(api) -> str:
    return f"/v1/handoffs/{api.create_destination(name='Billing')['id']}"


# (how to make the resource, returning its URL; a change a PUT may send)
RESOURCES = {
    "handoff": (handoff, {"name": "Billing", "method": "sip_bye"}),
    "topic": (topic, {"name": "Agent", "dtmf": "5"}),
    "integration": (lambda api: "/v1/integration", {"sip_host": "pbx.example.com"}),
    "flow": (lambda api: "/v1/flow", {"greeting": "Hello, how can we help?"}),
}


@pytest.mark.parametrize("name", RESOURCES)
def test_the_etag_read_is_the_if_match_that_writes_once(api, name):
    make, change = RESOURCES[name]
    url = make(api)
    read = api.get(url)
    etag = read.headers["ETag"]
    assert etag == f'"{read.get_json()["version"]}"'

    written = api.put(url, json=change, headers={"If-Match": etag})
    assert written.status_code == 200, written.get_json()
    assert written.headers["ETag"] == f'"{written.get_json()["version"]}"' != etag
    # A second writer that read before the first wrote gets 412, not a lost update.
    assert api.put(url, json=change, headers={"If-Match": etag}).status_code == 412


@pytest.mark.parametrize(
    ("url", "body"),
    [("/v1/topics", {"name": "New"}), ("/v1/handoffs", {"name": "New", "method": "sip_bye"})],
)
def test_a_created_resource_answers_with_its_first_etag(api, url, body):
    created = api.post(url, json=body)
    assert created.status_code == 201
    assert created.headers["ETag"] == f'"{created.get_json()["version"]}"'


def test_the_etag_header_is_in_the_openapi_document(client):
    paths = client.get("/v1/openapi.json").get_json()["paths"]
    for path, method in [("/v1/topics/{topic_id}", "get"), ("/v1/flow", "put")]:
        assert "ETag" in paths[path][method]["responses"]["200"]["headers"], path
