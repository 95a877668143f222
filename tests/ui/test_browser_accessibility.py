"""In Chromium: every control on every page, dialogs included, has an accessible name."""

import pytest

from handoff.seed import seed_demo
from models import db
from tests.ui.conftest import ready
from tests.ui.test_browser_pages import place_call

pytestmark = pytest.mark.browser

UNNAMED = """() => {
  const named = (el) => (el.labels && el.labels.length) || el.getAttribute("aria-label")
    || el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent.trim())
    || (el.tagName === "A" && el.textContent.trim());
  return [...document.querySelectorAll("input, select, textarea, button, a[href]")]
    .filter((el) => el.type !== "hidden" && !el.closest("template") && !named(el))
    .map((el) => el.outerHTML.slice(0, 120));
}"""
PATHS = ["/handoffs", "/topics", "/integration", "/environments", "/test-call", "/conversations"]


def test_every_control_has_an_accessible_name(app, twilio, signed_in):
    page = signed_in
    with app.app_context():
        seed_demo(db.session, actor="a11y")
    place_call(app, twilio)
    for path in [*PATHS, "/conversations?handoff=yes"]:
        page.goto(path)
        ready(page)
        assert page.evaluate(UNNAMED) == [], path
    page.goto("/handoffs")
    ready(page)
    page.get_by_role("button", name="Add handoff").click()
    page.get_by_role("button", name="Add SIP header").click()
    assert page.evaluate(UNNAMED) == []
    page.goto("/conversations?handoff=yes")
    page.get_by_role("row").nth(1).get_by_role("link").click()
    assert page.evaluate(UNNAMED) == []
