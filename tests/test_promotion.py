"""Promote sandbox → live as numbered versions, roll back, list versions; numbers."""

import pytest
from sqlalchemy import select

from handoff import promotion
from handoff.numbers import environment_for_number
from models import Destination, FlowSettings, Integration, Topic, db
from tests.factories import DestinationFactory, HeaderFactory, TopicFactory, environment_id


def live_names(api) -> list[str]:
    return [d["name"] for d in api.get("/v1/handoffs", environment="live").get_json()["items"]]


def build_sandbox(api) -> dict:
    support = api.create_destination(name="Support")
    billing = api.create_destination(name="Billing", fallback_id=support["id"])
    api.post("/v1/topics", json={"name": "Billing", "destination_id": billing["id"], "dtmf": "1"})
    api.put("/v1/flow", json={"greeting": "Hello from v1"})
    return {"support": support, "billing": billing}


def test_promote_copies_sandbox_to_live_with_remapped_ids(api):
    build_sandbox(api)
    response = api.post("/v1/environments/live/promote", json={"note": "first"})
    assert response.status_code == 201
    version = response.get_json()
    assert (version["number"], version["kind"], version["note"]) == (1, "promote", "first")
    live = {d["name"]: d for d in api.get("/v1/handoffs", environment="live").get_json()["items"]}
    assert set(live) == {"Support", "Billing"}
    assert live["Support"]["is_default"] is True
    assert live["Billing"]["fallback_id"] == live["Support"]["id"]
    topic = api.get("/v1/topics", environment="live").get_json()["items"][0]
    assert topic["destination_id"] == live["Billing"]["id"]
    assert api.get("/v1/flow", environment="live").get_json()["greeting"] == "Hello from v1"
    env = api.get("/v1/environments/live").get_json()
    assert env["live_version"] == 1 and env["editable"] is False


def test_rollback_restores_an_earlier_version_as_a_new_one(api):
    build_sandbox(api)
    api.post("/v1/environments/sandbox/promote")
    api.create_destination(name="Sales")
    api.post("/v1/environments/live/promote")
    assert sorted(live_names(api)) == ["Billing", "Sales", "Support"]
    response = api.post("/v1/environments/live/rollback", json={})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["number"], body["kind"], body["restored_from"]) == (3, "rollback", 1)
    assert sorted(live_names(api)) == ["Billing", "Support"]
    again = api.post("/v1/environments/live/rollback", json={"version": 2}).get_json()
    assert again["number"] == 4 and sorted(live_names(api)) == ["Billing", "Sales", "Support"]
    versions = api.get("/v1/environments/live/versions").get_json()
    assert [v["number"] for v in versions["items"]] == [4, 3, 2, 1]
    assert [v["current"] for v in versions["items"]] == [True, False, False, False]
    detail = api.get("/v1/environments/live/versions/1").get_json()
    assert [d["name"] for d in detail["snapshot"]["destinations"]] == ["Support", "Billing"]
    assert api.get("/v1/environments/live/versions/99").status_code == 404
    paged = api.get("/v1/environments/live/versions", limit=3).get_json()
    rest = api.get("/v1/environments/live/versions", cursor=paged["next_cursor"]).get_json()
    assert [v["number"] for v in rest["items"]] == [1]


def test_promote_carries_every_configured_field(app):
    with app.app_context():
        support = DestinationFactory(
            name="Support",
            description="Front line",
            method="sip_refer",
            route="sip:support@pbx.example.com",
            encryption="udp_rtp",
            is_default=True,
            ring_timeout=12,
        )
        HeaderFactory(destination_id=support.id, name="X-Reason", value="$handoff_reason")
        billing = DestinationFactory(name="Billing", fallback_id=support.id)
        TopicFactory(
            name="Refunds",
            phrases=["refund", "money back"],
            dtmf="3",
            destination_id=billing.id,
            reason="refunds",
            utterance="Refunds, please",
            immediate=True,
            position=4,
        )
        TopicFactory(name="Hours", action="function", function="hours", params={"tz": "UTC"})
        _set_settings(
            Integration,
            kind="sip_trunk",
            required_method="sip_refer",
            route_hidden=True,
            headers_hidden=True,
            sip_host="pbx.example.com",
            add_handoff_id_header=False,
        )
        _set_settings(
            FlowSettings,
            greeting="Hi.",
            reprompt="Again?",
            apology="Sorry.",
            language="fr-FR",
            voice="Polly.Celine",
            gather_timeout=9,
            max_attempts=4,
        )
        promotion.promote(db.session, actor="test")
        assert _contents("live") == _contents("sandbox")


def _set_settings(model, **values) -> None:
    row = db.session.scalar(select(model).where(model.environment_id == environment_id()))
    for name, value in values.items():
        setattr(row, name, value)
    db.session.commit()


def _contents(environment: str) -> dict:
    """Return every configured column of the environment's rows, with links by name."""
    return {
        model.__name__: sorted(
            (_columns(row) for row in _rows(model, environment)), key=lambda c: c.get("name", "")
        )
        for model in (Integration, FlowSettings, Destination, Topic)
    }


def _rows(model, environment: str) -> list:
    return db.session.scalars(
        select(model).where(model.environment_id == environment_id(environment))
    )


def _columns(row) -> dict:
    # Ids, versions and times belong to each environment's own rows; links are compared by name.
    own = {"id", "environment_id", "version", "created_at", "updated_at"}
    data = {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in own}
    for link in ("fallback_id", "destination_id"):
        if data.get(link) is not None:
            data[link] = db.session.get(Destination, data[link]).name
    if isinstance(row, Destination):
        data["sip_headers"] = [(h.position, h.name, h.value) for h in row.sip_headers]
    return data


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/v1/environments/live/rollback", {}, 400, "version"),
        ("/v1/environments/live/rollback", {"version": 9}, 404, None),
        ("/v1/environments/live/rollback", {"version": "x"}, 400, "version"),
        ("/v1/environments/sandbox/rollback", {}, 400, "environment"),
        ("/v1/environments/staging/promote", {}, 400, "environment"),
    ],
)
def test_bad_promote_and_rollback(api, path, body, status, field):
    response = api.post(path, json=body)
    assert response.status_code == status
    if field:
        assert field in response.get_json()["errors"]


def test_promote_needs_write_scope(client):
    assert client.post("/v1/environments/live/promote", json={}).status_code == 401


def test_environments_listing(api):
    names = [e["name"] for e in api.get("/v1/environments").get_json()["items"]]
    assert names == ["sandbox", "live"]


def test_numbers_route_to_their_environment_and_unknown_to_live(app, api):
    with app.app_context():
        assert environment_for_number(db.session, "+14155550100") == "live"
    response = api.post("/v1/numbers", json={"number": "+1 415 555 0100", "environment": "sandbox"})
    assert response.status_code == 201
    assert response.get_json()["number"] == "+14155550100"
    with app.app_context():
        assert environment_for_number(db.session, "+14155550100") == "sandbox"
        assert environment_for_number(db.session, "+14155550199") == "live"
    listed = api.get("/v1/numbers").get_json()["items"]
    assert listed == [{"number": "+14155550100", "environment": "sandbox", **{
        "created_at": listed[0]["created_at"]}}]  # fmt: skip
    assert api.delete("/v1/numbers/+14155550100").status_code == 204
    with app.app_context():
        assert environment_for_number(db.session, "+14155550100") == "live"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"number": "hello", "environment": "sandbox"}, "number"),
        ({"number": "+1415", "environment": "sandbox"}, "number"),
        ({"number": "+14155550100", "environment": "staging"}, "environment"),
        ({"environment": "live"}, "number"),
    ],
)
def test_bad_number_assignment(api, body, field):
    response = api.post("/v1/numbers", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
