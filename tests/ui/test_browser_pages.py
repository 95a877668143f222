"""In Chromium: test call, conversation review, integration and environments."""

import re

import pytest
from playwright.sync_api import expect

from models import db
from tests.ui.conftest import make_destination, make_topic, open_dialog, set_integration
from tests.voice_support import follow, pstn_call, xml

pytestmark = pytest.mark.browser


def billing_setup(app) -> int:
    """A Billing INVITE handoff with a header from the caller's SIP headers, and its topic."""
    destination_id = make_destination(
        app,
        "Billing",
        route="sip:billing@pbx.example.com",
        sip_headers=[{"name": "X-Account", "value": "${sip_X-Account}"}],
    )
    make_topic(
        app,
        "Bills",
        phrases=["billing", "invoice"],
        dtmf="1",
        destination_id=destination_id,
        reason="billing_question",
        utterance="Connecting you to billing.",
    )
    return destination_id


def test_test_call_shows_the_decision_and_the_exact_twiml(app, signed_in):
    page = signed_in
    billing_setup(app)
    page.get_by_role("link", name="Test call").click()
    page.get_by_label("Caller number").fill("+14155550199")
    page.get_by_label("Inbound SIP headers").fill("X-Account: 42")
    page.get_by_label("Caller says").fill("I have a question about my invoice")
    page.get_by_role("button", name="Run test call").click()

    expect(page.get_by_test_id("matched-topic")).to_have_text("Bills")
    expect(page.get_by_test_id("destination")).to_have_text("Billing")
    expect(page.get_by_test_id("method-used")).to_have_text("INVITE")
    headers = page.get_by_test_id("resolved-headers")
    expect(headers.get_by_role("row", name=re.compile("X-Account"))).to_contain_text("42")
    expect(headers).to_contain_text("X-Handoff-ID")
    twiml = page.get_by_test_id("twiml")
    expect(twiml).to_contain_text("<Say")
    expect(twiml).to_contain_text("Connecting you to billing.")
    expect(twiml).to_contain_text("<Sip>sip:billing@pbx.example.com;transport=tls")
    expect(twiml).to_contain_text("X-Account=42")
    expect(page.get_by_label("Caller number")).to_have_value("+14155550199")


def test_test_call_shows_a_refer_substituted_on_a_phone_call(app, signed_in):
    page = signed_in
    set_integration(app, "sip_trunk")
    make_destination(app, "Desk", method="sip_refer", route="sip:desk@pbx.example.com")
    page.goto("/test-call")
    page.get_by_label("Caller's leg").select_option("pstn")
    page.get_by_label("Or presses").fill("5")
    page.get_by_role("button", name="Run test call").click()
    expect(page.get_by_test_id("matched-topic")).to_have_text("None")
    expect(page.get_by_test_id("method-used")).to_have_text("INVITE (configured REFER)")
    expect(page.get_by_test_id("twiml")).to_contain_text("<Dial")


def make_conversation(app, twilio) -> None:
    """Run a real signed call through the webhooks: press 1, Billing answers with 200."""
    billing_setup(app)
    place_call(app, twilio)


def place_call(app, twilio, digits: str = "1") -> None:
    """Call the sandbox, press ``digits`` and let the INVITE handoff answer with 200."""
    params = pstn_call(**{"SipHeader_X-Account": "42"})
    query = {"env": "sandbox"}
    gather = xml(twilio.post("/voice/call", params, query=query)).find("./Gather")
    answer = xml(follow(twilio, gather.get("action"), {**params, "Digits": digits}))
    status = {**params, "DialCallStatus": "completed", "DialSipResponseCode": "200"}
    follow(twilio, answer.find("./Dial").get("action"), status)
    with app.app_context():
        db.session.remove()


def test_conversation_review_shows_the_metadata_panel(app, twilio, signed_in):
    page = signed_in
    make_conversation(app, twilio)
    page.get_by_role("link", name="Conversation review").click()
    page.get_by_label("Handed off").select_option("yes")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_role("row", name=re.compile("Billing"))
    expect(rows).to_have_count(1)
    rows.get_by_role("link").click()

    panel = page.get_by_test_id("metadata-panel")
    expect(panel.get_by_test_id("meta-target")).to_contain_text("Billing")
    expect(panel.get_by_test_id("meta-method")).to_have_text("INVITE")
    expect(panel.get_by_test_id("meta-reason")).to_have_text("billing_question")
    expect(panel.get_by_test_id("meta-utterance")).to_have_text("Connecting you to billing.")
    expect(panel.get_by_test_id("meta-headers")).to_contain_text("X-Handoff-ID")
    timeline = panel.get_by_test_id("meta-states")
    expect(timeline).to_contain_text("handoff_initiated")
    expect(timeline).to_contain_text("handoff_completed")
    expect(timeline).to_contain_text("SIP 200")
    transcript = page.get_by_role("region", name="Transcript")
    expect(transcript).to_contain_text("Thanks for calling")

    page.goto("/conversations?handoff=no")
    expect(page.get_by_text("No conversation matches.")).to_be_visible()


def test_integration_kind_locks_the_method_on_the_handoffs_page(app, signed_in):
    page = signed_in
    page.get_by_role("link", name="Integration", exact=True).click()
    page.get_by_label("Kind").select_option("sip_trunk")
    page.get_by_role("button", name="Save integration").click()
    expect(page.get_by_text("Saved the integration settings.")).to_be_visible()
    expect(page.get_by_label("Required method")).to_have_value("")
    page.get_by_role("link", name="Call handoffs").click()
    open_dialog(page, "Add handoff")
    expect(page.get_by_role("dialog", name="Add handoff").get_by_label("Method")).to_be_enabled()
    page.get_by_role("dialog", name="Add handoff").get_by_role("button", name="Cancel").click()

    page.get_by_role("link", name="Integration", exact=True).click()
    page.get_by_label("Required method").select_option("sip_bye")
    page.get_by_role("button", name="Save integration").click()
    page.get_by_role("link", name="Call handoffs").click()
    open_dialog(page, "Add handoff")
    dialog = page.get_by_role("dialog", name="Add handoff")
    expect(dialog.get_by_label("Method")).to_be_disabled()
    expect(dialog.get_by_label("Method")).to_have_value("sip_bye")
    expect(dialog.get_by_label("Route")).to_be_hidden()


def test_promote_shows_the_diff_then_rollback_restores(app, signed_in):
    page = signed_in
    make_destination(app, "Billing")
    page.get_by_role("link", name="Environments").click()
    diff = page.get_by_test_id("promote-diff")
    expect(diff).to_contain_text("Added destination “Billing”")
    open_dialog(page, "Promote to live…")
    page.get_by_role("dialog", name="Promote sandbox to live?").get_by_label("Note").fill("first")
    page.get_by_role("button", name="Promote", exact=True).click()
    expect(page.get_by_test_id("live-version")).to_have_text("1")
    expect(page.get_by_test_id("no-changes")).to_be_visible()

    make_destination(app, "Support", route="+14155550100")
    page.reload()
    expect(page.get_by_test_id("promote-diff")).to_contain_text("Added destination “Support”")
    open_dialog(page, "Promote to live…")
    page.get_by_role("button", name="Promote", exact=True).click()
    expect(page.get_by_test_id("live-version")).to_have_text("2")

    open_dialog(page, "Roll back to v1")
    confirm = page.get_by_role("dialog", name="Roll live back to version 1?")
    confirm.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("live-version")).to_have_text("2")
    open_dialog(page, "Roll back to v1")
    confirm.get_by_role("button", name="Roll back").click()
    expect(page.get_by_test_id("live-version")).to_have_text("3")
    expect(page.get_by_test_id("versions")).to_contain_text("rollback of v1")
    page.goto("/handoffs?env=live")
    expect(page.get_by_test_id("current-env")).to_have_text("Live")
    expect(page.get_by_role("article", name="Billing")).to_be_visible()
    expect(page.get_by_role("article", name="Support")).to_have_count(0)
    expect(page.get_by_role("button", name="Add handoff")).to_have_count(0)
