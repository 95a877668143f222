"""Sign-in, sign-out, the login gate, the session cookie and CSRF on the UI."""

import pytest

from handoff.settings import from_environment
from handoff.users import UserInvalid, authenticate, create_user
from models import User, db
from tests.ui.conftest import EMAIL, PASSWORD, UiClient

PAGES = ["/handoffs", "/topics", "/integration", "/environments", "/test-call", "/conversations"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_require_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PAGES)
def test_signed_in_user_sees_every_page_with_the_environment(ui, path):
    page = ui.get(path).get_data(as_text=True)
    assert 'data-testid="current-env">Sandbox<' in page
    assert "Conversation review" in page and "Call handoffs" in page


def test_password_is_stored_hashed(app, user):
    with app.app_context():
        stored = db.session.query(User).one()
        assert stored.password_hash != PASSWORD
        assert stored.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_login_sets_a_protected_session_cookie_and_redirects_to_next(client, user):
    helper = UiClient(client)
    data = {"email": EMAIL.upper(), "password": PASSWORD, "csrf_token": helper.token()}
    response = client.post("/login?next=/topics", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/topics"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_refuses_an_offsite_next(client, user):
    helper = UiClient(client)
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": helper.token()}
    response = client.post("/login?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/handoffs"


@pytest.mark.parametrize(
    ("email", "password"),
    [(EMAIL, "wrong password"), ("nobody@example.com", PASSWORD), ("", ""), (EMAIL, "")],
)
def test_bad_credentials_show_an_error_and_keep_the_email(client, user, email, password):
    response = UiClient(client).login(email, password)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Email or password is incorrect." in page
    assert f'value="{email}"' in page
    assert client.get("/handoffs").status_code == 302


def test_logout_ends_the_session(ui):
    assert ui.post("/logout").status_code == 302
    assert ui.get("/handoffs").status_code == 302


def test_session_cookie_is_secure_outside_development(tmp_path):
    production = from_environment({"SECRET_KEY": "x" * 32}, str(tmp_path))
    development = from_environment({"APP_ENV": "development"}, str(tmp_path))
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert development["SESSION_COOKIE_SECURE"] is False


def test_post_without_csrf_token_is_forbidden(client, user):
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.get_data(as_text=True)


def test_signed_in_post_without_csrf_token_is_forbidden(ui):
    assert ui.client.post("/logout").status_code == 403
    assert ui.get("/handoffs").status_code == 200


def test_csrf_token_from_another_session_is_forbidden(app, ui):
    stolen = ui.token("/handoffs")
    stranger = app.test_client()
    response = stranger.post("/logout", data={"csrf_token": stolen})
    assert response.status_code == 403


def test_json_caller_without_token_gets_json_403(client):
    response = client.post("/logout", json={}, headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["code"] == "csrf_failed"


def test_first_admin_comes_from_the_environment(app, client):
    app.config.update(ADMIN_EMAIL="first@example.com", ADMIN_PASSWORD="first-password")
    assert UiClient(client).login("first@example.com", "first-password").status_code == 302
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_first_admin_is_not_created_when_users_exist(app, client, user):
    app.config.update(ADMIN_EMAIL="late@example.com", ADMIN_PASSWORD="late-password")
    assert UiClient(client).login("late@example.com", "late-password").status_code == 401


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("not-an-email", PASSWORD, "email"), ("a@example.com", "short", "password")],
)
def test_create_user_rejects_bad_input(app, email, password, field):
    with app.app_context(), pytest.raises(UserInvalid) as caught:
        create_user(db.session, email, password)
    assert field in caught.value.errors


def test_cli_creates_a_user_that_can_sign_in(app, runner):
    result = runner.invoke(
        args=["users", "create", "cli@example.com", "--password", "cli-password"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert authenticate(db.session, "cli@example.com", "cli-password") is not None


def test_cli_prompts_for_the_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "prompt@example.com"], input="prompt-pass\nprompt-pass\n"
    )
    assert result.exit_code == 0, result.output
    assert "prompt-pass" not in result.output


def test_cli_refuses_a_duplicate_user(runner, user):
    result = runner.invoke(args=["users", "create", EMAIL, "--password", "another-pass"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_cli_demo_admin_prints_credentials_once_and_again(app, runner):
    first = runner.invoke(args=["users", "demo"])
    second = runner.invoke(args=["users", "demo"])
    assert first.exit_code == 0 and "admin@example.com" in first.output
    assert first.output == second.output
    password = first.output.rsplit(" ", 1)[-1].strip()
    with app.app_context():
        assert authenticate(db.session, "admin@example.com", password) is not None


def test_an_unusable_first_admin_setting_is_logged_not_a_500(app, client, caplog):
    app.config.update(ADMIN_EMAIL="first@example.com", ADMIN_PASSWORD="short")
    response = UiClient(client).login("first@example.com", "short")
    assert response.status_code == 401
    assert "ADMIN_EMAIL/ADMIN_PASSWORD not usable" in caplog.text
