"""/v1/handoffs: defaults, duplicate, delete, optimistic locking, warnings, paging, auth."""

import pytest

from handoff.api_keys import create_api_key
from models import AuditEntry, Environment, db


def codes(destination: dict) -> set[str]:
    return {w["code"] for w in destination["warnings"]}


def config_version(app, name="sandbox") -> int:
    with app.app_context():
        return db.session.query(Environment).filter_by(name=name).one().config_version


def test_first_destination_becomes_the_default(api):
    first = api.create_destination(name="First")
    second = api.create_destination(name="Second")
    assert first["is_default"] is True
    assert second["is_default"] is False
    assert set(first) >= {
        "id", "name", "description", "method", "route", "sip_headers", "encryption",
        "is_default", "fallback_id", "ring_timeout", "version", "warnings", "created_at",
        "updated_at",
    }  # fmt: skip


def test_set_default_moves_the_flag(api):
    first = api.create_destination(name="First")
    second = api.create_destination(name="Second")
    response = api.post(f"/v1/handoffs/{second['id']}/default")
    assert response.status_code == 200
    assert response.get_json()["is_default"] is True
    listed = {d["name"]: d["is_default"] for d in api.get("/v1/handoffs").get_json()["items"]}
    assert listed == {"First": False, "Second": True}
    assert api.get(f"/v1/handoffs/{first['id']}").get_json()["is_default"] is False


def test_duplicate_names_copies_and_is_never_default(api):
    original = api.create_destination(
        name="Billing", sip_headers=[{"name": "X-Team", "value": "billing"}]
    )
    names = []
    for _ in range(3):
        response = api.post(f"/v1/handoffs/{original['id']}/duplicate")
        assert response.status_code == 201
        copy = response.get_json()
        assert copy["is_default"] is False
        assert copy["sip_headers"] == [{"name": "X-Team", "value": "billing"}]
        names.append(copy["name"])
    assert names == ["Billing (copy)", "Billing (copy 2)", "Billing (copy 3)"]


def test_delete_needs_the_exact_name(api):
    row = api.create_destination(name="Billing")
    for confirm in ("billing", "Billing ", ""):
        response = api.delete(f"/v1/handoffs/{row['id']}", confirm=confirm)
        assert response.status_code == 400
        assert "confirm" in response.get_json()["errors"]
    missing = api.delete(f"/v1/handoffs/{row['id']}")
    assert missing.status_code == 400 and "confirm" in missing.get_json()["errors"]
    assert api.delete(f"/v1/handoffs/{row['id']}", confirm="Billing").status_code == 204
    assert api.get(f"/v1/handoffs/{row['id']}").status_code == 404


def test_deleting_the_default_warns_no_default_everywhere(api):
    default = api.create_destination(name="Default")
    other = api.create_destination(name="Other")
    api.delete(f"/v1/handoffs/{default['id']}", confirm="Default")
    listing = api.get("/v1/handoffs").get_json()
    assert "no_default" in {w["code"] for w in listing["warnings"]}
    assert all("no_default" in codes(d) for d in listing["items"])
    assert "no_default" in codes(api.get(f"/v1/handoffs/{other['id']}").get_json())
    fixed = api.post(f"/v1/handoffs/{other['id']}/default").get_json()
    assert "no_default" not in codes(fixed)
    assert api.get("/v1/handoffs").get_json()["warnings"] == []


@pytest.mark.parametrize("how", ["if-match", "weak-if-match", "version-field"])
def test_stale_write_is_a_412(api, how):
    row = api.create_destination(name="Billing")
    first = api.patch(f"/v1/handoffs/{row['id']}", json={"description": "one", "version": 1})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    body, headers = {"description": "two"}, {}
    if how == "version-field":
        body["version"] = 1
    else:
        headers["If-Match"] = 'W/"1"' if how == "weak-if-match" else '"1"'
    stale = api.patch(f"/v1/handoffs/{row['id']}", json=body, headers=headers)
    assert stale.status_code == 412
    assert stale.get_json()["code"] == "stale_version"
    assert api.get(f"/v1/handoffs/{row['id']}").get_json()["description"] == "one"


def test_put_replaces_and_returns_etag(api):
    row = api.create_destination(name="Billing", description="old")
    response = api.put(
        f"/v1/handoffs/{row['id']}",
        json={"name": "Billing", "method": "sip_bye"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["method"], body["route"], body["description"]) == ("sip_bye", "", "")
    assert response.headers["ETag"] == '"2"'


def test_every_write_bumps_config_version_and_is_audited(app, api):
    start = config_version(app)
    row = api.create_destination(name="Billing")
    api.patch(f"/v1/handoffs/{row['id']}", json={"description": "x"})
    api.post(f"/v1/handoffs/{row['id']}/duplicate")
    api.delete(f"/v1/handoffs/{row['id']}", confirm="Billing")
    assert config_version(app) == start + 4
    with app.app_context():
        entries = db.session.query(AuditEntry).order_by(AuditEntry.id).all()
        assert [e.action for e in entries] == ["create", "update", "duplicate", "delete"]
        assert entries[1].before["description"] == "" and entries[1].after["description"] == "x"
        assert entries[0].actor == "api-key:bootstrap"


def test_live_is_read_only(api):
    response = api.post("/v1/handoffs", json={"name": "X", "method": "sip_bye"}, environment="live")
    assert response.status_code == 409
    assert response.get_json()["code"] == "read_only_environment"
    assert api.get("/v1/handoffs", environment="live").status_code == 200
    bad = api.get("/v1/handoffs", environment="staging")
    assert bad.status_code == 400 and "environment" in bad.get_json()["errors"]


def test_unknown_destination_is_a_404(api):
    response = api.get("/v1/handoffs/4242")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_listing_pages_with_a_cursor(api):
    for n in range(5):
        api.create_destination(name=f"Team {n}")
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/v1/handoffs", **query).get_json()
        seen += [d["name"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Team {n}" for n in range(5)]
    bad = api.get("/v1/handoffs", cursor="!!!")
    assert bad.status_code == 400 and "cursor" in bad.get_json()["errors"]


def test_bad_json_bodies_are_400s(api, client):
    response = client.post(
        "/v1/handoffs",
        data="{not json",
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert api.post("/v1/handoffs", json=[1, 2]).status_code == 400


@pytest.mark.parametrize(
    ("key", "method", "status"),
    [
        (None, "GET", 401),
        ("hk_unknown", "GET", 401),
        ("read", "GET", 200),
        ("read", "POST", 403),
        ("write", "GET", 403),
        ("write", "POST", 201),
        ("read,write", "POST", 201),
        ("revoked", "GET", 401),
    ],
)
def test_api_key_scopes(app, client, key, method, status):
    headers = {}
    if key and key.startswith("hk_"):
        headers["x-api-key"] = key
    elif key:
        with app.app_context():
            row, clear = create_api_key(db.session, "test", "read" if key == "revoked" else key)
            if key == "revoked":
                from handoff.api_keys import revoke_api_key

                revoke_api_key(db.session, row.id)
        headers["x-api-key"] = clear
    body = {"name": "X", "method": "sip_bye"} if method == "POST" else None
    response = client.open("/v1/handoffs", method=method, json=body, headers=headers)
    assert response.status_code == status
    if status >= 400:
        assert set(response.get_json()) == {"code", "message", "errors"}


def test_keys_are_stored_hashed(app):
    with app.app_context():
        row, clear = create_api_key(db.session, "ci", "read")
        assert clear not in (row.key_hash, row.prefix)
        assert len(row.key_hash) == 64


def test_api_needs_no_csrf_token(app, api):
    assert app.config["WTF_CSRF_ENABLED"]
    assert api.post("/v1/handoffs", json={"name": "X", "method": "sip_bye"}).status_code == 201


def test_unserved_methods_and_paths_answer_json(api):
    wrong_method = api.put("/v1/handoffs", json={})
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["code"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]
    missing = api.get("/v1/nothing/here")
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    assert api.get("/v1").get_json()["openapi"] == "/v1/openapi.json"


def test_errors_inside_header_items_are_named_by_position(api):
    response = api.post(
        "/v1/handoffs",
        json={"name": "X", "route": "sip:a@example.com", "sip_headers": [False, {"name": "Bad"}]},
    )
    errors = response.get_json()["errors"]["sip_headers"]
    assert set(errors) == {"0", "1"}


def test_an_unexpected_failure_is_a_json_500(app, api, monkeypatch):
    from handoff import destinations

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, not testing

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(destinations, "list_destinations", explode)
    response = api.get("/v1/handoffs")
    assert response.status_code == 500
    assert response.get_json()["code"] == "internal_error"


def test_audit_log_lists_changes_newest_first(api):
    row = api.create_destination(name="Billing")
    api.patch(f"/v1/handoffs/{row['id']}", json={"description": "Invoices"})
    api.post("/v1/environments/live/promote")
    entries = api.get("/v1/audit", environment="sandbox").get_json()["items"]
    assert [(e["action"], e["entity"]) for e in entries] == [
        ("update", "destination"),
        ("create", "destination"),
    ]
    assert entries[0]["before"]["description"] == "" and entries[0]["after"]["description"] == (
        "Invoices"
    )
    page = api.get("/v1/audit", limit=1).get_json()
    assert page["items"][0]["action"] == "promote" and page["next_cursor"]
    rest = api.get("/v1/audit", limit=5, cursor=page["next_cursor"]).get_json()["items"]
    assert [e["action"] for e in rest] == ["update", "create"]


def test_json_without_its_content_type_is_still_json(client, api_headers):
    response = client.post(
        "/v1/handoffs",
        data='{"name": "Curl", "method": "sip_bye"}',
        headers={**api_headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 201, response.get_json()
