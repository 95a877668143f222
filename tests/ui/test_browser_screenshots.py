"""In Chromium: every main page renders at 1280 px and at phone width; screenshots for the README.

`make screenshots` writes them to docs/screenshots/ (SCREENSHOT_DIR); otherwise to a temp dir.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from handoff.seed import seed_demo
from models import db
from tests.ui.conftest import open_dialog, ready
from tests.ui.test_browser_pages import place_call

pytestmark = pytest.mark.browser

PAGES = [
    ("handoffs", "/handoffs", "Call handoffs"),
    ("topics", "/topics", "Topics"),
    ("integration", "/integration", "Integration"),
    ("environments", "/environments", "Environments"),
    ("test-call", "/test-call", "Test call"),
    ("conversations", "/conversations", "Conversation review"),
]


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_main_pages_at_desktop_and_phone_width(app, twilio, signed_in, shots):
    page = signed_in
    with app.app_context():
        seed_demo(db.session, actor="screenshots")
    place_call(app, twilio, "1")
    for name, path, heading in PAGES:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        ready(page)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    page.goto("/handoffs")
    open_dialog(page, "Add handoff")
    page.screenshot(path=str(shots / "add-handoff.png"))
    page.goto("/test-call")
    page.get_by_label("Inbound SIP headers").fill("X-Account: 42")
    page.get_by_label("Or presses").fill("1")
    page.get_by_role("button", name="Run test call").click()
    expect(page.get_by_test_id("twiml")).to_be_visible()
    ready(page)
    page.screenshot(path=str(shots / "test-call-result.png"), full_page=True)
    page.goto("/conversations?handoff=yes")
    page.get_by_role("row").nth(1).get_by_role("link").click()
    expect(page.get_by_test_id("metadata-panel")).to_be_visible()
    ready(page)
    page.screenshot(path=str(shots / "conversation.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    for _name, path, _heading in PAGES:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto("/handoffs")
    page.screenshot(path=str(shots / "handoffs-phone.png"), full_page=True)
    assert all((shots / f"{name}.png").stat().st_size > 10_000 for name, _, _ in PAGES)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
