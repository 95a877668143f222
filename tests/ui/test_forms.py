"""Every UI form with bad input: 400, the error beside its field, the input kept, nothing saved."""

import pytest

from handoff.destinations import list_destinations
from handoff.topics import list_topics
from models import db
from tests.ui.conftest import make_destination, make_topic, set_integration

GOOD = {"name": "Sales", "method": "sip_refer", "route": "sip:sales@pbx.example.com"}


def destination_names(app) -> list[str]:
    with app.app_context():
        return [d.name for d in list_destinations(db.session, "sandbox")]


@pytest.fixture
def trunk(app):
    """A sandbox whose integration imposes no method."""
    set_integration(app, "sip_trunk")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Name"),
        ({"name": "x" * 81}, "Name"),
        ({"route": "not a route"}, "not a route"),
        ({"route": ""}, "Route"),
        ({"method": "sip_fax"}, "Must be one of"),
        ({"method": "sip_bye", "route": "", "encryption": "none"}, "Must be one of"),
        ({"sip_headers-0-name": "X-Twilio-Foo", "sip_headers-0-value": "1"}, "X-Twilio-Foo"),
        ({"sip_headers-0-name": "Bad Name", "sip_headers-0-value": "1"}, "Bad Name"),
        ({"sip_headers-0-name": "X-A", "sip_headers-0-value": "a\r\nInjected: 1"}, "X-A"),
        ({"sip_headers-0-name": "X-A", "sip_headers-1-name": "x-a"}, "X-A"),
        ({"ring_timeout": "2", "method": "sip_invite"}, "Ring timeout"),
        ({"ring_timeout": "soon", "method": "sip_invite"}, "soon"),
        ({"fallback_id": "999"}, "Fallback"),
    ],
)
def test_add_handoff_with_bad_input(app, ui, trunk, fields, message):
    response = ui.post("/handoffs", {**GOOD, **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="field-error"' in page
    assert "data-open-on-load" in page
    assert message in page
    assert destination_names(app) == []


def test_add_handoff_shows_which_header_row_is_bad(ui, trunk):
    form = {
        **GOOD,
        "sip_headers-0-name": "X-Good",
        "sip_headers-0-value": "kept",
        "sip_headers-1-name": "Bad Name",
        "sip_headers-1-value": "v",
    }
    page = ui.post("/handoffs", form).get_data(as_text=True)
    row_two = page.split('name="sip_headers-1-name"')[1].split('class="header-row"')[0]
    assert 'class="field-error"' in row_two
    assert 'value="kept"' in page


def test_edit_with_a_stale_version_is_refused(app, ui, trunk):
    destination_id = make_destination(app)
    form = {**GOOD, "name": "Renamed", "version": "0"}
    response = ui.post(f"/handoffs/{destination_id}", form)
    assert response.status_code == 400
    assert "Current version is 1." in response.get_data(as_text=True)
    assert destination_names(app) == ["Billing"]


def test_delete_with_the_wrong_name_keeps_the_handoff(app, ui):
    destination_id = make_destination(app)
    response = ui.post(f"/handoffs/{destination_id}/delete", {"confirm": "billing"})
    assert response.status_code == 400
    assert "exact name" in response.get_data(as_text=True)
    assert destination_names(app) == ["Billing"]


def test_delete_with_the_exact_name_deletes_and_warns_no_default(app, ui):
    destination_id = make_destination(app)
    response = ui.post(f"/handoffs/{destination_id}/delete", {"confirm": "Billing"})
    assert response.status_code == 302
    assert destination_names(app) == []
    assert 'data-testid="banner-no_default"' in ui.get("/handoffs").get_data(as_text=True)


@pytest.mark.parametrize("action", ["", "/duplicate", "/default", "/delete"])
def test_actions_on_an_unknown_handoff_are_404(ui, action):
    assert ui.post(f"/handoffs/999{action}", {**GOOD, "confirm": "x"}).status_code == 404


def test_a_locked_method_is_enforced_on_the_server(app, ui):
    set_integration(app, "twilio_pstn")
    ui.post("/handoffs", {**GOOD, "method": "sip_refer"})
    page = ui.get("/handoffs").get_data(as_text=True)
    assert 'name="method" value="sip_invite"' in page
    with app.app_context():
        (row,) = list_destinations(db.session, "sandbox")
        assert row.method == "sip_invite"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Name"),
        ({"dtmf": "12"}, "one key"),
        ({"reason": "Not A Code"}, "lower-case"),
        ({"action": "function", "function": ""}, "function"),
        ({"action": "function", "function": "os.system('x')"}, "Python name"),
        ({"destination_id": "999"}, "999"),
        ({"utterance": "x" * 501}, "utterance"),
    ],
)
def test_add_topic_with_bad_input(app, ui, fields, message):
    response = ui.post("/topics", {"name": "Bills", "phrases": "billing\ninvoice", **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="field-error"' in page and message in page
    assert "billing\ninvoice" in page
    with app.app_context():
        assert list_topics(db.session, "sandbox") == []


def test_topic_with_a_duplicate_key_is_refused(app, ui):
    make_topic(app, "Bills", dtmf="1")
    response = ui.post("/topics", {"name": "Other", "dtmf": "1"})
    assert response.status_code == 400
    assert "already uses key 1" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "fields", "message"),
    [
        ("/integration", {"kind": "fax_machine"}, "Must be one of"),
        ("/integration", {"kind": "twilio_pstn", "required_method": "sip_fax"}, "Must be one"),
        ("/integration", {"kind": "twilio_pstn", "sip_host": "bad host!"}, "host name"),
        ("/integration/flow", {"greeting": "", "apology": "x", "language": "en-US"}, "Greeting"),
        ("/integration/flow", {"greeting": "Hi", "apology": "x", "gather_timeout": "0"}, "wait"),
        ("/integration/flow", {"greeting": "Hi", "apology": "x", "max_attempts": "x"}, "Attempts"),
        ("/integration/flow", {"greeting": "Hi", "apology": "x", "language": "!!"}, "Language"),
    ],
)
def test_integration_forms_with_bad_input(ui, path, fields, message):
    response = ui.post(path, fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="field-error"' in page and message in page


def test_changing_the_integration_kind_applies_its_constraints(app, ui):
    response = ui.post("/integration", {"kind": "sip_trunk", "required_method": "sip_invite"})
    assert response.status_code == 302
    page = ui.get("/integration").get_data(as_text=True)
    assert '<option value="" selected>Any method</option>' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"version": "abc"}, "Pick a version"),
        ({"version": "42"}, "No live version 42"),
        ({}, "Pick a version"),
    ],
)
def test_rollback_with_bad_input(ui, fields, message):
    response = ui.post("/environments/rollback", fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_promote_with_a_long_note_is_refused(ui):
    response = ui.post("/environments/promote", {"note": "x" * 501})
    assert response.status_code == 400
    assert "500 characters" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"environment": "production"}, "Must be one of: sandbox, live"),
        ({"channel": "fax"}, "Must be one of"),
        ({"digits": "12ab"}, "String does not match"),
        ({"sip_headers": "no colon here"}, "Line 1"),
        ({"caller": "+1415\r\n555"}, "line breaks"),
    ],
)
def test_test_call_with_bad_input(ui, fields, message):
    response = ui.post("/test-call", {"environment": "sandbox", **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="field-error"' in page and message in page


@pytest.mark.parametrize(
    "query", ["from=yesterday", "to=2026-13-01", "handoff=maybe", "environment=prod", "cursor=!!"]
)
def test_conversation_filters_with_bad_input(ui, query):
    response = ui.get(f"/conversations?{query}")
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_unknown_conversation_is_404(ui):
    assert ui.get("/conversations/cv_nope").status_code == 404


@pytest.mark.parametrize("path", ["/handoffs", "/topics", "/integration"])
def test_live_is_shown_read_only(app, ui, path):
    make_destination(app)
    page = ui.get(f"{path}?env=live").get_data(as_text=True)
    assert 'data-testid="current-env">Live<' in page and "read-only" in page
    assert "Add handoff" not in page and "Add topic" not in page
    assert "Save integration" not in page
