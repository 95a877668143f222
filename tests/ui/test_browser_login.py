"""In Chromium: sign in, see the sidebar and the environment, sign out."""

import re

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import EMAIL

pytestmark = pytest.mark.browser


def test_wrong_password_then_sign_in_and_out(page, user):
    page.goto("/handoffs")
    page.wait_for_url(re.compile(r"/login\?next=/handoffs$"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    expect(page.get_by_label("Email")).to_have_value(EMAIL)

    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/handoffs")
    sidebar = page.get_by_role("navigation", name="Main")
    for label in ("Call handoffs", "Topics", "Integration", "Environments", "Test call"):
        expect(sidebar.get_by_role("link", name=label)).to_be_visible()
    expect(sidebar.get_by_role("link", name="Conversation review")).to_be_visible()
    expect(page.get_by_test_id("current-env")).to_have_text("Sandbox")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.goto("/topics")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_phone_width_keeps_navigation_usable(signed_in):
    signed_in.set_viewport_size({"width": 390, "height": 800})
    signed_in.get_by_role("link", name="Topics").click()
    signed_in.wait_for_url("**/topics*")
    expect(signed_in.get_by_test_id("current-env")).to_be_visible()
    width = signed_in.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
