"""In Chromium: the call handoffs page, as an operator uses it."""

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import card, open_actions, open_dialog, set_integration

pytestmark = pytest.mark.browser


def add_handoff(page, name: str, route: str, headers=()) -> None:
    """Fill and save the Add handoff modal."""
    open_dialog(page, "Add handoff")
    dialog = page.get_by_role("dialog", name="Add handoff")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Route").fill(route)
    for index, (header, value) in enumerate(headers, start=1):
        dialog.get_by_role("button", name="Add SIP header").click()
        dialog.get_by_label(f"SIP header {index} name").fill(header)
        dialog.get_by_label(f"SIP header {index} value").fill(value)
    dialog.get_by_role("button", name="Save handoff").click()


def test_add_duplicate_delete_default_and_edit(app, signed_in):
    page = signed_in
    set_integration(app, "sip_trunk")
    page.goto("/handoffs")
    expect(page.get_by_test_id("banner-no_default")).to_be_visible()

    open_dialog(page, "Add handoff")
    dialog = page.get_by_role("dialog", name="Add handoff")
    expect(dialog.get_by_label("Method")).to_have_value("sip_refer")
    expect(dialog.get_by_label("Encryption")).to_be_hidden()
    dialog.get_by_label("Name", exact=True).fill("Billing")
    dialog.get_by_label("Description").fill("Invoices and refunds")
    dialog.get_by_label("Route").fill("sip:billing@pbx.example.com")
    dialog.get_by_role("button", name="Add SIP header").click()
    dialog.get_by_label("SIP header 1 name").fill("Account")
    expect(dialog.get_by_text("Custom header names should start with X-.")).to_be_visible()
    dialog.get_by_label("SIP header 1 name").fill("X-Account")
    expect(dialog.get_by_text("Custom header names should start with X-.")).to_be_hidden()
    dialog.get_by_label("SIP header 1 value").fill("$caller_id")
    dialog.get_by_role("button", name="Add SIP header").click()
    dialog.get_by_label("SIP header 2 name").fill("X-Reason")
    dialog.get_by_label("SIP header 2 value").fill("$handoff_reason")
    dialog.get_by_role("button", name="Save handoff").click()

    billing = card(page, "Billing")
    expect(billing.get_by_text("Default", exact=True)).to_be_visible()
    expect(billing.get_by_test_id("method")).to_have_text("REFER")
    expect(billing.get_by_test_id("header-count")).to_have_text("2")
    expect(page.get_by_test_id("banner-no_default")).to_have_count(0)

    open_actions(page, "Billing")
    page.get_by_role("button", name="Duplicate").click()
    copy = card(page, "Billing (copy)")
    expect(copy).to_be_visible()
    expect(copy.get_by_text("Default", exact=True)).to_have_count(0)
    expect(copy.get_by_test_id("header-count")).to_have_text("2")

    open_actions(page, "Billing (copy)")
    page.get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("dialog", name="Delete “Billing (copy)”?")
    delete = confirm.get_by_role("button", name="Delete handoff")
    expect(delete).to_be_disabled()
    confirm.get_by_label("Type Billing (copy) to confirm").fill("Billing")
    expect(delete).to_be_disabled()
    confirm.get_by_label("Type Billing (copy) to confirm").fill("Billing (copy)")
    expect(delete).to_be_enabled()
    delete.click()
    expect(card(page, "Billing (copy)")).to_have_count(0)
    expect(page.get_by_text("Deleted handoff “Billing (copy)”.")).to_be_visible()

    add_handoff(page, "Support", "+14155550100")
    expect(card(page, "Support").get_by_text("Default", exact=True)).to_have_count(0)
    open_actions(page, "Support")
    page.get_by_role("button", name="Set as default").click()
    expect(card(page, "Support").get_by_text("Default", exact=True)).to_be_visible()
    expect(card(page, "Billing").get_by_text("Default", exact=True)).to_have_count(0)

    open_actions(page, "Billing")
    page.get_by_role("button", name="Edit").click()
    edit = page.get_by_role("dialog", name="Edit handoff")
    expect(edit.get_by_label("Name", exact=True)).to_have_value("Billing")
    expect(edit.get_by_label("SIP header 2 value")).to_have_value("$handoff_reason")
    expect(edit.get_by_label("Encryption")).to_be_hidden()
    edit.get_by_label("Method").select_option("sip_invite")
    expect(edit.get_by_label("Encryption")).to_be_visible()
    expect(edit.get_by_label("Encryption")).to_have_value("tls_srtp")
    edit.get_by_label("Encryption").select_option("udp_rtp")
    edit.get_by_label("Method").select_option("sip_bye")
    expect(edit.get_by_label("Encryption")).to_be_hidden()
    expect(edit.get_by_label("Route")).to_be_hidden()
    edit.get_by_label("Method").select_option("sip_invite")
    edit.get_by_role("button", name="Save handoff").click()
    billing = card(page, "Billing")
    expect(billing.get_by_test_id("method")).to_have_text("INVITE")
    expect(billing.get_by_text("UDP / RTP")).to_be_visible()


def test_server_errors_show_beside_fields_and_keep_input(app, signed_in):
    page = signed_in
    set_integration(app, "sip_trunk")
    page.goto("/handoffs")
    add_handoff(page, "Sales", "not a route", headers=[("X-Bad Name", "v"), ("X-Ok", "kept")])
    dialog = page.get_by_role("dialog", name="Add handoff")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Sales")
    expect(dialog.get_by_label("Route")).to_have_value("not a route")
    expect(dialog.get_by_label("Route")).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_label("SIP header 2 value")).to_have_value("kept")
    expect(dialog.locator(".field-error")).not_to_have_count(0)
    expect(card(page, "Sales")).to_have_count(0)


def test_a_constraint_locks_the_method(app, signed_in):
    page = signed_in
    set_integration(app, "sip_trunk")
    page.goto("/handoffs")
    add_handoff(page, "Billing", "sip:billing@pbx.example.com")
    set_integration(app, "twilio_pstn")
    page.goto("/handoffs")
    open_dialog(page, "Add handoff")
    method = page.get_by_role("dialog", name="Add handoff").get_by_label("Method")
    expect(method).to_be_disabled()
    expect(method).to_have_value("sip_invite")
    expect(
        page.get_by_role("dialog", name="Add handoff").get_by_label("Encryption")
    ).to_be_visible()
    expect(card(page, "Billing").locator("[data-code=method_mismatch]")).to_be_visible()
