"""Web UI users: creation with a hashed password, sign-in, and the first-deploy admin."""

import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import User, utcnow

MIN_PASSWORD_LENGTH = 8
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")
# Checked against when the email is unknown, so a sign-in takes as long either way.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


class UserInvalid(ValueError):
    """The email or password given for a new user is not acceptable."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))
        self.errors = errors


def normalise_email(email: str) -> str:
    """Return the email as it is stored: trimmed and lower-cased."""
    return (email or "").strip().lower()


def find_user(session: Session, email: str) -> User | None:
    """Return the user with this email, if any."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(session: Session, email: str, password: str) -> User:
    """Add a user with a hashed password; do not commit.

    :raises UserInvalid: when the email is malformed or taken, or the password too short.
    """
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        errors["email"] = ["Enter a valid email address."]
    elif find_user(session, email) is not None:
        errors["email"] = ["A user with this email already exists."]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    if errors:
        raise UserInvalid(errors)
    user = User(email=email, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the user whose email and password match, recording the sign-in; else None."""
    user = find_user(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    return user


def has_users(session: Session) -> bool:
    """Return whether any user exists."""
    return bool(session.scalar(select(func.count(User.id))))


def ensure_first_admin(session: Session, email: str, password: str) -> User | None:
    """Create the first user from ADMIN_EMAIL/ADMIN_PASSWORD when there is no user yet."""
    if not email or not password or has_users(session):
        return None
    return create_user(session, email, password)
