"""UI fixtures: a signed-in test client, a live server on loopback and Debian's Chromium."""

import re
import threading

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from models import User, db

EMAIL = "operator@example.com"
PASSWORD = "correct horse battery"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def password_hash():
    """PASSWORD hashed once per run: hashing is deliberately slow."""
    return generate_password_hash(PASSWORD)


@pytest.fixture
def user(app, password_hash):
    """A web UI user (EMAIL / PASSWORD)."""
    with app.app_context():
        db.session.add(User(email=EMAIL, password_hash=password_hash))
        db.session.commit()
    return EMAIL


class UiClient:
    """A test client that signs in and posts forms with the page's CSRF token."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/login") -> str:
        """Return the CSRF token found in the page at ``path``."""
        page = self.client.get(path)
        match = TOKEN.search(page.get_data(as_text=True))
        assert match, f"no csrf_token in {path}"
        return match.group(1)

    def login(self, email: str = EMAIL, password: str = PASSWORD):
        """Sign in through the form."""
        data = {"email": email, "password": password, "csrf_token": self.token()}
        return self.client.post("/login", data=data)

    def get(self, path: str, **kwargs):
        """GET a page."""
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        """POST a form with a valid CSRF token."""
        form = {"csrf_token": self.token("/handoffs"), **(data or {})}
        return self.client.post(path, data=form, **kwargs)


@pytest.fixture
def ui(app, client, user):
    """A signed-in UI client (the session is set directly: sign-in has its own tests)."""
    with app.app_context():
        user_id = db.session.query(User.id).filter_by(email=user).scalar()
    with client.session_transaction() as session:
        session["user_id"] = user_id
    return UiClient(client)


@pytest.fixture
def live_server(app):
    """Serve the app with a real HTTP server on a free loopback port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser tab (1280×800) on the live server."""
    context = chromium.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def signed_in(page, user):
    """A browser tab signed in as the test user."""
    page.goto("/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/handoffs*")
    return page


def set_integration(app, kind: str, **constraints) -> None:
    """Switch the sandbox integration (and its default constraints) through the service."""
    from handoff.integration import update_integration

    with app.app_context():
        update_integration(db.session, "sandbox", {"kind": kind, **constraints}, actor="test")


def card(page, name: str):
    """Return the handoff card titled ``name``."""
    return page.get_by_role("article", name=name, exact=True)


def ready(page) -> None:
    """Wait until the page's script has wired up its dialogs and menus."""
    page.locator("body[data-ready]").wait_for(state="attached")


def open_dialog(page, button: str, **kwargs) -> None:
    """Click the button that opens a dialog, once the page's script is ready."""
    ready(page)
    page.get_by_role("button", name=button, **kwargs).click()


def open_actions(page, name: str) -> None:
    """Open the actions menu of the card titled ``name``."""
    ready(page)
    card(page, name).get_by_role("button", name=f"Actions for {name}", exact=True).click()


def make_destination(app, name: str = "Billing", **fields) -> int:
    """Create a sandbox destination through the service; return its id."""
    from handoff.destinations import create_destination

    payload = {"name": name, "method": "sip_invite", "route": "sip:desk@pbx.example.com", **fields}
    with app.app_context():
        return create_destination(db.session, "sandbox", payload, actor="test").id


def make_topic(app, name: str = "Bills", **fields) -> int:
    """Create a sandbox topic through the service; return its id."""
    from handoff.topics import create_topic

    with app.app_context():
        return create_topic(db.session, "sandbox", {"name": name, **fields}, actor="test").id
