"""Forged requests: no CSRF token, a token from another session, or no signed-in session."""

import pytest

from handoff.destinations import list_destinations
from models import db
from tests.ui.conftest import UiClient, make_destination, make_topic

POSTS = [
    "/handoffs",
    "/handoffs/{d}",
    "/handoffs/{d}/duplicate",
    "/handoffs/{d}/delete",
    "/handoffs/{d}/default",
    "/topics",
    "/topics/{t}",
    "/topics/{t}/delete",
    "/integration",
    "/integration/flow",
    "/environments/promote",
    "/environments/rollback",
    "/test-call",
    "/logout",
]
FORM = {"name": "Forged", "route": "sip:x@evil.example", "confirm": "Billing", "kind": "sip_trunk"}


@pytest.fixture
def targets(app):
    """Ids of a destination and a topic to aim forged requests at."""
    return {"d": make_destination(app), "t": make_topic(app)}


def state(app) -> list:
    with app.app_context():
        return [(d.name, d.is_default, d.version) for d in list_destinations(db.session)]


@pytest.mark.parametrize("path", POSTS)
def test_signed_in_post_without_token_is_403_and_changes_nothing(app, ui, targets, path):
    before = state(app)
    response = ui.client.post(path.format(**targets), data=FORM)
    assert response.status_code == 403
    assert state(app) == before


@pytest.mark.parametrize("path", POSTS)
def test_token_from_another_session_is_403(app, ui, targets, path):
    stolen = ui.token("/handoffs")
    attacker = app.test_client()
    UiClient(attacker).token("/login")  # the attacker's own anonymous session
    response = attacker.post(path.format(**targets), data={**FORM, "csrf_token": stolen})
    assert response.status_code == 403


@pytest.mark.parametrize("path", [p for p in POSTS if p != "/logout"])
def test_valid_token_without_sign_in_goes_to_login_and_changes_nothing(app, client, targets, path):
    before = state(app)
    helper = UiClient(client)
    token = helper.token("/login")
    response = client.post(path.format(**targets), data={**FORM, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert state(app) == before


def test_cross_site_json_post_without_token_is_403(ui, targets):
    response = ui.client.post(
        "/handoffs",
        json=FORM,
        headers={"Origin": "https://evil.example", "Accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "csrf_failed"
