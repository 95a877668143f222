"""Twilio numbers assigned to environments; a number nobody assigned routes to live."""

import contextlib

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import writes
from handoff.environments import ENVIRONMENTS, LIVE
from handoff.errors import NotFound, ValidationFailed
from models import Environment, PhoneNumber


def normalise_number(raw: str) -> str:
    """Return ``raw`` in E.164 form, as Twilio sends it in ``To``.

    :raises ValidationFailed: naming ``number`` when it is not a phone number.
    """
    try:
        parsed = phonenumbers.parse((raw or "").strip(), None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(
            {"number": ["Give the number in E.164 form: +14155550100."]}
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed({"number": [f"{raw} is not a valid phone number."]})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def assigned_environment(session: Session, number: str) -> Environment | None:
    """Return the environment ``number`` is assigned to, if any."""
    candidates = {number}
    # Not a phone number (e.g. a SIP URI): only an exact assignment matches.
    with contextlib.suppress(ValidationFailed):
        candidates.add(normalise_number(number))
    return session.scalar(
        select(Environment)
        .join(PhoneNumber, PhoneNumber.environment_id == Environment.id)
        .where(PhoneNumber.number.in_(candidates))
    )


def environment_for_number(session: Session, number: str) -> str:
    """Return the name of the environment that ``number``'s calls use (unknown → live)."""
    env = assigned_environment(session, number)
    return env.name if env is not None else LIVE


def list_numbers(session: Session, *, after_id: int = 0, limit: int = 0) -> list[PhoneNumber]:
    """Return the assigned numbers in id order; each has ``environment`` set for dumping."""
    query = (
        select(PhoneNumber, Environment.name)
        .join(Environment, PhoneNumber.environment_id == Environment.id)
        .where(PhoneNumber.id > after_id)
        .order_by(PhoneNumber.id)
    )
    rows = []
    for row, env_name in session.execute(query.limit(limit) if limit else query):
        row.environment = env_name
        rows.append(row)
    return rows


def assign_number(session: Session, number: str, environment: str, *, actor: str) -> PhoneNumber:
    """Send ``number``'s calls to ``environment`` (create or move the assignment)."""
    if environment not in ENVIRONMENTS:
        raise ValidationFailed({"environment": [f"Use one of: {', '.join(ENVIRONMENTS)}."]})
    number = normalise_number(number)
    env = writes.locked_environment(session, environment, promoting=True)
    row = session.scalar(select(PhoneNumber).where(PhoneNumber.number == number))
    before = {"environment_id": row.environment_id} if row else None
    if row is None:
        row = PhoneNumber(number=number, environment_id=env.id)
        session.add(row)
    row.environment_id = env.id
    session.flush()
    writes.commit(
        session, env, actor, "assign", "phone_number", number, before=before,
        after={"environment": env.name},
    )  # fmt: skip
    row.environment = env.name
    return row


def unassign_number(session: Session, number: str, *, actor: str) -> None:
    """Forget ``number``'s assignment: its calls go to live again."""
    number = normalise_number(number)
    row = session.scalar(select(PhoneNumber).where(PhoneNumber.number == number))
    if row is None:
        raise NotFound(f"{number} is not assigned.")
    env = session.get(Environment, row.environment_id)
    session.delete(row)
    writes.commit(session, env, actor, "unassign", "phone_number", number)
